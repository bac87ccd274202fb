//! Output buffers for the default (no `out`) path of large calls (issue 12 item 6).
//!
//! A fresh JS-heap typed array of tens of MB is new memory: the kernel that fills it spends most
//! of its time in page faults (IoU 20k×2k: 64.7 ms fresh vs 9.0 ms reused). Here outputs come
//! from a size-class pool of Rust allocations that keeps its pages, handed to JS as external
//! `ArrayBuffer`s. V8 counts their size as external memory, as it counts any `ArrayBuffer`'s, and
//! collects when that count grows; the pool hides up to [`QUIET_BUDGET`] bytes of lent blocks of at
//! most [`QUIET_MAX_BLOCK`] from that count (those come back through their weak references without
//! V8's urging), leaves the other small ones to V8's count and reports the large ones a second
//! time (`napi_adjust_external_memory`), so a loop that drops its results is still collected
//! (issue 10's RSS growth came from memory V8 did not see).
//!
//! Returning blocks. Node runs an external buffer's finalizer from the event loop, after V8 has
//! collected the `ArrayBuffer`; a synchronous loop (call, use, drop, call again, never yielding)
//! would therefore never get a block back and fall to fresh JS-heap memory after a few calls.
//! So every block handed out also holds a weak Node-API reference to its `ArrayBuffer`: V8 clears
//! a weak reference during the collection itself, and `alloc_f32` takes back every block whose
//! `ArrayBuffer` is gone before it looks for a free one ("early" returns, [`pool_stats`]).
//! Once its `ArrayBuffer` object is collected, no JavaScript can reach the memory (views such as
//! `subarray` or `Buffer.from(ab)` keep the `ArrayBuffer` alive, and a transfer through
//! `postMessage`/`structuredClone` copies an external buffer instead of detaching it); V8 frees
//! the backing store later without reading it, and the finalizer that follows only settles the
//! accounting. The finalizer still returns a block whose reference was never seen cleared.
//!
//! Bounds: at most [`MAX_FREE`] bytes are cached; past [`MAX_OUTSTANDING`] bytes handed out and
//! not yet returned, `alloc_f32` returns `null` and the facade allocates on the JS heap (whose
//! memory the collector frees by itself). Before looking for blocks to take back, `alloc_f32`
//! lets V8 scavenge if it wants to ([`nudge_scavenge`]), so a synchronous loop's dropped results
//! come back at the next call instead of after V8's next full collection. Pooled blocks are not
//! zeroed: only kernels that write every output element use them.
use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;
use std::alloc::{alloc, dealloc, Layout};
use std::ffi::c_void;
use std::ptr;
use std::sync::Mutex;
use std::time::Instant;

/// Smaller outputs stay on the JS heap (malloc reuses small blocks; no page-fault cost to save).
pub const MIN_POOLED: usize = 1 << 20;
/// Most free bytes the pool keeps (also bounded by [`KEEP_FREE`]'s rule: after a burst it shrinks towards
/// 64 MiB one block per allocation, and to 64 MiB at once after 10 s without one: [`pool_trim`]).
pub const MAX_FREE: usize = 768 << 20;
/// Most bytes handed to JS and not yet returned (1 GiB: a few 160 MB IoU 20k×2k outputs lent
/// while the collector catches up; at 384 MB every third such call fell back to the JS heap).
pub const MAX_OUTSTANDING: usize = 1 << 30;
/// Most pooled arrays whose finalizer has not run yet. Node queues each external buffer's
/// finalizer (a few hundred bytes of bookkeeping) until the event loop turns, even when the block
/// came back early; a synchronous loop that never yields would grow RSS by that much per call
/// (~45 MB per 100k calls), so past this many the facade allocates on the JS heap until it yields.
pub const MAX_UNFINALIZED: usize = 4096;
/// Free bytes always kept; above this the pool keeps at most the recent peak of the bytes lent
/// (a maximum that halves every [`PEAK_HALF_LIFE`]), releasing its least recently used block on each
/// allocation (a burst's blocks do not stay resident forever). Against the bytes lent *now* (twice
/// them, before), a synchronous loop whose dropped results come back in bursts — 3–4 IoU 20k×2k
/// outputs per collection — released the blocks it needed a call later and faulted in new ones.
pub const KEEP_FREE: usize = 64 << 20;
/// Most bytes of lent blocks (each ≤ [`QUIET_MAX_BLOCK`]) hidden from V8's external-memory count. V8 counts every
/// `ArrayBuffer`'s backing store and starts a full collection each time that count grows by 64 MB
/// since the last one; for a pooled output that count is moot — the pool keeps the block either
/// way, and gets it back as soon as a collection (most often a scavenge, see
/// [`nudge_scavenge`]) clears its weak reference. Focal fwd+bwd 100k×80 (64 MB of outputs per call)
/// set off 0.6 full collections per call, 3–4 ms of V8 CPU per call against a 19 ms kernel; so the
/// pool cancels V8's count of the blocks it lends (`napi_adjust_external_memory(−bytes)`, undone
/// when the block comes back) up to this many bytes. Past it, a block is counted by V8 alone, as
/// any `ArrayBuffer` is: lent blocks build pressure and V8 collects (0.37 full collections per call
/// against 0.47 when the pool counted those a second time, as it did every block before). Should a
/// V8 not count external backing stores, its count is at most this much low.
pub const QUIET_BUDGET: usize = 256 << 20;
/// Largest block the pool hides from V8 ([`QUIET_BUDGET`]). A larger one (IoU 20k×2k: 160 MB) is
/// counted twice, by V8 and by the pool (`napi_adjust_external_memory(+class)`, undone when it
/// comes back), as every block was before the budget: hiding or counting once such blocks let a
/// synchronous loop lend more between collections, and the free cache ([`MAX_FREE`]) then dropped
/// blocks the next burst needed (IoU 20k×2k fresh/reused at 2 threads 0.81× → 0.59× in one run;
/// 2–5 new blocks per 60 calls against 0–2 counted twice).
pub const QUIET_MAX_BLOCK: usize = 64 << 20;
/// Half-life, in seconds, of the recent peak that bounds the free bytes kept above [`KEEP_FREE`].
/// Per allocation (1/64 each, before), the peak of a loop whose dropped results come back in
/// collections every 3–6 calls decayed below the next cycle's need: focal fwd+bwd 100k×80 at 2
/// threads released and re-faulted both 32 MB blocks on 10–27 % of calls (15.6k page faults each).
const PEAK_HALF_LIFE: f64 = 4.0;
// 16: the allocator's own alignment, so a large block is a plain malloc (fresh mmap pages, no memset
// on the JS thread; Rust zeroes over-aligned blocks by hand). Not 2 MiB with MADV_HUGEPAGE: a new
// 160 MB block then faulted 80 times instead of 39k, but with THP defrag on `madvise` the kernel
// compacted memory inside the fault (two calls of 0.4–0.5 s of system time in 40 on this machine).
const ALIGN: usize = 16;

/// A block handed to JS: its id (the finalizer's hint), size class, address, the env that owns
/// it and the weak reference to its `ArrayBuffer`.
struct Lent {
    id: u64,
    cls: usize,
    /// the `ArrayBuffer`'s byte length, whether V8's count of it is cancelled ([`QUIET_BUDGET`]),
    /// and what this block added to V8's count at lending (`−bytes` if quiet, else `+cls`), taken
    /// back when it returns
    bytes: usize,
    quiet: bool,
    adj: i64,
    addr: usize,
    env: usize,
    weak: usize,
}

struct Pool {
    /// free blocks: (class bytes, address), most recently returned last
    free: Vec<(usize, usize)>,
    free_bytes: usize,
    outstanding: usize,
    lent: Vec<Lent>,
    next_id: u64,
    /// blocks returned because their weak reference was cleared / by their finalizer
    early: u64,
    late: u64,
    /// per env (each Node worker thread has its own): pooled arrays whose finalizer has not run
    envs: Vec<(usize, usize)>,
    /// recent peak of `outstanding` (halves per [`PEAK_HALF_LIFE`] of time), and when it was updated
    peak: usize,
    peak_at: Option<Instant>,
    /// bytes of lent blocks whose V8 count is cancelled (≤ [`QUIET_BUDGET`])
    quiet: usize,
}

static POOL: Mutex<Pool> =
    Mutex::new(Pool { free: Vec::new(), free_bytes: 0, outstanding: 0, lent: Vec::new(), next_id: 1, early: 0, late: 0, envs: Vec::new(), peak: 0, peak_at: None, quiet: 0 });

/// Blocks allocated from the system since the process started ([`pool_stats`]).
static NEW_BLOCKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
fn lock() -> std::sync::MutexGuard<'static, Pool> {
    POOL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Size class: 8 classes per power of two (≤ 12.5 % slack), whole pages.
fn class(bytes: usize) -> usize {
    let step = (bytes.next_power_of_two() / 8).max(4096);
    bytes.div_ceil(step) * step
}

fn layout(cls: usize) -> Layout {
    Layout::from_size_align(cls, ALIGN).expect("pool layout")
}

impl Pool {
    fn unfinalized(&mut self, env: usize) -> Option<&mut usize> {
        self.envs.iter_mut().find(|(e, _)| *e == env).map(|(_, n)| n)
    }

    /// Past [`KEEP_FREE`], keeps at most the recent peak of the bytes lent: releases the least
    /// recently used free block (one per allocation, so a burst's blocks leave gradually).
    fn decay(&mut self) {
        let now = Instant::now();
        let dt = self.peak_at.map_or(0.0, |t| now.duration_since(t).as_secs_f64());
        self.peak_at = Some(now);
        let decayed = (self.peak as f64 * (-dt / PEAK_HALF_LIFE).exp2()) as usize;
        self.peak = decayed.max(self.outstanding);
        if self.free_bytes > KEEP_FREE.max(self.peak) && !self.free.is_empty() {
            let (c, a) = self.free.remove(0);
            self.free_bytes -= c;
            // SAFETY: allocated in `take` with this layout, not lent.
            unsafe { dealloc(a as *mut u8, layout(c)) };
        }
    }

    fn put_free(&mut self, cls: usize, addr: usize) {
        self.free.push((cls, addr));
        self.free_bytes += cls;
        while self.free_bytes > MAX_FREE {
            let (c, a) = self.free.remove(0);
            self.free_bytes -= c;
            // SAFETY: allocated in `take` with this layout, no longer lent.
            unsafe { dealloc(a as *mut u8, layout(c)) };
        }
    }
}

/// Lets V8 run a young-generation collection now if it wants one: creating an `ArrayBuffer` is
/// where V8 checks the external memory held by young `ArrayBuffer`s, and past twice its semispace
/// (32 MiB on 64-bit) it scavenges first. Outputs dropped since the last call are young, so that
/// scavenge clears their weak references and `reclaim` gets their blocks back at once. Without it,
/// a synchronous loop (IoU 20k×2k at 2 threads) lent 3–6 blocks before V8's incremental marking
/// finished, and the call after fell back to fresh JS-heap memory (39k page faults, 60–80 ms of
/// system time). A scavenge costs in proportion to the live young objects (a few ms at most), and
/// V8 skips it when little young external memory is held. Only when this env has blocks out.
/// (Nudging only when no free block fits was worse: IoU 20k×2k at 2 threads then lent 6 blocks
/// and fell back on most calls, 23k–29k faults per call against 12–2.6k nudging on every one.)
fn nudge_scavenge(env: sys::napi_env) {
    if !lock().lent.iter().any(|l| l.env == env as usize && l.weak != 0) {
        return;
    }
    let mut data: *mut c_void = ptr::null_mut();
    let mut ab: sys::napi_value = ptr::null_mut();
    // SAFETY: a 1-byte ArrayBuffer in the current env; nothing keeps it (the handle scope of this
    // call drops it). Failure is harmless: the nudge is only a hint.
    unsafe { sys::napi_create_arraybuffer(env, 1, &mut data, &mut ab) };
}

/// Takes back every block of `env` whose `ArrayBuffer` has been collected (its weak reference
/// reads empty); returns the change to V8's external-memory count that undoes what those blocks
/// added at lending. JS thread of `env` only.
fn reclaim(env: sys::napi_env) -> i64 {
    let mut p = lock();
    let mut back = 0i64;
    let mut i = 0;
    while i < p.lent.len() {
        let l = &p.lent[i];
        if l.env != env as usize || l.weak == 0 {
            i += 1;
            continue;
        }
        let mut v: sys::napi_value = ptr::null_mut();
        // SAFETY: `l.weak` is a live reference created in `env` (deleted only here or in the finalizer).
        let st = unsafe { sys::napi_get_reference_value(env, l.weak as sys::napi_ref, &mut v) };
        if st != sys::Status::napi_ok || !v.is_null() {
            i += 1;
            continue;
        }
        let l = p.lent.swap_remove(i);
        // SAFETY: as above; after this the finalizer finds no `Lent` for `l.id`.
        unsafe { sys::napi_delete_reference(env, l.weak as sys::napi_ref) };
        p.outstanding -= l.cls;
        p.early += 1;
        if l.quiet {
            p.quiet -= l.bytes;
        }
        back -= l.adj;
        p.put_free(l.cls, l.addr);
    }
    back
}

fn take(env: usize, bytes: usize) -> Option<(usize, *mut u8)> {
    let cls = class(bytes);
    let mut p = lock();
    let pending = p.unfinalized(env).map_or(0, |n| *n);
    if p.outstanding + cls > MAX_OUTSTANDING || pending >= MAX_UNFINALIZED {
        p.decay();
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
        NEW_BLOCKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        p = lock();
        a
    };
    p.outstanding += cls;
    p.decay();
    Some((cls, ptr))
}

/// Puts a block back that was taken but never handed to JS.
fn untake(cls: usize, ptr: *mut u8) {
    let mut p = lock();
    p.outstanding -= cls;
    p.put_free(cls, ptr as usize);
}

/// The external buffer's finalizer (JS thread, after V8 freed the backing store): returns the
/// block unless `reclaim` already did, and settles V8's external-memory count either way.
unsafe extern "C" fn finalize(env: sys::napi_env, _data: *mut c_void, hint: *mut c_void) {
    let id = hint as usize as u64;
    let mut p = lock();
    if let Some(n) = p.unfinalized(env as usize) {
        *n = n.saturating_sub(1);
    }
    let Some(i) = p.lent.iter().position(|l| l.id == id) else { return };
    let l = p.lent.swap_remove(i);
    p.outstanding -= l.cls;
    p.late += 1;
    if l.quiet {
        p.quiet -= l.bytes;
    }
    p.put_free(l.cls, l.addr);
    drop(p);
    if l.weak != 0 {
        sys::napi_delete_reference(env, l.weak as sys::napi_ref);
    }
    let mut adjusted = 0i64;
    sys::napi_adjust_external_memory(env, -l.adj, &mut adjusted);
}

/// First call in an env (the main thread or a worker): a cleanup hook that forgets the env when it
/// is torn down, so no weak reference of a dead env is ever read and its pending count goes.
fn register(env: sys::napi_env) -> Result<()> {
    let mut p = lock();
    if p.unfinalized(env as usize).is_some() {
        return Ok(());
    }
    p.envs.push((env as usize, 0));
    drop(p);
    // SAFETY: `env` is the current env; the hook gets it back as its argument.
    check(unsafe { sys::napi_add_env_cleanup_hook(env, Some(forget_env), env.cast()) }, "env cleanup hook")
}

/// Env teardown (after its buffers' finalizers normally): blocks still lent to it go back to the
/// free list (no JavaScript of that env runs any more; V8 frees the backing stores without reading).
unsafe extern "C" fn forget_env(arg: *mut c_void) {
    let env = arg as usize;
    let mut p = lock();
    p.envs.retain(|(e, _)| *e != env);
    let mut i = 0;
    while i < p.lent.len() {
        if p.lent[i].env == env {
            let l = p.lent.swap_remove(i);
            p.outstanding -= l.cls;
            if l.quiet {
                p.quiet -= l.bytes;
            }
            p.put_free(l.cls, l.addr);
        } else {
            i += 1;
        }
    }
}

fn check(st: sys::napi_status, what: &str) -> Result<()> {
    if st == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(Error::new(Status::GenericFailure, format!("E_BACKEND\t-\tpool: {what} failed (status {st})")))
    }
}

/// A `Float32Array` of `len` elements from the pool (contents unspecified: the caller's kernel
/// overwrites every element), or `null` when the pool does not serve it (small, too much
/// outstanding, or a runtime without external buffers): the facade then allocates on the JS heap.
#[napi]
pub fn alloc_f32<'env>(env: &'env Env, len: u32) -> Result<Option<Unknown<'env>>> {
    let bytes = len as usize * 4;
    if bytes < MIN_POOLED {
        return Ok(None);
    }
    let raw = env.raw();
    register(raw)?;
    nudge_scavenge(raw);
    let back = reclaim(raw);
    let Some((cls, ptr)) = take(raw as usize, bytes) else {
        if back != 0 {
            env.adjust_external_memory(back)?;
        }
        return Ok(None);
    };
    let id = {
        let mut p = lock();
        let id = p.next_id;
        p.next_id += 1;
        id
    };
    // SAFETY: `ptr` holds `cls ≥ bytes` bytes, 16-byte aligned, owned by this array until its
    // `ArrayBuffer` is collected (weak reference cleared) or finalized.
    unsafe {
        let mut ab: sys::napi_value = ptr::null_mut();
        let st = sys::napi_create_external_arraybuffer(raw, ptr.cast(), bytes, Some(finalize), id as usize as *mut c_void, &mut ab);
        if st != sys::Status::napi_ok {
            untake(cls, ptr);
            if back != 0 {
                env.adjust_external_memory(back)?;
            }
            // Electron and other runtimes without external buffers: the JS heap serves it
            return if st == sys::Status::napi_no_external_buffers_allowed { Ok(None) } else { check(st, "external ArrayBuffer").map(|_| None) };
        }
        // From here the finalizer owns the block's return; register it before anything can fail.
        // (a failed reference stays null: that block only comes back through its finalizer)
        let mut weak: sys::napi_ref = ptr::null_mut();
        let st = sys::napi_create_reference(raw, ab, 0, &mut weak);
        let adj = {
            let mut p = lock();
            // quiet only with a weak reference: without one the block comes back through its
            // finalizer alone, which V8's count must drive
            let quiet = !weak.is_null() && bytes <= QUIET_MAX_BLOCK && p.quiet + bytes <= QUIET_BUDGET;
            if quiet {
                p.quiet += bytes;
            }
            let adj = if quiet { -(bytes as i64) } else if bytes > QUIET_MAX_BLOCK { cls as i64 } else { 0 };
            p.lent.push(Lent { id, cls, bytes, quiet, adj, addr: ptr as usize, env: raw as usize, weak: weak as usize });
            if let Some(n) = p.unfinalized(raw as usize) {
                *n += 1;
            }
            adj
        };
        // what the block added is applied before anything can fail: its return takes it back
        let change = back + adj;
        if change != 0 {
            env.adjust_external_memory(change)?;
        }
        check(st, "weak reference")?;
        let mut ta: sys::napi_value = ptr::null_mut();
        check(sys::napi_create_typedarray(raw, sys::TypedarrayType::float32_array, len as usize, ab, 0, &mut ta), "Float32Array")?;
        Ok(Some(Unknown::from_napi_value(raw, ta)?))
    }
}

/// Releases free blocks, least recently used first, until at most `keep` bytes (default
/// [`KEEP_FREE`]) stay free, and
/// forgets the recent peak (so the next allocations do not keep more). The facade calls it when
/// the process has made no pooled allocation for a while (`ts/backends/native.ts`, an unref'd
/// timer): the free cache otherwise shrinks only as allocations come (one block per allocation), and
/// a server idle after a burst of IoU 20k×2k calls kept up to [`MAX_FREE`] resident. Lent blocks are
/// untouched. Returns the bytes released.
#[napi]
pub fn pool_trim(keep: Option<f64>) -> f64 {
    let keep = match keep {
        None => KEEP_FREE,
        Some(k) if k.is_finite() && k > 0.0 => k as usize,
        Some(_) => 0,
    };
    let mut p = lock();
    let mut released = 0usize;
    while p.free_bytes > keep && !p.free.is_empty() {
        let (c, a) = p.free.remove(0);
        p.free_bytes -= c;
        released += c;
        // SAFETY: allocated in `take` with this layout, not lent.
        unsafe { dealloc(a as *mut u8, layout(c)) };
    }
    p.peak = p.outstanding;
    p.peak_at = Some(Instant::now());
    released as f64
}

/// Pool statistics (tests and benchmarks): `[freeBytes, outstandingBytes, freeBlocks, lentBlocks,
/// returnedEarly, returnedByFinalizer, unfinalized, newBlocks, quietBytes]` (the returns and
/// `newBlocks`, blocks allocated from the system, count since the process started; unfinalized:
/// pooled arrays whose finalizer Node has not run yet; quietBytes: lent bytes hidden from V8's
/// count, ≤ [`QUIET_BUDGET`]). All +0 before any pooled call (an f64 sum over no env is −0).
#[napi]
pub fn pool_stats() -> Vec<f64> {
    let p = lock();
    vec![p.free_bytes as f64, p.outstanding as f64, p.free.len() as f64, p.lent.len() as f64, p.early as f64, p.late as f64, p.envs.iter().map(|(_, n)| *n).sum::<usize>() as f64, NEW_BLOCKS.load(std::sync::atomic::Ordering::Relaxed) as f64, p.quiet as f64]
}
