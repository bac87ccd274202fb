//! wasm emitter of the kernel declarations (`crates/decl/kernels.rs`, docs/design-bindings.md).
//!
//! Each declaration becomes one `#[wasm_bindgen]` function named after the kernel:
//! `<name>(inputs.., options.., outputs..) -> Result<(), JsError>`. Inputs are `&[T]`, outputs
//! `&mut [T]` (wasm-bindgen's glue copies them in and back into the caller's typed arrays), and
//! each option is one `f64` parameter in declared order (a plain wasm number: no allocation or copy
//! per call, where a `#[wasm_bindgen]` struct costs a crossing per field setter and an array a
//! malloc, a copy and a free).
use crate::report;
use soft_sampling_core::decl_shim::FromF64;
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
        pub fn $name($($in: &[$it],)* $($of: f64,)* $($out: &mut [$oty]),*) -> Result<(), JsError> {
            type CoreOpts = $copts;
            let o = CoreOpts { $($of: <$ot as FromF64>::from_f64($of)),* };
            report($path($($in,)* &o, $($out),*))
        }
    )*};
}

include!("../../decl/kernels.rs");
