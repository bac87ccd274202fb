/** wasm glue for the PISA kernels (see `crates/wasm/src/pisa.rs`). */
import type { PisaKernels } from '../../kernels/pisa';
import type { WasmCtx } from './bindgen';

export function wasmPisa(w: WasmCtx): PisaKernels {
  const g = w.g;
  return {
    pisaIsrN(scores, boxes, loss, numExpected, k, bias, scoreThr, iouThr, maxRatio, seed) {
      const ne = Math.min(scores.length, numExpected);
      const selected = new Int32Array(ne), weights = new Float32Array(ne), stats = new Float64Array(4);
      w.run('pisaIsrN', () => g.ss_pisa_isr_n(scores, boxes, loss, numExpected, k, bias, scoreThr, iouThr, maxRatio, seed >>> 0, selected, weights, stats));
      return { selected, weights, numHlr: stats[0], numValid: stats[1], ratio: stats[2], guarded: stats[3] !== 0 };
    },
    pisaIsrP(labels, gt, ious, posLoss, lw, prime, mode, k, bias, perClass, maxRatio) {
      const n = labels.length;
      const weights = new Float32Array(n), ranks = new Int32Array(n), stats = new Float64Array(3);
      w.run('pisaIsrP', () => g.ss_pisa_isr_p(labels, gt, ious, posLoss, lw, prime, mode, k, bias, perClass, maxRatio, weights, ranks, stats));
      return { weights, ranks, maxLNum: stats[0], ratio: stats[1], guarded: stats[2] !== 0 };
    },
  };
}
