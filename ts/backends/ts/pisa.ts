/**
 * Pure TypeScript PISA kernels: the reference the Rust kernels (`crates/core/src/pisa.rs`) are
 * checked against. float64 arithmetic, float32 outputs; same deterministic ordering (sample index
 * as the last sort key).
 */
import type { PisaCarlInputs, PisaCarlOptions, PisaCarlOutputs } from '../../kernels/modern';
import { Rng } from './assign';
import { geometryKernels } from './geometry';
import { SoftSamplingError } from '../../errors';
import { sigmoid, smoothL1, softplus } from './math';

export interface HlrResult {
  /** Rank within the class, 0 = most important. */
  ranks: Int32Array;
  /** Largest number of positives of one class (mmdet `max_l_num`). */
  maxLNum: number;
}

export interface IsrPKernelResult extends HlrResult {
  weights: Float32Array;
  /** Factor applied to the weights (1 when guarded or no positives). */
  ratio: number;
  /** True when Σ L·w = 0 and the original label weights were returned. */
  guarded: boolean;
}

export interface CarlKernelResult {
  loss: number;
  gradClsScore: Float32Array;
  gradBboxPred: Float32Array;
  weights: Float32Array;
}

export interface IsrNKernelResult {
  /** Selected negatives (indices into the negatives), HLR-selected first (by rank), then random fill-ins. */
  selected: Int32Array;
  /** Weight of each selected negative. */
  weights: Float32Array;
  /** Number of HLR-selected (valid) negatives at the front of `selected`. */
  numHlr: number;
  /** Number of negatives with score > scoreThr. */
  numValid: number;
  /** Renormalisation factor (1 without losses, when guarded, or without valid negatives). */
  ratio: number;
  guarded: boolean;
}

/** Positional signatures of the ISR twins (wrapped as declared kernels in `./modern`). */
export interface IsrTwins {
  pisaIsrP(
    labels: Int32Array, gtIds: Int32Array, ious: Float32Array, posLoss: Float32Array, labelWeights: Float32Array,
    prime: Uint8Array, primeMode: number, k: number, bias: number, perClass: boolean, maxRatio: number,
  ): IsrPKernelResult;
  /** Score-HLR over the negatives of one image; `loss` empty (no renormalisation) or one per negative. */
  pisaIsrN(
    scores: Float32Array, boxes: Float32Array, loss: Float32Array, numExpected: number, k: number, bias: number,
    scoreThr: number, iouThr: number, maxRatio: number, seed: number,
  ): IsrNKernelResult;
}


export function iouHlr(labels: Int32Array, gt: Int32Array, ious: Float32Array, prime: Uint8Array, mode: number): HlrResult {
  const n = labels.length;
  const ranks = new Int32Array(n);
  if (n === 0) return { ranks, maxLNum: 0 };
  if (mode !== 0 && prime.length !== n) throw new SoftSamplingError('E_SHAPE', 'prime', `expected ${n} flags, got ${prime.length}`);
  for (let i = 0; i < n; i++) {
    if (labels[i] < 0) throw new SoftSamplingError('E_VALUE', 'labels', `element ${i} is negative (${labels[i]})`);
  }
  const pf = (i: number) => (mode === 0 ? 0 : prime[i]);
  const rer = mode === 2, tie = mode === 1;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) =>
    labels[a] - labels[b] || gt[a] - gt[b] || (rer ? pf(b) - pf(a) : 0) || cmpDesc(ious[a], ious[b]) || (tie ? pf(b) - pf(a) : 0) || a - b);
  const local = new Int32Array(n);
  let start = 0;
  for (let p = 0; p < n; p++) {
    const i = idx[p];
    if (p > 0) {
      const j = idx[p - 1];
      if (labels[i] !== labels[j] || gt[i] !== gt[j]) start = p;
    }
    local[i] = p - start;
  }
  idx.sort((a, b) =>
    labels[a] - labels[b] || local[a] - local[b] || (rer ? pf(b) - pf(a) : 0) || cmpDesc(ious[a], ious[b]) || (tie ? pf(b) - pf(a) : 0) || a - b);
  let nMax = 0;
  start = 0;
  for (let p = 0; p < n; p++) {
    const i = idx[p];
    if (p > 0 && labels[i] !== labels[idx[p - 1]]) start = p;
    ranks[i] = p - start;
    nMax = Math.max(nMax, p - start + 1);
  }
  return { ranks, maxLNum: nMax };
}

function isrN(scores: Float32Array, boxes: Float32Array, loss: Float32Array, numExpected: number, k: number, bias: number,
  scoreThr: number, iouThr: number, maxRatio: number, seed: number): IsrNKernelResult {
  const m = scores.length;
  const ne = Math.min(m, numExpected);
  const selected = new Int32Array(ne);
  const weights = new Float32Array(ne);
  const rng = new Rng(seed);
  const thr = Math.fround(scoreThr), ithr = Math.fround(iouThr);
  const valid: number[] = [];
  for (let j = 0; j < m; j++) if (scores[j] > thr) valid.push(j);
  const nv = valid.length;
  if (nv === 0) {
    const pick = rng.choose(Array.from({ length: m }, (_, j) => j), ne);
    selected.set(pick);
    weights.fill(1);
    return { selected, weights, numHlr: 0, numValid: 0, ratio: 1, guarded: false };
  }
  valid.sort((a, b) => cmpDesc(scores[a], scores[b]) || a - b);
  const vb = new Float32Array(4 * nv);
  valid.forEach((j, q) => vb.set(boxes.subarray(4 * j, 4 * j + 4), 4 * q));
  const suppressed = new Uint8Array(nv);
  const grpRank = new Int32Array(nv);
  for (let a = 0; a < nv; a++) {
    if (suppressed[a]) continue;
    const row = geometryKernels.bboxOverlaps(vb.subarray(4 * a, 4 * a + 4), vb.subarray(4 * (a + 1)), 0, false, 1e-6, 0);
    let r = 1;
    for (let t = 0; t < row.length; t++) {
      const b = a + 1 + t;
      if (!suppressed[b] && row[t] >= ithr) {
        suppressed[b] = 1;
        grpRank[b] = r++;
      }
    }
  }
  const imp = valid.map((j, q) => nv - grpRank[q] + scores[j]);
  const order = valid.map((_, q) => q).sort((a, b) => cmpDesc(imp[a], imp[b]) || valid[a] - valid[b]);
  const numHlr = Math.min(nv, ne), numRand = ne - numHlr;
  const up = Math.max(ne, nv);
  const w = new Float64Array(ne);
  for (let q = 0; q < numHlr; q++) {
    selected[q] = valid[order[q]];
    w[q] = (up - q) / up;
  }
  if (numRand > 0) {
    const invalid: number[] = [];
    for (let j = 0; j < m; j++) if (!(scores[j] > thr)) invalid.push(j);
    const pick = rng.choose(invalid, numRand);
    const wmin = (up - (numHlr - 1)) / up;
    pick.forEach((j, t) => {
      selected[numHlr + t] = j;
      w[numHlr + t] = wmin;
    });
  }
  for (let q = 0; q < ne; q++) w[q] = (bias + (1 - bias) * w[q]) ** k;
  if (loss.length === 0) {
    weights.set(w);
    return { selected, weights, numHlr, numValid: nv, ratio: 1, guarded: false };
  }
  let ori = 0, nw = 0;
  for (let q = 0; q < ne; q++) {
    const l = loss[selected[q]];
    ori += l;
    nw += l * w[q];
  }
  if (nw === 0 || !Number.isFinite(nw)) {
    weights.fill(1);
    return { selected, weights, numHlr, numValid: nv, ratio: 1, guarded: true };
  }
  const ratio = Math.min(ori / nw, maxRatio);
  for (let q = 0; q < ne; q++) weights[q] = w[q] * ratio;
  return { selected, weights, numHlr, numValid: nv, ratio, guarded: false };
}

function cmpDesc(a: number, b: number): number {
  return a > b ? -1 : a < b ? 1 : 0;
}

export const isrTwins: IsrTwins = {
  pisaIsrN: isrN,

  pisaIsrP(labels, gt, ious, posLoss, lw, prime, mode, k, bias, perClass, maxRatio): IsrPKernelResult {
    const n = labels.length;
    const { ranks, maxLNum } = iouHlr(labels, gt, ious, prime, mode);
    const weights = new Float32Array(n);
    if (n === 0) return { weights, ranks, maxLNum, ratio: 1, guarded: false };
    let counts: Map<number, number> | undefined;
    if (perClass) {
      counts = new Map();
      for (let i = 0; i < n; i++) counts.set(labels[i], (counts.get(labels[i]) ?? 0) + 1);
    }
    const w64 = new Float64Array(n);
    let ori = 0, nw = 0;
    for (let i = 0; i < n; i++) {
      const d = counts ? counts.get(labels[i])! : maxLNum;
      const u = (d - ranks[i]) / d;
      const w = (bias + (1 - bias) * lw[i] * u) ** k;
      w64[i] = w;
      ori += posLoss[i] * lw[i];
      nw += posLoss[i] * w;
    }
    if (nw === 0 || !Number.isFinite(nw)) {
      weights.set(lw);
      return { weights, ranks, maxLNum, ratio: 1, guarded: true };
    }
    const ratio = Math.min(ori / nw, maxRatio);
    for (let i = 0; i < n; i++) weights[i] = w64[i] * ratio;
    return { weights, ranks, maxLNum, ratio, guarded: false };
  },


};

function carl(
  score: Float32Array, labels: Int32Array, pred: Float32Array, targets: Float32Array, C: number, useSigmoid: boolean,
  k: number, bias: number, beta: number, avgFactor: number, lossWeight: number,
): CarlKernelResult {
  const n = labels.length;
  const cols = useSigmoid ? C : C + 1;
  const bcols = n === 0 ? 4 : pred.length / n;
  const gradClsScore = new Float32Array(n * cols);
  const gradBboxPred = new Float32Array(pred.length);
  const weights = new Float32Array(n);
  const pos: number[] = [];
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    if (l < 0 || l > C) throw new SoftSamplingError('E_VALUE', 'labels', `element ${i} (${l}) is outside [0, ${C}]`);
    if (l < C) pos.push(i);
  }
  const res = { loss: 0, gradClsScore, gradBboxPred, weights };
  if (pos.length === 0) return res;
  const np = pos.length;
  const s = new Float64Array(np), v = new Float64Array(np), dv = new Float64Array(np), r = new Float64Array(np);
  let vsum = 0, vr = 0;
  const softmaxRow = (o: number): { m: number; z: number } => {
    let m = -Infinity;
    for (let c = 0; c < cols; c++) m = Math.max(m, score[o + c]);
    let z = 0;
    for (let c = 0; c < cols; c++) z += Math.exp(score[o + c] - m);
    return { m, z };
  };
  const boff = (i: number) => (bcols === 4 ? 4 * i : i * bcols + 4 * labels[i]);
  pos.forEach((i, q) => {
    const l = labels[i], o = i * cols;
    if (useSigmoid) s[q] = sigmoid(score[o + l]);
    else {
      const { m, z } = softmaxRow(o);
      s[q] = Math.exp(score[o + l] - m) / z;
    }
    const base = bias + (1 - bias) * s[q];
    v[q] = base ** k;
    dv[q] = base > 0 ? k * (1 - bias) * base ** (k - 1) : 0;
    let sum = 0;
    const b = boff(i);
    for (let j = 0; j < 4; j++) sum += smoothL1(pred[b + j] - targets[4 * i + j], beta)[0];
    r[q] = sum;
    vsum += v[q];
    vr += v[q] * sum;
  });
  if (vsum <= 0) return res;
  const scale = lossWeight / avgFactor;
  res.loss = (scale * np * vr) / vsum;
  pos.forEach((i, q) => {
    const l = labels[i], o = i * cols;
    const cw = (v[q] * np) / vsum;
    weights[i] = cw;
    const dlds = scale * np * (r[q] / vsum - vr / (vsum * vsum)) * dv[q];
    if (useSigmoid) gradClsScore[o + l] = dlds * s[q] * (1 - s[q]);
    else {
      const { m, z } = softmaxRow(o);
      for (let c = 0; c < cols; c++) {
        const pm = Math.exp(score[o + c] - m) / z;
        gradClsScore[o + c] = dlds * s[q] * ((c === l ? 1 : 0) - pm);
      }
    }
    const b = boff(i);
    for (let j = 0; j < 4; j++) gradBboxPred[b + j] = scale * cw * smoothL1(pred[b + j] - targets[4 * i + j], beta)[1];
  });
  return res;
}

/** TS twin of `pisa::carl_loss` (declared as `pisaCarl`, through `decl_shim::pisa_carl`). */
export function pisaCarl(
  { clsScore, labels, bboxPred, bboxTargets }: PisaCarlInputs, { numClasses, sigmoid, k, bias, beta, avgFactor, lossWeight }: PisaCarlOptions,
  out: PisaCarlOutputs,
): void {
  const r = carl(clsScore, labels, bboxPred, bboxTargets, numClasses, sigmoid, k, bias, beta, avgFactor, lossWeight);
  out.gradClsScore.set(r.gradClsScore);
  out.gradBboxPred.set(r.gradBboxPred);
  out.weights.set(r.weights);
  out.loss[0] = r.loss;
}
