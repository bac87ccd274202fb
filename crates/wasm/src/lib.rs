//! WebAssembly binding: `#[wasm_bindgen]` exports over `soft-sampling-core`, built with
//! `wasm-pack build --target web` (scripts/build-wasm.sh; docs/design-bindings.md).
//!
//! Every declared kernel (`decl.rs`) takes the address of its I/O table in the TS glue's scratch
//! arena (allocated with [`ss_alloc`]) and its options as numbers, and returns
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

/// Alignment of [`ss_alloc`] blocks (float64 needs 8; SIMD128 loads like 16).
const ARENA_ALIGN: usize = 16;

/// A block of `bytes` bytes of linear memory for the glue's scratch arena (`WasmHeap` in
/// `ts/backends/wasm/bindgen.ts`), aligned to 16; 0 when the memory cannot grow that far (the glue
/// then raises `E_BACKEND`, where a failed allocation inside a call would trap).
#[wasm_bindgen]
pub fn ss_alloc(bytes: usize) -> *mut u8 {
    match std::alloc::Layout::from_size_align(bytes.max(1), ARENA_ALIGN) {
        // SAFETY: the layout has a non-zero size
        Ok(layout) => unsafe { std::alloc::alloc(layout) },
        Err(_) => std::ptr::null_mut(),
    }
}

/// Frees a block of [`ss_alloc`] (`bytes` as given there).
///
/// # Safety
/// `ptr` came from `ss_alloc(bytes)` and is not used afterwards (the glue's arena owns it).
#[wasm_bindgen]
pub unsafe fn ss_free(ptr: *mut u8, bytes: usize) {
    if !ptr.is_null() {
        std::alloc::dealloc(ptr, std::alloc::Layout::from_size_align_unchecked(bytes.max(1), ARENA_ALIGN));
    }
}
