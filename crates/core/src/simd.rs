//! Runtime SIMD dispatch.
//!
//! Kernels are written once as plain `#[inline(always)]` loops over contiguous (structure-of-arrays)
//! slices that LLVM auto-vectorises. [`dispatch!`](crate::dispatch) instantiates such a loop under
//! several `#[target_feature]` sets and picks, at run time, the widest the CPU supports:
//! AVX-512 → AVX2+FMA → the build's baseline (SSE2 on x86-64). On `wasm32` the baseline is the
//! build's own target features (`+simd128` in our wasm build). The `scalar` cargo feature turns
//! dispatch off, which together with `-C llvm-args=-vectorize-loops=false -vectorize-slp=false`
//! gives the benchmark's scalar baseline of the very same source.

/// The vector level a kernel call will use on this machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Baseline,
    Avx2,
    Avx512,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Baseline => {
                if cfg!(feature = "scalar") {
                    "scalar"
                } else if cfg!(target_arch = "wasm32") {
                    if cfg!(target_feature = "simd128") {
                        "simd128"
                    } else {
                        "wasm32-scalar"
                    }
                } else {
                    "baseline"
                }
            }
            Level::Avx2 => "avx2",
            Level::Avx512 => "avx512",
        }
    }
}

/// Detects the widest usable level once (cached).
pub fn level() -> Level {
    #[cfg(all(any(target_arch = "x86_64", target_arch = "x86"), not(feature = "scalar")))]
    {
        use std::sync::OnceLock;
        static LEVEL: OnceLock<Level> = OnceLock::new();
        *LEVEL.get_or_init(|| {
            if std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512vl") {
                Level::Avx512
            } else if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
                Level::Avx2
            } else {
                Level::Baseline
            }
        })
    }
    #[cfg(not(all(any(target_arch = "x86_64", target_arch = "x86"), not(feature = "scalar"))))]
    {
        Level::Baseline
    }
}

/// `dispatch!(kernel(args...))` evaluates the call (of an `#[inline(always)]` kernel) compiled for
/// the widest available target features.
#[macro_export]
macro_rules! dispatch {
    ($call:expr) => {{
        #[cfg(all(any(target_arch = "x86_64", target_arch = "x86"), not(feature = "scalar")))]
        {
            #[target_feature(enable = "avx512f,avx512vl,avx2,fma")]
            unsafe fn __avx512<R>(f: impl FnOnce() -> R) -> R { f() }
            #[target_feature(enable = "avx2,fma")]
            unsafe fn __avx2<R>(f: impl FnOnce() -> R) -> R { f() }
            match $crate::simd::level() {
                // SAFETY: the level was detected on this CPU.
                $crate::simd::Level::Avx512 => unsafe { __avx512(|| $call) },
                $crate::simd::Level::Avx2 => unsafe { __avx2(|| $call) },
                $crate::simd::Level::Baseline => $call,
            }
        }
        #[cfg(not(all(any(target_arch = "x86_64", target_arch = "x86"), not(feature = "scalar"))))]
        {
            $call
        }
    }};
}

/// Branch-free max that maps to one vector instruction (no NaN handling: inputs are validated).
#[inline(always)]
pub fn fmax(a: f32, b: f32) -> f32 {
    if a > b { a } else { b }
}

/// Branch-free min, see [`fmax`].
#[inline(always)]
pub fn fmin(a: f32, b: f32) -> f32 {
    if a < b { a } else { b }
}
