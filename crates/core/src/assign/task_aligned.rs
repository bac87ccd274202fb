//! Task-aligned assigner (Feng et al., "TOOD: Task-aligned One-stage Object Detection", ICCV 2021,
//! arXiv 2108.07755, Sec. 3.2) in two variants (spec modern-methods §7):
//! - `tood` (variant 0): mmdetection `TaskAlignedAssigner` + `TOODHead._get_targets_single`
//!   (u = IoU of the decoded prediction, top-k by t = s^α u^β, positive if t > 0 and the prior's
//!   centre is inside the gt with margin 0.01; conflicts to the highest u among the picking gts);
//! - `yolov8` (variant 1): ultralytics `TaskAlignedAssigner` (anchor points, u = clamped CIoU,
//!   u and s zeroed outside the gt (margin 1e-9), top-k over t including zeros, no t > 0 test,
//!   conflicts to argmax u over all gts).
//! Normalised target `t / (max_{P_g} t + eps) · max_{P_g} u` over each gt's final positives.
//! f64 throughout; ties to the lower index, u ties to the first gt.
//!
//! Work: `tood` without the `[N·K]` metrics (and β > 0) runs gt-major over only the anchors whose
//! predicted boxes can overlap the gt ([`tood_sparse`]); `yolov8` without the metrics (β > 0) over
//! only the anchor points inside the gt ([`yolo_sparse`]); `withMetrics` and β = 0 run the dense
//! anchor-major pass over all N·K pairs. Each gives the same bits as the dense pass
//! (test/modern-fast-paths).
use super::atss::{iou64, push_topk};
use crate::error::{check_len, CoreError, Result};

/// Options of [`task_aligned_assign`].
#[derive(Clone, Copy, Debug)]
pub struct TaskAlignedOpts {
    /// 0 `tood`, 1 `yolov8`.
    pub variant: u32,
    pub num_classes: u32,
    pub topk: u32,
    pub alpha: f64,
    pub beta: f64,
    pub norm_eps: f64,
    /// Also write the full `[N·K]` alignment metrics.
    pub with_metrics: bool,
}

/// ultralytics `bbox_iou(gt, pred, xywh=False, CIoU=True)` (eps 1e-7, α = v / (v − IoU + 1 + eps), no clamp).
// not inlined: called from four places (dense and sparse passes, conflicts, final pairs), two atan
// calls each; one copy keeps the wasm module small (rounding is the same either way)
#[inline(never)]
pub fn ciou_ultralytics(g: &[f32], p: &[f32]) -> f64 {
    let eps = 1e-7;
    let (b1x1, b1y1, b1x2, b1y2) = (g[0] as f64, g[1] as f64, g[2] as f64, g[3] as f64);
    let (b2x1, b2y1, b2x2, b2y2) = (p[0] as f64, p[1] as f64, p[2] as f64, p[3] as f64);
    let (w1, h1) = (b1x2 - b1x1, b1y2 - b1y1 + eps);
    let (w2, h2) = (b2x2 - b2x1, b2y2 - b2y1 + eps);
    let inter = (b1x2.min(b2x2) - b1x1.max(b2x1)).max(0.0) * (b1y2.min(b2y2) - b1y1.max(b2y1)).max(0.0);
    let union = w1 * h1 + w2 * h2 - inter + eps;
    let iou = inter / union;
    let cw = b1x2.max(b2x2) - b1x1.min(b2x1);
    let ch = b1y2.max(b2y2) - b1y1.min(b2y1);
    let c2 = cw * cw + ch * ch + eps;
    let rho2 = ((b2x1 + b2x2 - b1x1 - b1x2).powi(2) + (b2y1 + b2y2 - b1y1 - b1y2).powi(2)) / 4.0;
    let v = 4.0 / (std::f64::consts::PI * std::f64::consts::PI) * ((w2 / h2).atan() - (w1 / h1).atan()).powi(2);
    let alpha = v / (v - iou + (1.0 + eps));
    iou - (rho2 / c2 + v * alpha)
}

/// Every value in `[0, 1]` (NaN fails); branch-free, vectorises.
#[inline(always)]
fn in_unit(x: &[f32]) -> bool {
    x.iter().fold(true, |a, &v| a & (v >= 0.0) & (v <= 1.0))
}

/// IoU (union floored at 1e-6, as [`iou64`]) of one box with every gt (SoA), in f64 lanes.
#[inline(always)]
fn iou_row(p: &[f32], gx1: &[f64], gy1: &[f64], gx2: &[f64], gy2: &[f64], out: &mut [f64]) {
    let k = out.len();
    let (gx1, gy1, gx2, gy2) = (&gx1[..k], &gy1[..k], &gx2[..k], &gy2[..k]);
    let (a0, a1, a2, a3) = (p[0] as f64, p[1] as f64, p[2] as f64, p[3] as f64);
    let area = (a2 - a0) * (a3 - a1);
    for j in 0..k {
        let iw = (a2.min(gx2[j]) - a0.max(gx1[j])).max(0.0);
        let ih = (a3.min(gy2[j]) - a1.max(gy1[j])).max(0.0);
        let inter = iw * ih;
        let u = (area + (gx2[j] - gx1[j]) * (gy2[j] - gy1[j]) - inter).max(1e-6);
        out[j] = inter / u;
    }
}

/// `x^b` by repeated squaring, inline — the operations of compiler-rt's `__powidf2` (what
/// `f64::powi` calls for a run-time exponent), in the same order: the same bits, without the call.
#[inline(always)]
fn powi_sq(mut a: f64, mut b: u32) -> f64 {
    let mut r = 1.0;
    loop {
        if b & 1 != 0 {
            r *= a;
        }
        b /= 2;
        if b == 0 {
            break;
        }
        a *= a;
    }
    r
}

#[inline(always)]
fn powf(x: f64, e: f64) -> f64 {
    if e == 1.0 {
        x
    } else if e == 0.5 {
        x.sqrt()
    } else if e == e.trunc() && (0.0..=16.0).contains(&e) {
        powi_sq(x, e as u32)
    } else {
        x.powf(e)
    }
}

/// Task-aligned assignment. `priors` `[N·4]` (tood) or anchor points `[N·2]` (yolov8),
/// `pred_bboxes` `[N·4]` decoded, `pred_scores` `[N·C]` probabilities, `gt_bboxes` `[K·4]`,
/// `gt_labels` `[K]` in `[0, C)`. Outputs `[N]`: `gt_inds`, `labels`, `assign_metrics`,
/// `assigned_iou`, `norm_alignment_metrics`; `alignment_metrics` `[N·K]` or empty.
#[allow(clippy::too_many_arguments)]
pub fn task_aligned_assign(
    priors: &[f32], pred_bboxes: &[f32], pred_scores: &[f32], gt_bboxes: &[f32], gt_labels: &[i32], o: &TaskAlignedOpts,
    gt_inds: &mut [i32], labels: &mut [i32], assign_metrics: &mut [f32], assigned_iou: &mut [f32],
    norm_alignment_metrics: &mut [f32], alignment_metrics: &mut [f32],
) -> Result<()> {
    if o.variant > 1 {
        return Err(CoreError { code: "E_OPTION", arg: "variant", message: format!("unknown variant {}", o.variant) });
    }
    let yolo = o.variant == 1;
    let pd = if yolo { 2 } else { 4 };
    if pred_bboxes.len() % 4 != 0 || gt_bboxes.len() % 4 != 0 {
        return Err(CoreError::shape("pred_bboxes", "boxes need 4 values each"));
    }
    let n = pred_bboxes.len() / 4;
    let k = gt_bboxes.len() / 4;
    let c = o.num_classes as usize;
    check_len("priors", priors, pd * n)?;
    check_len("pred_scores", pred_scores, n * c)?;
    check_len("gt_labels", gt_labels, k)?;
    // probabilities in [0, 1] (NaN fails): one vectorised scan here instead of JS passes
    // (in fixed chunks, on the pool for large inputs; the first bad element is reported)
    const CHECK: usize = 1 << 16;
    let bad = crate::par::map_chunks(pred_scores.len().div_ceil(CHECK), pred_scores.len(), || (), |_, ci| {
        let ch = &pred_scores[ci * CHECK..((ci + 1) * CHECK).min(pred_scores.len())];
        if crate::dispatch!(in_unit(ch)) { None } else { ch.iter().position(|&v| !(v >= 0.0 && v <= 1.0)).map(|q| ci * CHECK + q) }
    });
    if let Some(i) = bad.into_iter().flatten().next() {
        return Err(CoreError::value("predScores", format!("element {i} is {}; must lie in [0, 1]", crate::error::num(pred_scores[i]))));
    }
    for (j, &l) in gt_labels.iter().enumerate() {
        if l < 0 || l as usize >= c {
            return Err(CoreError::value("gt_labels", format!("element {j} is {l}, outside [0, {c})")));
        }
    }
    for b in [&*gt_inds, &*labels] {
        check_len("gt_inds", b, n)?;
    }
    for b in [&*assign_metrics, &*assigned_iou, &*norm_alignment_metrics] {
        check_len("assign_metrics", b, n)?;
    }
    check_len("alignment_metrics", alignment_metrics, if o.with_metrics { n * k } else { 0 })?;
    gt_inds.fill(0);
    labels.fill(-1);
    assign_metrics.fill(0.0);
    assigned_iou.fill(0.0);
    norm_alignment_metrics.fill(0.0);
    if k == 0 || n == 0 {
        return Ok(());
    }
    let topk = (o.topk as usize).min(n);
    if !yolo && !o.with_metrics && o.beta > 0.0 {
        tood_sparse(priors, pred_bboxes, pred_scores, gt_bboxes, gt_labels, o, topk, gt_inds, labels, assign_metrics, assigned_iou, norm_alignment_metrics);
        return Ok(());
    }
    let centre = |i: usize| -> (f64, f64) {
        if yolo {
            (priors[2 * i] as f64, priors[2 * i + 1] as f64)
        } else {
            let b = &priors[4 * i..4 * i + 4];
            ((b[0] as f64 + b[2] as f64) / 2.0, (b[1] as f64 + b[3] as f64) / 2.0)
        }
    };
    let margin = if yolo { 1e-9 } else { 0.01 };
    // per anchor: chosen gt and its u (tood: among gts that picked it; yolov8: argmax over all gts)
    let mut best_u = vec![f64::NEG_INFINITY; n];
    let mut best_gt = vec![-1i32; n];
    let mut picked = vec![0u16; n]; // yolov8: how many gts picked the anchor
    if yolo && !o.with_metrics && yolo_sparse_applies(priors, o) {
        // gt-major over only the anchor points inside each gt (see [`yolo_sparse`])
        let picks = yolo_sparse(priors, pred_bboxes, pred_scores, gt_bboxes, gt_labels, o, topk);
        for (j, pj) in picks.iter().enumerate() {
            for &i in pj {
                let i = i as usize;
                picked[i] += 1;
                if best_gt[i] < 0 {
                    best_gt[i] = j as i32;
                }
            }
        }
        // an anchor picked by several gts: argmax of u over all gts (first on ties), as the dense pass
        for i in 0..n {
            if picked[i] > 1 {
                let (cx, cy) = (priors[2 * i] as f64, priors[2 * i + 1] as f64);
                let p = &pred_bboxes[4 * i..4 * i + 4];
                let mut au = (f64::NEG_INFINITY, -1i32);
                for j in 0..k {
                    let g = &gt_bboxes[4 * j..4 * j + 4];
                    let inside = (cx - g[0] as f64).min(cy - g[1] as f64).min(g[2] as f64 - cx).min(g[3] as f64 - cy) > margin;
                    let u = if inside { ciou_ultralytics(g, p).max(0.0) } else { 0.0 };
                    if u > au.0 {
                        au = (u, j as i32);
                    }
                }
                best_gt[i] = au.1;
            }
        }
    } else {
        // yolov8 needs argmax of u over all gts for multiply-picked anchors
        let mut arg_u = vec![-1i32; if yolo { n } else { 0 }];
        // anchors outer, gts inner: each anchor's score row is read once (a gt-major walk strides C
        // floats per anchor and misses the cache on every read); one top-k list per gt
        //
        // Anchors are split into fixed chunks (independent of the thread count); each chunk keeps its
        // own top-k list per gt, and the lists are merged in chunk order (equal metrics keep the lower
        // anchor index first), so the candidates are those of one sequential pass.
        let gx1: Vec<f64> = (0..k).map(|j| gt_bboxes[4 * j] as f64).collect();
        let gy1: Vec<f64> = (0..k).map(|j| gt_bboxes[4 * j + 1] as f64).collect();
        let gx2: Vec<f64> = (0..k).map(|j| gt_bboxes[4 * j + 2] as f64).collect();
        let gy2: Vec<f64> = (0..k).map(|j| gt_bboxes[4 * j + 3] as f64).collect();
        let gcls: Vec<usize> = gt_labels.iter().map(|&l| l as usize).collect();
        let rows = (crate::par::CHUNK_WORK / k).max(64);
        let chunks = n.div_ceil(rows);
        let am = crate::par::SharedMut::new(alignment_metrics);
        let au_out = crate::par::SharedMut::new(&mut arg_u[..]);
        let (alpha, beta, with_metrics) = (o.alpha, o.beta, o.with_metrics);
        let parts = crate::par::map_chunks(chunks, n.saturating_mul(k), || (vec![0f64; k], vec![0f64; k]), |(us, ts), ci| {
            let (i0, i1) = (ci * rows, ((ci + 1) * rows).min(n));
            let mut cands: Vec<Vec<(f64, u32)>> = (0..k).map(|_| Vec::with_capacity(topk + 1)).collect();
            // SAFETY: chunk ranges are disjoint.
            let amr = if with_metrics { unsafe { am.range(i0 * k, i1 * k) } } else { &mut [][..] };
            let aur = if yolo { unsafe { au_out.range(i0, i1) } } else { &mut [][..] };
            for i in i0..i1 {
                let (cx, cy) = centre(i);
                let p = &pred_bboxes[4 * i..4 * i + 4];
                let srow = &pred_scores[i * c..(i + 1) * c];
                if yolo {
                    for j in 0..k {
                        let inside = (cx - gx1[j]).min(cy - gy1[j]).min(gx2[j] - cx).min(gy2[j] - cy) > margin;
                        us[j] = if inside { ciou_ultralytics(&gt_bboxes[4 * j..4 * j + 4], p).max(0.0) } else { 0.0 };
                        let s = if inside { srow[gcls[j]] as f64 } else { 0.0 };
                        ts[j] = powf(s, alpha) * powf(us[j], beta);
                    }
                } else {
                    // IoU of the prediction with every gt, lane-wise (vectorises), then the metric
                    crate::dispatch!(iou_row(p, &gx1, &gy1, &gx2, &gy2, &mut us[..]));
                    for j in 0..k {
                        ts[j] = powf(srow[gcls[j]] as f64, alpha) * powf(us[j], beta);
                    }
                }
                let mut au = (f64::NEG_INFINITY, -1i32);
                for j in 0..k {
                    let t = ts[j];
                    if with_metrics {
                        amr[(i - i0) * k + j] = t as f32;
                    }
                    if yolo && us[j] > au.0 {
                        au = (us[j], j as i32);
                    }
                    let cj = &mut cands[j];
                    // cheap rejection first: most anchors rank below the gt's current k-th
                    if topk == 0 || (cj.len() == topk && !(t > cj[topk - 1].0)) {
                        continue;
                    }
                    push_topk(cj, topk, t, i as u32, |a, b| a > b);
                }
                if yolo {
                    aur[i - i0] = au.1;
                }
            }
            cands
        });
        let mut cands: Vec<Vec<(f64, u32)>> = (0..k).map(|_| Vec::with_capacity(topk + 1)).collect();
        for part in &parts {
            for (j, pc) in part.iter().enumerate() {
                for &(t, i) in pc {
                    push_topk(&mut cands[j], topk, t, i, |a, b| a > b);
                }
            }
        }
        for j in 0..k {
            let g = &gt_bboxes[4 * j..4 * j + 4];
            for &(t, i) in &cands[j] {
                let i = i as usize;
                let (cx, cy) = centre(i);
                let inside = (cx - g[0] as f64).min(cy - g[1] as f64).min(g[2] as f64 - cx).min(g[3] as f64 - cy) > margin;
                if yolo {
                    if inside {
                        picked[i] += 1;
                        if best_gt[i] < 0 {
                            best_gt[i] = j as i32;
                        }
                    }
                } else if t > 0.0 && inside {
                    let u = iou64(&pred_bboxes[4 * i..4 * i + 4], g);
                    if u > best_u[i] {
                        best_u[i] = u;
                        best_gt[i] = j as i32;
                    }
                }
            }
        }
        if yolo {
            for i in 0..n {
                if picked[i] > 1 {
                    best_gt[i] = arg_u[i];
                }
            }
        }
    }
    // t and u of each final pair, then the per-gt normalisation
    let mut max_t = vec![0f64; k];
    let mut max_u = vec![0f64; k];
    let mut pos_t = vec![0f64; n];
    for i in 0..n {
        let j = best_gt[i];
        if j < 0 {
            continue;
        }
        let ju = j as usize;
        let g = &gt_bboxes[4 * ju..4 * ju + 4];
        let p = &pred_bboxes[4 * i..4 * i + 4];
        let cls = gt_labels[ju] as usize;
        let (u, s) = if yolo {
            let (cx, cy) = centre(i);
            let inside = (cx - g[0] as f64).min(cy - g[1] as f64).min(g[2] as f64 - cx).min(g[3] as f64 - cy) > margin;
            if inside {
                (ciou_ultralytics(g, p).max(0.0), pred_scores[i * c + cls] as f64)
            } else {
                (0.0, 0.0)
            }
        } else {
            (iou64(p, g), pred_scores[i * c + cls] as f64)
        };
        let t = powf(s, o.alpha) * powf(u, o.beta);
        gt_inds[i] = j + 1;
        labels[i] = gt_labels[ju];
        assign_metrics[i] = t as f32;
        assigned_iou[i] = u as f32;
        pos_t[i] = t;
        max_t[ju] = max_t[ju].max(t);
        max_u[ju] = max_u[ju].max(u);
    }
    for i in 0..n {
        let j = best_gt[i];
        if j >= 0 {
            let ju = j as usize;
            norm_alignment_metrics[i] = (pos_t[i] / (max_t[ju] + o.norm_eps) * max_u[ju]) as f32;
        }
    }
    Ok(())
}

/// Anchors per block of [`tood_sparse`]: a gt skips every block whose predicted boxes it cannot
/// overlap.
const BLOCK: usize = 32;

/// `max(a2 over the block)` etc. of the predicted boxes of consecutive blocks of [`BLOCK`] anchors.
fn pred_block_bounds(pred_bboxes: &[f32]) -> [Vec<f32>; 4] {
    let nb = (pred_bboxes.len() / 4).div_ceil(BLOCK);
    let mut b = [Vec::with_capacity(nb), Vec::with_capacity(nb), Vec::with_capacity(nb), Vec::with_capacity(nb)];
    for blk in pred_bboxes.chunks(4 * BLOCK) {
        let (mut x0, mut y0, mut x1, mut y1) = (f32::INFINITY, f32::INFINITY, f32::NEG_INFINITY, f32::NEG_INFINITY);
        for q in blk.chunks_exact(4) {
            x0 = x0.min(q[0]);
            y0 = y0.min(q[1]);
            x1 = x1.max(q[2]);
            y1 = y1.max(q[3]);
        }
        b[0].push(x0);
        b[1].push(y0);
        b[2].push(x1);
        b[3].push(y1);
    }
    b
}

/// IoU of the predicted boxes `p` `[n·4]` with one gt, exactly as [`iou_row`] computes each
/// pair (same operations in the same order).
#[inline(always)]
fn iou_col(p: &[f32], g: [f64; 4], out: &mut [f64]) {
    let (b0, b1, b2, b3) = (g[0], g[1], g[2], g[3]);
    let garea = (b2 - b0) * (b3 - b1);
    for (q, o) in p.chunks_exact(4).zip(out.iter_mut()) {
        let (a0, a1, a2, a3) = (q[0] as f64, q[1] as f64, q[2] as f64, q[3] as f64);
        let area = (a2 - a0) * (a3 - a1);
        let iw = (a2.min(b2) - a0.max(b0)).max(0.0);
        let ih = (a3.min(b3) - a1.max(b1)).max(0.0);
        let inter = iw * ih;
        let u = (area + garea - inter).max(1e-6);
        *o = inter / u;
    }
}

/// The `tood` variant without the `[N·K]` metrics and with β > 0, gt-major and sparse: a pair
/// whose boxes do not overlap has u = 0, so t = s^α · 0^β = 0, and `tood` takes only t > 0 as a
/// positive; such pairs never enter a top-k list ahead of a t > 0 pair either (ties of t go to the
/// lower index only among equal t). So each gt visits only the blocks of anchors whose predicted
/// boxes' bounding box overlaps it (the test is exact: rounding is monotone, so a block whose
/// bounding box has no positive overlap width or height holds no anchor with one) and keeps the
/// top-k of its t > 0 anchors in index order — the same candidates, metrics and targets as the
/// dense anchor-major pass, which computes t for all N·K pairs. Conflicts go to the highest u
/// (first gt on ties) through a stable sort of the passing (anchor, gt) pairs by anchor.
#[allow(clippy::too_many_arguments)]
fn tood_sparse(
    priors: &[f32], pred_bboxes: &[f32], pred_scores: &[f32], gt_bboxes: &[f32], gt_labels: &[i32], o: &TaskAlignedOpts,
    topk: usize, gt_inds: &mut [i32], labels: &mut [i32], assign_metrics: &mut [f32], assigned_iou: &mut [f32],
    norm_alignment_metrics: &mut [f32],
) {
    let n = pred_bboxes.len() / 4;
    let k = gt_bboxes.len() / 4;
    let c = o.num_classes as usize;
    let (alpha, beta) = (o.alpha, o.beta);
    let bb = pred_block_bounds(pred_bboxes);
    let nb = bb[0].len();
    let centre = |i: usize| ((priors[4 * i] as f64 + priors[4 * i + 2] as f64) / 2.0, (priors[4 * i + 1] as f64 + priors[4 * i + 3] as f64) / 2.0);
    let gbox = |j: usize| [gt_bboxes[4 * j] as f64, gt_bboxes[4 * j + 1] as f64, gt_bboxes[4 * j + 2] as f64, gt_bboxes[4 * j + 3] as f64];
    // per gt (independently; in parallel for large inputs): its top-k (t, anchor) with t > 0
    let work = nb.saturating_mul(k).saturating_mul(8);
    let cands = crate::par::map_chunks(k, work, || [0f64; BLOCK], |us, j| {
        let g = gbox(j);
        let cls = gt_labels[j] as usize;
        let mut cj: Vec<(f64, u32)> = Vec::with_capacity(topk + 1);
        for b in 0..nb {
            // the block's widest possible overlap with the gt (≥ every anchor's, after rounding)
            let iw = (g[2].min(bb[2][b] as f64) - g[0].max(bb[0][b] as f64)).max(0.0);
            let ih = (g[3].min(bb[3][b] as f64) - g[1].max(bb[1][b] as f64)).max(0.0);
            if iw * ih == 0.0 {
                continue;
            }
            let (i0, i1) = (b * BLOCK, ((b + 1) * BLOCK).min(n));
            let us = &mut us[..i1 - i0];
            crate::dispatch!(iou_col(&pred_bboxes[4 * i0..4 * i1], g, us));
            for (q, &u) in us.iter().enumerate() {
                if u == 0.0 {
                    continue;
                }
                // t = s^α · u^β ≤ u^β (s^α ≤ 1 for s ∈ [0, 1], and rounding is monotone): skip the
                // score read (a cache miss: rows are C floats apart) when even u^β cannot beat the k-th
                let ub = powf(u, beta);
                if cj.len() == topk && !(ub > cj[topk - 1].0) {
                    continue;
                }
                let i = i0 + q;
                let t = powf(pred_scores[i * c + cls] as f64, alpha) * ub;
                if !(t > 0.0) || (cj.len() == topk && !(t > cj[topk - 1].0)) {
                    continue;
                }
                push_topk(&mut cj, topk, t, i as u32, |a, b| a > b);
            }
        }
        cj
    });
    // candidates inside their gt (margin 0.01), in gt order: (anchor, gt, u)
    let mut pass: Vec<(u32, u32, f64)> = Vec::new();
    for (j, cj) in cands.iter().enumerate() {
        let g = gbox(j);
        for &(_, i) in cj {
            let (cx, cy) = centre(i as usize);
            if (cx - g[0]).min(cy - g[1]).min(g[2] - cx).min(g[3] - cy) > 0.01 {
                let iu = i as usize;
                pass.push((i, j as u32, iou64(&pred_bboxes[4 * iu..4 * iu + 4], &gt_bboxes[4 * j..4 * j + 4])));
            }
        }
    }
    // final (anchor, gt, t, u), then the per-gt maxima and the normalised targets
    let mut fin: Vec<(usize, usize, f64, f64)> = Vec::new();
    let (mut max_t, mut max_u) = (vec![0f64; k], vec![0f64; k]);
    for (i, j, u) in super::best_gt_per_passing_prior(&mut pass) {
        let (iu, ju) = (i as usize, j as usize);
        let t = powf(pred_scores[iu * c + gt_labels[ju] as usize] as f64, alpha) * powf(u, beta);
        gt_inds[iu] = ju as i32 + 1;
        labels[iu] = gt_labels[ju];
        assign_metrics[iu] = t as f32;
        assigned_iou[iu] = u as f32;
        max_t[ju] = max_t[ju].max(t);
        max_u[ju] = max_u[ju].max(u);
        fin.push((iu, ju, t, u));
    }
    for &(i, j, t, _) in &fin {
        norm_alignment_metrics[i] = (t / (max_t[j] + o.norm_eps) * max_u[j]) as f32;
    }
}

/// Whether the `yolov8` variant can run [`yolo_sparse`]: β > 0 and α ≥ 0, both finite (then a pair
/// whose point is outside the gt has t = s^α·0^β with s = 0, exactly 0, and no t is NaN), and no
/// anchor point is NaN (the block bounds skip NaN; the inside test does not).
fn yolo_sparse_applies(priors: &[f32], o: &TaskAlignedOpts) -> bool {
    o.beta > 0.0 && o.beta.is_finite() && o.alpha >= 0.0 && o.alpha.is_finite() && !priors.iter().fold(false, |a, v| a | v.is_nan())
}

/// The `yolov8` candidate pass, gt-major over only the anchor points inside each gt: per gt, the
/// anchors of its top-k by t that are inside it (those the dense pass picks), in no particular order.
///
/// Why this is the dense pass's answer: outside the gt u = s = 0, so t = 0 there (see
/// [`yolo_sparse_applies`]); every t > 0 pair is inside. The dense top-k over all N anchors by
/// (t descending, lower index first) is therefore the top-k of the t > 0 pairs (all inside), then,
/// when fewer than k, the first `k − #(t > 0)` anchors in index order among those with t = 0 —
/// inside or not; of those only the inside ones are picked. An inside anchor `i` with t = 0 is
/// among them iff `i − #(t > 0 anchors before i)` (its rank among the t = 0 anchors) is below
/// `k − #(t > 0)`. u, s and t of an inside pair are computed by the same code as in the dense pass.
/// The points are walked in blocks of [`BLOCK`] consecutive anchors; a block is skipped when its
/// points' bounding box fails the inside test (exact: the differences round monotonically, so a
/// block whose extreme points fail it holds no point that passes).
#[allow(clippy::too_many_arguments)]
fn yolo_sparse(
    priors: &[f32], pred_bboxes: &[f32], pred_scores: &[f32], gt_bboxes: &[f32], gt_labels: &[i32], o: &TaskAlignedOpts, topk: usize,
) -> Vec<Vec<u32>> {
    let n = pred_bboxes.len() / 4;
    let k = gt_bboxes.len() / 4;
    let c = o.num_classes as usize;
    let (alpha, beta) = (o.alpha, o.beta);
    let margin = 1e-9;
    // per block of anchor points: min x, min y, max x, max y
    let nb = n.div_ceil(BLOCK);
    let mut bb = [vec![0f64; nb], vec![0f64; nb], vec![0f64; nb], vec![0f64; nb]];
    for (b, blk) in priors[..2 * n].chunks(2 * BLOCK).enumerate() {
        let (mut x0, mut y0, mut x1, mut y1) = (f32::INFINITY, f32::INFINITY, f32::NEG_INFINITY, f32::NEG_INFINITY);
        for q in blk.chunks_exact(2) {
            x0 = x0.min(q[0]);
            y0 = y0.min(q[1]);
            x1 = x1.max(q[0]);
            y1 = y1.max(q[1]);
        }
        bb[0][b] = x0 as f64;
        bb[1][b] = y0 as f64;
        bb[2][b] = x1 as f64;
        bb[3][b] = y1 as f64;
    }
    crate::par::map_chunks(k, n.saturating_mul(k), || (), |_, j| {
        let gt = &gt_bboxes[4 * j..4 * j + 4];
        let (g0, g1, g2, g3) = (gt[0] as f64, gt[1] as f64, gt[2] as f64, gt[3] as f64);
        let cls = gt_labels[j] as usize;
        let mut cj: Vec<(f64, u32)> = Vec::with_capacity(topk + 1);
        // inside anchors with t = 0 and their rank among all t = 0 anchors (only ranks < topk)
        let mut zeros: Vec<(u32, usize)> = Vec::new();
        let mut npos = 0usize;
        for b in 0..nb {
            if !((bb[2][b] - g0).min(bb[3][b] - g1).min(g2 - bb[0][b]).min(g3 - bb[1][b]) > margin) {
                continue;
            }
            for i in b * BLOCK..((b + 1) * BLOCK).min(n) {
                let (cx, cy) = (priors[2 * i] as f64, priors[2 * i + 1] as f64);
                if !((cx - g0).min(cy - g1).min(g2 - cx).min(g3 - cy) > margin) {
                    continue;
                }
                let u = ciou_ultralytics(gt, &pred_bboxes[4 * i..4 * i + 4]).max(0.0);
                let s = pred_scores[i * c + cls] as f64;
                let t = powf(s, alpha) * powf(u, beta);
                if t > 0.0 {
                    npos += 1;
                    if topk == 0 || (cj.len() == topk && !(t > cj[topk - 1].0)) {
                        continue;
                    }
                    push_topk(&mut cj, topk, t, i as u32, |a, b| a > b);
                } else if i - npos < topk {
                    zeros.push((i as u32, i - npos));
                }
            }
        }
        let fill = topk.saturating_sub(npos);
        let mut out: Vec<u32> = cj.iter().map(|e| e.1).collect();
        out.extend(zeros.iter().filter(|z| z.1 < fill).map(|z| z.0));
        out
    })
}
