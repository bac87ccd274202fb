//! wasm export: GHM-C (issue 3; GHM-R is a declared kernel, `crates/decl/kernels.rs`). Marshalling only; the kernel
//! is `soft_sampling_core::losses::ghm::ghm_c`.
//!
//! Scalar results of `ss_ghm_c` go to `summary` (f64 ×6): loss_sum, loss, tot,
//! non_empty, scale, updated (0/1). `acc_in` is copied to `acc_out`, which the kernel updates.
use crate::report;
use soft_sampling_core::losses::ghm::{self, GhmOpts, GhmOut, GhmSummary, Targets};
use soft_sampling_core::CoreError;
use wasm_bindgen::prelude::*;

fn write_summary(s: GhmSummary, out: &mut [f64]) -> Result<(), CoreError> {
    if out.len() < 6 {
        return Err(CoreError::shape("summary", "needs 6 slots"));
    }
    out[..6].copy_from_slice(&[s.loss_sum, s.loss, s.tot, s.non_empty as f64, s.scale, if s.updated { 1.0 } else { 0.0 }]);
    Ok(())
}

/// Options in this order: bins, momentum, all_bins, bias_correction, steps, loss_weight, mean, mu.
fn opts(o: &[f64]) -> Result<GhmOpts, CoreError> {
    if o.len() != 8 {
        return Err(CoreError::shape("options", format!("expected 8 GHM option values, got {}", o.len())));
    }
    Ok(GhmOpts {
        bins: o[0] as usize, momentum: o[1], all_bins: o[2] != 0.0, bias_correction: o[3] != 0.0, steps: o[4], loss_weight: o[5],
        mean: o[6] != 0.0, mu: o[7] as f32,
    })
}

fn state<'a>(acc_in: &[f64], acc_out: &'a mut [f64], nb: usize) -> Result<&'a mut [f64], CoreError> {
    if acc_in.len() != nb || acc_out.len() != nb {
        return Err(CoreError::shape("accSum", format!("expected {nb} values, got {}", acc_in.len())));
    }
    acc_out.copy_from_slice(acc_in);
    Ok(acc_out)
}

/// GHM-C: `logits` `[len]` with `c` classes; `use_labels`: `labels` `[len / c]` int32, else
/// `targets` `[len]`; `lw` (0, rows or len values). Outputs `[len]` ×4, `counts`/`acc_out` `[bins]`.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn ss_ghm_c(
    logits: &[f32], c: usize, use_labels: bool, targets: &[f32], labels: &[i32], lw: &[f32], acc_in: &[f64], options: &[f64],
    loss_elements: &mut [f32], grad: &mut [f32], weights: &mut [f32], g: &mut [f32], counts: &mut [f64], acc_out: &mut [f64],
    summary: &mut [f64],
) -> Result<(), JsError> {
    report((|| {
        let o = opts(options)?;
        let t = if use_labels { Targets::Labels(labels) } else { Targets::Dense(targets) };
        let out = GhmOut { loss_elements, grad, weights, g, counts, acc_sum: state(acc_in, acc_out, o.bins)? };
        write_summary(ghm::ghm_c(logits, c, t, lw, &o, out)?, summary)
    })())
}
