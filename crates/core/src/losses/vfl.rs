//! Varifocal Loss (Zhang et al., VarifocalNet, arXiv 2008.13367, eq. 2), matching mmdetection's
//! `VarifocalLoss(use_sigmoid=True)` (`mmdet/models/losses/varifocal_loss.py`). Spec: modern-methods §3.
//! Elementwise `BCE(x, q)·w`, `w = q` (or 1) where q > 0 and `w = α σ(x)^γ` (not detached) where q = 0.
use super::{exp_neg, log1p_unit, sum_f64_lanes};
use crate::error::{check_len, CoreError, Result};
use crate::simd::fmax;

/// Options of [`varifocal_loss`].
#[derive(Clone, Copy, Debug)]
pub struct VflOpts {
    pub num_classes: u32,
    pub alpha: f64,
    pub gamma: f64,
    pub iou_weighted: bool,
    pub scale: f64,
}

/// VFL on logits `pred` `[N·C]`, IoU-aware targets `target` `[N·C]` (≥ 0; 0 = negative),
/// `weight` empty, `[N]` (per row) or `[N·C]`.
pub fn varifocal_loss(
    pred: &[f32], target: &[f32], weight: &[f32], o: &VflOpts, loss_elements: &mut [f32], grad: &mut [f32], sum: &mut [f64],
) -> Result<()> {
    let len = pred.len();
    let c = (o.num_classes as usize).max(1);
    check_len("target", target, len)?;
    let per_row = !weight.is_empty() && weight.len() != len;
    if per_row {
        check_len("weight", weight, len / c)?;
    }
    check_len("loss_elements", loss_elements, len)?;
    check_len("grad", grad, len)?;
    check_len("sum", sum, 1)?;
    // the range check lives here rather than in a second JS pass over N·C values: bad targets (not
    // in [0, 1]) are reported before bad logits (NaN, ±Inf, |x| > 1e18), each by its first element
    let check = || -> Result<()> {
        if !target.iter().fold(true, |a, &q| a & (q >= 0.0) & (q <= 1.0)) {
            let i = target.iter().position(|&q| !(q >= 0.0 && q <= 1.0)).unwrap_or(0);
            return Err(CoreError::value("target", format!("element {i} is {}; must lie in [0, 1]", crate::error::num(target[i]))));
        }
        super::focal::check_finite("pred", pred)
    };
    if o.gamma <= 50.0 {
        // fixed chunks of rows (independent of the thread count), f64 partial sums merged in order
        let parts = crate::par::map_row_chunks(c, weight, per_row, loss_elements, grad, |k| {
            crate::dispatch!(vfl_fast(&pred[k.a..k.b], &target[k.a..k.b], k.weight, k.weight_mode, c, o, k.loss, k.grad))
        });
        // the input checks ran inside the chunks (on rows already in cache, not as two more passes
        // over the inputs); any bad input: the error, and the outputs are not used
        if parts.iter().any(|p| p.1) {
            check()?;
        }
        sum[0] = parts.iter().fold(0.0, |x, y| x + y.0);
        return Ok(());
    }
    check()?;
    let mut total = 0f64;
    for k in 0..len {
        let x = pred[k] as f64;
        let q = target[k] as f64;
        let e = (-x.abs()).exp();
        let (p, pn) = if x >= 0.0 { (1.0 / (1.0 + e), e / (1.0 + e)) } else { (e / (1.0 + e), 1.0 / (1.0 + e)) };
        let w = if weight.is_empty() { 1.0 } else if per_row { weight[k / c] as f64 } else { weight[k] as f64 };
        let (l, g) = if q > 0.0 {
            let bce = e.ln_1p() + if x >= 0.0 { x * (1.0 - q) } else { -x * q };
            let d = if x >= 0.0 { (1.0 - q) - pn } else { p - q };
            let f = if o.iou_weighted { q } else { 1.0 };
            (bce * f, d * f)
        } else {
            let sp = e.ln_1p() + x.max(0.0);
            let pg = if o.gamma == 2.0 { p * p } else { p.powf(o.gamma) };
            (o.alpha * pg * sp, o.alpha * pg * (p + o.gamma * pn * sp))
        };
        let r = l * w;
        loss_elements[k] = r as f32;
        grad[k] = (g * w * o.scale) as f32;
        total += r;
    }
    sum[0] = total;
    Ok(())
}

/// VFL on a negative channel (q = 0) with γ = 2: `α p² softplus(x)`, `α p²(p + 2(1 − p) softplus(x))`.
#[inline(always)]
fn vfl_neg_b2(x: f32, alpha: f32) -> (f32, f32) {
    let e = exp_neg(-x.abs());
    let sp = fmax(x, 0.0) + log1p_unit(e);
    let inv = 1.0 / (1.0 + e);
    let pos = x >= 0.0;
    let p = if pos { inv } else { e * inv };
    let pn = if pos { e * inv } else { inv };
    let ap2 = alpha * p * p;
    (ap2 * sp, ap2 * (p + 2.0 * pn * sp))
}

/// Branch-free f32 VFL element: `(loss, d loss / d x)`.
#[inline(always)]
fn vfl_elem(x: f32, q: f32, alpha: f32, gamma: f32, gamma2: bool, iou_weighted: bool) -> (f32, f32) {
    let e = exp_neg(-x.abs());
    let l = log1p_unit(e);
    let sp = fmax(x, 0.0) + l;
    let spn = fmax(-x, 0.0) + l;
    let inv = 1.0 / (1.0 + e);
    let pos = x >= 0.0;
    let p = if pos { inv } else { e * inv };
    let pn = if pos { e * inv } else { inv };
    let f = if iou_weighted { q } else { 1.0 };
    let lp = (sp - x * q) * f;
    let gp = (p - q) * f;
    let pg = if gamma2 { p * p } else { exp_neg(-gamma * spn) };
    let ln = alpha * pg * sp;
    let gn = alpha * pg * (p + gamma * pn * sp);
    if q > 0.0 { (lp, gp) } else { (ln, gn) }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn vfl_fast(pred: &[f32], target: &[f32], weight: &[f32], weight_mode: u8, c: usize, o: &VflOpts, loss_elements: &mut [f32], grad: &mut [f32]) -> (f64, bool) {
    let (alpha, gamma, scale) = (o.alpha as f32, o.gamma as f32, o.scale as f32);
    let g2 = o.gamma == 2.0;
    let iw = o.iou_weighted;
    let len = pred.len();
    let rows = len / c;
    let mut total = 0f64;
    let mut ok = true;
    for i in 0..rows {
        let r = i * c..(i + 1) * c;
        let (xr, tr, lr, gr) = (&pred[r.clone()], &target[r.clone()], &mut loss_elements[r.clone()], &mut grad[r.clone()]);
        let (row_good, all_neg) = row_check(xr, tr);
        ok &= row_good;
        match weight_mode {
            0 | 1 => {
                let w = if weight_mode == 0 { 1.0 } else { weight[i] };
                let gs = w * scale;
                if g2 && all_neg {
                    // an all-negative row (most rows): only the q = 0 branch, γ = 2
                    for j in 0..c {
                        let (l, g) = vfl_neg_b2(xr[j], alpha);
                        lr[j] = l * w;
                        gr[j] = g * gs;
                    }
                } else {
                    for j in 0..c {
                        let (l, g) = vfl_elem(xr[j], tr[j], alpha, gamma, g2, iw);
                        lr[j] = l * w;
                        gr[j] = g * gs;
                    }
                }
            }
            _ => {
                let wr = &weight[r.clone()];
                for j in 0..c {
                    let (l, g) = vfl_elem(xr[j], tr[j], alpha, gamma, g2, iw);
                    lr[j] = l * wr[j];
                    gr[j] = g * wr[j] * scale;
                }
            }
        }
        total += sum_f64_lanes(lr);
    }
    (total, !ok)
}

/// `(targets all in [0, 1] and logits all finite with |x| ≤ 1e18, every target is 0)` of one row
/// (branch-free, vectorises).
#[inline(always)]
fn row_check(xr: &[f32], tr: &[f32]) -> (bool, bool) {
    let n = xr.len();
    let tr = &tr[..n];
    let (mut ok, mut neg) = (true, true);
    for j in 0..n {
        ok &= (tr[j] >= 0.0) & (tr[j] <= 1.0) & (xr[j].abs() <= super::focal::MAX_MAGNITUDE);
        neg &= tr[j] == 0.0;
    }
    (ok, neg)
}
