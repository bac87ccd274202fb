/**
 * Samples for the analyses = the detections. A detection matched to a gt box of its class at
 * IoU ≥ 0.5 (greedy by score per image, VOC style) is a positive with that IoU; every other detection
 * is a negative (its IoU is the best IoU with a gt box of its class, used for plotting only). Its
 * logit is `log(s / (1 − s))` of its score `s`, clamped to `[1e-6, 1 − 1e-6]`.
 */
import type { VocImageEval, VocColumnsMatch, CocoColumns } from 'soft-sampling/internal';
import type { ImageInput } from 'soft-sampling/internal';
import { argsortFloat64 } from './sort';

export interface Sample {
  /** Index of the detection in the results list. */
  index: number;
  imageId: number;
  categoryId: number;
  score: number;
  logit: number;
  /** 1 positive, 0 negative. */
  target: 0 | 1;
  iou: number;
  /** Position of the matched (positive) / best (negative) gt box in its image's gt list; −1 when none. */
  gt: number;
}

export const SCORE_EPS = 1e-6;

export function logitOf(score: number): number {
  const s = Math.min(1 - SCORE_EPS, Math.max(SCORE_EPS, score));
  return Math.log(s / (1 - s));
}

/**
 * The samples of a run in flat columns `[N]` (one entry per sample, in input order = ascending
 * detection index): ≈ 50 bytes a sample instead of a ~150-byte object, so 500k detections stay
 * small. The positives (a few per image) are also kept as {@link Sample} objects.
 */
export interface SampleSet {
  length: number;
  /** Index of the detection in the results list. */
  index: Uint32Array;
  imageId: Float64Array;
  categoryId: Float64Array;
  score: Float64Array;
  /** `logitOf(score)`. */
  logit: Float64Array;
  /** 1 positive, 0 negative. */
  target: Uint8Array;
  iou: Float64Array;
  /** Position of the matched (positive) / best (negative) gt box in its image's gt list; −1 when none. */
  gt: Int32Array;
  /** Positions of the positives in the set, ascending. */
  posIdx: Int32Array;
  /** The positives as objects, in set order (`positives[j]` is sample `posIdx[j]`). */
  positives: Sample[];
}

/** Samples in input order (by detection index) from the per-image VOC matches; ignored detections (tp −1) are left out. */
export function buildSamples(voc: VocImageEval[]): SampleSet {
  let n = 0, maxIndex = -1;
  for (const e of voc) {
    for (const d of e.dets) {
      if (d.tp === -1) continue;
      n++;
      if (d.index > maxIndex) maxIndex = d.index;
    }
  }
  // (image, det) of every sample, then put in detection-index order (indices are unique)
  const img = new Int32Array(n), pos = new Int32Array(n), key = new Float64Array(n);
  let w = 0;
  voc.forEach((e, ei) => {
    e.dets.forEach((d, di) => {
      if (d.tp === -1) return;
      img[w] = ei;
      pos[w] = di;
      key[w] = d.index;
      w++;
    });
  });
  let order: Int32Array;
  if (maxIndex < 8 * n + 1024) {
    const slot = new Int32Array(maxIndex + 1).fill(-1);
    for (let q = 0; q < n; q++) slot[key[q]] = q;
    order = new Int32Array(n);
    let o = 0;
    for (let i = 0; i <= maxIndex; i++) if (slot[i] >= 0) order[o++] = slot[i];
  } else {
    order = Int32Array.from([...Array(n).keys()].sort((a, b) => key[a] - key[b]));
  }
  const set = allocSampleSet(n);
  const posIdx: number[] = [];
  for (let i = 0; i < n; i++) {
    const e = voc[img[order[i]]];
    const d = e.dets[pos[order[i]]];
    set.index[i] = d.index;
    set.imageId[i] = e.imageId;
    set.categoryId[i] = d.categoryId;
    set.score[i] = d.score;
    set.logit[i] = logitOf(d.score);
    set.target[i] = d.tp === 1 ? 1 : 0;
    set.iou[i] = d.iou;
    set.gt[i] = d.gt;
    if (d.tp === 1) {
      posIdx.push(i);
      set.positives.push(sampleAt(set, i));
    }
  }
  set.posIdx = Int32Array.from(posIdx);
  return set;
}

/**
 * {@link buildSamples} from the flat matches of a whole set ({@link VocColumnsMatch} over
 * `cols`, `dtIndex` each detection's position in the input list, `imageIds` the image id of each
 * image index): the same set, without per-image objects.
 */
export function buildSamplesFromColumns(cols: CocoColumns, dtIndex: Uint32Array, m: VocColumnsMatch, imageIds: ArrayLike<number>): SampleSet {
  const D = dtIndex.length;
  let n = 0, maxIndex = -1;
  for (let q = 0; q < D; q++) {
    if (m.tp[q] === -1) continue;
    n++;
    if (dtIndex[q] > maxIndex) maxIndex = dtIndex[q];
  }
  // the samples' positions in the columns, in detection-index order (indices are unique)
  let order: Int32Array;
  if (maxIndex < 8 * n + 1024) {
    const slot = new Int32Array(maxIndex + 1).fill(-1);
    for (let q = 0; q < D; q++) if (m.tp[q] !== -1) slot[dtIndex[q]] = q;
    order = new Int32Array(n);
    let o = 0;
    for (let i = 0; i <= maxIndex; i++) if (slot[i] >= 0) order[o++] = slot[i];
  } else {
    const qs: number[] = [];
    for (let q = 0; q < D; q++) if (m.tp[q] !== -1) qs.push(q);
    order = Int32Array.from(qs.sort((a, b) => dtIndex[a] - dtIndex[b]));
  }
  const set = allocSampleSet(n);
  const posIdx: number[] = [];
  for (let i = 0; i < n; i++) {
    const q = order[i];
    const s = cols.dtScore[q];
    set.index[i] = dtIndex[q];
    set.imageId[i] = imageIds[cols.dtImage[q]];
    set.categoryId[i] = cols.catIds[cols.dtCat[q]];
    set.score[i] = s;
    set.logit[i] = logitOf(s);
    set.target[i] = m.tp[q] === 1 ? 1 : 0;
    set.iou[i] = m.iou[q];
    set.gt[i] = m.gt[q];
    if (m.tp[q] === 1) {
      posIdx.push(i);
      set.positives.push(sampleAt(set, i));
    }
  }
  set.posIdx = Int32Array.from(posIdx);
  return set;
}

/** Sample `i` of a set as an object. */
export function sampleAt(set: SampleSet, i: number): Sample {
  return { index: set.index[i], imageId: set.imageId[i], categoryId: set.categoryId[i], score: set.score[i], logit: set.logit[i], target: set.target[i] === 1 ? 1 : 0, iou: set.iou[i], gt: set.gt[i] };
}

/** Number of non-crowd gt boxes per image, and a map image id → position (for IoU-HLR inputs). */
export function imageIndex(images: ImageInput[]): Map<number, number> {
  return new Map(images.map((im, i) => [im.imageId, i]));
}

/** Deterministic PRNG (mulberry32) for the random-sample selection; one definition, in the bench cases. */
export { mulberry32 } from '../bench/cases';

/** Most points a scatter layer of a chart draws (its data files keep every sample; the report says what was drawn). */
export const POINTS_PER_LAYER = 5000;

/**
 * At most `max` of `rows` (≥ 4) for a scatter layer, deterministically: stratified by `x` (the rows
 * ranked by ascending x, ties in input order, taken at evenly spaced ranks — so the least and greatest
 * x are kept) plus the rows of least and greatest `y`: exactly `max` rows, in input order; `rows`
 * itself when it has at most `max`.
 */
export function thinPoints<T extends Record<string, unknown>>(rows: T[], max: number, x: keyof T, y: keyof T): T[] {
  if (rows.length <= max) return rows;
  return thinIndices(Float64Array.from(rows, (r) => r[x] as number), Float64Array.from(rows, (r) => r[y] as number), max).map((i) => rows[i]);
}

/** {@link thinPoints} on columns: the positions (ascending) of the points kept of `xs[i], ys[i]`; all of them when there are at most `max`. */
export function thinIndices(xs: ArrayLike<number>, ys: ArrayLike<number>, max: number): number[] {
  const n = xs.length;
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  // ranks by x, ties in input order: a radix argsort where that is the same order (no NaN, no −0,
  // which the comparator below treats differently), else the comparator sort
  let plain = true;
  for (let i = 0; i < n && plain; i++) if (xs[i] !== xs[i] || Object.is(xs[i], -0)) plain = false;
  const order = plain ? argsortFloat64(xs instanceof Float64Array ? xs : Float64Array.from(xs)) : Array.from({ length: n }, (_, i) => i).sort((a, b) => xs[a] - xs[b] || a - b);
  let yMin = 0, yMax = 0;
  for (let i = 1; i < n; i++) {
    const v = ys[i];
    if (v < ys[yMin]) yMin = i;
    if (v > ys[yMax]) yMax = i;
  }
  const keep = new Set<number>([yMin, yMax]);
  const m = max - 2;
  for (let k = 0; k < m; k++) keep.add(order[Math.round((k * (n - 1)) / (m - 1))]);
  // exactly `max`: when a y-extreme was also an x-rank pick, the midpoints between picks fill in
  for (let k = 0; keep.size < max && k < m - 1; k++) keep.add(order[Math.round(((k + 0.5) * (n - 1)) / (m - 1))]);
  return [...keep].sort((a, b) => a - b);
}

/** The report's line for a thinned chart: "n of N samples drawn …" (undefined when nothing was left out). */
export function drawnLine(drawn: number, total: number, what: string): string | undefined {
  return drawn < total ? `Chart: ${drawn} of ${total} ${what} drawn (stratified by IoU, the extremes kept); the data files keep all of them.` : undefined;
}

/** Keeps at most `max` evenly spaced points of a sorted series (always the first and last). */
export function thin<T>(xs: T[], max: number): T[] {
  if (xs.length <= max) return xs;
  const out: T[] = [];
  for (let k = 0; k < max; k++) out.push(xs[Math.round((k * (xs.length - 1)) / (max - 1))]);
  return out;
}

const columnCache = new WeakMap<SampleSet, { logits: Float32Array; targets: Float32Array }>();

/**
 * The samples' logits and targets as float32 columns `[N]`, built once per sample set and shared
 * by the analyses (treat them as read-only).
 */
export function sampleColumns(samples: SampleSet): { logits: Float32Array; targets: Float32Array } {
  let c = columnCache.get(samples);
  if (!c) {
    c = { logits: Float32Array.from(samples.logit), targets: Float32Array.from(samples.target) };
    columnCache.set(samples, c);
  }
  return c;
}

/** A {@link SampleSet} of sample objects already in set order (the dense mode's anchors × classes). */
export function sampleSetOf(samples: Sample[]): SampleSet {
  const n = samples.length;
  const set = allocSampleSet(n);
  const posIdx: number[] = [];
  samples.forEach((s, i) => {
    set.index[i] = s.index;
    set.imageId[i] = s.imageId;
    set.categoryId[i] = s.categoryId;
    set.score[i] = s.score;
    set.logit[i] = s.logit;
    set.target[i] = s.target;
    set.iou[i] = s.iou;
    set.gt[i] = s.gt;
    if (s.target === 1) {
      posIdx.push(i);
      set.positives.push(s);
    }
  });
  set.posIdx = Int32Array.from(posIdx);
  return set;
}

/** A sample set of `n` zeroed columns (its positives filled in by the builder). */
function allocSampleSet(n: number): SampleSet {
  return {
    length: n,
    index: new Uint32Array(n), imageId: new Float64Array(n), categoryId: new Float64Array(n), score: new Float64Array(n), logit: new Float64Array(n),
    target: new Uint8Array(n), iou: new Float64Array(n), gt: new Int32Array(n), posIdx: new Int32Array(0), positives: [],
  };
}
