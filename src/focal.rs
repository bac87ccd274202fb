//! napi bindings: focal-family losses: BCE / α-balanced CE, sigmoid and softmax focal loss, FL* (issue 3).
use crate::guard;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use soft_sampling_core::losses::focal::{self, SigmoidKind, SigmoidParams, Targets};

// Outputs are allocated by the caller (JS) and filled in place: V8 owns (and accounts for) that
// memory, whereas Rust-allocated external buffers are invisible to its GC heuristics and pile up
// under a training loop. Returns the f64 Σ of the weighted element losses (unscaled).

/// See `focal::sigmoid_loss`. `use_labels`: `labels` (`[N]`) are the targets, else `targets` (`[N, C]`).
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn sigmoid_loss(
    logits: Float32Array, n: u32, c: u32, targets: Float32Array, use_labels: bool, labels: Int32Array, weight: Float32Array,
    label_weights: Float32Array, kind: u32, has_alpha: bool, alpha: f64, gamma: f64, beta: f64, scale: f64,
    mut elements: Float32Array, mut grad: Float32Array,
) -> Result<f64> {
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
        // SAFETY: JS is blocked during this synchronous call; the buffers are fresh outputs.
        let (l, g) = unsafe { (elements.as_mut(), grad.as_mut()) };
        focal::sigmoid_loss(&logits, n, c, t, &weight, &label_weights, p, l, g)
    })
}
