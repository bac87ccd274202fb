//! Balanced L1 Loss (Pang et al., Libra R-CNN, arXiv 1904.02701, eqs. 7–9) with mmdetection's β
//! generalisation (`mmdet/models/losses/balanced_l1_loss.py`). Spec: modern-methods §4.
//!
//! The hot loop is branch-free f32 (it auto-vectorises; see `crate::simd`), float64 only for the
//! sum. With `u = b·x/β` and `L = ln(1 + u)` the inside branch is written without cancellation:
//! `α/b (b x + 1) L − α x = α/b (β·g(u) + (1 − β)·L)` with `g(u) = (1 + u) L − u`, evaluated by its
//! series for u < 0.3 (where the direct form loses digits; ≤ 4e-6 relative beyond), and the inside slope is
//! `α L + α(1 − β)/(b x + β)`.
use super::log1p_unit;
use crate::error::{check_len, CoreError, Result};
use crate::par::SharedMut;

/// Options of [`balanced_l1_loss`].
#[derive(Clone, Copy, Debug)]
pub struct BalancedL1Opts {
    pub alpha: f64,
    pub gamma: f64,
    pub beta: f64,
    pub scale: f64,
}

/// `ln y` for finite `y ≥ 1`, branch-free (vectorises): `y = m·2^k` with `m ∈ [1, 2)`,
/// `ln y = k ln 2 + ln(1 + (m − 1))`; relative error < 4e-7.
#[inline(always)]
pub(crate) fn ln_ge1(y: f32) -> f32 {
    let bits = y.to_bits();
    let k = ((bits >> 23) & 0xff) as i32 - 127;
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    k as f32 * std::f32::consts::LN_2 + log1p_unit(m - 1.0)
}

/// `ln(1 + u)` for `u ≥ 0`, branch-free, relative accuracy kept for tiny `u`.
#[inline(always)]
pub(crate) fn ln1p_pos(u: f32) -> f32 {
    let small = log1p_unit(if u < 1.0 { u } else { 0.0 });
    let big = ln_ge1(1.0 + u);
    if u < 1.0 { small } else { big }
}

/// `g(u) = (1 + u) ln(1 + u) − u` given `l = ln(1 + u)` (series below 0.3).
#[inline(always)]
fn g_of(u: f32, l: f32) -> f32 {
    let p = 1.0 / 90.0;
    let p = p * -u + 1.0 / 72.0;
    let p = p * -u + 1.0 / 56.0;
    let p = p * -u + 1.0 / 42.0;
    let p = p * -u + 1.0 / 30.0;
    let p = p * -u + 1.0 / 20.0;
    let p = p * -u + 1.0 / 12.0;
    let p = p * -u + 1.0 / 6.0;
    let p = p * -u + 0.5;
    let series = u * u * p;
    let direct = (1.0 + u) * l - u;
    if u < 0.3 { series } else { direct }
}

/// Constants of one call, in f32.
#[derive(Clone, Copy)]
struct K {
    a: f32,
    gm: f32,
    beta: f32,
    b: f32,
    a_over_b: f32,
    out_c: f32,
    scale: f32,
}

/// Balanced L1 of one difference: `(loss, d loss / d diff)` (sign included; 0 at diff = 0).
#[inline(always)]
fn bl1_elem(diff: f32, k: K) -> (f32, f32) {
    let x = diff.abs();
    let inside = x < k.beta;
    let u = k.b * x / k.beta;
    let l = ln1p_pos(if inside { u } else { 0.0 });
    let li = k.a_over_b * (k.beta * g_of(u, l) + (1.0 - k.beta) * l);
    let si = k.a * l + k.a * (1.0 - k.beta) / (k.b * x + k.beta);
    let lo = k.gm * x + k.out_c;
    let (loss, slope) = if inside { (li, si) } else { (lo, k.gm) };
    let sg = if diff > 0.0 { 1.0 } else if diff < 0.0 { -1.0 } else { 0.0 };
    (loss, slope * sg)
}

#[inline(always)]
fn bl1_run(pred: &[f32], target: &[f32], weight: &[f32], k: K, le: &mut [f32], grad: &mut [f32]) -> f64 {
    let n = pred.len();
    let (pred, target, le, grad) = (&pred[..n], &target[..n], &mut le[..n], &mut grad[..n]);
    // 1. unweighted loss and scaled gradient, one independent lane per element
    for j in 0..n {
        let (l, g) = bl1_elem(pred[j] - target[j], k);
        le[j] = l;
        grad[j] = g * k.scale;
    }
    // 2. elementwise weights
    if !weight.is_empty() {
        let w = &weight[..n];
        for j in 0..n {
            le[j] *= w[j];
            grad[j] *= w[j];
        }
    }
    // 3. float64 sum in 8 lanes
    let mut acc = [0f64; 8];
    let mut it = le.chunks_exact(8);
    for ch in &mut it {
        for t in 0..8 {
            acc[t] += ch[t] as f64;
        }
    }
    it.remainder().iter().map(|&v| v as f64).sum::<f64>() + acc.iter().sum::<f64>()
}

/// Elementwise on `pred`, `target` (same length, normally `[N·4]` deltas); `weight` empty or the same length.
pub fn balanced_l1_loss(
    pred: &[f32], target: &[f32], weight: &[f32], o: &BalancedL1Opts, loss_elements: &mut [f32], grad: &mut [f32],
    sum: &mut [f64],
) -> Result<()> {
    let len = pred.len();
    check_len("target", target, len)?;
    if !weight.is_empty() {
        check_len("weight", weight, len)?;
    }
    check_len("loss_elements", loss_elements, len)?;
    check_len("grad", grad, len)?;
    check_len("sum", sum, 1)?;
    if !(o.alpha > 0.0 && o.gamma > 0.0 && o.beta > 0.0) {
        return Err(CoreError::value("options", "alpha, gamma and beta must be > 0"));
    }
    super::focal::check_finite("pred", pred)?;
    super::focal::check_finite("target", target)?;
    let (a, gm, beta) = (o.alpha, o.gamma, o.beta);
    let b = (gm / a).exp() - 1.0;
    let k = K {
        a: a as f32,
        gm: gm as f32,
        beta: beta as f32,
        b: b as f32,
        a_over_b: (a / b) as f32,
        out_c: (gm / b - a * beta) as f32,
        scale: o.scale as f32,
    };
    let chunks = len.div_ceil(crate::par::CHUNK_WORK);
    let (ls, gs) = (SharedMut::new(loss_elements), SharedMut::new(grad));
    let parts = crate::par::map_chunks(chunks, len, || (), |_, ci| {
        let (s, e) = (ci * crate::par::CHUNK_WORK, ((ci + 1) * crate::par::CHUNK_WORK).min(len));
        // SAFETY: chunk ranges are disjoint.
        let (l, g) = unsafe { (ls.range(s, e), gs.range(s, e)) };
        let w = if weight.is_empty() { weight } else { &weight[s..e] };
        crate::dispatch!(bl1_run(&pred[s..e], &target[s..e], w, k, l, g))
    });
    sum[0] = parts.iter().fold(0.0, |x, y| x + y);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The f32 kernel against the f64 formula over |x| from 1e-6 to 5, several β.
    #[test]
    fn f32_kernel_matches_f64_formula() {
        for &beta in &[1.0f64, 0.5, 2.0, 1.0 / 9.0] {
            let (a, gm) = (0.5f64, 1.5f64);
            let b = (gm / a).exp() - 1.0;
            let xs: Vec<f32> = (0..4000).map(|i| 1e-6f32 * 1.0042f32.powi(i) * if i % 2 == 0 { 1.0 } else { -1.0 }).filter(|x| x.abs() < 5.0).collect();
            let zeros = vec![0f32; xs.len()];
            let (mut le, mut g, mut s) = (vec![0f32; xs.len()], vec![0f32; xs.len()], [0f64]);
            balanced_l1_loss(&xs, &zeros, &[], &BalancedL1Opts { alpha: a, gamma: gm, beta, scale: 1.0 }, &mut le, &mut g, &mut s).unwrap();
            for (i, &d) in xs.iter().enumerate() {
                let x = (d as f64).abs();
                let (l, sl) = if x < beta {
                    let lg = (b * x / beta).ln_1p();
                    (a / b * (b * x + 1.0) * lg - a * x, a * lg + a * ((b * x + 1.0) / (b * x + beta) - 1.0))
                } else {
                    (gm * x + gm / b - a * beta, gm)
                };
                let sl = sl * (d as f64).signum();
                assert!((le[i] as f64 - l).abs() <= 5e-6 * l.abs() + 1e-7, "β {beta} x {x}: loss {} vs {l}", le[i]);
                assert!((g[i] as f64 - sl).abs() <= 2e-6 * sl.abs() + 1e-7, "β {beta} x {x}: grad {} vs {sl}", g[i]);
            }
        }
    }

    #[test]
    fn ln_helpers() {
        for &y in &[1.0f32, 1.5, 2.0, 3.7, 20.0855, 1e6, 3e38] {
            let r = (y as f64).ln();
            assert!(((ln_ge1(y) as f64) - r).abs() <= 4e-7 * r.abs().max(1e-30) + 1e-7 * (r == 0.0) as u8 as f64, "ln {y}");
        }
        for &u in &[0.0f32, 1e-30, 1e-7, 0.3, 0.99, 1.0, 19.0] {
            let r = (u as f64).ln_1p();
            assert!(((ln1p_pos(u) as f64) - r).abs() <= 4e-7 * r, "ln1p {u}");
        }
    }
}
