//! Equalized Focal Loss (Li et al., "Equalized Focal Loss for Dense Long-Tailed Object Detection",
//! CVPR 2022, arXiv 2201.02593, eqs. 7–8), matching ModelTC/United-Perception `EqualizedFocalLoss`
//! (`up/tasks/det/models/losses/`), with the stable softplus form. Spec: modern-methods §8.
//! γ_j = γ_b + s(1 − g_j) and the weight γ_j/γ_b are constants; the accumulated gradient state
//! (`pos_grad`, `neg_grad`, `pos_neg` = g) is the caller's: read here, updated copy written out.
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
