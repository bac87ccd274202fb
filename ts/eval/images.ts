/**
 * Per-image grouping and overlaps: the unit of work the evaluator (and the CLI's worker pool) runs on.
 */
import { getBackend } from '../registry';
import type { GtSet, DetSet } from './input';

export interface ImageGt {
  id: number;
  categoryId: number;
  xywh: [number, number, number, number];
  area: number;
  crowd: boolean;
  /** VOC "difficult" (COCO evaluation ignores the flag). */
  difficult?: boolean;
}
export interface ImageDet {
  /** Position of the detection in the input list. */
  index: number;
  categoryId: number;
  xywh: [number, number, number, number];
  area: number;
  score: number;
}
/** Everything about one image that the per-image stages need (structured-clone friendly). */
export interface ImageInput {
  imageId: number;
  width: number;
  height: number;
  gts: ImageGt[];
  dets: ImageDet[];
}

/** Groups gt and detections by image, images in ascending id order (as pycocotools sorts `imgIds`). */
export function groupByImage(gt: GtSet, dt: DetSet): ImageInput[] {
  const map = new Map<number, ImageInput>();
  for (const im of gt.images) map.set(im.id, { imageId: im.id, width: im.width, height: im.height, gts: [], dets: [] });
  for (const b of gt.boxes) map.get(b.imageId)!.gts.push({ id: b.id, categoryId: b.categoryId, xywh: b.xywh, area: b.area, crowd: b.crowd, difficult: b.difficult });
  for (const d of dt.dets) map.get(d.imageId)!.dets.push({ index: d.index, categoryId: d.categoryId, xywh: d.xywh, area: d.area, score: d.score });
  return [...map.values()].sort((a, b) => a.imageId - b.imageId);
}

/** `[N, 4]` xyxy float32 corners `[x, y, x + w, y + h]` from COCO xywh boxes. */
export function toXyxy(boxes: { xywh: [number, number, number, number] }[]): Float32Array {
  const out = new Float32Array(boxes.length * 4);
  boxes.forEach((b, i) => {
    const [x, y, w, h] = b.xywh;
    out[4 * i] = x;
    out[4 * i + 1] = y;
    out[4 * i + 2] = x + w;
    out[4 * i + 3] = y + h;
  });
  return out;
}

/** `[N, 4]` float64 COCO `[x, y, w, h]` boxes, flat. */
export function toXywh64(boxes: { xywh: [number, number, number, number] }[]): Float64Array {
  const out = new Float64Array(boxes.length * 4);
  boxes.forEach((b, i) => out.set(b.xywh, 4 * i));
  return out;
}

/**
 * Detection × gt overlaps of one image, `[D, G]` row-major float64, through the active backend's
 * float64 evaluation kernel (`evalOverlaps`, pycocotools `bbIou` operation for operation, from the
 * input `[x, y, w, h]`): IoU against ordinary gt boxes, `inter / area(det)` against crowd boxes.
 * `legacyOffset`: the corners `[x, y, x + w, y + h]` are inclusive pixel indices (VOC), so widths are
 * `w + 1` (Cartucho/mAP's convention; its COCO export stores `w = x2 − x1`).
 */
export function imageOverlaps(img: ImageInput, legacyOffset = false): Float64Array {
  const D = img.dets.length, G = img.gts.length;
  if (D === 0 || G === 0) return new Float64Array(D * G);
  const crowd = new Uint8Array(G);
  img.gts.forEach((g, j) => (crowd[j] = g.crowd ? 1 : 0));
  return getBackend().evalOverlaps({ dets: toXywh64(img.dets), gts: toXywh64(img.gts), crowd }, { offset: legacyOffset ? 1 : 0 }).out;
}

/** Indices `0..n-1` sorted by descending score, ties in input order (a stable sort, like numpy mergesort). */
export function byScoreDesc(scores: ArrayLike<number>): number[] {
  const idx = new Array<number>(scores.length);
  for (let i = 0; i < scores.length; i++) idx[i] = i;
  return idx.sort((a, b) => scores[b] - scores[a] || a - b);
}
