/** TS twin of `geometry::grid_anchors` (through `decl_shim::grid_anchors`). */
import type { GridAnchorsInputs, GridAnchorsOptions, GridAnchorsOutputs } from '../../../kernels/modern';

export function gridAnchors({ baseAnchors: base }: GridAnchorsInputs, { featH, featW, strideH, strideW }: GridAnchorsOptions, { out }: GridAnchorsOutputs): void {
  const a = base.length / 4;
  let idx = 0;
  for (let y = 0; y < featH; y++) {
    const sy = y * strideH;
    for (let x = 0; x < featW; x++) {
      const sx = x * strideW;
      for (let k = 0; k < 4 * a; k += 4) {
        out[idx++] = base[k] + sx;
        out[idx++] = base[k + 1] + sy;
        out[idx++] = base[k + 2] + sx;
        out[idx++] = base[k + 3] + sy;
      }
    }
  }
}
