//! Losses with analytic gradients (issue 3): CE, α-CE, focal (sigmoid, softmax), FL*, GHM-C,
//! GHM-R, smooth L1, ASL1 — and the stable scalar primitives every loss and weighting shares.
//!
//! Contract of a loss kernel: it writes the per-element loss (already multiplied by the element
//! weight) and the per-element gradient of `scale · Σ loss` w.r.t. its input, and returns the
//! float64 sum of the per-element losses. The facade computes `scale` from
//! `reduction`/`avgFactor`/`lossWeight` (see `ts/api/reduce.ts`).

use crate::simd::fmax;

pub mod focal;
pub mod ghm;

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
    let r = (d * d + mu * mu).sqrt();
    (r - mu, d / r)
}


/// `e^x` for `x ≤ 0`, branch-free (vectorises). Cephes-style: `2^n · p(r)`, relative error ≲ 2 ulp;
/// results below the normal range flush to 0.
#[inline(always)]
pub fn exp_neg(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    const MAGIC: f32 = 12_582_912.0; // 1.5·2^23: round to nearest
    let xc = fmax(x, -87.0);
    let t = xc * LOG2E + MAGIC;
    let n = t - MAGIC;
    let r = xc - n * LN2_HI - n * LN2_LO;
    let mut p = 1.987_569_1e-4f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 5.000_000_1e-1;
    let y = p * r * r + r + 1.0;
    let scale = f32::from_bits(((n as i32 + 127) as u32) << 23);
    let v = y * scale;
    if x < -87.0 { 0.0 } else { v }
}

/// `ln(1 + e)` for `e ∈ [0, 1]`, branch-free: `ln(u)·e/(u−1)` with `u = 1 + e` (the classic
/// accurate log1p), `ln` by a Cephes-style polynomial on the mantissa.
#[inline(always)]
pub fn log1p_unit(e: f32) -> f32 {
    let u = 1.0 + e;
    let l = ln_1_2(u);
    let d = u - 1.0;
    if d == 0.0 { e } else { l * (e / d) }
}

/// `ln(u)` for `u ∈ [1, 2]`.
#[inline(always)]
fn ln_1_2(u: f32) -> f32 {
    // bring u into [√½, √2): u ≥ √2 → u/2, exponent 1
    let big = u > std::f32::consts::SQRT_2;
    let m = if big { u * 0.5 } else { u };
    let k = if big { 1.0f32 } else { 0.0 };
    let x = m - 1.0;
    let z = x * x;
    let mut p = 7.037_683_6e-2f32;
    p = p * x - 1.151_461_0e-1;
    p = p * x + 1.167_699_9e-1;
    p = p * x - 1.242_014_1e-1;
    p = p * x + 1.424_932_3e-1;
    p = p * x - 1.666_805_8e-1;
    p = p * x + 2.000_071_5e-1;
    p = p * x - 2.499_999_4e-1;
    p = p * x + 3.333_333_1e-1;
    let y = p * x * z - 0.5 * z + x;
    y + k * std::f32::consts::LN_2
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
