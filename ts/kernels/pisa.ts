/**
 * Kernel-level signatures of the PISA ops (IoU-HLR, ISR-P, ISR-N / Score-HLR, CARL). Same contract
 * as `GeometryKernels`: validated buffers in, buffers out; enum arguments are numeric codes.
 * The gt offsets across images are resolved by the facade: kernels see global gt ids.
 */
export interface HlrResult {
  /** Rank within the class, 0 = most important. */
  ranks: Int32Array;
  /** Largest number of positives of one class (mmdet `max_l_num`). */
  maxLNum: number;
}

export interface IsrPKernelResult extends HlrResult {
  weights: Float32Array;
  /** Factor applied to the weights (1 when guarded or no positives). */
  ratio: number;
  /** True when Σ L·w = 0 and the original label weights were returned. */
  guarded: boolean;
}

export interface CarlKernelResult {
  loss: number;
  gradClsScore: Float32Array;
  gradBboxPred: Float32Array;
  weights: Float32Array;
}

export interface IsrNKernelResult {
  /** Selected negatives (indices into the negatives), HLR-selected first (by rank), then random fill-ins. */
  selected: Int32Array;
  /** Weight of each selected negative. */
  weights: Float32Array;
  /** Number of HLR-selected (valid) negatives at the front of `selected`. */
  numHlr: number;
  /** Number of negatives with score > scoreThr. */
  numValid: number;
  /** Renormalisation factor (1 without losses, when guarded, or without valid negatives). */
  ratio: number;
  guarded: boolean;
}

export interface PisaKernels {
  pisaIsrP(
    labels: Int32Array, gtIds: Int32Array, ious: Float32Array, posLoss: Float32Array, labelWeights: Float32Array,
    prime: Uint8Array, primeMode: number, k: number, bias: number, perClass: boolean, maxRatio: number,
  ): IsrPKernelResult;
  /** Score-HLR over the negatives of one image; `loss` empty (no renormalisation) or one per negative. */
  pisaIsrN(
    scores: Float32Array, boxes: Float32Array, loss: Float32Array, numExpected: number, k: number, bias: number,
    scoreThr: number, iouThr: number, maxRatio: number, seed: number,
  ): IsrNKernelResult;
}
