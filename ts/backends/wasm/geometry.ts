/** wasm glue for the geometry kernels (see `crates/wasm/src/lib.rs`). */
import type { GeometryKernels } from '../../kernels/geometry';
import type { WasmCtx } from './bindgen';

export function wasmGeometry(w: WasmCtx): GeometryKernels {
  const g = w.g;
  return {
    bboxOverlaps(b1, b2, mode, aligned, eps, offset, dst) {
      const n = Math.floor(b1.length / 4), m = Math.floor(b2.length / 4);
      const out = dst ?? new Float32Array(aligned ? n : n * m);
      w.run('bboxOverlaps', () => g.ss_bbox_overlaps(b1, b2, mode, aligned, eps, offset, out));
      return out;
    },
  };
}
