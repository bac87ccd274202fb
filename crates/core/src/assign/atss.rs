//! ATSS assigner (Zhang et al., "Bridging the Gap Between Anchor-based and Anchor-free Detection via
//! Adaptive Training Sample Selection", CVPR 2020, arXiv 1912.02424, Algorithm 1), matching
//! mmdetection `ATSSAssigner(topk=9)` (`mmdet/models/task_modules/assigners/atss_assigner.py`,
//! `alpha=None`, `ignore_iof_thr=-1`). Spec: modern-methods §6. Computed in f64 (IoU with the union
//! floored at 1e-6, centre distances), so every backend takes the same decisions; ties in every
//! ranking go to the lower index, IoU ties between gts to the first gt.
//!
//! Work: the k nearest priors of a level are found by a block search (blocks of consecutive
//! priors with the bounding box of their centres; a block farther than the current k-th is
//! skipped on its bound), so a gt computes O(#blocks) bounds and a few blocks' distances instead
//! of N distances — the same candidates as a full scan (`ts/backends/ts/modern/assign.ts` is one).
use crate::error::{check_len, CoreError, Result};

/// Options of [`atss_assign`].
#[derive(Clone, Copy, Debug)]
pub struct AtssOpts {
    pub topk: u32,
    /// M = Σ_l min(topk, n_l), the candidate count per gt (rows of `candidates`).
    pub num_candidates: u32,
}

/// IoU of two xyxy boxes, union floored at 1e-6 (bbox_overlaps' eps); areas not clamped.
#[inline]
pub(crate) fn iou64(a: &[f32], b: &[f32]) -> f64 {
    let (a0, a1, a2, a3) = (a[0] as f64, a[1] as f64, a[2] as f64, a[3] as f64);
    let (b0, b1, b2, b3) = (b[0] as f64, b[1] as f64, b[2] as f64, b[3] as f64);
    let iw = (a2.min(b2) - a0.max(b0)).max(0.0);
    let ih = (a3.min(b3) - a1.max(b1)).max(0.0);
    let inter = iw * ih;
    let u = ((a2 - a0) * (a3 - a1) + (b2 - b0) * (b3 - b1) - inter).max(1e-6);
    inter / u
}

/// Priors per block of the candidate search: each level is cut into blocks of consecutive priors,
/// and a block whose bounding box of centres is farther from the gt centre than the current k-th
/// candidate is skipped whole.
const BLOCK: usize = 32;

/// Bounding boxes of the prior centres of consecutive blocks of [`BLOCK`] priors (SoA, f64), one
/// level at a time: block `b` of a level starting at prior `s` covers priors `s + b·BLOCK ..`.
struct Blocks {
    x0: Vec<f64>,
    x1: Vec<f64>,
    y0: Vec<f64>,
    y1: Vec<f64>,
}

impl Blocks {
    fn new(pcx: &[f64], pcy: &[f64], num_level_priors: &[i32]) -> Self {
        let nb: usize = num_level_priors.iter().map(|&nl| (nl as usize).div_ceil(BLOCK)).sum();
        let mut b = Blocks { x0: Vec::with_capacity(nb), x1: Vec::with_capacity(nb), y0: Vec::with_capacity(nb), y1: Vec::with_capacity(nb) };
        let mut start = 0usize;
        for &nl in num_level_priors {
            let end = start + nl as usize;
            for (cx, cy) in pcx[start..end].chunks(BLOCK).zip(pcy[start..end].chunks(BLOCK)) {
                b.x0.push(cx.iter().fold(f64::INFINITY, |a, &v| a.min(v)));
                b.x1.push(cx.iter().fold(f64::NEG_INFINITY, |a, &v| a.max(v)));
                b.y0.push(cy.iter().fold(f64::INFINITY, |a, &v| a.min(v)));
                b.y1.push(cy.iter().fold(f64::NEG_INFINITY, |a, &v| a.max(v)));
            }
            start = end;
        }
        b
    }
}

/// Lower bounds `lb` of the centre distance of each block's priors to the point `(gx, gy)`, and
/// the squared distances `far` of the point to the farthest corner of each block's box (only a
/// heuristic: which block to search first). Vectorises. `lb` is exact as a bound: rounding is
/// monotone, so for a centre `c ≥ x0` (the block's minimum) `fl(c − gx) ≥ fl(x0 − gx)`, and so on
/// through the squares, the sum and the square root — every prior's distance as [`centre_dist`]
/// rounds it is `≥` its block's bound.
#[inline(always)]
fn block_bounds(x0: &[f64], x1: &[f64], y0: &[f64], y1: &[f64], gx: f64, gy: f64, lb: &mut [f64], far: &mut [f64]) {
    let n = lb.len();
    let (x0, x1, y0, y1, far) = (&x0[..n], &x1[..n], &y0[..n], &y1[..n], &mut far[..n]);
    for b in 0..n {
        let (ax, bx) = (x0[b] - gx, gx - x1[b]);
        let (ay, by) = (y0[b] - gy, gy - y1[b]);
        let dx = ax.max(bx).max(0.0);
        let dy = ay.max(by).max(0.0);
        lb[b] = (dx * dx + dy * dy).sqrt();
        let (fx, fy) = ((-ax).max(-bx), (-ay).max(-by));
        far[b] = fx * fx + fy * fy;
    }
}

/// Centres of xyxy boxes (f64, exact: the sum of two f32 is exact in f64, and so is the halving).
#[inline(always)]
fn centres(boxes: &[f32], cx: &mut [f64], cy: &mut [f64]) {
    let n = cx.len();
    let cy = &mut cy[..n];
    for (i, b) in boxes.chunks_exact(4).take(n).enumerate() {
        cx[i] = (b[0] as f64 + b[2] as f64) / 2.0;
        cy[i] = (b[1] as f64 + b[3] as f64) / 2.0;
    }
}

/// Euclidean distances of prior centres to one gt centre (f64, vectorises).
#[inline(always)]
fn centre_dist(cx: &[f64], cy: &[f64], gx: f64, gy: f64, out: &mut [f64]) {
    let n = out.len();
    let (cx, cy) = (&cx[..n], &cy[..n]);
    for i in 0..n {
        let (dx, dy) = (cx[i] - gx, cy[i] - gy);
        out[i] = (dx * dx + dy * dy).sqrt();
    }
}

/// Keeps the `k` smallest `(distance, index)` pairs in `best`, sorted by distance then index (the
/// order a full stable sort by distance gives), whatever order the pairs arrive in.
#[inline]
fn push_nearest(best: &mut Vec<(f64, u32)>, k: usize, d: f64, idx: u32) {
    let before = |a: (f64, u32), b: (f64, u32)| a.0 < b.0 || (a.0 == b.0 && a.1 < b.1);
    if best.len() == k {
        if k == 0 || !before((d, idx), best[k - 1]) {
            return;
        }
        best.pop();
    }
    let mut pos = best.len();
    while pos > 0 && before((d, idx), best[pos - 1]) {
        pos -= 1;
    }
    best.insert(pos, (d, idx));
}

/// The `kk` priors of one level nearest to `(gx, gy)` (distance, then lower index), appended to
/// `col` in that order. `blocks` are the level's block bounds; `lb` and `dist` scratch.
/// The block whose farthest corner is nearest the gt (a block of priors around the gt centre) is
/// searched first, so that the k-th distance is small from the start and almost every other block
/// is skipped on its bound alone (a partial selection: no sort of the level's distances, and no
/// distance computed for a skipped block). Which block goes first changes only the speed: the
/// kept pairs are the `kk` smallest by (distance, index), whatever the order.
#[allow(clippy::too_many_arguments)]
fn level_nearest(
    pcx: &[f64], pcy: &[f64], start: usize, blocks: (&[f64], &[f64], &[f64], &[f64]), gx: f64, gy: f64, kk: usize,
    lb: &mut Vec<f64>, far: &mut Vec<f64>, dist: &mut [f64; BLOCK], cand: &mut Vec<(f64, u32)>, col: &mut Vec<u32>,
) {
    cand.clear();
    let nl = pcx.len();
    if kk == 0 || nl == 0 {
        return;
    }
    let nb = blocks.0.len();
    lb.clear();
    lb.resize(nb, 0.0);
    far.clear();
    far.resize(nb, 0.0);
    crate::dispatch!(block_bounds(blocks.0, blocks.1, blocks.2, blocks.3, gx, gy, &mut lb[..], &mut far[..]));
    let mut seed = 0usize;
    for b in 1..nb {
        if far[b] < far[seed] {
            seed = b;
        }
    }
    let mut scan = |b: usize, cand: &mut Vec<(f64, u32)>| {
        let (a, e) = (b * BLOCK, ((b + 1) * BLOCK).min(nl));
        let d = &mut dist[..e - a];
        crate::dispatch!(centre_dist(&pcx[a..e], &pcy[a..e], gx, gy, d));
        for (t, &dt) in d.iter().enumerate() {
            // cheap rejection first: the current k-th is nearer (or as near, with a lower index —
            // the seed block aside, blocks arrive in index order)
            if cand.len() == kk && dt > cand[kk - 1].0 {
                continue;
            }
            push_nearest(cand, kk, dt, (start + a + t) as u32);
        }
    };
    scan(seed, cand);
    for b in 0..nb {
        if b == seed || (cand.len() == kk && lb[b] > cand[kk - 1].0) {
            continue;
        }
        scan(b, cand);
    }
    col.extend(cand.iter().map(|c| c.1));
}

/// Keeps the `k` best `(key, index)` pairs in `best` (sorted, best first; `better(a, b)` = a ranks
/// before b; equal keys keep the lower index first because indices arrive in increasing order).
#[inline]
pub(crate) fn push_topk(best: &mut Vec<(f64, u32)>, k: usize, key: f64, idx: u32, better: impl Fn(f64, f64) -> bool) {
    if best.len() == k {
        if k == 0 || !better(key, best[k - 1].0) {
            return;
        }
        best.pop();
    }
    let mut pos = best.len();
    while pos > 0 && better(key, best[pos - 1].0) {
        pos -= 1;
    }
    best.insert(pos, (key, idx));
}

/// ATSS on `priors` `[N·4]` grouped by level (`num_level_priors` `[L]`, Σ = N), `gt_bboxes`
/// `[K·4]`, `gt_labels` `[K]`. Outputs: `gt_inds` `[N]` (0 negative, j + 1 gt j), `labels` `[N]`
/// (−1 unless positive), `assigned_iou` `[N]` (0 for negatives), per gt `iou_mean`, `iou_std`
/// (Bessel), `iou_thr` `[K]`, and `candidates` `[M·K]` (column j = gt j's M candidates, ascending).
#[allow(clippy::too_many_arguments)]
pub fn atss_assign(
    priors: &[f32], num_level_priors: &[i32], gt_bboxes: &[f32], gt_labels: &[i32], o: &AtssOpts, gt_inds: &mut [i32],
    labels: &mut [i32], assigned_iou: &mut [f32], iou_mean: &mut [f64], iou_std: &mut [f64], iou_thr: &mut [f64],
    candidates: &mut [i32],
) -> Result<()> {
    if priors.len() % 4 != 0 || gt_bboxes.len() % 4 != 0 {
        return Err(CoreError::shape("priors", "boxes need 4 values each"));
    }
    let n = priors.len() / 4;
    let k = gt_bboxes.len() / 4;
    check_len("gt_labels", gt_labels, k)?;
    let topk = o.topk as usize;
    let mut m = 0usize;
    let mut total = 0usize;
    for &nl in num_level_priors {
        if nl < 0 {
            return Err(CoreError::value("num_level_priors", "counts must be ≥ 0"));
        }
        m += topk.min(nl as usize);
        total += nl as usize;
    }
    if total != n {
        return Err(CoreError::shape("num_level_priors", format!("sums to {total}, but there are {n} priors")));
    }
    if m != o.num_candidates as usize {
        return Err(CoreError::shape("num_candidates", format!("expected {m}")));
    }
    for out in [&mut *gt_inds, &mut *labels] {
        check_len("gt_inds", out, n)?;
    }
    check_len("assigned_iou", assigned_iou, n)?;
    check_len("iou_mean", iou_mean, k)?;
    check_len("iou_std", iou_std, k)?;
    check_len("iou_thr", iou_thr, k)?;
    check_len("candidates", candidates, m * k)?;
    gt_inds.fill(0);
    labels.fill(-1);
    assigned_iou.fill(0.0);
    if k == 0 || n == 0 {
        iou_mean.fill(f64::NAN);
        iou_std.fill(f64::NAN);
        iou_thr.fill(f64::NAN);
        return Ok(());
    }
    let centre = |b: &[f32]| ((b[0] as f64 + b[2] as f64) / 2.0, (b[1] as f64 + b[3] as f64) / 2.0);
    // prior centres once (structure of arrays: the distance loop below vectorises)
    let (mut pcx, mut pcy) = (vec![0f64; n], vec![0f64; n]);
    crate::dispatch!(centres(priors, &mut pcx, &mut pcy));
    // per gt, independently (in parallel for large inputs): candidates, IoU statistics, and the
    // candidates that pass; merged below in gt order (first gt on IoU ties), as sequentially
    struct GtPart {
        col: Vec<u32>,
        ious: Vec<f64>,
        mean: f64,
        std: f64,
        thr: f64,
    }
    let blocks = Blocks::new(&pcx, &pcy, num_level_priors);
    // per gt: one bound per block and a few blocks' distances (the work estimate for the pool)
    let work = blocks.x0.len().saturating_mul(k).saturating_mul(4);
    let parts = crate::par::map_chunks(k, work, || (Vec::<f64>::new(), Vec::<f64>::new(), [0f64; BLOCK], Vec::<(f64, u32)>::with_capacity(topk + 1)), |(lb, far, dist, cand), j| {
        let g = &gt_bboxes[4 * j..4 * j + 4];
        let (gx, gy) = centre(g);
        let mut col: Vec<u32> = Vec::with_capacity(m);
        let (mut start, mut b0) = (0usize, 0usize);
        for &nl in num_level_priors {
            let nl = nl as usize;
            let nb = nl.div_ceil(BLOCK);
            let bl = (&blocks.x0[b0..b0 + nb], &blocks.x1[b0..b0 + nb], &blocks.y0[b0..b0 + nb], &blocks.y1[b0..b0 + nb]);
            level_nearest(&pcx[start..start + nl], &pcy[start..start + nl], start, bl, gx, gy, topk.min(nl), lb, far, dist, cand, &mut col);
            start += nl;
            b0 += nb;
        }
        let ious: Vec<f64> = col.iter().map(|&i| iou64(&priors[4 * i as usize..4 * i as usize + 4], g)).collect();
        let mean = ious.iter().sum::<f64>() / m as f64;
        let var = ious.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (m as f64 - 1.0);
        let std = if m > 1 { var.sqrt() } else { f64::NAN };
        GtPart { col, ious, mean, std, thr: mean + std }
    });
    // the candidates that pass, in gt order: (prior, gt, IoU)
    let mut pass: Vec<(u32, u32, f64)> = Vec::new();
    for (j, p) in parts.iter().enumerate() {
        let g = &gt_bboxes[4 * j..4 * j + 4];
        iou_mean[j] = p.mean;
        iou_std[j] = p.std;
        iou_thr[j] = p.thr;
        for (t, &i) in p.col.iter().enumerate() {
            let iu = i as usize;
            let (cx, cy) = (pcx[iu], pcy[iu]);
            let inside = (cx - g[0] as f64).min(cy - g[1] as f64).min(g[2] as f64 - cx).min(g[3] as f64 - cy) > 0.01;
            if p.ious[t] >= p.thr && inside {
                pass.push((i, j as u32, p.ious[t]));
            }
        }
        let mut sorted = p.col.clone();
        sorted.sort_unstable();
        for (r, &i) in sorted.iter().enumerate() {
            candidates[r * k + j] = i as i32;
        }
    }
    // a prior passing for several gts goes to the highest IoU, the first gt on ties
    for (i, j, iou) in super::best_gt_per_passing_prior(&mut pass) {
        let (iu, j) = (i as usize, j as usize);
        gt_inds[iu] = j as i32 + 1;
        labels[iu] = gt_labels[j];
        assigned_iou[iu] = iou as f32;
    }
    Ok(())
}
