/**
 * The declared-kernel form `(inputs, options, outputs) => void` of TS twins written before the
 * declaration with positional arguments (overlaps, the sigmoid family, GHM-C / GHM-R, ISR-P, ISR-N,
 * the evaluator's overlaps, the four samplers): each calls its twin and writes the result into the
 * outputs the table sized, as the adapters of `crates/core/src/decl_shim.rs` do on the Rust side.
 * Named `<kernel>Kernel`: several kernels share a facade function's name (`bboxOverlaps`,
 * `randomSample`, …), and a bundle that drops an unused facade should not seem to carry it.
 */
import type * as M from '../../../kernels/modern';
import { isrTwins } from '../pisa';
import { evalOverlaps as overlaps } from '../eval';
import { ghmRTwin, ghmKernels } from '../ghm';
import { geometryKernels } from '../geometry';
import { focalKernels } from '../focal';
import { samplerTwins } from '../assign';

export function pisaIsrPKernel(i: M.PisaIsrPInputs, o: M.PisaIsrPOptions, out: M.PisaIsrPOutputs): void {
  const r = isrTwins.pisaIsrP(i.labels, i.gtIds, i.ious, i.posLoss, i.labelWeights, i.prime, o.primeMode, o.k, o.bias, o.perClass, o.maxRatio);
  out.weights.set(r.weights);
  out.ranks.set(r.ranks);
  out.stats.set([r.maxLNum, r.ratio, r.guarded ? 1 : 0]);
}

export function pisaIsrNKernel(i: M.PisaIsrNInputs, o: M.PisaIsrNOptions, out: M.PisaIsrNOutputs): void {
  const r = isrTwins.pisaIsrN(i.scores, i.boxes, i.loss, o.numExpected, o.k, o.bias, o.scoreThr, o.iouThr, o.maxRatio, o.seed);
  out.selected.set(r.selected);
  out.weights.set(r.weights);
  out.stats.set([r.numHlr, r.numValid, r.ratio, r.guarded ? 1 : 0]);
}

export function evalOverlapsKernel(i: M.EvalOverlapsInputs, o: M.EvalOverlapsOptions, out: M.EvalOverlapsOutputs): void {
  out.out.set(overlaps(i.dets, i.gts, i.crowd, o.offset));
}

export function ghmRKernel(i: M.GhmRInputs, o: M.GhmROptions, out: M.GhmROutputs): void {
  const r = ghmRTwin(
    i.pred, i.target, i.labelWeights, i.accSum, o.mu, o.bins, o.momentum, o.allBins, o.biasCorrection, o.steps, o.lossWeight, o.mean,
    out.lossElements, out.grad, out.weights, out.g,
  );
  out.counts.set(r.counts);
  out.accSumOut.set(r.accSum);
  out.stats.set([r.lossSum, r.loss, r.tot, r.nonEmpty, r.scale, r.updated ? 1 : 0]);
}

/** A packed sampler result into the declared `packed` (upper bound) and `len`. */
function emit(v: Int32Array, out: { packed: Int32Array; len: Float64Array }): void {
  out.packed.set(v);
  out.len[0] = v.length;
}

export function randomSampleKernel(i: M.RandomSampleInputs, o: M.RandomSampleOptions, out: M.RandomSampleOutputs): void {
  emit(samplerTwins.randomSample(i.gtInds, o.numAdded, o.num, o.numExpectedPos, o.negPosUb, o.seed), out);
}

export function ohemSampleKernel(i: M.OhemSampleInputs, o: M.OhemSampleOptions, out: M.OhemSampleOutputs): void {
  emit(samplerTwins.ohemSample(i.gtInds, o.numAdded, i.losses, o.num, o.numExpectedPos, o.negPosUb), out);
}

export function iouBalancedSampleKernel(i: M.IouBalancedSampleInputs, o: M.IouBalancedSampleOptions, out: M.IouBalancedSampleOutputs): void {
  emit(samplerTwins.iouBalancedSample(i.gtInds, i.maxOverlaps, o.numAdded, o.num, o.numExpectedPos, o.negPosUb, o.seed, o.floorThr, o.floorFraction, o.numBins), out);
}

export function hardNegativeMiningKernel(i: M.HardNegativeMiningInputs, o: M.HardNegativeMiningOptions, out: M.HardNegativeMiningOutputs): void {
  emit(samplerTwins.hardNegativeMining(i.losses, i.labels, o.numImages, o.numClasses, o.negPosRatio), out);
}

export function bboxOverlapsKernel(i: M.BboxOverlapsInputs, o: M.BboxOverlapsOptions, out: M.BboxOverlapsOutputs): void {
  geometryKernels.bboxOverlaps(i.boxes1, i.boxes2, o.mode, o.aligned, o.eps, o.offset, out.out);
}

export function sigmoidLossKernel(i: M.SigmoidLossInputs, o: M.SigmoidLossOptions, out: M.SigmoidLossOutputs): void {
  out.sum[0] = focalKernels.sigmoidLoss(
    i.logits, o.n, o.c, i.targets, o.useLabels, i.labels, i.weight, i.labelWeights, o.kind, o.hasAlpha, o.alpha, o.gamma, o.beta, o.scale,
    out.lossElements, out.grad,
  );
}

export function ghmCKernel(i: M.GhmCInputs, o: M.GhmCOptions, out: M.GhmCOutputs): void {
  const r = ghmKernels.ghmC(
    i.logits, o.numClasses, o.useLabels, i.targets, i.labels, i.labelWeights, i.accSum, o.bins, o.momentum, o.allBins, o.biasCorrection,
    o.steps, o.lossWeight, o.mean, out.lossElements, out.grad, out.weights, out.g,
  );
  out.counts.set(r.counts);
  out.accSumOut.set(r.accSum);
  out.stats.set([r.lossSum, r.loss, r.tot, r.nonEmpty, r.scale, r.updated ? 1 : 0]);
}
