/** wasm glue: MaxIoU assignment and the hard samplers (see `crates/wasm/src/assign.rs`). */
import type { AssignKernels } from '../../kernels/assign';
import type { WasmCtx } from './bindgen';

export function wasmAssign(w: WasmCtx): AssignKernels {
  const g = w.g;
  return {
    // the samplers return the packed [nPos, nNeg, pos..., neg..., posGt...] at its real length
    randomSample(gtInds, numAdded, num, numExpectedPos, negPosUb, seed) {
      return w.run('randomSample', () => g.ss_random_sample(gtInds, numAdded, num, numExpectedPos, negPosUb, seed));
    },
    ohemSample(gtInds, numAdded, losses, num, numExpectedPos, negPosUb) {
      return w.run('ohemSample', () => g.ss_ohem_sample(gtInds, numAdded, losses, num, numExpectedPos, negPosUb));
    },
    iouBalancedSample(gtInds, maxOverlaps, numAdded, num, numExpectedPos, negPosUb, seed, floorThr, floorFraction, numBins) {
      return w.run('iouBalancedSample', () => g.ss_iou_balanced_sample(gtInds, maxOverlaps, numAdded, num, numExpectedPos, negPosUb, seed, floorThr, floorFraction, numBins));
    },
    hardNegativeMining(losses, labels, numImages, numClasses, negPosRatio) {
      return w.run('hardNegativeMining', () => g.ss_hard_negative_mining(losses, labels, numImages, numClasses, negPosRatio));
    },
  };
}
