/**
 * Focal-family losses with analytic gradients (issue 3): binary cross-entropy with logits and its
 * α-balanced form, the sigmoid focal loss (exact, and mmcv-compatible), FL*, and the softmax
 * (multi-class) focal loss.
 *
 * Every function returns a {@link LossResult}: the reduced loss, the per-element losses and the
 * gradient of the reduced loss w.r.t. the logits, so any training loop (tfjs, onnxruntime
 * training, hand-written) can use it.
 *
 * Common conventions (reference-semantics §0, decisions.md):
 * - `logits` are raw scores, `[N, C]` (any `[..., C]` is flattened to `[N, C]`; a 1-D `[M]` is
 *   `[M, 1]`), never probabilities.
 * - Targets are **either** class indices `[N]` in `[0, C]` with background = `C` (mmdetection ≥ 2.0),
 *   **or** one-hot / soft floats `[N, C]` in `[0, 1]`. The rule: `options.targetType` when given;
 *   otherwise by element count — `N·C` values are one-hot, `N` values are labels. The two counts
 *   coincide only when `C = 1`, and then the targets are read as one-hot (pass
 *   `targetType: 'labels'` to override). Nothing else is guessed.
 * - `weight` and `labelWeights`: `[N]` (one weight per sample, broadcast over the classes, as
 *   mmdetection does) or `[N, C]`; the element weight is their product. `labelWeights = 0` marks
 *   an ignored sample (mmdetection's `label_weights`).
 * - Reduction (mmdet `weight_reduce_loss`, see {@link reducer}): `'mean'` (default) divides the sum
 *   of weighted element losses by the element count, or by `avgFactor + 2^-23` when `avgFactor` is
 *   given (e.g. the number of positives, RetinaNet); `'sum'`; `'none'`. `lossWeight` multiplies
 *   the result and its gradient. `avgFactor` with `'sum'` is an error. Without `avgFactor`,
 *   `'mean'` counts every element, ignored ones included (mmdet); with every label ignored the
 *   loss and the gradient are 0 (never a division by zero).
 * - NaN / ±Inf in any input is an `E_VALUE` error naming the argument and the first bad index
 *   (there is no `nanPolicy` here: a NaN logit has no meaningful loss or gradient).
 * - Numerics: float32 kernels with float64 sums, log-space forms and closed-form gradients
 *   (finite for |x| ≤ 1e4 and beyond, any γ ≥ 0); every backend agrees with the float64 golden
 *   vectors to 1e-6 + 1e-5·|expected|.
 * - Memory: besides the two outputs (`lossElements`, `grad`), nothing of size `N·C` is allocated
 *   (class-index targets are never expanded to one-hot; the wasm backend necessarily copies the
 *   inputs into its linear memory). A training loop can pass its own output buffers in
 *   `options.out` and allocate nothing per step.
 */
import { getBackend } from '../registry';
import { SoftSamplingError, valueText } from '../errors';
import { Tensor, isI32, toFloat32, checkView, numOpt, enumOpt, checkOptions, outputBuffers, MAX_EXACT_INTEGER, type ArrayInput } from '../tensor';
import { reducer, type ReduceOptions } from './reduce';
import { SIGMOID_KIND } from '../kernels/focal';
import type { Backend } from '../kernels';
import { checkAttached, nextTask } from './async';
import { asyncOp, offloadAvailable } from './offload';

/** What the focal-family losses return: the reduced loss, the per-element losses and the gradient. */
export interface LossResult {
  /**
   * The reduced loss, `lossWeight`-scaled. With `reduction: 'none'` it is `lossWeight · Σ lossElements`
   * (the quantity whose gradient `grad` is).
   */
  loss: number;
  /**
   * Per-element loss after the element weights (`weight ⊙ labelWeights`), before reduction and
   * before `lossWeight` (so with `'none'`, mmdetection's output is `lossWeight · lossElements`).
   * Shape of the logits for the sigmoid losses, `[N]` for the softmax loss.
   */
  lossElements: Tensor;
  /** `d loss / d logits` (of the reduced, `lossWeight`-scaled loss), shape of the logits. */
  grad: Tensor;
}

/**
 * How the sigmoid losses read `targets`: `'labels'` — `[N]` class indices, `C` = background;
 * `'onehot'` — `[N, C]` floats in `[0, 1]`. Default: decided by the element count (see the losses' docs).
 */
export type TargetType = 'labels' | 'onehot';

/**
 * Caller-owned output buffers, reused across calls (a training loop): each is overwritten
 * entirely and returned as the `data` of the result's tensor. Saves allocating (and the page
 * faults of first-touching) `2·N·C` floats per call. Must not overlap each other or any input.
 */
export interface LossOutputs {
  /** `Float32Array` with one value per element of `lossElements`. */
  lossElements?: Float32Array;
  /** `Float32Array` with one value per logit. */
  grad?: Float32Array;
}

/** Options shared by the sigmoid-family losses. */
export interface SigmoidLossOptions extends ReduceOptions {
  /** Element weights: `[N]` (per sample, broadcast over classes) or `[N, C]`. */
  weight?: ArrayInput;
  /** Label weights (`0` = ignored sample): `[N]` or `[N, C]`; multiplied with `weight`. */
  labelWeights?: ArrayInput;
  /** How to read `targets`: `'labels'` (`[N]` indices, `C` = background) or `'onehot'` (`[N, C]` floats). Default: by element count. */
  targetType?: TargetType;
  /** Reuse these output buffers (see {@link LossOutputs}). */
  out?: LossOutputs;
}

/** Options of {@link sigmoidCrossEntropy}: the common sigmoid-loss options plus `alpha`. */
export interface SigmoidCrossEntropyOptions extends SigmoidLossOptions {
  /** α-balancing: positives weighted `α`, negatives `1 − α`; `null` (default) = off. Must be in `[0, 1]`. */
  alpha?: number | null;
}

/** Options of {@link sigmoidFocalLoss}: the common sigmoid-loss options plus `alpha`, `gamma`, `compat`. */
export interface SigmoidFocalLossOptions extends SigmoidLossOptions {
  /** α-balancing weight of the positives (negatives get `1 − α`); default `0.25`; `null` = off. In `[0, 1]`. */
  alpha?: number | null;
  /** Focusing parameter γ ≥ 0; default `2`. `γ = 0` gives (α-balanced) cross-entropy. */
  gamma?: number;
  /**
   * `'stable'` (default): the exact value in log space, finite for any logit.
   * `'mmcvClamp'`: reproduces mmcv's CUDA `sigmoid_focal_loss` op (float32, `log` clamped at
   * `FLT_MIN`, so the per-element CE is capped at 87.34: x = −100, y = 1 gives 21.834137, not 25).
   * Needs 0/1 targets.
   */
  compat?: 'stable' | 'mmcvClamp';
}

/** Options of {@link focalLossStar}: the common sigmoid-loss options plus `gamma`, `beta`, `alpha`. */
export interface FocalLossStarOptions extends SigmoidLossOptions {
  /** γ > 0; default `1` (with β = 0 this is cross-entropy). */
  gamma?: number;
  /** β; default `0` (fvcore implements β = 0 only). */
  beta?: number;
  /** Optional α_t multiplier as in fvcore; default `null` = off. In `[0, 1]`. */
  alpha?: number | null;
}

/** Options of {@link softmaxFocalLoss}: reduction options plus `alpha` (scalar or per class), `gamma`, per-sample weights. */
export interface SoftmaxFocalLossOptions extends ReduceOptions {
  /**
   * α: one number for every class, or one per class (`[K]`, indexed by the sample's label);
   * default `0.25` (mmcv `softmax_focal_loss`, Keras `CategoricalFocalCrossentropy`); `null` = off.
   * Values in `[0, 1]`.
   */
  alpha?: number | ArrayInput | null;
  /** Focusing parameter γ ≥ 0; default `2`. */
  gamma?: number;
  /** Per-sample weights `[N]`. */
  weight?: ArrayInput;
  /** Per-sample label weights `[N]` (`0` = ignored). */
  labelWeights?: ArrayInput;
  /** Reuse these output buffers (`lossElements` `[N]`, `grad` `[N, K]`; see {@link LossOutputs}). */
  out?: LossOutputs;
}

const COMMON = ['reduction', 'avgFactor', 'lossWeight', 'weight', 'labelWeights', 'targetType', 'out'] as const;
const EMPTY_F: Float32Array = new Float32Array(0);
const EMPTY_I: Int32Array = new Int32Array(0);

function alphaOpt(arg: string, v: unknown, dflt: number | null): number | null {
  if (v === undefined) return dflt;
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SoftSamplingError('E_TYPE', arg, `expected a number in [0, 1] or null, got ${valueText(v)}`);
  if (v < 0 || v > 1) {
    throw new SoftSamplingError('E_VALUE', arg, `must be in [0, 1], got ${v}${v < 0 ? ' (use null, not a negative value, to disable α)' : ''}`);
  }
  return v;
}

/** γ in [0, 1000] (`strict`: [1e-6, 1000], FL* divides by γ); bounded so float32 kernels stay finite. */
function gammaOpt(arg: string, v: unknown, dflt: number, strict = false): number {
  return numOpt(arg, v, dflt, (x) => {
    if (x > 1000) return `must be ≤ 1000, got ${x}`;
    return strict ? (x >= 1e-6 ? null : `must be ≥ 1e-6, got ${x}`) : x >= 0 ? null : `must be ≥ 0, got ${x}`;
  });
}

interface Logits {
  data: Float32Array;
  shape: number[];
  n: number;
  c: number;
}

function toLogits(input: unknown): Logits {
  // NaN/±Inf logits are rejected by every backend's kernel (same E_VALUE error, with the index):
  // a vectorised scan there instead of a second pass over N·C values here
  const { data, shape } = toFloat32('logits', input, 'propagate');
  if (shape.length === 1) return { data, shape, n: shape[0], c: 1 };
  const c = shape[shape.length - 1];
  const n = c === 0 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : data.length / c;
  return { data, shape, n, c };
}

function toLabels(arg: string, data: Float32Array, maxIncl: number, what: string): Int32Array {
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isInteger(v) || v < 0 || v > maxIncl || v > MAX_EXACT_INTEGER) {
      throw new SoftSamplingError('E_VALUE', arg, `label ${i} is ${v}; labels must be integers in ${what}`);
    }
    out[i] = v;
  }
  return out;
}

/** {@link toLabels} of labels that are already int32: checked in place, returned as they are. */
function checkLabels(arg: string, data: Int32Array, maxIncl: number, what: string): Int32Array {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < 0 || v > maxIncl) throw new SoftSamplingError('E_VALUE', arg, `label ${i} is ${v}; labels must be integers in ${what}`);
  }
  return data;
}

function toWeights(arg: string, v: unknown, n: number, c: number, allowFull: boolean): Float32Array {
  if (v === undefined || v === null) return EMPTY_F;
  // the sigmoid kernels check their weights for NaN/±Inf (as the logits); softmax's [N] ones here
  const { data } = toFloat32(arg, v, allowFull ? 'propagate' : 'error');
  for (let i = 0; i < data.length; i++) {
    if (data[i] < 0) throw new SoftSamplingError('E_VALUE', arg, `element ${i} is negative (${data[i]}); weights are ≥ 0 (0 ignores an element)`);
  }
  if (data.length === n) return data;
  if (allowFull && data.length === n * c) return data;
  throw new SoftSamplingError('E_SHAPE', arg, `expected ${allowFull ? `[N] (${n}) or [N, C] (${n * c})` : `[N] (${n})`} values, got ${data.length}`);
}

/** The output buffers: the caller's (validated: type, length, no overlap) or fresh ones. */
function outputs(o: Record<string, unknown>, elemLen: number, gradLen: number, inputs: ArrayBufferView[]): [Float32Array, Float32Array] {
  const r = outputBuffers('options.out', o.out, { lossElements: elemLen, grad: gradLen }, inputs, getBackend().allocOutput);
  return [r.lossElements, r.grad];
}

interface Prepared {
  lg: Logits;
  targets: Float32Array;
  labels: Int32Array;
  useLabels: boolean;
  weight: Float32Array;
  labelWeights: Float32Array;
}

function prepareSigmoid(logits: unknown, targets: unknown, o: Record<string, unknown>, binaryOnly: boolean): Prepared {
  const lg = toLogits(logits);
  const { n, c } = lg;
  const tt = enumOpt('options.targetType', o.targetType, ['labels', 'onehot'] as const, 'onehot');
  // NaN/±Inf targets are rejected below with their index (one-hot: the [0, 1] range check;
  // labels: the integer check), so the generic finiteness scan is skipped here
  // labels given as an Int32Array (the usual case) are checked as they are, not copied to float32
  // and back: the two copies and the float check were most of the calling thread's serial time
  // in a 2-thread 100k×80 call
  let t: { data: Float32Array | Int32Array; shape: number[] };
  if (isI32(targets)) {
    checkView('targets', targets);
    t = { data: targets, shape: [targets.length] };
  } else {
    t = toFloat32('targets', targets, 'propagate');
  }
  let useLabels: boolean;
  if (o.targetType !== undefined) useLabels = tt === 'labels';
  else if (t.data.length === n * c) useLabels = false;
  else if (t.data.length === n) useLabels = true;
  else {
    throw new SoftSamplingError('E_SHAPE', 'targets', `expected one-hot [N, C] = [${n}, ${c}] (${n * c} values) or labels [N] (${n} values), got ${t.data.length} values`);
  }
  let labels = EMPTY_I;
  let dense = EMPTY_F;
  if (useLabels) {
    if (t.data.length !== n) throw new SoftSamplingError('E_SHAPE', 'targets', `labels must be [N] = [${n}], got ${t.data.length} values`);
    labels = isI32(t.data) ? checkLabels('targets', t.data, c, `[0, ${c}] (${c} = background)`) : toLabels('targets', t.data, c, `[0, ${c}] (${c} = background)`);
  } else {
    if (isI32(t.data)) t = toFloat32('targets', targets, 'propagate');
    if (t.data.length !== n * c) throw new SoftSamplingError('E_SHAPE', 'targets', `one-hot targets must be [N, C] = [${n}, ${c}], got ${t.data.length} values`);
    if (t.shape.length === lg.shape.length && t.shape.some((d, i) => d !== lg.shape[i])) {
      throw new SoftSamplingError('E_SHAPE', 'targets', `shape [${t.shape}] differs from the logits' [${lg.shape}]`);
    }
    dense = t.data as Float32Array; // converted above when given as int32
    for (let i = 0; i < dense.length; i++) {
      const v = dense[i];
      if (!(v >= 0 && v <= 1)) throw new SoftSamplingError('E_VALUE', 'targets', `element ${i} is ${v}; targets must lie in [0, 1]`);
      if (binaryOnly && v !== 0 && v !== 1) throw new SoftSamplingError('E_VALUE', 'targets', `element ${i} is ${v}; compat 'mmcvClamp' needs 0/1 targets`);
    }
  }
  const weight = toWeights('options.weight', o.weight, n, c, true);
  const labelWeights = toWeights('options.labelWeights', o.labelWeights, n, c, true);
  return { lg, targets: dense, labels, useLabels, weight, labelWeights };
}

function runSigmoid(logits: unknown, targets: unknown, o: Record<string, unknown>, kind: number, alpha: number | null, gamma: number, beta: number): LossResult {
  const call = sigmoidCall(logits, targets, o, kind, alpha, gamma, beta);
  return call.finish(call.empty ? 0 : getBackend().sigmoidLoss(...call.args).sum[0]);
}

/** A validated sigmoid-family call: the kernel's arguments and how to build the result. */
function sigmoidCall(logits: unknown, targets: unknown, o: Record<string, unknown>, kind: number, alpha: number | null, gamma: number, beta: number) {
  const p = prepareSigmoid(logits, targets, o, kind === SIGMOID_KIND.focalMmcv);
  const { n, c } = p.lg;
  const red = reducer(o, n * c);
  const [elements, grad] = outputs(o, n * c, n * c, [p.lg.data, p.targets, p.weight, p.labelWeights]);
  const args: Parameters<Backend['sigmoidLoss']> = [
    { logits: p.lg.data, targets: p.targets, labels: p.labels, weight: p.weight, labelWeights: p.labelWeights },
    { n, c, useLabels: p.useLabels, kind, hasAlpha: alpha !== null, alpha: alpha ?? 0, gamma, beta, scale: red.scale },
    { lossElements: elements, grad },
  ];
  const finish = (sum: number): LossResult => ({ loss: red.scale * sum, lossElements: new Tensor(elements, p.lg.shape), grad: new Tensor(grad, p.lg.shape) });
  // no elements: no kernel call (N × 0 with N up to 2^53 is a valid empty input; a kernel walks its rows)
  return { args, finish, empty: n * c === 0 };
}

/** Runs a sigmoid-family call off the JS thread (native AsyncTask, or Node's worker pool for wasm / ts) or, on the edge entry, after the current task. */
async function runSigmoidAsync(logits: unknown, targets: unknown, options: unknown, keys: readonly string[], resolve: (o: Record<string, unknown>) => [number, number | null, number, number], pooled: (...a: [ArrayInput, ArrayInput, never]) => Promise<LossResult>): Promise<LossResult> {
  const names = ['logits', 'targets', 'options.weight', 'options.labelWeights'];
  const inputs = () => [logits, targets, (options as Record<string, unknown> | undefined)?.weight, (options as Record<string, unknown> | undefined)?.labelWeights];
  checkAttached(names, inputs());
  // no native AsyncTask (wasm, ts): Node's worker pool when there is one
  if (!getBackend().sigmoidLossAsync && offloadAvailable()) return pooled(logits as ArrayInput, targets as ArrayInput, options as never);
  const o = checkOptions('options', options, keys);
  const [kind, alpha, gamma, beta] = resolve(o);
  const call = sigmoidCall(logits, targets, o, kind, alpha, gamma, beta);
  if (call.empty) return call.finish(0);
  const be = getBackend();
  let sum: number;
  if (be.sigmoidLossAsync) {
    sum = (await be.sigmoidLossAsync(...call.args)).sum[0];
  } else {
    await nextTask();
    checkAttached(names, inputs());
    sum = be.sigmoidLoss(...call.args).sum[0];
  }
  checkAttached(names, inputs());
  return call.finish(sum);
}

/**
 * {@link sigmoidCrossEntropy} without blocking the event loop: same arguments and result, as a
 * promise (the async convention of {@link bboxOverlapsAsync}: native on libuv's pool with the
 * inputs copied at the call; wasm / ts in Node: a worker thread (arguments copied at the call); edge entry: the calling thread, after the current task).
 * Source: as {@link sigmoidCrossEntropy} (Lin et al. 2017, eq. 1–3; torch `binary_cross_entropy_with_logits`).
 * @returns a promise of the {@link LossResult}.
 * @throws (rejects) SoftSamplingError as {@link sigmoidCrossEntropy}; `E_TYPE` for a detached input. Never throws synchronously.
 */
export async function sigmoidCrossEntropyAsync(logits: ArrayInput, targets: ArrayInput, options?: SigmoidCrossEntropyOptions): Promise<LossResult> {
  return runSigmoidAsync(logits, targets, options, [...COMMON, 'alpha'], (o) => [SIGMOID_KIND.ce, alphaOpt('options.alpha', o.alpha, null), 0, 0], ceLossPooled);
}

/**
 * {@link sigmoidFocalLoss} without blocking the event loop: same arguments and result, as a
 * promise (native: libuv's pool, inputs copied at the call; wasm / ts in Node: a worker thread,
 * arguments copied at the call; edge entry: calling thread, after the current task). Source: as {@link sigmoidFocalLoss} (Lin et al. 2017, eq. 5; mmdet `FocalLoss`).
 * @returns a promise of the {@link LossResult}.
 * @throws (rejects) SoftSamplingError as {@link sigmoidFocalLoss}; `E_TYPE` for a detached input. Never throws synchronously.
 */
export async function sigmoidFocalLossAsync(logits: ArrayInput, targets: ArrayInput, options?: SigmoidFocalLossOptions): Promise<LossResult> {
  return runSigmoidAsync(logits, targets, options, [...COMMON, 'alpha', 'gamma', 'compat'], (o) => {
    const alpha = alphaOpt('options.alpha', o.alpha, 0.25);
    const gamma = gammaOpt('options.gamma', o.gamma, 2);
    const compat = enumOpt('options.compat', o.compat, ['stable', 'mmcvClamp'] as const, 'stable');
    return [compat === 'stable' ? SIGMOID_KIND.focal : SIGMOID_KIND.focalMmcv, alpha, gamma, 0];
  }, focalLossPooled);
}

/**
 * Binary cross-entropy with logits, optionally α-balanced:
 * `CE(x, y) = −log p_t = softplus(−x_t)` (stable form `max(x,0) − x·y + log(1 + e^−|x|)`, valid
 * for soft `y`), `α-CE = α_t · CE` with `α_t = α·y + (1−α)(1−y)` (Lin et al. 2017, eq. 1–3).
 * Gradient `dCE/dx = σ(x) − y`, times `α_t` (paper Appendix B: `y±(p_t − 1)`).
 *
 * Shapes: `logits` `[N, C]`; `targets` labels `[N]` (background = `C`) or one-hot/soft `[N, C]`
 * (see the module doc for the rule and `targetType`). Returns a {@link LossResult} whose
 * `lossElements` and `grad` have the logits' shape.
 *
 * Matches torch `binary_cross_entropy_with_logits` / mmdet `CrossEntropyLoss(use_sigmoid=True)` /
 * tfjs `sigmoidCrossEntropy` (no label smoothing), with mmdet's weight and reduction semantics.
 * `alpha` is `null` by default and never read by truthiness (`0` weights positives by 0).
 *
 * @throws SoftSamplingError `E_SHAPE` (targets / weights of the wrong size), `E_VALUE` (NaN/Inf,
 *   labels not integers in `[0, C]`, one-hot outside `[0, 1]`, α outside `[0, 1]`, negative
 *   `avgFactor`), `E_OPTION` (unknown option or reduction, `avgFactor` with `'sum'`), `E_TYPE`.
 */
export function sigmoidCrossEntropy(logits: ArrayInput, targets: ArrayInput, options?: SigmoidCrossEntropyOptions): LossResult {
  const o = checkOptions('options', options, [...COMMON, 'alpha']);
  const alpha = alphaOpt('options.alpha', o.alpha, null);
  return runSigmoid(logits, targets, o, SIGMOID_KIND.ce, alpha, 0, 0);
}

/**
 * Sigmoid focal loss (Lin et al. 2017, "Focal Loss for Dense Object Detection", eq. 5):
 * `FL = −α_t (1 − p_t)^γ log p_t`, per class channel, with `p_t = σ(x_t)`, `x_t = y±·x`,
 * `α_t = α·y + (1−α)(1−y)`. Evaluated in log space — `log p_t = −softplus(−x_t)`,
 * `(1−p_t)^γ = exp(−γ·softplus(x_t))` — so it is finite for every logit and every `γ ≥ 0`,
 * `0 < γ < 1` included (x = 100, y = 1 → 0; x = −100, y = 1, α = 0.25 → exactly 25).
 * Gradient in closed form (paper Appendix B):
 * `dFL/dx = y± α_t (1−p_t)^γ (γ p_t log p_t + p_t − 1)`.
 * Soft targets `y ∈ (0, 1)` follow the torchvision/mmdet interpolation `p_t = p·y + (1−p)(1−y)`
 * with `CE = BCEwithLogits(x, y)`; the gradient is the exact derivative of that expression.
 *
 * Defaults `α = 0.25`, `γ = 2` (paper; mmdet `FocalLoss`, torchvision `sigmoid_focal_loss`);
 * `alpha: null` turns α off (torchvision/fvcore spell that `alpha = −1`; TFA uses truthiness —
 * we do not). RetinaNet normalisation: `reduction: 'mean'` with `avgFactor` = number of positive
 * anchors.
 *
 * Matches mmdetection `FocalLoss(use_sigmoid=True)` (python path `py_sigmoid_focal_loss`, weight
 * `[N]`/`[N, C]`, `weight_reduce_loss`) and torchvision `ops.sigmoid_focal_loss`. Deliberately
 * differs from mmcv's CUDA op, whose `log` is clamped at `FLT_MIN` (x = −100 gives 21.83, not 25):
 * `compat: 'mmcvClamp'` reproduces it. Unlike mmcv's op, `'mean'` is over all `N·C` elements
 * (mmdet semantics; mmdet always calls the op with `'none'`).
 *
 * Shapes: as {@link sigmoidCrossEntropy}.
 * @throws SoftSamplingError as {@link sigmoidCrossEntropy}, plus `E_VALUE` for `γ < 0` and for
 *   soft targets with `compat: 'mmcvClamp'`, `E_OPTION` for an unknown `compat`.
 * @example RetinaNet classification loss of one FPN level (mmdet FocalLoss, loss_weight 1)
 * ```ts
 * // logits [A, 80] of the level's anchors, labels [A] (80 = background), labelWeights [A]
 * const { loss, grad } = sigmoidFocalLoss({ data: logits, shape: [A, 80] }, labels,
 *   { labelWeights, avgFactor: numPositives }); // α = 0.25, γ = 2
 * ```
 */
export function sigmoidFocalLoss(logits: ArrayInput, targets: ArrayInput, options?: SigmoidFocalLossOptions): LossResult {
  const o = checkOptions('options', options, [...COMMON, 'alpha', 'gamma', 'compat']);
  const alpha = alphaOpt('options.alpha', o.alpha, 0.25);
  const gamma = gammaOpt('options.gamma', o.gamma, 2);
  const compat = enumOpt('options.compat', o.compat, ['stable', 'mmcvClamp'] as const, 'stable');
  return runSigmoid(logits, targets, o, compat === 'stable' ? SIGMOID_KIND.focal : SIGMOID_KIND.focalMmcv, alpha, gamma, 0);
}

/**
 * FL* (Lin et al. 2017, Appendix A): `p*_t = σ(γ x_t + β)`, `FL* = −log(p*_t)/γ =
 * softplus(−(γ x_t + β))/γ`, gradient `dFL* / dx = y± (σ(γ x_t + β) − 1)` (Appendix B), optionally
 * times `α_t`. `γ = 1, β = 0` is cross-entropy. Defaults `γ = 1`, `β = 0`, `alpha = null`
 * (fvcore `sigmoid_focal_loss_star`, which has no β). Soft targets use `y± = 2y − 1`.
 *
 * Shapes: as {@link sigmoidCrossEntropy}.
 * @throws SoftSamplingError as {@link sigmoidCrossEntropy}, plus `E_VALUE` for `γ ≤ 0`.
 */
export function focalLossStar(logits: ArrayInput, targets: ArrayInput, options?: FocalLossStarOptions): LossResult {
  const o = checkOptions('options', options, [...COMMON, 'alpha', 'gamma', 'beta']);
  const alpha = alphaOpt('options.alpha', o.alpha, null);
  const gamma = gammaOpt('options.gamma', o.gamma, 1, true);
  const beta = numOpt('options.beta', o.beta, 0);
  return runSigmoid(logits, targets, o, SIGMOID_KIND.flStar, alpha, gamma, beta);
}

/**
 * Softmax (multi-class) focal loss: `p = softmax(x_n)` over the `K` columns of each row and
 * `FL_n = −α_{y_n} (1 − p_{y_n})^γ log p_{y_n}` (Lin et al. 2017, eq. 5 with the softmax
 * probability of the true class, as in their §5 discussion; mmcv `softmax_focal_loss`, Keras
 * `CategoricalFocalCrossentropy`). Labels index the `K` columns, so a detector with a background
 * column passes `K = C + 1` columns and background label `C`.
 *
 * Stable form: with the margin `z = x_y − logsumexp_{k≠y} x_k`, `p_y = σ(z)` exactly, so
 * `FL = α_y (1−σ(z))^γ softplus(−z)` is evaluated like the sigmoid focal loss. Gradient:
 * `dFL/dx_y = G`, `dFL/dx_j = −G · p_j / (1 − p_y)` (j ≠ y) with
 * `G = α_y (1−p_y)^γ (γ p_y log p_y + p_y − 1)`, computed as `softmax_{k≠y}` so that it stays
 * finite at saturation and for `0 < γ < 1`. `γ = 0, alpha = null` is softmax cross-entropy.
 *
 * Shapes: `logits` `[N, K]` (K ≥ 2), `labels` `[N]` integers in `[0, K)`; `weight`,
 * `labelWeights` `[N]`. `lossElements` is `[N]`, `grad` `[N, K]`; `'mean'` divides by `N`
 * (or `avgFactor`).
 * @throws SoftSamplingError `E_SHAPE` (logits not 2-D or K < 2, labels/weights/α of the wrong
 *   size), `E_VALUE` (NaN/Inf, labels out of range or not integers, α outside `[0, 1]`, γ < 0),
 *   `E_OPTION`, `E_TYPE`.
 */
export function softmaxFocalLoss(logits: ArrayInput, labels: ArrayInput, options?: SoftmaxFocalLossOptions): LossResult {
  const o = checkOptions('options', options, ['reduction', 'avgFactor', 'lossWeight', 'weight', 'labelWeights', 'alpha', 'gamma', 'out']);
  const gamma = gammaOpt('options.gamma', o.gamma, 2);
  const { data, shape } = toFloat32('logits', logits, 'propagate'); // NaN/±Inf: rejected by the kernel
  if (shape.length !== 2) throw new SoftSamplingError('E_SHAPE', 'logits', `softmax logits must be [N, K], got shape [${shape}]`);
  const [n, k] = shape;
  if (k < 2) throw new SoftSamplingError('E_SHAPE', 'logits', `softmax needs K ≥ 2 classes, got ${k}`);
  const lab = toFloat32('labels', labels).data;
  if (lab.length !== n) throw new SoftSamplingError('E_SHAPE', 'labels', `expected [N] = [${n}] labels, got ${lab.length}`);
  const lb = toLabels('labels', lab, k - 1, `[0, ${k})`);
  let alpha: Float32Array;
  if (o.alpha === null) alpha = EMPTY_F;
  else if (o.alpha === undefined) alpha = new Float32Array([0.25]);
  else if (typeof o.alpha === 'number') alpha = new Float32Array([alphaOpt('options.alpha', o.alpha, 0.25) as number]);
  else {
    alpha = toFloat32('options.alpha', o.alpha).data;
    if (alpha.length !== k) throw new SoftSamplingError('E_SHAPE', 'options.alpha', `expected one α per class (${k}), got ${alpha.length}`);
    alpha.forEach((a, i) => {
      if (a < 0 || a > 1) throw new SoftSamplingError('E_VALUE', 'options.alpha', `element ${i} is ${a}; must be in [0, 1]`);
    });
  }
  const weight = toWeights('options.weight', o.weight, n, k, false);
  const labelWeights = toWeights('options.labelWeights', o.labelWeights, n, k, false);
  const red = reducer(o, n);
  const [elements, grad] = outputs(o, n, n * k, [data, weight, labelWeights]);
  const sum = getBackend().softmaxFocal(
    { logits: data, labels: lb, alpha, weight, labelWeights }, { n, k, gamma, scale: red.scale }, { lossElements: elements, grad },
  ).sum[0];
  return { loss: red.scale * sum, lossElements: new Tensor(elements, [n]), grad: new Tensor(grad, [n, k]) };
}

const ceLossPooled = /* @__PURE__ */ asyncOp('sigmoidCrossEntropy', sigmoidCrossEntropy, ['logits', 'targets', 'options']);
const focalLossPooled = /* @__PURE__ */ asyncOp('sigmoidFocalLoss', sigmoidFocalLoss, ['logits', 'targets', 'options']);
