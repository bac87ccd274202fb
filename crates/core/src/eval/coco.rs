//! COCO bbox evaluation, pycocotools `COCOeval` (`iouType='bbox'`) `evaluate()` + `accumulate()` in
//! one pass over the detections, exact to it: the per-image matching of `evaluateImg` and the
//! precision/recall tables of `accumulate`, every comparison and division in `f64` in the same order.
//!
//! Source: `cocodataset/cocoapi` `PythonAPI/pycocotools/cocoeval.py`. The one deliberate difference
//! (as in the TypeScript evaluator): pycocotools records a match by storing the gt `id`, so a gt with
//! id 0 can never be a true positive there; here matches are flags and ids play no part.

use super::overlaps_unchecked;
use crate::error::{check_len, CoreError, Result};
use crate::sort;

/// Evaluation parameters (pycocotools `Params`).
#[derive(Debug, Clone, Copy)]
pub struct CocoParams<'a> {
    /// IoU thresholds `[T]` (default `linspace(.5, .95, 10)`).
    pub iou_thrs: &'a [f64],
    /// Recall points `[R]` (default `linspace(0, 1, 101)`).
    pub rec_thrs: &'a [f64],
    /// Detections kept per image and category, ascending `[M]` (default `[1, 10, 100]`).
    pub max_dets: &'a [u32],
    /// Area ranges `[A, 2]` (`lo, hi`; a box is out of range when `area < lo || area > hi`).
    pub area_rng: &'a [f64],
    /// `false`: every category pooled into one (pycocotools `useCats = 0`).
    pub use_cats: bool,
    /// 0, or 1 for the VOC `+1` width convention in the overlaps.
    pub offset: f64,
}

/// Ground truth and detections, flat. Images and categories are dense indices (`0..num_images`,
/// `0..num_cats`) in ascending id order; boxes are `[x, y, w, h]`; gt and detections are each in
/// their input order (which settles ties exactly as pycocotools' stable sorts do).
#[derive(Debug, Clone, Copy)]
pub struct CocoInput<'a> {
    pub num_images: usize,
    pub num_cats: usize,
    pub gt_image: &'a [u32],
    pub gt_cat: &'a [u32],
    pub gt_box: &'a [f64],
    /// The annotation's `area` (used for the area ranges; the overlaps use `w·h`).
    pub gt_area: &'a [f64],
    /// 1 for a crowd region (IoU = inter / det area, may match many detections, matches ignored).
    pub gt_crowd: &'a [u8],
    pub dt_image: &'a [u32],
    pub dt_cat: &'a [u32],
    pub dt_box: &'a [f64],
    pub dt_score: &'a [f64],
}

/// Lengths of the `precision` `[T,R,K,A,M]` and `recall` `[T,K,A,M]` outputs (`K = 1` without categories).
pub fn coco_output_lens(p: &CocoParams, num_cats: usize) -> (usize, usize) {
    let k = if p.use_cats { num_cats } else { 1 };
    let (t, r, a, m) = (p.iou_thrs.len(), p.rec_thrs.len(), p.area_rng.len() / 2, p.max_dets.len());
    (t * r * k * a * m, t * k * a * m)
}

const FP: u8 = 0;
const TP: u8 = 1;
const IGNORED: u8 = 2;

/// Stable counting sort of `0..keys.len()` by key (`keys[i] < n`): returns `(start [n+1], order)`.
fn bucket(keys: &[u32], n: usize) -> (Vec<u32>, Vec<u32>) {
    let mut start = vec![0u32; n + 1];
    for &k in keys {
        start[k as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut order = vec![0u32; keys.len()];
    for (i, &k) in keys.iter().enumerate() {
        let f = &mut fill[k as usize];
        order[*f as usize] = i as u32;
        *f += 1;
    }
    (start, order)
}

fn check_index(arg: &'static str, v: &[u32], n: usize) -> Result<()> {
    if let Some((i, &x)) = v.iter().enumerate().find(|(_, &x)| x as usize >= n) {
        return Err(CoreError::value(arg, format!("element {i} is {x}, not below {n}")));
    }
    Ok(())
}

/// Per-category store of the kept detections (score order within each image, images in order):
/// slices of three buffers allocated once for all categories (a wasm `memory.grow` per `Vec`
/// reallocation made the first large call several times slower).
struct CatStore<'a> {
    score: &'a mut [f64],
    /// Rank of the detection within its (image, category) cell, for the maxDets cut.
    rank: &'a mut [u32],
    /// `[n, A, T]` FP / TP / IGNORED codes.
    flags: &'a mut [u8],
    /// Entries written so far.
    len: usize,
}

/// Scratch buffers reused across cells.
#[derive(Default)]
struct Scratch {
    dsort: Vec<u32>,
    gbox: Vec<f64>,
    dbox: Vec<f64>,
    gcrowd: Vec<u8>,
    ious: Vec<f64>,
    gig: Vec<u8>,
    gorder: Vec<u32>,
    gtm: Vec<u8>,
    gs: Vec<u32>,
    ds: Vec<u32>,
    dmax: Vec<f64>,
    iord: Vec<f64>,
    /// sort keys (crate::sort)
    keys64: Vec<u64>,
    keys128: Vec<u128>,
}

/// The base variant of a multi-variant evaluation: its scores and its per-category stores, and
/// per category the position of the next cell's entries in the base store.
struct Reuse<'a, 'b> {
    scores: &'a [f64],
    base: &'a [CatStore<'b>],
    cursor: Vec<usize>,
    /// `[A]` where the re-matched cells add their gt counts (the base's counts are the counts).
    npos_scratch: Vec<u64>,
    /// A cell's kept detections in this variant's / the base's score order (scratch).
    order_v: Vec<u32>,
    order_b: Vec<u32>,
    keys: Vec<u128>,
}

/// Every (category) cell of one image; `gsrc`/`dsrc` are the image's gt and detections in input order.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn eval_image(inp: &CocoInput, p: &CocoParams, thr: &[f64], max_det: usize, gsrc: &[u32], dsrc: &[u32], store: &mut [CatStore<'_>], npos: &mut [u64], sc: &mut Scratch, mut reuse: Option<&mut Reuse<'_, '_>>) {
    let a_n = p.area_rng.len() / 2;
    let mut gs = std::mem::take(&mut sc.gs);
    let mut ds = std::mem::take(&mut sc.ds);
    gs.clear();
    gs.extend_from_slice(gsrc);
    ds.clear();
    ds.extend_from_slice(dsrc);
    // category order within the image (stable): cells per category, or (useCats = 0) the
    // whole image ordered by category as pycocotools concatenates `_gts[img, c]` over catIds
    sort::stable_sort_by_u32_key(&mut gs, &mut sc.keys64, |i| inp.gt_cat[i as usize]);
    sort::stable_sort_by_u32_key(&mut ds, &mut sc.keys64, |i| inp.dt_cat[i as usize]);
    let (mut gi, mut di) = (0usize, 0usize);
    while gi < gs.len() || di < ds.len() {
        let (ge, de, k) = if p.use_cats {
            let c = match (gs.get(gi), ds.get(di)) {
                (Some(&g), Some(&d)) => inp.gt_cat[g as usize].min(inp.dt_cat[d as usize]),
                (Some(&g), None) => inp.gt_cat[g as usize],
                (None, Some(&d)) => inp.dt_cat[d as usize],
                (None, None) => unreachable!(),
            };
            let mut ge = gi;
            while ge < gs.len() && inp.gt_cat[gs[ge] as usize] == c {
                ge += 1;
            }
            let mut de = di;
            while de < ds.len() && inp.dt_cat[ds[de] as usize] == c {
                de += 1;
            }
            (ge, de, c as usize)
        } else {
            (gs.len(), ds.len(), 0)
        };
        match reuse.as_deref_mut() {
            None => eval_cell(inp, p, thr, max_det, &gs[gi..ge], &ds[di..de], &mut store[k], &mut npos[k * a_n..(k + 1) * a_n], sc),
            Some(r) => {
                // a cell whose scores are those of the base variant has the base's entries: copied
                let kept = (de - di).min(max_det);
                let c = r.cursor[k];
                if ds[di..de].iter().all(|&q| inp.dt_score[q as usize] == r.scores[q as usize]) {
                    let (b, st) = (&r.base[k], &mut store[k]);
                    let (l, at) = (st.len, a_n * p.iou_thrs.len());
                    st.score[l..l + kept].copy_from_slice(&b.score[c..c + kept]);
                    st.rank[l..l + kept].copy_from_slice(&b.rank[c..c + kept]);
                    st.flags[l * at..(l + kept) * at].copy_from_slice(&b.flags[c * at..(c + kept) * at]);
                    st.len = l + kept;
                } else if same_order(&ds[di..de], inp.dt_score, r.scores, kept, &mut r.order_v, &mut r.order_b, &mut r.keys) {
                    // the kept detections in the base's order (raised scores that keep a cell's
                    // ranking): the matching, which reads only that order, is the base's; the
                    // scores are this variant's
                    let (b, st) = (&r.base[k], &mut store[k]);
                    let (l, at) = (st.len, a_n * p.iou_thrs.len());
                    for (i, &q) in r.order_v.iter().enumerate() {
                        st.score[l + i] = inp.dt_score[q as usize];
                    }
                    st.rank[l..l + kept].copy_from_slice(&b.rank[c..c + kept]);
                    st.flags[l * at..(l + kept) * at].copy_from_slice(&b.flags[c * at..(c + kept) * at]);
                    st.len = l + kept;
                } else {
                    // npos is the base's (the gt are the same): this cell's counts go to scratch
                    eval_cell(inp, p, thr, max_det, &gs[gi..ge], &ds[di..de], &mut store[k], &mut r.npos_scratch, sc);
                }
                r.cursor[k] = c + kept;
            }
        }
        gi = ge;
        di = de;
    }
    sc.gs = gs;
    sc.ds = ds;
}

/// A cell's detections by descending score, stable, the first `kept` — the order [`eval_cell`]
/// matches in (the same sort).
fn cell_order(dcell: &[u32], scores: &[f64], kept: usize, out: &mut Vec<u32>, keys: &mut Vec<u128>) {
    out.clear();
    out.extend_from_slice(dcell);
    sort::stable_sort_desc_f64(out, keys, |i| scores[i as usize]);
    out.truncate(kept);
}

/// True when the cell's kept detections come in the same order under `scores` as under `base`
/// (`order_v` then holds that order).
fn same_order(dcell: &[u32], scores: &[f64], base: &[f64], kept: usize, order_v: &mut Vec<u32>, order_b: &mut Vec<u32>, keys: &mut Vec<u128>) -> bool {
    cell_order(dcell, scores, kept, order_v, keys);
    cell_order(dcell, base, kept, order_b, keys);
    order_v == order_b
}

/// pycocotools `computeIoU` + `evaluateImg` for one (image, category) cell, every area range:
/// appends the kept detections to `st` and adds the non-ignored gt counts to `npos` `[A]`.
/// (A function of its own, not inlined: wasm engines tier up per function call, and a single call
/// running the whole evaluation would stay in the baseline tier.)
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn eval_cell(inp: &CocoInput, p: &CocoParams, thr: &[f64], max_det: usize, gcell: &[u32], dcell: &[u32], st: &mut CatStore<'_>, npos: &mut [u64], sc: &mut Scratch) {
    let (t_n, a_n) = (p.iou_thrs.len(), p.area_rng.len() / 2);
    let at = a_n * t_n;
    let Scratch { dsort, gbox, dbox, gcrowd, ious, gig, gorder, gtm, dmax, iord, keys128, .. } = sc;
    // detections by descending score, stable, the first max_det kept
    cell_order(dcell, inp.dt_score, max_det, dsort, keys128);

    let (g, d) = (gcell.len(), dsort.len());
    gbox.clear();
    gcrowd.clear();
    for &j in gcell {
        gbox.extend_from_slice(&inp.gt_box[4 * j as usize..4 * j as usize + 4]);
        gcrowd.push(inp.gt_crowd[j as usize]);
    }
    dbox.clear();
    for &i in dsort.iter() {
        dbox.extend_from_slice(&inp.dt_box[4 * i as usize..4 * i as usize + 4]);
    }
    ious.clear();
    ious.resize(d * g, 0.0);
    overlaps_unchecked(dbox, gbox, gcrowd, p.offset, ious);
    // each detection's best overlap: no match at a threshold above it (most detections of a cell
    // overlap nothing), so those thresholds skip the gt loop
    dmax.clear();
    if g > 0 {
        dmax.extend(ious.chunks_exact(g).map(|r| r.iter().fold(f64::NEG_INFINITY, |a, &b| if b > a { b } else { a })));
    }

    let base = st.len;
    for (r, &i) in dsort.iter().enumerate() {
        st.score[base + r] = inp.dt_score[i as usize];
        st.rank[base + r] = r as u32;
    }
    st.len = base + d; // flags start as FP
    for a in 0..a_n {
        let (lo, hi) = (p.area_rng[2 * a], p.area_rng[2 * a + 1]);
        gig.clear();
        for &j in gcell {
            let ar = inp.gt_area[j as usize];
            gig.push((inp.gt_crowd[j as usize] != 0 || ar < lo || ar > hi) as u8);
        }
        gorder.clear();
        gorder.extend((0..g as u32).filter(|&j| gig[j as usize] == 0));
        let n_ok = gorder.len();
        gorder.extend((0..g as u32).filter(|&j| gig[j as usize] != 0));
        npos[a] += n_ok as u64;
        if g > 0 {
            // overlaps with the gt in matching order, [d, g]
            iord.clear();
            for row in ious.chunks_exact(g) {
                iord.extend(gorder.iter().map(|&j| row[j as usize]));
            }
            for t in 0..t_n {
                // gtm: a matched non-crowd gt (a crowd gt may match any number of detections)
                gtm.clear();
                gtm.resize(g, 0);
                for dd in 0..d {
                    if dmax[dd] < thr[t] {
                        continue;
                    }
                    let row = &iord[dd * g..dd * g + g];
                    let mut iou = thr[t];
                    let mut m = usize::MAX;
                    // non-ignored gt first; an ignored one only when none of those matched
                    // (pycocotools' `break` at the first ignored gt after a match)
                    for pos in 0..n_ok {
                        let v = row[pos];
                        if gtm[pos] != 0 || v < iou {
                            continue;
                        }
                        iou = v;
                        m = pos;
                    }
                    if m == usize::MAX {
                        for pos in n_ok..g {
                            let v = row[pos];
                            if gtm[pos] != 0 || v < iou {
                                continue;
                            }
                            iou = v;
                            m = pos;
                        }
                    }
                    if m == usize::MAX {
                        continue;
                    }
                    st.flags[(base + dd) * at + a * t_n + t] = if m >= n_ok { IGNORED } else { TP };
                    if gcrowd[gorder[m] as usize] == 0 {
                        gtm[m] = 1;
                    }
                }
            }
        }
        // unmatched detections outside the area range are ignored
        for dd in 0..d {
            let area = dbox[4 * dd + 2] * dbox[4 * dd + 3];
            if area < lo || area > hi {
                let f = &mut st.flags[(base + dd) * at + a * t_n..(base + dd) * at + a * t_n + t_n];
                for x in f.iter_mut() {
                    if *x == FP {
                        *x = IGNORED;
                    }
                }
            }
        }
    }
}

/// Scratch buffers of the accumulation.
#[derive(Default)]
struct AccScratch {
    /// Precision envelope at the true positives, one list per maxDets.
    env: Vec<Vec<f64>>,
    /// Interpolated precision at the recall points of one curve.
    q: Vec<f64>,
    order: Vec<u32>,
    /// `[A·T, n]` codes in score order, `code | m0 << 2` (`m0`: first maxDets index that keeps it).
    sorted: Vec<u8>,
    /// sort keys (crate::sort)
    keys: Vec<u128>,
}

/// pycocotools `accumulate` for category `k`: every area range, maxDets and threshold.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn accumulate_cat(p: &CocoParams, k: usize, k_n: usize, st: &CatView<'_>, npos: &[u64], acc: &mut AccScratch, precision: &mut [f64], recall: &mut [f64]) {
    let (t_n, r_n, a_n, m_n) = (p.iou_thrs.len(), p.rec_thrs.len(), p.area_rng.len() / 2, p.max_dets.len());
    let at = a_n * t_n;
    let AccScratch { env, q, order, sorted, keys } = acc;
    let n = st.len;
    order.clear();
    order.extend(0..n as u32);
    sort::stable_sort_desc_f64(order, keys, |i| st.score[i as usize]);
    // codes in score order, [A, T, n]: each curve reads one contiguous row
    sorted.clear();
    sorted.resize(at * n, 0);
    for (pos, &e) in order.iter().enumerate() {
        let e = e as usize;
        let rank = st.rank[e];
        let m0 = p.max_dets.iter().position(|&md| rank < md).unwrap_or(m_n) as u8;
        for c in 0..at {
            sorted[c * n + pos] = st.flags[e * at + c] | (m0 << 2);
        }
    }
    for a in 0..a_n {
        let npig = npos[a];
        if npig == 0 {
            continue;
        }
        let npig = npig as f64;
        for t in 0..t_n {
            let row = &sorted[(a * t_n + t) * n..(a * t_n + t + 1) * n];
            let (cnt, tp) = curves(row, m_n, env);
            for mi in 0..m_n {
                recall[((t * k_n + k) * a_n + a) * m_n + mi] = interpolate(&mut env[mi], cnt[mi], tp[mi], npig, p.rec_thrs, q);
                for (r, &v) in q.iter().enumerate() {
                    precision[(((t * r_n + r) * k_n + k) * a_n + a) * m_n + mi] = v;
                }
            }
        }
    }
}

/// The precision at the true positives of every maxDets curve of one (category, area, threshold),
/// in one pass over `row` (codes in global score order, `code | m0 << 2`): a detection counts for
/// maxDets index `m ≥ m0` unless ignored. Fills `env[m]` with `pr` at each true positive and returns
/// the counted detections and true positives per maxDets.
///
/// Why only the true positives: over the counted detections, pycocotools' `rc = tp / npig` changes
/// only at true positives, so `searchsorted(rc, r, 'left')` lands on the k-th true positive with `k`
/// the least such that `k / npig ≥ r` (or on index 0, whose envelope is the same value); and
/// `pr = tp / (fp + tp + ε)` rises only at true positives, so the envelope there is the maximum over
/// the later true positives. At the k-th TP, counted detection `i` (0-based), `pr = k / ((i + 1) + ε)`:
/// the same float operations, `fp + tp = i + 1` being exact.
#[inline(never)]
fn curves(row: &[u8], m_n: usize, env: &mut [Vec<f64>]) -> ([u64; 64], [u64; 64]) {
    let eps = f64::EPSILON; // np.spacing(1)
    for e in env.iter_mut() {
        e.clear();
    }
    // h[f]: entries so far with code byte f (`code | m0 << 2`). A false positive or an ignored
    // detection — nearly every entry — costs one increment; at a true positive the counts of each
    // maxDets curve m ≥ m0 are summed from h (over m0' ≤ m, ignored entries left out): the same
    // integers as counting each curve entry by entry, so the same pr values bit for bit.
    let mut h = [0u64; 256];
    let counts = |h: &[u64; 256], m: usize, cnt: &mut u64, tp: &mut u64| {
        // running sums over m0' ≤ m: the caller walks m upwards, adding bin m0' = m each step
        let (f, t) = (h[(m << 2) | FP as usize], h[(m << 2) | TP as usize]);
        *cnt += f + t;
        *tp += t;
    };
    for &f in row {
        h[f as usize] += 1;
        if f & 3 == TP {
            let m0 = (f >> 2) as usize;
            let (mut cnt, mut tp) = (0u64, 0u64);
            for m in 0..m_n {
                counts(&h, m, &mut cnt, &mut tp);
                if m >= m0 {
                    env[m].push(tp as f64 / (cnt as f64 + eps));
                }
            }
        }
    }
    let (mut cnt, mut tp) = ([0u64; 64], [0u64; 64]);
    let (mut c, mut t) = (0u64, 0u64);
    for m in 0..m_n {
        counts(&h, m, &mut c, &mut t);
        cnt[m] = c;
        tp[m] = t;
    }
    (cnt, tp)
}

/// [`curves`] entry by entry (each maxDets curve counted on its own): the reference it is tested against.
#[cfg(test)]
fn curves_reference(row: &[u8], m_n: usize, env: &mut [Vec<f64>]) -> ([u64; 64], [u64; 64]) {
    let eps = f64::EPSILON;
    let (mut cnt, mut tp) = ([0u64; 64], [0u64; 64]);
    for e in env.iter_mut() {
        e.clear();
    }
    for &f in row {
        let code = f & 3;
        if code == IGNORED {
            continue;
        }
        for m in (f >> 2) as usize..m_n {
            cnt[m] += 1;
            if code == TP {
                tp[m] += 1;
                env[m].push(tp[m] as f64 / (cnt[m] as f64 + eps));
            }
        }
    }
    (cnt, tp)
}

/// Envelope and sampling of one curve (see [`curves`]): writes the precision at the recall points
/// into `q` (0 past the end, as pycocotools' IndexError leaves them) and returns the recall.
#[inline(never)]
fn interpolate(env: &mut [f64], cnt: u64, tp: u64, npig: f64, rec_thrs: &[f64], q: &mut [f64]) -> f64 {
    for i in (1..env.len()).rev() {
        if env[i] > env[i - 1] {
            env[i - 1] = env[i];
        }
    }
    q.fill(0.0);
    if cnt == 0 {
        return 0.0;
    }
    let ntp = env.len();
    // for each recall point, the least k in 1..=ntp with k / npig >= rt: k / npig does not decrease
    // with k (a division by the same positive number) and the points ascend, so one forward walk
    // finds every k (what a binary search per point finds; pycocotools' searchsorted); a point
    // below the one before (not pycocotools' recThrs, but allowed) starts the walk over
    let mut k = 1usize;
    let mut prev = f64::NEG_INFINITY;
    for (r, &rt) in rec_thrs.iter().enumerate() {
        if !(rt >= prev) {
            k = 1;
        }
        prev = rt;
        while k <= ntp && (k as f64) / npig < rt {
            k += 1;
        }
        if k > ntp {
            break;
        }
        q[r] = env[k - 1];
    }
    tp as f64 / npig
}

/// Runs the evaluation and writes pycocotools' `eval['precision']` `[T,R,K,A,M]` and
/// `eval['recall']` `[T,K,A,M]` (−1 where a category has no non-ignored gt in that area range).
///
/// Per (image, category): detections sorted by descending score (stable), the first `max(maxDets)`
/// kept; gt sorted non-ignored first (stable); each threshold matches greedily as `evaluateImg`.
/// Per (category, area, maxDets): the kept detections of every image sorted by descending score
/// (stable; images in order), cumulative TP/FP without the ignored ones, `rc = tp / npig`,
/// `pr = tp / (fp + tp + ε)` (ε = 2⁻⁵²), the precision envelope, sampled at the recall points by
/// `searchsorted(rc, recThrs, 'left')` (0 past the end).
/// Errors: `E_SHAPE` for inconsistent lengths, `E_VALUE` for an index out of range or maxDets not
/// ascending / zero.
pub fn coco_evaluate(inp: &CocoInput, p: &CocoParams, precision: &mut [f64], recall: &mut [f64]) -> Result<()> {
    evaluate_variants(inp, p, &[inp.dt_score], precision, recall)
}

/// [`coco_evaluate`] of several score variants of the same boxes (`variants[v]` `[D]` in place of
/// `inp.dt_score`), outputs `[V, …]` (variant-major). Variant 0 is evaluated in full; for every
/// later one, the (image, category) cells whose detections all keep variant 0's scores take
/// variant 0's matches (the same sort, the same matching), and only the other cells are matched
/// again; each variant is accumulated on its own. Bit-identical to one [`coco_evaluate`] per variant.
fn evaluate_variants(inp: &CocoInput, p: &CocoParams, variants: &[&[f64]], precision: &mut [f64], recall: &mut [f64]) -> Result<()> {
    let ng = inp.gt_image.len();
    let nd = inp.dt_image.len();
    check_len("gt_cat", inp.gt_cat, ng)?;
    check_len("gt_box", inp.gt_box, 4 * ng)?;
    check_len("gt_area", inp.gt_area, ng)?;
    check_len("gt_crowd", inp.gt_crowd, ng)?;
    check_len("dt_cat", inp.dt_cat, nd)?;
    check_len("dt_box", inp.dt_box, 4 * nd)?;
    for v in variants {
        check_len("dt_score", v, nd)?;
    }
    check_index("gt_image", inp.gt_image, inp.num_images)?;
    check_index("dt_image", inp.dt_image, inp.num_images)?;
    check_index("gt_cat", inp.gt_cat, inp.num_cats)?;
    check_index("dt_cat", inp.dt_cat, inp.num_cats)?;
    if p.area_rng.len() % 2 != 0 {
        return Err(CoreError::shape("area_rng", "length is not a multiple of 2"));
    }
    if p.max_dets.is_empty() || p.max_dets.len() > 63 || p.max_dets[0] == 0 || p.max_dets.windows(2).any(|w| w[1] < w[0]) {
        return Err(CoreError::value("max_dets", "must be 1 to 63 positive values, ascending"));
    }
    let (t_n, a_n) = (p.iou_thrs.len(), p.area_rng.len() / 2);
    let k_n = if p.use_cats { inp.num_cats } else { 1 };
    let (pl, rl) = coco_output_lens(p, inp.num_cats);
    let nv = variants.len();
    check_len("precision", precision, nv * pl)?;
    check_len("recall", recall, nv * rl)?;
    precision.fill(-1.0);
    recall.fill(-1.0);
    if k_n == 0 || t_n == 0 || a_n == 0 {
        return Ok(());
    }

    let (g_start, g_order) = bucket(inp.gt_image, inp.num_images);
    let (d_start, d_order) = bucket(inp.dt_image, inp.num_images);
    let max_det = *p.max_dets.last().unwrap() as usize;
    // one buffer per field for every category, split by per-category detection counts (an upper
    // bound of what each keeps)
    let at = a_n * t_n;
    let mut cnt = vec![0usize; k_n];
    for &c in inp.dt_cat {
        cnt[if p.use_cats { c as usize } else { 0 }] += 1;
    }
    let mut npos = vec![0u64; k_n * a_n];
    let thr: Vec<f64> = p.iou_thrs.iter().map(|&t| if t < 1.0 - 1e-10 { t } else { 1.0 - 1e-10 }).collect();
    let cell_lists = |img: usize| (&g_order[g_start[img] as usize..g_start[img + 1] as usize], &d_order[d_start[img] as usize..d_start[img + 1] as usize]);

    // 1. variant 0: every cell matched
    let mut bufs0 = StoreBufs::new(nd, at);
    let mut store = bufs0.split(&cnt, at);
    let mut sc = Scratch::default();
    let base_inp = CocoInput { dt_score: variants[0], ..*inp };
    for img in 0..inp.num_images {
        let (gsrc, dsrc) = cell_lists(img);
        if gsrc.is_empty() && dsrc.is_empty() {
            continue;
        }
        eval_image(&base_inp, p, &thr, max_det, gsrc, dsrc, &mut store, &mut npos, &mut sc, None);
    }
    let store = store; // read-only from here on
    let base_view: Vec<CatView> = store.iter().map(|s| CatView { score: &s.score[..], rank: &s.rank[..], flags: &s.flags[..], len: s.len }).collect();
    let mut acc_pool: Vec<AccScratch> = Vec::new();
    accumulate_variant(p, &base_view, &npos, &cnt, nd, &mut acc_pool, &mut precision[..pl], &mut recall[..rl]);
    if nv == 1 {
        return Ok(());
    }

    // 2. the later variants, one at a time in one more set of buffers: the cells that keep
    // variant 0's scores are copied from its store, the others matched again
    let mut bufs = StoreBufs::new(nd, at);
    for (v, scores) in variants.iter().enumerate().skip(1) {
        bufs.flags.fill(FP);
        let mut store_v = bufs.split(&cnt, at);
        let inp_v = CocoInput { dt_score: scores, ..*inp };
        let mut reuse = Reuse { scores: variants[0], base: &store, cursor: vec![0; k_n], npos_scratch: vec![0; a_n], order_v: Vec::new(), order_b: Vec::new(), keys: Vec::new() };
        for img in 0..inp.num_images {
            let (gsrc, dsrc) = cell_lists(img);
            if gsrc.is_empty() && dsrc.is_empty() {
                continue;
            }
            eval_image(&inp_v, p, &thr, max_det, gsrc, dsrc, &mut store_v, &mut [], &mut sc, Some(&mut reuse));
        }
        let view: Vec<CatView> = store_v.iter().map(|s| CatView { score: &s.score[..], rank: &s.rank[..], flags: &s.flags[..], len: s.len }).collect();
        accumulate_variant(p, &view, &npos, &cnt, nd, &mut acc_pool, &mut precision[v * pl..(v + 1) * pl], &mut recall[v * rl..(v + 1) * rl]);
    }
    Ok(())
}

/// pycocotools `accumulate` of one variant's stores into its `precision` `[T,R,K,A,M]` and `recall`
/// `[T,K,A,M]` (pre-filled with −1): one chunk per category (on the native pool when there is work
/// enough), each into tables of its own, put in place in category order — the same numbers for
/// any thread count. `acc_pool`: scratch kept across calls (one per chunk run on this thread).
#[allow(clippy::too_many_arguments)]
fn accumulate_variant(p: &CocoParams, store: &[CatView<'_>], npos: &[u64], cnt: &[usize], nd: usize, acc_pool: &mut Vec<AccScratch>, precision: &mut [f64], recall: &mut [f64]) {
    let (t_n, r_n, a_n, m_n) = (p.iou_thrs.len(), p.rec_thrs.len(), p.area_rng.len() / 2, p.max_dets.len());
    let (k_n, at) = (store.len(), a_n * t_n);
    let maxc = cnt.iter().copied().max().unwrap_or(0);
    let (cat_pl, cat_rl) = (t_n * r_n * a_n * m_n, t_n * a_n * m_n);
    let new_scratch = || AccScratch {
        q: vec![0.0f64; r_n],
        env: (0..m_n).map(|_| Vec::with_capacity(maxc)).collect(),
        order: Vec::with_capacity(maxc),
        sorted: Vec::with_capacity(maxc * at),
        keys: Vec::with_capacity(maxc),
    };
    let run = |acc: &mut AccScratch, k: usize| {
        let npos_k = &npos[k * a_n..(k + 1) * a_n];
        if npos_k.iter().all(|&n| n == 0) {
            return None;
        }
        let (mut pre, mut rec) = (vec![-1.0f64; cat_pl], vec![-1.0f64; cat_rl]);
        accumulate_cat(p, 0, 1, &store[k], npos_k, acc, &mut pre, &mut rec);
        Some((pre, rec))
    };
    let work = nd.saturating_mul(at);
    let parts: Vec<Option<(Vec<f64>, Vec<f64>)>> = if k_n > 1 && work >= crate::par::MIN_PAR_WORK && crate::par::threads() > 1 {
        crate::par::map_chunks(k_n, work, new_scratch, run)
    } else {
        // on this thread: one scratch, kept for the next variant
        if acc_pool.is_empty() {
            acc_pool.push(new_scratch());
        }
        let acc = &mut acc_pool[0];
        (0..k_n).map(|k| run(acc, k)).collect()
    };
    // local [T,R,1,A,M] / [T,1,A,M] → [T,R,K,A,M] / [T,K,A,M]: runs of A·M
    let am = a_n * m_n;
    for (k, part) in parts.into_iter().enumerate() {
        let Some((pre, rec)) = part else { continue };
        for tr in 0..t_n * r_n {
            precision[(tr * k_n + k) * am..(tr * k_n + k + 1) * am].copy_from_slice(&pre[tr * am..(tr + 1) * am]);
        }
        for t in 0..t_n {
            recall[(t * k_n + k) * am..(t * k_n + k + 1) * am].copy_from_slice(&rec[t * am..(t + 1) * am]);
        }
    }
}

/// The buffers of one variant's per-category stores (see [`CatStore`]): one allocation per field
/// for all categories, split by the per-category detection counts.
struct StoreBufs {
    score: Vec<f64>,
    rank: Vec<u32>,
    flags: Vec<u8>,
}

impl StoreBufs {
    fn new(nd: usize, at: usize) -> Self {
        StoreBufs { score: vec![0f64; nd], rank: vec![0u32; nd], flags: vec![FP; nd * at] }
    }

    /// The per-category stores, empty, over these buffers.
    fn split(&mut self, cnt: &[usize], at: usize) -> Vec<CatStore<'_>> {
        let mut store: Vec<CatStore> = Vec::with_capacity(cnt.len());
        let (mut s_rest, mut r_rest, mut f_rest) = (&mut self.score[..], &mut self.rank[..], &mut self.flags[..]);
        for &c in cnt {
            let (s0, s1) = std::mem::take(&mut s_rest).split_at_mut(c);
            let (r0, r1) = std::mem::take(&mut r_rest).split_at_mut(c);
            let (f0, f1) = std::mem::take(&mut f_rest).split_at_mut(c * at);
            store.push(CatStore { score: s0, rank: r0, flags: f0, len: 0 });
            (s_rest, r_rest, f_rest) = (s1, r1, f1);
        }
        store
    }
}

/// A category's matched entries, read-only (what the accumulation reads; see [`CatStore`]).
struct CatView<'a> {
    score: &'a [f64],
    rank: &'a [u32],
    flags: &'a [u8],
    len: usize,
}

/// Options of [`coco_evaluate_variants_flat`] (the declared kernel `coco_evaluate_variants`).
#[derive(Debug, Clone, Copy)]
pub struct CocoVariantsOpts {
    pub num_images: u32,
    pub num_cats: u32,
    /// `V`: `dt_scores` holds `V` score arrays `[D]`, one after the other.
    pub num_variants: u32,
    pub use_cats: bool,
    /// 0, or 1 for the VOC `+1` width convention.
    pub offset: f64,
}

fn to_u32(arg: &'static str, v: &[i32]) -> Result<Vec<u32>> {
    if let Some((i, &x)) = v.iter().enumerate().find(|(_, &x)| x < 0) {
        return Err(CoreError::value(arg, format!("element {i} is {x}, must not be negative")));
    }
    Ok(v.iter().map(|&x| x as u32).collect())
}

/// [`coco_evaluate`] of `V` score variants of the same set in one call (the flat form the kernel
/// declaration binds): `dt_scores` `[V, D]`, outputs `precision` `[V, T, R, K, A, M]` and `recall`
/// `[V, T, K, A, M]`. Index inputs are `i32` (≥ 0), `gt_crowd` nonzero for a crowd region,
/// `max_dets` ascending positive. Cells (image, category) whose scores equal variant 0's are matched
/// once (see [`evaluate_variants`]); the result equals one [`coco_evaluate`] call per variant, bit
/// for bit. Errors: as [`coco_evaluate`], plus `E_VALUE` for a negative index or `num_variants` 0,
/// `E_SHAPE` when `dt_scores` is not `V·D` long.
#[allow(clippy::too_many_arguments)]
pub fn coco_evaluate_variants_flat(
    gt_image: &[i32], gt_cat: &[i32], gt_box: &[f64], gt_area: &[f64], gt_crowd: &[i32], dt_image: &[i32], dt_cat: &[i32], dt_box: &[f64],
    dt_scores: &[f64], iou_thrs: &[f64], rec_thrs: &[f64], max_dets: &[i32], area_rng: &[f64], o: &CocoVariantsOpts,
    precision: &mut [f64], recall: &mut [f64],
) -> Result<()> {
    let nv = o.num_variants as usize;
    if nv == 0 {
        return Err(CoreError::value("num_variants", "must be at least 1"));
    }
    let nd = dt_image.len();
    check_len("dt_scores", dt_scores, nv * nd)?;
    let (gi, gc, di, dc, md) = (to_u32("gt_image", gt_image)?, to_u32("gt_cat", gt_cat)?, to_u32("dt_image", dt_image)?, to_u32("dt_cat", dt_cat)?, to_u32("max_dets", max_dets)?);
    let crowd: Vec<u8> = gt_crowd.iter().map(|&c| (c != 0) as u8).collect();
    let inp = CocoInput {
        num_images: o.num_images as usize, num_cats: o.num_cats as usize, gt_image: &gi, gt_cat: &gc, gt_box, gt_area, gt_crowd: &crowd,
        dt_image: &di, dt_cat: &dc, dt_box, dt_score: &dt_scores[..nd],
    };
    let p = CocoParams { iou_thrs, rec_thrs, max_dets: &md, area_rng, use_cats: o.use_cats, offset: o.offset };
    let variants: Vec<&[f64]> = if nd == 0 { vec![&dt_scores[..0]; nv] } else { dt_scores.chunks_exact(nd).collect() };
    evaluate_variants(&inp, &p, &variants, precision, recall)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lin(a: f64, b: f64, n: usize) -> Vec<f64> {
        let step = (b - a) / (n - 1) as f64;
        let mut v: Vec<f64> = (0..n).map(|i| i as f64 * step + a).collect();
        v[n - 1] = b;
        v
    }

    #[test]
    fn one_image_one_category() {
        // gt: two boxes; dets: a perfect match (0.9), a duplicate (0.8), a miss (0.7)
        let gt_box = [0.0, 0.0, 10.0, 10.0, 50.0, 50.0, 10.0, 10.0];
        let dt_box = [0.0, 0.0, 10.0, 10.0, 0.0, 0.0, 10.0, 10.0, 100.0, 100.0, 10.0, 10.0];
        let inp = CocoInput {
            num_images: 1, num_cats: 1, gt_image: &[0, 0], gt_cat: &[0, 0], gt_box: &gt_box, gt_area: &[100.0, 100.0],
            gt_crowd: &[0, 0], dt_image: &[0, 0, 0], dt_cat: &[0, 0, 0], dt_box: &dt_box, dt_score: &[0.9, 0.8, 0.7],
        };
        let (iou, rec) = (lin(0.5, 0.95, 10), lin(0.0, 1.0, 101));
        let p = CocoParams { iou_thrs: &iou, rec_thrs: &rec, max_dets: &[1, 10, 100], area_rng: &[0.0, 1e10], use_cats: true, offset: 0.0 };
        let (pl, rl) = coco_output_lens(&p, 1);
        let (mut pre, mut recl) = (vec![0.0; pl], vec![0.0; rl]);
        coco_evaluate(&inp, &p, &mut pre, &mut recl).unwrap();
        // maxDets 100: one TP of two gt → recall 0.5, precision 1 up to recall 0.5, then 0
        assert_eq!(recl[2], 0.5);
        assert_eq!(recl[0], 0.5);
        let at = |r: usize, m: usize| pre[r * 3 + m];
        assert_eq!(at(50, 2), 1.0 / (1.0 + f64::EPSILON)); // pycocotools: tp / (fp + tp + eps)
        assert_eq!(at(51, 2), 0.0);
        let bad = CocoInput { dt_image: &[0, 0, 1], ..inp };
        assert!(coco_evaluate(&bad, &p, &mut pre, &mut recl).is_err());
    }
    #[test]
    fn crowd_absorbs_duplicates_and_ties_match() {
        // gt 0: 20×20 box; gt 1: a crowd region. Det 0 covers gt 0 at IoU exactly 0.75 (20×15 inside),
        // det 1 and det 2 lie inside the crowd region (IoF 1): ignored, not false positives.
        let gt_box = [0.0, 0.0, 20.0, 20.0, 100.0, 100.0, 50.0, 50.0];
        let dt_box = [0.0, 0.0, 20.0, 15.0, 110.0, 110.0, 10.0, 10.0, 120.0, 120.0, 5.0, 5.0];
        let inp = CocoInput {
            num_images: 1, num_cats: 1, gt_image: &[0, 0], gt_cat: &[0, 0], gt_box: &gt_box, gt_area: &[400.0, 2500.0],
            gt_crowd: &[0, 1], dt_image: &[0, 0, 0], dt_cat: &[0, 0, 0], dt_box: &dt_box, dt_score: &[0.5, 0.9, 0.9],
        };
        let rec = lin(0.0, 1.0, 101);
        let p = CocoParams { iou_thrs: &[0.75, 0.8], rec_thrs: &rec, max_dets: &[100], area_rng: &[0.0, 1e10], use_cats: true, offset: 0.0 };
        let (pl, rl) = coco_output_lens(&p, 1);
        let (mut pre, mut recl) = (vec![0.0; pl], vec![0.0; rl]);
        coco_evaluate(&inp, &p, &mut pre, &mut recl).unwrap();
        // at 0.75 (IoU ≥ threshold): one TP of one positive, no FP → recall 1, precision 1/(1+ε)
        assert_eq!(recl[0], 1.0);
        assert!(pre[..101].iter().all(|&v| v == 1.0 / (1.0 + f64::EPSILON)));
        // at 0.8: no match, the crowd detections stay ignored → recall 0, precision 0
        assert_eq!(recl[1], 0.0);
        assert!(pre[101..].iter().all(|&v| v == 0.0));
    }

    #[test]
    fn curves_equal_the_entry_by_entry_count() {
        // random rows of codes (FP / TP / IGNORED, m0 in 0..=m_n), with long FP runs and none
        let mut seed = 99u64;
        let mut rnd = move || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        for m_n in [1usize, 2, 3, 5] {
            for len in [0usize, 1, 7, 300, 5000] {
                let row: Vec<u8> = (0..len)
                    .map(|_| {
                        let code = match rnd() % 10 { 0 | 1 => TP, 2 => IGNORED, _ => FP };
                        code | (((rnd() % (m_n + 1)) as u8) << 2)
                    })
                    .collect();
                let (mut e1, mut e2): (Vec<Vec<f64>>, Vec<Vec<f64>>) = ((0..m_n).map(|_| vec![]).collect(), (0..m_n).map(|_| vec![]).collect());
                let a = curves(&row, m_n, &mut e1);
                let b = curves_reference(&row, m_n, &mut e2);
                assert_eq!(a, b);
                for m in 0..m_n {
                    assert_eq!(e1[m].len(), e2[m].len());
                    assert!(e1[m].iter().zip(&e2[m]).all(|(x, y)| x.to_bits() == y.to_bits()));
                }
            }
        }
    }

    #[test]
    fn interpolate_equals_a_binary_search_per_point() {
        // the reference: pycocotools' searchsorted(rc, recThrs, 'left'), one binary search per point
        fn reference(env: &mut [f64], cnt: u64, tp: u64, npig: f64, rec_thrs: &[f64], q: &mut [f64]) -> f64 {
            for i in (1..env.len()).rev() {
                if env[i] > env[i - 1] {
                    env[i - 1] = env[i];
                }
            }
            q.fill(0.0);
            if cnt == 0 {
                return 0.0;
            }
            let ntp = env.len();
            for (r, &rt) in rec_thrs.iter().enumerate() {
                let (mut lo, mut hi) = (1usize, ntp + 1);
                while lo < hi {
                    let mid = (lo + hi) / 2;
                    if (mid as f64) / npig < rt {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                if lo > ntp {
                    break;
                }
                q[r] = env[lo - 1];
            }
            tp as f64 / npig
        }
        let std_thrs = lin(0.0, 1.0, 101);
        let odd_thrs = [0.3, 0.1, 0.7, 0.7, 0.2, 1.0, 0.0];
        let mut seed = 7u64;
        let mut rnd = move || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 11) as f64) / ((1u64 << 53) as f64)
        };
        for thrs in [&std_thrs[..], &odd_thrs[..]] {
            for (ntp, npig) in [(0usize, 5.0), (1, 1.0), (3, 7.0), (37, 37.0), (40, 300.0), (100, 100.0)] {
                let env: Vec<f64> = (0..ntp).map(|_| rnd()).collect();
                let (mut e1, mut e2) = (env.clone(), env.clone());
                let (mut q1, mut q2) = (vec![9.0; thrs.len()], vec![9.0; thrs.len()]);
                let cnt = ntp as u64 + 3;
                assert_eq!(interpolate(&mut e1, cnt, ntp as u64, npig, thrs, &mut q1).to_bits(), reference(&mut e2, cnt, ntp as u64, npig, thrs, &mut q2).to_bits());
                assert!(q1.iter().zip(&q2).all(|(a, b)| a.to_bits() == b.to_bits()), "{thrs:?} {ntp} {npig}");
            }
        }
    }

    #[test]
    fn variants_equal_one_call_each() {
        // 40 images, 5 categories, ~8 gt and ~60 detections per image (jittered copies of the gt and
        // random boxes), a few crowd boxes; variant 1 raises a few scores per image, variant 2
        // changes none, variant 3 lowers every score of category 0 — each must equal its own call
        let mut seed = 12345u64;
        let mut rnd = move || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 11) as f64) / ((1u64 << 53) as f64)
        };
        let (ni, nc) = (40usize, 5usize);
        let (mut gi, mut gc, mut gb, mut ga, mut gcr) = (vec![], vec![], vec![], vec![], vec![]);
        let (mut di, mut dc, mut db, mut ds) = (vec![], vec![], vec![], vec![]);
        for img in 0..ni {
            for _ in 0..8 {
                let (x, y, w, h) = (rnd() * 400.0, rnd() * 400.0, 8.0 + rnd() * 150.0, 8.0 + rnd() * 150.0);
                let c = (rnd() * nc as f64) as i32;
                gi.push(img as i32);
                gc.push(c);
                gb.extend_from_slice(&[x, y, w, h]);
                ga.push(w * h);
                gcr.push((rnd() < 0.05) as i32);
                for _ in 0..4 {
                    di.push(img as i32);
                    dc.push(if rnd() < 0.8 { c } else { (rnd() * nc as f64) as i32 });
                    db.extend_from_slice(&[x + (rnd() - 0.5) * w * 0.4, y + (rnd() - 0.5) * h * 0.4, w * (0.7 + rnd() * 0.6), h * (0.7 + rnd() * 0.6)]);
                    ds.push((rnd() * 1000.0).round() / 1000.0); // ties happen
                }
            }
            for _ in 0..28 {
                di.push(img as i32);
                dc.push((rnd() * nc as f64) as i32);
                db.extend_from_slice(&[rnd() * 400.0, rnd() * 400.0, 5.0 + rnd() * 100.0, 5.0 + rnd() * 100.0]);
                ds.push((rnd() * 1000.0).round() / 1000.0);
            }
        }
        let nd = ds.len();
        let mut v1 = ds.clone();
        for q in (0..nd).step_by(23) {
            v1[q] = 1.0 + rnd();
        }
        let v2 = ds.clone();
        let v3: Vec<f64> = (0..nd).map(|q| if dc[q] == 0 { ds[q] * 0.5 } else { ds[q] }).collect();
        let all: Vec<f64> = [&ds[..], &v1[..], &v2[..], &v3[..]].concat();
        let (iou, rec) = (lin(0.5, 0.95, 10), lin(0.0, 1.0, 101));
        let area = [0.0, 1e10, 0.0, 1024.0, 1024.0, 9216.0, 9216.0, 1e10];
        for use_cats in [true, false] {
            let o = CocoVariantsOpts { num_images: ni as u32, num_cats: nc as u32, num_variants: 4, use_cats, offset: 0.0 };
            let md = [1u32, 10, 100];
            let p = CocoParams { iou_thrs: &iou, rec_thrs: &rec, max_dets: &md, area_rng: &area, use_cats, offset: 0.0 };
            let (pl, rl) = coco_output_lens(&p, nc);
            let (mut pre, mut recl) = (vec![0.0; 4 * pl], vec![0.0; 4 * rl]);
            coco_evaluate_variants_flat(&gi, &gc, &gb, &ga, &gcr, &di, &dc, &db, &all, &iou, &rec, &[1, 10, 100], &area, &o, &mut pre, &mut recl).unwrap();
            let u = |v: &[i32]| v.iter().map(|&x| x as u32).collect::<Vec<u32>>();
            let (gi2, gc2, di2, dc2) = (u(&gi), u(&gc), u(&di), u(&dc));
            let crowd: Vec<u8> = gcr.iter().map(|&c| c as u8).collect();
            for (v, sc) in [&ds, &v1, &v2, &v3].iter().enumerate() {
                let inp = CocoInput {
                    num_images: ni, num_cats: nc, gt_image: &gi2, gt_cat: &gc2, gt_box: &gb, gt_area: &ga, gt_crowd: &crowd,
                    dt_image: &di2, dt_cat: &dc2, dt_box: &db, dt_score: sc,
                };
                let (mut p1, mut r1) = (vec![0.0; pl], vec![0.0; rl]);
                coco_evaluate(&inp, &p, &mut p1, &mut r1).unwrap();
                assert!(p1.iter().zip(&pre[v * pl..(v + 1) * pl]).all(|(a, b)| a.to_bits() == b.to_bits()), "precision of variant {v} (useCats {use_cats})");
                assert!(r1.iter().zip(&recl[v * rl..(v + 1) * rl]).all(|(a, b)| a.to_bits() == b.to_bits()), "recall of variant {v}");
                if v == 1 {
                    // the raised variant is a different evaluation
                    assert!(p1 != pre[..pl]);
                }
            }
        }
        // errors: negative index, no variants, wrong score length
        let o = CocoVariantsOpts { num_images: 1, num_cats: 1, num_variants: 1, use_cats: true, offset: 0.0 };
        let (mut pre, mut recl) = (vec![0.0; 10 * 101 * 3], vec![0.0; 10 * 3]);
        let e = coco_evaluate_variants_flat(&[0], &[0], &[0.0, 0.0, 1.0, 1.0], &[1.0], &[0], &[-1], &[0], &[0.0, 0.0, 1.0, 1.0], &[0.5], &iou, &rec, &[1, 10, 100], &[0.0, 1e10], &o, &mut pre, &mut recl);
        assert_eq!(e.unwrap_err().arg, "dt_image");
        let e = coco_evaluate_variants_flat(&[0], &[0], &[0.0, 0.0, 1.0, 1.0], &[1.0], &[0], &[0], &[0], &[0.0, 0.0, 1.0, 1.0], &[0.5, 0.4], &iou, &rec, &[1, 10, 100], &[0.0, 1e10], &o, &mut pre, &mut recl);
        assert_eq!(e.unwrap_err().arg, "dt_scores");
        let o0 = CocoVariantsOpts { num_variants: 0, ..o };
        assert!(coco_evaluate_variants_flat(&[0], &[0], &[0.0, 0.0, 1.0, 1.0], &[1.0], &[0], &[0], &[0], &[0.0, 0.0, 1.0, 1.0], &[], &iou, &rec, &[1, 10, 100], &[0.0, 1e10], &o0, &mut pre, &mut recl).is_err());
    }

    #[test]
    fn variants_same_for_every_thread_count() {
        // large enough for the pool (D·A·T ≥ MIN_PAR_WORK): 200 images × 60 detections, 10 categories
        let mut seed = 99u64;
        let mut rnd = move || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 11) as f64) / ((1u64 << 53) as f64)
        };
        let (ni, nc) = (200usize, 10usize);
        let (mut gi, mut gc, mut gb, mut ga, mut gcr) = (vec![], vec![], vec![], vec![], vec![]);
        let (mut di, mut dc, mut db, mut ds) = (vec![], vec![], vec![], vec![]);
        for img in 0..ni {
            for _ in 0..6 {
                let (x, y, w, h) = (rnd() * 400.0, rnd() * 400.0, 8.0 + rnd() * 150.0, 8.0 + rnd() * 150.0);
                let c = (rnd() * nc as f64) as i32;
                gi.push(img as i32);
                gc.push(c);
                gb.extend_from_slice(&[x, y, w, h]);
                ga.push(w * h);
                gcr.push((rnd() < 0.03) as i32);
                for _ in 0..10 {
                    di.push(img as i32);
                    dc.push(if rnd() < 0.8 { c } else { (rnd() * nc as f64) as i32 });
                    db.extend_from_slice(&[x + (rnd() - 0.5) * w * 0.4, y + (rnd() - 0.5) * h * 0.4, w * (0.7 + rnd() * 0.6), h * (0.7 + rnd() * 0.6)]);
                    ds.push((rnd() * 100.0).round() / 100.0);
                }
            }
        }
        let nd = ds.len();
        let mut v1 = ds.clone();
        for q in (0..nd).step_by(7) {
            v1[q] = 1.0 + rnd();
        }
        let all: Vec<f64> = [&ds[..], &v1[..]].concat();
        let (iou, rec) = (lin(0.5, 0.95, 10), lin(0.0, 1.0, 101));
        let area = [0.0, 1e10, 0.0, 1024.0, 1024.0, 9216.0, 9216.0, 1e10];
        assert!(nd * 40 >= crate::par::MIN_PAR_WORK);
        let o = CocoVariantsOpts { num_images: ni as u32, num_cats: nc as u32, num_variants: 2, use_cats: true, offset: 0.0 };
        let md = [1u32, 10, 100];
        let p = CocoParams { iou_thrs: &iou, rec_thrs: &rec, max_dets: &md, area_rng: &area, use_cats: true, offset: 0.0 };
        let (pl, rl) = coco_output_lens(&p, nc);
        let run = || {
            let (mut pre, mut recl) = (vec![0.0; 2 * pl], vec![0.0; 2 * rl]);
            coco_evaluate_variants_flat(&gi, &gc, &gb, &ga, &gcr, &di, &dc, &db, &all, &iou, &rec, &[1, 10, 100], &area, &o, &mut pre, &mut recl).unwrap();
            (pre, recl)
        };
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<u64>>();
        let mut results = vec![];
        for threads in [1, 2, 3] {
            crate::par::set_threads(threads).unwrap();
            let (pre, recl) = run();
            results.push((bits(&pre), bits(&recl)));
        }
        crate::par::set_threads(0).unwrap();
        assert!(results.iter().all(|r| *r == results[0]), "same bits for 1, 2 and 3 threads");
        // and each variant equals its own single call
        let u = |v: &[i32]| v.iter().map(|&x| x as u32).collect::<Vec<u32>>();
        let (gi2, gc2, di2, dc2) = (u(&gi), u(&gc), u(&di), u(&dc));
        let crowd: Vec<u8> = gcr.iter().map(|&c| c as u8).collect();
        for (v, sc) in [&ds, &v1].iter().enumerate() {
            let inp = CocoInput { num_images: ni, num_cats: nc, gt_image: &gi2, gt_cat: &gc2, gt_box: &gb, gt_area: &ga, gt_crowd: &crowd, dt_image: &di2, dt_cat: &dc2, dt_box: &db, dt_score: sc };
            let (mut p1, mut r1) = (vec![0.0; pl], vec![0.0; rl]);
            coco_evaluate(&inp, &p, &mut p1, &mut r1).unwrap();
            assert_eq!(bits(&p1), results[0].0[v * pl..(v + 1) * pl]);
            assert_eq!(bits(&r1), results[0].1[v * rl..(v + 1) * rl]);
        }
    }
}
