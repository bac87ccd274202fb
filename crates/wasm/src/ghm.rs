//! wasm exports: GHM-C, GHM-R, smooth L1 and ASL1 losses (issue 3). Marshalling only; the kernels
//! are `soft_sampling_core::losses::ghm`.
//!
//! Scalar results of `ss_ghm_c` / `ss_ghm_r` go to `summary` (f64 ×6): loss_sum, loss, tot,
//! non_empty, scale, updated (0/1). `acc_in` is copied to `acc_out`, which the kernel updates.
use crate::{report, slice, slice_mut};
use soft_sampling_core::losses::ghm::{self, GhmOpts, GhmOut, GhmSummary, RegressionKind, Targets};
use soft_sampling_core::CoreError;

fn write_summary(s: GhmSummary, out: &mut [f64]) {
    out.copy_from_slice(&[s.loss_sum, s.loss, s.tot, s.non_empty as f64, s.scale, if s.updated { 1.0 } else { 0.0 }]);
}

#[allow(clippy::too_many_arguments)]
fn opts(bins: u32, momentum: f64, all_bins: u32, bias_correction: u32, steps: f64, loss_weight: f64, mean: u32, mu: f32) -> GhmOpts {
    GhmOpts { bins: bins as usize, momentum, all_bins: all_bins != 0, bias_correction: bias_correction != 0, steps, loss_weight, mean: mean != 0, mu }
}

/// GHM-C: `logits` `[len]` with `c` classes; `use_labels != 0`: `labels` `[len / c]` int32, else
/// `targets` `[len]`; `lw` `[lw_len]` (0, rows or len). Outputs `[len]` ×4, `counts`/`acc_out` `[bins]`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn ss_ghm_c(
    logits: *const f32, len: usize, c: usize, use_labels: u32, targets: *const f32, labels: *const i32,
    lw: *const f32, lw_len: usize, acc_in: *const f64, bins: u32, momentum: f64, all_bins: u32,
    bias_correction: u32, steps: f64, loss_weight: f64, mean: u32,
    loss_elements: *mut f32, grad: *mut f32, weights: *mut f32, g: *mut f32, counts: *mut f64, acc_out: *mut f64,
    summary: *mut f64,
) -> i32 {
    report((|| -> Result<(), CoreError> {
        let o = opts(bins, momentum, all_bins, bias_correction, steps, loss_weight, mean, 0.02);
        let nb = bins as usize;
        let acc = slice_mut(acc_out, nb);
        acc.copy_from_slice(slice(acc_in, nb));
        let rows = if c == 0 { 0 } else { len / c };
        let t = if use_labels != 0 { Targets::Labels(slice(labels, rows)) } else { Targets::Dense(slice(targets, len)) };
        let out = GhmOut {
            loss_elements: slice_mut(loss_elements, len), grad: slice_mut(grad, len), weights: slice_mut(weights, len),
            g: slice_mut(g, len), counts: slice_mut(counts, nb), acc_sum: acc,
        };
        let s = ghm::ghm_c(slice(logits, len), c, t, slice(lw, lw_len), &o, out)?;
        write_summary(s, slice_mut(summary, 6));
        Ok(())
    })())
}

/// GHM-R over `[len]` deltas; `lw` `[lw_len]` (0 or len).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn ss_ghm_r(
    pred: *const f32, target: *const f32, len: usize, lw: *const f32, lw_len: usize, acc_in: *const f64, mu: f32,
    bins: u32, momentum: f64, all_bins: u32, bias_correction: u32, steps: f64, loss_weight: f64, mean: u32,
    loss_elements: *mut f32, grad: *mut f32, weights: *mut f32, g: *mut f32, counts: *mut f64, acc_out: *mut f64,
    summary: *mut f64,
) -> i32 {
    report((|| -> Result<(), CoreError> {
        let o = opts(bins, momentum, all_bins, bias_correction, steps, loss_weight, mean, mu);
        let nb = bins as usize;
        let acc = slice_mut(acc_out, nb);
        acc.copy_from_slice(slice(acc_in, nb));
        let out = GhmOut {
            loss_elements: slice_mut(loss_elements, len), grad: slice_mut(grad, len), weights: slice_mut(weights, len),
            g: slice_mut(g, len), counts: slice_mut(counts, nb), acc_sum: acc,
        };
        let s = ghm::ghm_r(slice(pred, len), slice(target, len), slice(lw, lw_len), &o, out)?;
        write_summary(s, slice_mut(summary, 6));
        Ok(())
    })())
}

/// Smooth L1 (`kind` 0, `param` β) or ASL1 (`kind` 1, `param` μ); `summary` (f64 ×1) gets Σ loss.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn ss_regression_loss(
    kind: u32, pred: *const f32, target: *const f32, len: usize, weight: *const f32, w_len: usize, cols: usize,
    param: f32, scale: f32, loss: *mut f32, grad: *mut f32, summary: *mut f64,
) -> i32 {
    report((|| -> Result<(), CoreError> {
        let s = ghm::regression_loss(
            RegressionKind::from_u32(kind)?, slice(pred, len), slice(target, len), slice(weight, w_len), cols, param, scale,
            slice_mut(loss, len), slice_mut(grad, len),
        )?;
        slice_mut(summary, 1)[0] = s;
        Ok(())
    })())
}
