//! Node-API binding (napi-rs) over `soft-sampling-core`: thin wrappers only.
//!
//! Every kernel is a declared one (`crates/decl/kernels.rs`, emitted by `decl.rs`): inputs are
//! borrowed views of the JS typed arrays, outputs arrays the caller allocated (large float32 ones
//! from the page-keeping pool of `pool.rs`) and filled in place. Every call runs
//! inside `catch_unwind`, so a Rust panic becomes a JS error (`code` `E_PANIC`) and never takes the
//! process down; core errors arrive as `"CODE\targ\tmessage"` and the facade turns them into a
//! typed `SoftSamplingError`.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use soft_sampling_core::{simd, CoreError};
use std::panic::{catch_unwind, AssertUnwindSafe};

mod decl;
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

/// Test hook: panics inside the guard, to check that a panic becomes a JS error. It unwinds
/// without the panic hook (`resume_unwind`), so a passing test run prints no panic message.
#[napi]
pub fn debug_panic() -> Result<()> {
    guard(|| -> std::result::Result<(), CoreError> { std::panic::resume_unwind(Box::new("deliberate panic (debug hook)")) })
}
