//! Equalized Focal Loss (Li et al., "Equalized Focal Loss for Dense Long-Tailed Object Detection",
//! CVPR 2022, arXiv 2201.02593, eqs. 7–8), matching ModelTC/United-Perception `EqualizedFocalLoss`
//! (`up/tasks/det/models/losses/`), with the stable softplus form. Spec: modern-methods §8.
//! γ_j = γ_b + s(1 − g_j) and the weight γ_j/γ_b are constants; the accumulated gradient state
//! (`pos_grad`, `neg_grad`, `pos_neg` = g) is the caller's: read here, updated copy written out.
use super::{exp_neg, sum_f64_lanes};
use crate::error::{check_len, CoreError, Result};

/// Options of [`equalized_focal_loss`].
#[derive(Clone, Copy, Debug)]
pub struct EflOpts {
    pub num_classes: u32,
    pub gamma_b: f64,
    /// s, the focusing scale factor (8 in the paper).
    pub scale_factor: f64,
    pub alpha: f64,
    pub scale: f64,
    /// Accumulate |grad| into the state outputs (else they are copies of the inputs).
    pub update: bool,
}

/// EFL on logits `pred` `[N·C]` with one-hot `target` `[N·C]` (0/1), `weight` empty, `[N]` or
/// `[N·C]` (entries with weight 0 are not counted in the state). State in: `pos_grad`,
/// `neg_grad`, `pos_neg` `[C]`; state out: the same after this step.
#[allow(clippy::too_many_arguments)]
pub fn equalized_focal_loss(
    pred: &[f32], target: &[f32], weight: &[f32], pos_grad: &[f64], neg_grad: &[f64], pos_neg: &[f64], o: &EflOpts,
    loss_elements: &mut [f32], grad: &mut [f32], sum: &mut [f64], pos_grad_out: &mut [f64], neg_grad_out: &mut [f64],
    pos_neg_out: &mut [f64],
) -> Result<()> {
    let c = o.num_classes as usize;
    if c == 0 {
        return Err(CoreError::value("num_classes", "must be ≥ 1"));
    }
    let len = pred.len();
    if len % c != 0 {
        return Err(CoreError::shape("pred", "length must be a multiple of num_classes"));
    }
    check_len("target", target, len)?;
    let per_row = !weight.is_empty() && weight.len() != len;
    if per_row {
        check_len("weight", weight, len / c)?;
    }
    for (a, b) in [(pos_grad, "pos_grad"), (neg_grad, "neg_grad"), (pos_neg, "pos_neg")] {
        check_len(b, a, c)?;
    }
    check_len("loss_elements", loss_elements, len)?;
    check_len("grad", grad, len)?;
    check_len("sum", sum, 1)?;
    check_len("pos_grad_out", pos_grad_out, c)?;
    check_len("neg_grad_out", neg_grad_out, c)?;
    check_len("pos_neg_out", pos_neg_out, c)?;
    let gammas: Vec<f64> = pos_neg.iter().map(|&g| o.gamma_b + o.scale_factor * (1.0 - g)).collect();
    pos_grad_out.copy_from_slice(pos_grad);
    neg_grad_out.copy_from_slice(neg_grad);
    // bad targets (not 0/1) are reported before bad logits (NaN, ±Inf, |x| > 1e18), each by its
    // first element
    let check = || -> Result<()> {
        if !target.iter().fold(true, |a, &t| a & ((t == 0.0) | (t == 1.0))) {
            let i = target.iter().position(|&t| !(t == 0.0 || t == 1.0)).unwrap_or(0);
            return Err(CoreError::value("targets", format!("element {i} is {}; EFL targets are one-hot 0/1", crate::error::num(target[i]))));
        }
        super::focal::check_finite("logits", pred)
    };
    if gammas.iter().all(|&g| g <= 200.0) {
        let g32: Vec<f32> = gammas.iter().map(|&g| g as f32).collect();
        let w32: Vec<f32> = gammas.iter().map(|&g| (g / o.gamma_b) as f32).collect();
        let consts = ClassConsts::new(&g32, &w32, o);
        // every g_j = 1 (γ_j = γ_b, weight 1) with γ_b = 1 or 2: the focal loss's product form
        let focal_q = if w32.iter().all(|&w| w == 1.0) && g32.iter().all(|&g| g == 2.0) {
            2
        } else if w32.iter().all(|&w| w == 1.0) && g32.iter().all(|&g| g == 1.0) {
            1
        } else {
            0
        };
        // fixed chunks of rows (independent of the thread count); the loss sum and the per-class
        // |grad| sums are float64 partials merged in chunk order
        let parts = crate::par::map_row_chunks(c, weight, per_row, loss_elements, grad, |k| {
            let mut acc = if o.update { vec![0f64; 2 * c] } else { Vec::new() };
            let (x, t) = (&pred[k.a..k.b], &target[k.a..k.b]);
            let (s, bad) = match focal_q {
                2 => crate::dispatch!(efl_fast::<2>(x, t, k.weight, k.weight_mode, c, &consts, o, k.loss, k.grad, &mut acc)),
                1 => crate::dispatch!(efl_fast::<1>(x, t, k.weight, k.weight_mode, c, &consts, o, k.loss, k.grad, &mut acc)),
                _ => crate::dispatch!(efl_fast::<0>(x, t, k.weight, k.weight_mode, c, &consts, o, k.loss, k.grad, &mut acc)),
            };
            (s, acc, bad)
        });
        // the input checks ran inside the chunks (on rows already in cache, not as two more
        // passes over the inputs); any bad input: the error, and the outputs are not used
        if parts.iter().any(|p| p.2) {
            check()?;
        }
        sum[0] = parts.iter().fold(0.0, |x, y| x + y.0);
        if o.update {
            for (_, acc, _) in &parts {
                for j in 0..c {
                    pos_grad_out[j] += acc[j];
                    neg_grad_out[j] += acc[c + j];
                }
            }
        }
        for j in 0..c {
            pos_neg_out[j] = if o.update { (pos_grad_out[j] / (neg_grad_out[j] + 1e-10)).clamp(0.0, 1.0) } else { pos_neg[j] };
        }
        return Ok(());
    }
    check()?;
    let mut total = 0f64;
    for k in 0..len {
        let j = k % c;
        let (gm, wj) = (gammas[j], gammas[j] / o.gamma_b);
        let x = pred[k] as f64;
        let t = target[k] as f64;
        let e = (-x.abs()).exp();
        let (p, pn) = if x >= 0.0 { (1.0 / (1.0 + e), e / (1.0 + e)) } else { (e / (1.0 + e), 1.0 / (1.0 + e)) };
        let w = if weight.is_empty() { 1.0 } else if per_row { weight[k / c] as f64 } else { weight[k] as f64 };
        let (l, g) = if t > 0.5 {
            // p_t = p: α w (1 − p)^γ softplus(−x)
            let sp = e.ln_1p() + (-x).max(0.0);
            let m = pn.powf(gm);
            (o.alpha * wj * m * sp, o.alpha * wj * m * (-gm * p * sp - pn))
        } else {
            let sp = e.ln_1p() + x.max(0.0);
            let m = p.powf(gm);
            ((1.0 - o.alpha) * wj * m * sp, (1.0 - o.alpha) * wj * m * (gm * pn * sp + p))
        };
        let r = l * w;
        loss_elements[k] = r as f32;
        let gk = g * w * o.scale;
        grad[k] = gk as f32;
        total += r;
        if o.update && w > 0.0 {
            if t > 0.5 {
                pos_grad_out[j] += gk.abs();
            } else {
                neg_grad_out[j] += gk.abs();
            }
        }
    }
    for j in 0..c {
        pos_neg_out[j] = if o.update { (pos_grad_out[j] / (neg_grad_out[j] + 1e-10)).clamp(0.0, 1.0) } else { pos_neg[j] };
    }
    sum[0] = total;
    Ok(())
}

/// Per-class f32 constants of the fast path: `−γ_j`, and `α·w_j`, `(1 − α)·w_j` (w_j = γ_j/γ_b).
pub(crate) struct ClassConsts {
    neg_gamma: Vec<f32>,
    aw_pos: Vec<f32>,
    aw_neg: Vec<f32>,
}

impl ClassConsts {
    fn new(g32: &[f32], w32: &[f32], o: &EflOpts) -> Self {
        let (a_pos, a_neg) = (o.alpha as f32, (1.0 - o.alpha) as f32);
        ClassConsts {
            neg_gamma: g32.iter().map(|&g| -g).collect(),
            aw_pos: w32.iter().map(|&w| a_pos * w).collect(),
            aw_neg: w32.iter().map(|&w| a_neg * w).collect(),
        }
    }
}

/// Branch-free f32 EFL element for a 0/1 target (the focal form with a per-class γ and weight):
/// `(α_t w_j (1 − p_t)^γ_j CE, its derivative)`, with `(1 − p_t)^γ = exp(−γ·softplus(x_t))`.
/// `ng` = −γ_j, `awp` / `awn` = α_t·w_j for t = 1 / 0 (the products the loss takes first).
/// `Q` = 1 or 2: every class has γ_j = γ_b = Q (g_j = 1: the focal loss, spec §8 — the state a
/// training run starts from), and `(1 − p_t)^γ` is `σ(−x_t)` or its square, by multiplication, as the
/// sigmoid focal kernel computes it for γ = 1, 2 (one exponential per element instead of two).
#[inline(always)]
fn efl_elem<const Q: u8>(x: f32, t: f32, ng: f32, awp: f32, awn: f32) -> (f32, f32) {
    let ys = 2.0 * t - 1.0;
    let xt = ys * x;
    let (ce, sp, pt, omp) = super::focal::binary_parts(xt);
    let aw = if t > 0.5 { awp } else { awn };
    let q = if Q == 2 {
        omp * omp
    } else if Q == 1 {
        omp
    } else {
        exp_neg(ng * sp)
    };
    let f = aw * q;
    (f * ce, ys * f * (ng * pt * ce - omp))
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn efl_fast<const Q: u8>(
    pred: &[f32], target: &[f32], weight: &[f32], weight_mode: u8, c: usize, k: &ClassConsts, o: &EflOpts,
    loss_elements: &mut [f32], grad: &mut [f32], acc_pn: &mut [f64],
) -> (f64, bool) {
    let scale = o.scale as f32;
    let rows = pred.len() / c;
    let (ng, awp, awn) = (&k.neg_gamma[..c], &k.aw_pos[..c], &k.aw_neg[..c]);
    let mut total = 0f64;
    let mut ok = true;
    for i in 0..rows {
        let r = i * c..(i + 1) * c;
        let (xr, tr, lr, gr) = (&pred[r.clone()], &target[r.clone()], &mut loss_elements[r.clone()], &mut grad[r.clone()]);
        let (row_good, any_pos) = row_check(xr, tr);
        ok &= row_good;
        match weight_mode {
            0 => {
                for j in 0..c {
                    let (l, g) = efl_elem::<Q>(xr[j], tr[j], ng[j], awp[j], awn[j]);
                    lr[j] = l;
                    gr[j] = g * scale;
                }
            }
            1 => {
                let w = weight[i];
                let gs = w * scale;
                for j in 0..c {
                    let (l, g) = efl_elem::<Q>(xr[j], tr[j], ng[j], awp[j], awn[j]);
                    lr[j] = l * w;
                    gr[j] = g * gs;
                }
            }
            _ => {
                let wr = &weight[r.clone()];
                for j in 0..c {
                    let (l, g) = efl_elem::<Q>(xr[j], tr[j], ng[j], awp[j], awn[j]);
                    lr[j] = l * wr[j];
                    gr[j] = g * wr[j] * scale;
                }
            }
        }
        if !acc_pn.is_empty() {
            // |grad| of the entries with weight > 0, into the positive or negative sum of the class.
            // A row with weight ≤ 0 adds +0 everywhere (skipped); a row without a positive adds +0
            // to every positive sum (only the negative sums are updated: the sums start at +0 and
            // only grow, so adding +0 changes no bit). One loop per case, so that each vectorises.
            let (ap, an) = acc_pn.split_at_mut(c);
            let (ap, an) = (&mut ap[..c], &mut an[..c]);
            match (weight_mode, any_pos) {
                (1, _) if !(weight[i] > 0.0) => {}
                (0 | 1, true) => acc_row(gr, tr, ap, an),
                (0 | 1, false) => acc_row_neg(gr, an),
                (_, true) => acc_row_weighted(gr, tr, &weight[r.clone()], ap, an),
                (_, false) => acc_row_neg_weighted(gr, &weight[r.clone()], an),
            }
        }
        total += sum_f64_lanes(lr);
    }
    (total, !ok)
}

/// `(targets all 0/1 and logits all finite with |x| ≤ 1e18, some target is 1)` of one row
/// (branch-free, vectorises).
#[inline(always)]
fn row_check(xr: &[f32], tr: &[f32]) -> (bool, bool) {
    let n = xr.len();
    let tr = &tr[..n];
    let (mut ok, mut pos) = (true, false);
    for j in 0..n {
        ok &= ((tr[j] == 0.0) | (tr[j] == 1.0)) & (xr[j].abs() <= super::focal::MAX_MAGNITUDE);
        pos |= tr[j] == 1.0;
    }
    (ok, pos)
}

/// `ap[j] += |g_j|·t_j`, `an[j] += |g_j|·(1 − t_j)` over one row, in float64 (vectorises).
#[inline(always)]
fn acc_row(gr: &[f32], tr: &[f32], ap: &mut [f64], an: &mut [f64]) {
    let c = ap.len();
    let (gr, tr, an) = (&gr[..c], &tr[..c], &mut an[..c]);
    for j in 0..c {
        let gk = gr[j].abs() as f64;
        let t = tr[j] as f64;
        ap[j] += gk * t;
        an[j] += gk * (1.0 - t);
    }
}

/// [`acc_row`] counting only the entries with weight `wr[j] > 0`.
#[inline(always)]
fn acc_row_weighted(gr: &[f32], tr: &[f32], wr: &[f32], ap: &mut [f64], an: &mut [f64]) {
    let c = ap.len();
    let (gr, tr, wr, an) = (&gr[..c], &tr[..c], &wr[..c], &mut an[..c]);
    for j in 0..c {
        let gk = if wr[j] > 0.0 { gr[j].abs() as f64 } else { 0.0 };
        let t = tr[j] as f64;
        ap[j] += gk * t;
        an[j] += gk * (1.0 - t);
    }
}

/// [`acc_row`] for a row of negatives only: `an[j] += |g_j|`.
#[inline(always)]
fn acc_row_neg(gr: &[f32], an: &mut [f64]) {
    let c = an.len();
    let gr = &gr[..c];
    for j in 0..c {
        an[j] += gr[j].abs() as f64;
    }
}

/// [`acc_row_neg`] counting only the entries with weight `wr[j] > 0`.
#[inline(always)]
fn acc_row_neg_weighted(gr: &[f32], wr: &[f32], an: &mut [f64]) {
    let c = an.len();
    let (gr, wr) = (&gr[..c], &wr[..c]);
    for j in 0..c {
        an[j] += if wr[j] > 0.0 { gr[j].abs() as f64 } else { 0.0 };
    }
}
