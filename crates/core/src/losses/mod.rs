//! Losses with analytic gradients (issue 3): CE, α-CE, focal (sigmoid, softmax), FL*, GHM-C,
//! GHM-R, smooth L1, ASL1 — and the stable scalar primitives every loss and weighting shares.
//!
//! Contract of a loss kernel: it writes the per-element loss (already multiplied by the element
//! weight) and the per-element gradient of `scale · Σ loss` w.r.t. its input, and returns the
//! float64 sum of the per-element losses. The facade computes `scale` from
//! `reduction`/`avgFactor`/`lossWeight` (see `ts/api/reduce.ts`).

use crate::simd::{fmax, fmin};

pub mod focal;
pub mod ghm;
pub mod qfl;
pub mod vfl;
pub mod balanced_l1;
pub mod iou_loss;
pub mod efl;
#[cfg(test)]
mod modern_spec_tests;

/// `log(1 + e^x)` without overflow or cancellation.
#[inline(always)]
pub fn softplus(x: f32) -> f32 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// `log σ(x) = −softplus(−x)`.
#[inline(always)]
pub fn log_sigmoid(x: f32) -> f32 {
    -softplus(-x)
}

/// `σ(x)` evaluated without overflow for any finite `x`.
#[inline(always)]
pub fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// Smooth L1 (Huber with β): `0.5 d²/β` if `|d| < β` else `|d| − 0.5β`; β = 0 gives L1.
/// Returns `(loss, d loss / d d)`. Fast R-CNN (Girshick 2015, eq. 3); mmdet `smooth_l1_loss`.
#[inline(always)]
pub fn smooth_l1(d: f32, beta: f32) -> (f32, f32) {
    let a = d.abs();
    if a < beta {
        (0.5 * d * d / beta, d / beta)
    } else {
        (a - 0.5 * beta, if d > 0.0 { 1.0 } else if d < 0.0 { -1.0 } else { 0.0 })
    }
}

/// Authentic smooth L1 of GHM (Li et al. 2019, eq. 11): `sqrt(d² + μ²) − μ`.
/// Returns `(loss, d loss / d d = d / sqrt(d² + μ²))`; the gradient's magnitude is GHM-R's `g`.
#[inline(always)]
pub fn asl1(d: f32, mu: f32) -> (f32, f32) {
    // r − μ = d² / (r + μ): no cancellation when |d| ≪ μ (1e-4 with μ = 1 gave 0, not 5e-9)
    let r = (d * d + mu * mu).sqrt();
    (d * d / (r + mu), d / r)
}


const LOG2E: f32 = std::f32::consts::LOG2_E;
const LN2_HI: f32 = 0.693_145_75;
const LN2_LO: f32 = 1.428_606_8e-6;
const SQRT2_M1: f32 = 0.414_213_57;

/// `e^x` for `x ≤ 0`, branch-free (vectorises): Cody–Waite reduction `x = n·ln2 + r`, `|r| ≤ ln2/2`, and a
/// degree-7 Taylor polynomial; relative error < 3e-7 (tested). Results below `e^−87` are flushed
/// to 0; `x` is clamped at 88 above (callers pass `x ≤ 0`).
#[inline(always)]
pub fn exp_neg(x: f32) -> f32 {
    let xc = fmin(fmax(x, -87.0), 88.0);
    // round-to-nearest via the 1.5·2^23 trick (no `round` call, vectorises on SSE2)
    let t = xc * LOG2E + 12_582_912.0;
    let n = t - 12_582_912.0;
    let r = (xc - n * LN2_HI) - n * LN2_LO;
    let p = 1.0 / 5040.0;
    let p = p * r + 1.0 / 720.0;
    let p = p * r + 1.0 / 120.0;
    let p = p * r + 1.0 / 24.0;
    let p = p * r + 1.0 / 6.0;
    let p = p * r + 0.5;
    let p = p * r + 1.0;
    let p = p * r + 1.0;
    // 2^n without a float→int conversion: t = 1.5·2^23 + n holds n in its low mantissa bits
    // (|n| ≤ 128 after the clamp), so bits(t) − bits(1.5·2^23) = n, as integer lane arithmetic
    let bits = t.to_bits().wrapping_sub(0x4B40_0000).wrapping_add(127) << 23;
    let v = p * f32::from_bits(bits);
    if x < -87.0 { 0.0 } else { v }
}

/// `2·atanh(s) = ln((1+s)/(1−s))` for `|s| ≤ 0.172`.
#[inline(always)]
fn two_atanh(s: f32) -> f32 {
    let s2 = s * s;
    let p = 1.0 / 11.0;
    let p = p * s2 + 1.0 / 9.0;
    let p = p * s2 + 1.0 / 7.0;
    let p = p * s2 + 1.0 / 5.0;
    let p = p * s2 + 1.0 / 3.0;
    let p = p * s2 + 1.0;
    2.0 * s * p
}

/// `ln(1 + e)` for `e ∈ [0, 1]`, relative accuracy kept for tiny `e`.
#[inline(always)]
pub fn log1p_unit(e: f32) -> f32 {
    // 1+e ∈ [1, √2]: s = e/(2+e);  1+e ∈ (√2, 2]: ln 2 + 2atanh(((1+e)/2 − 1)/((1+e)/2 + 1))
    let hi = e > SQRT2_M1;
    let num = if hi { e - 1.0 } else { e };
    let den = if hi { 3.0 + e } else { 2.0 + e };
    let base = if hi { std::f32::consts::LN_2 } else { 0.0 };
    base + two_atanh(num / den)
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_math_matches_std() {
        let mut worst_e = 0f64;
        let mut worst_l = 0f64;
        let mut x = -87.0f32;
        while x <= 0.0 {
            let a = exp_neg(x) as f64;
            let b = (x as f64).exp();
            worst_e = worst_e.max(((a - b) / b).abs());
            let e = (x as f64).exp() as f32;
            let l = log1p_unit(e) as f64;
            let r = (e as f64).ln_1p();
            worst_l = worst_l.max(((l - r) / r).abs());
            x += 0.003_1;
        }
        assert!(worst_e < 3e-7, "exp rel err {worst_e}");
        assert!(worst_l < 3e-7, "log1p rel err {worst_l}");
        assert_eq!(exp_neg(-100.0), 0.0);
        assert_eq!(exp_neg(0.0), 1.0);
        assert_eq!(log1p_unit(0.0), 0.0);
        assert_eq!(log1p_unit(1e-30), 1e-30);
    }


    #[test]
    fn primitives_are_stable() {
        assert_eq!(softplus(-100.0), (-100.0f32).exp().ln_1p());
        assert_eq!(softplus(100.0), 100.0);
        assert!((softplus(0.0) - std::f32::consts::LN_2).abs() < 1e-7);
        assert_eq!(log_sigmoid(-100.0), -100.0);
        assert_eq!(sigmoid(-200.0), 0.0);
        assert_eq!(sigmoid(200.0), 1.0);
        let (l, g) = smooth_l1(0.05, 0.1);
        assert!((l - 0.0125).abs() < 1e-8 && (g - 0.5).abs() < 1e-6);
        assert_eq!(smooth_l1(-1.0, 0.1), (0.95, -1.0));
        let (l, g) = asl1(100.0, 0.02);
        assert!((l - 99.98).abs() < 1e-3 && (g - 1.0).abs() < 1e-6);
    }
}

/// Float64 sum of float32 values in 8 independent lanes (vectorises, no serial dependency chain):
/// the remainder's sum plus the lanes' sum, in that order (the loss kernels' row and block sums).
#[inline(always)]
pub fn sum_f64_lanes(x: &[f32]) -> f64 {
    let mut acc = [0f64; 8];
    let mut it = x.chunks_exact(8);
    for ch in &mut it {
        for k in 0..8 {
            acc[k] += ch[k] as f64;
        }
    }
    it.remainder().iter().map(|&v| v as f64).sum::<f64>() + acc.iter().sum::<f64>()
}
