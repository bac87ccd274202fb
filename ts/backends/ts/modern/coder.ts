/** TS twins of the box coder kernels in `geometry.rs` (through `decl_shim`): mmdet `DeltaXYWHBBoxCoder`. */
import type {
  DeltaEncodeInputs, DeltaEncodeOptions, DeltaEncodeOutputs, DeltaDecodeInputs, DeltaDecodeOptions, DeltaDecodeOutputs,
  DecodedIouInputs, DecodedIouOptions, DecodedIouOutputs,
} from '../../../kernels/modern';

export function deltaEncode({ priors, gt, means, stds }: DeltaEncodeInputs, _o: DeltaEncodeOptions, { out }: DeltaEncodeOutputs): void {
  for (let i = 0; i < priors.length; i += 4) {
    const pw = priors[i + 2] - priors[i], ph = priors[i + 3] - priors[i + 1];
    const px = (priors[i] + priors[i + 2]) * 0.5, py = (priors[i + 1] + priors[i + 3]) * 0.5;
    const gw = gt[i + 2] - gt[i], gh = gt[i + 3] - gt[i + 1];
    const gx = (gt[i] + gt[i + 2]) * 0.5, gy = (gt[i + 1] + gt[i + 3]) * 0.5;
    const d = [(gx - px) / pw, (gy - py) / ph, Math.log(gw / pw), Math.log(gh / ph)];
    for (let k = 0; k < 4; k++) out[i + k] = (d[k] - means[k]) / stds[k];
  }
}

export function deltaDecode({ priors, deltas, means, stds, maxShape }: DeltaDecodeInputs, { whRatioClip }: DeltaDecodeOptions, { out }: DeltaDecodeOutputs): void {
  const n = priors.length / 4;
  if (n === 0) return;
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
}

// twin of `decoded_iou` in geometry.rs: prior-relative units, centred on the first box
export function decodedIou({ priors, deltas1, deltas2, means, stds }: DecodedIouInputs, { whRatioClip, eps }: DecodedIouOptions, { out }: DecodedIouOutputs): void {
  const n = priors.length / 4;
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
}
