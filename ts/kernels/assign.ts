/**
 * Kernel-level signatures: MaxIoU assignment and the hard samplers (issue 4). Same contract as
 * `GeometryKernels`: validated buffers in, buffers out; the public API (`ts/api/assign.ts`)
 * validates and shapes around them.
 *
 * Samplers return one packed `Int32Array` `[numPos, numNeg, pos..., neg..., posGt...]`
 * (`posGt` = 0-based gt index of each positive; absent for `hardNegativeMining`), indices ascending.
 * Candidates are `[added gts; priors]`: with `numAdded = G > 0` candidate `c < G` is gt `c`.
 */
export interface AssignRaw {
  /** `−1` ignored, `0` negative, `j + 1` gt `j`. */
  gtInds: Int32Array;
  maxOverlaps: Float32Array;
  /** gt label of positives, else `−1`. */
  labels: Int32Array;
}

export interface AssignKernels {
  randomSample(gtInds: Int32Array, numAdded: number, num: number, numExpectedPos: number, negPosUb: number, seed: number): Int32Array;
  ohemSample(gtInds: Int32Array, numAdded: number, losses: Float32Array, num: number, numExpectedPos: number, negPosUb: number): Int32Array;
  iouBalancedSample(
    gtInds: Int32Array, maxOverlaps: Float32Array, numAdded: number, num: number, numExpectedPos: number, negPosUb: number,
    seed: number, floorThr: number, floorFraction: number, numBins: number,
  ): Int32Array;
  /** losses/labels are `numImages × P`; returns `[numPos, numNeg, pos..., neg...]` (flat indices). */
  hardNegativeMining(losses: Float32Array, labels: Int32Array, numImages: number, numClasses: number, negPosRatio: number): Int32Array;
}
