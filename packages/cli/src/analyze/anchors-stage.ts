/**
 * Anchors mode, per image: RetinaNet anchors over the image, MaxIoU assignment to the gt boxes,
 * and IoU-HLR over the positive anchors.
 */
import { gridAnchors, RETINANET_ANCHORS } from 'soft-sampling';
import { toXyxy, type ImageInput } from 'soft-sampling/internal';
import { maxIouAssign, iouHlr } from 'soft-sampling';

export interface AnchorParams {
  posIouThr: number;
  negIouThr: number;
  minPosIou: number;
  /** Number of histogram bins over IoU ∈ [0, 1]. */
  bins: number;
}

export interface AnchorImageStats {
  imageId: number;
  width: number;
  height: number;
  /** `'image'` (COCO width/height) or `'boxes'` (extent of the boxes: the COCO file gives 0). */
  sizeFrom: 'image' | 'boxes';
  nAnchors: number;
  nPos: number;
  nNeg: number;
  nIgnored: number;
  /** Positive anchors of each (non-crowd) gt box, in gt order. */
  posPerGt: number[];
  /** Histogram of the max IoU of every anchor with a gt, `bins` bins over [0, 1]. */
  iouHist: number[];
  /** Histogram of the IoU of the positive anchors. */
  posIouHist: number[];
  /** For each positive anchor: its IoU, its IoU-HLR rank (within its class, this image), its gt. */
  posIous: number[];
  hlrRanks: number[];
  posGt: number[];
}

/** Image size: the COCO `width/height` when > 0, else the extent of the gt and detection boxes. */
export function imageSize(img: ImageInput): { width: number; height: number; sizeFrom: 'image' | 'boxes' } {
  if (img.width > 0 && img.height > 0) return { width: img.width, height: img.height, sizeFrom: 'image' };
  let w = 1, h = 1;
  for (const b of [...img.gts, ...img.dets]) {
    w = Math.max(w, b.xywh[0] + b.xywh[2]);
    h = Math.max(h, b.xywh[1] + b.xywh[3]);
  }
  return { width: Math.ceil(w), height: Math.ceil(h), sizeFrom: 'boxes' };
}

function hist(values: ArrayLike<number>, bins: number, filter?: (i: number) => boolean): number[] {
  const out = new Array(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    if (filter && !filter(i)) continue;
    out[Math.min(bins - 1, Math.max(0, Math.floor(values[i] * bins)))]++;
  }
  return out;
}

export function anchorImageStage(img: ImageInput, p: AnchorParams): AnchorImageStats {
  const { width, height, sizeFrom } = imageSize(img);
  const sizes = RETINANET_ANCHORS.strides.map((s) => [Math.ceil(height / (s as number)), Math.ceil(width / (s as number))] as [number, number]);
  const { anchors } = gridAnchors(sizes, RETINANET_ANCHORS);
  const gts = img.gts.filter((g) => !g.crowd);
  const nA = anchors.shape[0];
  const base = { imageId: img.imageId, width, height, sizeFrom, nAnchors: nA };
  if (gts.length === 0) {
    return { ...base, nPos: 0, nNeg: nA, nIgnored: 0, posPerGt: [], iouHist: hist(new Float32Array(nA), p.bins), posIouHist: new Array(p.bins).fill(0), posIous: [], hlrRanks: [], posGt: [] };
  }
  const gtLabels = Int32Array.from(gts.map((g) => g.categoryId));
  const res = maxIouAssign(anchors, toXyxy(gts), { gtLabels, posIouThr: p.posIouThr, negIouThr: p.negIouThr, minPosIou: p.minPosIou });
  const gtInds: ArrayLike<number> = res.gtInds.data ?? res.gtInds;
  const maxOv: ArrayLike<number> = res.maxOverlaps.data ?? res.maxOverlaps;
  // mmdet convention: gtInds 0 = negative, −1 = ignored, k > 0 = gt k − 1
  const posPerGt = new Array(gts.length).fill(0);
  const posIdx: number[] = [];
  let nNeg = 0, nIgn = 0;
  for (let i = 0; i < nA; i++) {
    const g = gtInds[i];
    if (g > 0) {
      posPerGt[g - 1]++;
      posIdx.push(i);
    } else if (g === 0) nNeg++;
    else nIgn++;
  }
  const posGt = posIdx.map((i) => gtInds[i] - 1);
  const posIous = posIdx.map((i) => maxOv[i]);
  let hlrRanks: number[] = [];
  if (posIdx.length) {
    const r = iouHlr({ labels: Int32Array.from(posGt.map((g) => gtLabels[g])), gtInds: Int32Array.from(posGt), ious: Float32Array.from(posIous) });
    hlrRanks = Array.from(r.ranks.data as ArrayLike<number>);
  }
  return {
    ...base,
    nPos: posIdx.length,
    nNeg,
    nIgnored: nIgn,
    posPerGt,
    iouHist: hist(maxOv, p.bins),
    posIouHist: hist(posIous, p.bins),
    posIous,
    hlrRanks,
    posGt,
  };
}
