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
}
