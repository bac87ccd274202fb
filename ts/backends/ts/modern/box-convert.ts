/** TS twin of `geometry::box_convert` (through `decl_shim::box_convert`): format codes 0 xyxy, 1 xywh, 2 cxcywh. */
import type { BoxConvertInputs, BoxConvertOptions, BoxConvertOutputs } from '../../../kernels/modern';

export function boxConvert({ boxes }: BoxConvertInputs, { from, to }: BoxConvertOptions, { out }: BoxConvertOutputs): void {
  for (let i = 0; i < boxes.length; i += 4) {
    let x1: number, y1: number, x2: number, y2: number;
    const a = boxes[i], b = boxes[i + 1], c = boxes[i + 2], d = boxes[i + 3];
    // between the size formats directly, as the Rust kernel (no detour through corners)
    if (from === to) { out.set([a, b, c, d], i); continue; }
    if (from === 1 && to === 2) { out.set([a + 0.5 * c, b + 0.5 * d, c, d], i); continue; }
    if (from === 2 && to === 1) { out.set([a - 0.5 * c, b - 0.5 * d, c, d], i); continue; }
    if (from === 0) [x1, y1, x2, y2] = [a, b, c, d];
    else if (from === 1) [x1, y1, x2, y2] = [a, b, a + c, b + d];
    else [x1, y1, x2, y2] = [a - 0.5 * c, b - 0.5 * d, a + 0.5 * c, b + 0.5 * d];
    if (to === 0) out.set([x1, y1, x2, y2], i);
    else if (to === 1) out.set([x1, y1, x2 - x1, y2 - y1], i);
    else out.set([0.5 * (x1 + x2), 0.5 * (y1 + y2), x2 - x1, y2 - y1], i);
  }
}
