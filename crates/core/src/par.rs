//! Deterministic data parallelism (issue 12 item 1).
//!
//! Large kernels split their work into chunks whose boundaries depend only on the problem size
//! (never on the thread count), compute each chunk independently, and merge the chunks' results
//! (float64 partial sums, histograms, tie lists) in chunk order. The answer is therefore
//! bit-identical for every thread count, including 1.
//!
//! With the `parallel` cargo feature (the native addon enables it) the chunks run on a rayon pool
//! of [`threads`] workers; without it (the wasm build) they run one after the other on the
//! calling thread. Calls with less than [`MIN_PAR_WORK`] units of work always run on the calling
//! thread (dispatching to the pool costs more than it saves).

use std::marker::PhantomData;

/// Below this many units of work (≈ output elements) a call stays on the calling thread.
/// Measured on the shared 2-core machine (focal fwd+bwd, C = 80): 2 threads were 0.87× of 1 at
/// 65 Ki elements, 0.92× at 131 Ki, 1.17× at 262 Ki and 1.60× at 1 Mi.
pub const MIN_PAR_WORK: usize = 1 << 18;

/// Most threads [`set_threads`] accepts.
pub const MAX_THREADS: usize = 1024;

#[cfg(feature = "parallel")]
mod imp {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    static THREADS: AtomicUsize = AtomicUsize::new(0);
    static POOL: Mutex<Option<(usize, Arc<rayon::ThreadPool>)>> = Mutex::new(None);

    pub fn default_threads() -> usize {
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(super::MAX_THREADS)
    }

    pub fn threads() -> usize {
        match THREADS.load(Ordering::Relaxed) {
            0 => default_threads(),
            n => n,
        }
    }

    pub fn set_threads(n: usize) {
        THREADS.store(n, Ordering::Relaxed);
    }

    pub fn pool() -> Option<Arc<rayon::ThreadPool>> {
        let n = threads();
        if n <= 1 {
            return None;
        }
        let mut g = POOL.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((k, p)) = g.as_ref() {
            if *k == n {
                return Some(p.clone());
            }
        }
        let p = Arc::new(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .thread_name(|i| format!("soft-sampling-{i}"))
                .build()
                .ok()?,
        );
        *g = Some((n, p.clone()));
        Some(p)
    }
}

/// Worker threads large calls use (the default: the machine's available parallelism; 1 without
/// the `parallel` feature).
pub fn threads() -> usize {
    #[cfg(feature = "parallel")]
    {
        imp::threads()
    }
    #[cfg(not(feature = "parallel"))]
    {
        1
    }
}

/// Sets the worker count (`1..=MAX_THREADS`; `0` returns to the default). Results do not depend on it.
/// Without the `parallel` feature this is a no-op (everything runs on the calling thread).
pub fn set_threads(n: usize) -> crate::error::Result<()> {
    if n > MAX_THREADS {
        return Err(crate::CoreError::value("threads", format!("at most {MAX_THREADS} threads, got {n}")));
    }
    #[cfg(feature = "parallel")]
    imp::set_threads(n);
    Ok(())
}

/// Evaluates `f(chunk)` for every chunk in `0..chunks` (in parallel when `work ≥ MIN_PAR_WORK`
/// and more than one thread is configured) and returns the results in chunk order. `init` makes
/// per-worker scratch (its contents must not influence the result).
pub fn map_chunks<S, R, I, F>(chunks: usize, work: usize, init: I, f: F) -> Vec<R>
where
    R: Send,
    I: Fn() -> S + Sync + Send,
    F: Fn(&mut S, usize) -> R + Sync + Send,
{
    #[cfg(feature = "parallel")]
    {
        if chunks > 1 && work >= MIN_PAR_WORK {
            if let Some(p) = imp::pool() {
                use rayon::prelude::*;
                return p.install(|| (0..chunks).into_par_iter().map_init(&init, |s, i| f(s, i)).collect());
            }
        }
    }
    let _ = work;
    let mut s = init();
    (0..chunks).map(|i| f(&mut s, i)).collect()
}

/// A mutable slice shared by the chunks of one call, each chunk taking a disjoint range.
pub struct SharedMut<'a, T> {
    ptr: *mut T,
    len: usize,
    _p: PhantomData<&'a mut [T]>,
}

// SAFETY: chunks only ever take disjoint ranges (see `range`).
unsafe impl<T: Send> Send for SharedMut<'_, T> {}
unsafe impl<T: Send> Sync for SharedMut<'_, T> {}

impl<'a, T> SharedMut<'a, T> {
    pub fn new(s: &'a mut [T]) -> Self {
        SharedMut { ptr: s.as_mut_ptr(), len: s.len(), _p: PhantomData }
    }

    /// `&mut s[a..b]`.
    ///
    /// # Safety
    /// Ranges taken concurrently must not overlap.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn range(&self, a: usize, b: usize) -> &'a mut [T] {
        assert!(a <= b && b <= self.len, "chunk range out of bounds");
        std::slice::from_raw_parts_mut(self.ptr.add(a), b - a)
    }
}

/// Work units per chunk of the issue-14 loss kernels (QFL, DFL, VFL, EFL, Balanced L1, IoU
/// losses): fixed, so chunk boundaries — and the answer — never depend on the thread count.
pub const CHUNK_WORK: usize = 1 << 15;

/// One chunk of whole rows of an elementwise `[N, C]` loss (see [`map_row_chunks`]): rows
/// `r0..r1`, elements `a..b`, the chunk's weights (`weight_mode` 0 = none, 1 = per row `[N]`,
/// 2 = per element `[N·C]`) and its disjoint slices of the per-element loss and gradient.
pub struct RowChunk<'s> {
    pub r0: usize,
    pub r1: usize,
    pub a: usize,
    pub b: usize,
    pub weight: &'s [f32],
    pub weight_mode: u8,
    pub loss: &'s mut [f32],
    pub grad: &'s mut [f32],
}

/// Runs `f` on fixed chunks of whole rows of an elementwise `[N, C]` loss (`loss` and `grad`
/// both `[N·C]`; [`CHUNK_WORK`] elements per chunk, so the boundaries never depend on the thread
/// count) and returns the per-chunk results in chunk order. `weight` is empty, `[N]` (`per_row`)
/// or `[N·C]`.
pub fn map_row_chunks<R, F>(c: usize, weight: &[f32], per_row: bool, loss: &mut [f32], grad: &mut [f32], f: F) -> Vec<R>
where
    R: Send,
    F: Fn(RowChunk<'_>) -> R + Sync + Send,
{
    let len = loss.len();
    let n = len / c;
    let weight_mode = if weight.is_empty() { 0 } else if per_row { 1 } else { 2 };
    let rows = (CHUNK_WORK / c).max(1);
    let chunks = n.div_ceil(rows);
    let (ls, gs) = (SharedMut::new(loss), SharedMut::new(grad));
    map_chunks(chunks, len, || (), |_, ci| {
        let (r0, r1) = (ci * rows, ((ci + 1) * rows).min(n));
        let (a, b) = (r0 * c, r1 * c);
        // SAFETY: chunk ranges are disjoint.
        let (loss, grad) = unsafe { (ls.range(a, b), gs.range(a, b)) };
        let weight = match weight_mode { 0 => weight, 1 => &weight[r0..r1], _ => &weight[a..b] };
        f(RowChunk { r0, r1, a, b, weight, weight_mode, loss, grad })
    })
}
