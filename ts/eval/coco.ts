/**
 * COCO-style bbox evaluation with pycocotools semantics (`COCOeval`, iouType `bbox`):
 * IoU thresholds .50:.05:.95, 101 recall points, maxDets 1/10/100, area ranges all/small/medium/large,
 * crowd regions (IoU = inter / det area, matches ignored, may match many detections),
 * per-image greedy matching by score, and the 12-number summary.
 */
import { SoftSamplingError } from '../errors';
import { getBackend } from '../registry';
import { byScoreDesc, imageOverlaps, type ImageInput } from './images';
import type { GtSet, DetSet } from './input';

/** A named gt-area range of the COCO evaluation. */
export interface AreaRange {
  /** `'all'`, `'small'`, `'medium'`, `'large'` for the defaults. */
  label: string;
  /** `[lo, hi]` in pixels²; a gt box is out of range when `area < lo || area > hi`. */
  range: readonly [number, number];
}

/** Options of {@link evaluateCoco} (pycocotools `Params`, camelCased); every field is optional. */
export interface CocoEvalOptions {
  /** IoU thresholds; default `0.5:0.05:0.95` computed as numpy `linspace` does. */
  iouThrs?: readonly number[];
  /** Recall points of the interpolated precision; default 101 points `0:0.01:1`. */
  recThrs?: readonly number[];
  /** Detections kept per image (by score), ascending; default `[1, 10, 100]`. */
  maxDets?: readonly number[];
  /** Area ranges; default all `[0, 1e10]`, small `[0, 32²]`, medium `[32², 96²]`, large `[96², 1e10]`. */
  areaRanges?: readonly AreaRange[];
  /** Evaluate per category (default `true`); `false` pools every category into one. */
  useCats?: boolean;
  /** VOC `+1` pixel convention for box widths in the IoU; default `false` (pycocotools has none). */
  legacyOffset?: boolean;
}

/** Resolved parameters (what was used). */
export interface CocoParams {
  /** IoU thresholds `T`. */
  iouThrs: number[];
  /** Recall points `R`. */
  recThrs: number[];
  /** Detections per image `M`, ascending. */
  maxDets: number[];
  /** Area ranges `A`. */
  areaRanges: AreaRange[];
  /** Per-category evaluation. */
  useCats: boolean;
  /** VOC `+1` widths in the IoU. */
  legacyOffset: boolean;
}

function linspace(start: number, stop: number, num: number): number[] {
  // numpy.linspace(start, stop, num, endpoint=True): y = arange(num) * step + start; y[-1] = stop
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, i) => i * step + start);
  out[num - 1] = stop;
  return out;
}

/** pycocotools' default parameters. */
export function cocoDefaultParams(): CocoParams {
  return {
    iouThrs: linspace(0.5, 0.95, 10),
    recThrs: linspace(0, 1, 101),
    maxDets: [1, 10, 100],
    areaRanges: [
      { label: 'all', range: [0, 1e10] },
      { label: 'small', range: [0, 32 ** 2] },
      { label: 'medium', range: [32 ** 2, 96 ** 2] },
      { label: 'large', range: [96 ** 2, 1e10] },
    ],
    useCats: true,
    legacyOffset: false,
  };
}

function numList(arg: string, v: unknown, check: (x: number) => boolean, what: string): number[] {
  if (!Array.isArray(v) || v.length === 0) throw new SoftSamplingError('E_TYPE', arg, 'must be a non-empty array of numbers');
  v.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || !check(x)) throw new SoftSamplingError('E_VALUE', `${arg}[${i}]`, `must be ${what}, got ${String(x)}`);
  });
  return v as number[];
}

/** Validates options and fills defaults. */
export function resolveCocoParams(options?: CocoEvalOptions): CocoParams {
  const p = cocoDefaultParams();
  if (options === undefined || options === null) return p;
  if (typeof options !== 'object') throw new SoftSamplingError('E_TYPE', 'options', 'expected an options object');
  const known = ['iouThrs', 'recThrs', 'maxDets', 'areaRanges', 'useCats', 'legacyOffset'];
  for (const k of Object.keys(options)) if (!known.includes(k)) throw new SoftSamplingError('E_OPTION', `options.${k}`, `unknown option; known: ${known.join(', ')}`);
  if (options.iouThrs !== undefined) p.iouThrs = numList('options.iouThrs', options.iouThrs, (x) => x >= 0 && x <= 1, 'in [0, 1]');
  if (options.recThrs !== undefined) p.recThrs = numList('options.recThrs', options.recThrs, (x) => x >= 0 && x <= 1, 'in [0, 1]');
  if (options.maxDets !== undefined) {
    p.maxDets = numList('options.maxDets', options.maxDets, (x) => Number.isInteger(x) && x > 0 && x < 2 ** 32, 'a positive integer');
    if (p.maxDets.length > 63) throw new SoftSamplingError('E_VALUE', 'options.maxDets', `at most 63 values, got ${p.maxDets.length}`);
    if (p.maxDets.some((x, i) => i > 0 && x < p.maxDets[i - 1])) throw new SoftSamplingError('E_VALUE', 'options.maxDets', 'must be ascending');
  }
  if (options.areaRanges !== undefined) {
    if (!Array.isArray(options.areaRanges) || options.areaRanges.length === 0) throw new SoftSamplingError('E_TYPE', 'options.areaRanges', 'must be a non-empty array');
    options.areaRanges.forEach((r, i) => {
      if (!r || typeof r.label !== 'string' || !Array.isArray(r.range) || r.range.length !== 2 || !(r.range[0] <= r.range[1])) {
        throw new SoftSamplingError('E_VALUE', `options.areaRanges[${i}]`, 'must be { label: string, range: [lo, hi] } with lo ≤ hi');
      }
    });
    p.areaRanges = options.areaRanges;
  }
  if (options.useCats !== undefined) {
    if (typeof options.useCats !== 'boolean') throw new SoftSamplingError('E_TYPE', 'options.useCats', 'must be a boolean');
    p.useCats = options.useCats;
  }
  if (options.legacyOffset !== undefined) {
    if (typeof options.legacyOffset !== 'boolean') throw new SoftSamplingError('E_TYPE', 'options.legacyOffset', 'must be a boolean');
    p.legacyOffset = options.legacyOffset;
  }
  return p;
}

/** Result of matching one (image, category, area range): pycocotools `evaluateImg`. */
export interface CocoCellEval {
  /** Scores of the kept detections, descending (at most `maxDets[-1]`). */
  scores: number[];
  /** `[T × D]` row-major: 1 when the detection matched a gt at threshold t. */
  matched: Uint8Array;
  /** `[T × D]`: 1 when the detection is ignored (matched an ignored gt, or unmatched and out of the area range). */
  ignored: Uint8Array;
  /** Number of non-ignored gt boxes. */
  nPos: number;
}
/** Per-image evaluation: for each category present in the image (gt or det), one cell per area range. */
export interface CocoImageEval {
  imageId: number;
  cats: { categoryId: number; areas: CocoCellEval[] }[];
}

/**
 * pycocotools `computeIoU` + `evaluateImg` for one image (every category and area range), in
 * TypeScript over the backend's float64 overlaps: the per-image stage of the CLI's worker pool.
 * `evaluateCoco` runs the same semantics in one kernel call ({@link cocoEvaluateSets}).
 */
export function cocoEvaluateImage(img: ImageInput, p: CocoParams): CocoImageEval {
  const ious = imageOverlaps(img, p.legacyOffset);
  const G = img.gts.length;
  const catOf = (c: number) => (p.useCats ? c : -1);
  const catIds = [...new Set([...img.gts.map((g) => catOf(g.categoryId)), ...img.dets.map((d) => catOf(d.categoryId))])].sort((a, b) => a - b);
  const T = p.iouThrs.length;
  const maxDet = p.maxDets[p.maxDets.length - 1];
  const cats: CocoImageEval['cats'] = [];
  for (const c of catIds) {
    const gIdx = img.gts.map((_, j) => j).filter((j) => catOf(img.gts[j].categoryId) === c);
    const dAll = img.dets.map((_, i) => i).filter((i) => catOf(img.dets[i].categoryId) === c);
    if (!p.useCats) {
      // pycocotools concatenates the per-category lists in category order
      gIdx.sort((a, b) => img.gts[a].categoryId - img.gts[b].categoryId || a - b);
      dAll.sort((a, b) => img.dets[a].categoryId - img.dets[b].categoryId || a - b);
    }
    const order = byScoreDesc(dAll.map((i) => img.dets[i].score));
    const dIdx = order.slice(0, maxDet).map((k) => dAll[k]);
    const D = dIdx.length;
    const areas: CocoCellEval[] = [];
    for (const ar of p.areaRanges) {
      const [lo, hi] = ar.range;
      const gIgn = gIdx.map((j) => (img.gts[j].crowd || img.gts[j].area < lo || img.gts[j].area > hi ? 1 : 0));
      // gt sorted with non-ignored first (stable)
      const gOrd = gIdx.map((_, k) => k).sort((a, b) => gIgn[a] - gIgn[b] || a - b);
      const gs = gOrd.map((k) => gIdx[k]);
      const gtIg = gOrd.map((k) => gIgn[k]);
      const crowd = gs.map((j) => img.gts[j].crowd);
      const matched = new Uint8Array(T * D);
      const ignored = new Uint8Array(T * D);
      if (gs.length > 0 && D > 0) {
        for (let t = 0; t < T; t++) {
          const gtm = new Uint8Array(gs.length);
          for (let di = 0; di < D; di++) {
            const row = dIdx[di] * G;
            let iou = Math.min(p.iouThrs[t], 1 - 1e-10);
            let m = -1;
            for (let gi = 0; gi < gs.length; gi++) {
              if (gtm[gi] && !crowd[gi]) continue;
              if (m > -1 && gtIg[m] === 0 && gtIg[gi] === 1) break;
              const v = ious[row + gs[gi]];
              if (v < iou) continue;
              iou = v;
              m = gi;
            }
            if (m === -1) continue;
            ignored[t * D + di] = gtIg[m];
            matched[t * D + di] = 1;
            gtm[m] = 1;
          }
        }
      }
      for (let di = 0; di < D; di++) {
        const a = img.dets[dIdx[di]].area;
        if (a < lo || a > hi) for (let t = 0; t < T; t++) if (!matched[t * D + di]) ignored[t * D + di] = 1;
      }
      areas.push({ scores: dIdx.map((i) => img.dets[i].score), matched, ignored, nPos: gtIg.filter((x) => x === 0).length });
    }
    cats.push({ categoryId: c, areas });
  }
  return { imageId: img.imageId, cats };
}

/** The 12 numbers of pycocotools `COCOeval.summarize()`, in its order; −1 where undefined (no gt in the range). */
export interface CocoStats {
  /** AP at IoU .50:.05:.95, all areas, 100 detections per image (the COCO metric). */
  AP: number;
  /** AP at IoU 0.5 (PASCAL-style). */
  AP50: number;
  /** AP at IoU 0.75. */
  AP75: number;
  /** AP for small objects (area < 32²). */
  APsmall: number;
  /** AP for medium objects (32² ≤ area < 96²). */
  APmedium: number;
  /** AP for large objects (area ≥ 96²). */
  APlarge: number;
  /** AR with 1 detection per image. */
  AR1: number;
  /** AR with 10 detections per image. */
  AR10: number;
  /** AR with 100 detections per image. */
  AR100: number;
  /** AR for small objects. */
  ARsmall: number;
  /** AR for medium objects. */
  ARmedium: number;
  /** AR for large objects. */
  ARlarge: number;
}
/** The keys of {@link CocoStats} in pycocotools' print order. */
export const COCO_STAT_KEYS: (keyof CocoStats)[] = ['AP', 'AP50', 'AP75', 'APsmall', 'APmedium', 'APlarge', 'AR1', 'AR10', 'AR100', 'ARsmall', 'ARmedium', 'ARlarge'];

/** Result of {@link evaluateCoco}: the summary and pycocotools' `eval` arrays. */
export interface CocoEvalResult {
  /** The 12 numbers of `COCOeval.summarize()` (−1 where undefined, as pycocotools prints). */
  stats: CocoStats;
  /** The parameters used (defaults filled in). */
  params: CocoParams;
  /** Category ids in evaluation order (ascending; `[-1]` when `useCats` is false). */
  catIds: number[];
  /** `[T, R, K, A, M]` interpolated precision, −1 where a category has no gt (pycocotools `eval['precision']`). */
  precision: Float64Array;
  /** `[T, K, A, M]` recall, −1 where undefined. */
  recall: Float64Array;
  /** Sizes of the axes of `precision` / `recall`: IoU thresholds, recall points, categories, area ranges, maxDets. */
  shape: CocoEvalShape;
}

/** Axis sizes of {@link CocoEvalResult}'s arrays (row-major, in this order). */
export interface CocoEvalShape {
  /** IoU thresholds. */
  T: number;
  /** Recall points. */
  R: number;
  /** Categories. */
  K: number;
  /** Area ranges. */
  A: number;
  /** maxDets values. */
  M: number;
}

/** pycocotools `accumulate` + `summarize` over per-image evaluations (images in ascending id order). */
export function cocoAccumulate(evals: CocoImageEval[], catIds: number[], p: CocoParams): CocoEvalResult {
  const T = p.iouThrs.length, R = p.recThrs.length, K = catIds.length, A = p.areaRanges.length, M = p.maxDets.length;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const kOf = new Map(catIds.map((c, k) => [c, k]));
  const cells: CocoCellEval[][][] = catIds.map(() => p.areaRanges.map(() => []));
  for (const e of evals) {
    for (const c of e.cats) {
      const k = kOf.get(c.categoryId);
      if (k === undefined) continue;
      c.areas.forEach((cell, a) => cells[k][a].push(cell));
    }
  }
  const spacing = 2.220446049250313e-16; // np.spacing(1)
  for (let k = 0; k < K; k++) {
    for (let a = 0; a < A; a++) {
      const E = cells[k][a];
      if (E.length === 0) continue;
      const npig = E.reduce((s, e) => s + e.nPos, 0);
      for (let m = 0; m < M; m++) {
        const maxDet = p.maxDets[m];
        if (npig === 0) continue;
        // gather the kept detections of every image (image order, then score order within the image)
        let total = 0;
        for (const e of E) total += Math.min(maxDet, e.scores.length);
        const scores = new Float64Array(total);
        const cellOf = new Int32Array(total);
        const posOf = new Int32Array(total);
        let w = 0;
        E.forEach((e, ei) => {
          const n = Math.min(maxDet, e.scores.length);
          for (let i = 0; i < n; i++, w++) {
            scores[w] = e.scores[i];
            cellOf[w] = ei;
            posOf[w] = i;
          }
        });
        const order = byScoreDesc(scores);
        const nd = total;
        // flags in global score order, [T × nd]
        const tpF = new Uint8Array(T * nd), fpF = new Uint8Array(T * nd);
        for (let q = 0; q < nd; q++) {
          const s = order[q];
          const e = E[cellOf[s]];
          const i = posOf[s];
          const D = e.scores.length;
          for (let t = 0; t < T; t++) {
            if (e.ignored[t * D + i]) continue;
            if (e.matched[t * D + i]) tpF[t * nd + q] = 1;
            else fpF[t * nd + q] = 1;
          }
        }
        const rc = new Float64Array(nd), pr = new Float64Array(nd);
        for (let t = 0; t < T; t++) {
          let tp = 0, fp = 0;
          for (let q = 0; q < nd; q++) {
            tp += tpF[t * nd + q];
            fp += fpF[t * nd + q];
            rc[q] = tp / npig;
            pr[q] = tp / (fp + tp + spacing);
          }
          recall[((t * K + k) * A + a) * M + m] = nd ? rc[nd - 1] : 0;
          for (let i = nd - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
          let pi = 0;
          for (let r = 0; r < R; r++) {
            while (pi < nd && rc[pi] < p.recThrs[r]) pi++; // searchsorted side='left'
            const idx = (((t * R + r) * K + k) * A + a) * M + m;
            precision[idx] = pi < nd ? pr[pi] : 0;
          }
        }
      }
    }
  }
  const res: CocoEvalResult = { stats: {} as CocoStats, params: p, catIds, precision, recall, shape: { T, R, K, A, M } };
  res.stats = summarize(res);
  return res;
}

function meanValid(values: number[]): number {
  const v = values.filter((x) => x > -1);
  return v.length ? v.reduce((s, x) => s + x, 0) / v.length : -1;
}

/**
 * numpy's pairwise summation (`pairwise_sum_DOUBLE`: blocks of ≤ 128 summed with 8 accumulators,
 * larger ranges halved at a multiple of 8), so that a mean rounds exactly as `np.mean` does.
 */
export function pairwiseSum(a: ArrayLike<number>, lo = 0, n = a.length): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[lo + i];
    return res;
  }
  if (n <= 128) {
    const r = [a[lo], a[lo + 1], a[lo + 2], a[lo + 3], a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[lo + i + j];
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[lo + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, lo, n2) + pairwiseSum(a, lo + n2, n - n2);
}

/**
 * Mean of the precision (`ap`) or recall over the valid cells (> −1), as pycocotools `_summarize`:
 * the cells in numpy's C order (`[T, R, K]` / `[T, K]`) summed pairwise as `np.mean` does; −1 when none.
 */
export function cocoSummaryValue(res: CocoEvalResult, ap: boolean, iouThr: number | null, areaLabel: string, maxDets: number): number {
  const { T, R, K, A, M } = res.shape;
  const a = res.params.areaRanges.findIndex((x) => x.label === areaLabel);
  const m = res.params.maxDets.indexOf(maxDets);
  if (a < 0 || m < 0) return -1;
  const vals: number[] = [];
  for (let t = 0; t < T; t++) {
    if (iouThr !== null && !(Math.abs(res.params.iouThrs[t] - iouThr) < 1e-12)) continue;
    // C order of precision[:, :, :, a, m] is t, r, k
    if (ap) {
      for (let r = 0; r < R; r++) {
        for (let k = 0; k < K; k++) {
          const v = res.precision[(((t * R + r) * K + k) * A + a) * M + m];
          if (v > -1) vals.push(v);
        }
      }
    } else {
      for (let k = 0; k < K; k++) {
        const v = res.recall[((t * K + k) * A + a) * M + m];
        if (v > -1) vals.push(v);
      }
    }
  }
  return vals.length ? pairwiseSum(vals) / vals.length : -1;
}

function summarize(res: CocoEvalResult): CocoStats {
  const md = res.params.maxDets[res.params.maxDets.length - 1];
  const s = (ap: boolean, thr: number | null, area: string, m: number) => cocoSummaryValue(res, ap, thr, area, m);
  return {
    AP: s(true, null, 'all', md),
    AP50: s(true, 0.5, 'all', md),
    AP75: s(true, 0.75, 'all', md),
    APsmall: s(true, null, 'small', md),
    APmedium: s(true, null, 'medium', md),
    APlarge: s(true, null, 'large', md),
    AR1: s(false, null, 'all', res.params.maxDets[0]),
    AR10: s(false, null, 'all', res.params.maxDets[1] ?? md),
    AR100: s(false, null, 'all', md),
    ARsmall: s(false, null, 'small', md),
    ARmedium: s(false, null, 'medium', md),
    ARlarge: s(false, null, 'large', md),
  };
}

/** A precision–recall curve sampled at the evaluation's recall points. */
export interface PrCurve {
  /** The recall points (`params.recThrs`). */
  recall: number[];
  /** Interpolated precision at each recall point (−1 where undefined). */
  precision: number[];
}

/**
 * Precision–recall curve at one IoU threshold index `t` (area `all`, largest maxDets), averaged over
 * the categories that have gt (or for one category `k`): `{ recall: recThrs, precision }`.
 * Source: pycocotools `eval['precision'][t, :, k, 0, -1]`. Never throws: `t` and `k` are not
 * validated — an index outside the result gives precision −1 everywhere.
 */
export function cocoPrCurve(res: CocoEvalResult, t: number, k?: number): PrCurve {
  const { R, K, A, M } = res.shape;
  const m = M - 1;
  const ks = k === undefined ? [...Array(K).keys()] : [k];
  const precision = res.params.recThrs.map((_, r) => {
    const v = ks.map((kk) => res.precision[(((t * R + r) * K + kk) * A + 0) * M + m]);
    return meanValid(v);
  });
  return { recall: res.params.recThrs.slice(), precision };
}

/** One category's COCO numbers (area all, largest maxDets); −1 without gt. */
export interface CocoCategoryStats {
  /** Category id. */
  categoryId: number;
  /** AP at IoU .50:.05:.95. */
  AP: number;
  /** AP at IoU 0.5. */
  AP50: number;
  /** AP at IoU 0.75. */
  AP75: number;
  /** AR at IoU .50:.05:.95. */
  AR: number;
}

/**
 * Per-category AP@[.5:.95], AP50, AP75 and AR (area all, largest maxDets); −1 for categories without gt.
 * Source: the pycocotools `summarize()` means restricted to one category. Never throws.
 */
export function cocoPerCategory(res: CocoEvalResult): CocoCategoryStats[] {
  const { T, R, K, A, M } = res.shape;
  const m = M - 1;
  return res.catIds.map((categoryId, k) => {
    const ap = (ts: number[]) => meanValid(ts.flatMap((t) => [...Array(R).keys()].map((r) => res.precision[(((t * R + r) * K + k) * A + 0) * M + m])));
    const tIdx = (thr: number) => [...Array(T).keys()].filter((t) => Math.abs(res.params.iouThrs[t] - thr) < 1e-12);
    return {
      categoryId,
      AP: ap([...Array(T).keys()]),
      AP50: ap(tIdx(0.5)),
      AP75: ap(tIdx(0.75)),
      AR: meanValid([...Array(T).keys()].map((t) => res.recall[((t * K + k) * A + 0) * M + m])),
    };
  });
}

/**
 * The whole COCO evaluation (pycocotools `evaluate` + `accumulate` + `summarize`) on validated sets,
 * per-image matching and accumulation in the active backend's `cocoEvaluate` kernel (float64
 * overlaps from the input `[x, y, w, h]`; Rust on native and wasm, its TypeScript twin on ts).
 * Images and categories in ascending id order, gt and detections in input order (ties in scores
 * settle as pycocotools' stable sorts do).
 */
export function cocoEvaluateSets(g: GtSet, d: DetSet, p: CocoParams): CocoEvalResult {
  const imgIds = g.images.map((x) => x.id).sort((a, b) => a - b);
  const catIds = g.categories.map((c) => c.id).sort((a, b) => a - b);
  const imgIdx = new Map(imgIds.map((id, i) => [id, i]));
  const catIdx = new Map(catIds.map((id, i) => [id, i]));
  const gts = cocoGtColumns(g, imgIdx, catIdx);
  const D = d.dets.length;
  const dtImage = new Uint32Array(D), dtCat = new Uint32Array(D), dtBox = new Float64Array(4 * D), dtScore = new Float64Array(D);
  for (let i = 0; i < D; i++) {
    const x = d.dets[i];
    dtImage[i] = imgIdx.get(x.imageId)!;
    dtCat[i] = catIdx.get(x.categoryId)!;
    dtBox[4 * i] = x.xywh[0];
    dtBox[4 * i + 1] = x.xywh[1];
    dtBox[4 * i + 2] = x.xywh[2];
    dtBox[4 * i + 3] = x.xywh[3];
    dtScore[i] = x.score;
  }
  return cocoEvaluateColumns({ numImages: imgIds.length, catIds, ...gts, dtImage, dtCat, dtBox, dtScore }, p);
}

/**
 * A whole evaluation set in flat typed arrays (what the `cocoEvaluate` kernel reads): images and
 * categories as dense indices into the ascending id lists, boxes COCO `[x, y, w, h]` float64.
 */
export interface CocoColumns {
  /** Number of images (image indices are `0..numImages-1`, in ascending id order). */
  numImages: number;
  /** Category ids, ascending (category index k ↔ `catIds[k]`). */
  catIds: number[];
  /** `[G]` image index of each gt box. */
  gtImage: Uint32Array;
  /** `[G]` category index of each gt box. */
  gtCat: Uint32Array;
  /** `[G, 4]` gt boxes `[x, y, w, h]`. */
  gtBox: Float64Array;
  /** `[G]` gt areas (the COCO area ranges test them). */
  gtArea: Float64Array;
  /** `[G]` 1 for a crowd box. */
  gtCrowd: Uint8Array;
  /** `[D]` image index of each detection. */
  dtImage: Uint32Array;
  /** `[D]` category index of each detection. */
  dtCat: Uint32Array;
  /** `[D, 4]` detection boxes `[x, y, w, h]`. */
  dtBox: Float64Array;
  /** `[D]` scores. */
  dtScore: Float64Array;
}

/**
 * The gt half of {@link CocoColumns} from a validated set and the image / category index maps.
 * Never throws (the set is validated; every id must be in the maps). No reference implementation (a layout).
 */
export function cocoGtColumns(g: GtSet, imgIdx: Map<number, number>, catIdx: Map<number, number>): Pick<CocoColumns, 'gtImage' | 'gtCat' | 'gtBox' | 'gtArea' | 'gtCrowd'> {
  const G = g.boxes.length;
  const gtImage = new Uint32Array(G), gtCat = new Uint32Array(G), gtBox = new Float64Array(4 * G), gtArea = new Float64Array(G), gtCrowd = new Uint8Array(G);
  for (let i = 0; i < G; i++) {
    const b = g.boxes[i];
    gtImage[i] = imgIdx.get(b.imageId)!;
    gtCat[i] = catIdx.get(b.categoryId)!;
    gtBox[4 * i] = b.xywh[0];
    gtBox[4 * i + 1] = b.xywh[1];
    gtBox[4 * i + 2] = b.xywh[2];
    gtBox[4 * i + 3] = b.xywh[3];
    gtArea[i] = b.area;
    gtCrowd[i] = b.crowd ? 1 : 0;
  }
  return { gtImage, gtCat, gtBox, gtArea, gtCrowd };
}

/**
 * {@link cocoEvaluateSets} on a set already in flat arrays, with `scores` in place of `c.dtScore`
 * when given (the same boxes under other scores: one kernel call, no per-image objects). The
 * result depends on the order of the detections only through ties within an image, which keep
 * their order in the arrays (as pycocotools' stable sorts keep input order). Source: pycocotools
 * `COCOeval.evaluate` + `accumulate` + `summarize`.
 * @throws SoftSamplingError from the backend's kernel when the arrays are inconsistent.
 */
export function cocoEvaluateColumns(c: CocoColumns, p: CocoParams, scores?: Float64Array): CocoEvalResult {
  return cocoEvaluateColumnsVariants(c, p, [scores ?? c.dtScore])[0];
}

/** A `Uint32Array` seen as `Int32Array` (same bytes; the values stay below 2^31 here). */
const asI32 = (u: Uint32Array) => new Int32Array(u.buffer, u.byteOffset, u.length);

/**
 * {@link cocoEvaluateColumns} of several score variants of the same set (`variants[v]` `[D]` in
 * place of `c.dtScore`) in one call of the backend's `cocoEvaluateVariants` kernel: the cells
 * (image, category) whose scores equal `variants[0]`'s are matched once and shared, so evaluating
 * a set and a few rescored copies of it costs little more than one evaluation plus one
 * accumulation per variant. Result `v` equals `cocoEvaluateColumns(c, p, variants[v])`, bit for bit
 * (the `precision` / `recall` of results 1… are views of one buffer; result 0 has its own).
 * Source: pycocotools `COCOeval.evaluate` + `accumulate` + `summarize`.
 * @throws SoftSamplingError `E_VALUE` without variants; `E_SHAPE` when a variant is not `[D]`; the
 * kernel's errors when the arrays are inconsistent.
 */
export function cocoEvaluateColumnsVariants(c: CocoColumns, p: CocoParams, variants: Float64Array[]): CocoEvalResult[] {
  const V = variants.length, D = c.dtImage.length;
  if (V === 0) throw new SoftSamplingError('E_VALUE', 'variants', 'at least one score array is needed');
  const dtScores = new Float64Array(V * D);
  variants.forEach((v, i) => {
    if (v.length !== D) throw new SoftSamplingError('E_SHAPE', `variants[${i}]`, `length ${v.length}, expected ${D} (one score per detection)`);
    dtScores.set(v, i * D);
  });
  const areaRng = new Float64Array(2 * p.areaRanges.length);
  p.areaRanges.forEach((r, a) => areaRng.set(r.range, 2 * a));
  // (the kernel's maxDets are int32: a cap of 2^31 or more, valid in options, keeps every detection as 2^31 − 1 does)
  const { precision, recall } = getBackend().cocoEvaluateVariants(
    {
      gtImage: asI32(c.gtImage), gtCat: asI32(c.gtCat), gtBox: c.gtBox, gtArea: c.gtArea, gtCrowd: Int32Array.from(c.gtCrowd),
      dtImage: asI32(c.dtImage), dtCat: asI32(c.dtCat), dtBox: c.dtBox, dtScores,
      iouThrs: Float64Array.from(p.iouThrs), recThrs: Float64Array.from(p.recThrs), maxDets: Int32Array.from(p.maxDets, (m) => Math.min(m, 2 ** 31 - 1)), areaRng,
    },
    { numImages: c.numImages, numCats: c.catIds.length, numVariants: V, useCats: p.useCats, offset: p.legacyOffset ? 1 : 0 },
  );
  const K = p.useCats ? c.catIds.length : 1;
  const pl = precision.length / V, rl = recall.length / V;
  return variants.map((_, v) => {
    const res: CocoEvalResult = {
      stats: {} as CocoStats, params: p, catIds: p.useCats ? c.catIds.slice() : [-1],
      // variant 0 (usually kept longest) gets its own copy; the others are views of the kernel's
      // output (no second copy of the V tables at once: tens of MB on a large set)
      precision: v === 0 ? precision.slice(0, pl) : precision.subarray(v * pl, (v + 1) * pl), recall: v === 0 ? recall.slice(0, rl) : recall.subarray(v * rl, (v + 1) * rl),
      shape: { T: p.iouThrs.length, R: p.recThrs.length, K, A: p.areaRanges.length, M: p.maxDets.length },
    };
    res.stats = summarize(res);
    return res;
  });
}

/**
 * {@link CocoColumns} of per-image groups (images in the given order, which must be ascending id as
 * {@link groupByImage} returns them; gt and detections in their order within each image), and
 * `dtIndex`, each detection's `index` (its position in the input list). The category index is the
 * position in `catIds` (ascending); every category id of the groups must be in it. Never throws;
 * no reference implementation (a layout of pycocotools' inputs).
 */
export function cocoColumnsOfImages(images: ImageInput[], catIds: number[]): CocoColumns & { dtIndex: Uint32Array } {
  const catIdx = new Map(catIds.map((id, i) => [id, i]));
  let G = 0, D = 0;
  for (const im of images) {
    G += im.gts.length;
    D += im.dets.length;
  }
  const gtImage = new Uint32Array(G), gtCat = new Uint32Array(G), gtBox = new Float64Array(4 * G), gtArea = new Float64Array(G), gtCrowd = new Uint8Array(G);
  const dtImage = new Uint32Array(D), dtCat = new Uint32Array(D), dtBox = new Float64Array(4 * D), dtScore = new Float64Array(D), dtIndex = new Uint32Array(D);
  let g = 0, d = 0;
  images.forEach((im, i) => {
    for (const b of im.gts) {
      gtImage[g] = i;
      gtCat[g] = catIdx.get(b.categoryId)!;
      gtBox.set(b.xywh, 4 * g);
      gtArea[g] = b.area;
      gtCrowd[g] = b.crowd ? 1 : 0;
      g++;
    }
    for (const x of im.dets) {
      dtImage[d] = i;
      dtCat[d] = catIdx.get(x.categoryId)!;
      dtBox.set(x.xywh, 4 * d);
      dtScore[d] = x.score;
      dtIndex[d] = x.index;
      d++;
    }
  });
  return { numImages: images.length, catIds, gtImage, gtCat, gtBox, gtArea, gtCrowd, dtImage, dtCat, dtBox, dtScore, dtIndex };
}
