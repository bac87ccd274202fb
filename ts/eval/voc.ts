/**
 * PASCAL-VOC-style AP: per class, detections sorted by score (ties in input order) and matched
 * greedily to the unmatched gt box of the same image with the highest IoU (≥ threshold → TP, else FP;
 * a second detection of an already matched gt is a FP); all-point (VOC2010+) or 11-point (VOC2007)
 * interpolation; mAP = mean over the classes that have gt.
 */
import { byScoreDesc, imageOverlaps, type ImageInput } from './images';
import type { CocoColumns } from './coco';
import { identityOrder, orderByScoreDesc, orderByUint32 } from './order';

/** Options of {@link evaluateVoc}; every field is optional. */
export interface VocEvalOptions {
  /** IoU threshold of a true positive; default `0.5`; matched when `IoU ≥ threshold`. */
  iouThreshold?: number;
  /** `'all-point'` (default, VOC2010+, Cartucho/mAP, podm) or `'11-point'` (VOC2007). */
  interpolation?: 'all-point' | '11-point';
  /** VOC `+1` pixel convention in the IoU (`w = x2 − x1 + 1`); default `false`. */
  legacyOffset?: boolean;
}

/** One detection's outcome (per-image stage). */
export interface VocDetMatch {
  /** Index of the detection in the input list. */
  index: number;
  categoryId: number;
  score: number;
  /** 1 true positive, 0 false positive, −1 ignored (its best gt, at IoU ≥ threshold, is difficult or crowd). */
  tp: 1 | 0 | -1;
  /** IoU with the best same-class gt box of the image (0 when there is none). */
  iou: number;
  /** Position (within the image) of that gt box, −1 when none. */
  gt: number;
}
export interface VocImageEval {
  imageId: number;
  /** Detections in matching order (score descending, ties in input order). */
  dets: VocDetMatch[];
  /** Gt boxes per category of this image that count as positives (neither difficult nor crowd). */
  nGt: [number, number][];
}

/**
 * Greedy VOC matching of one image: detections in descending score order (ties: input order) take the
 * same-class gt box with the highest IoU; a TP when that IoU ≥ `thr` and the box is still free.
 * VOC "difficult" boxes (`difficult: true`), as the VOC devkit (`VOCevaldet.m`) treats them: matched
 * by IoU like any other box, a detection whose best box (at IoU ≥ `thr`) is difficult is neither TP
 * nor FP (ignored), and they do not count as positives. Crowd boxes keep COCO's rule: their overlap
 * is `inter / det area`, and a detection whose best box is a crowd box is likewise ignored.
 */
export function vocMatchImage(img: ImageInput, thr: number, legacyOffset = false): VocImageEval {
  const ious = imageOverlaps(img, legacyOffset);
  const G = img.gts.length;
  const used = new Uint8Array(G);
  const order = byScoreDesc(img.dets.map((d) => d.score));
  const dets: VocDetMatch[] = [];
  for (const i of order) {
    const d = img.dets[i];
    let best = -1, bestIou = -Infinity;
    for (let j = 0; j < G; j++) {
      if (img.gts[j].categoryId !== d.categoryId) continue;
      const v = ious[i * G + j];
      if (v > bestIou) {
        bestIou = v;
        best = j;
      }
    }
    let tp: 1 | 0 | -1 = 0;
    if (best >= 0 && bestIou >= thr) {
      if (img.gts[best].crowd || img.gts[best].difficult) tp = -1;
      else if (!used[best]) {
        used[best] = 1;
        tp = 1;
      }
    }
    dets.push({ index: d.index, categoryId: d.categoryId, score: d.score, tp, iou: best >= 0 ? bestIou : 0, gt: best });
  }
  const counts = new Map<number, number>();
  for (const g of img.gts) if (!g.crowd && !g.difficult) counts.set(g.categoryId, (counts.get(g.categoryId) ?? 0) + 1);
  return { imageId: img.imageId, dets, nGt: [...counts.entries()].sort((a, b) => a[0] - b[0]) };
}

/** One class of a {@link VocEvalResult}. */
export interface VocClassResult {
  /** COCO category id. */
  categoryId: number;
  /** Category name. */
  name: string;
  /** Average precision; −1 for a class without gt (not in the mAP). */
  ap: number;
  /** Non-crowd gt boxes of the class. */
  nGt: number;
  /** Detections of the class (those matching crowd boxes included). */
  nDet: number;
  /** True positives. */
  tp: number;
  /** False positives. */
  fp: number;
  /** Cumulative precision / recall after each detection (score order), ignored ones skipped. */
  precision: number[];
  /** Cumulative recall after each detection (TP so far / `nGt`). */
  recall: number[];
}
/** Result of {@link evaluateVoc}. */
export interface VocEvalResult {
  /** Mean AP over the classes with at least one (non-crowd) gt box. */
  mAP: number;
  /** The IoU threshold used. */
  iouThreshold: number;
  /** The interpolation used. */
  interpolation: 'all-point' | '11-point';
  /** Per class, in category order. */
  classes: VocClassResult[];
}

/**
 * All-point interpolated AP (VOC2010+): area under the precision envelope.
 * `recall` and `precision` are the cumulative values after each detection in score order (equal
 * lengths — not validated). Source: VOC devkit `VOCap.m`, Cartucho/mAP `voc_ap`. Never throws.
 */
export function apAllPoint(recall: readonly number[], precision: readonly number[]): number {
  const mrec = [0, ...recall, 1];
  const mpre = [0, ...precision, 0];
  for (let i = mpre.length - 2; i >= 0; i--) mpre[i] = Math.max(mpre[i], mpre[i + 1]);
  let ap = 0;
  for (let i = 1; i < mrec.length; i++) if (mrec[i] !== mrec[i - 1]) ap += (mrec[i] - mrec[i - 1]) * mpre[i];
  return ap;
}

/**
 * 11-point interpolated AP (VOC2007): mean over r ∈ {0, .1, …, 1} of the max precision at recall ≥ r.
 * The recall points are `k · 0.1` in float64, as `np.linspace(0, 1, 11)`, `np.arange(0, 1.1, 0.1)`
 * (py-faster-rcnn `voc_eval`) and MATLAB's `0:0.1:1` (VOCdevkit) produce them — so 0.3, 0.6 and 0.7
 * are a hair above their decimal values and a recall of exactly 9/15 = 0.6 does not reach the 0.6 point.
 * Source: VOC2007 devkit, py-faster-rcnn `voc_eval(use_07_metric=True)`. Never throws; equal
 * lengths are not validated.
 */
export function ap11Point(recall: readonly number[], precision: readonly number[]): number {
  let s = 0;
  for (let k = 0; k <= 10; k++) {
    const r = k * 0.1;
    let p = 0;
    for (let i = 0; i < recall.length; i++) if (recall[i] >= r && precision[i] > p) p = precision[i];
    s += p;
  }
  return s / 11;
}

/** Accumulates per-image matches (images in any fixed order) into per-class AP and the mAP. */
export function vocAccumulate(evals: VocImageEval[], categories: { id: number; name: string }[], o: { iouThreshold: number; interpolation: 'all-point' | '11-point' }): VocEvalResult {
  const nGt = new Map<number, number>();
  const byCat = new Map<number, VocDetMatch[]>();
  for (const e of evals) {
    for (const [c, n] of e.nGt) nGt.set(c, (nGt.get(c) ?? 0) + n);
    for (const d of e.dets) {
      if (!byCat.has(d.categoryId)) byCat.set(d.categoryId, []);
      byCat.get(d.categoryId)!.push(d);
    }
  }
  const classes: VocClassResult[] = [];
  for (const cat of [...categories].sort((a, b) => a.id - b.id)) {
    const ds = (byCat.get(cat.id) ?? []).slice().sort((a, b) => b.score - a.score || a.index - b.index);
    const n = nGt.get(cat.id) ?? 0;
    if (n === 0 && ds.length === 0) continue;
    let tp = 0, fp = 0;
    const precision: number[] = [], recall: number[] = [];
    for (const d of ds) {
      if (d.tp === -1) continue;
      if (d.tp === 1) tp++;
      else fp++;
      precision.push(tp / (tp + fp));
      recall.push(n > 0 ? tp / n : 0);
    }
    const ap = n === 0 ? -1 : o.interpolation === '11-point' ? ap11Point(recall, precision) : apAllPoint(recall, precision);
    classes.push({ categoryId: cat.id, name: cat.name, ap, nGt: n, nDet: ds.length, tp, fp, precision, recall });
  }
  const valid = classes.filter((c) => c.nGt > 0);
  const mAP = valid.length ? valid.reduce((s, c) => s + c.ap, 0) / valid.length : 0;
  return { mAP, iouThreshold: o.iouThreshold, interpolation: o.interpolation, classes };
}

/**
 * The VOC matches of a whole set in flat arrays, one entry per detection `[D]` in the order of the
 * columns: what {@link vocMatchImage} gives per image, without per-image objects.
 */
export interface VocColumnsMatch {
  /** 1 true positive, 0 false positive, −1 ignored (its best gt, at IoU ≥ threshold, is difficult or crowd). */
  tp: Int8Array;
  /** IoU with the best same-class gt box of the image (0 when there is none). */
  iou: Float64Array;
  /** Position of that gt box among its image's gt boxes (in column order), −1 when none. */
  gt: Int32Array;
  /** `[K]` gt boxes per category index that count as positives (neither difficult nor crowd). */
  nGt: Float64Array;
}

/**
 * {@link vocMatchImage} over every image of a set in flat arrays ({@link CocoColumns}; gt and
 * detections in any order, an image's boxes keep their column order, which settles score ties as
 * the per-image path's input order does). `gtDifficult` `[G]` (1: VOC difficult; empty: none).
 * The overlaps are the float64 `[x, y, w, h]` formula of the backends' `evalOverlaps` (pycocotools
 * `bbIou`, `inter / det area` against crowd boxes, `+1` widths with `legacyOffset`), computed only
 * for same-class pairs. Gives exactly the per-image path's matches. Source: VOC devkit `VOCevaldet.m`
 * (greedy by score, difficult boxes matched then ignored). Never throws (the columns are trusted:
 * indices below `numImages` / the number of categories).
 */
export function vocMatchColumns(c: CocoColumns, gtDifficult: Uint8Array, thr: number, legacyOffset = false): VocColumnsMatch {
  const G = c.gtImage.length, D = c.dtImage.length, N = c.numImages, K = c.catIds.length;
  const off = legacyOffset ? 1 : 0;
  const [gStart, gOrder] = bucketBy(c.gtImage, N);
  // each image's detections by descending score, ties in column order (byScoreDesc): one radix sort
  // of the whole set by score, then bucketed by image (stable)
  const [dStart, dOrder] = bucketBy(c.dtImage, N, orderByScoreDesc(c.dtScore, identityOrder(D)));
  const tp = new Int8Array(D), iou = new Float64Array(D), gtPos = new Int32Array(D).fill(-1);
  const nGt = new Float64Array(K);
  const gb = c.gtBox, db = c.dtBox;
  let used = new Uint8Array(16);
  for (let im = 0; im < N; im++) {
    const g0 = gStart[im], g1 = gStart[im + 1], d0 = dStart[im], d1 = dStart[im + 1];
    for (let j = g0; j < g1; j++) {
      const g = gOrder[j];
      if (!c.gtCrowd[g] && !gtDifficult[g]) nGt[c.gtCat[g]]++;
    }
    if (d1 === d0) continue;
    const ng = g1 - g0;
    if (used.length < ng) used = new Uint8Array(2 * ng);
    used.fill(0, 0, ng);
    for (let k = d0; k < d1; k++) {
      const q = dOrder[k];
      const cat = c.dtCat[q];
      const o = 4 * q;
      const dx = db[o], dy = db[o + 1], dw = db[o + 2], dh = db[o + 3];
      const da = (dw + off) * (dh + off);
      let best = -1, bestIou = -Infinity;
      for (let j = 0; j < ng; j++) {
        const g = gOrder[g0 + j];
        if (c.gtCat[g] !== cat) continue;
        const p = 4 * g;
        const gx = gb[p], gy = gb[p + 1], gw = gb[p + 2], gh = gb[p + 3];
        let v = 0;
        const a1 = dw + dx, b1 = gw + gx;
        const w = (a1 < b1 ? a1 : b1) - (dx > gx ? dx : gx) + off;
        if (w > 0) {
          const a2 = dh + dy, b2 = gh + gy;
          const h = (a2 < b2 ? a2 : b2) - (dy > gy ? dy : gy) + off;
          if (h > 0) {
            const i = w * h;
            v = i / (c.gtCrowd[g] !== 0 ? da : da + (gw + off) * (gh + off) - i);
          }
        }
        if (v > bestIou) {
          bestIou = v;
          best = j;
        }
      }
      let t = 0;
      if (best >= 0 && bestIou >= thr) {
        const g = gOrder[g0 + best];
        if (c.gtCrowd[g] || gtDifficult[g]) t = -1;
        else if (!used[best]) {
          used[best] = 1;
          t = 1;
        }
      }
      tp[q] = t;
      iou[q] = best >= 0 ? bestIou : 0;
      gtPos[q] = best;
    }
  }
  return { tp, iou, gt: gtPos, nGt };
}

/**
 * Stable counting sort of the positions `0..keys.length` by key (`keys[i] < n`), taken in the order
 * `within` (default ascending): `[start (n+1), order]`.
 */
function bucketBy(keys: Uint32Array, n: number, within?: Uint32Array): [Uint32Array, Uint32Array] {
  const start = new Uint32Array(n + 1);
  for (let i = 0; i < keys.length; i++) start[keys[i] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const fill = start.slice(0, n);
  const order = new Uint32Array(keys.length);
  if (within) for (let j = 0; j < within.length; j++) order[fill[keys[within[j]]]++] = within[j];
  else for (let i = 0; i < keys.length; i++) order[fill[keys[i]]++] = i;
  return [start, order];
}

/**
 * {@link vocAccumulate} of {@link vocMatchColumns}' matches: per category (ascending id; those with
 * neither gt nor detections left out), detections by descending score, ties by `dtIndex` (each
 * detection's position in the input list, as the per-image path's `index`: integers in [0, 2^32)), the same cumulative
 * precision / recall and AP. `categories` are the set's categories; a category index `k` of the
 * columns is `c.catIds[k]`. Never throws.
 */
export function vocAccumulateColumns(
  c: CocoColumns, dtIndex: ArrayLike<number>, m: VocColumnsMatch, categories: { id: number; name: string }[],
  o: { iouThreshold: number; interpolation: 'all-point' | '11-point' },
): VocEvalResult {
  const K = c.catIds.length;
  // each category's detections by descending score, ties by dtIndex, then column order (a stable
  // comparator sort's order): two radix sorts of the whole set, then bucketed by category (stable)
  const D = c.dtCat.length;
  const [cStart, cOrder] = bucketBy(c.dtCat, K, orderByScoreDesc(c.dtScore, orderByUint32(dtIndex, identityOrder(D))));
  const catIdx = new Map(c.catIds.map((id, k) => [id, k] as [number, number]));
  const classes: VocClassResult[] = [];
  for (const cat of [...categories].sort((a, b) => a.id - b.id)) {
    const k = catIdx.get(cat.id);
    const n = k === undefined ? 0 : m.nGt[k];
    const nd = k === undefined ? 0 : cStart[k + 1] - cStart[k];
    if (n === 0 && nd === 0) continue;
    const ds = nd === 0 ? new Uint32Array(0) : cOrder.subarray(cStart[k!], cStart[k! + 1]);
    let tp = 0, fp = 0;
    const precision: number[] = [], recall: number[] = [];
    for (const q of ds) {
      const t = m.tp[q];
      if (t === -1) continue;
      if (t === 1) tp++;
      else fp++;
      precision.push(tp / (tp + fp));
      recall.push(n > 0 ? tp / n : 0);
    }
    const ap = n === 0 ? -1 : o.interpolation === '11-point' ? ap11Point(recall, precision) : apAllPoint(recall, precision);
    classes.push({ categoryId: cat.id, name: cat.name, ap, nGt: n, nDet: nd, tp, fp, precision, recall });
  }
  const valid = classes.filter((x) => x.nGt > 0);
  const mAP = valid.length ? valid.reduce((s, x) => s + x.ap, 0) / valid.length : 0;
  return { mAP, iouThreshold: o.iouThreshold, interpolation: o.interpolation, classes };
}
