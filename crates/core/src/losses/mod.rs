//! Losses with analytic gradients (issue 3): CE, α-CE, focal (sigmoid, softmax), FL*, GHM-C,
//! GHM-R, smooth L1, ASL1 — and the stable scalar primitives every loss and weighting shares.
//!
//! Contract of a loss kernel: it writes the per-element loss (already multiplied by the element
//! weight) and the per-element gradient of `scale · Σ loss` w.r.t. its input, and returns the
//! float64 sum of the per-element losses. The facade computes `scale` from
//! `reduction`/`avgFactor`/`lossWeight` (see `ts/api/reduce.ts`).

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

#[cfg(test)]
mod tests {
    use super::*;

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
