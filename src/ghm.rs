//! napi binding: GHM-C (issue 3; GHM-R is a declared kernel, `crates/decl/kernels.rs`). Marshalling only; the
//! kernels are `soft_sampling_core::losses::ghm`.
use crate::guard;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use soft_sampling_core::losses::ghm::{self, GhmOpts, GhmOut, Targets};

/// Scalars of a `ghmC` / `ghmR` call; the arrays are the caller's (JS-allocated) buffers, filled
/// in place, and `ts/backends/native.ts` rebuilds `GhmKernelResult` around them.
#[napi(object, object_from_js = false)]
pub struct GhmStats {
    pub loss_sum: f64,
    pub loss: f64,
    pub tot: f64,
    pub non_empty: u32,
    pub scale: f64,
    pub updated: bool,
}

#[allow(clippy::too_many_arguments)]
fn opts(bins: u32, momentum: f64, all_bins: bool, bias_correction: bool, steps: f64, loss_weight: f64, mean: bool, mu: f64) -> GhmOpts {
    GhmOpts { bins: bins as usize, momentum, all_bins, bias_correction, steps, loss_weight, mean, mu: mu as f32 }
}

/// Runs a GHM kernel writing straight into the caller's (JS-allocated) buffers: the six outputs,
/// `counts` and `acc_out` included (`acc_out` starts as a copy of `acc_sum`). Nothing Rust-owned
/// is handed to JS (external buffers leaked RSS under a training loop, issue 10).
#[allow(clippy::too_many_arguments)]
fn run(
    acc_sum: &[f64], mut loss_elements: Float32Array, mut grad: Float32Array, mut weights: Float32Array,
    mut g: Float32Array, mut counts: Float64Array, mut acc_out: Float64Array,
    f: impl FnOnce(GhmOut) -> std::result::Result<ghm::GhmSummary, soft_sampling_core::CoreError>,
) -> std::result::Result<GhmStats, soft_sampling_core::CoreError> {
    // SAFETY: the JS thread is blocked for the duration of this synchronous call and the facade
    // passes six distinct, freshly allocated arrays.
    let (le, gr, w, gg, c, acc) = unsafe { (loss_elements.as_mut(), grad.as_mut(), weights.as_mut(), g.as_mut(), counts.as_mut(), acc_out.as_mut()) };
    ghm_c_into(acc_sum, le, gr, w, gg, c, acc, f)
}

/// [`run`] over plain slices (shared with the async task).
#[allow(clippy::too_many_arguments)]
pub(crate) fn ghm_c_into(
    acc_sum: &[f64], le: &mut [f32], gr: &mut [f32], w: &mut [f32], gg: &mut [f32], c: &mut [f64], acc: &mut [f64],
    f: impl FnOnce(GhmOut) -> std::result::Result<ghm::GhmSummary, soft_sampling_core::CoreError>,
) -> std::result::Result<GhmStats, soft_sampling_core::CoreError> {
    if acc.len() != acc_sum.len() {
        return Err(soft_sampling_core::CoreError::shape("accSum", "output accSum must have the input's length"));
    }
    acc.copy_from_slice(acc_sum);
    c.fill(0.0);
    let s = f(GhmOut { loss_elements: le, grad: gr, weights: w, g: gg, counts: c, acc_sum: acc })?;
    Ok(GhmStats { loss_sum: s.loss_sum, loss: s.loss, tot: s.tot, non_empty: s.non_empty, scale: s.scale, updated: s.updated })
}

/// GHM-C. `use_labels`: targets are `labels` (`[N]` int32), else dense `targets` (`[N·C]`).
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn ghm_c(
    logits: Float32Array, num_classes: u32, use_labels: bool, targets: Float32Array, labels: Int32Array, label_weights: Float32Array,
    acc_sum: Float64Array, bins: u32, momentum: f64, all_bins: bool, bias_correction: bool, steps: f64,
    loss_weight: f64, mean: bool, loss_elements: Float32Array, grad: Float32Array, weights: Float32Array, g: Float32Array,
    counts: Float64Array, acc_out: Float64Array,
) -> Result<GhmStats> {
    guard(|| {
        let o = opts(bins, momentum, all_bins, bias_correction, steps, loss_weight, mean, 0.02);
        let t = if use_labels { Targets::Labels(&labels) } else { Targets::Dense(&targets) };
        run(&acc_sum, loss_elements, grad, weights, g, counts, acc_out, |out| ghm::ghm_c(&logits, num_classes as usize, t, &label_weights, &o, out))
    })
}
