/** wasm glue for the evaluation kernels (see `crates/wasm/src/eval.rs`). */
import type { EvalKernels } from '../../kernels/eval';
import { cocoOutputLens } from '../../kernels/eval';
import { WasmCtx, out, type Arg } from './ctx';

export function wasmEval(w: WasmCtx): EvalKernels {
  return {
    evalOverlaps(dets, gts, crowd, offset) {
      const d = dets.length / 4, g = gts.length / 4;
      return w.call('ss_eval_overlaps', [dets, d, gts, g, crowd.length ? crowd : new Uint8Array(g), offset, out('f64', d * g)])[0] as Float64Array;
    },
    cocoEvaluate(x) {
      const [pl, rl] = cocoOutputLens(x);
      const u32 = (a: Uint32Array) => a as unknown as Arg; // passed as raw bytes, read as u32
      const [precision, recall] = w.call('ss_coco_evaluate', [
        x.numImages, x.numCats, x.gtImage.length, u32(x.gtImage), u32(x.gtCat), x.gtBox, x.gtArea, x.gtCrowd,
        x.dtImage.length, u32(x.dtImage), u32(x.dtCat), x.dtBox, x.dtScore,
        x.iouThrs, x.iouThrs.length, x.recThrs, x.recThrs.length, u32(x.maxDets), x.maxDets.length, x.areaRanges, x.areaRanges.length / 2,
        x.useCats, x.offset, out('f64', pl), out('f64', rl),
      ]);
      return { precision: precision as Float64Array, recall: recall as Float64Array };
    },
  };
}
