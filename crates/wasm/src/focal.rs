//! wasm exports: focal-family losses: BCE / α-balanced CE, sigmoid and softmax focal loss, FL* (issue 3).
use crate::{report, slice, slice_mut};
use soft_sampling_core::losses::focal::{self, SigmoidKind, SigmoidParams, Targets};

/// See `focal::sigmoid_loss`. `use_labels != 0`: `labels` (`n` values) are the targets, else
/// `targets` (`n·c` values). `wlen`/`lwlen`: 0, `n` or `n·c`. Writes `loss`, `grad` (`n·c` each)
/// and the f64 sum into `sum[0]`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn ss_sigmoid_loss(
    logits: *const f32, n: usize, c: usize, targets: *const f32, use_labels: u32, labels: *const i32,
    weight: *const f32, wlen: usize, label_weights: *const f32, lwlen: usize,
    kind: u32, has_alpha: u32, alpha: f32, gamma: f32, beta: f32, scale: f32,
    loss: *mut f32, grad: *mut f32, sum: *mut f64,
) -> i32 {
    report((|| {
        let p = SigmoidParams {
            kind: SigmoidKind::from_u32(kind)?,
            alpha: if has_alpha != 0 { Some(alpha) } else { None },
            gamma,
            beta,
            scale,
        };
        let t = if use_labels != 0 { Targets::Labels(slice(labels, n)) } else { Targets::Dense(slice(targets, n * c)) };
        let s = focal::sigmoid_loss(
            slice(logits, n * c), n, c, t, slice(weight, wlen), slice(label_weights, lwlen), p,
            slice_mut(loss, n * c), slice_mut(grad, n * c),
        )?;
        *sum = s;
        Ok(())
    })())
}

/// See `focal::softmax_focal`. `alen`: 0, 1 or `k`; `wlen`/`lwlen`: 0 or `n`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn ss_softmax_focal(
    logits: *const f32, n: usize, k: usize, labels: *const i32, alpha: *const f32, alen: usize, gamma: f32,
    weight: *const f32, wlen: usize, label_weights: *const f32, lwlen: usize, scale: f32,
    loss: *mut f32, grad: *mut f32, sum: *mut f64,
) -> i32 {
    report((|| {
        let s = focal::softmax_focal(
            slice(logits, n * k), n, k, slice(labels, n), slice(alpha, alen), gamma, slice(weight, wlen),
            slice(label_weights, lwlen), scale, slice_mut(loss, n), slice_mut(grad, n * k),
        )?;
        *sum = s;
        Ok(())
    })())
}
