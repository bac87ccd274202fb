//! Focal-family losses with analytic gradients (issue 3): binary cross-entropy with logits and
//! its α-balanced form, sigmoid focal loss (exact log-space form and the mmcv-clamped
//! compatibility form), FL* and the softmax (multi-class) focal loss.
//!
//! Notation (reference-semantics §1.1): `x` logit, `y ∈ {0,1}` target, `y± = 2y − 1`,
//! `x_t = y±·x`, `p_t = σ(x_t)`, `α_t = α·y + (1−α)(1−y)`.
//!
//! * CE    = `softplus(−x_t)`                                    d/dx = `y±(p_t − 1)`
//! * FL    = `α_t (1−p_t)^γ CE`                                  d/dx = `y± α_t (1−p_t)^γ (γ p_t log p_t + p_t − 1)`
//! * FL*   = `softplus(−(γ x_t + β)) / γ`                        d/dx = `y± (σ(γ x_t + β) − 1)`
//!
//! (Lin et al. 2017, "Focal Loss for Dense Object Detection", eq. 1–5 and Appendix A/B.)
//! Everything is evaluated in log space: `log p_t = −softplus(−x_t)`,
//! `(1−p_t)^γ = exp(−γ·softplus(x_t))`, so every value is finite for any finite logit and
//! every `γ ≥ 0` (no `0^γ`, no `0·∞`).
//!
//! Kernels follow the contract of [`crate::losses`]: they write `w·ℓ` (element loss times the
//! element weight) and `scale·w·dℓ/dx`, and return the float64 sum of `w·ℓ`.
//!
//! The hot loop (binary targets, class-index or one-hot) uses branch-free polynomial `exp` /
//! `log1p` on `f32` (below) so that LLVM vectorises it; [`crate::dispatch`] picks AVX-512 / AVX2 /
//! baseline at run time (simd128 on wasm). It runs over blocks of whole rows (~4096 elements):
//! one long vector loop, then weights and the f64 sum while the block is in cache. Blocks with
//! soft targets, the mmcv-compatible mode and the per-row parts of the softmax loss use `std`
//! math. Scratch memory: one row of ones (`C` floats).

use crate::dispatch;
use crate::par::SharedMut;
use crate::error::{CoreError, Result};
use crate::losses::{exp_neg, log1p_unit, sigmoid, softplus};
use crate::simd::fmax;

/// Which sigmoid-family loss [`sigmoid_loss`] computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigmoidKind {
    /// binary cross-entropy with logits (α-balanced when `alpha` is given)
    Ce = 0,
    /// sigmoid focal loss, exact log-space form
    Focal = 1,
    /// sigmoid focal loss as mmcv's CUDA op computes it: `log` clamped at `FLT_MIN`
    FocalMmcv = 2,
    /// FL* (γ, β) of the focal-loss paper, Appendix A
    FlStar = 3,
}

impl SigmoidKind {
    pub fn from_u32(v: u32) -> Result<Self> {
        match v {
            0 => Ok(SigmoidKind::Ce),
            1 => Ok(SigmoidKind::Focal),
            2 => Ok(SigmoidKind::FocalMmcv),
            3 => Ok(SigmoidKind::FlStar),
            _ => Err(CoreError::value("kind", format!("unknown sigmoid loss kind {v}"))),
        }
    }
}

/// Parameters of [`sigmoid_loss`].
#[derive(Debug, Clone, Copy)]
pub struct SigmoidParams {
    pub kind: SigmoidKind,
    /// `None`: no α-balancing (α_t = 1).
    pub alpha: Option<f32>,
    pub gamma: f32,
    /// FL* only.
    pub beta: f32,
    /// factor of every gradient element (from the reduction, see `ts/api/reduce.ts`)
    pub scale: f32,
}

/// Classification targets of [`sigmoid_loss`].
#[derive(Debug, Clone, Copy)]
pub enum Targets<'a> {
    /// `[N, C]` floats: one-hot (0/1) or soft targets in `[0, 1]`.
    Dense(&'a [f32]),
    /// `[N]` class indices in `[0, C]`; `C` is background (all channels negative).
    Labels(&'a [i32]),
}

const K_CE: u8 = 0;
const K_FOCAL: u8 = 1;
const K_MMCV: u8 = 2;
const K_STAR: u8 = 3;
// sigmoid focal loss with γ = 1 or γ = 2 (the default): (1−p_t)^γ by multiplication, no `exp`
const K_FOCAL1: u8 = 4;
const K_FOCAL2: u8 = 5;

// ---------------------------------------------------------------------------------------------
// branch-free f32 math (vectorisable)

/// Shared pieces of a binary element: `(CE = softplus(−x_t), softplus(x_t), p_t, 1 − p_t)`.
#[inline(always)]
pub(crate) fn binary_parts(xt: f32) -> (f32, f32, f32, f32) {
    let a = xt.abs();
    let e = exp_neg(-a);
    let l = log1p_unit(e);
    let ce = fmax(-xt, 0.0) + l;
    let sp = fmax(xt, 0.0) + l;
    let inv = 1.0 / (1.0 + e);
    let pos = xt >= 0.0;
    let pt = if pos { inv } else { e * inv };
    let omp = if pos { e * inv } else { inv };
    (ce, sp, pt, omp)
}

/// Loss and d loss/dx of one element with a binary target `y ∈ {0, 1}` (branch-free).
#[inline(always)]
fn binary_elem<const KIND: u8>(x: f32, y: f32, a_pos: f32, a_neg: f32, gamma: f32, beta: f32) -> (f32, f32) {
    let ys = 2.0 * y - 1.0;
    let at = if y > 0.5 { a_pos } else { a_neg };
    if KIND == K_STAR {
        let z = gamma * ys * x + beta;
        let (ce, _sp, _p, omp) = binary_parts(z);
        return (at * ce / gamma, -at * ys * omp);
    }
    let xt = ys * x;
    let (ce, sp, pt, omp) = binary_parts(xt);
    if KIND == K_CE {
        return (at * ce, -at * ys * omp);
    }
    // focal: (1−p_t)^γ = exp(−γ·softplus(x_t)) (= σ(−x_t)^γ, by products for γ ∈ {1, 2});
    // log p_t = −CE
    let q = if KIND == K_FOCAL2 {
        omp * omp
    } else if KIND == K_FOCAL1 {
        omp
    } else {
        exp_neg(-gamma * sp)
    };
    let f = at * q;
    (f * ce, ys * f * (-gamma * pt * ce - omp))
}

/// mmcv CUDA semantics (`sigmoid_focal_loss_cuda_kernel.cuh`): `p = 1/(1+e^−x)` in f32,
/// `log` of `p` / `1−p` clamped at `FLT_MIN`, closed-form backward with the same clamps.
#[inline(always)]
fn mmcv_elem(x: f32, y: f32, a_pos: f32, a_neg: f32, gamma: f32) -> (f32, f32) {
    let p = 1.0 / (1.0 + (-x).exp());
    let powf = |b: f32| if b > 0.0 { b.powf(gamma) } else if gamma == 0.0 { 1.0 } else { 0.0 };
    if y > 0.5 {
        let omp = 1.0 - p;
        let lg = fmax(p, f32::MIN_POSITIVE).ln();
        let w = a_pos * powf(omp);
        (-w * lg, -w * (omp - gamma * p * lg))
    } else {
        let omp = 1.0 - p;
        let lg = fmax(omp, f32::MIN_POSITIVE).ln();
        let w = a_neg * powf(p);
        (-w * lg, -w * (gamma * omp * lg - p))
    }
}

/// `ln(e^a + e^b)`, exact when one argument is `−∞`.
#[inline(always)]
fn logaddexp(a: f32, b: f32) -> f32 {
    let m = if a > b { a } else { b };
    m + (-(a - b).abs()).exp().ln_1p()
}

/// General element for a soft target `y ∈ [0, 1]` (std math, exact for y ∈ {0,1} too):
/// `CE = softplus(x) − x·y`, `q = y·σ(−x) + (1−y)·σ(x)` (mmdet/torchvision interpolation
/// semantics), `FL = α_t q^γ CE`, with
/// `dFL/dx = α_t q^γ (γ·r·CE + σ(x) − y)`, `r = (1−2y) σ(x) σ(−x) / q`, everything in logs.
fn soft_elem(kind: u8, x: f32, y: f32, alpha: Option<f32>, gamma: f32, beta: f32) -> (f32, f32) {
    let at = match alpha {
        Some(a) => a * y + (1.0 - a) * (1.0 - y),
        None => 1.0,
    };
    if kind == K_STAR {
        // FL* extended linearly in y± = 2y − 1 (as the reference formula does)
        let ys = 2.0 * y - 1.0;
        let z = gamma * ys * x + beta;
        return (at * softplus(-z) / gamma, -at * ys * sigmoid(-z));
    }
    let l = (-x.abs()).exp().ln_1p();
    let ce = fmax(x, 0.0) - x * y + l;
    let sp_pos = fmax(x, 0.0) + l; // softplus(x) = −log σ(−x)
    let sp_neg = fmax(-x, 0.0) + l; // softplus(−x) = −log σ(x)
    let dce = (1.0 - y) * sigmoid(x) - y * sigmoid(-x); // σ(x) − y without cancellation
    if kind == K_CE {
        return (at * ce, at * dce);
    }
    let lq = logaddexp(y.ln() - sp_pos, (1.0 - y).ln() - sp_neg);
    let q = (gamma * lq).exp();
    let r = (1.0 - 2.0 * y) * (-sp_neg - sp_pos - lq).exp();
    let f = at * q;
    (f * ce, f * (gamma * r * ce + dce))
}

// ---------------------------------------------------------------------------------------------
// sigmoid losses

/// NaN / ±Inf check: a branch-free (vectorised) scan, the index looked up only on failure.
/// (Part of the facade's validation, done here because a 8M-element scan costs ~1 ms in the
/// kernel and ~15 ms in JS; the TS backend performs the same check with the same error.)
/// Also refuses finite values beyond ±[`MAX_MAGNITUDE`] (the facade's bound on every float input,
/// `ts/tensor.ts`): a logit of 1e38 times γ (FL*) or a weight overflows float32.
///
/// Large inputs are scanned in parallel (fixed chunks of [`FINITE_CHUNK`] elements, see `par`): on
/// one thread this serial pass was a fifth of a 100k×80 focal call and capped its 2-thread
/// speed-up. The error (the first bad element) is the same for every thread count.
pub(crate) fn check_finite(arg: &'static str, v: &[f32]) -> Result<()> {
    let bad = |s: &[f32]| s.iter().fold(false, |bad, &x| bad | !(x.abs() <= MAX_MAGNITUDE));
    let any_bad = if v.len() <= FINITE_CHUNK {
        bad(v)
    } else {
        // a bounds scan costs about a quarter of a loss element: work = len / 4
        let chunks = v.len().div_ceil(FINITE_CHUNK);
        crate::par::map_chunks(chunks, v.len() / 4, || (), |_, ci| bad(&v[ci * FINITE_CHUNK..((ci + 1) * FINITE_CHUNK).min(v.len())])).contains(&true)
    };
    if any_bad {
        return check_finite_at(arg, v, 0);
    }
    Ok(())
}

/// [`check_finite`] of a part of an input on the calling thread (a parallel chunk of a kernel
/// that checks its own slice): `v` starts at element `offset` of the argument `arg`, which the
/// error's element index counts from.
pub(crate) fn check_finite_at(arg: &'static str, v: &[f32], offset: usize) -> Result<()> {
    if let Some((i, x)) = v.iter().enumerate().find(|(_, x)| !(x.abs() <= MAX_MAGNITUDE)) {
        let i = offset + i;
        if x.is_finite() {
            return Err(CoreError::value(arg, format!("element {i} is {}; inputs must have |x| ≤ 1e18 (float32 intermediates overflow beyond)", crate::error::num(*x))));
        }
        let x = if x.is_nan() { "NaN".to_string() } else if *x > 0.0 { "Infinity".to_string() } else { "-Infinity".to_string() };
        return Err(CoreError::value(arg, format!("element {i} is {x} (NaN/Inf not allowed)")));
    }
    Ok(())
}

/// Elements per parallel chunk of [`check_finite`].
const FINITE_CHUNK: usize = 1 << 16;

/// Largest magnitude of a float input (`ts/tensor.ts` `MAX_MAGNITUDE`).
pub const MAX_MAGNITUDE: f32 = 1e18;

fn check_weight(arg: &'static str, w: &[f32], n: usize, c: usize) -> Result<()> {
    if w.is_empty() || w.len() == n || w.len() == n * c {
        Ok(())
    } else {
        Err(CoreError::shape(arg, format!("expected 0, {n} or {} elements, got {}", n * c, w.len())))
    }
}

/// Per-row scalar part of a weight (`[N]` weights) or 1. (With C = 1 an `[N]` and an `[N, C]`
/// weight are the same thing: it is read here and `row_slice` gives ones.)
#[inline(always)]
fn row_scalar(w: &[f32], n: usize, i: usize) -> f32 {
    if n > 0 && w.len() == n { w[i] } else { 1.0 }
}

/// Per-element row slice of a weight (`[N, C]` weights) or a row of ones.
#[inline(always)]
fn row_slice<'a>(w: &'a [f32], n: usize, c: usize, i: usize, ones: &'a [f32]) -> &'a [f32] {
    if c != 1 && w.len() == n * c && n * c > 0 { &w[i * c..(i + 1) * c] } else { ones }
}

/// f64 sum of a slice into 8 independent lanes (vectorises, no serial dependency chain).
#[inline(always)]
fn add_row(acc: &mut [f64; 8], row: &[f32]) {
    let mut it = row.chunks_exact(8);
    for ch in &mut it {
        for k in 0..8 {
            acc[k] += ch[k] as f64;
        }
    }
    for (k, v) in it.remainder().iter().enumerate() {
        acc[k] += *v as f64;
    }
}

/// Sigmoid-family loss over `[N, C]` logits (see the module doc for the formulas).
///
/// * `targets`: dense `[N, C]` (0/1 or soft; a block holding a soft value takes the general
///   std-math path) or
///   labels `[N]` in `[0, C]` (`C` = background).
/// * `weight`, `label_weights`: empty, `[N]` (per row, broadcast over classes) or `[N, C]`;
///   the element weight is their product.
/// * writes `loss[i] = w·ℓ` and `grad[i] = scale·w·dℓ/dx`, returns `Σ loss` in f64.
///
/// Memory: `O(C)` scratch (a row of ones) besides the outputs.
#[allow(clippy::too_many_arguments)]
pub fn sigmoid_loss(
    logits: &[f32], n: usize, c: usize, targets: Targets, weight: &[f32], label_weights: &[f32],
    p: SigmoidParams, loss: &mut [f32], grad: &mut [f32],
) -> Result<f64> {
    if logits.len() != n * c {
        return Err(CoreError::shape("logits", format!("expected {} elements, got {}", n * c, logits.len())));
    }
    match targets {
        Targets::Dense(t) => {
            if t.len() != n * c {
                return Err(CoreError::shape("targets", format!("expected {} elements, got {}", n * c, t.len())));
            }
            // branch-free scan first (vectorises); the index is looked up only on failure
            if t.iter().fold(false, |bad, &v| bad | !(v >= 0.0 && v <= 1.0)) {
                if let Some((i, v)) = t.iter().enumerate().find(|(_, v)| !(**v >= 0.0 && **v <= 1.0)) {
                    return Err(CoreError::value("targets", format!("element {i} is {}, targets must lie in [0, 1]", crate::error::num(*v))));
                }
            }
            if p.kind == SigmoidKind::FocalMmcv {
                if let Some((i, v)) = t.iter().enumerate().find(|(_, v)| **v != 0.0 && **v != 1.0) {
                    return Err(CoreError::value("targets", format!("element {i} is {}: the mmcvClamp mode needs 0/1 targets", crate::error::num(*v))));
                }
            }
        }
        Targets::Labels(l) => {
            if l.len() != n {
                return Err(CoreError::shape("targets", format!("expected {n} labels, got {}", l.len())));
            }
            if let Some((i, v)) = l.iter().enumerate().find(|(_, v)| **v < 0 || **v as usize > c) {
                return Err(CoreError::value("targets", format!("label {i} is {v}, labels must lie in [0, {c}] ({c} = background)")));
            }
        }
    }
    check_weight("weight", weight, n, c)?;
    check_weight("labelWeights", label_weights, n, c)?;
    check_finite("logits", logits)?;
    check_finite("options.weight", weight)?;
    check_finite("options.labelWeights", label_weights)?;
    if loss.len() != n * c {
        return Err(CoreError::shape("loss", format!("expected {} elements, got {}", n * c, loss.len())));
    }
    if grad.len() != n * c {
        return Err(CoreError::shape("grad", format!("expected {} elements, got {}", n * c, grad.len())));
    }
    if !(p.gamma >= 0.0) || (p.kind == SigmoidKind::FlStar && !(p.gamma > 0.0)) {
        return Err(CoreError::value("gamma", format!("gamma must be ≥ 0 (> 0 for FL*), got {}", crate::error::num(p.gamma))));
    }
    if n * c == 0 {
        return Ok(0.0);
    }
    // fixed chunks of whole blocks (independent of the thread count), float64 partial sums
    // merged in chunk order: the same bits for every thread count
    let rows = par_rows(c);
    let chunks = n.div_ceil(rows);
    let (ls, gs) = (SharedMut::new(loss), SharedMut::new(grad));
    let parts = crate::par::map_chunks(chunks, n * c, || (), |_, ci| {
        let (r0, r1) = (ci * rows, ((ci + 1) * rows).min(n));
        let (a, b) = (r0 * c, r1 * c);
        // SAFETY: chunk ranges are disjoint.
        let (loss, grad) = unsafe { (ls.range(a, b), gs.range(a, b)) };
        let t = match targets {
            Targets::Dense(t) => Targets::Dense(&t[a..b]),
            Targets::Labels(l) => Targets::Labels(&l[r0..r1]),
        };
        let (weight, label_weights) = (sub_weight(weight, n, c, r0, r1), sub_weight(label_weights, n, c, r0, r1));
        let (logits, nn) = (&logits[a..b], r1 - r0);
        match p.kind {
            SigmoidKind::Ce => dispatch!(run_sigmoid::<K_CE>(logits, nn, c, t, weight, label_weights, p, loss, grad)),
            SigmoidKind::Focal if p.gamma == 2.0 => dispatch!(run_sigmoid::<K_FOCAL2>(logits, nn, c, t, weight, label_weights, p, loss, grad)),
            SigmoidKind::Focal if p.gamma == 1.0 => dispatch!(run_sigmoid::<K_FOCAL1>(logits, nn, c, t, weight, label_weights, p, loss, grad)),
            SigmoidKind::Focal => dispatch!(run_sigmoid::<K_FOCAL>(logits, nn, c, t, weight, label_weights, p, loss, grad)),
            SigmoidKind::FocalMmcv => dispatch!(run_sigmoid::<K_MMCV>(logits, nn, c, t, weight, label_weights, p, loss, grad)),
            SigmoidKind::FlStar => dispatch!(run_sigmoid::<K_STAR>(logits, nn, c, t, weight, label_weights, p, loss, grad)),
        }
    });
    Ok(parts.iter().fold(0.0, |a, b| a + b))
}

/// Rows `r0..r1` of an empty-or-`[N]` weight.
fn sub_rows(w: &[f32], r0: usize, r1: usize) -> &[f32] {
    if w.is_empty() { w } else { &w[r0..r1] }
}

/// Rows per parallel chunk: a whole number of `BLOCK`s, ≈ 32 Ki elements.
fn par_rows(c: usize) -> usize {
    (BLOCK / c.max(1)).max(1) * 8
}

/// Rows `r0..r1` of a weight that is empty, one value (`[1]`, broadcast), per row `[N]` or per
/// element `[N, C]` (see `row_scalar` / `row_slice`).
fn sub_weight(w: &[f32], n: usize, c: usize, r0: usize, r1: usize) -> &[f32] {
    if w.is_empty() {
        w
    } else if w.len() == n * c && c != 1 {
        &w[r0 * c..r1 * c]
    } else if w.len() == n {
        &w[r0..r1]
    } else {
        w
    }
}

/// Elements per block: whole rows, about 4096 elements (48 KiB of inputs and outputs), so a block
/// is computed by one long vector loop (short per-row loops of, e.g., C = 80 would leave a scalar
/// remainder in every row) and then weighted and summed while it is still in cache.
const BLOCK: usize = 4096;

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn binary_block<const KIND: u8>(x: &[f32], t: Option<&[f32]>, l: &mut [f32], g: &mut [f32], a_pos: f32, a_neg: f32, gamma: f32, beta: f32, scale: f32) {
    let m = x.len();
    let (x, l, g) = (&x[..m], &mut l[..m], &mut g[..m]);
    match t {
        Some(t) => {
            let t = &t[..m];
            for j in 0..m {
                let (a, b) = binary_elem::<KIND>(x[j], t[j], a_pos, a_neg, gamma, beta);
                l[j] = a;
                g[j] = scale * b;
            }
        }
        None => {
            for j in 0..m {
                let (a, b) = binary_elem::<KIND>(x[j], 0.0, a_pos, a_neg, gamma, beta);
                l[j] = a;
                g[j] = scale * b;
            }
        }
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn run_sigmoid<const KIND: u8>(
    logits: &[f32], n: usize, c: usize, targets: Targets, weight: &[f32], label_weights: &[f32],
    p: SigmoidParams, loss: &mut [f32], grad: &mut [f32],
) -> f64 {
    let ones = vec![1.0f32; c];
    let (a_pos, a_neg) = match p.alpha {
        Some(a) => (a, 1.0 - a),
        None => (1.0, 1.0),
    };
    let (gamma, beta, scale) = (p.gamma, p.beta, p.scale);
    let weighted = !weight.is_empty() || !label_weights.is_empty();
    let rows = (BLOCK / c).max(1);
    let mut acc = [0f64; 8];
    let mut i0 = 0;
    while i0 < n {
        let i1 = (i0 + rows).min(n);
        let (a, b) = (i0 * c, i1 * c);
        let (xb, lb, gb) = (&logits[a..b], &mut loss[a..b], &mut grad[a..b]);
        // 1. unweighted element losses and scaled gradients
        match targets {
            Targets::Dense(t) => {
                let tb = &t[a..b];
                if KIND == K_MMCV {
                    for j in 0..xb.len() {
                        let (l, g) = mmcv_elem(xb[j], tb[j], a_pos, a_neg, gamma);
                        lb[j] = l;
                        gb[j] = scale * g;
                    }
                } else if tb.iter().fold(true, |acc, &v| acc & ((v == 0.0) | (v == 1.0))) {
                    binary_block::<KIND>(xb, Some(tb), lb, gb, a_pos, a_neg, gamma, beta, scale);
                } else {
                    // soft targets somewhere in the block: exact general form for every element
                    for j in 0..xb.len() {
                        let (l, g) = soft_elem(KIND, xb[j], tb[j], p.alpha, gamma, beta);
                        lb[j] = l;
                        gb[j] = scale * g;
                    }
                }
            }
            Targets::Labels(labels) => {
                // every channel negative, then each row's positive channel (if any) recomputed
                if KIND == K_MMCV {
                    for j in 0..xb.len() {
                        let (l, g) = mmcv_elem(xb[j], 0.0, a_pos, a_neg, gamma);
                        lb[j] = l;
                        gb[j] = scale * g;
                    }
                } else {
                    binary_block::<KIND>(xb, None, lb, gb, a_pos, a_neg, gamma, beta, scale);
                }
                for i in i0..i1 {
                    let lab = labels[i] as usize;
                    if lab < c {
                        let k = (i - i0) * c + lab;
                        let (l, g) = if KIND == K_MMCV {
                            mmcv_elem(xb[k], 1.0, a_pos, a_neg, gamma)
                        } else {
                            binary_elem::<KIND>(xb[k], 1.0, a_pos, a_neg, gamma, beta)
                        };
                        lb[k] = l;
                        gb[k] = scale * g;
                    }
                }
            }
        }
        // 2. element weights, then the f64 sum
        if weighted {
            for i in i0..i1 {
                let o = (i - i0) * c;
                let wr = row_scalar(weight, n, i) * row_scalar(label_weights, n, i);
                let e1 = &row_slice(weight, n, c, i, &ones)[..c];
                let e2 = &row_slice(label_weights, n, c, i, &ones)[..c];
                let (lr, gr) = (&mut lb[o..o + c], &mut gb[o..o + c]);
                for j in 0..c {
                    let w = wr * e1[j] * e2[j];
                    lr[j] *= w;
                    gr[j] *= w;
                }
            }
        }
        add_row(&mut acc, lb);
        i0 = i1;
    }
    acc.iter().sum()
}

// ---------------------------------------------------------------------------------------------
// softmax focal loss

/// Softmax (multi-class) focal loss over `[N, K]` logits with labels `[N]` in `[0, K)`:
/// `p = softmax(x)`, `FL = −α_y (1 − p_y)^γ log p_y`.
///
/// Stable form: with `z = x_y − LSE_{k≠y} x_k` we have `p_y = σ(z)`, so
/// `FL = α_y (1−σ(z))^γ softplus(−z)` (the binary focal loss of the margin `z`), and
/// `dFL/dx_y = G`, `dFL/dx_j = −G · softmax_{k≠y}(x)_j` with
/// `G = α_y (1−p_y)^γ (γ p_y log p_y + p_y − 1)`.
///
/// * `alpha`: empty (no α), one value (every class) or `K` values (per class).
/// * `weight`, `label_weights`: empty or `[N]`.
/// * writes `loss[i] = w·FL_i` (`[N]`), `grad = scale·w·dFL/dx` (`[N, K]`), returns `Σ loss`.
#[allow(clippy::too_many_arguments)]
pub fn softmax_focal(
    logits: &[f32], n: usize, k: usize, labels: &[i32], alpha: &[f32], gamma: f32, weight: &[f32],
    label_weights: &[f32], scale: f32, loss: &mut [f32], grad: &mut [f32],
) -> Result<f64> {
    if k < 2 && n > 0 {
        return Err(CoreError::shape("logits", format!("softmax needs at least 2 classes, got {k}")));
    }
    if logits.len() != n * k {
        return Err(CoreError::shape("logits", format!("expected {} elements, got {}", n * k, logits.len())));
    }
    if labels.len() != n {
        return Err(CoreError::shape("labels", format!("expected {n} labels, got {}", labels.len())));
    }
    if let Some((i, v)) = labels.iter().enumerate().find(|(_, v)| **v < 0 || **v as usize >= k) {
        return Err(CoreError::value("labels", format!("label {i} is {v}, labels must lie in [0, {k})")));
    }
    check_finite("logits", logits)?;
    if !(alpha.is_empty() || alpha.len() == 1 || alpha.len() == k) {
        return Err(CoreError::shape("alpha", format!("expected 0, 1 or {k} values, got {}", alpha.len())));
    }
    for (arg, w) in [("weight", weight), ("labelWeights", label_weights)] {
        if !(w.is_empty() || w.len() == n) {
            return Err(CoreError::shape(arg, format!("expected 0 or {n} elements, got {}", w.len())));
        }
    }
    if loss.len() != n || grad.len() != n * k {
        return Err(CoreError::shape("out", "output buffers of the wrong length"));
    }
    if !(gamma >= 0.0) {
        return Err(CoreError::value("gamma", format!("gamma must be ≥ 0, got {}", crate::error::num(gamma))));
    }
    if n == 0 {
        return Ok(0.0);
    }
    let rows = par_rows(k);
    let chunks = n.div_ceil(rows);
    let (ls, gs) = (SharedMut::new(loss), SharedMut::new(grad));
    let parts = crate::par::map_chunks(chunks, n * k, || (), |_, ci| {
        let (r0, r1) = (ci * rows, ((ci + 1) * rows).min(n));
        // SAFETY: chunk ranges are disjoint.
        let (loss, grad) = unsafe { (ls.range(r0, r1), gs.range(r0 * k, r1 * k)) };
        let (w, lw) = (sub_rows(weight, r0, r1), sub_rows(label_weights, r0, r1));
        dispatch!(run_softmax(&logits[r0 * k..r1 * k], r1 - r0, k, &labels[r0..r1], alpha, gamma, w, lw, scale, loss, grad))
    });
    Ok(parts.iter().fold(0.0, |a, b| a + b))
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn run_softmax(
    logits: &[f32], n: usize, k: usize, labels: &[i32], alpha: &[f32], gamma: f32, weight: &[f32],
    label_weights: &[f32], scale: f32, loss: &mut [f32], grad: &mut [f32],
) -> f64 {
    // Blocks of whole rows: the exponentials of a block are one flat vector loop (rows of, e.g.,
    // K = 10 are too short to vectorise one by one). O(block) scratch.
    let rows = (BLOCK / k).max(1);
    let mut shift = vec![0f32; rows * k];
    let mut mrow = vec![0f32; rows];
    let mut sum = 0f64;
    let mut i0 = 0;
    while i0 < n {
        let i1 = (i0 + rows).min(n);
        let (a, b) = (i0 * k, i1 * k);
        let (xb, gb, sh) = (&logits[a..b], &mut grad[a..b], &mut shift[..b - a]);
        // 1. per row: m = max over the classes other than y; the shift is m, and +∞ at y (e = 0)
        for i in i0..i1 {
            let o = (i - i0) * k;
            let y = labels[i] as usize;
            let mut m = f32::NEG_INFINITY;
            for (j, &v) in xb[o..o + k].iter().enumerate() {
                m = fmax(m, if j == y { f32::NEG_INFINITY } else { v });
            }
            sh[o..o + k].fill(m);
            sh[o + y] = f32::INFINITY;
            mrow[i - i0] = m;
        }
        // 2. e_j = exp(x_j − m) (0 at y), into the gradient block
        {
            let len = xb.len();
            let (xb, gb, sh) = (&xb[..len], &mut gb[..len], &sh[..len]);
            for j in 0..len {
                gb[j] = exp_neg(xb[j] - sh[j]);
            }
        }
        // 3. per row: z = x_y − logsumexp_{k≠y}, the binary focal of z, the gradient row
        for i in i0..i1 {
            let o = (i - i0) * k;
            let y = labels[i] as usize;
            let gr = &mut gb[o..o + k];
            let s: f32 = gr.iter().sum();
            // (x_y − m) first: with large logits m + ln s would round away ln s in float32
            let z = (xb[o + y] - mrow[i - i0]) - s.ln();
            let a = match alpha.len() {
                0 => 1.0,
                1 => alpha[0],
                _ => alpha[y],
            };
            let (ce, sp, pt, omp) = binary_parts(z);
            let q = if gamma == 2.0 {
                omp * omp
            } else if gamma == 1.0 {
                omp
            } else {
                exp_neg(-gamma * sp)
            };
            let fl = a * q * ce;
            let g = a * q * (-gamma * pt * ce - omp);
            let w = (if weight.is_empty() { 1.0 } else { weight[i] }) * (if label_weights.is_empty() { 1.0 } else { label_weights[i] });
            loss[i] = w * fl;
            sum += (w * fl) as f64;
            let gy = scale * w * g;
            let f = -gy / s;
            for e in gr.iter_mut() {
                *e *= f;
            }
            gr[y] = gy;
        }
        i0 = i1;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(kind: SigmoidKind, x: f32, y: f32, alpha: Option<f32>, gamma: f32, beta: f32) -> (f32, f32) {
        let mut l = [0f32];
        let mut g = [0f32];
        let p = SigmoidParams { kind, alpha, gamma, beta, scale: 1.0 };
        sigmoid_loss(&[x], 1, 1, Targets::Dense(&[y]), &[], &[], p, &mut l, &mut g).unwrap();
        (l[0], g[0])
    }

    fn close(a: f32, b: f64, tol: f64) -> bool {
        (a as f64 - b).abs() <= tol * (1.0 + b.abs())
    }

    #[test]
    fn fast_math_is_accurate() {
        let mut worst = 0f64;
        for i in 0..20000 {
            let x = -(i as f32) * 0.0045;
            let got = exp_neg(x) as f64;
            let want = (x as f64).exp();
            if want > 1e-37 {
                worst = worst.max((got - want).abs() / want);
            }
        }
        assert!(worst < 3e-7, "exp rel err {worst}");
        let mut worst = 0f64;
        for i in 0..=20000 {
            let e = i as f32 / 20000.0;
            let got = log1p_unit(e) as f64;
            let want = (e as f64).ln_1p();
            if want > 0.0 {
                worst = worst.max((got - want).abs() / want);
            }
        }
        assert!(worst < 3e-7, "log1p rel err {worst}");
        assert!(close(log1p_unit(1e-30), 1e-30, 1e-6));
        assert_eq!(exp_neg(-1e4), 0.0);
    }

    #[test]
    fn spec_values() {
        // reference-semantics §1.1 / §13 (α = 0.25, γ = 2)
        let fl = |x, y| one(SigmoidKind::Focal, x, y, Some(0.25), 2.0, 0.0);
        assert!(close(fl(0.0, 1.0).0, 0.0433216988, 1e-6));
        assert!(close(fl(0.0, 0.0).0, 0.1299650964, 1e-6));
        assert!(close(fl(2.0, 1.0).0, 4.50890709e-4, 1e-6));
        assert!(close(fl(-2.0, 0.0).0, 1.35267213e-3, 1e-6));
        assert_eq!(fl(100.0, 1.0).0, 0.0);
        assert_eq!(fl(-100.0, 1.0).0, 25.0);
        assert_eq!(fl(100.0, 0.0).0, 75.0);
        let mm = |x, y| one(SigmoidKind::FocalMmcv, x, y, Some(0.25), 2.0, 0.0);
        assert!(close(mm(-100.0, 1.0).0, 21.834137, 1e-6));
        assert!(close(mm(100.0, 0.0).0, 65.50241, 1e-6));
        // gradients without α
        let g = |x, y| one(SigmoidKind::Focal, x, y, None, 2.0, 0.0).1;
        assert!(close(g(0.0, 1.0), -0.2982867951, 1e-6));
        assert!(close(g(2.0, 1.0), -0.0048709402, 1e-6));
        assert!(close(g(-100.0, 1.0), -1.0, 1e-6));
        let ce = |x, y| one(SigmoidKind::Ce, x, y, None, 0.0, 0.0).1;
        assert!(close(ce(0.0, 1.0), -0.5, 1e-6));
        assert!(close(ce(2.0, 1.0), -0.1192029220, 1e-6));
        let st = |x, y, g, b| one(SigmoidKind::FlStar, x, y, None, g, b);
        assert!(close(st(1.0, 1.0, 2.0, 0.0).0, 0.0634640055, 1e-6));
        assert!(close(st(1.0, 1.0, 2.0, 1.0).0, 0.0242936758, 1e-6));
        assert!(close(st(-1.0, 0.0, 2.0, 0.0).0, 0.0634640055, 1e-6));
        assert!(close(st(2.0, 1.0, 2.0, 0.0).1, -0.0179862100, 1e-6));
    }

    #[test]
    fn saturation_is_finite_for_small_gamma() {
        for &x in &[-1e4f32, -100.0, -20.0, 20.0, 100.0, 1e4] {
            for &y in &[0.0f32, 1.0, 0.3] {
                for &gamma in &[0.0f32, 0.25, 0.5, 1.0, 2.0] {
                    for kind in [SigmoidKind::Ce, SigmoidKind::Focal, SigmoidKind::FlStar] {
                        let gm = if kind == SigmoidKind::FlStar { gamma + 0.5 } else { gamma };
                        let (l, g) = one(kind, x, y, Some(0.25), gm, 0.0);
                        assert!(l.is_finite() && g.is_finite(), "{kind:?} x={x} y={y} γ={gm}: {l} {g}");
                    }
                }
            }
        }
        // x = 20, y = 1, γ = 0.5, α = 0.25: true gradient −3.51e−14 (reference-semantics §1.2)
        let (_, g) = one(SigmoidKind::Focal, 20.0, 1.0, Some(0.25), 0.5, 0.0);
        assert!((g as f64 + 3.51e-14).abs() < 1e-15, "{g}");
    }

    #[test]
    fn soft_path_matches_binary_path_at_0_and_1() {
        for &x in &[-30.0f32, -3.0, -0.2, 0.0, 0.7, 4.0, 30.0] {
            for &y in &[0.0f32, 1.0] {
                for kind in [K_CE, K_FOCAL, K_STAR] {
                    let (a, b) = match kind {
                        K_CE => binary_elem::<K_CE>(x, y, 0.25, 0.75, 2.0, 0.0),
                        K_FOCAL => binary_elem::<K_FOCAL>(x, y, 0.25, 0.75, 2.0, 0.0),
                        _ => binary_elem::<K_STAR>(x, y, 0.25, 0.75, 2.0, 0.0),
                    };
                    let (c, d) = soft_elem(kind, x, y, Some(0.25), 2.0, 0.0);
                    assert!(close(a, c as f64, 1e-5) && close(b, d as f64, 1e-5), "kind {kind} x={x} y={y}: {a} {b} vs {c} {d}");
                }
            }
        }
    }

    #[test]
    fn integer_gamma_fast_paths_match_the_general_form() {
        for i in -400..=400 {
            let x = i as f32 * 0.1;
            for &y in &[0.0f32, 1.0] {
                let (l2, g2) = binary_elem::<K_FOCAL2>(x, y, 0.25, 0.75, 2.0, 0.0);
                let (l, g) = binary_elem::<K_FOCAL>(x, y, 0.25, 0.75, 2.0, 0.0);
                assert!(close(l2, l as f64, 2e-6) && close(g2, g as f64, 2e-6), "γ=2 x={x} y={y}: {l2} {g2} vs {l} {g}");
                let (l1, g1) = binary_elem::<K_FOCAL1>(x, y, 0.25, 0.75, 1.0, 0.0);
                let (l, g) = binary_elem::<K_FOCAL>(x, y, 0.25, 0.75, 1.0, 0.0);
                assert!(close(l1, l as f64, 2e-6) && close(g1, g as f64, 2e-6), "γ=1 x={x} y={y}: {l1} {g1} vs {l} {g}");
            }
        }
    }

    #[test]
    fn labels_equal_one_hot_and_weights_broadcast() {
        let (n, c) = (3, 4);
        let logits: Vec<f32> = (0..n * c).map(|i| (i as f32 * 0.37).sin() * 3.0).collect();
        let labels = [2i32, 4, 0];
        let mut onehot = vec![0f32; n * c];
        onehot[2] = 1.0;
        onehot[2 * c] = 1.0;
        let w = [0.5f32, 2.0, 0.0];
        let p = SigmoidParams { kind: SigmoidKind::Focal, alpha: Some(0.25), gamma: 2.0, beta: 0.0, scale: 0.5 };
        let (mut l1, mut g1, mut l2, mut g2) = (vec![0f32; 12], vec![0f32; 12], vec![0f32; 12], vec![0f32; 12]);
        let s1 = sigmoid_loss(&logits, n, c, Targets::Labels(&labels), &w, &[], p, &mut l1, &mut g1).unwrap();
        let wfull: Vec<f32> = (0..n * c).map(|i| w[i / c]).collect();
        let s2 = sigmoid_loss(&logits, n, c, Targets::Dense(&onehot), &[], &wfull, p, &mut l2, &mut g2).unwrap();
        assert_eq!(l1, l2);
        assert_eq!(g1, g2);
        assert_eq!(s1, s2);
        assert!(l1[8..].iter().all(|&v| v == 0.0));
    }

    #[test]
    fn blocks_match_a_row_by_row_reference() {
        // several blocks with a partial last one, for both kernels
        let (n, k) = (1000usize, 7usize);
        let logits: Vec<f32> = (0..n * k).map(|i| ((i as f32) * 0.731).sin() * 9.0).collect();
        let labels: Vec<i32> = (0..n).map(|i| (i * 5 % (k + 1)) as i32).collect();
        let (mut l, mut g) = (vec![0f32; n * k], vec![0f32; n * k]);
        let p = SigmoidParams { kind: SigmoidKind::Focal, alpha: Some(0.25), gamma: 2.0, beta: 0.0, scale: 1.0 };
        let total = sigmoid_loss(&logits, n, k, Targets::Labels(&labels), &[], &[], p, &mut l, &mut g).unwrap();
        let mut want = 0f64;
        for i in 0..n {
            for j in 0..k {
                let y = if j as i32 == labels[i] { 1.0 } else { 0.0 };
                let (a, b) = soft_elem(K_FOCAL, logits[i * k + j], y, Some(0.25), 2.0, 0.0);
                assert!(close(l[i * k + j], a as f64, 1e-5) && close(g[i * k + j], b as f64, 1e-5));
                want += a as f64;
            }
        }
        assert!((total - want).abs() < 1e-3);
        let sm_labels: Vec<i32> = labels.iter().map(|&v| v % k as i32).collect();
        let (mut l, mut g) = (vec![0f32; n], vec![0f32; n * k]);
        softmax_focal(&logits, n, k, &sm_labels, &[], 0.5, &[], &[], 1.0, &mut l, &mut g).unwrap();
        for i in 0..n {
            let x: Vec<f64> = logits[i * k..(i + 1) * k].iter().map(|&v| v as f64).collect();
            let m = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let s: f64 = x.iter().map(|v| (v - m).exp()).sum();
            let py = (x[sm_labels[i] as usize] - m).exp() / s;
            let fl = -(1.0 - py).powf(0.5) * py.ln();
            assert!(close(l[i], fl, 1e-5), "row {i}: {} vs {fl}", l[i]);
            let gs: f32 = g[i * k..(i + 1) * k].iter().sum();
            assert!(gs.abs() < 1e-5);
        }
    }

    #[test]
    fn softmax_matches_direct_formula() {
        let (n, k) = (2usize, 3usize);
        let logits = [0.5f32, -1.0, 2.0, 3.0, 0.0, -2.0];
        let labels = [2i32, 1];
        let (mut l, mut g) = (vec![0f32; n], vec![0f32; n * k]);
        softmax_focal(&logits, n, k, &labels, &[0.25], 2.0, &[], &[], 1.0, &mut l, &mut g).unwrap();
        for i in 0..n {
            let x: Vec<f64> = logits[i * k..(i + 1) * k].iter().map(|&v| v as f64).collect();
            let f = |x: &[f64]| {
                let m = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let s: f64 = x.iter().map(|v| (v - m).exp()).sum();
                let py = (x[labels[i] as usize] - m).exp() / s;
                -0.25 * (1.0 - py).powf(2.0) * py.ln()
            };
            assert!(close(l[i], f(&x), 1e-5));
            for j in 0..k {
                let h = 1e-5;
                let (mut a, mut b) = (x.clone(), x.clone());
                a[j] += h;
                b[j] -= h;
                let fd = (f(&a) - f(&b)) / (2.0 * h);
                assert!(close(g[i * k + j], fd, 1e-4), "row {i} col {j}: {} vs {fd}", g[i * k + j]);
            }
        }
    }
}


#[cfg(test)]
mod bench {
    use super::*;
    #[inline(always)]
    fn probe(x: &[f32], out: &mut [f32], f: impl Fn(f32) -> f32) {
        for (o, &v) in out.iter_mut().zip(x) {
            *o = f(v);
        }
    }
    #[inline(always)]
    fn probe2(x: &[f32], out: &mut [f32], g: &mut [f32], f: impl Fn(f32) -> (f32, f32)) {
        for ((o, gg), &v) in out.iter_mut().zip(g.iter_mut()).zip(x) {
            let (a, b) = f(v);
            *o = a;
            *gg = b;
        }
    }
    #[test]
    #[ignore]
    fn bench_kernel() {
        let (n, c) = (100_000usize, 80usize);
        let logits: Vec<f32> = (0..n * c).map(|i| -4.6 + ((i * 7919 % 1000) as f32 / 1000.0 - 0.5) * 8.0).collect();
        let labels: Vec<i32> = (0..n).map(|i| if i % 100 == 0 { (i % c) as i32 } else { c as i32 }).collect();
        let (mut l, mut g) = (vec![0f32; n * c], vec![0f32; n * c]);
        for kind in [SigmoidKind::Ce, SigmoidKind::Focal, SigmoidKind::FlStar] {
            let p = SigmoidParams { kind, alpha: Some(0.25), gamma: 2.0, beta: 0.0, scale: 1e-3 };
            let mut best = f64::MAX;
            for _ in 0..10 {
                let t = std::time::Instant::now();
                sigmoid_loss(&logits, n, c, Targets::Labels(&labels), &[], &[], p, &mut l, &mut g).unwrap();
                best = best.min(t.elapsed().as_secs_f64());
            }
            eprintln!("{kind:?}: {:.2} ms, {:.2} ns/elem ({})", best * 1e3, best * 1e9 / (n * c) as f64, crate::simd::level().name());
        }
        let mut best = f64::MAX;
        for _ in 0..10 {
            let t = std::time::Instant::now();
            for (o, &x) in l.iter_mut().zip(&logits) {
                *o = x * 2.0;
            }
            best = best.min(t.elapsed().as_secs_f64());
        }
        eprintln!("copy-scale: {:.2} ms", best * 1e3);
        let time = |name: &str, f: &mut dyn FnMut()| {
            let mut best = f64::MAX;
            for _ in 0..10 {
                let t = std::time::Instant::now();
                f();
                best = best.min(t.elapsed().as_secs_f64());
            }
            eprintln!("{name}: {:.2} ms", best * 1e3);
        };
        time("exp_neg", &mut || dispatch!(probe(&logits, &mut l, |x| exp_neg(x))));
        time("log1p_unit", &mut || dispatch!(probe(&logits, &mut l, |x| log1p_unit(x.abs() * 0.1))));
        time("binary_parts", &mut || dispatch!(probe(&logits, &mut l, |x| binary_parts(x).0)));
        time("elem focal", &mut || dispatch!(probe2(&logits, &mut l, &mut g, |x| binary_elem::<K_FOCAL>(x, 0.0, 0.25, 0.75, 2.0, 0.0))));
        time("elem focal γ=2", &mut || dispatch!(probe2(&logits, &mut l, &mut g, |x| binary_elem::<K_FOCAL2>(x, 0.0, 0.25, 0.75, 2.0, 0.0))));
        time("elem ce", &mut || dispatch!(probe2(&logits, &mut l, &mut g, |x| binary_elem::<K_CE>(x, 0.0, 0.25, 0.75, 2.0, 0.0))));
    }
}
