/**
 * Pure TypeScript geometry kernels: the reference the Rust kernels are checked against.
 * Same semantics as `crates/core/src/geometry.rs` (mmdet `bbox_overlaps`, `DeltaXYWHBBoxCoder`,
 * `AnchorGenerator`); float64 arithmetic, float32 output.
 */
import type { GeometryKernels } from '../../kernels/geometry';
import { SoftSamplingError } from '../../errors';

function overlapsOne(a: Float32Array, i: number, b: Float32Array, j: number, mode: number, eps: number, off: number): number {
  const ax1 = a[i], ay1 = a[i + 1], ax2 = a[i + 2], ay2 = a[i + 3];
  const bx1 = b[j], by1 = b[j + 1], bx2 = b[j + 2], by2 = b[j + 3];
  const area1 = (ax2 - ax1 + off) * (ay2 - ay1 + off);
  const area2 = (bx2 - bx1 + off) * (by2 - by1 + off);
  const iw = Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1) + off, 0);
  const ih = Math.max(Math.min(ay2, by2) - Math.max(ay1, by1) + off, 0);
  const inter = iw * ih;
  const union = Math.max(mode === 1 ? area1 : area1 + area2 - inter, eps);
  const iou = inter / union;
  if (mode !== 2) return iou;
  const ew = Math.max(Math.max(ax2, bx2) - Math.min(ax1, bx1) + off, 0);
  const eh = Math.max(Math.max(ay2, by2) - Math.min(ay1, by1) + off, 0);
  const enclose = Math.max(ew * eh, union); // ≥ union: GIoU ≤ IoU even for reversed corners
  return iou - (enclose - union) / enclose;
}

export const geometryKernels: GeometryKernels = {
  bboxOverlaps(b1, b2, mode, aligned, eps, offset, dst) {
    if (mode !== 0 && mode !== 1 && mode !== 2) throw new SoftSamplingError('E_OPTION', 'mode', `unknown overlap mode ${mode}`);
    const n = b1.length / 4;
    const m = b2.length / 4;
    const out = dst ?? new Float32Array(aligned ? n : n * m);
    if (aligned) {
      for (let i = 0; i < n; i++) out[i] = overlapsOne(b1, 4 * i, b2, 4 * i, mode, eps, offset);
      return out;
    }
    for (let i = 0; i < n; i++) {
      const row = i * m;
      for (let j = 0; j < m; j++) out[row + j] = overlapsOne(b1, 4 * i, b2, 4 * j, mode, eps, offset);
    }
    return out;
  },

  deltaEncode(priors, gt, means, stds) {
    const out = new Float32Array(priors.length);
    for (let i = 0; i < priors.length; i += 4) {
      const pw = priors[i + 2] - priors[i], ph = priors[i + 3] - priors[i + 1];
      const px = (priors[i] + priors[i + 2]) * 0.5, py = (priors[i + 1] + priors[i + 3]) * 0.5;
      const gw = gt[i + 2] - gt[i], gh = gt[i + 3] - gt[i + 1];
      const gx = (gt[i] + gt[i + 2]) * 0.5, gy = (gt[i + 1] + gt[i + 3]) * 0.5;
      const d = [(gx - px) / pw, (gy - py) / ph, Math.log(gw / pw), Math.log(gh / ph)];
      for (let k = 0; k < 4; k++) out[i + k] = (d[k] - means[k]) / stds[k];
    }
    return out;
  },

  deltaDecode(priors, deltas, means, stds, whRatioClip, maxShape) {
    const n = priors.length / 4;
    const out = new Float32Array(deltas.length);
    if (n === 0) return out;
    const k = deltas.length / (4 * n);
    const maxRatio = Math.abs(Math.log(whRatioClip));
    const clip = maxShape.length === 2;
    for (let i = 0; i < n; i++) {
      const p = 4 * i;
      const pw = priors[p + 2] - priors[p], ph = priors[p + 3] - priors[p + 1];
      const px = (priors[p] + priors[p + 2]) * 0.5, py = (priors[p + 1] + priors[p + 3]) * 0.5;
      for (let c = 0; c < k; c++) {
        const b = (i * k + c) * 4;
        const dx = deltas[b] * stds[0] + means[0];
        const dy = deltas[b + 1] * stds[1] + means[1];
        const dw = Math.min(Math.max(deltas[b + 2] * stds[2] + means[2], -maxRatio), maxRatio);
        const dh = Math.min(Math.max(deltas[b + 3] * stds[3] + means[3], -maxRatio), maxRatio);
        const gx = px + pw * dx, gy = py + ph * dy;
        const gw = pw * Math.exp(dw), gh = ph * Math.exp(dh);
        let x1 = gx - gw * 0.5, y1 = gy - gh * 0.5, x2 = gx + gw * 0.5, y2 = gy + gh * 0.5;
        if (clip) {
          const [h, w] = [maxShape[0], maxShape[1]];
          x1 = Math.min(Math.max(x1, 0), w); x2 = Math.min(Math.max(x2, 0), w);
          y1 = Math.min(Math.max(y1, 0), h); y2 = Math.min(Math.max(y2, 0), h);
        }
        out[b] = x1; out[b + 1] = y1; out[b + 2] = x2; out[b + 3] = y2;
      }
    }
    return out;
  },

  // twin of `decoded_iou` in geometry.rs: prior-relative units, centred on the first box
  decodedIou(priors, deltas1, deltas2, means, stds, whRatioClip, eps) {
    const n = priors.length / 4;
    const out = new Float32Array(n);
    const maxRatio = Math.abs(Math.log(whRatioClip));
    const half = (d: number, k: number) => 0.5 * Math.exp(Math.min(Math.max(d * stds[k] + means[k], -maxRatio), maxRatio));
    for (let i = 0; i < n; i++) {
      const p = 4 * i;
      const area = (priors[p + 2] - priors[p]) * (priors[p + 3] - priors[p + 1]);
      const w1 = half(deltas1[p + 2], 2), h1 = half(deltas1[p + 3], 3), w2 = half(deltas2[p + 2], 2), h2 = half(deltas2[p + 3], 3);
      const cx = (deltas2[p] - deltas1[p]) * stds[0];
      const cy = (deltas2[p + 1] - deltas1[p + 1]) * stds[1];
      const iw = Math.max(Math.min(w1, cx + w2) - Math.max(-w1, cx - w2), 0);
      const ih = Math.max(Math.min(h1, cy + h2) - Math.max(-h1, cy - h2), 0);
      const inter = iw * ih;
      const union = 4 * (w1 * h1 + w2 * h2) - inter;
      out[i] = area > 0 ? (inter * area) / Math.max(union * area, eps) : 0;
    }
    return out;
  },

};
