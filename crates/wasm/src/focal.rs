//! wasm exports: focal-family losses: BCE / α-balanced CE, sigmoid and softmax focal loss, FL* (issue 3).
use crate::report;
use soft_sampling_core::losses::focal::{self, SigmoidKind, SigmoidParams, Targets};
use wasm_bindgen::prelude::*;

/// See `focal::sigmoid_loss`. `use_labels`: `labels` (`n` values) are the targets, else `targets`
/// (`n·c` values). Writes `loss`, `grad` (`n·c` each) and the f64 sum into `sum[0]`.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn ss_sigmoid_loss(
    logits: &[f32], n: usize, c: usize, targets: &[f32], use_labels: bool, labels: &[i32], weight: &[f32], label_weights: &[f32],
    kind: u32, has_alpha: bool, alpha: f32, gamma: f32, beta: f32, scale: f32, loss: &mut [f32], grad: &mut [f32], sum: &mut [f64],
) -> Result<(), JsError> {
    report((|| {
        let p = SigmoidParams { kind: SigmoidKind::from_u32(kind)?, alpha: if has_alpha { Some(alpha) } else { None }, gamma, beta, scale };
        let t = if use_labels { Targets::Labels(labels) } else { Targets::Dense(targets) };
        sum[0] = focal::sigmoid_loss(logits, n, c, t, weight, label_weights, p, loss, grad)?;
        Ok(())
    })())
}
