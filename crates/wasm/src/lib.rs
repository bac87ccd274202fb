//! WebAssembly binding: `#[wasm_bindgen]` exports over `soft-sampling-core`, built with
//! `wasm-pack build --target web` (scripts/build-wasm.sh; docs/design-bindings.md).
//!
//! Every kernel takes typed slices (`&[f32]` in, `&mut [f32]` out: wasm-bindgen's glue copies the
//! JS typed arrays into linear memory and the outputs back into the caller's arrays) and returns
//! `Result<_, JsError>`; a `CoreError` becomes a JS `Error` whose message is `CODE\targ\tmessage`,
//! which the TS side turns into a typed `SoftSamplingError` (`fromBindingError`). A panic aborts
//! (traps); the host then re-instantiates the module (`ts/backends/wasm/index.ts`).

use soft_sampling_core::{simd, CoreError};
use wasm_bindgen::prelude::*;

mod decl;

/// `CoreError` → the JS error the TS side parses: message `"CODE\targ\tmessage"`.
pub(crate) fn js_err(e: CoreError) -> JsError {
    JsError::new(&format!("{}\t{}\t{}", e.code, e.arg, e.message))
}

pub(crate) fn report<T>(r: Result<T, CoreError>) -> Result<T, JsError> {
    r.map_err(js_err)
}

/// Name of the vector level, as in `soft_sampling_core::simd::Level::name`, written as a code:
/// 0 simd128, 1 scalar.
#[wasm_bindgen]
pub fn ss_simd_level() -> u32 {
    if simd::level().name() == "simd128" { 0 } else { 1 }
}

/// Test hook: panics, so the host can check that a trap becomes a JS error.
#[wasm_bindgen]
pub fn ss_debug_panic() {
    panic!("deliberate panic (debug hook)");
}
