/** TS twins of `crates/core/src/assign/{atss,task_aligned}.rs`: ATSS and the task-aligned assigner (float64). */
import { SoftSamplingError } from '../../../errors';
import type {
  AtssAssignInputs, AtssAssignOptions, AtssAssignOutputs,
  TaskAlignedAssignInputs, TaskAlignedAssignOptions, TaskAlignedAssignOutputs,
} from '../../../kernels/modern';

type Arr = ArrayLike<number>;

/** IoU of boxes `a[ia..]`, `b[ib..]` (xyxy), union floored at 1e-6. */
export function iou64(a: Arr, ia: number, b: Arr, ib: number): number {
  const iw = Math.max(Math.min(a[ia + 2], b[ib + 2]) - Math.max(a[ia], b[ib]), 0);
  const ih = Math.max(Math.min(a[ia + 3], b[ib + 3]) - Math.max(a[ia + 1], b[ib + 1]), 0);
  const inter = iw * ih;
  const u = Math.max((a[ia + 2] - a[ia]) * (a[ia + 3] - a[ia + 1]) + (b[ib + 2] - b[ib]) * (b[ib + 3] - b[ib + 1]) - inter, 1e-6);
  return inter / u;
}

/** Keeps the k best (key, index) pairs, best first; equal keys keep the earlier (lower) index. */
function pushTopk(best: [number, number][], k: number, key: number, idx: number, better: (a: number, b: number) => boolean): void {
  if (best.length === k) {
    if (k === 0 || !better(key, best[k - 1][0])) return;
    best.pop();
  }
  let pos = best.length;
  while (pos > 0 && better(key, best[pos - 1][0])) pos--;
  best.splice(pos, 0, [key, idx]);
}

export function atssAssign(i: AtssAssignInputs, o: AtssAssignOptions, out: AtssAssignOutputs): void {
  const { priors, numLevelPriors, gtBboxes, gtLabels } = i;
  const n = priors.length / 4, k = gtBboxes.length / 4, topk = o.topk;
  let m = 0, total = 0;
  for (const nl of numLevelPriors) {
    m += Math.min(topk, nl);
    total += nl;
  }
  if (total !== n) throw new SoftSamplingError('E_SHAPE', 'num_level_priors', `sums to ${total}, but there are ${n} priors`);
  out.gtInds.fill(0);
  out.labels.fill(-1);
  out.assignedIou.fill(0);
  if (k === 0 || n === 0) {
    out.iouMean.fill(NaN);
    out.iouStd.fill(NaN);
    out.iouThr.fill(NaN);
    return;
  }
  const cx = (b: Arr, q: number) => (b[4 * q] + b[4 * q + 2]) / 2;
  const cy = (b: Arr, q: number) => (b[4 * q + 1] + b[4 * q + 3]) / 2;
  const best = new Float64Array(n).fill(-Infinity);
  const bestGt = new Int32Array(n).fill(-1);
  for (let j = 0; j < k; j++) {
    const gx = cx(gtBboxes, j), gy = cy(gtBboxes, j);
    const col: number[] = [];
    let start = 0;
    for (const nl of numLevelPriors) {
      const cand: [number, number][] = [];
      const kk = Math.min(topk, nl);
      for (let p = start; p < start + nl; p++) {
        const dx = cx(priors, p) - gx, dy = cy(priors, p) - gy;
        pushTopk(cand, kk, Math.sqrt(dx * dx + dy * dy), p, (a, b) => a < b);
      }
      for (const c of cand) col.push(c[1]);
      start += nl;
    }
    const ious = col.map((p) => iou64(priors, 4 * p, gtBboxes, 4 * j));
    const mean = ious.reduce((a, b) => a + b, 0) / m;
    const std = m > 1 ? Math.sqrt(ious.reduce((a, v) => a + (v - mean) * (v - mean), 0) / (m - 1)) : NaN;
    const thr = mean + std;
    out.iouMean[j] = mean;
    out.iouStd[j] = std;
    out.iouThr[j] = thr;
    const g = 4 * j;
    col.forEach((p, t) => {
      const px = cx(priors, p), py = cy(priors, p);
      const inside = Math.min(px - gtBboxes[g], py - gtBboxes[g + 1], gtBboxes[g + 2] - px, gtBboxes[g + 3] - py) > 0.01;
      if (ious[t] >= thr && inside && ious[t] > best[p]) {
        best[p] = ious[t];
        bestGt[p] = j;
      }
    });
    [...col].sort((a, b) => a - b).forEach((p, r) => (out.candidates[r * k + j] = p));
  }
  for (let p = 0; p < n; p++) {
    const j = bestGt[p];
    if (j >= 0) {
      out.gtInds[p] = j + 1;
      out.labels[p] = gtLabels[j];
      out.assignedIou[p] = best[p];
    }
  }
}

/** ultralytics `bbox_iou(gt, pred, xywh=False, CIoU=True)`, eps 1e-7. */
export function ciouUltralytics(g: Arr, ig: number, p: Arr, ip: number): number {
  const eps = 1e-7;
  const [b1x1, b1y1, b1x2, b1y2] = [g[ig], g[ig + 1], g[ig + 2], g[ig + 3]];
  const [b2x1, b2y1, b2x2, b2y2] = [p[ip], p[ip + 1], p[ip + 2], p[ip + 3]];
  const w1 = b1x2 - b1x1, h1 = b1y2 - b1y1 + eps, w2 = b2x2 - b2x1, h2 = b2y2 - b2y1 + eps;
  const inter = Math.max(Math.min(b1x2, b2x2) - Math.max(b1x1, b2x1), 0) * Math.max(Math.min(b1y2, b2y2) - Math.max(b1y1, b2y1), 0);
  const iou = inter / (w1 * h1 + w2 * h2 - inter + eps);
  const cw = Math.max(b1x2, b2x2) - Math.min(b1x1, b2x1), ch = Math.max(b1y2, b2y2) - Math.min(b1y1, b2y1);
  const c2 = cw * cw + ch * ch + eps;
  const rho2 = ((b2x1 + b2x2 - b1x1 - b1x2) ** 2 + (b2y1 + b2y2 - b1y1 - b1y2) ** 2) / 4;
  const v = (4 / (Math.PI * Math.PI)) * (Math.atan(w2 / h2) - Math.atan(w1 / h1)) ** 2;
  const alpha = v / (v - iou + (1 + eps));
  return iou - (rho2 / c2 + v * alpha);
}

const pw = (x: number, e: number) => (e === 1 ? x : x ** e);

export function taskAlignedAssign(inp: TaskAlignedAssignInputs, o: TaskAlignedAssignOptions, out: TaskAlignedAssignOutputs): void {
  const { priors, predBboxes, predScores, gtBboxes, gtLabels } = inp;
  const yolo = o.variant === 1;
  const n = predBboxes.length / 4, k = gtBboxes.length / 4, c = o.numClasses;
  for (let i = 0; i < predScores.length; i++) {
    const v = predScores[i];
    if (!(v >= 0 && v <= 1)) throw new SoftSamplingError('E_VALUE', 'predScores', `element ${i} is ${v}; must lie in [0, 1]`);
  }
  out.gtInds.fill(0);
  out.labels.fill(-1);
  if (k === 0 || n === 0) return;
  const topk = Math.min(o.topk, n);
  const margin = yolo ? 1e-9 : 0.01;
  const cx = (q: number) => (yolo ? priors[2 * q] : (priors[4 * q] + priors[4 * q + 2]) / 2);
  const cy = (q: number) => (yolo ? priors[2 * q + 1] : (priors[4 * q + 1] + priors[4 * q + 3]) / 2);
  const inside = (q: number, j: number) => {
    const x = cx(q), y = cy(q), g = 4 * j;
    return Math.min(x - gtBboxes[g], y - gtBboxes[g + 1], gtBboxes[g + 2] - x, gtBboxes[g + 3] - y) > margin;
  };
  const us = (q: number, j: number): [number, number] => {
    const s = predScores[q * c + gtLabels[j]];
    if (yolo) return inside(q, j) ? [Math.max(ciouUltralytics(gtBboxes, 4 * j, predBboxes, 4 * q), 0), s] : [0, 0];
    return [iou64(predBboxes, 4 * q, gtBboxes, 4 * j), s];
  };
  const bestU = new Float64Array(n).fill(-Infinity);
  const bestGt = new Int32Array(n).fill(-1);
  const picked = new Int32Array(n);
  const argU = new Float64Array(n).fill(-Infinity), argJ = new Int32Array(n).fill(-1);
  const uCol = new Float64Array(n);
  for (let j = 0; j < k; j++) {
    const cand: [number, number][] = [];
    for (let q = 0; q < n; q++) {
      const [u, s] = us(q, j);
      const t = pw(s, o.alpha) * pw(u, o.beta);
      uCol[q] = u;
      if (o.withMetrics) out.alignmentMetrics[q * k + j] = t;
      if (yolo && u > argU[q]) {
        argU[q] = u;
        argJ[q] = j;
      }
      pushTopk(cand, topk, t, q, (a, b) => a > b);
    }
    for (const [t, q] of cand) {
      if (yolo) {
        if (inside(q, j)) {
          picked[q]++;
          if (bestGt[q] < 0) bestGt[q] = j;
        }
      } else if (t > 0 && inside(q, j) && uCol[q] > bestU[q]) {
        bestU[q] = uCol[q];
        bestGt[q] = j;
      }
    }
  }
  if (yolo) for (let q = 0; q < n; q++) if (picked[q] > 1) bestGt[q] = argJ[q];
  const maxT = new Float64Array(k), maxU = new Float64Array(k), posT = new Float64Array(n);
  for (let q = 0; q < n; q++) {
    const j = bestGt[q];
    if (j < 0) continue;
    const [u, s] = us(q, j);
    const t = pw(s, o.alpha) * pw(u, o.beta);
    out.gtInds[q] = j + 1;
    out.labels[q] = gtLabels[j];
    out.assignMetrics[q] = t;
    out.assignedIou[q] = u;
    posT[q] = t;
    maxT[j] = Math.max(maxT[j], t);
    maxU[j] = Math.max(maxU[j], u);
  }
  for (let q = 0; q < n; q++) {
    const j = bestGt[q];
    if (j >= 0) out.normAlignmentMetrics[q] = (posT[q] / (maxT[j] + o.normEps)) * maxU[j];
  }
}
