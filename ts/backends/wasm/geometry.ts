/** wasm glue for the geometry kernels (see `crates/wasm/src/lib.rs`). */
import type { GeometryKernels } from '../../kernels/geometry';
import { WasmCtx, out } from './ctx';

export function wasmGeometry(w: WasmCtx): GeometryKernels {
  return {
    bboxOverlaps(b1, b2, mode, aligned, eps, offset, dst) {
      const n = b1.length / 4, m = b2.length / 4;
      const len = aligned ? n : n * m;
      return w.call('ss_bbox_overlaps', [b1, n, b2, m, mode, aligned, eps, offset, out('f32', len, dst)])[0] as Float32Array;
    },
    boxConvert(boxes, from, to) {
      return w.call('ss_box_convert', [boxes, boxes.length / 4, from, to, out('f32', boxes.length)])[0] as Float32Array;
    },
    deltaEncode(priors, gt, means, stds) {
      return w.call('ss_delta_encode', [priors, gt, priors.length / 4, means, stds, out('f32', priors.length)])[0] as Float32Array;
    },
    deltaDecode(priors, deltas, means, stds, whRatioClip, maxShape) {
      const has = maxShape.length === 2;
      return w.call('ss_delta_decode', [
        priors, priors.length / 4, deltas, deltas.length, means, stds, whRatioClip,
        has, has ? maxShape[0] : 0, has ? maxShape[1] : 0, out('f32', deltas.length),
      ])[0] as Float32Array;
    },
    decodedIou(priors, deltas1, deltas2, means, stds, whRatioClip, eps) {
      const n = priors.length / 4;
      return w.call('ss_decoded_iou', [priors, n, deltas1, deltas2, means, stds, whRatioClip, eps, out('f32', n)])[0] as Float32Array;
    },
    gridAnchors(base, featH, featW, strideH, strideW) {
      return w.call('ss_grid_anchors', [base, base.length / 4, featH, featW, strideH, strideW, out('f32', featH * featW * base.length)])[0] as Float32Array;
    },
  };
}
