/**
 * `<op>Async` for every op that can take longer than a millisecond and has no hand-written
 * variant (those are {@link bboxOverlapsAsync}, {@link ghmcLossAsync}, {@link sigmoidFocalLossAsync},
 * {@link sigmoidCrossEntropyAsync}, which use the native addon's AsyncTasks). The convention: the
 * synchronous op's arguments, a `Promise` of its result, never a synchronous throw (bad input
 * rejects with the same {@link SoftSamplingError}); an input detached before or during the call
 * rejects with `E_TYPE`.
 *
 * Where they run: in Node (the `soft-sampling` entry) on a pool of worker threads — lazily started,
 * as many as {@link setThreads} / `SOFT_SAMPLING_THREADS` (default: the machine's available
 * parallelism), each running the synchronous op on the caller's active backend; the arguments are
 * copied at the call (structured clone: the caller's arrays are neither detached nor modified and may
 * be reused at once; a `SharedArrayBuffer` is shared, not copied), the result moved back, and an
 * `options.out` buffer filled by copy when the promise settles. On the edge entry (Workers, Deno,
 * Bun, browsers) they run on the calling thread after the current task: the promise defers the
 * work but does not move it off the thread.
 *
 * Caller-owned state (GHM, EFL): the state passed in is read, never modified; each call returns
 * its successor. Two concurrent calls given the same state both start from it and return the same
 * successor — the second does not see the first's update; chain the calls (await one, pass its
 * `state` to the next) for the sequential semantics of training steps.
 * @module
 */
import { asyncOp } from './offload';
import { boxConvert, bbox2delta, delta2bbox } from './geometry';
import { maxIouAssign, randomSample, ohemSample, iouBalancedNegSample, hardNegativeMining, assignTargets } from './assign';
import { atssAssign } from './atss';
import { taskAlignedAssign } from './task-aligned';
import { focalLossStar, softmaxFocalLoss } from './focal';
import { ghmrLoss, smoothL1Loss, asl1Loss } from './ghm';
import { balancedL1Loss } from './balanced-l1';
import { iouLoss, giouLoss, diouLoss, ciouLoss } from './iou-loss';
import { qualityFocalLoss, distributionFocalLoss } from './qfl';
import { varifocalLoss } from './vfl';
import { equalizedFocalLoss } from './efl';
import { iouHlr, isrP, carlLoss, isrN } from './pisa';
import { evaluateCoco, evaluateVoc } from './eval';

/**
 * {@link boxConvert} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link boxConvert}.
 * @returns a promise of {@link boxConvert}'s result.
 * @throws (rejects) SoftSamplingError as {@link boxConvert}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const boxConvertAsync = /* @__PURE__ */ asyncOp('boxConvert', boxConvert, ['boxes', 'from', 'to']);

/**
 * {@link bbox2delta} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link bbox2delta}.
 * @returns a promise of {@link bbox2delta}'s result.
 * @throws (rejects) SoftSamplingError as {@link bbox2delta}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const bbox2deltaAsync = /* @__PURE__ */ asyncOp('bbox2delta', bbox2delta, ['priors', 'gt', 'options']);

/**
 * {@link delta2bbox} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link delta2bbox}.
 * @returns a promise of {@link delta2bbox}'s result.
 * @throws (rejects) SoftSamplingError as {@link delta2bbox}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const delta2bboxAsync = /* @__PURE__ */ asyncOp('delta2bbox', delta2bbox, ['priors', 'deltas', 'options']);

/**
 * {@link maxIouAssign} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link maxIouAssign}.
 * @returns a promise of {@link maxIouAssign}'s result.
 * @throws (rejects) SoftSamplingError as {@link maxIouAssign}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const maxIouAssignAsync = /* @__PURE__ */ asyncOp('maxIouAssign', maxIouAssign, ['priors', 'gt', 'options']);

/**
 * {@link randomSample} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link randomSample}.
 * @returns a promise of {@link randomSample}'s result.
 * @throws (rejects) SoftSamplingError as {@link randomSample}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const randomSampleAsync = /* @__PURE__ */ asyncOp('randomSample', randomSample, ['assign', 'options']);

/**
 * {@link ohemSample} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link ohemSample}.
 * @returns a promise of {@link ohemSample}'s result.
 * @throws (rejects) SoftSamplingError as {@link ohemSample}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const ohemSampleAsync = /* @__PURE__ */ asyncOp('ohemSample', ohemSample, ['assign', 'losses', 'options']);

/**
 * {@link iouBalancedNegSample} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link iouBalancedNegSample}.
 * @returns a promise of {@link iouBalancedNegSample}'s result.
 * @throws (rejects) SoftSamplingError as {@link iouBalancedNegSample}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const iouBalancedNegSampleAsync = /* @__PURE__ */ asyncOp('iouBalancedNegSample', iouBalancedNegSample, ['assign', 'options']);

/**
 * {@link hardNegativeMining} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link hardNegativeMining}.
 * @returns a promise of {@link hardNegativeMining}'s result.
 * @throws (rejects) SoftSamplingError as {@link hardNegativeMining}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const hardNegativeMiningAsync = /* @__PURE__ */ asyncOp('hardNegativeMining', hardNegativeMining, ['losses', 'labels', 'options']);

/**
 * {@link assignTargets} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link assignTargets}.
 * @returns a promise of {@link assignTargets}'s result.
 * @throws (rejects) SoftSamplingError as {@link assignTargets}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const assignTargetsAsync = /* @__PURE__ */ asyncOp('assignTargets', assignTargets, ['assign', 'options']);

/**
 * {@link atssAssign} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link atssAssign}.
 * @returns a promise of {@link atssAssign}'s result.
 * @throws (rejects) SoftSamplingError as {@link atssAssign}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const atssAssignAsync = /* @__PURE__ */ asyncOp('atssAssign', atssAssign, ['priors', 'gt', 'gtLabels', 'options']);

/**
 * {@link taskAlignedAssign} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link taskAlignedAssign}.
 * @returns a promise of {@link taskAlignedAssign}'s result.
 * @throws (rejects) SoftSamplingError as {@link taskAlignedAssign}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const taskAlignedAssignAsync = /* @__PURE__ */ asyncOp('taskAlignedAssign', taskAlignedAssign, ['anchors', 'predBboxes', 'predScores', 'gt', 'gtLabels', 'options']);

/**
 * {@link focalLossStar} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link focalLossStar}.
 * @returns a promise of {@link focalLossStar}'s result.
 * @throws (rejects) SoftSamplingError as {@link focalLossStar}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const focalLossStarAsync = /* @__PURE__ */ asyncOp('focalLossStar', focalLossStar, ['logits', 'targets', 'options']);

/**
 * {@link softmaxFocalLoss} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link softmaxFocalLoss}.
 * @returns a promise of {@link softmaxFocalLoss}'s result.
 * @throws (rejects) SoftSamplingError as {@link softmaxFocalLoss}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const softmaxFocalLossAsync = /* @__PURE__ */ asyncOp('softmaxFocalLoss', softmaxFocalLoss, ['logits', 'labels', 'options']);

/**
 * {@link ghmrLoss} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link ghmrLoss}.
 * @returns a promise of {@link ghmrLoss}'s result.
 * @throws (rejects) SoftSamplingError as {@link ghmrLoss}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const ghmrLossAsync = /* @__PURE__ */ asyncOp('ghmrLoss', ghmrLoss, ['pred', 'target', 'options']);

/**
 * {@link smoothL1Loss} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link smoothL1Loss}.
 * @returns a promise of {@link smoothL1Loss}'s result.
 * @throws (rejects) SoftSamplingError as {@link smoothL1Loss}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const smoothL1LossAsync = /* @__PURE__ */ asyncOp('smoothL1Loss', smoothL1Loss, ['pred', 'target', 'options']);

/**
 * {@link asl1Loss} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link asl1Loss}.
 * @returns a promise of {@link asl1Loss}'s result.
 * @throws (rejects) SoftSamplingError as {@link asl1Loss}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const asl1LossAsync = /* @__PURE__ */ asyncOp('asl1Loss', asl1Loss, ['pred', 'target', 'options']);

/**
 * {@link balancedL1Loss} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link balancedL1Loss}.
 * @returns a promise of {@link balancedL1Loss}'s result.
 * @throws (rejects) SoftSamplingError as {@link balancedL1Loss}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const balancedL1LossAsync = /* @__PURE__ */ asyncOp('balancedL1Loss', balancedL1Loss, ['pred', 'target', 'options']);

/**
 * {@link iouLoss} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link iouLoss}.
 * @returns a promise of {@link iouLoss}'s result.
 * @throws (rejects) SoftSamplingError as {@link iouLoss}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const iouLossAsync = /* @__PURE__ */ asyncOp('iouLoss', iouLoss, ['pred', 'target', 'options']);

/**
 * {@link giouLoss} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link giouLoss}.
 * @returns a promise of {@link giouLoss}'s result.
 * @throws (rejects) SoftSamplingError as {@link giouLoss}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const giouLossAsync = /* @__PURE__ */ asyncOp('giouLoss', giouLoss, ['pred', 'target', 'options']);

/**
 * {@link diouLoss} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link diouLoss}.
 * @returns a promise of {@link diouLoss}'s result.
 * @throws (rejects) SoftSamplingError as {@link diouLoss}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const diouLossAsync = /* @__PURE__ */ asyncOp('diouLoss', diouLoss, ['pred', 'target', 'options']);

/**
 * {@link ciouLoss} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link ciouLoss}.
 * @returns a promise of {@link ciouLoss}'s result.
 * @throws (rejects) SoftSamplingError as {@link ciouLoss}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const ciouLossAsync = /* @__PURE__ */ asyncOp('ciouLoss', ciouLoss, ['pred', 'target', 'options']);

/**
 * {@link qualityFocalLoss} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link qualityFocalLoss}.
 * @returns a promise of {@link qualityFocalLoss}'s result.
 * @throws (rejects) SoftSamplingError as {@link qualityFocalLoss}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const qualityFocalLossAsync = /* @__PURE__ */ asyncOp('qualityFocalLoss', qualityFocalLoss, ['pred', 'target', 'options']);

/**
 * {@link distributionFocalLoss} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link distributionFocalLoss}.
 * @returns a promise of {@link distributionFocalLoss}'s result.
 * @throws (rejects) SoftSamplingError as {@link distributionFocalLoss}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const distributionFocalLossAsync = /* @__PURE__ */ asyncOp('distributionFocalLoss', distributionFocalLoss, ['pred', 'target', 'options']);

/**
 * {@link varifocalLoss} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link varifocalLoss}.
 * @returns a promise of {@link varifocalLoss}'s result.
 * @throws (rejects) SoftSamplingError as {@link varifocalLoss}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const varifocalLossAsync = /* @__PURE__ */ asyncOp('varifocalLoss', varifocalLoss, ['pred', 'target', 'options']);

/**
 * {@link equalizedFocalLoss} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link equalizedFocalLoss}.
 * @returns a promise of {@link equalizedFocalLoss}'s result.
 * @throws (rejects) SoftSamplingError as {@link equalizedFocalLoss}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const equalizedFocalLossAsync = /* @__PURE__ */ asyncOp('equalizedFocalLoss', equalizedFocalLoss, ['logits', 'targets', 'options']);

/**
 * {@link iouHlr} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link iouHlr}.
 * @returns a promise of {@link iouHlr}'s result.
 * @throws (rejects) SoftSamplingError as {@link iouHlr}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const iouHlrAsync = /* @__PURE__ */ asyncOp('iouHlr', iouHlr, ['input', 'options']);

/**
 * {@link isrP} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link isrP}.
 * @returns a promise of {@link isrP}'s result.
 * @throws (rejects) SoftSamplingError as {@link isrP}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const isrPAsync = /* @__PURE__ */ asyncOp('isrP', isrP, ['input', 'options']);

/**
 * {@link carlLoss} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link carlLoss}.
 * @returns a promise of {@link carlLoss}'s result.
 * @throws (rejects) SoftSamplingError as {@link carlLoss}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const carlLossAsync = /* @__PURE__ */ asyncOp('carlLoss', carlLoss, ['clsScore', 'labels', 'bboxPred', 'bboxTargets', 'options']);

/**
 * {@link isrN} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link isrN}.
 * @returns a promise of {@link isrN}'s result.
 * @throws (rejects) SoftSamplingError as {@link isrN}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const isrNAsync = /* @__PURE__ */ asyncOp('isrN', isrN, ['input', 'options']);

/**
 * {@link evaluateCoco} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link evaluateCoco}.
 * @returns a promise of {@link evaluateCoco}'s result.
 * @throws (rejects) SoftSamplingError as {@link evaluateCoco}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const evaluateCocoAsync = /* @__PURE__ */ asyncOp('evaluateCoco', evaluateCoco, ['gt', 'dets', 'options']);

/**
 * {@link evaluateVoc} without blocking the event loop: same arguments, a promise of the same result (Node:
 * a worker thread, arguments copied at the call; edge runtimes: the calling thread, after the
 * current task — see the module notes). Source: as {@link evaluateVoc}.
 * @returns a promise of {@link evaluateVoc}'s result.
 * @throws (rejects) SoftSamplingError as {@link evaluateVoc}; `E_TYPE` when an input's buffer is detached
 *   before or during the call. Never throws synchronously.
 */
export const evaluateVocAsync = /* @__PURE__ */ asyncOp('evaluateVoc', evaluateVoc, ['gt', 'dets', 'options']);
