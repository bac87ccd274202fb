//! wasm emitter of the kernel declarations (`crates/decl/kernels.rs`, docs/design-bindings.md).
//!
//! Each declaration becomes a `#[repr(C)]` options struct (every field an `f64`, in declared
//! order, so the host writes it as one `Float64Array`) and one raw export
//! `ssk_<name>(lens, inputs.., options, outputs..) -> status`, where `lens` holds the element
//! count of every input then every output. Status and errors follow the crate's protocol.
use crate::{report, slice, slice_mut};

/// Reads an option field from its `f64` slot in the `#[repr(C)]` struct.
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

macro_rules! declare_kernels {
    ($(
        $(#[doc = $doc:literal])*
        kernel $name:ident = $path:path;
        opts $opts:ident => $copts:path { $($of:ident : $ot:ty),* $(,)? };
        inputs { $($in:ident : $it:ident),* $(,)? };
        outputs { $($out:ident : $oty:ident = $rule:literal),* $(,)? };
    )*) => {$(
        #[repr(C)]
        pub struct $opts { $(pub $of: f64),* }

        $(#[doc = $doc])*
        /// # Safety
        /// `lens` points to one element count per input then per output; every pointer is valid
        /// for its count (the host's `WasmCtx.call` guarantees it).
        #[export_name = concat!("ssk_", stringify!($name))]
        #[allow(clippy::too_many_arguments)]
        pub unsafe extern "C" fn $name(lens: *const usize, $($in: *const $it,)* options: *const $opts, $($out: *mut $oty),*) -> i32 {
            report((|| {
                let raw = &*options;
                type CoreOpts = $copts;
                let o = CoreOpts { $($of: <$ot as FromF64>::from_f64(raw.$of)),* };
                let mut k = 0usize;
                $(let $in = { let s = slice($in, *lens.add(k)); k += 1; s };)*
                $(let $out = { let s = slice_mut($out, *lens.add(k)); k += 1; s };)*
                let _ = k;
                $path($($in,)* &o, $($out),*)
            })())
        }
    )*};
}

include!("../../decl/kernels.rs");
