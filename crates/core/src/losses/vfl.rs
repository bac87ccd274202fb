//! Varifocal Loss (Zhang et al., VarifocalNet, arXiv 2008.13367, eq. 2), matching mmdetection's
//! `VarifocalLoss(use_sigmoid=True)` (`mmdet/models/losses/varifocal_loss.py`). Spec: modern-methods §3.
//! Elementwise `BCE(x, q)·w`, `w = q` (or 1) where q > 0 and `w = α σ(x)^γ` (not detached) where q = 0.
use crate::error::{check_len, Result};

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
