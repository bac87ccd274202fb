/** TS twins of `crates/core/src/losses/qfl.rs`: Quality Focal Loss and Distribution Focal Loss (GFL). */
import { SoftSamplingError } from '../../../errors';
import { checkFinite } from './check';
import type {
  QualityFocalLossInputs, QualityFocalLossOptions, QualityFocalLossOutputs,
  DistributionFocalLossInputs, DistributionFocalLossOptions, DistributionFocalLossOutputs,
} from '../../../kernels/modern';

const dpow = (d: number, beta: number) => (d === 0 ? 0 : beta * Math.abs(d) ** (beta - 1) * Math.sign(d));
const powb = (a: number, beta: number) => (beta === 2 ? a * a : a ** beta);

export function qualityFocalLoss(i: QualityFocalLossInputs, o: QualityFocalLossOptions, out: QualityFocalLossOutputs): void {
  const { pred, labels, scores, softTarget, weight } = i;
  const c = o.numClasses, n = pred.length / c, beta = o.beta;
  const dense = softTarget.length > 0;
  checkFinite('pred', pred);
  let total = 0;
  for (let r = 0; r < n; r++) {
    const lab = dense ? -1 : labels[r];
    const w = weight.length ? weight[r] : 1;
    const gs = w * o.scale;
    let row = 0;
    for (let j = 0; j < c; j++) {
      const y = dense ? softTarget[r * c + j] : lab === j ? scores[r] : 0;
      const k = r * c + j;
      let l: number, g: number;
      if (o.activated) {
        const p = pred[k];
        const lp = p > 0 ? Math.max(Math.log(p), -100) : -100;
        const l1p = p < 1 ? Math.max(Math.log1p(-p), -100) : -100;
        const bce = -(y * lp + (1 - y) * l1p);
        const d = p - y;
        const m = powb(Math.abs(d), beta);
        l = m * bce;
        g = (m * d) / Math.max(p * (1 - p), 1e-12) + bce * dpow(d, beta);
      } else {
        const x = pred[k];
        const e = Math.exp(-Math.abs(x));
        const s = x >= 0 ? 1 / (1 + e) : e / (1 + e);
        const sn = x >= 0 ? e / (1 + e) : 1 / (1 + e);
        const d = x >= 0 ? 1 - y - sn : s - y;
        const bce = Math.log1p(e) + (x >= 0 ? x * (1 - y) : -x * y);
        const m = powb(Math.abs(d), beta);
        l = m * bce;
        g = m * d + bce * dpow(d, beta) * s * sn;
      }
      row += l;
      out.grad[k] = g * gs;
    }
    const rw = row * w;
    out.lossElements[r] = rw;
    total += rw;
  }
  out.sum[0] = total;
}

export function distributionFocalLoss(i: DistributionFocalLossInputs, o: DistributionFocalLossOptions, out: DistributionFocalLossOutputs): void {
  const { pred, target, weight } = i;
  const b = o.bins, n = target.length, top = b - 1;
  checkFinite('pred', pred);
  for (let r = 0; r < n; r++) {
    const t = target[r];
    if (!(t >= 0 && t < top)) throw new SoftSamplingError('E_VALUE', 'target', `element ${r} is ${t}, outside [0, ${top})`);
  }
  let total = 0;
  for (let r = 0; r < n; r++) {
    const t = target[r];
    if (!(t >= 0 && t < top)) throw new SoftSamplingError('E_VALUE', 'target', `element ${r} is ${t}, outside [0, ${top})`);
    let mx = -Infinity;
    for (let j = 0; j < b; j++) mx = Math.max(mx, pred[r * b + j]);
    let se = 0;
    for (let j = 0; j < b; j++) se += Math.exp(pred[r * b + j] - mx);
    // log-softmax as (max − x) + log Σ: adding log Σ to a max of 1e18 first would lose it in float64
    const ls = Math.log(se);
    const l = Math.trunc(t);
    const wl = l + 1 - t, wr = t - l;
    const loss = wl * (mx - pred[r * b + l] + ls) + wr * (mx - pred[r * b + l + 1] + ls);
    const w = weight.length ? weight[r] : 1;
    const gs = w * o.scale;
    for (let j = 0; j < b; j++) {
      let v = Math.exp(pred[r * b + j] - mx) / se;
      if (j === l) v -= wl;
      if (j === l + 1) v -= wr;
      out.grad[r * b + j] = v * gs;
    }
    out.lossElements[r] = loss * w;
    total += loss * w;
  }
  out.sum[0] = total;
}
