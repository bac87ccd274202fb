/** wasm glue for the PISA kernels (see `crates/wasm/src/pisa.rs`). */
import type { PisaKernels } from '../../kernels/pisa';
import { WasmCtx, out } from './ctx';

export function wasmPisa(w: WasmCtx): PisaKernels {
  return {
    pisaIsrN(scores, boxes, loss, numExpected, k, bias, scoreThr, iouThr, maxRatio, seed) {
      const m = scores.length;
      const ne = Math.min(m, numExpected);
      const [selected, weights, stats] = w.call('ss_pisa_isr_n', [
        scores, m, boxes, loss, loss.length, numExpected, k, bias, scoreThr, iouThr, maxRatio, seed >>> 0,
        out('i32', ne), out('f32', ne), out('f64', 4),
      ]);
      return {
        selected: selected as Int32Array, weights: weights as Float32Array, numHlr: stats[0], numValid: stats[1],
        ratio: stats[2], guarded: stats[3] !== 0,
      };
    },
    pisaIouHlr(labels, gt, ious, prime, mode) {
      const n = labels.length;
      const [ranks, stats] = w.call('ss_pisa_iou_hlr', [labels, gt, ious, n, prime, prime.length, mode, out('i32', n), out('f64', 1)]);
      return { ranks: ranks as Int32Array, maxLNum: stats[0] };
    },
    pisaIsrP(labels, gt, ious, posLoss, lw, prime, mode, k, bias, perClass, maxRatio) {
      const n = labels.length;
      const [weights, ranks, stats] = w.call('ss_pisa_isr_p', [
        labels, gt, ious, posLoss, lw, n, prime, prime.length, mode, k, bias, perClass, maxRatio,
        out('f32', n), out('i32', n), out('f64', 3),
      ]);
      return { weights: weights as Float32Array, ranks: ranks as Int32Array, maxLNum: stats[0], ratio: stats[1], guarded: stats[2] !== 0 };
    },
    pisaClsLoss(score, labels, cols, kind, alpha, gamma) {
      const n = labels.length;
      return w.call('ss_pisa_cls_loss', [score, labels, n, cols, kind, alpha, gamma, out('f32', n)])[0] as Float32Array;
    },
    pisaCarl(score, labels, pred, targets, C, sigmoid, k, bias, beta, avgFactor, lossWeight) {
      const n = labels.length;
      const [gc, gb, weights, loss] = w.call('ss_pisa_carl', [
        score, score.length, labels, n, pred, pred.length, targets, C, sigmoid, k, bias, beta, avgFactor, lossWeight,
        out('f32', score.length), out('f32', pred.length), out('f32', n), out('f64', 1),
      ]);
      return { loss: loss[0], gradClsScore: gc as Float32Array, gradBboxPred: gb as Float32Array, weights: weights as Float32Array };
    },
  };
}
