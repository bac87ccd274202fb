/**
 * Kernel-level signatures of the geometry ops: validated float32 buffers in, buffers out.
 * Every backend (native addon, wasm glue, pure TS) implements exactly these; the public API in
 * `ts/api/geometry.ts` validates and shapes around them. Enum arguments are numeric codes.
 */
export interface GeometryKernels {
  /**
   * mode: 0 iou, 1 iof, 2 giou; offset 0 or 1 (legacy +1). Writes into `out` (length N when
   * aligned, else N·M) when given, else into a new array; returns the array written.
   */
  bboxOverlaps(boxes1: Float32Array, boxes2: Float32Array, mode: number, aligned: boolean, eps: number, offset: number, out?: Float32Array): Float32Array;
  deltaEncode(priors: Float32Array, gt: Float32Array, means: Float32Array, stds: Float32Array): Float32Array;
  /** maxShape: `[H, W]` or empty for no clipping. */
  deltaDecode(priors: Float32Array, deltas: Float32Array, means: Float32Array, stds: Float32Array, whRatioClip: number, maxShape: Float32Array): Float32Array;
  /**
   * Aligned IoU (`[N]`) of the boxes `deltas1` and `deltas2` (`[N,4]` each) decode to on the same
   * `[N,4]` priors, computed in prior-relative float64 units (exact to float32 at any magnitude);
   * `eps` floors the union (pixel²). A prior of zero width or height gives 0.
   */
  decodedIou(priors: Float32Array, deltas1: Float32Array, deltas2: Float32Array, means: Float32Array, stds: Float32Array, whRatioClip: number, eps: number): Float32Array;
}
