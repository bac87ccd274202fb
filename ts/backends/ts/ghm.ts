/**
 * Pure TypeScript kernels: GHM-C, GHM-R, smooth L1 and ASL1 losses (issue 3) — the reference the
 * Rust kernels (`crates/core/src/losses/ghm.rs`) are checked against. Float64 arithmetic, float32
 * element outputs; the inputs may be `Float64Array`s too (the finite-difference tests use that).
 * Memory: the outputs plus O(bins); the bin of each element (from the float64 g) is parked in
 * the weights output between the two passes.
 */
import type { GhmKernelResult } from '../../kernels/ghm';
import { SoftSamplingError } from '../../errors';
import type { RegressionLossInputs, RegressionLossOptions, RegressionLossOutputs } from '../../kernels/modern';
import { asl1, sigmoidMinus, smoothL1, softplus } from './math';
import { checkFinite } from './focal';

/** Positional signature of the GHM-C twin (wrapped as the declared `ghmC` in `./modern`). */
export interface GhmKernels {
  /**
   * GHM-C. `logits` `[N·C]`; `useLabels` → `labels` `[N]` int32 (outside `[0, C)` = background),
   * else `targets` `[N·C]` floats; `labelWeights` empty, `[N]` or `[N·C]` (a mask: `> 0` valid);
   * `accSum` `[bins]` (not mutated). `mean`: divide by `tot` (reduction `'mean'`).
   */
  ghmC(
    logits: Float32Array, numClasses: number, useLabels: boolean, targets: Float32Array, labels: Int32Array,
    labelWeights: Float32Array, accSum: Float64Array, bins: number, momentum: number, allBins: boolean,
    biasCorrection: boolean, steps: number, lossWeight: number, mean: boolean,
    lossElements: Float32Array, grad: Float32Array, weights: Float32Array, g: Float32Array,
  ): GhmKernelResult;
}


/** GHM-C's last edge, `1 + 1e-6` rounded to float32 as in mmdet (so `g == 1` lands in the last bin). */
export const GHMC_LAST_EDGE = Math.fround(1 + 1e-6);
/** GHM-R's last edge. */
export const GHMR_LAST_EDGE = 1e3;

/** Edges `f32(i / bins)`, the last replaced by `last` (mmdet builds them in float32). */
export function ghmEdges(bins: number, last: number): number[] {
  const e = Array.from({ length: bins + 1 }, (_, i) => Math.fround(i / bins));
  e[bins] = Math.fround(last);
  return e;
}

/** Bin of `g ≥ 0` (half-open bins `[e_i, e_{i+1})`, exact comparisons with the edges). */
/**
 * Bin of a gradient norm. `g` is first rounded to float32 — the precision the kernels (and the `g`
 * output) have — so that a float64 g a hair below an edge (σ(2e-10) − 1) falls in the same bin as
 * on the other backends (issue 10).
 */
function binOf(g64: number, edges: number[], bins: number): number {
  const g = Math.fround(g64);
  let b = Math.floor(g * bins);
  if (b >= bins) b = bins - 1;
  if (g < edges[b]) return b - 1;
  if (b + 1 < bins && g >= edges[b + 1]) return b + 1;
  return b;
}

type Buf = ArrayLike<number> & { length: number };

function lwAt(lw: Buf, len: number, cols: number, i: number): number {
  if (lw.length === 0) return 1;
  return lw.length === len ? lw[i] : lw[Math.floor(i / cols)];
}

function checkOut(len: number, ...outs: Float32Array[]): void {
  for (const o of outs) {
    if (o.length !== len) throw new SoftSamplingError('E_SHAPE', 'out', `output buffer has ${o.length} elements, expected ${len}`);
  }
}

function checkCommon(bins: number, momentum: number): void {
  if (!(Number.isInteger(bins) && bins >= 1)) throw new SoftSamplingError('E_VALUE', 'bins', `must be an integer ≥ 1, got ${bins}`);
  if (!(momentum >= 0 && momentum < 1)) throw new SoftSamplingError('E_VALUE', 'momentum', `must be in [0, 1), got ${momentum}`);
}

/**
 * Shared counting / moving-average / normalisation. On entry `weights` holds each element's bin
 * (computed from the float64 g); masks ignored elements to −1, counts the valid ones and returns
 * the per-bin weight table and bookkeeping.
 */
function harmonize(
  lw: Buf, cols: number, bins: number, momentum: number, allBins: boolean, biasCorrection: boolean, steps: number,
  accIn: Buf, totOf: (valid: number) => number, weights: Float32Array,
): { table: Float64Array; counts: Float64Array; accSum: Float64Array; tot: number; nonEmpty: number; updated: boolean } {
  const len = weights.length;
  const counts = new Float64Array(bins);
  let valid = 0;
  for (let i = 0; i < len; i++) {
    if (lwAt(lw, len, cols, i) > 0) {
      counts[weights[i]]++;
      valid++;
    } else {
      weights[i] = -1;
    }
  }
  const tot = totOf(valid);
  const accSum = Float64Array.from(accIn);
  const table = new Float64Array(bins);
  let nonEmpty = 0;
  let updated = false;
  const correction = biasCorrection && momentum > 0 ? 1 - momentum ** (steps + 1) : 1;
  for (let b = 0; b < bins; b++) {
    const k = counts[b];
    if (k > 0) {
      if (momentum > 0) {
        accSum[b] = momentum * accSum[b] + (1 - momentum) * k;
        table[b] = tot / (accSum[b] / correction);
        updated = true;
      } else {
        table[b] = tot / k;
      }
      nonEmpty++;
    }
  }
  if (nonEmpty > 0) {
    const div = allBins ? bins : nonEmpty;
    for (let b = 0; b < bins; b++) table[b] /= div;
  }
  return { table, counts, accSum, tot, nonEmpty, updated };
}

export const ghmKernels: GhmKernels = {
  ghmC(logits, c, useLabels, targets, labels, lw, accIn, bins, momentum, allBins, biasCorrection, steps, lossWeight, mean, lossElements, grad, weights, g): GhmKernelResult {
    // weights and g are optional outputs (empty): this backend still needs them as scratch
    if (weights.length === 0) weights = new Float32Array(logits.length);
    if (g.length === 0) g = new Float32Array(logits.length);
    checkCommon(bins, momentum);
    const len = logits.length;
    if (!(c >= 1) || len % c !== 0) throw new SoftSamplingError('E_SHAPE', 'logits', `length ${len} is not a multiple of C = ${c}`);
    checkFinite('logits', logits);
    const rows = len / c;
    if (useLabels ? labels.length !== rows : targets.length !== len) {
      throw new SoftSamplingError('E_SHAPE', 'targets', `expected ${useLabels ? rows : len} elements, got ${useLabels ? labels.length : targets.length}`);
    }
    if (!(lw.length === 0 || lw.length === len || lw.length === rows)) {
      throw new SoftSamplingError('E_SHAPE', 'label_weights', `expected 0, ${rows} or ${len} elements, got ${lw.length}`);
    }
    if (accIn.length !== bins) throw new SoftSamplingError('E_SHAPE', 'acc_sum', `expected ${bins} elements, got ${accIn.length}`);
    // target of element i = r·C + j: labels[r] === j (labels), or targets[i]
    checkOut(len, lossElements, grad, weights, g);
    const edges = ghmEdges(bins, GHMC_LAST_EDGE);
    for (let r = 0, i = 0; r < rows; r++) {
      const l = useLabels ? labels[r] : -1;
      for (let j = 0; j < c; j++, i++) {
        const t = useLabels ? (j === l ? 1 : 0) : targets[i];
        const d = Math.abs(sigmoidMinus(logits[i], t));
        g[i] = d;
        weights[i] = binOf(d, edges, bins);
      }
    }
    const h = harmonize(lw, c, bins, momentum, allBins, biasCorrection, steps, accIn, (v) => Math.max(v, 1), weights);
    const scale = mean ? lossWeight / h.tot : lossWeight;
    let lossSum = 0;
    for (let r = 0, i = 0; r < rows; r++) {
      const l = useLabels ? labels[r] : -1;
      for (let j = 0; j < c; j++, i++) {
        const slot = weights[i];
        if (slot < 0) {
          weights[i] = 0;
          lossElements[i] = 0;
          grad[i] = 0;
          continue;
        }
        const w = h.table[slot];
        const x = logits[i];
        const t = useLabels ? (j === l ? 1 : 0) : targets[i];
        // BCE = (1−y)·softplus(x) + y·softplus(−x): exact for saturated logits, no cancellation
        const bce = t === 0 ? softplus(x) : t === 1 ? softplus(-x) : (1 - t) * softplus(x) + t * softplus(-x);
        const le = w * bce;
        lossSum += le;
        lossElements[i] = le;
        grad[i] = scale * w * sigmoidMinus(x, t);
        weights[i] = w;
      }
    }
    return { lossSum, loss: scale * lossSum, tot: h.tot, nonEmpty: h.nonEmpty, scale, updated: h.updated, lossElements, grad, weights, g, counts: h.counts, accSum: h.accSum };
  },


};

/** TS twin of `ghm::regression_loss` (declared as `regressionLoss`, through `decl_shim::regression_loss`). */
export function regressionLoss(
  { pred, target, weight }: RegressionLossInputs, { kind, cols, param, scale }: RegressionLossOptions, out: RegressionLossOutputs,
): void {
  const { lossElements, grad } = out;
  const len = pred.length;
  if (kind !== 0 && kind !== 1) throw new SoftSamplingError('E_VALUE', 'kind', `unknown regression loss ${kind}`);
  if (target.length !== len) throw new SoftSamplingError('E_SHAPE', 'target', `expected ${len} elements, got ${target.length}`);
  if (!(cols >= 1) || len % cols !== 0) throw new SoftSamplingError('E_SHAPE', 'pred', `length ${len} is not a multiple of ${cols}`);
  if (!(weight.length === 0 || weight.length === len || weight.length * cols === len)) {
    throw new SoftSamplingError('E_SHAPE', 'weight', `expected ${len} or ${len / cols} elements, got ${weight.length}`);
  }
  if (kind === 0 ? !(param >= 0) : !(param > 0)) throw new SoftSamplingError('E_VALUE', kind === 0 ? 'beta' : 'mu', `out of range: ${param}`);
  checkOut(len, lossElements, grad);
  checkFinite('pred', pred);
  checkFinite('target', target);
  let lossSum = 0;
  for (let i = 0; i < len; i++) {
    const w = weight.length === 0 ? 1 : weight.length === len ? weight[i] : weight[Math.floor(i / cols)];
    const [l, dl] = kind === 0 ? smoothL1(pred[i] - target[i], param) : asl1(pred[i] - target[i], param);
    const le = w * l;
    lossSum += le;
    lossElements[i] = le;
    grad[i] = scale * w * dl;
  }
  out.sum[0] = lossSum;
}

/**
 * GHM-R over `[len]` deltas `pred − target`; `labelWeights` empty or `[len]`; `mu` > 0 (twin of
 * `ghm::ghm_r`, declared `ghmR`: the wrapper in `./modern` copies `counts` / `accSum` out).
 */
export function ghmRTwin(
pred: Float32Array, target: Float32Array, lw: Float32Array, accIn: Float64Array, mu: number, bins: number, momentum: number,
allBins: boolean, biasCorrection: boolean, steps: number, lossWeight: number, mean: boolean,
lossElements: Float32Array, grad: Float32Array, weights: Float32Array, g: Float32Array,
): GhmKernelResult {
  checkCommon(bins, momentum);
  const len = pred.length;
  if (target.length !== len) throw new SoftSamplingError('E_SHAPE', 'target', `expected ${len} elements, got ${target.length}`);
  if (!(lw.length === 0 || lw.length === len)) throw new SoftSamplingError('E_SHAPE', 'label_weights', `expected ${len} elements, got ${lw.length}`);
  if (!(mu > 0)) throw new SoftSamplingError('E_VALUE', 'mu', `must be > 0, got ${mu}`);
  if (accIn.length !== bins) throw new SoftSamplingError('E_SHAPE', 'acc_sum', `expected ${bins} elements, got ${accIn.length}`);
  checkOut(len, lossElements, grad, weights, g);
  checkFinite('pred', pred);
  checkFinite('target', target);
  const edges = ghmEdges(bins, GHMR_LAST_EDGE);
  for (let i = 0; i < len; i++) {
    const gi = Math.abs(asl1(pred[i] - target[i], mu)[1]);
    g[i] = gi;
    weights[i] = binOf(gi, edges, bins);
  }
  let lwSum = 0;
  for (let i = 0; i < lw.length; i++) lwSum += lw[i];
  const h = harmonize(lw, 1, bins, momentum, allBins, biasCorrection, steps, accIn, (v) => Math.max(lw.length === 0 ? v : lwSum, 1), weights);
  const scale = mean ? lossWeight / h.tot : lossWeight;
  let lossSum = 0;
  for (let i = 0; i < len; i++) {
    const slot = weights[i];
    const w = slot < 0 ? 0 : h.table[slot];
    const [l, dl] = asl1(pred[i] - target[i], mu);
    const le = w * l;
    lossSum += le;
    lossElements[i] = le;
    grad[i] = scale * w * dl;
    weights[i] = w;
  }
  return { lossSum, loss: scale * lossSum, tot: h.tot, nonEmpty: h.nonEmpty, scale, updated: h.updated, lossElements, grad, weights, g, counts: h.counts, accSum: h.accSum };
}
