//! WebAssembly binding: raw C-ABI exports over `soft-sampling-core` plus the module's own memory.
//!
//! No imports, no WASI, no wasm-bindgen glue: the module instantiates in every WebAssembly host
//! (Node, browsers, Deno, Bun, Cloudflare Workers from a precompiled `WebAssembly.Module`).
//! Protocol (see `ts/backends/wasm.ts`): the host allocates with `ss_alloc`, copies inputs into
//! linear memory, calls an `ss_*` kernel, which returns 0 on success or 1 with the message
//! available through `ss_error_ptr`/`ss_error_len`, reads the output and frees with `ss_free`.
//! A panic aborts (traps); the host then discards the instance.

use soft_sampling_core::geometry::{self, BoxFormat, CoderParams, DecodeOpts, OverlapMode, OverlapOpts};
use soft_sampling_core::{simd, CoreError};
use std::alloc::{alloc, dealloc, Layout};
use std::cell::RefCell;

mod assign;
mod eval;
mod decl;
mod focal;
mod ghm;
mod pisa;

thread_local! {
    static LAST_ERROR: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

pub(crate) fn report(r: Result<(), CoreError>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(e) => {
            // "CODE\targ\tmessage"
            let s = format!("{}\t{}\t{}", e.code, e.arg, e.message);
            LAST_ERROR.with(|b| *b.borrow_mut() = s.into_bytes());
            1
        }
    }
}

#[no_mangle]
pub extern "C" fn ss_error_ptr() -> *const u8 {
    LAST_ERROR.with(|b| b.borrow().as_ptr())
}

#[no_mangle]
pub extern "C" fn ss_error_len() -> usize {
    LAST_ERROR.with(|b| b.borrow().len())
}

/// Allocates `bytes` bytes aligned to 8 (0 bytes gives a valid dangling pointer).
#[no_mangle]
pub extern "C" fn ss_alloc(bytes: usize) -> *mut u8 {
    if bytes == 0 {
        return 8 as *mut u8;
    }
    match Layout::from_size_align(bytes, 8) {
        // SAFETY: non-zero size, valid layout.
        Ok(l) => unsafe { alloc(l) },
        Err(_) => std::ptr::null_mut(),
    }
}

/// Frees a block from [`ss_alloc`] of the same size.
#[no_mangle]
pub extern "C" fn ss_free(ptr: *mut u8, bytes: usize) {
    if bytes == 0 || ptr.is_null() {
        return;
    }
    // SAFETY: the host passes back a pointer and size it got from ss_alloc.
    unsafe { dealloc(ptr, Layout::from_size_align_unchecked(bytes, 8)) }
}

pub(crate) unsafe fn slice<'a, T>(p: *const T, len: usize) -> &'a [T] {
    if len == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(p, len)
    }
}

pub(crate) unsafe fn slice_mut<'a, T>(p: *mut T, len: usize) -> &'a mut [T] {
    if len == 0 {
        &mut []
    } else {
        std::slice::from_raw_parts_mut(p, len)
    }
}

/// Name of the vector level, as in `soft_sampling_core::simd::Level::name`, written as a code:
/// 0 simd128, 1 scalar.
#[no_mangle]
pub extern "C" fn ss_simd_level() -> u32 {
    if simd::level().name() == "simd128" { 0 } else { 1 }
}

/// Test hook: panics, so the host can check that a trap becomes a JS error.
#[no_mangle]
pub extern "C" fn ss_debug_panic() {
    panic!("deliberate panic (debug hook)");
}

/// See `geometry::bbox_overlaps`; `aligned != 0` requires `m == n` and writes `n` values.
#[no_mangle]
pub unsafe extern "C" fn ss_bbox_overlaps(
    b1: *const f32, n: usize, b2: *const f32, m: usize,
    mode: u32, aligned: u32, eps: f32, offset: f32, out: *mut f32,
) -> i32 {
    report((|| {
        let opts = OverlapOpts { mode: OverlapMode::from_u32(mode)?, eps, offset };
        let (a, b) = (slice(b1, 4 * n), slice(b2, 4 * m));
        if aligned != 0 {
            geometry::bbox_overlaps_aligned(a, b, opts, slice_mut(out, n))
        } else {
            geometry::bbox_overlaps(a, b, opts, slice_mut(out, n * m))
        }
    })())
}

#[no_mangle]
pub unsafe extern "C" fn ss_box_convert(boxes: *const f32, n: usize, from: u32, to: u32, out: *mut f32) -> i32 {
    report((|| {
        geometry::box_convert(slice(boxes, 4 * n), BoxFormat::from_u32(from)?, BoxFormat::from_u32(to)?, slice_mut(out, 4 * n))
    })())
}

unsafe fn coder(means: *const f32, stds: *const f32) -> CoderParams {
    let mut p = CoderParams { means: [0.0; 4], stds: [1.0; 4] };
    p.means.copy_from_slice(slice(means, 4));
    p.stds.copy_from_slice(slice(stds, 4));
    p
}

#[no_mangle]
pub unsafe extern "C" fn ss_delta_encode(priors: *const f32, gt: *const f32, n: usize, means: *const f32, stds: *const f32, out: *mut f32) -> i32 {
    report(geometry::delta_encode(slice(priors, 4 * n), slice(gt, 4 * n), coder(means, stds), slice_mut(out, 4 * n)))
}

#[no_mangle]
pub unsafe extern "C" fn ss_delta_decode(
    priors: *const f32, n: usize, deltas: *const f32, dlen: usize, means: *const f32, stds: *const f32,
    wh_ratio_clip: f32, has_shape: u32, h: f32, w: f32, out: *mut f32,
) -> i32 {
    let o = DecodeOpts { wh_ratio_clip, max_shape: if has_shape != 0 { Some((h, w)) } else { None } };
    report(geometry::delta_decode(slice(priors, 4 * n), slice(deltas, dlen), coder(means, stds), o, slice_mut(out, dlen)))
}

#[no_mangle]
pub unsafe extern "C" fn ss_decoded_iou(
    priors: *const f32, n: usize, deltas1: *const f32, deltas2: *const f32, means: *const f32, stds: *const f32,
    wh_ratio_clip: f64, eps: f64, out: *mut f32,
) -> i32 {
    report(geometry::decoded_iou(
        slice(priors, 4 * n), slice(deltas1, 4 * n), slice(deltas2, 4 * n), coder(means, stds), wh_ratio_clip, eps, slice_mut(out, n),
    ))
}

#[no_mangle]
pub unsafe extern "C" fn ss_grid_anchors(base: *const f32, a: usize, fh: usize, fw: usize, sh: f32, sw: f32, out: *mut f32) -> i32 {
    report(geometry::grid_anchors(slice(base, 4 * a), fh, fw, sh, sw, slice_mut(out, fh * fw * a * 4)))
}
