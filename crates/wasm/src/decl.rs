//! wasm emitter of the kernel declarations (`crates/decl/kernels.rs`, docs/design-bindings.md).
//!
//! Each declaration becomes one `#[wasm_bindgen]` function named after the kernel:
//! `<name>(inputs.., options: &[f64], outputs..) -> Result<(), JsError>`. Inputs are `&[T]`,
//! outputs `&mut [T]` (wasm-bindgen's glue copies them in and back into the caller's typed
//! arrays), and the options travel as one `Float64Array` in declared order (one copy, instead of
//! one boundary crossing per field that a `#[wasm_bindgen]` struct's setters would cost).
use crate::report;
use soft_sampling_core::decl_shim::{count, read_options, FromF64};
use wasm_bindgen::prelude::*;


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
            report((|| {
                let raw = read_options::<{ count!($($of)*) }>(options)?;
                let mut k = 0usize;
                type CoreOpts = $copts;
                let o = CoreOpts { $($of: { let v = <$ot as FromF64>::from_f64(raw[k]); k += 1; v }),* };
                let _ = k;
                $path($($in,)* &o, $($out),*)
            })())
        }
    )*};
}

include!("../../decl/kernels.rs");
