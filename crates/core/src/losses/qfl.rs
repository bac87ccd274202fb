//! Generalized Focal Loss (Li et al., arXiv 2006.04388): Quality Focal Loss (eq. 5) and
//! Distribution Focal Loss (eq. 6), matching mmdetection's `QualityFocalLoss` /
//! `DistributionFocalLoss` (`mmdet/models/losses/gfocal_loss.py`). Spec: modern-methods §1–2.
//!
//! Kernel contract (as every loss here): the per-row loss times the row weight goes to
//! `loss_elements`, the gradient of `scale · Σ loss_elements` w.r.t. `pred` to `grad`, the f64 sum
//! to `sum[0]`. The facade derives `scale` from reduction / avgFactor / lossWeight.
use super::{exp_neg, log1p_unit, sum_f64_lanes};
use crate::error::{check_len, CoreError, Result};
use crate::par::SharedMut;
use crate::simd::fmax;

/// Options of [`quality_focal_loss`].
#[derive(Clone, Copy, Debug)]
pub struct QflOpts {
    pub num_classes: u32,
    /// β ≥ 0 of the modulating factor `|y − σ|^β` (2 in the paper).
    pub beta: f64,
    /// `pred` holds probabilities σ (TOOD), not logits; BCE log terms clamp at −100 as torch's.
    pub activated: bool,
    pub scale: f64,
}

/// `β·|d|^(β−1)·sign(d)`, the derivative of `|d|^β` (0 at d = 0 for β > 0).
#[inline(always)]
fn dpow(d: f64, beta: f64) -> f64 {
    if d == 0.0 {
        return 0.0;
    }
    beta * d.abs().powf(beta - 1.0) * d.signum()
}

#[inline(always)]
fn powb(a: f64, beta: f64) -> f64 {
    if beta == 2.0 {
        a * a
    } else {
        a.powf(beta)
    }
}

/// QFL on `pred` `[N·C]` (logits, or probabilities with `activated`). Targets: `labels` `[N]`
/// (outside `[0, C)` = no positive) with `scores` `[N]` (IoU targets in `[0, 1]`), or, when
/// `soft_target` is non-empty, that dense `[N·C]` target (labels and scores then empty).
/// `weight` empty or `[N]`.
#[allow(clippy::too_many_arguments)]
pub fn quality_focal_loss(
    pred: &[f32], labels: &[i32], scores: &[f32], soft_target: &[f32], weight: &[f32], o: &QflOpts, loss_elements: &mut [f32], grad: &mut [f32],
    sum: &mut [f64],
) -> Result<()> {
    let c = o.num_classes as usize;
    if c == 0 {
        return Err(CoreError::value("num_classes", "must be ≥ 1"));
    }
    if pred.len() % c != 0 {
        return Err(CoreError::shape("pred", "length must be a multiple of num_classes"));
    }
    let n = pred.len() / c;
    let dense = !soft_target.is_empty();
    if dense {
        check_len("soft_target", soft_target, n * c)?;
    } else {
        check_len("labels", labels, n)?;
        check_len("scores", scores, n)?;
    }
    if !weight.is_empty() {
        check_len("weight", weight, n)?;
    }
    check_len("loss_elements", loss_elements, n)?;
    check_len("grad", grad, n * c)?;
    check_len("sum", sum, 1)?;
    super::focal::check_finite("pred", pred)?;
    if !o.activated && !dense && o.beta == 2.0 {
        // fixed chunks of rows (independent of the thread count), f64 partial sums merged in order
        let rows = (crate::par::CHUNK_WORK / c).max(1);
        let chunks = n.div_ceil(rows);
        let (ls, gs) = (SharedMut::new(loss_elements), SharedMut::new(grad));
        let parts = crate::par::map_chunks(chunks, n * c, || (), |_, ci| {
            let (r0, r1) = (ci * rows, ((ci + 1) * rows).min(n));
            // SAFETY: chunk ranges are disjoint.
            let (le, g) = unsafe { (ls.range(r0, r1), gs.range(r0 * c, r1 * c)) };
            let w = if weight.is_empty() { weight } else { &weight[r0..r1] };
            crate::dispatch!(qfl_fast_b2(&pred[r0 * c..r1 * c], &labels[r0..r1], &scores[r0..r1], w, c, o.scale, le, g))
        });
        sum[0] = parts.iter().fold(0.0, |x, y| x + y);
        return Ok(());
    }
    let beta = o.beta;
    let mut total = 0f64;
    for i in 0..n {
        let lab = if dense { -1 } else { labels[i] };
        let w = if weight.is_empty() { 1.0 } else { weight[i] as f64 };
        let gs = w * o.scale;
        let mut row = 0f64;
        for j in 0..c {
            let y = if dense {
                soft_target[i * c + j] as f64
            } else if lab >= 0 && lab as usize == j {
                scores[i] as f64
            } else {
                0.0
            };
            let k = i * c + j;
            let (l, g) = if o.activated {
                let p = pred[k] as f64;
                let lp = if p > 0.0 { p.ln().max(-100.0) } else { -100.0 };
                let l1p = if p < 1.0 { (-p).ln_1p().max(-100.0) } else { -100.0 };
                let bce = -(y * lp + (1.0 - y) * l1p);
                let d = p - y;
                let m = powb(d.abs(), beta);
                let dbce = d / (p * (1.0 - p)).max(1e-12);
                (m * bce, m * dbce + bce * dpow(d, beta))
            } else {
                let x = pred[k] as f64;
                // stable: 1 − σ(x) = σ(−x); σ − y = (1 − y) − σ(−x) for x ≥ 0
                let e = (-x.abs()).exp();
                let (s, sn) = if x >= 0.0 { (1.0 / (1.0 + e), e / (1.0 + e)) } else { (e / (1.0 + e), 1.0 / (1.0 + e)) };
                let d = if x >= 0.0 { (1.0 - y) - sn } else { s - y };
                let bce = e.ln_1p() + if x >= 0.0 { x * (1.0 - y) } else { -x * y };
                let m = powb(d.abs(), beta);
                (m * bce, m * d + bce * dpow(d, beta) * s * sn)
            };
            row += l;
            grad[k] = (g * gs) as f32;
        }
        let r = row * w;
        loss_elements[i] = r as f32;
        total += r;
    }
    sum[0] = total;
    Ok(())
}

/// Options of [`distribution_focal_loss`].
#[derive(Clone, Copy, Debug)]
pub struct DflOpts {
    /// Number of bins n + 1 (logits per row).
    pub bins: u32,
    pub scale: f64,
}

/// DFL on `pred` `[N·(n+1)]` logits and `target` `[N]` in `[0, n)` (bin units), `weight` empty or `[N]`.
///
/// f32 lane arithmetic per row (max, `exp(z − max)` with [`exp_neg`], `ln Σ` by
/// [`ln_ge1`](super::balanced_l1::ln_ge1)), float64 only for the sum; rows in fixed chunks
/// ([`crate::par`]), partial sums merged in chunk order.
pub fn distribution_focal_loss(
    pred: &[f32], target: &[f32], weight: &[f32], o: &DflOpts, loss_elements: &mut [f32], grad: &mut [f32], sum: &mut [f64],
) -> Result<()> {
    let b = o.bins as usize;
    let n = target.len();
    if b < 2 {
        return Err(CoreError::value("bins", "need at least 2 bins"));
    }
    check_len("pred", pred, n * b)?;
    if !weight.is_empty() {
        check_len("weight", weight, n)?;
    }
    check_len("loss_elements", loss_elements, n)?;
    check_len("grad", grad, n * b)?;
    check_len("sum", sum, 1)?;
    super::focal::check_finite("pred", pred)?;
    let top = (b - 1) as f32;
    if !target.iter().fold(true, |a, &t| a & (t >= 0.0) & (t < top)) {
        let i = target.iter().position(|&t| !(t >= 0.0 && t < top)).unwrap_or(0);
        let t = target[i];
        return Err(CoreError::value("target", format!("element {i} is {}, outside [0, {})", crate::error::num(t), crate::error::num(top))));
    }
    let rows = (crate::par::CHUNK_WORK / b).max(1);
    let chunks = n.div_ceil(rows);
    let (ls, gs) = (SharedMut::new(loss_elements), SharedMut::new(grad));
    let scale = o.scale as f32;
    let parts = crate::par::map_chunks(chunks, n * b, || vec![0f32; b], |tmp, ci| {
        let (r0, r1) = (ci * rows, ((ci + 1) * rows).min(n));
        // SAFETY: chunk ranges are disjoint.
        let (le, g) = unsafe { (ls.range(r0, r1), gs.range(r0 * b, r1 * b)) };
        let w = if weight.is_empty() { weight } else { &weight[r0..r1] };
        let (p, t) = (&pred[r0 * b..r1 * b], &target[r0..r1]);
        // the common bin counts as constants (mmdetection reg_max 16 → 17 bins; ultralytics 16):
        // the row loops then unroll into whole vectors
        match b {
            17 => crate::dispatch!(dfl_run::<17>(p, t, w, b, scale, tmp, le, g)),
            16 => crate::dispatch!(dfl_run::<16>(p, t, w, b, scale, tmp, le, g)),
            _ => crate::dispatch!(dfl_run::<0>(p, t, w, b, scale, tmp, le, g)),
        }
    });
    sum[0] = parts.iter().fold(0.0, |x, y| x + y);
    Ok(())
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn dfl_run<const B: usize>(pred: &[f32], target: &[f32], weight: &[f32], b: usize, scale: f32, tmp: &mut [f32], le: &mut [f32], grad: &mut [f32]) -> f64 {
    let b = if B > 0 { B } else { b };
    let n = target.len();
    let tmp = &mut tmp[..b];
    let mut total = 0f64;
    for i in 0..n {
        let z = &pred[i * b..(i + 1) * b];
        let g = &mut grad[i * b..(i + 1) * b];
        let mx = z.iter().fold(f32::NEG_INFINITY, |a, &v| fmax(a, v));
        // the exponentials vectorise (no reduction in this loop); the row sum is a short scalar pass
        for j in 0..b {
            tmp[j] = exp_neg(z[j] - mx);
        }
        let se: f32 = tmp.iter().sum();
        // se ∈ [1, b]
        let lse_rel = super::balanced_l1::ln_ge1(se);
        let inv = 1.0 / se;
        let t = target[i];
        let l = t as usize; // truncation = floor for t ≥ 0
        let wl = (l as f32 + 1.0) - t;
        let wr = t - l as f32;
        let w = if weight.is_empty() { 1.0 } else { weight[i] };
        let gsc = w * scale;
        for j in 0..b {
            g[j] = tmp[j] * inv * gsc;
        }
        g[l] -= wl * gsc;
        g[l + 1] -= wr * gsc;
        // CE(z, k) = ln Σ e^(z − mx) − (z_k − mx)
        let loss = wl as f64 * (lse_rel - (z[l] - mx)) as f64 + wr as f64 * (lse_rel - (z[l + 1] - mx)) as f64;
        let r = loss * w as f64;
        le[i] = r as f32;
        total += r;
    }
    total
}

/// Exact f64 QFL element on a logit: `(loss, d loss / d x)`.
#[inline]
fn qfl_elem64(x: f64, y: f64, beta: f64) -> (f64, f64) {
    let e = (-x.abs()).exp();
    let (s, sn) = if x >= 0.0 { (1.0 / (1.0 + e), e / (1.0 + e)) } else { (e / (1.0 + e), 1.0 / (1.0 + e)) };
    let d = if x >= 0.0 { (1.0 - y) - sn } else { s - y };
    let bce = e.ln_1p() + if x >= 0.0 { x * (1.0 - y) } else { -x * y };
    let m = powb(d.abs(), beta);
    (m * bce, m * d + bce * dpow(d, beta) * s * sn)
}

/// QFL with β = 2 on a negative channel (y = 0), branch-free f32: `p² softplus(x)`, `p²(p + 2(1 − p) softplus(x))`.
#[inline(always)]
fn qfl_neg_b2(x: f32) -> (f32, f32) {
    let e = exp_neg(-x.abs());
    let l = log1p_unit(e);
    let sp = fmax(x, 0.0) + l;
    let inv = 1.0 / (1.0 + e);
    let pos = x >= 0.0;
    let p = if pos { inv } else { e * inv };
    let pn = if pos { e * inv } else { inv };
    let p2 = p * p;
    (p2 * sp, p2 * (p + 2.0 * pn * sp))
}

/// The common case (logits, label/score targets, β = 2): every channel as a negative in a
/// vectorisable f32 pass, then each row's label channel recomputed exactly in f64.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn qfl_fast_b2(
    pred: &[f32], labels: &[i32], scores: &[f32], weight: &[f32], c: usize, scale: f64, loss_elements: &mut [f32], grad: &mut [f32],
) -> f64 {
    let n = labels.len();
    let mut tmp = vec![0f32; c];
    let mut total = 0f64;
    for i in 0..n {
        let xr = &pred[i * c..(i + 1) * c];
        let gr = &mut grad[i * c..(i + 1) * c];
        let w = if weight.is_empty() { 1.0 } else { weight[i] as f64 };
        let gs = (w * scale) as f32;
        for j in 0..c {
            let (l, g) = qfl_neg_b2(xr[j]);
            tmp[j] = l;
            gr[j] = g * gs;
        }
        let lab = labels[i];
        if lab >= 0 && (lab as usize) < c {
            let j = lab as usize;
            let (l, g) = qfl_elem64(xr[j] as f64, scores[i] as f64, 2.0);
            tmp[j] = l as f32;
            gr[j] = (g * w * scale) as f32;
        }
        let row = sum_f64_lanes(&tmp);
        let r = row * w;
        loss_elements[i] = r as f32;
        total += r;
    }
    total
}
