//! Node-API binding (napi-rs) over `soft-sampling-core`: thin wrappers only.
//!
//! Typed arrays cross without per-element conversion (inputs are borrowed views of the JS
//! buffers, outputs are Rust vectors handed to JS as external `ArrayBuffer`s). Every call runs
//! inside `catch_unwind`, so a Rust panic becomes a JS error (`code` `E_PANIC`) and never takes the
//! process down; core errors arrive as `"CODE\targ\tmessage"` and the facade turns them into a
//! typed `SoftSamplingError`.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use soft_sampling_core::geometry::{self, CoderParams, DecodeOpts, OverlapMode, OverlapOpts};
use soft_sampling_core::{simd, CoreError};
use std::panic::{catch_unwind, AssertUnwindSafe};

mod assign;
mod asynk;
mod eval;
mod decl;
mod focal;
mod ghm;
mod pisa;
mod pool;

pub(crate) fn guard<T>(f: impl FnOnce() -> std::result::Result<T, CoreError>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(Error::new(Status::InvalidArg, format!("{}\t{}\t{}", e.code, e.arg, e.message))),
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(Error::new(Status::GenericFailure, format!("E_PANIC\t-\tRust panic: {msg}")))
        }
    }
}

fn coder(means: &[f32], stds: &[f32]) -> std::result::Result<CoderParams, CoreError> {
    if means.len() != 4 || stds.len() != 4 {
        return Err(CoreError::shape("means/stds", "need 4 values each"));
    }
    let mut p = CoderParams { means: [0.0; 4], stds: [1.0; 4] };
    p.means.copy_from_slice(means);
    p.stds.copy_from_slice(stds);
    Ok(p)
}

/// Vector level used by the kernels on this CPU: `avx512`, `avx2`, `baseline` or `scalar`.
#[napi]
pub fn simd_level() -> String {
    simd::level().name().to_string()
}

/// Sets the worker threads of large calls (`0`: the default, the machine's available
/// parallelism). The facade validates `n` (1..=1024); results never depend on it.
#[napi]
pub fn set_threads(n: u32) -> Result<()> {
    guard(|| soft_sampling_core::par::set_threads(n as usize))
}

/// Worker threads large calls use now.
#[napi]
pub fn threads() -> u32 {
    soft_sampling_core::par::threads() as u32
}

/// Test hook: panics inside the guard, to check that a panic becomes a JS error.
#[napi]
pub fn debug_panic() -> Result<()> {
    guard(|| -> std::result::Result<(), CoreError> { panic!("deliberate panic (debug hook)") })
}

// Every output below is a caller-allocated JS buffer (`out`) that the kernel fills: returning
// Rust-owned (external) buffers hid their memory from V8's GC heuristics, and RSS grew by the
// output size on every call of a loop until an unrelated GC ran.

#[napi]
pub fn delta_encode(priors: Float32Array, gt: Float32Array, means: Float32Array, stds: Float32Array, mut out: Float32Array) -> Result<()> {
    guard(|| geometry::delta_encode(&priors, &gt, coder(&means, &stds)?, unsafe { out.as_mut() }))
}

/// `maxShape` is `[H, W]` or empty (no clipping).
#[napi]
pub fn delta_decode(
    priors: Float32Array, deltas: Float32Array, means: Float32Array, stds: Float32Array, wh_ratio_clip: f64, max_shape: Float32Array,
    mut out: Float32Array,
) -> Result<()> {
    guard(|| {
        let o = DecodeOpts {
            wh_ratio_clip: wh_ratio_clip as f32,
            max_shape: if max_shape.len() == 2 { Some((max_shape[0], max_shape[1])) } else { None },
        };
        geometry::delta_decode(&priors, &deltas, coder(&means, &stds)?, o, unsafe { out.as_mut() })
    })
}

/// Aligned IoU of the boxes `deltas1` and `deltas2` decode to on the same priors, into `out` (`[N]`).
#[napi]
pub fn decoded_iou(
    priors: Float32Array, deltas1: Float32Array, deltas2: Float32Array, means: Float32Array, stds: Float32Array, wh_ratio_clip: f64, eps: f64,
    mut out: Float32Array,
) -> Result<()> {
    guard(|| geometry::decoded_iou(&priors, &deltas1, &deltas2, coder(&means, &stds)?, wh_ratio_clip, eps, unsafe { out.as_mut() }))
}

/// Fills `out` (length N·M, or N when aligned) in place: the caller owns the output buffer, so
/// repeated calls can reuse it (no allocation, no page faults on fresh memory).
#[napi]
pub fn bbox_overlaps(boxes1: Float32Array, boxes2: Float32Array, mode: u32, aligned: bool, eps: f64, offset: f64, mut out: Float32Array) -> Result<()> {
    guard(|| {
        let opts = OverlapOpts { mode: OverlapMode::from_u32(mode)?, eps: eps as f32, offset: offset as f32 };
        // SAFETY: JS is blocked for the duration of this synchronous call.
        let out = unsafe { out.as_mut() };
        if aligned {
            geometry::bbox_overlaps_aligned(&boxes1, &boxes2, opts, out)?;
        } else {
            geometry::bbox_overlaps(&boxes1, &boxes2, opts, out)?;
        }
        Ok(())
    })
}
