/**
 * Kernel-level signatures of the evaluation ops (issue 15, issue 9 item 8): float64 overlaps for the
 * evaluators, and the whole COCO evaluation (pycocotools `evaluate` + `accumulate`). Validated flat
 * buffers in, buffers out; boxes are COCO `[x, y, w, h]` float64 (not `xyxy`: pycocotools takes
 * areas as `w·h` and intersections from `x + w`, and converting first would round differently).
 */

/** Flat COCO evaluation input. Images and categories are dense indices in ascending id order. */
export interface CocoEvalKernelInput {
  numImages: number;
  numCats: number;
  /** `[G]` image index of each gt box, in the dataset's annotation order. */
  gtImage: Uint32Array;
  /** `[G]` category index. */
  gtCat: Uint32Array;
  /** `[G, 4]` `[x, y, w, h]`. */
  gtBox: Float64Array;
  /** `[G]` the annotation's `area` (area ranges only). */
  gtArea: Float64Array;
  /** `[G]` 1 for crowd. */
  gtCrowd: Uint8Array;
  /** `[D]` image index of each detection, in the results' order. */
  dtImage: Uint32Array;
  dtCat: Uint32Array;
  /** `[D, 4]` `[x, y, w, h]`. */
  dtBox: Float64Array;
  dtScore: Float64Array;
  /** `[T]` */
  iouThrs: Float64Array;
  /** `[R]` */
  recThrs: Float64Array;
  /** `[M]` ascending, positive. */
  maxDets: Uint32Array;
  /** `[A, 2]` `lo, hi`. */
  areaRanges: Float64Array;
  /** `false`: categories pooled (K = 1). */
  useCats: boolean;
  /** 0, or 1 for the VOC `+1` widths in the overlaps. */
  offset: number;
}

export interface CocoEvalKernelResult {
  /** `[T, R, K, A, M]`, −1 where undefined (pycocotools `eval['precision']`). */
  precision: Float64Array;
  /** `[T, K, A, M]`, −1 where undefined. */
  recall: Float64Array;
}

export interface EvalKernels {
  /**
   * Overlaps `[D, G]` row-major of detections `[D, 4]` and gt `[G, 4]`, `[x, y, w, h]` float64:
   * pycocotools `bbIou` (IoU; `inter / det area` where `crowd[g]` is 1; `crowd` may be empty).
   * `offset` 0, or 1 for VOC's `+1` widths.
   */
  evalOverlaps(dets: Float64Array, gts: Float64Array, crowd: Uint8Array, offset: number): Float64Array;
  /** pycocotools `COCOeval` `evaluate()` + `accumulate()` (iouType bbox). */
  cocoEvaluate(input: CocoEvalKernelInput): CocoEvalKernelResult;
}

/** Output lengths `[precision, recall]` of {@link EvalKernels.cocoEvaluate}. */
export function cocoOutputLens(x: CocoEvalKernelInput): [number, number] {
  const K = x.useCats ? x.numCats : 1;
  const T = x.iouThrs.length, R = x.recThrs.length, A = x.areaRanges.length / 2, M = x.maxDets.length;
  return [T * R * K * A * M, T * K * A * M];
}
