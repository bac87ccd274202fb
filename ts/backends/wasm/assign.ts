/** wasm glue: MaxIoU assignment and the hard samplers (see `crates/wasm/src/assign.rs`). */
import type { AssignKernels } from '../../kernels/assign';
import { WasmCtx, out } from './ctx';

/** Cuts a packed sampler result `[nPos, nNeg, pos..., neg..., posGt...]` to its real length. */
function cut(buf: Int32Array, withGt: boolean): Int32Array {
  const np = buf[0], nn = buf[1];
  return buf.slice(0, 2 + np + nn + (withGt ? np : 0));
}

export function wasmAssign(w: WasmCtx): AssignKernels {
  return {
    maxIouAssign(priors, gts, gtLabels, gtIgnore, posIouThr, negLo, negHi, minPosIou, gtMaxAssignAll, matchLowQuality, ignoreIofThr, ignoreWrtCandidates, zeroIouMmdet) {
      const p = priors.length / 4;
      const [gtInds, maxOverlaps, labels] = w.call('ss_max_iou_assign', [
        priors, p, gts, gts.length / 4, gtLabels, gtIgnore, gtIgnore.length / 4,
        posIouThr, negLo, negHi, minPosIou, gtMaxAssignAll, matchLowQuality, ignoreIofThr, ignoreWrtCandidates, zeroIouMmdet,
        out('i32', p), out('f32', p), out('i32', p),
      ]);
      return { gtInds: gtInds as Int32Array, maxOverlaps: maxOverlaps as Float32Array, labels: labels as Int32Array };
    },
    randomSample(gtInds, numAdded, num, numExpectedPos, negPosUb, seed) {
      const cap = 2 + 2 * (numAdded + gtInds.length);
      const r = w.call('ss_random_sample', [gtInds, gtInds.length, numAdded, num, numExpectedPos, negPosUb, seed, out('i32', cap), cap]);
      return cut(r[0] as Int32Array, true);
    },
    ohemSample(gtInds, numAdded, losses, num, numExpectedPos, negPosUb) {
      const cap = 2 + 2 * (numAdded + gtInds.length);
      const r = w.call('ss_ohem_sample', [gtInds, gtInds.length, numAdded, losses, losses.length, num, numExpectedPos, negPosUb, out('i32', cap), cap]);
      return cut(r[0] as Int32Array, true);
    },
    iouBalancedSample(gtInds, maxOverlaps, numAdded, num, numExpectedPos, negPosUb, seed, floorThr, floorFraction, numBins) {
      const cap = 2 + 2 * (numAdded + gtInds.length);
      const r = w.call('ss_iou_balanced_sample', [
        gtInds, gtInds.length, maxOverlaps, numAdded, num, numExpectedPos, negPosUb, seed, floorThr, floorFraction, numBins, out('i32', cap), cap,
      ]);
      return cut(r[0] as Int32Array, true);
    },
    hardNegativeMining(losses, labels, numImages, numClasses, negPosRatio) {
      const cap = 2 + losses.length;
      const r = w.call('ss_hard_negative_mining', [losses, labels, losses.length, numImages, numClasses, negPosRatio, out('i32', cap), cap]);
      return cut(r[0] as Int32Array, false);
    },
  };
}
