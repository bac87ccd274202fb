/** wasm glue for the evaluation kernels (see `crates/wasm/src/eval.rs`). */
import type { EvalKernels } from '../../kernels/eval';
import { cocoOutputLens } from '../../kernels/eval';
import type { WasmCtx } from './bindgen';

export function wasmEval(w: WasmCtx): EvalKernels {
  const g = w.g;
  return {
    evalOverlaps(dets, gts, crowd, offset) {
      const d = Math.floor(dets.length / 4), n = Math.floor(gts.length / 4);
      const out = new Float64Array(d * n);
      w.run('evalOverlaps', () => g.ss_eval_overlaps(dets, gts, crowd.length ? crowd : new Uint8Array(n), offset, out));
      return out;
    },
    cocoEvaluate(x) {
      const [pl, rl] = cocoOutputLens(x);
      const precision = new Float64Array(pl), recall = new Float64Array(rl);
      w.run('cocoEvaluate', () => g.ss_coco_evaluate(
        x.numImages, x.numCats, x.gtImage, x.gtCat, x.gtBox, x.gtArea, x.gtCrowd, x.dtImage, x.dtCat, x.dtBox, x.dtScore,
        x.iouThrs, x.recThrs, x.maxDets, x.areaRanges, x.useCats, x.offset, precision, recall,
      ));
      return { precision, recall };
    },
  };
}
