//! napi bindings: focal-family losses: BCE / α-balanced CE, sigmoid and softmax focal loss, FL* (issue 3).
use crate::guard;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use soft_sampling_core::losses::focal::{self, SigmoidKind, SigmoidParams, Targets};

/// Output of a loss kernel: `loss` = f64 Σ of the weighted element losses (unscaled),
/// `elements` = weighted element losses, `grad` = scaled gradient.
#[napi(object)]
pub struct LossOut {
    pub loss: f64,
    pub elements: Float32Array,
    pub grad: Float32Array,
}

/// See `focal::sigmoid_loss`. `use_labels`: `labels` (`[N]`) are the targets, else `targets` (`[N, C]`).
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn sigmoid_loss(
    logits: Float32Array, n: u32, c: u32, targets: Float32Array, use_labels: bool, labels: Int32Array, weight: Float32Array,
    label_weights: Float32Array, kind: u32, has_alpha: bool, alpha: f64, gamma: f64, beta: f64, scale: f64,
) -> Result<LossOut> {
    guard(|| {
        let (n, c) = (n as usize, c as usize);
        let p = SigmoidParams {
            kind: SigmoidKind::from_u32(kind)?,
            alpha: if has_alpha { Some(alpha as f32) } else { None },
            gamma: gamma as f32,
            beta: beta as f32,
            scale: scale as f32,
        };
        let t = if use_labels { Targets::Labels(&labels) } else { Targets::Dense(&targets) };
        let mut l = vec![0f32; n * c];
        let mut g = vec![0f32; n * c];
        let s = focal::sigmoid_loss(&logits, n, c, t, &weight, &label_weights, p, &mut l, &mut g)?;
        Ok(LossOut { loss: s, elements: Float32Array::new(l), grad: Float32Array::new(g) })
    })
}

/// See `focal::softmax_focal`.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn softmax_focal(
    logits: Float32Array, n: u32, k: u32, labels: Int32Array, alpha: Float32Array, gamma: f64, weight: Float32Array,
    label_weights: Float32Array, scale: f64,
) -> Result<LossOut> {
    guard(|| {
        let (n, k) = (n as usize, k as usize);
        let mut l = vec![0f32; n];
        let mut g = vec![0f32; n * k];
        let s = focal::softmax_focal(&logits, n, k, &labels, &alpha, gamma as f32, &weight, &label_weights, scale as f32, &mut l, &mut g)?;
        Ok(LossOut { loss: s, elements: Float32Array::new(l), grad: Float32Array::new(g) })
    })
}
