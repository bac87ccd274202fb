/**
 * Kernel-level signatures: GHM-C, GHM-R, smooth L1 and ASL1 losses (issue 3). Same contract as
 * `GeometryKernels`: validated buffers in, buffers out; every backend implements exactly these and
 * `ts/api/ghm.ts` validates and shapes around them.
 */

/** What `ghmC` / `ghmR` return (element buffers have the input's length; bin buffers `bins`). */
export interface GhmKernelResult {
  /** Σ lossElements (float64). */
  lossSum: number;
  /** The reported loss: `scale · lossSum`. */
  loss: number;
  /** The reference's `tot` (≥ 1): #valid elements (GHM-C) or Σ label weights (GHM-R). */
  tot: number;
  /** Number of non-empty bins. */
  nonEmpty: number;
  /** Factor from Σ lossElements to `loss` (and of every gradient element). */
  scale: number;
  /** Whether the moving average was updated (momentum > 0 and at least one valid element). */
  updated: boolean;
  /** Per-element `w · BCE` (GHM-C) or `w · ASL1` (GHM-R), before reduction. */
  lossElements: Float32Array;
  /** Gradient of `loss` w.r.t. the logits / predictions, weights held constant. */
  grad: Float32Array;
  /** Harmonizing weights (0 for ignored elements). */
  weights: Float32Array;
  /** Gradient norms. */
  g: Float32Array;
  /** Valid elements per bin. */
  counts: Float64Array;
  /** The moving average after this call (a copy; the input is not mutated). */
  accSum: Float64Array;
}

/**
 * Element outputs are allocated by the caller (the facade: fresh, distinct arrays of the input's
 * length) and passed last; a backend fills them in place and returns them (native, TS), or
 * returns arrays of its own (wasm, which copies out of its linear memory anyway). This keeps the
 * native addon from allocating and handing over large external buffers on every call.
 */
export interface GhmKernels {
  /**
   * GHM-C. `logits` `[N·C]`; `useLabels` → `labels` `[N]` int32 (outside `[0, C)` = background),
   * else `targets` `[N·C]` floats; `labelWeights` empty, `[N]` or `[N·C]` (a mask: `> 0` valid);
   * `accSum` `[bins]` (not mutated). `mean`: divide by `tot` (reduction `'mean'`).
   */
  ghmC(
    logits: Float32Array, numClasses: number, useLabels: boolean, targets: Float32Array, labels: Int32Array,
    labelWeights: Float32Array, accSum: Float64Array, bins: number, momentum: number, allBins: boolean,
    biasCorrection: boolean, steps: number, lossWeight: number, mean: boolean,
    lossElements: Float32Array, grad: Float32Array, weights: Float32Array, g: Float32Array,
  ): GhmKernelResult;
}
