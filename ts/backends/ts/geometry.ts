/**
 * Pure TypeScript geometry kernels: the reference the Rust kernels are checked against.
 * Same semantics as `crates/core/src/geometry.rs` (mmdet `bbox_overlaps`, `DeltaXYWHBBoxCoder`,
 * `AnchorGenerator`); float64 arithmetic, float32 output.
 */
import { SoftSamplingError } from '../../errors';

/** Positional signature of the overlap twin (wrapped as the declared `bboxOverlaps` in `./modern`). */
export interface GeometryKernels {
  /**
   * mode: 0 iou, 1 iof, 2 giou; offset 0 or 1 (legacy +1). Writes into `out` (length N when
   * aligned, else N·M) when given, else into a new array; returns the array written.
   */
  bboxOverlaps(boxes1: Float32Array, boxes2: Float32Array, mode: number, aligned: boolean, eps: number, offset: number, out?: Float32Array): Float32Array;
}


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

};
