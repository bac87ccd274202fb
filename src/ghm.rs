//! napi bindings: GHM-C, GHM-R, smooth L1 and ASL1 losses (issue 3). Marshalling only; the
//! kernels are `soft_sampling_core::losses::ghm`.
use crate::guard;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use soft_sampling_core::losses::ghm::{self, GhmOpts, GhmOut, RegressionKind, Targets};

/// Result of `ghmC` / `ghmR` (see `ts/kernels/ghm.ts` `GhmKernelResult`).
#[napi(object, object_from_js = false)]
pub struct GhmKernelResult {
    pub loss_sum: f64,
    pub loss: f64,
    pub tot: f64,
    pub non_empty: u32,
    pub scale: f64,
    pub updated: bool,
    pub loss_elements: Float32Array,
    pub grad: Float32Array,
    pub weights: Float32Array,
    pub g: Float32Array,
    pub counts: Float64Array,
    pub acc_sum: Float64Array,
}

/// Result of `regressionLoss`.
#[napi(object, object_from_js = false)]
pub struct RegressionKernelResult {
    pub loss_sum: f64,
    pub loss_elements: Float32Array,
    pub grad: Float32Array,
}

#[allow(clippy::too_many_arguments)]
fn opts(bins: u32, momentum: f64, all_bins: bool, bias_correction: bool, steps: f64, loss_weight: f64, mean: bool, mu: f64) -> GhmOpts {
    GhmOpts { bins: bins as usize, momentum, all_bins, bias_correction, steps, loss_weight, mean, mu: mu as f32 }
}

/// Runs a GHM kernel writing straight into the caller's (JS-allocated) element buffers, which are
/// handed back as the result's arrays: no Rust-side allocation or external buffer per call.
#[allow(clippy::too_many_arguments)]
fn run(
    bins: usize, acc_sum: &[f64], mut loss_elements: Float32Array, mut grad: Float32Array, mut weights: Float32Array,
    mut g: Float32Array, f: impl FnOnce(GhmOut) -> std::result::Result<ghm::GhmSummary, soft_sampling_core::CoreError>,
) -> std::result::Result<GhmKernelResult, soft_sampling_core::CoreError> {
    let mut counts = vec![0f64; bins];
    let mut acc = acc_sum.to_vec();
    // SAFETY: the JS thread is blocked for the duration of this synchronous call and the facade
    // passes four distinct, freshly allocated arrays.
    let s = f(unsafe {
        GhmOut { loss_elements: loss_elements.as_mut(), grad: grad.as_mut(), weights: weights.as_mut(), g: g.as_mut(), counts: &mut counts, acc_sum: &mut acc }
    })?;
    Ok(GhmKernelResult {
        loss_sum: s.loss_sum,
        loss: s.loss,
        tot: s.tot,
        non_empty: s.non_empty,
        scale: s.scale,
        updated: s.updated,
        loss_elements,
        grad,
        weights,
        g,
        counts: Float64Array::new(counts),
        acc_sum: Float64Array::new(acc),
    })
}

/// GHM-C. `use_labels`: targets are `labels` (`[N]` int32), else dense `targets` (`[N·C]`).
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn ghm_c(
    logits: Float32Array, num_classes: u32, use_labels: bool, targets: Float32Array, labels: Int32Array, label_weights: Float32Array,
    acc_sum: Float64Array, bins: u32, momentum: f64, all_bins: bool, bias_correction: bool, steps: f64,
    loss_weight: f64, mean: bool, loss_elements: Float32Array, grad: Float32Array, weights: Float32Array, g: Float32Array,
) -> Result<GhmKernelResult> {
    guard(|| {
        let o = opts(bins, momentum, all_bins, bias_correction, steps, loss_weight, mean, 0.02);
        let t = if use_labels { Targets::Labels(&labels) } else { Targets::Dense(&targets) };
        run(bins as usize, &acc_sum, loss_elements, grad, weights, g, |out| ghm::ghm_c(&logits, num_classes as usize, t, &label_weights, &o, out))
    })
}

/// GHM-R over `[len]` deltas.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn ghm_r(
    pred: Float32Array, target: Float32Array, label_weights: Float32Array, acc_sum: Float64Array, mu: f64, bins: u32,
    momentum: f64, all_bins: bool, bias_correction: bool, steps: f64, loss_weight: f64, mean: bool,
    loss_elements: Float32Array, grad: Float32Array, weights: Float32Array, g: Float32Array,
) -> Result<GhmKernelResult> {
    guard(|| {
        let o = opts(bins, momentum, all_bins, bias_correction, steps, loss_weight, mean, mu);
        run(bins as usize, &acc_sum, loss_elements, grad, weights, g, |out| ghm::ghm_r(&pred, &target, &label_weights, &o, out))
    })
}

/// Smooth L1 (`kind` 0, `param` β) or ASL1 (`kind` 1, `param` μ), written into `loss_elements` / `grad`.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn regression_loss(
    kind: u32, pred: Float32Array, target: Float32Array, weight: Float32Array, cols: u32, param: f64, scale: f64,
    mut loss_elements: Float32Array, mut grad: Float32Array,
) -> Result<RegressionKernelResult> {
    guard(|| {
        // SAFETY: as in `run` (synchronous call, distinct fresh arrays from the facade).
        let (le, gr) = unsafe { (loss_elements.as_mut(), grad.as_mut()) };
        let s = ghm::regression_loss(RegressionKind::from_u32(kind)?, &pred, &target, &weight, cols as usize, param as f32, scale as f32, le, gr)?;
        Ok(RegressionKernelResult { loss_sum: s, loss_elements, grad })
    })
}
