//! WebAssembly binding: `#[wasm_bindgen]` exports over `soft-sampling-core`, built with
//! `wasm-pack build --target web` (scripts/build-wasm.sh; docs/design-bindings.md).
//!
//! Every kernel takes typed slices (`&[f32]` in, `&mut [f32]` out: wasm-bindgen's glue copies the
//! JS typed arrays into linear memory and the outputs back into the caller's arrays) and returns
//! `Result<_, JsError>`; a `CoreError` becomes a JS `Error` whose message is `CODE\targ\tmessage`,
//! which the TS side turns into a typed `SoftSamplingError` (`fromBindingError`). A panic aborts
//! (traps); the host then re-instantiates the module (`ts/backends/wasm/index.ts`).

use soft_sampling_core::geometry::{self, OverlapMode, OverlapOpts};
use soft_sampling_core::{simd, CoreError};
use wasm_bindgen::prelude::*;

mod decl;
mod focal;
mod ghm;

/// `CoreError` → the JS error the TS side parses: message `"CODE\targ\tmessage"`.
pub(crate) fn js_err(e: CoreError) -> JsError {
    JsError::new(&format!("{}\t{}\t{}", e.code, e.arg, e.message))
}

pub(crate) fn report<T>(r: Result<T, CoreError>) -> Result<T, JsError> {
    r.map_err(js_err)
}

/// The first `k·⌊len/k⌋` elements (whole boxes of `k` values), as the raw exports read them.
pub(crate) fn whole<T>(s: &[T], k: usize) -> &[T] {
    &s[..s.len() / k * k]
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

/// See `geometry::bbox_overlaps`; `aligned` requires `n == m` and writes `n` values, else `n·m`.
#[wasm_bindgen]
pub fn ss_bbox_overlaps(b1: &[f32], b2: &[f32], mode: u32, aligned: bool, eps: f32, offset: f32, out: &mut [f32]) -> Result<(), JsError> {
    report((|| {
        let opts = OverlapOpts { mode: OverlapMode::from_u32(mode)?, eps, offset };
        let (a, b) = (whole(b1, 4), whole(b2, 4));
        if aligned {
            geometry::bbox_overlaps_aligned(a, b, opts, out)
        } else {
            geometry::bbox_overlaps(a, b, opts, out)
        }
    })())
}
