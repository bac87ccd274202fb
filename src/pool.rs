//! Output buffers for the default (no `out`) path of large calls (issue 12 item 6).
//!
//! A fresh JS-heap typed array of tens of MB is new memory: the kernel that fills it spends most
//! of its time in page faults (IoU 20k×2k: 64.7 ms fresh vs 9.0 ms reused). Here outputs come
//! from a size-class pool of Rust allocations that keeps its pages, handed to JS as external
//! `ArrayBuffer`s whose size is reported to V8 (`napi_adjust_external_memory`), so the collector
//! sees them and runs as it would for JS-heap buffers (issue 10's RSS growth came from not
//! reporting it). When JS collects a result, its finalizer returns the block to the pool.
//!
//! Bounds: at most [`MAX_FREE`] bytes are cached; Node runs external-buffer finalizers from the
//! event loop, so a synchronous loop cannot return blocks until it yields — past
//! [`MAX_OUTSTANDING`] bytes handed out and not yet finalized, `alloc_f32` returns `null` and the
//! facade allocates on the JS heap as before (whose memory the collector frees by itself).
//! Pooled blocks are not zeroed: only kernels that write every output element use them.
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::alloc::{alloc, dealloc, Layout};
use std::sync::Mutex;

/// Smaller outputs stay on the JS heap (malloc reuses small blocks; no page-fault cost to save).
pub const MIN_POOLED: usize = 1 << 20;
/// Most free bytes the pool keeps.
pub const MAX_FREE: usize = 384 << 20;
/// Most bytes handed to JS and not yet finalized.
pub const MAX_OUTSTANDING: usize = 384 << 20;
// 16: the allocator's own alignment, so a large block is a plain malloc (fresh mmap pages, no memset
// on the JS thread; Rust zeroes over-aligned blocks by hand)
const ALIGN: usize = 16;

struct Pool {
    /// free blocks: (class bytes, address), most recently returned last
    free: Vec<(usize, usize)>,
    free_bytes: usize,
    outstanding: usize,
}

static POOL: Mutex<Pool> = Mutex::new(Pool { free: Vec::new(), free_bytes: 0, outstanding: 0 });

/// Size class: 8 classes per power of two (≤ 12.5 % slack), whole pages.
fn class(bytes: usize) -> usize {
    let step = (bytes.next_power_of_two() / 8).max(4096);
    bytes.div_ceil(step) * step
}

fn layout(cls: usize) -> Layout {
    Layout::from_size_align(cls, ALIGN).expect("pool layout")
}

fn take(bytes: usize) -> Option<(usize, *mut u8)> {
    let cls = class(bytes);
    let mut p = POOL.lock().unwrap_or_else(|e| e.into_inner());
    if p.outstanding + cls > MAX_OUTSTANDING {
        return None;
    }
    let ptr = if let Some(i) = p.free.iter().rposition(|&(c, _)| c == cls) {
        let (_, a) = p.free.remove(i);
        p.free_bytes -= cls;
        a as *mut u8
    } else {
        drop(p);
        // SAFETY: cls > 0 (bytes ≥ MIN_POOLED).
        let a = unsafe { alloc(layout(cls)) };
        if a.is_null() {
            return None;
        }
        p = POOL.lock().unwrap_or_else(|e| e.into_inner());
        a
    };
    p.outstanding += cls;
    Some((cls, ptr))
}

fn give_back(cls: usize, ptr: *mut u8) {
    let mut p = POOL.lock().unwrap_or_else(|e| e.into_inner());
    p.outstanding -= cls;
    p.free.push((cls, ptr as usize));
    p.free_bytes += cls;
    while p.free_bytes > MAX_FREE {
        let (c, a) = p.free.remove(0);
        p.free_bytes -= c;
        // SAFETY: allocated in `take` with this layout.
        unsafe { dealloc(a as *mut u8, layout(c)) };
    }
}

/// A `Float32Array` of `len` elements from the pool (contents unspecified: the caller's kernel
/// overwrites every element), or `null` when the pool does not serve it (small, or too much
/// outstanding): the facade then allocates on the JS heap.
#[napi]
pub fn alloc_f32<'env>(env: &'env Env, len: u32) -> Result<Option<Unknown<'env>>> {
    let bytes = len as usize * 4;
    if bytes < MIN_POOLED {
        return Ok(None);
    }
    let Some((cls, ptr)) = take(bytes) else { return Ok(None) };
    // SAFETY: `ptr` holds `cls ≥ bytes` bytes, 16-byte aligned, owned by this array until the
    // finalizer returns it to the pool.
    let arr = unsafe {
        Float32ArraySlice::from_external(env, ptr.cast::<f32>(), len as usize, (cls, ptr as usize), |env: Env, (cls, a): (usize, usize)| {
            let _ = env.adjust_external_memory(-(cls as i64));
            give_back(cls, a as *mut u8);
        })
    };
    let arr = match arr {
        Ok(a) => a,
        Err(e) => return Err(e),
    };
    env.adjust_external_memory(cls as i64)?;
    Ok(Some(arr.to_unknown()))
}

/// Pool statistics (tests and benchmarks): `[freeBytes, outstandingBytes, freeBlocks]`.
#[napi]
pub fn pool_stats() -> Vec<f64> {
    let p = POOL.lock().unwrap_or_else(|e| e.into_inner());
    vec![p.free_bytes as f64, p.outstanding as f64, p.free.len() as f64]
}
