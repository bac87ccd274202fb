import { SoftSamplingError } from '../../../errors';
/** TS twin of `crates/core/src/losses/iou_loss.rs`: IoU / GIoU / DIoU / CIoU losses on aligned pairs. */
import { checkFinite } from './check';
import type { IouFamilyLossInputs, IouFamilyLossOptions, IouFamilyLossOutputs } from '../../../kernels/modern';

type V4 = [number, number, number, number];
const dmax = (a: number, b: number) => (a > b ? 1 : a === b ? 0.5 : 0);
const add = (a: V4, b: V4, s: number): V4 => [a[0] + s * b[0], a[1] + s * b[1], a[2] + s * b[2], a[3] + s * b[3]];
const mul = (a: V4, s: number): V4 => [a[0] * s, a[1] * s, a[2] * s, a[3] * s];
const Z: V4 = [0, 0, 0, 0];

/** One aligned pair: loss, d loss / d pred, IoU, CIoU α and v (see the Rust kernel). */
export function pairLoss(p: V4, t: V4, kind: number, mode: number, eps: number): { loss: number; grad: V4; iou: number; alpha: number; v: number } {
  const pw = p[2] - p[0], ph = p[3] - p[1], tw = t[2] - t[0], th = t[3] - t[1];
  const ap = pw * ph, at = tw * th;
  const dap: V4 = [-ph, -pw, ph, pw];
  const iwRaw = Math.min(p[2], t[2]) - Math.max(p[0], t[0]);
  const ihRaw = Math.min(p[3], t[3]) - Math.max(p[1], t[1]);
  const iw = Math.max(iwRaw, 0), ih = Math.max(ihRaw, 0);
  const [diw1, diw2] = iwRaw >= 0 ? [-dmax(p[0], t[0]), dmax(t[2], p[2])] : [0, 0];
  const [dih1, dih2] = ihRaw >= 0 ? [-dmax(p[1], t[1]), dmax(t[3], p[3])] : [0, 0];
  const inter = iw * ih;
  const dinter: V4 = [ih * diw1, iw * dih1, ih * diw2, iw * dih2];
  const ewRaw = Math.max(p[2], t[2]) - Math.min(p[0], t[0]);
  const ehRaw = Math.max(p[3], t[3]) - Math.min(p[1], t[1]);
  const ew = Math.max(ewRaw, 0), eh = Math.max(ehRaw, 0);
  const [dew1, dew2] = ewRaw >= 0 ? [-dmax(t[0], p[0]), dmax(p[2], t[2])] : [0, 0];
  const [deh1, deh2] = ehRaw >= 0 ? [-dmax(t[1], p[1]), dmax(p[3], t[3])] : [0, 0];
  const dew: V4 = [dew1, 0, dew2, 0], deh: V4 = [0, deh1, 0, deh2];
  const r = { loss: 0, grad: Z, iou: 0, alpha: 0, v: 0 };
  if (kind === 0 || kind === 1) {
    const ueps = kind === 0 ? 1e-6 : eps;
    const uRaw = ap + at - inter;
    const [u, du]: [number, V4] = uRaw > ueps ? [uRaw, add(dap, dinter, -1)] : [ueps, Z];
    const iou = inter / u;
    const diou = add(mul(dinter, 1 / u), du, -inter / (u * u));
    r.iou = iou;
    if (kind === 0) {
      const [ic, d]: [number, V4] = iou >= eps ? [iou, diou] : [eps, Z];
      const [l, s] = mode === 0 ? [-Math.log(ic), -1 / ic] : mode === 1 ? [1 - ic, -1] : [1 - ic * ic, -2 * ic];
      r.loss = l;
      r.grad = mul(d, s);
    } else {
      const eRaw = ew * eh;
      const [e, de]: [number, V4] = eRaw > eps ? [eRaw, add(mul(dew, eh), deh, ew)] : [eps, Z];
      const giou = iou - 1 + u / e;
      r.loss = 1 - giou;
      r.grad = mul(add(add(diou, du, 1 / e), de, -u / (e * e)), -1);
    }
    return r;
  }
  const u = ap + at - inter + eps;
  const du = add(dap, dinter, -1);
  const iou = inter / u;
  const diou = add(mul(dinter, 1 / u), du, -inter / (u * u));
  r.iou = iou;
  const c2 = ew * ew + eh * eh + eps;
  const dc2 = add(mul(dew, 2 * ew), deh, 2 * eh);
  const dx = t[0] + t[2] - (p[0] + p[2]), dy = t[1] + t[3] - (p[1] + p[3]);
  const rho2 = (dx * dx + dy * dy) / 4;
  const drho2: V4 = [-dx / 2, -dy / 2, -dx / 2, -dy / 2];
  const pen = rho2 / c2;
  const dpen = add(mul(drho2, 1 / c2), dc2, -rho2 / (c2 * c2));
  if (kind === 2) {
    r.loss = 1 - iou + pen;
    r.grad = add(mul(diou, -1), dpen, 1);
    return r;
  }
  const w1 = pw, h1 = ph + eps, w2 = tw, h2 = th + eps;
  const f = 4 / (Math.PI * Math.PI);
  const da = Math.atan(w2 / h2) - Math.atan(w1 / h1);
  const v = f * da * da;
  const rr = w1 * w1 + h1 * h1;
  const [dvw, dvh] = rr > 0 ? [(-2 * f * da * h1) / rr, (2 * f * da * w1) / rr] : [0, 0];
  const dv: V4 = [-dvw, -dvh, dvw, dvh];
  const den = 1 - iou + v;
  const alpha = iou > 0.5 && den > 0 ? v / den : 0;
  r.alpha = alpha;
  r.v = v;
  const ciou = iou - (pen + alpha * v);
  if (ciou < -1 || ciou > 1) {
    r.loss = 1 - Math.min(Math.max(ciou, -1), 1);
  } else {
    r.loss = 1 - ciou;
    r.grad = mul(add(add(diou, dpen, -1), dv, -alpha), -1);
  }
  return r;
}

export function iouFamilyLoss(i: IouFamilyLossInputs, o: IouFamilyLossOptions, out: IouFamilyLossOutputs): void {
  const { pred, target, weight } = i;
  const n = pred.length / 4;
  checkFinite('pred', pred);
  checkFinite('target', target);
  let total = 0;
  for (let k = 0; k < n; k++) {
    const p: V4 = [pred[4 * k], pred[4 * k + 1], pred[4 * k + 2], pred[4 * k + 3]];
    const t: V4 = [target[4 * k], target[4 * k + 1], target[4 * k + 2], target[4 * k + 3]];
    const r = pairLoss(p, t, o.kind, o.mode, o.eps);
    if (o.kind === 2 && !(r.loss <= 1e30)) {
      throw new SoftSamplingError('E_VALUE', 'pred', `pair ${k}: the DIoU penalty ρ²/c² exceeds 1e30 (reversed boxes: the centre distance is not bounded by the enclosing box) and overflows float32`);
    }
    const w = weight.length ? weight[k] : 1;
    out.lossElements[k] = r.loss * w;
    total += r.loss * w;
    for (let j = 0; j < 4; j++) out.grad[4 * k + j] = r.grad[j] * w * o.scale;
    out.pairIou[k] = r.iou;
    if (o.kind === 3) {
      out.ciouAlpha[k] = r.alpha;
      out.ciouV[k] = r.v;
    }
  }
  out.sum[0] = total;
}
