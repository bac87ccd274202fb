/**
 * Pure-TS twin of `crates/core/src/eval`: float64 overlaps (pycocotools `bbIou`) and the COCO
 * evaluation (pycocotools `evaluate` + `accumulate`), operation for operation as the Rust kernel, so
 * every backend gives bit-identical tables.
 */
import { SoftSamplingError } from '../../errors';

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


/** Output lengths `[precision, recall]` of `cocoEvaluate`. */
export function cocoOutputLens(x: CocoEvalKernelInput): [number, number] {
  const K = x.useCats ? x.numCats : 1;
  const T = x.iouThrs.length, R = x.recThrs.length, A = x.areaRanges.length / 2, M = x.maxDets.length;
  return [T * R * K * A * M, T * K * A * M];
}


const FP = 0, TP = 1, IGNORED = 2;
const EPS = 2.220446049250313e-16; // np.spacing(1)

/** Overlaps of dets × gts (`[x, y, w, h]`, row offsets `d0`/`g0` into the flat arrays) into `out`. */
function overlapsInto(
  dbox: Float64Array, dIdx: ArrayLike<number>, D: number, gbox: Float64Array, gIdx: ArrayLike<number>, G: number,
  crowd: ArrayLike<number> | null, offset: number, out: Float64Array,
): void {
  for (let di = 0; di < D; di++) {
    const o = 4 * dIdx[di];
    const dx = dbox[o], dy = dbox[o + 1], dw = dbox[o + 2], dh = dbox[o + 3];
    const da = (dw + offset) * (dh + offset);
    const row = di * G;
    for (let gi = 0; gi < G; gi++) {
      const q = 4 * gIdx[gi];
      const gx = gbox[q], gy = gbox[q + 1], gw = gbox[q + 2], gh = gbox[q + 3];
      out[row + gi] = 0;
      const a1 = dw + dx, b1 = gw + gx;
      const w = (a1 < b1 ? a1 : b1) - (dx > gx ? dx : gx) + offset;
      if (w <= 0) continue;
      const a2 = dh + dy, b2 = gh + gy;
      const h = (a2 < b2 ? a2 : b2) - (dy > gy ? dy : gy) + offset;
      if (h <= 0) continue;
      const i = w * h;
      const u = crowd !== null && crowd[gi] !== 0 ? da : da + (gw + offset) * (gh + offset) - i;
      out[row + gi] = i / u;
    }
  }
}

const iota = (n: number) => {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
};

/**
 * Overlaps `[D, G]` row-major of detections `[D, 4]` and gt `[G, 4]`, `[x, y, w, h]` float64:
 * pycocotools `bbIou` (IoU; `inter / det area` where `crowd[g]` is 1; `crowd` may be empty).
 * `offset` 0, or 1 for VOC's `+1` widths. Twin of `eval::overlaps_xywh` (declared `evalOverlaps`).
 */
function evalOverlaps(dets: Float64Array, gts: Float64Array, crowd: Uint8Array, offset: number): Float64Array {
  const D = dets.length / 4, G = gts.length / 4;
  const out = new Float64Array(D * G);
  overlapsInto(dets, iota(D), D, gts, iota(G), G, crowd.length ? crowd : null, offset, out);
  return out;
}

/** Stable counting sort of `0..keys.length` by key: `[start (n+1), order]`. */
function bucket(keys: Uint32Array, n: number): [Uint32Array, Uint32Array] {
  const start = new Uint32Array(n + 1);
  for (let i = 0; i < keys.length; i++) start[keys[i] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const fill = start.slice();
  const order = new Uint32Array(keys.length);
  for (let i = 0; i < keys.length; i++) order[fill[keys[i]]++] = i;
  return [start, order];
}

/** A growable typed array. */
class Grow<T extends Float64Array | Uint32Array | Uint8Array> {
  n = 0;
  constructor(public a: T) {}
  reserve(extra: number): void {
    if (this.n + extra <= this.a.length) return;
    let cap = Math.max(16, this.a.length * 2);
    while (cap < this.n + extra) cap *= 2;
    const b = new (this.a.constructor as new (n: number) => T)(cap);
    b.set(this.a.subarray(0, this.n));
    this.a = b;
  }
}

function checkIndex(arg: string, v: Uint32Array, n: number): void {
  for (let i = 0; i < v.length; i++) if (v[i] >= n) throw new SoftSamplingError('E_VALUE', arg, `element ${i} is ${v[i]}, not below ${n}`);
}

/** pycocotools `COCOeval` `evaluate()` + `accumulate()` (iouType bbox) of one score set: the TS twin behind `cocoEvaluateVariants`. */
function cocoEvaluate(x: CocoEvalKernelInput): CocoEvalKernelResult {
  const [pl, rl] = cocoOutputLens(x);
  const precision = new Float64Array(pl).fill(-1);
  const recall = new Float64Array(rl).fill(-1);
  checkIndex('gt_image', x.gtImage, x.numImages);
  checkIndex('dt_image', x.dtImage, x.numImages);
  checkIndex('gt_cat', x.gtCat, x.numCats);
  checkIndex('dt_cat', x.dtCat, x.numCats);
  const T = x.iouThrs.length, R = x.recThrs.length, A = x.areaRanges.length / 2, M = x.maxDets.length;
  const K = x.useCats ? x.numCats : 1;
  if (K === 0 || T === 0 || A === 0) return { precision, recall };
  const { gtCat, dtCat, dtScore, gtArea, gtCrowd, gtBox, dtBox, offset } = x;
  const [gStart, gOrder] = bucket(x.gtImage, x.numImages);
  const [dStart, dOrder] = bucket(x.dtImage, x.numImages);
  const maxDet = x.maxDets[M - 1];
  const AT = A * T;
  const score = Array.from({ length: K }, () => new Grow(new Float64Array(0)));
  const rank = Array.from({ length: K }, () => new Grow(new Uint32Array(0)));
  const flags = Array.from({ length: K }, () => new Grow(new Uint8Array(0)));
  const npos = new Float64Array(K * A);
  const thr = Array.from(x.iouThrs, (t) => (t < 1 - 1e-10 ? t : 1 - 1e-10));
  let ious = new Float64Array(64);
  const byCat = (cat: Uint32Array) => (a: number, b: number) => cat[a] - cat[b] || a - b;
  const gCmp = byCat(gtCat), dCmp = byCat(dtCat);

  for (let img = 0; img < x.numImages; img++) {
    const gs = Array.from(gOrder.subarray(gStart[img], gStart[img + 1]));
    const ds = Array.from(dOrder.subarray(dStart[img], dStart[img + 1]));
    if (gs.length === 0 && ds.length === 0) continue;
    // indices are ascending within an image (stable bucket), so sorting by (cat, index) is stable
    gs.sort(gCmp);
    ds.sort(dCmp);
    let gi = 0, di = 0;
    while (gi < gs.length || di < ds.length) {
      let ge: number, de: number, k: number;
      if (x.useCats) {
        const c = gi < gs.length && di < ds.length ? Math.min(gtCat[gs[gi]], dtCat[ds[di]]) : gi < gs.length ? gtCat[gs[gi]] : dtCat[ds[di]];
        ge = gi;
        while (ge < gs.length && gtCat[gs[ge]] === c) ge++;
        de = di;
        while (de < ds.length && dtCat[ds[de]] === c) de++;
        k = c;
      } else {
        ge = gs.length;
        de = ds.length;
        k = 0;
      }
      const gcell = gs.slice(gi, ge);
      // detections by descending score, stable (ties in cell order: category, then input order,
      // as pycocotools concatenates the categories when useCats = 0), the first maxDet kept
      const cell = ds.slice(di, de);
      const pos = cell.map((_, i) => i).sort((a, b) => dtScore[cell[b]] - dtScore[cell[a]] || a - b);
      if (pos.length > maxDet) pos.length = maxDet;
      const dsort = pos.map((i) => cell[i]);
      gi = ge;
      di = de;
      const G = gcell.length, D = dsort.length;
      if (ious.length < D * G) ious = new Float64Array(2 * D * G);
      const gcrowd = gcell.map((j) => gtCrowd[j]);
      overlapsInto(dtBox, dsort, D, gtBox, gcell, G, gcrowd, offset, ious);
      // each detection's best overlap: thresholds above it cannot match (skip the gt loop)
      const dmax = new Float64Array(D).fill(-Infinity);
      for (let dd = 0; dd < D; dd++) for (let j = 0; j < G; j++) if (ious[dd * G + j] > dmax[dd]) dmax[dd] = ious[dd * G + j];

      const sc = score[k], rk = rank[k], fl = flags[k];
      const base = sc.n;
      sc.reserve(D);
      rk.reserve(D);
      fl.reserve(D * AT);
      for (let r = 0; r < D; r++) {
        sc.a[base + r] = dtScore[dsort[r]];
        rk.a[base + r] = r;
      }
      sc.n += D;
      rk.n += D;
      const fa = fl.a;
      fa.fill(FP, base * AT, (base + D) * AT);
      fl.n += D * AT;
      const gig = new Uint8Array(G);
      const gorder = new Uint32Array(G);
      const gtm = new Uint8Array(G);
      for (let a = 0; a < A; a++) {
        const lo = x.areaRanges[2 * a], hi = x.areaRanges[2 * a + 1];
        let nOk = 0;
        for (let j = 0; j < G; j++) {
          const ar = gtArea[gcell[j]];
          gig[j] = gcrowd[j] !== 0 || ar < lo || ar > hi ? 1 : 0;
          if (!gig[j]) gorder[nOk++] = j;
        }
        let w = nOk;
        for (let j = 0; j < G; j++) if (gig[j]) gorder[w++] = j;
        npos[k * A + a] += nOk;
        if (G > 0) {
          // overlaps with the gt in matching order, [D, G]
          const iord = new Float64Array(D * G);
          for (let dd = 0; dd < D; dd++) for (let pos = 0; pos < G; pos++) iord[dd * G + pos] = ious[dd * G + gorder[pos]];
          for (let t = 0; t < T; t++) {
            // gtm: a matched non-crowd gt (a crowd gt may match any number of detections)
            gtm.fill(0);
            for (let dd = 0; dd < D; dd++) {
              if (dmax[dd] < thr[t]) continue;
              const row = dd * G;
              let iou = thr[t];
              let m = -1;
              // non-ignored gt first; the ignored ones only when none of those matched
              // (pycocotools' `break` at the first ignored gt after a match)
              for (let pos = 0; pos < nOk; pos++) {
                const v = iord[row + pos];
                if (gtm[pos] !== 0 || v < iou) continue;
                iou = v;
                m = pos;
              }
              if (m === -1) {
                for (let pos = nOk; pos < G; pos++) {
                  const v = iord[row + pos];
                  if (gtm[pos] !== 0 || v < iou) continue;
                  iou = v;
                  m = pos;
                }
              }
              if (m === -1) continue;
              fa[(base + dd) * AT + a * T + t] = m >= nOk ? IGNORED : TP;
              if (gcrowd[gorder[m]] === 0) gtm[m] = 1;
            }
          }
        }
        for (let dd = 0; dd < D; dd++) {
          const o = 4 * dsort[dd];
          const area = dtBox[o + 2] * dtBox[o + 3];
          if (area < lo || area > hi) {
            const f0 = (base + dd) * AT + a * T;
            for (let t = 0; t < T; t++) if (fa[f0 + t] === FP) fa[f0 + t] = IGNORED;
          }
        }
      }
    }
  }

  // accumulate
  for (let k = 0; k < K; k++) {
    let any = false;
    for (let a = 0; a < A; a++) if (npos[k * A + a] > 0) any = true;
    if (!any) continue;
    const n = score[k].n;
    const sc = score[k].a, rk = rank[k].a, fa = flags[k].a;
    const order = Array.from(iota(n)).sort((a, b) => sc[b] - sc[a] || a - b);
    const sorted = new Uint8Array(AT * n);
    const srank = new Uint32Array(n);
    for (let q = 0; q < n; q++) {
      const e = order[q];
      srank[q] = rk[e];
      for (let c = 0; c < AT; c++) sorted[c * n + q] = fa[e * AT + c];
    }
    const env = new Float64Array(n);
    for (let a = 0; a < A; a++) {
      const npig = npos[k * A + a];
      if (npig === 0) continue;
      for (let mi = 0; mi < M; mi++) {
        const md = x.maxDets[mi];
        for (let t = 0; t < T; t++) {
          const r0 = (a * T + t) * n;
          // as crates/core/src/eval/coco.rs `curve`: pr only at the true positives (where rc
          // changes and pr rises), the envelope over them, searchsorted as the least k with k/npig ≥ r
          let cnt = 0, tp = 0;
          for (let q = 0; q < n; q++) {
            const f = sorted[r0 + q];
            if (f === IGNORED || srank[q] >= md) continue;
            cnt++;
            if (f === TP) {
              tp++;
              env[tp - 1] = tp / (cnt + EPS);
            }
          }
          for (let i = tp - 1; i > 0; i--) if (env[i] > env[i - 1]) env[i - 1] = env[i];
          recall[((t * K + k) * A + a) * M + mi] = cnt > 0 ? tp / npig : 0;
          for (let r = 0; r < R; r++) precision[(((t * R + r) * K + k) * A + a) * M + mi] = 0;
          if (cnt === 0) continue;
          for (let r = 0; r < R; r++) {
            const rt = x.recThrs[r];
            let lo = 1, hi = tp + 1;
            while (lo < hi) {
              const mid = (lo + hi) >>> 1;
              if (mid / npig < rt) lo = mid + 1;
              else hi = mid;
            }
            if (lo > tp) break; // pycocotools' IndexError: the remaining points stay 0
            precision[(((t * R + r) * K + k) * A + a) * M + mi] = env[lo - 1];
          }
        }
      }
    }
  }
  return { precision, recall };
}

export { evalOverlaps, cocoEvaluate };
