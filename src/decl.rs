//! napi emitter of the kernel declarations (`crates/decl/kernels.rs`, docs/design-bindings.md).
//!
//! Each declaration becomes a `#[napi(object)]` options struct and one `#[napi]` function
//! `name(inputs.., options, outputs..)`: inputs are borrowed typed-array views, outputs are
//! JS-heap typed arrays allocated by the caller (`ts/backends/decl.ts`, sized by the declared
//! rules) and filled in place. No hand-written per-op code.
use crate::guard;
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Element type → the JS typed array that carries it.
pub trait Elem {
    type Arr;
}
impl Elem for f32 {
    type Arr = Float32Array;
}
impl Elem for f64 {
    type Arr = Float64Array;
}
impl Elem for i32 {
    type Arr = Int32Array;
}
impl Elem for u8 {
    type Arr = Uint8Array;
}
type Arr<T> = <T as Elem>::Arr;

macro_rules! declare_kernels {
    ($(
        $(#[doc = $doc:literal])*
        kernel $name:ident = $path:path;
        opts $opts:ident => $copts:path { $($of:ident : $ot:ty),* $(,)? };
        inputs { $($in:ident : $it:ident),* $(,)? };
        outputs { $($out:ident : $oty:ident = $rule:literal),* $(,)? };
    )*) => {$(
        #[napi(object)]
        pub struct $opts { $(pub $of: $ot),* }

        $(#[doc = $doc])*
        #[napi]
        #[allow(clippy::too_many_arguments, unused_variables)]
        pub fn $name($($in: Arr<$it>,)* options: $opts, $(mut $out: Arr<$oty>),*) -> Result<()> {
            guard(|| {
                type CoreOpts = $copts;
                let o = CoreOpts { $($of: options.$of),* };
                // SAFETY: JS is blocked during this synchronous call; the outputs are fresh,
                // distinct arrays allocated by the caller for this call.
                $path($(&$in,)* &o, $(unsafe { $out.as_mut() }),*)
            })
        }
    )*};
}

include!("../crates/decl/kernels.rs");
