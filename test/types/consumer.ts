// Type tests: compiled with `tsc --noEmit` against the PACKED package (scripts/type-tests.mjs), under
// moduleResolution nodenext, bundler and node (node10). Every `@ts-expect-error` line must be an error;
// every other line must compile. Nothing here runs.
import {
  bboxOverlaps, boxConvert, bbox2delta, delta2bbox, gridAnchors, baseAnchors, RETINANET_ANCHORS,
  sigmoidFocalLoss, sigmoidCrossEntropy, softmaxFocalLoss, focalLossStar,
  ghmcLoss, ghmrLoss, createGhmState, smoothL1Loss, asl1Loss,
  maxIouAssign, assignTargets, randomSample, ohemSample, iouBalancedNegSample, hardNegativeMining,
  iouHlr, isrP, isrN, carlLoss, evaluateCoco, evaluateVoc, apAllPoint, createTfLosses,
  backendInfo, useBackend, Tensor, SoftSamplingError,
  type ArrayInput, type GhmState, type CocoGroundTruth, type CocoDetections, type BackendName,
} from 'soft-sampling';
import { initWasm, bboxOverlaps as edgeOverlaps } from 'soft-sampling/edge';
import * as lite from 'soft-sampling/lite';

// --- readonly inputs are accepted (an `as const` literal, a ReadonlyArray) ---
const priors = [[0, 0, 10, 10], [5, 5, 15, 15], [20, 20, 30, 30]] as const;
const gt: readonly (readonly number[])[] = [[0, 0, 10, 10]];
const flat: readonly number[] = [0, 0, 10, 10];
const iou = bboxOverlaps(priors, gt);
const aligned = bboxOverlaps(priors, priors, { aligned: true, mode: 'giou' });
const edgeIou = edgeOverlaps(flat, flat);
const anchors = gridAnchors([[8, 8], [4, 4]] as const, { strides: [8, 16] as const, ratios: [0.5, 1, 2] as const, scales: [4] as const });
const fromRetina = gridAnchors([[8, 8]], { ...RETINANET_ANCHORS, strides: [8] });
baseAnchors(8, [1] as const, [4] as const);
delta2bbox(priors, bbox2delta(priors, priors), { maxShape: [32, 32] as const, stds: [0.1, 0.1, 0.2, 0.2] as const });

// --- Tensor.toArray() is typed by rank ---
const m: number[][] = iou.toArray();
const v: number[] = aligned.toArray();
const e: number[][] = edgeIou.toArray();
const boxes4: number[][] = boxConvert(priors, 'xyxy', 'cxcywh').toArray();
const anchorRows: number[][] = anchors.anchors.toArray();
const r: [number, number] = iou.shape;
const first: number = iou.get(0, 0);
const data: Float32Array = iou.data;
// @ts-expect-error an aligned overlap is 1-D
const wrongRank: number[][] = aligned.toArray();
// @ts-expect-error a pairwise overlap is 2-D
const wrongRank2: number[] = iou.toArray();
const t = new Tensor(new Float32Array(6), [2, 3] as [number, number]);
const t2: number[][] = t.toArray();

// --- assignment and samplers ---
const assign = maxIouAssign(priors, gt, { posIouThr: 0.5, negIouThr: 0.4, gtLabels: [0] });
const gtInds: number[] = assign.gtInds.toArray();
maxIouAssign(priors, gt, { posIouThr: 0.7, negIouThr: [0.1, 0.3] as const });
const targets = assignTargets(assign, { numClasses: 3 });
const avg: number = targets.avgFactor;
const s = randomSample(assign, { num: 4, posFraction: 0.5, seed: 1 });
const pos: Int32Array = s.posInds.data;
randomSample(assign, { num: 4, posFraction: 0.5, seed: 1, addGtAsProposals: false });
ohemSample(assign, new Float32Array(4), { num: 2, posFraction: 0.5 });
iouBalancedNegSample(assign, { num: 2, posFraction: 0.5, seed: 0, numBins: 3 });
hardNegativeMining([0.1, 0.2, 0.3] as const, [0, 3, 3] as const, { numClasses: 3 });
// @ts-expect-error missing required option negIouThr
maxIouAssign(priors, gt, { posIouThr: 0.5 });
// @ts-expect-error randomSample needs a seed
randomSample(assign, { num: 4, posFraction: 0.5 });
// @ts-expect-error misspelled option (posFraction)
randomSample(assign, { num: 4, posFracton: 0.5, seed: 1 });
// @ts-expect-error assignTargets needs numClasses
assignTargets(assign, {});

// --- losses ---
const logits = { data: new Float32Array(6), shape: [3, 2] } as const;
const fl = sigmoidFocalLoss(logits, targets.labels, { labelWeights: targets.labelWeights, avgFactor: targets.avgFactor, alpha: null });
const loss: number = fl.loss;
sigmoidCrossEntropy(logits, [0, 1, 2], { alpha: 0.25, reduction: 'sum' });
softmaxFocalLoss(logits, [0, 1, 1], { alpha: [0.25, 0.75] as const });
focalLossStar(logits, [0, 1, 2], { gamma: 1, beta: 0 });
// @ts-expect-error misspelled option (gamma)
sigmoidFocalLoss(logits, [0, 1, 2], { gama: 2 });
// @ts-expect-error wrong reduction
sigmoidFocalLoss(logits, [0, 1, 2], { reduction: 'avg' });
// @ts-expect-error wrong compat mode
sigmoidFocalLoss(logits, [0, 1, 2], { compat: 'mmcv' });
// @ts-expect-error wrong overlap mode
bboxOverlaps(priors, gt, { mode: 'dice' });
// @ts-expect-error wrong box format
boxConvert(priors, 'xyxy', 'yxyx');

let state: GhmState = createGhmState(30);
const g1 = ghmcLoss(logits, [0, 1, 2], { bins: 30, momentum: 0.75, state });
state = g1.state; // thread the state into the next call
ghmcLoss(logits, [0, 1, 2], { bins: 30, momentum: 0.75, state, normalizer: 'allBins' });
ghmrLoss(priors, priors, { mu: 0.02 });
smoothL1Loss(priors, priors, { beta: 0.11, avgFactor: 1 });
asl1Loss(priors, priors, { mu: 0.02 });
// @ts-expect-error wrong normalizer
ghmcLoss(logits, [0, 1, 2], { normalizer: 'bins' });

// --- PISA ---
const hlr = iouHlr({ labels: [0, 0], gtInds: [0, 0], ious: [0.9, 0.6] as const });
const ranks: number[] = hlr.ranks.toArray();
isrP({ labels: [0, 0], gtInds: [0, 0], ious: [0.9, 0.6], posLoss: [0.1, 0.2] }, { k: 2, bias: 0 });
isrN({ scores: [0.9, 0.1], boxes: [[0, 0, 1, 1], [0, 0, 2, 2]] }, { numExpected: 1 });
const carl = carlLoss([[0.1, 0.9]] as const, [0] as const, [[0, 0, 0, 0]] as const, [[0, 0, 0, 0]] as const, { sigmoid: true });
const gc: number[][] = carl.gradClsScore.toArray();
// @ts-expect-error isrP input needs gtInds
isrP({ labels: [0], ious: [0.5], posLoss: [1] });
// @ts-expect-error isrN needs numExpected
isrN({ scores: [0.9], boxes: [[0, 0, 1, 1]] }, {});
// @ts-expect-error wrong gtOffset mode
iouHlr({ labels: [0], gtInds: [0], ious: [0.5] }, { gtOffset: 'global' });

// --- evaluation (readonly JSON-like literals) ---
const cocoGt = {
  images: [{ id: 1 }],
  annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10] }],
  categories: [{ id: 1, name: 'a' }],
} as const satisfies CocoGroundTruth;
const dets = [{ image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.9 }] as const satisfies CocoDetections;
const ap: number = evaluateCoco(cocoGt, dets).stats.AP;
apAllPoint([0.5, 1] as const, [1, 0.5] as const);
const mAP: number = evaluateVoc(cocoGt, dets, { iouThreshold: 0.5, interpolation: '11-point' }).mAP;
// @ts-expect-error wrong interpolation
evaluateVoc(cocoGt, dets, { interpolation: '101-point' });
// @ts-expect-error misspelled COCO option
evaluateCoco(cocoGt, dets, { maxDet: [100] });

// --- backends, errors, tfjs, edge ---
const active: BackendName = backendInfo().active;
useBackend('auto');
// @ts-expect-error unknown backend
useBackend('gpu');
const err = new SoftSamplingError('E_VALUE', 'x', 'bad');
const code: 'E_TYPE' | 'E_SHAPE' | 'E_VALUE' | 'E_OPTION' | 'E_BACKEND' | 'E_PANIC' = err.code;
declare const tf: Parameters<typeof createTfLosses>[0];
const L = createTfLosses(tf);
const ghm = L.ghmc({ bins: 30, momentum: 0.75 });
const ghmState: GhmState | undefined = ghm.state;
// @ts-expect-error the tfjs GHM loss options are checked too
L.ghmc({ bin: 30 });
const ready: Promise<unknown> = initWasm(new Uint8Array(0));
const input: ArrayInput = priors;

// --- soft-sampling/lite: the lite ops, typed as in the full entry; nothing outside the lite set ---
const liteIou: number[][] = lite.bboxOverlaps(priors, gt).toArray();
const liteLoss: number = lite.sigmoidFocalLoss([[2, -1]], [[1, 0]], { alpha: 0.25, gamma: 2 }).loss;
const liteReady: Promise<unknown> = lite.initWasm();
// @ts-expect-error the COCO/VOC evaluator is not in soft-sampling/lite
lite.evaluateCoco(cocoGt, dets);
// @ts-expect-error QFL is not in soft-sampling/lite
lite.qualityFocalLoss;
// @ts-expect-error the lite ops are typed (re-exported from edge.d.mts, not `any`): a Tensor is no string
const liteNotString: string = lite.bboxOverlaps(priors, gt);

export { m, v, e, boxes4, anchorRows, r, first, data, wrongRank, wrongRank2, t2, gtInds, avg, pos, loss, ranks, gc, ap, mAP, active, code, ghmState, ready, input, fromRetina, liteIou, liteLoss, liteReady, liteNotString };
