//! Balanced L1 Loss (Pang et al., Libra R-CNN, arXiv 1904.02701, eqs. 7–9) with mmdetection's β
//! generalisation (`mmdet/models/losses/balanced_l1_loss.py`). Spec: modern-methods §4.
use crate::error::{check_len, CoreError, Result};

/// Options of [`balanced_l1_loss`].
#[derive(Clone, Copy, Debug)]
pub struct BalancedL1Opts {
    pub alpha: f64,
    pub gamma: f64,
    pub beta: f64,
    pub scale: f64,
}

/// Elementwise on `pred`, `target` (same length, normally `[N·4]` deltas); `weight` empty or the same length.
pub fn balanced_l1_loss(
    pred: &[f32], target: &[f32], weight: &[f32], o: &BalancedL1Opts, loss_elements: &mut [f32], grad: &mut [f32],
    sum: &mut [f64],
) -> Result<()> {
    let len = pred.len();
    check_len("target", target, len)?;
    if !weight.is_empty() {
        check_len("weight", weight, len)?;
    }
    check_len("loss_elements", loss_elements, len)?;
    check_len("grad", grad, len)?;
    check_len("sum", sum, 1)?;
    if !(o.alpha > 0.0 && o.gamma > 0.0 && o.beta > 0.0) {
        return Err(CoreError::value("options", "alpha, gamma and beta must be > 0"));
    }
    let (a, gm, beta) = (o.alpha, o.gamma, o.beta);
    let b = (gm / a).exp() - 1.0;
    let mut total = 0f64;
    for k in 0..len {
        let diff = pred[k] as f64 - target[k] as f64;
        let x = diff.abs();
        let (l, slope) = if x < beta {
            let lg = (b * x / beta).ln_1p();
            (a / b * (b * x + 1.0) * lg - a * x, a * lg + a * ((b * x + 1.0) / (b * x + beta) - 1.0))
        } else {
            (gm * x + gm / b - a * beta, gm)
        };
        let w = if weight.is_empty() { 1.0 } else { weight[k] as f64 };
        let r = l * w;
        loss_elements[k] = r as f32;
        let sg = if diff > 0.0 { 1.0 } else if diff < 0.0 { -1.0 } else { 0.0 };
        grad[k] = (slope * sg * w * o.scale) as f32;
        total += r;
    }
    sum[0] = total;
    Ok(())
}
