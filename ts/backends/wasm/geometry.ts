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
    deltaEncode(priors, gt, means, stds) {
      const out = new Float32Array(priors.length);
      w.run('deltaEncode', () => g.ss_delta_encode(priors, gt, means, stds, out));
      return out;
    },
    deltaDecode(priors, deltas, means, stds, whRatioClip, maxShape) {
      const has = maxShape.length === 2;
      const out = new Float32Array(deltas.length);
      w.run('deltaDecode', () => g.ss_delta_decode(priors, deltas, means, stds, whRatioClip, has, has ? maxShape[0] : 0, has ? maxShape[1] : 0, out));
      return out;
    },
    decodedIou(priors, deltas1, deltas2, means, stds, whRatioClip, eps) {
      const out = new Float32Array(Math.floor(priors.length / 4));
      w.run('decodedIou', () => g.ss_decoded_iou(priors, deltas1, deltas2, means, stds, whRatioClip, eps, out));
      return out;
    },
  };
}
