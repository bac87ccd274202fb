//! wasm emitter of the kernel declarations (`crates/decl/kernels.rs`, docs/design-bindings.md).
//!
//! Each declaration becomes one `#[wasm_bindgen]` function named after the kernel:
//! `<name>(inputs.., options: &[f64], outputs..) -> Result<(), JsError>`. Inputs are `&[T]`,
//! outputs `&mut [T]` (wasm-bindgen's glue copies them in and back into the caller's typed
//! arrays), and the options travel as one `Float64Array` in declared order (one copy, instead of
//! one boundary crossing per field that a `#[wasm_bindgen]` struct's setters would cost).
use crate::{js_err, report};
use soft_sampling_core::CoreError;
use wasm_bindgen::prelude::*;

/// Reads an option field from its `f64` slot.
pub trait FromF64 {
    fn from_f64(v: f64) -> Self;
}
impl FromF64 for f64 {
    fn from_f64(v: f64) -> Self {
        v
    }
}
impl FromF64 for f32 {
    fn from_f64(v: f64) -> Self {
        v as f32
    }
}
impl FromF64 for u32 {
    fn from_f64(v: f64) -> Self {
        v as u32
    }
}
impl FromF64 for i32 {
    fn from_f64(v: f64) -> Self {
        v as i32
    }
}
impl FromF64 for bool {
    fn from_f64(v: f64) -> Self {
        v != 0.0
    }
}

/// The options slice, checked for its declared field count.
pub(crate) fn read_options<const K: usize>(o: &[f64]) -> Result<&[f64; K], JsError> {
    <&[f64; K]>::try_from(o).map_err(|_| js_err(CoreError::shape("options", format!("expected {K} option values, got {}", o.len()))))
}

macro_rules! count {
    () => { 0usize };
    ($h:ident $($t:ident)*) => { 1usize + count!($($t)*) };
}

macro_rules! declare_kernels {
    ($(
        $(#[doc = $doc:literal])*
        kernel $name:ident = $path:path;
        opts $opts:ident => $copts:path { $($of:ident : $ot:ty),* $(,)? };
        inputs { $($in:ident : $it:ident),* $(,)? };
        outputs { $($out:ident : $oty:ident = $rule:literal),* $(,)? };
        $(async $aname:ident;)?  // native only: wasm is single-threaded
    )*) => {$(
        $(#[doc = $doc])*
        #[wasm_bindgen]
        #[allow(clippy::too_many_arguments, unused_mut, unused_variables)]
        pub fn $name($($in: &[$it],)* options: &[f64], $($out: &mut [$oty]),*) -> Result<(), JsError> {
            let raw = read_options::<{ count!($($of)*) }>(options)?;
            let mut k = 0usize;
            type CoreOpts = $copts;
            let o = CoreOpts { $($of: { let v = <$ot as FromF64>::from_f64(raw[k]); k += 1; v }),* };
            let _ = k;
            report($path($($in,)* &o, $($out),*))
        }
    )*};
}

include!("../../decl/kernels.rs");
