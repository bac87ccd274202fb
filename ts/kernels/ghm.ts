/**
 * What a GHM-C / GHM-R call gives: the facade (`ts/api/ghm.ts`) builds it from a declared `ghmC` /
 * `ghmR` call (the kernel's `stats` output unpacked), and the positional TS twins return it
 * (element buffers have the input's length; bin buffers `bins`).
 */
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
