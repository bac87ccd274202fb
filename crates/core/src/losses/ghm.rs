//! GHM-C, GHM-R (Li, Liu & Wang, "Gradient Harmonized Single-stage Detector", AAAI 2019,
//! arXiv 1811.05181), smooth L1 (Fast R-CNN) and ASL1 (GHM eq. 11) losses with analytic
//! gradients (issue 3).
//!
//! Semantics are mmdetection's `GHMC` / `GHMR` (`mmdet/models/losses/ghm_loss.py`), restated in
//! `../shared/spec/reference-semantics.md` §2.2–2.5:
//! - edges `i / bins` (f32), GHM-C's last edge `+= 1e-6`, GHM-R's last edge `1e3`; bins are
//!   half-open `[e_i, e_{i+1})`;
//! - `tot = max(#valid elements, 1)` (GHM-C) or `max(Σ label_weight, 1)` (GHM-R); valid means
//!   `label_weight > 0` (the magnitudes are not used otherwise);
//! - the weight of a valid element in bin `i` is `tot / k_i`, or `tot / acc_i` with the moving
//!   average `acc_i ← m·acc_i + (1−m)·k_i` updated only for non-empty bins; all weights are then
//!   divided by the number of non-empty bins `n` (or by `bins`, the paper's normaliser);
//! - the gradient holds the weights constant (mmdet computes them under `no_grad`).
//!
//! Memory: besides the caller's outputs only O(bins) scratch. The weights output doubles as the
//! per-element bin index between the two passes, the loss output holds `e^{−|x|}` and the gradient
//! output holds `σ(x) − y`, so every transcendental is evaluated once per element.
//!
//! The inner loops use branch-free, vectorisable `exp`/`log1p` ([`exp_neg`], [`log1p_unit`]); they
//! agree with the std functions to a few ulp (checked in the tests below).

use super::{asl1, smooth_l1};
use crate::dispatch;
use crate::error::{check_len, CoreError, Result};
use crate::simd::fmax;

/// Classification targets of [`ghm_c`].
#[derive(Debug, Clone, Copy)]
pub enum Targets<'a> {
    /// `[N·C]` floats in `[0, 1]` (one-hot, or soft).
    Dense(&'a [f32]),
    /// `[N]` class indices; a label outside `[0, C)` is background (an all-zero row), as in
    /// mmdet's `_expand_onehot_labels`.
    Labels(&'a [i32]),
}

/// Options shared by [`ghm_c`] and [`ghm_r`].
#[derive(Debug, Clone, Copy)]
pub struct GhmOpts {
    /// number of bins M ≥ 1
    pub bins: usize,
    /// EMA momentum in `[0, 1)`; 0 = no moving average (weights from this batch only)
    pub momentum: f64,
    /// divide by `bins` (paper, eq. 8) instead of the number of non-empty bins (mmdet)
    pub all_bins: bool,
    /// divide the EMA by `1 − m^t` (t = EMA updates so far, this one included)
    pub bias_correction: bool,
    /// EMA updates before this call (the state's `steps`)
    pub steps: f64,
    /// multiplies the reduced loss
    pub loss_weight: f64,
    /// `true` for reduction `mean` (Σ / tot), `false` for `sum` / `none` (no division)
    pub mean: bool,
    /// GHM-R's μ (ignored by GHM-C)
    pub mu: f32,
}

/// Outputs of [`ghm_c`] / [`ghm_r`] (all written by the kernel).
pub struct GhmOut<'a> {
    /// `[len]` per-element `w · BCE` (or `w · ASL1`), before reduction
    pub loss_elements: &'a mut [f32],
    /// `[len]` gradient of the reported loss, weights held constant
    pub grad: &'a mut [f32],
    /// `[len]` harmonizing weights (0 for ignored elements)
    pub weights: &'a mut [f32],
    /// `[len]` gradient norms `g`
    pub g: &'a mut [f32],
    /// `[bins]` number of valid elements per bin
    pub counts: &'a mut [f64],
    /// `[bins]` in: the moving average before the call; out: after it
    pub acc_sum: &'a mut [f64],
}

/// Scalar results of [`ghm_c`] / [`ghm_r`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GhmSummary {
    /// Σ loss_elements (f64)
    pub loss_sum: f64,
    /// the reported loss: `scale · loss_sum`
    pub loss: f64,
    /// `tot` of the reference (≥ 1)
    pub tot: f64,
    /// number of non-empty bins
    pub non_empty: u32,
    /// factor from Σ loss_elements to the loss (and of every gradient element)
    pub scale: f64,
    /// whether the moving average was updated (at least one valid element and momentum > 0)
    pub updated: bool,
}

/// Bin edges as mmdet builds them: `f32(i) / f32(bins)`, the last one replaced by `last`.
pub fn ghm_edges(bins: usize, last: f32) -> Vec<f32> {
    let mut e: Vec<f32> = (0..=bins).map(|i| i as f32 / bins as f32).collect();
    e[bins] = last;
    e
}

/// GHM-C's last edge: `1 + 1e-6` in f32 (so `g == 1` lands in the last bin).
pub const GHMC_LAST_EDGE: f32 = 1.0 + 1e-6;
/// GHM-R's last edge.
pub const GHMR_LAST_EDGE: f32 = 1e3;

/// Bin of `g ≥ 0` among `edges` (half-open bins, exact comparisons with the f32 edges).
#[inline(always)]
fn bin_of(g: f32, edges: &[f32], bins: usize) -> usize {
    let mut b = (g * bins as f32) as usize; // saturating, g ≥ 0
    if b >= bins {
        b = bins - 1;
    }
    if g < edges[b] {
        b - 1
    } else if b + 1 < bins && g >= edges[b + 1] {
        b + 1
    } else {
        b
    }
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

fn check_opts(o: &GhmOpts, out_len: usize, len: usize, out: &GhmOut) -> Result<()> {
    if o.bins == 0 {
        return Err(CoreError::value("bins", "must be ≥ 1"));
    }
    if !(o.momentum >= 0.0 && o.momentum < 1.0) {
        return Err(CoreError::value("momentum", format!("must be in [0, 1), got {}", o.momentum)));
    }
    check_len("loss_elements", out.loss_elements, out_len)?;
    check_len("grad", out.grad, len)?;
    check_len("weights", out.weights, len)?;
    check_len("g", out.g, len)?;
    check_len("counts", out.counts, o.bins)?;
    check_len("acc_sum", out.acc_sum, o.bins)?;
    Ok(())
}

/// Label weight of element `i` (`cols` elements per row): none (all valid), one per row, or one
/// per element.
#[inline(always)]
fn lw_at(lw: &[f32], len: usize, cols: usize, i: usize) -> f32 {
    if lw.is_empty() {
        1.0
    } else if lw.len() == len {
        lw[i]
    } else {
        lw[i / cols]
    }
}

/// Histogram pass: counts valid elements per bin and stores each element's bin (−1 = ignored) in
/// `slot` as f32. Returns the number of valid elements.
fn histogram(g: &[f32], lw: &[f32], cols: usize, edges: &[f32], counts: &mut [f64], slot: &mut [f32]) -> u64 {
    let bins = counts.len();
    let len = g.len();
    let mut cnt = vec![0u64; bins];
    if lw.is_empty() {
        for (s, &gi) in slot.iter_mut().zip(g) {
            let b = bin_of(gi, edges, bins);
            cnt[b] += 1;
            *s = b as f32;
        }
    } else {
        for i in 0..len {
            if lw_at(lw, len, cols, i) > 0.0 {
                let b = bin_of(g[i], edges, bins);
                cnt[b] += 1;
                slot[i] = b as f32;
            } else {
                slot[i] = -1.0;
            }
        }
    }
    let mut valid = 0;
    for (c, k) in counts.iter_mut().zip(&cnt) {
        *c = *k as f64;
        valid += k;
    }
    valid
}

/// The harmonizing weight of each bin (index `bins` = ignored, weight 0); updates `acc_sum`.
/// Returns (table, non-empty bins, whether the EMA was updated).
fn bin_weights(o: &GhmOpts, tot: f64, counts: &[f64], acc_sum: &mut [f64]) -> (Vec<f32>, u32, bool) {
    let bins = o.bins;
    let m = o.momentum;
    let mut table = vec![0f64; bins + 1];
    let mut n = 0u32;
    let mut updated = false;
    let correction = if o.bias_correction && m > 0.0 { 1.0 - m.powf(o.steps + 1.0) } else { 1.0 };
    for b in 0..bins {
        let k = counts[b];
        if k > 0.0 {
            if m > 0.0 {
                acc_sum[b] = m * acc_sum[b] + (1.0 - m) * k;
                table[b] = tot / (acc_sum[b] / correction);
                updated = true;
            } else {
                table[b] = tot / k;
            }
            n += 1;
        }
    }
    if n > 0 {
        let div = if o.all_bins { bins as f64 } else { n as f64 };
        for t in table.iter_mut() {
            *t /= div;
        }
    }
    (table.iter().map(|&t| t as f32).collect(), n, updated)
}

/// Σ of an f32 slice in f64, with 8 independent accumulators (vectorises; not order-exact).
#[inline(always)]
fn sum_f64(xs: &[f32]) -> f64 {
    let mut acc = [0f64; 8];
    let mut chunks = xs.chunks_exact(8);
    for c in &mut chunks {
        for j in 0..8 {
            acc[j] += c[j] as f64;
        }
    }
    let mut s: f64 = chunks.remainder().iter().map(|&v| v as f64).sum();
    for a in acc {
        s += a;
    }
    s
}

#[inline(always)]
fn ghmc_pass1_dense(logits: &[f32], t: &[f32], e_out: &mut [f32], d_out: &mut [f32], g_out: &mut [f32]) {
    let n = logits.len();
    let (t, e_out, d_out, g_out) = (&t[..n], &mut e_out[..n], &mut d_out[..n], &mut g_out[..n]);
    for i in 0..n {
        let x = logits[i];
        let e = exp_neg(-x.abs());
        let inv = 1.0 / (1.0 + e);
        let p = if x >= 0.0 { inv } else { e * inv };
        let d = p - t[i];
        e_out[i] = e;
        d_out[i] = d;
        g_out[i] = d.abs();
    }
}

#[inline(always)]
fn ghmc_pass1_labels(logits: &[f32], labels: &[i32], c: usize, e_out: &mut [f32], d_out: &mut [f32], g_out: &mut [f32]) {
    for (r, &l) in labels.iter().enumerate() {
        let s = r * c;
        let (x, e_out, d_out, g_out) = (&logits[s..s + c], &mut e_out[s..s + c], &mut d_out[s..s + c], &mut g_out[s..s + c]);
        for j in 0..c {
            let xj = x[j];
            let e = exp_neg(-xj.abs());
            let inv = 1.0 / (1.0 + e);
            let p = if xj >= 0.0 { inv } else { e * inv };
            let y = if j as i32 == l { 1.0 } else { 0.0 };
            let d = p - y;
            e_out[j] = e;
            d_out[j] = d;
            g_out[j] = d.abs();
        }
    }
}

/// Pass 2 of GHM-C for one run of elements: weight lookup, `w·BCE`, gradient. `loss` holds
/// `e^{−|x|}` on entry, `grad` holds `σ(x) − y`, `weights` holds the bin index (−1 = ignored).
/// `y` is `Some(targets)` or `None` with the single positive channel `pos` (labels).
#[inline(always)]
fn ghmc_pass2_run(x: &[f32], y: Option<&[f32]>, pos: usize, table: &[f32], scale: f32, loss: &mut [f32], grad: &mut [f32], weights: &mut [f32]) {
    let n = x.len();
    let bins = table.len() - 1;
    let table = &table[..bins + 1];
    let (loss, grad, weights) = (&mut loss[..n], &mut grad[..n], &mut weights[..n]);
    match y {
        Some(y) => {
            let y = &y[..n];
            for i in 0..n {
                let slot = weights[i];
                let idx = if slot < 0.0 { bins } else { slot as usize };
                let w = table[idx.min(bins)];
                let bce = fmax(x[i], 0.0) - x[i] * y[i] + log1p_unit(loss[i]);
                loss[i] = w * bce;
                grad[i] = scale * w * grad[i];
                weights[i] = w;
            }
        }
        None => {
            for i in 0..n {
                let slot = weights[i];
                let idx = if slot < 0.0 { bins } else { slot as usize };
                let w = table[idx.min(bins)];
                let bce = fmax(x[i], 0.0) + log1p_unit(loss[i]);
                loss[i] = w * bce;
                grad[i] = scale * w * grad[i];
                weights[i] = w;
            }
            // the positive channel: BCE = max(−x, 0) + ln(1 + e^{−|x|}), recomputed (not by
            // cancellation) so small losses keep their relative accuracy
            if pos < n {
                let xp = x[pos];
                loss[pos] = weights[pos] * (fmax(-xp, 0.0) + log1p_unit(exp_neg(-xp.abs())));
            }
        }
    }
}

#[inline(always)]
fn ghmc_pass2(logits: &[f32], targets: Targets, c: usize, table: &[f32], scale: f32, loss: &mut [f32], grad: &mut [f32], weights: &mut [f32]) {
    match targets {
        Targets::Dense(t) => ghmc_pass2_run(logits, Some(t), 0, table, scale, loss, grad, weights),
        Targets::Labels(labels) => {
            for (r, &l) in labels.iter().enumerate() {
                let s = r * c;
                let pos = if l >= 0 && (l as usize) < c { l as usize } else { usize::MAX };
                ghmc_pass2_run(&logits[s..s + c], None, pos, table, scale, &mut loss[s..s + c], &mut grad[s..s + c], &mut weights[s..s + c]);
            }
        }
    }
}

/// GHM-C (reference-semantics §2.2): `logits` `[N·C]`, targets dense `[N·C]` or labels `[N]`,
/// `label_weights` empty / `[N]` / `[N·C]` (mask: `> 0` is valid).
pub fn ghm_c(logits: &[f32], c: usize, targets: Targets, label_weights: &[f32], o: &GhmOpts, out: GhmOut) -> Result<GhmSummary> {
    let len = logits.len();
    if c == 0 || len % c != 0 {
        return Err(CoreError::shape("logits", format!("length {len} is not a multiple of C = {c}")));
    }
    let rows = len / c;
    match targets {
        Targets::Dense(t) => check_len("targets", t, len)?,
        Targets::Labels(l) => check_len("targets", l, rows)?,
    }
    if !(label_weights.is_empty() || label_weights.len() == len || label_weights.len() == rows) {
        return Err(CoreError::shape("label_weights", format!("expected 0, {rows} or {len} elements, got {}", label_weights.len())));
    }
    check_opts(o, len, len, &out)?;
    let GhmOut { loss_elements, grad, weights, g, counts, acc_sum } = out;
    match targets {
        Targets::Dense(t) => dispatch!(ghmc_pass1_dense(logits, t, loss_elements, grad, g)),
        Targets::Labels(l) => dispatch!(ghmc_pass1_labels(logits, l, c, loss_elements, grad, g)),
    }
    let edges = ghm_edges(o.bins, GHMC_LAST_EDGE);
    let valid = histogram(g, label_weights, c, &edges, counts, weights);
    let tot = (valid as f64).max(1.0);
    let (table, non_empty, updated) = bin_weights(o, tot, counts, acc_sum);
    let scale = if o.mean { o.loss_weight / tot } else { o.loss_weight };
    let s = scale as f32;
    dispatch!(ghmc_pass2(logits, targets, c, &table, s, loss_elements, grad, weights));
    let loss_sum = dispatch!(sum_f64(loss_elements));
    Ok(GhmSummary { loss_sum, loss: scale * loss_sum, tot, non_empty, scale, updated })
}

#[inline(always)]
fn ghmr_pass1(pred: &[f32], target: &[f32], mu: f32, l_out: &mut [f32], d_out: &mut [f32], g_out: &mut [f32]) {
    let n = pred.len();
    let (target, l_out, d_out, g_out) = (&target[..n], &mut l_out[..n], &mut d_out[..n], &mut g_out[..n]);
    for i in 0..n {
        let (l, dl) = asl1(pred[i] - target[i], mu);
        l_out[i] = l;
        d_out[i] = dl;
        g_out[i] = dl.abs();
    }
}

#[inline(always)]
fn weighted_pass2(table: &[f32], scale: f32, loss: &mut [f32], grad: &mut [f32], weights: &mut [f32]) {
    let n = loss.len();
    let bins = table.len() - 1;
    let (grad, weights) = (&mut grad[..n], &mut weights[..n]);
    for i in 0..n {
        let slot = weights[i];
        let idx = if slot < 0.0 { bins } else { slot as usize };
        let w = table[idx.min(bins)];
        loss[i] *= w;
        grad[i] = scale * w * grad[i];
        weights[i] = w;
    }
}

/// GHM-R (reference-semantics §2.3): `pred`, `target`, `label_weights` all `[len]`
/// (`label_weights` may be empty: all 1). `tot = max(Σ label_weights, 1)`.
pub fn ghm_r(pred: &[f32], target: &[f32], label_weights: &[f32], o: &GhmOpts, out: GhmOut) -> Result<GhmSummary> {
    let len = pred.len();
    check_len("target", target, len)?;
    if !(label_weights.is_empty() || label_weights.len() == len) {
        return Err(CoreError::shape("label_weights", format!("expected {len} elements, got {}", label_weights.len())));
    }
    if !(o.mu > 0.0) {
        return Err(CoreError::value("mu", format!("must be > 0, got {}", o.mu)));
    }
    check_opts(o, len, len, &out)?;
    let GhmOut { loss_elements, grad, weights, g, counts, acc_sum } = out;
    dispatch!(ghmr_pass1(pred, target, o.mu, loss_elements, grad, g));
    let edges = ghm_edges(o.bins, GHMR_LAST_EDGE);
    let valid = histogram(g, label_weights, 1, &edges, counts, weights);
    let lw_sum = if label_weights.is_empty() { valid as f64 } else { dispatch!(sum_f64(label_weights)) };
    let tot = lw_sum.max(1.0);
    let (table, non_empty, updated) = bin_weights(o, tot, counts, acc_sum);
    let scale = if o.mean { o.loss_weight / tot } else { o.loss_weight };
    dispatch!(weighted_pass2(&table, scale as f32, loss_elements, grad, weights));
    let loss_sum = dispatch!(sum_f64(loss_elements));
    Ok(GhmSummary { loss_sum, loss: scale * loss_sum, tot, non_empty, scale, updated })
}

/// Element-wise regression loss kind of [`regression_loss`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegressionKind {
    /// smooth L1 with β (β = 0: L1)
    SmoothL1 = 0,
    /// ASL1 with μ > 0
    Asl1 = 1,
}

impl RegressionKind {
    pub fn from_u32(v: u32) -> Result<Self> {
        match v {
            0 => Ok(RegressionKind::SmoothL1),
            1 => Ok(RegressionKind::Asl1),
            _ => Err(CoreError::value("kind", format!("unknown regression loss {v}"))),
        }
    }
}

#[inline(always)]
fn regression_kernel<const ASL1: bool>(pred: &[f32], target: &[f32], weight: &[f32], cols: usize, param: f32, scale: f32, loss: &mut [f32], grad: &mut [f32]) {
    let n = pred.len();
    let (target, loss, grad) = (&target[..n], &mut loss[..n], &mut grad[..n]);
    let elem = |d: f32| if ASL1 { asl1(d, param) } else { smooth_l1(d, param) };
    if weight.is_empty() {
        for i in 0..n {
            let (l, dl) = elem(pred[i] - target[i]);
            loss[i] = l;
            grad[i] = scale * dl;
        }
    } else if weight.len() == n {
        let weight = &weight[..n];
        for i in 0..n {
            let (l, dl) = elem(pred[i] - target[i]);
            loss[i] = weight[i] * l;
            grad[i] = scale * weight[i] * dl;
        }
    } else {
        for (r, &w) in weight.iter().enumerate() {
            for i in r * cols..(r + 1) * cols {
                let (l, dl) = elem(pred[i] - target[i]);
                loss[i] = w * l;
                grad[i] = scale * w * dl;
            }
        }
    }
}

/// Smooth L1 / ASL1 of `pred − target` (`[len]`, `cols` per row), element weights empty / `[len]` /
/// `[len / cols]` (per row). Writes `weight·loss` and the gradient of `scale · Σ` and returns Σ (f64).
#[allow(clippy::too_many_arguments)]
pub fn regression_loss(kind: RegressionKind, pred: &[f32], target: &[f32], weight: &[f32], cols: usize, param: f32, scale: f32, loss: &mut [f32], grad: &mut [f32]) -> Result<f64> {
    let len = pred.len();
    check_len("target", target, len)?;
    check_len("loss", loss, len)?;
    check_len("grad", grad, len)?;
    if cols == 0 || len % cols != 0 {
        return Err(CoreError::shape("pred", format!("length {len} is not a multiple of {cols}")));
    }
    if !(weight.is_empty() || weight.len() == len || weight.len() * cols == len) {
        return Err(CoreError::shape("weight", format!("expected {len} or {} elements, got {}", len / cols, weight.len())));
    }
    match kind {
        RegressionKind::SmoothL1 => {
            if !(param >= 0.0) {
                return Err(CoreError::value("beta", format!("must be ≥ 0, got {param}")));
            }
            dispatch!(regression_kernel::<false>(pred, target, weight, cols, param, scale, loss, grad))
        }
        RegressionKind::Asl1 => {
            if !(param > 0.0) {
                return Err(CoreError::value("mu", format!("must be > 0, got {param}")));
            }
            dispatch!(regression_kernel::<true>(pred, target, weight, cols, param, scale, loss, grad))
        }
    }
    Ok(dispatch!(sum_f64(loss)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::losses::{sigmoid, softplus};

    fn opts(bins: usize, momentum: f64) -> GhmOpts {
        GhmOpts { bins, momentum, all_bins: false, bias_correction: false, steps: 0.0, loss_weight: 1.0, mean: true, mu: 0.02 }
    }

    struct Bufs {
        le: Vec<f32>,
        gr: Vec<f32>,
        w: Vec<f32>,
        g: Vec<f32>,
        counts: Vec<f64>,
        acc: Vec<f64>,
    }
    impl Bufs {
        fn new(len: usize, bins: usize) -> Self {
            Bufs { le: vec![0.0; len], gr: vec![0.0; len], w: vec![0.0; len], g: vec![0.0; len], counts: vec![0.0; bins], acc: vec![0.0; bins] }
        }
        fn out(&mut self) -> GhmOut<'_> {
            GhmOut { loss_elements: &mut self.le, grad: &mut self.gr, weights: &mut self.w, g: &mut self.g, counts: &mut self.counts, acc_sum: &mut self.acc }
        }
    }

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
    fn bins_are_half_open_and_g1_lands_last() {
        let e = ghm_edges(10, GHMC_LAST_EDGE);
        assert_eq!(bin_of(0.0, &e, 10), 0);
        assert_eq!(bin_of(1.0, &e, 10), 9);
        assert_eq!(bin_of(e[3], &e, 10), 3);
        assert_eq!(bin_of(f32::from_bits(e[3].to_bits() - 1), &e, 10), 2);
        for b in 1..10 {
            assert_eq!(bin_of(e[b], &e, 10), b);
            assert_eq!(bin_of(f32::from_bits(e[b].to_bits() - 1), &e, 10), b - 1);
        }
        let e1 = ghm_edges(1, GHMC_LAST_EDGE);
        assert_eq!(bin_of(1.0, &e1, 1), 0);
        assert_eq!(bin_of(0.3, &e1, 1), 0);
    }

    /// reference-semantics §2.5: g = [0.05, 0.05, 0.55, 0.95], targets 0 ⇒ loss 1.2818444214 (m = 0),
    /// 12.8184442139 at the first call with m = 0.9, and 1.2818444 again with bias correction.
    #[test]
    fn spec_example_ghmc() {
        let logits = [-2.944439f32, -2.944439, 0.200671, 2.944439];
        let t = [0f32; 4];
        let mut b = Bufs::new(4, 10);
        let s = ghm_c(&logits, 1, Targets::Dense(&t), &[], &opts(10, 0.0), b.out()).unwrap();
        assert!((s.loss - 1.2818444214).abs() < 1e-5, "{}", s.loss);
        let w: Vec<f32> = b.w.clone();
        assert!((w[0] - 2.0 / 3.0).abs() < 1e-6 && (w[3] - 4.0 / 3.0).abs() < 1e-6);
        // gradient = w (σ(x) − y) / tot
        for i in 0..4 {
            let want = w[i] * sigmoid(logits[i]) / 4.0;
            assert!((b.gr[i] - want).abs() < 1e-6);
            let bce = softplus(logits[i]);
            assert!((b.le[i] - w[i] * bce).abs() < 1e-6);
        }
        let mut b = Bufs::new(4, 10);
        let s = ghm_c(&logits, 1, Targets::Dense(&t), &[], &opts(10, 0.9), b.out()).unwrap();
        assert!((s.loss - 12.8184442139).abs() < 1e-4, "{}", s.loss);
        assert!(s.updated);
        let mut b = Bufs::new(4, 10);
        let o = GhmOpts { bias_correction: true, ..opts(10, 0.9) };
        let s = ghm_c(&logits, 1, Targets::Dense(&t), &[], &o, b.out()).unwrap();
        assert!((s.loss - 1.2818444214).abs() < 1e-5, "{}", s.loss);
    }

    #[test]
    fn all_ignored_is_zero() {
        let logits = [1f32, -2.0, 3.0, 0.5];
        let mut b = Bufs::new(4, 10);
        let s = ghm_c(&logits, 2, Targets::Labels(&[0, 2]), &[0.0, 0.0], &opts(10, 0.75), b.out()).unwrap();
        assert_eq!(s.loss, 0.0);
        assert_eq!(s.tot, 1.0);
        assert!(!s.updated);
        assert!(b.gr.iter().all(|&v| v == 0.0));
        assert!(b.acc.iter().all(|&v| v == 0.0));
    }

    #[test]
    fn spec_example_ghmr() {
        let pred = [0f32, 0.01, 1.0, 100.0];
        let t = [0f32; 4];
        let mut b = Bufs::new(4, 10);
        let s = ghm_r(&pred, &t, &[1.0; 4], &opts(10, 0.0), b.out()).unwrap();
        assert!((s.loss - 16.8274874).abs() < 1e-3, "{}", s.loss);
        assert_eq!(b.g[3], 1.0);
        assert!((b.w[3] - 2.0 / 3.0).abs() < 1e-6);
    }

    #[test]
    fn regression_losses() {
        let pred = [0.05f32, -1.0, 2.0, 0.0];
        let t = [0f32; 4];
        let mut l = [0f32; 4];
        let mut g = [0f32; 4];
        let s = regression_loss(RegressionKind::SmoothL1, &pred, &t, &[], 4, 0.1, 1.0, &mut l, &mut g).unwrap();
        assert!((l[0] - 0.0125).abs() < 1e-7 && (l[1] - 0.95).abs() < 1e-7);
        assert!((s - (0.0125 + 0.95 + 1.95)).abs() < 1e-6);
        assert_eq!(g, [0.5, -1.0, 1.0, 0.0]);
        let s = regression_loss(RegressionKind::Asl1, &pred, &t, &[2.0], 4, 0.02, 0.5, &mut l, &mut g).unwrap();
        assert!((l[2] - 2.0 * ((4.0f32 + 4e-4).sqrt() - 0.02)).abs() < 1e-5);
        assert!(s > 0.0 && g[3] == 0.0);
        assert!(regression_loss(RegressionKind::Asl1, &pred, &t, &[], 4, 0.0, 1.0, &mut l, &mut g).is_err());
    }
}
