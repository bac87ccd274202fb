/**
 * GHM-C, GHM-R (Gradient Harmonizing Mechanism), smooth L1 and ASL1 losses, each returning the
 * loss and its analytic gradient (issue 3).
 *
 * Source: Li, Liu & Wang, "Gradient Harmonized Single-stage Detector", AAAI 2019 (arXiv 1811.05181);
 * semantics of mmdetection's `GHMC` / `GHMR` (`mmdet/models/losses/ghm_loss.py`, identical to the
 * authors' `libuyu/mmdetection` fork), restated in `reference-semantics.md` §2. Smooth L1: Fast
 * R-CNN (Girshick 2015, eq. 3), mmdetection `smooth_l1_loss`.
 */
import { getBackend } from '../registry';
import { SoftSamplingError, valueText } from '../errors';
import { Tensor, isI32, toFloat32, checkView, numOpt, boolOpt, enumOpt, checkOptions, outputBuffers, MAX_EXACT_INTEGER, type ArrayInput } from '../tensor';
import { reducer, REDUCTIONS, type Reduction } from './reduce';
import type { GhmKernelResult } from '../kernels/ghm';
import type { GhmCOutputs, GhmROutputs } from '../kernels/modern';
import type { Backend } from '../kernels';
import { checkAttached, nextTask } from './async';
import { asyncOp, offloadAvailable } from './offload';
import { ghmEdges, GHMC_LAST_EDGE, GHMR_LAST_EDGE } from '../backends/ts/ghm';

/**
 * The moving-average state of one GHM loss — a plain, JSON-serialisable object owned by the caller.
 * Keep one per FPN level (mmdetection shares one across levels; see {@link ghmcLoss}).
 * Results return an updated copy; the object passed in is never mutated.
 */
export interface GhmState {
  /** Number of bins the state belongs to. */
  bins: number;
  /** Per-bin moving average of the bin counts (`acc_sum` of mmdet), length `bins`. */
  accSum: readonly number[];
  /** Number of calls that updated the moving average (used by `biasCorrection`). */
  steps: number;
}

/**
 * A fresh state: `bins` zeros and `steps = 0` (what mmdetection's `GHMC` / `GHMR` start from: `acc_sum`
 * zeros). Pass it as `options.state` and replace it by each result's `state`.
 * @param bins number of bins, an integer in [1, 1e6]; default 10 (mmdetection).
 * @throws SoftSamplingError `E_TYPE` (not an integer), `E_VALUE` (outside [1, 1e6]).
 */
export function createGhmState(bins = 10): GhmState {
  checkBins('bins', bins);
  return { bins, accSum: new Array(bins).fill(0), steps: 0 };
}

/** The gradient-norm histogram of one call. */
export interface GhmHistogram {
  /** `bins + 1` edges: `f32(i / bins)`, the last one `1 + 1e-6` (GHM-C) or `1e3` (GHM-R), as mmdet. */
  edges: number[];
  /** Valid elements per bin (half-open bins `[e_i, e_{i+1})`). */
  counts: number[];
}

/**
 * Result of {@link ghmcLoss} / {@link ghmrLoss}. `loss`, `lossElements`, `grad` follow the common
 * loss-result contract (focal family's `LossResult`).
 */
export interface GhmResult {
  /** The reduced loss (for `reduction: 'none'`: `lossWeight · Σ lossElements`, the value `grad` differentiates). */
  loss: number;
  /** Per-element `w · BCE` (GHM-C) / `w · ASL1` (GHM-R), same shape as the input, before reduction and `lossWeight`. */
  lossElements: Tensor;
  /** `d loss / d input`, same shape as the input, the harmonizing weights held constant (as the reference). */
  grad: Tensor;
  /** Harmonizing weights `β`, same shape as the input (0 for ignored elements); shape `[0]` with GHM-C `outputs: 'lossAndGrad'`. */
  weights: Tensor;
  /** Gradient norms `g` (GHM-C `|σ(x) − y|`, GHM-R `|d| / sqrt(d² + μ²)`), same shape as the input; shape `[0]` with GHM-C `outputs: 'lossAndGrad'`. */
  g: Tensor;
  /** Edges and per-bin counts of valid elements. */
  histogram: GhmHistogram;
  /** The updated moving-average state (a new object). */
  state: GhmState;
  /** The normaliser `tot` of the reference: GHM-C #valid elements, GHM-R Σ labelWeights (each ≥ 1). */
  tot: number;
  /** Number of non-empty bins (mmdet's normaliser `n`). */
  nonEmptyBins: number;
}

/** Result of {@link smoothL1Loss} / {@link asl1Loss} (the common loss-result contract). */
export interface RegressionLossResult {
  /** The reduced loss (for `reduction: 'none'`: `lossWeight · Σ lossElements`). */
  loss: number;
  /** Per-element `weight · loss`, same shape as `pred`, before reduction and `lossWeight`. */
  lossElements: Tensor;
  /** `d loss / d pred`, same shape as `pred`. */
  grad: Tensor;
}

const NORMALIZERS = ['nonEmptyBins', 'allBins'] as const;
/**
 * Divisor of the GHM weights: `'nonEmptyBins'` (mmdetection: the number of non-empty bins `n`) or
 * `'allBins'` (the paper: `M`).
 */
export type GhmNormalizer = 'nonEmptyBins' | 'allBins';

/**
 * Caller-owned output buffers of {@link ghmcLoss} / {@link ghmrLoss}: each a `Float32Array` with one
 * element per input element, overwritten entirely and returned as the `data` of the result's tensor.
 * They must not overlap each other or any input (`E_VALUE`); a wrong length is `E_SHAPE`.
 */
export interface GhmOutputs {
  /** Receives `lossElements`. */
  lossElements?: Float32Array;
  /** Receives `grad`. */
  grad?: Float32Array;
  /** Receives the harmonizing `weights`. */
  weights?: Float32Array;
  /** Receives the gradient norms `g`. */
  g?: Float32Array;
}

/** Options common to GHM-C and GHM-R. */
export interface GhmCommonOptions {
  /** Number of bins M, an integer in [1, 1e6]; default 10 (mmdet; the paper's best GHM-C uses 30), or `state.bins`. */
  bins?: number;
  /** Moving-average momentum in [0, 1); default 0 (no moving average, mmdet default; the paper uses 0.75 for GHM-C, 0.7 for GHM-R). */
  momentum?: number;
  /** Moving-average state from the previous call (one per FPN level); default {@link createGhmState}(bins). */
  state?: GhmState;
  /** `'mean'` (default: Σ / tot, mmdet's avg factor), `'sum'` (Σ, no tot) or `'none'`. */
  reduction?: Reduction;
  /** Multiplies the reduced loss and the gradient; default 1 (GHM-R configs use 10). */
  lossWeight?: number;
  /** `'nonEmptyBins'` (default, mmdet: divide by the number of non-empty bins) or `'allBins'` (paper: by M). */
  normalizer?: GhmNormalizer;
  /** Divide the moving average by `1 − m^t` (t = `state.steps + 1`); default `false` (mmdet parity). */
  biasCorrection?: boolean;
  /**
   * Reuse these `Float32Array` output buffers (each the input's size) instead of allocating four
   * new ones per call — at 100k×80 that is 128 MB of fresh memory per call otherwise.
   */
  out?: GhmOutputs;
}

/** Options of {@link ghmcLoss}: the common GHM options plus `labelWeights` and `targetType`. */
export interface GhmcOptions extends GhmCommonOptions {
  /** `[N]` or `[N, C]` non-negative weights; only `> 0` matters (a mask: ignored anchors have 0). Default all 1. */
  labelWeights?: ArrayInput;
  /** `'labels'` (class indices `[N]`) or `'onehot'` (`[N, C]` floats); default decided by the targets' shape. */
  targetType?: 'labels' | 'onehot';
  /**
   * `'all'` (default): every output. `'lossAndGrad'`: a training step's outputs only — `lossElements`
   * and `grad` are written, `weights` and `g` come back empty (shape `[0]`; `options.out` takes
   * only `lossElements` and `grad`). Same loss, gradient, histogram and state; on native about
   * half the memory traffic (issue 12 item 5).
   */
  outputs?: 'all' | 'lossAndGrad';
}

/** Options of {@link ghmrLoss}: the common GHM options plus `mu` and `labelWeights`. */
export interface GhmrOptions extends GhmCommonOptions {
  /** ASL1's μ > 0; default 0.02. */
  mu?: number;
  /** Same shape as `pred`, non-negative (the box weights: 1 for coordinates of positives); `tot = max(Σ, 1)`. Default all 1. */
  labelWeights?: ArrayInput;
}

function checkBins(arg: string, bins: unknown): number {
  if (typeof bins !== 'number' || !Number.isInteger(bins)) throw new SoftSamplingError('E_TYPE', arg, `expected an integer, got ${valueText(bins)}`);
  if (bins < 1 || bins > 1e6) throw new SoftSamplingError('E_VALUE', arg, `must be in [1, 1e6], got ${bins}`);
  return bins;
}

interface Common {
  bins: number;
  momentum: number;
  accSum: Float64Array;
  steps: number;
  allBins: boolean;
  biasCorrection: boolean;
  reduction: Reduction;
  lossWeight: number;
}

function common(o: Record<string, unknown>): Common {
  let state: GhmState | undefined;
  if (o.state !== undefined) {
    const s = o.state as Record<string, unknown>;
    if (s === null || typeof s !== 'object' || Array.isArray(s)) throw new SoftSamplingError('E_TYPE', 'options.state', 'expected a GHM state object ({ bins, accSum, steps })');
    const sb = checkBins('options.state.bins', s.bins);
    if (!Array.isArray(s.accSum)) throw new SoftSamplingError('E_TYPE', 'options.state.accSum', 'expected an array of numbers');
    if (s.accSum.length !== sb) throw new SoftSamplingError('E_SHAPE', 'options.state.accSum', `expected ${sb} values (state.bins), got ${s.accSum.length}`);
    s.accSum.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new SoftSamplingError('E_VALUE', 'options.state.accSum', `element ${i} must be a finite number ≥ 0, got ${valueText(v)}`);
    });
    if (typeof s.steps !== 'number' || !Number.isInteger(s.steps) || s.steps < 0) throw new SoftSamplingError('E_VALUE', 'options.state.steps', `must be an integer ≥ 0, got ${valueText(s.steps)}`);
    state = s as unknown as GhmState;
  }
  const bins = o.bins === undefined ? (state?.bins ?? 10) : checkBins('options.bins', o.bins);
  if (state && state.bins !== bins) throw new SoftSamplingError('E_VALUE', 'options.state', `state has ${state.bins} bins, options.bins is ${bins}`);
  const momentum = numOpt('options.momentum', o.momentum, 0, (x) => (x >= 0 && x < 1 ? null : `must be in [0, 1), got ${x}`));
  const normalizer = enumOpt('options.normalizer', o.normalizer, NORMALIZERS, 'nonEmptyBins');
  const biasCorrection = boolOpt('options.biasCorrection', o.biasCorrection, false);
  const reduction = enumOpt('options.reduction', o.reduction, REDUCTIONS, 'mean');
  const lossWeight = numOpt('options.lossWeight', o.lossWeight, 1);
  return {
    bins, momentum, accSum: state ? Float64Array.from(state.accSum) : new Float64Array(bins), steps: state?.steps ?? 0,
    allBins: normalizer === 'allBins', biasCorrection, reduction, lossWeight,
  };
}

/** Fresh, distinct output buffers the backend fills (the declared `ghmC` / `ghmR` element outputs). */
/** The four GHM outputs: the caller's `options.out` buffers (validated) or fresh ones. */
function ghmOutputs(o: Record<string, unknown>, len: number, inputs: ArrayBufferView[]): [Float32Array, Float32Array, Float32Array, Float32Array] {
  const r = outputBuffers('options.out', o.out, { lossElements: len, grad: len, weights: len, g: len }, inputs, getBackend().allocOutput);
  return [r.lossElements, r.grad, r.weights, r.g];
}

/** `outputs: 'lossAndGrad'`: only lossElements and grad are written; weights and g are empty. */
function leanOutputs(o: Record<string, unknown>, len: number, inputs: ArrayBufferView[]): [Float32Array, Float32Array, Float32Array, Float32Array] {
  const r = outputBuffers('options.out', o.out, { lossElements: len, grad: len }, inputs, getBackend().allocOutput);
  return [r.lossElements, r.grad, new Float32Array(0), new Float32Array(0)];
}

function checkWeights(arg: string, data: Float32Array): void {
  for (let i = 0; i < data.length; i++) {
    if (data[i] < 0) throw new SoftSamplingError('E_VALUE', arg, `element ${i} is negative (${data[i]}); use 0 to ignore an element`);
  }
}

function ghmResult(r: GhmKernelResult, shape: number[], c: Common, last: number): GhmResult {
  return {
    loss: r.loss,
    lossElements: new Tensor(r.lossElements, shape),
    grad: new Tensor(r.grad, shape),
    weights: new Tensor(r.weights, r.weights.length === 0 ? [0] : shape),
    g: new Tensor(r.g, r.g.length === 0 ? [0] : shape),
    histogram: { edges: ghmEdges(c.bins, last), counts: Array.from(r.counts) },
    state: { bins: c.bins, accSum: Array.from(r.accSum), steps: c.steps + (r.updated ? 1 : 0) },
    tot: r.tot,
    nonEmptyBins: r.nonEmpty,
  };
}

/**
 * GHM-C, the gradient-harmonized sigmoid cross-entropy (Li et al. 2019, §3.2, eq. 6–8):
 * `g = |σ(x) − y|` (eq. 4), bins `[i/M, (i+1)/M)`, `β = tot / (k_bin · n)`, and
 * `L = lossWeight · Σ β ⊙ BCE(x, y) / tot` with `tot = max(#valid elements, 1)`.
 * With momentum `m` the bin count `k` is replaced by its moving average `acc ← m·acc + (1−m)·k`
 * (§3.2, "EMA"), updated only for the bins that are non-empty in this call.
 *
 * - `logits` `[N, C]` float (sigmoid heads: C foreground classes).
 * - `targets`: class indices `[N]` (integers in `[0, C)` foreground; `C` — or `-1`, as mmdet's
 *   `_expand_onehot_labels` — background), or one-hot / soft floats `[N, C]` in [0, 1]. Decided by
 *   shape (a 1-D array of length N is labels, N·C is one-hot); `targetType` forces it, and is
 *   required when C = 1 with a flat length-N array.
 * - Result: {@link GhmResult}; `grad` is `lossWeight · β (σ(x) − y) / tot` (mean), `β` held constant.
 *
 * mmdetection parity (default): edges `f32(i/M)` with the last edge `+1e-6` (so `g = 1`, reached
 * when σ saturates in float32, lands in the last bin); `tot` counts valid *elements* (N·C entries
 * with `labelWeight > 0`), not samples; weights are divided by the number of **non-empty** bins
 * `n` (paper: by M, option `normalizer: 'allBins'`); label weights are a mask only (their
 * magnitudes are ignored, exactly as mmdet); `reduction: 'mean'` divides by `tot` (mmdet passes
 * `tot` as the avg factor; mmdet's `+ε` is not added — a relative difference ≤ 1.2e-7); the head's
 * own avg factor is not used.
 *
 * Moving average: mmdet starts `acc_sum` at 0 without bias correction, so on the first call with
 * momentum m the weights are `1/(1−m)` too large (10× for m = 0.9: the spec's 4-element example
 * gives 12.8184442139 instead of 1.2818444214). `biasCorrection: true` divides the average by
 * `1 − m^t` (t = `state.steps + 1`, the number of updates including this one), which removes that
 * first-step scale; the correction uses the state's global step count, so for a bin that was
 * empty in some earlier calls it is approximate. Deviation from mmdet (by design, decisions.md):
 * the state is an explicit object per call/FPN level instead of one hidden buffer shared by all
 * levels. A call with no valid element gives loss 0, gradient 0 and leaves the state unchanged.
 *
 * @throws SoftSamplingError `E_SHAPE` (logits not 2-D, targets / labelWeights of the wrong size,
 *   state.accSum of the wrong length, ambiguous C = 1 targets), `E_VALUE` (NaN/Inf, labels not
 *   integers in [−1, C], one-hot targets outside [0, 1], negative label weights, momentum outside
 *   [0, 1), bins not in [1, 1e6], state bins ≠ bins), `E_OPTION` (unknown option or enum value),
 *   `E_TYPE` (not an array / number / state object).
 */
export function ghmcLoss(logits: ArrayInput, targets: ArrayInput, options?: GhmcOptions): GhmResult {
  const p = prepareGhmc(logits, targets, options);
  return finishGhmc(p, getBackend().ghmC(...p.args));
}

/**
 * {@link ghmcLoss} without blocking the event loop (issue 12): same arguments, same result, as a
 * promise. Native: the kernel runs on libuv's thread pool with logits, targets and label weights
 * copied at the call; WebAssembly / TypeScript in Node: a worker thread of the async pool (arguments
 * copied at the call); on the edge entry: the calling thread after the current task.
 *
 * GHM state stays caller-owned and functional: `options.state` is read (copied) when the call is
 * made and the result carries the next state. Two concurrent calls given the same state both start
 * from it and each returns its own successor — neither sees the other's update; to chain updates,
 * await one call and pass its `result.state` to the next (the usual training-step order).
 * Source: as {@link ghmcLoss} (Li et al. 2019; mmdet `GHMC`).
 * @returns a promise of the {@link GhmResult}.
 * @throws (rejects) SoftSamplingError as {@link ghmcLoss}; `E_TYPE` when an input's buffer is
 *   detached before or during the call. Never throws synchronously.
 */
export async function ghmcLossAsync(logits: ArrayInput, targets: ArrayInput, options?: GhmcOptions): Promise<GhmResult> {
  const names = ['logits', 'targets', 'options.labelWeights'];
  const inputs = [logits, targets, (options as { labelWeights?: unknown } | undefined)?.labelWeights];
  checkAttached(names, inputs);
  // no native AsyncTask (wasm, ts): Node's worker pool when there is one
  if (!getBackend().ghmCAsync && offloadAvailable()) return ghmcLossPooled(logits, targets, options);
  const p = prepareGhmc(logits, targets, options);
  const be = getBackend();
  let r: GhmCOutputs;
  if (be.ghmCAsync) {
    r = await be.ghmCAsync(...p.args);
  } else {
    await nextTask();
    checkAttached(names, inputs);
    r = be.ghmC(...p.args);
  }
  checkAttached(names, inputs);
  return finishGhmc(p, r);
}

/** A validated GHM-C call: the kernel's arguments and what the result needs (shared with the async variant). */
interface PreparedGhmc {
  args: Parameters<Backend['ghmC']>;
  shape: [number, number];
  c: Common;
  lean: boolean;
}

/** The result of a prepared GHM-C call from its kernel result. */
function finishGhmc(p: PreparedGhmc, r: GhmCOutputs): GhmResult {
  return ghmResult(kernelResult(r), p.shape, p.c, GHMC_LAST_EDGE);
}

/** A declared `ghmC` / `ghmR` call's outputs as a {@link GhmKernelResult} (`stats` unpacked). */
function kernelResult(d: GhmCOutputs | GhmROutputs): GhmKernelResult {
  const s = d.stats;
  return {
    lossElements: d.lossElements, grad: d.grad, weights: d.weights, g: d.g, counts: d.counts, accSum: d.accSumOut,
    lossSum: s[0], loss: s[1], tot: s[2], nonEmpty: s[3], scale: s[4], updated: s[5] !== 0,
  };
}

/** Validates a {@link ghmcLoss} call and allocates its outputs. */
function prepareGhmc(logits: ArrayInput, targets: ArrayInput, options?: GhmcOptions): PreparedGhmc {
  const o = checkOptions('options', options, ['bins', 'momentum', 'state', 'labelWeights', 'lossWeight', 'reduction', 'targetType', 'normalizer', 'biasCorrection', 'out', 'outputs']);
  const lean = enumOpt('options.outputs', o.outputs, ['all', 'lossAndGrad'] as const, 'all') === 'lossAndGrad';
  const c = common(o);
  const targetType = o.targetType === undefined ? undefined : enumOpt('options.targetType', o.targetType, ['labels', 'onehot'] as const, 'labels');
  // NaN/±Inf and |x| > 1e18: refused by every backend's kernel (native: a parallel scan; a serial
  // scan here took a third of a 1-thread 100k×80 native call)
  const x = toFloat32('logits', logits, 'propagate');
  if (x.shape.length !== 2) throw new SoftSamplingError('E_SHAPE', 'logits', `expected [N, C], got [${x.shape}] (pass { data, shape } for a flat buffer)`);
  const [n, numClasses] = x.shape;
  if (numClasses < 1) throw new SoftSamplingError('E_SHAPE', 'logits', `need at least one class column, got [${x.shape}]`);
  // labels given as an Int32Array are range-checked as they are (no float32 copy and int32 copy back)
  const t32 = isI32(targets) ? targets : null;
  if (t32) checkView('targets', t32);
  let t = t32 ? { data: t32 as Float32Array | Int32Array, shape: [t32.length] } : toFloat32('targets', targets);
  const len = n * numClasses;
  let useLabels: boolean;
  if (targetType !== undefined) {
    useLabels = targetType === 'labels';
  } else if (t.shape.length === 2) {
    useLabels = false;
  } else if (numClasses === 1 && t.data.length === n && n > 0) {
    throw new SoftSamplingError('E_SHAPE', 'targets', "with C = 1 a flat array of length N could be labels or one-hot: give options.targetType or a 2-D [N, 1] one-hot array");
  } else {
    useLabels = t.data.length === n && len !== n;
  }
  let labels: Int32Array = new Int32Array(0);
  let dense: Float32Array = new Float32Array(0);
  if (useLabels) {
    if (t.data.length !== n || t.shape.length !== 1) throw new SoftSamplingError('E_SHAPE', 'targets', `labels must have shape [N] = [${n}], got [${t.shape}]`);
    labels = t32 ?? new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = t.data[i];
      if (!(t32 || Number.isInteger(v)) || v < -1 || v > numClasses || v > MAX_EXACT_INTEGER) throw new SoftSamplingError('E_VALUE', 'targets', `label ${i} is ${v}; labels are integers in [0, ${numClasses}) (foreground) or ${numClasses} / -1 (background)`);
      if (!t32) labels[i] = v;
    }
  } else {
    if (t32) t = toFloat32('targets', targets);
    if (t.data.length !== len || (t.shape.length === 2 && (t.shape[0] !== n || t.shape[1] !== numClasses))) {
      throw new SoftSamplingError('E_SHAPE', 'targets', `one-hot targets must have shape [${n}, ${numClasses}], got [${t.shape}]`);
    }
    for (let i = 0; i < len; i++) {
      const v = t.data[i];
      if (!(v >= 0 && v <= 1)) throw new SoftSamplingError('E_VALUE', 'targets', `element ${i} is ${v}; one-hot / soft targets must be in [0, 1]`);
    }
    dense = t.data as Float32Array; // converted above when given as int32
  }
  let lw: Float32Array = new Float32Array(0);
  if (o.labelWeights !== undefined) {
    const w = toFloat32('options.labelWeights', o.labelWeights);
    const okShape = w.shape.length === 1 ? w.data.length === n || w.data.length === len : w.shape.length === 2 && w.shape[0] === n && w.shape[1] === numClasses;
    if (!okShape) throw new SoftSamplingError('E_SHAPE', 'options.labelWeights', `expected [${n}] or [${n}, ${numClasses}], got [${w.shape}]`);
    checkWeights('options.labelWeights', w.data);
    lw = w.data;
  }
  const [lossElements, grad, weights, g] = lean ? leanOutputs(o, len, [x.data, dense, labels, lw]) : ghmOutputs(o, len, [x.data, dense, labels, lw]);
  return {
    args: [
      { logits: x.data, targets: dense, labels, labelWeights: lw, accSum: c.accSum },
      {
        // (no rows: any class count reads nothing; the wasm kernel sized scratch by it)
        numClasses: n > 0 ? numClasses : 1, useLabels, bins: c.bins, momentum: c.momentum, allBins: c.allBins, biasCorrection: c.biasCorrection, steps: c.steps,
        lossWeight: c.lossWeight, mean: c.reduction === 'mean', lean,
      },
      { lossElements, grad, weights, g },
    ],
    shape: [n, numClasses], c, lean,
  };
}

/**
 * GHM-R, the gradient-harmonized ASL1 box-regression loss (Li et al. 2019, §4, eq. 11–13):
 * `d = pred − target`, `ASL1 = sqrt(d² + μ²) − μ`, `g = |d| / sqrt(d² + μ²)` (eq. 12), the same
 * binning / moving average / normalisation as {@link ghmcLoss}, and
 * `L = lossWeight · Σ β ⊙ ASL1(d) / tot` with `tot = max(Σ labelWeights, 1)` (a **sum** of weights,
 * unlike GHM-C's count — mmdet parity).
 *
 * - `pred`, `target`: encoded box deltas, any shape, usually `[N, 4]` (or `[N, 4C]`); same size.
 * - `labelWeights`: same size (mmdet's `bbox_weights`); `> 0` marks valid coordinates, the values
 *   enter only through `tot`.
 * - Result: {@link GhmResult}; `grad = lossWeight · β · d / sqrt(d² + μ²) / tot` (mean).
 *
 * mmdetection parity: the last edge is `1e3` (`g` rounds to exactly 1 in float32 for `|d|/μ ≳ 4000`;
 * with a last edge of 1 those elements would silently get weight 0); non-empty-bins normaliser;
 * no bias correction (see {@link ghmcLoss} for the first-step effect and the options).
 * A call with no valid element gives loss 0 and gradient 0.
 *
 * @throws SoftSamplingError `E_SHAPE` (sizes differ), `E_VALUE` (NaN/Inf, μ ≤ 0, negative label
 *   weights, momentum / bins / state out of range), `E_OPTION`, `E_TYPE`.
 */
export function ghmrLoss(pred: ArrayInput, target: ArrayInput, options?: GhmrOptions): GhmResult {
  const o = checkOptions('options', options, ['mu', 'bins', 'momentum', 'state', 'labelWeights', 'lossWeight', 'reduction', 'normalizer', 'biasCorrection', 'out']);
  const c = common(o);
  const mu = numOpt('options.mu', o.mu, 0.02, (v) => (v >= 1e-6 && v <= 1e6 ? null : `must be in [1e-6, 1e6], got ${v}`));
  // NaN/±Inf and |x| > 1e18: refused by every backend's kernel (native: a parallel scan)
  const p = toFloat32('pred', pred, 'propagate');
  const t = toFloat32('target', target, 'propagate');
  if (t.data.length !== p.data.length) throw new SoftSamplingError('E_SHAPE', 'target', `expected the shape of pred [${p.shape}], got [${t.shape}]`);
  let lw: Float32Array = new Float32Array(0);
  if (o.labelWeights !== undefined) {
    const w = toFloat32('options.labelWeights', o.labelWeights);
    if (w.data.length !== p.data.length) throw new SoftSamplingError('E_SHAPE', 'options.labelWeights', `expected the shape of pred [${p.shape}], got [${w.shape}]`);
    checkWeights('options.labelWeights', w.data);
    lw = w.data;
  }
  const [lossElements, grad, weights, g] = ghmOutputs(o, p.data.length, [p.data, t.data, lw]);
  const d = getBackend().ghmR(
    { pred: p.data, target: t.data, labelWeights: lw, accSum: c.accSum },
    { mu, bins: c.bins, momentum: c.momentum, allBins: c.allBins, biasCorrection: c.biasCorrection, steps: c.steps, lossWeight: c.lossWeight, mean: c.reduction === 'mean' },
    { lossElements, grad, weights, g },
  );
  return ghmResult(kernelResult(d), p.shape, c, GHMR_LAST_EDGE);
}

/** Options of {@link smoothL1Loss} and {@link asl1Loss}. */
export interface RegressionLossOptions {
  /** Element weights: same shape as `pred`, or `[N]` (one per row of a 2-D `pred`). Default all 1. */
  weight?: ArrayInput;
  /** `'mean'` (default: Σ / number of elements, or / (avgFactor + 2^-23)), `'sum'` or `'none'`. */
  reduction?: Reduction;
  /** Divide the sum by `avgFactor + 2^-23` (only with `'mean'`), e.g. the number of positives. */
  avgFactor?: number;
  /** Multiplies the reduced loss and the gradient; default 1. */
  lossWeight?: number;
}

/** Options of {@link smoothL1Loss}: the regression-loss options plus `beta`. */
export interface SmoothL1Options extends RegressionLossOptions {
  /** β ≥ 0, default 1.0 (mmdet; RetinaNet configs 0.11, detectron2 0.1). β = 0 gives L1 (mmdet asserts β > 0). */
  beta?: number;
}

/** Options of {@link asl1Loss}: the regression-loss options plus `mu`. */
export interface Asl1Options extends RegressionLossOptions {
  /** μ > 0, default 0.02 (GHM-R). */
  mu?: number;
}

function regression(kind: 0 | 1, pred: ArrayInput, target: ArrayInput, o: Record<string, unknown>, param: number): RegressionLossResult {
  // NaN/±Inf and |x| > 1e18: refused by every backend's kernel (native: a parallel scan; the serial
  // scans here were most of a 400k×4 call and kept it from scaling with threads)
  const p = toFloat32('pred', pred, 'propagate');
  const t = toFloat32('target', target, 'propagate');
  if (t.data.length !== p.data.length) throw new SoftSamplingError('E_SHAPE', 'target', `expected the shape of pred [${p.shape}], got [${t.shape}]`);
  const cols = p.shape.length === 2 ? Math.max(p.shape[1], 1) : 1;
  let w: Float32Array = new Float32Array(0);
  if (o.weight !== undefined) {
    const ww = toFloat32('options.weight', o.weight);
    const perRow = p.shape.length === 2 && ww.shape.length === 1 && ww.data.length === p.shape[0];
    if (!(perRow || ww.data.length === p.data.length)) {
      throw new SoftSamplingError('E_SHAPE', 'options.weight', `expected the shape of pred [${p.shape}]${p.shape.length === 2 ? ` or [${p.shape[0]}]` : ''}, got [${ww.shape}]`);
    }
    checkWeights('options.weight', ww.data);
    w = ww.data;
  }
  const red = reducer(o, p.data.length);
  const r = getBackend().regressionLoss({ pred: p.data, target: t.data, weight: w }, { kind, cols, param, scale: red.scale });
  return { loss: red.scale * r.sum[0], lossElements: new Tensor(r.lossElements, p.shape), grad: new Tensor(r.grad, p.shape) };
}

/**
 * Smooth L1 loss (Fast R-CNN, Girshick 2015, eq. 3; Huber with threshold β) of `d = pred − target`:
 * `0.5 d²/β` if `|d| < β`, else `|d| − 0.5β`; gradient `d/β` or `sign(d)`, times weight and the
 * reduction scale. `pred`, `target` any shape (usually `[N, 4]` deltas), same size.
 *
 * Matches mmdetection `SmoothL1Loss` / `smooth_l1_loss` with `weight`, `reduction`, `avg_factor`,
 * `loss_weight` (mean = Σ / numel, or Σ / (avgFactor + 2^-23)); deliberately accepts β = 0 (L1, as
 * torchvision / detectron2) where mmdet asserts β > 0.
 *
 * @throws SoftSamplingError `E_SHAPE` (sizes differ, bad weight shape), `E_VALUE` (NaN/Inf, β < 0,
 *   avgFactor < 0), `E_OPTION` (unknown option, avgFactor with `'sum'`), `E_TYPE`.
 */
export function smoothL1Loss(pred: ArrayInput, target: ArrayInput, options?: SmoothL1Options): RegressionLossResult {
  const o = checkOptions('options', options, ['beta', 'weight', 'reduction', 'avgFactor', 'lossWeight']);
  const beta = numOpt('options.beta', o.beta, 1.0, (v) => (v >= 0 ? null : `must be ≥ 0, got ${v}`));
  return regression(0, pred, target, o, beta);
}

/**
 * ASL1, GHM's "authentic smooth L1" (Li et al. 2019, eq. 11): `sqrt(d² + μ²) − μ` of
 * `d = pred − target`, gradient `d / sqrt(d² + μ²)` — the un-harmonized loss of {@link ghmrLoss}.
 * Same shapes, weights and reduction contract as {@link smoothL1Loss}.
 *
 * @throws SoftSamplingError `E_SHAPE`, `E_VALUE` (NaN/Inf, μ ≤ 0, avgFactor < 0), `E_OPTION`, `E_TYPE`.
 */
export function asl1Loss(pred: ArrayInput, target: ArrayInput, options?: Asl1Options): RegressionLossResult {
  const o = checkOptions('options', options, ['mu', 'weight', 'reduction', 'avgFactor', 'lossWeight']);
  const mu = numOpt('options.mu', o.mu, 0.02, (v) => (v >= 1e-6 && v <= 1e6 ? null : `must be in [1e-6, 1e6], got ${v}`));
  return regression(1, pred, target, o, mu);
}

const ghmcLossPooled = /* @__PURE__ */ asyncOp('ghmcLoss', ghmcLoss, ['logits', 'targets', 'options']);
