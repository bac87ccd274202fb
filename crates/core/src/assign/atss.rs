//! ATSS assigner (Zhang et al., "Bridging the Gap Between Anchor-based and Anchor-free Detection via
//! Adaptive Training Sample Selection", CVPR 2020, arXiv 1912.02424, Algorithm 1), matching
//! mmdetection `ATSSAssigner(topk=9)` (`mmdet/models/task_modules/assigners/atss_assigner.py`,
//! `alpha=None`, `ignore_iof_thr=-1`). Spec: modern-methods §6. Computed in f64 (IoU with the union
//! floored at 1e-6, centre distances), so every backend takes the same decisions; ties in every
//! ranking go to the lower index, IoU ties between gts to the first gt.
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
    let (pcx, pcy): (Vec<f64>, Vec<f64>) = (0..n).map(|i| centre(&priors[4 * i..4 * i + 4])).unzip();
    // per gt, independently (in parallel for large inputs): candidates, IoU statistics, and the
    // candidates that pass; merged below in gt order (first gt on IoU ties), as sequentially
    struct GtPart {
        col: Vec<u32>,
        ious: Vec<f64>,
        mean: f64,
        std: f64,
        thr: f64,
    }
    let parts = crate::par::map_chunks(k, n.saturating_mul(k), || (Vec::<f64>::new(), Vec::<(f64, u32)>::with_capacity(topk + 1)), |(dist, cand), j| {
        let g = &gt_bboxes[4 * j..4 * j + 4];
        let (gx, gy) = centre(g);
        let mut col: Vec<u32> = Vec::with_capacity(m);
        let mut start = 0usize;
        for &nl in num_level_priors {
            let nl = nl as usize;
            cand.clear();
            let kk = topk.min(nl);
            dist.clear();
            dist.resize(nl, 0.0);
            crate::dispatch!(centre_dist(&pcx[start..start + nl], &pcy[start..start + nl], gx, gy, &mut dist[..]));
            for (t, &d) in dist.iter().enumerate() {
                // cheap rejection first: most priors are farther than the current k-th
                if kk == 0 || (cand.len() == kk && !(d < cand[kk - 1].0)) {
                    continue;
                }
                push_topk(cand, kk, d, (start + t) as u32, |a, b| a < b);
            }
            col.extend(cand.iter().map(|c| c.1));
            start += nl;
        }
        let ious: Vec<f64> = col.iter().map(|&i| iou64(&priors[4 * i as usize..4 * i as usize + 4], g)).collect();
        let mean = ious.iter().sum::<f64>() / m as f64;
        let var = ious.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (m as f64 - 1.0);
        let std = if m > 1 { var.sqrt() } else { f64::NAN };
        GtPart { col, ious, mean, std, thr: mean + std }
    });
    let mut best = vec![f64::NEG_INFINITY; n];
    let mut best_gt = vec![-1i32; n];
    for (j, p) in parts.iter().enumerate() {
        let g = &gt_bboxes[4 * j..4 * j + 4];
        iou_mean[j] = p.mean;
        iou_std[j] = p.std;
        iou_thr[j] = p.thr;
        for (t, &i) in p.col.iter().enumerate() {
            let iu = i as usize;
            let (cx, cy) = (pcx[iu], pcy[iu]);
            let inside = (cx - g[0] as f64).min(cy - g[1] as f64).min(g[2] as f64 - cx).min(g[3] as f64 - cy) > 0.01;
            if p.ious[t] >= p.thr && inside && p.ious[t] > best[iu] {
                best[iu] = p.ious[t];
                best_gt[iu] = j as i32;
            }
        }
        let mut sorted = p.col.clone();
        sorted.sort_unstable();
        for (r, &i) in sorted.iter().enumerate() {
            candidates[r * k + j] = i as i32;
        }
    }
    for i in 0..n {
        let j = best_gt[i];
        if j >= 0 {
            gt_inds[i] = j + 1;
            labels[i] = gt_labels[j as usize];
            assigned_iou[i] = best[i] as f32;
        }
    }
    Ok(())
}
