//! wasm emitter of the kernel declarations (`crates/decl/kernels.rs`, docs/design-bindings.md).
//!
//! Each declaration becomes one `#[wasm_bindgen]` function named after the kernel:
//! `<name>(io, options..) -> Result<(), JsError>`. `io` points at the call's I/O table in linear
//! memory: one `(pointer, length)` pair of `u32` per input, then per output, in declared order. The
//! TS glue (`ts/backends/wasm/modern.ts`) lays the inputs and outputs out in its scratch arena,
//! copies the inputs in, writes the table, and after the call copies each output out once: outputs
//! are never copied in (every declared kernel writes each element of its outputs), and no buffer is
//! allocated or freed per call. Each option is one `f64` parameter in declared order (a plain wasm
//! number: no allocation or copy per call, where a `#[wasm_bindgen]` struct costs a crossing per
//! field setter and an array a malloc, a copy and a free).
use crate::report;
use soft_sampling_core::decl_shim::FromF64;
use wasm_bindgen::prelude::*;

/// The `k`-th `(pointer, length)` pair of the I/O table as a slice (empty for length 0).
///
/// # Safety
/// `io` points at a table with at least `2(k + 1)` entries whose `k`-th pair describes `length`
/// aligned `T` in linear memory, disjoint from every other pair of the table (the glue's arena
/// layout, `ts/backends/wasm/modern.ts`).
#[inline(always)]
unsafe fn io_slice<'a, T>(io: *const u32, k: usize) -> &'a mut [T] {
    let (p, n) = (*io.add(2 * k) as usize, *io.add(2 * k + 1) as usize);
    if n == 0 {
        &mut []
    } else {
        std::slice::from_raw_parts_mut(p as *mut T, n)
    }
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
        #[allow(clippy::too_many_arguments, unused_mut, unused_variables, unused_assignments)]
        pub fn $name(io: *const u32, $($of: f64),*) -> Result<(), JsError> {
            let mut k = 0usize;
            // SAFETY: `io` is the table the glue wrote for this call (see `io_slice`)
            $(let $in: &[$it] = unsafe { io_slice::<$it>(io, k) }; k += 1;)*
            $(let $out: &mut [$oty] = unsafe { io_slice::<$oty>(io, k) }; k += 1;)*
            type CoreOpts = $copts;
            let o = CoreOpts { $($of: <$ot as FromF64>::from_f64($of)),* };
            report($path($($in,)* &o, $($out),*))
        }
    )*};
}

include!("../../decl/kernels.rs");
