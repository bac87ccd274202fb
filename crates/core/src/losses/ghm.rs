//! GHM-C, GHM-R (Li, Liu & Wang, "Gradient Harmonized Single-stage Detector", AAAI 2019,
//! arXiv 1811.05181), smooth L1 (Fast R-CNN) and ASL1 (GHM eq. 11) losses with analytic
//! gradients (issue 3).
//!
//! Semantics are mmdetection's `GHMC` / `GHMR` (`mmdet/models/losses/ghm_loss.py`), restated in
//! `docs/spec/reference-semantics.md` §2.2–2.5:
//! - edges `i / bins` (f32), GHM-C's last edge `+= 1e-6`, GHM-R's last edge `1e3`; bins are
//!   half-open `[e_i, e_{i+1})`;
//! - `tot = max(#valid elements, 1)` (GHM-C) or `max(Σ label_weight, 1)` (GHM-R); valid means
//!   `label_weight > 0` (the magnitudes are not used otherwise);
//! - the weight of a valid element in bin `i` is `tot / k_i`, or `tot / acc_i` with the moving
//!   average `acc_i ← m·acc_i + (1−m)·k_i` updated only for non-empty bins; all weights are then
//!   divided by the number of non-empty bins `n` (or by `bins`, the paper's normaliser);
//! - the gradient holds the weights constant (mmdet computes them under `no_grad`).
//!
//! Memory: besides the caller's outputs only O(bins + block) scratch. GHM-C works in blocks of
//! ~4096 elements: pass 1 writes `g` and keeps the bins in block scratch (counted at once); pass 2
//! recomputes the elements into block scratch and writes the outputs, so the N·C inputs are read
//! twice and every output written once. GHM-R (N·4, small) parks each element's bin in the
//! weights output and `ASL1`, `d/√(d²+μ²)` in the loss / gradient outputs between its passes.
//!
//! The inner loops use branch-free, vectorisable `exp`/`log1p` ([`exp_neg`], [`log1p_unit`]); they
//! agree with the std functions to a few ulp (checked in the tests below).

use super::{asl1, exp_neg, log1p_unit, smooth_l1};
use crate::dispatch;
use crate::par::SharedMut;
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

/// Bin of `g ∈ [0, last edge)` (half-open bins `[e_i, e_{i+1})` with `e_i = f32(i) / f32(bins)`,
/// compared exactly), returned as f32 so it can be parked in an f32 buffer. Branch-free and
/// gather-free: `⌊g·bins⌋` is off by at most one bin, which comparisons with the two neighbouring
/// edges — recomputed by the same f32 division that builds the edge table — correct. The last
/// edge (`1 + 1e-6` or `1e3`) is never compared: `g ≤ 1` always falls below it.
#[inline(always)]
fn bin_slot(g: f32, bins: usize) -> f32 {
    bin_index(g, bins) as f32
}

/// [`bin_slot`] as an integer.
#[inline(always)]
fn bin_index(g: f32, bins: usize) -> i32 {
    let nb = bins as i32;
    let nbf = bins as f32;
    let b = (g * nbf) as i32; // saturating; g ≥ 0 ⇒ b ≥ 0
    let b = if b > nb - 1 { nb - 1 } else if b < 0 { 0 } else { b };
    let lo = b as f32 / nbf;
    let hi = (b + 1) as f32 / nbf;
    if g < lo { b - 1 } else if g >= hi && b + 1 < nb { b + 1 } else { b }
}

#[cfg(test)]
fn bin_of(g: f32, edges: &[f32], bins: usize) -> usize {
    assert!(g < edges[bins]);
    bin_slot(g, bins) as usize
}



fn check_opts(o: &GhmOpts, out_len: usize, len: usize, out: &GhmOut, optional: bool) -> Result<()> {
    if o.bins == 0 {
        return Err(CoreError::value("bins", "must be ≥ 1"));
    }
    if !(o.momentum >= 0.0 && o.momentum < 1.0) {
        return Err(CoreError::value("momentum", format!("must be in [0, 1), got {}", crate::error::num(o.momentum))));
    }
    check_len("loss_elements", out.loss_elements, out_len)?;
    check_len("grad", out.grad, len)?;
    // GHM-C may leave out the weights and g (empty slices): optional outputs
    if !(optional && out.weights.is_empty()) {
        check_len("weights", out.weights, len)?;
    }
    if !(optional && out.g.is_empty()) {
        check_len("g", out.g, len)?;
    }
    check_len("counts", out.counts, o.bins)?;
    check_len("acc_sum", out.acc_sum, o.bins)?;
    Ok(())
}

/// Counting pass: applies the label-weight mask (`> 0` valid; empty = all valid; one weight per
/// row of `cols` elements, or one per element), sets the slot of ignored elements to −1, and
/// counts valid elements per bin. Four interleaved counter sets keep the increments independent.
fn count_bins(slots: &mut [f32], lw: &[f32], cols: usize, counts: &mut [f64]) -> u64 {
    let bins = counts.len();
    let mut cnt = vec![[0u64; 4]; bins];
    let count_all = |run: &[f32], cnt: &mut Vec<[u64; 4]>| {
        let mut ch = run.chunks_exact(4);
        for q in &mut ch {
            cnt[q[0] as usize][0] += 1;
            cnt[q[1] as usize][1] += 1;
            cnt[q[2] as usize][2] += 1;
            cnt[q[3] as usize][3] += 1;
        }
        for &v in ch.remainder() {
            cnt[v as usize][0] += 1;
        }
    };
    if lw.is_empty() {
        count_all(slots, &mut cnt);
    } else if lw.len() == slots.len() {
        for (k, (s, &w)) in slots.iter_mut().zip(lw).enumerate() {
            if w > 0.0 {
                cnt[*s as usize][k & 3] += 1;
            } else {
                *s = -1.0;
            }
        }
    } else {
        for (row, &w) in slots.chunks_exact_mut(cols).zip(lw) {
            if w > 0.0 {
                count_all(row, &mut cnt);
            } else {
                row.fill(-1.0);
            }
        }
    }
    let mut valid = 0;
    for (c, k) in counts.iter_mut().zip(&cnt) {
        let k = k[0] + k[1] + k[2] + k[3];
        *c = k as f64;
        valid += k;
    }
    valid
}

/// The harmonizing weight of each bin, shifted by one: `table[0] = 0` (ignored elements),
/// `table[1 + b]` = weight of bin `b`. Updates `acc_sum`. Returns (table, non-empty bins, whether
/// the EMA was updated).
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
                table[b + 1] = tot / (acc_sum[b] / correction);
                updated = true;
            } else {
                table[b + 1] = tot / k;
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

/// Weight of a slot (−1 ignored, else the bin) from the shifted table.
#[inline(always)]
fn weight_of(slot: f32, table: &[f32]) -> f32 {
    debug_assert!(!table.is_empty() && table.len() <= u32::MAX as usize);
    let bins = (table.len() - 1) as u32;
    let idx = ((slot + 1.0) as i32 as u32).min(bins) as usize;
    // SAFETY: idx ≤ bins = table.len() − 1 (a non-empty table: bin_weights builds bins + 1 ≥ 2 entries).
    unsafe { *table.get_unchecked(idx) }
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

/// Elements per cache block of the second pass (its outputs are summed while still in L1/L2).
const BLOCK: usize = 4096;

/// Calls `f(start, end, y, mask)` for consecutive blocks of about [`BLOCK`] elements (whole rows):
/// `y` holds the block's dense targets — a slice of the caller's, or (labels) a one-hot block
/// expanded into an O(BLOCK) scratch — and `mask` its label weights per element (the caller's,
/// a per-row weight expanded into scratch, or empty = all valid). So the element loops always run
/// over long contiguous slices, whatever C is.
/// Only the blocks in `k0..k1` (a multiple of the block step .. its end) are visited, so a
/// parallel chunk sees exactly the blocks a whole-array pass would.
#[allow(clippy::too_many_arguments)]
fn for_blocks(len: usize, c: usize, targets: Targets, lw: &[f32], k0: usize, k1: usize, bufs: &mut (Vec<f32>, Vec<f32>), mut f: impl FnMut(usize, usize, &[f32], &[f32])) {
    let step = block_step(c);
    let per_row_lw = !lw.is_empty() && lw.len() != len;
    let (ybuf, mbuf) = bufs;
    if matches!(targets, Targets::Labels(_)) {
        ybuf.resize(step, 0.0);
    }
    if per_row_lw {
        mbuf.resize(step, 0.0);
    }
    for k in (k0..k1).step_by(step) {
        let end = (k + step).min(k1);
        let (r0, r1) = (k / c, end / c);
        let y: &[f32] = match targets {
            Targets::Dense(t) => &t[k..end],
            Targets::Labels(labels) => {
                let y = &mut ybuf[..end - k];
                y.fill(0.0);
                for (r, &l) in labels[r0..r1].iter().enumerate() {
                    if l >= 0 && (l as usize) < c {
                        y[r * c + l as usize] = 1.0;
                    }
                }
                y
            }
        };
        let m: &[f32] = if lw.is_empty() {
            &[]
        } else if per_row_lw {
            let m = &mut mbuf[..end - k];
            for (row, &w) in m.chunks_exact_mut(c).zip(&lw[r0..r1]) {
                row.fill(w);
            }
            m
        } else {
            &lw[k..end]
        };
        f(k, end, y, m);
    }
}

/// Elements per block of GHM-C: whole rows, about [`BLOCK`].
fn block_step(c: usize) -> usize {
    (BLOCK / c).max(1) * c
}

/// Blocks per parallel chunk (≈ 32 Ki elements; independent of the thread count).
const CHUNK_BLOCKS: usize = 8;

const SMALL_LOGIT: f32 = 1.0 / 16384.0;

/// `(e^{−|x|}, σ(x) − y, g, slot)` of one GHM-C element; slot = bin of g, or −1 if `valid` is false.
#[inline(always)]
fn ghmc_elem(x: f32, y: f32, valid: bool, bins: usize) -> (f32, f32, f32, i32) {
    let e = exp_neg(-x.abs());
    let inv = 1.0 / (1.0 + e);
    // near x = 0, g sits on the bin edge 0.5: use σ(x) = 1/2 + x/4 − x³/48 + … there (correctly
    // rounded for |x| < 2^-14), so every backend bins such elements alike (the fast exp is a few
    // ulps off, enough to cross the edge)
    let small = x.abs() < SMALL_LOGIT;
    let p = if small { 0.5 + 0.25 * x } else if x >= 0.0 { inv } else { e * inv };
    let q = if small { 0.5 - 0.25 * x } else if x >= 0.0 { e * inv } else { inv }; // 1 − p without cancellation
    // σ(x) − y = (1−y)·p − y·q: exact for y ∈ {0, 1} (p − 1 lost 1 − σ(16.6) = 6.2e-8 to 1.2e-7)
    let d = (1.0 - y) * p - y * q;
    let g = d.abs();
    let b = bin_index(g, bins);
    (e, d, g, if valid { b } else { -1 })
}

/// Pass 1 of GHM-C on a block: writes `g` and the slot (bin, −1 ignored) into `slot` (scratch).
#[inline(always)]
fn ghmc_pass1_run(x: &[f32], y: &[f32], m: &[f32], bins: usize, g_out: &mut [f32], slot: &mut [i32]) {
    let n = x.len();
    let (y, g_out, slot) = (&y[..n], &mut g_out[..n], &mut slot[..n]);
    if m.is_empty() {
        for j in 0..n {
            let (_, _, g, s) = ghmc_elem(x[j], y[j], true, bins);
            g_out[j] = g;
            slot[j] = s;
        }
    } else {
        let m = &m[..n];
        for j in 0..n {
            let (_, _, g, s) = ghmc_elem(x[j], y[j], m[j] > 0.0, bins);
            g_out[j] = g;
            slot[j] = s;
        }
    }
}

/// Per-worker scratch of GHM-C (block-sized; its contents never reach the result).
struct GhmcScratch {
    slot: Vec<i32>,
    e: Vec<f32>,
    d: Vec<f32>,
    w: Vec<f32>,
    bufs: (Vec<f32>, Vec<f32>),
}

/// Pass 2a of GHM-C on a block: recomputes `e`, `d` and the slot of every element (cheaper than
/// storing them in N·C buffers and reading them back). Gather-free, so it vectorises everywhere.
#[inline(always)]
fn ghmc_pass2a(x: &[f32], y: &[f32], m: &[f32], bins: usize, e: &mut [f32], d: &mut [f32], s: &mut [i32]) {
    let n = x.len();
    let (y, e, d, s) = (&y[..n], &mut e[..n], &mut d[..n], &mut s[..n]);
    if m.is_empty() {
        for j in 0..n {
            let (ej, dj, _, sj) = ghmc_elem(x[j], y[j], true, bins);
            e[j] = ej;
            d[j] = dj;
            s[j] = sj;
        }
    } else {
        let m = &m[..n];
        for j in 0..n {
            let (ej, dj, _, sj) = ghmc_elem(x[j], y[j], m[j] > 0.0, bins);
            e[j] = ej;
            d[j] = dj;
            s[j] = sj;
        }
    }
}

/// Pass 2c of GHM-C on a block: `w·BCE`, the gradient and `w` from the scratch; returns Σ `w·BCE`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn ghmc_pass2c(x: &[f32], y: &[f32], e: &[f32], d: &[f32], w: &[f32], scale: f32, loss: &mut [f32], grad: &mut [f32], weights: &mut [f32]) -> f64 {
    let n = x.len();
    let (y, e, d, w, loss, grad) = (&y[..n], &e[..n], &d[..n], &w[..n], &mut loss[..n], &mut grad[..n]);
    for j in 0..n {
        // max(x, 0) − x·y is exact for y ∈ {0, 1}, so saturated positives keep tiny losses accurate
        let bce = fmax(x[j], 0.0) - x[j] * y[j] + log1p_unit(e[j]);
        loss[j] = w[j] * bce;
        grad[j] = scale * w[j] * d[j];
    }
    // the weights are an optional output (empty: a training step writes only loss and gradient)
    if !weights.is_empty() {
        weights[..n].copy_from_slice(w);
    }
    sum_f64(loss)
}

/// `w[j] = table[slot[j] + 1]` (slots are in `[−1, bins)`).
#[inline(always)]
fn lookup_weights(slot: &[i32], table: &[f32], w: &mut [f32]) {
    let n = slot.len();
    let w = &mut w[..n];
    debug_assert!(table.len() >= 1);
    let top = (table.len() - 1) as u32;
    for j in 0..n {
        let idx = ((slot[j] + 1) as u32).min(top) as usize;
        // SAFETY: idx ≤ table.len() − 1.
        w[j] = unsafe { *table.get_unchecked(idx) };
    }
}

/// Counts slots (−1 ignored) into `cnt[slot + 1]` with four interleaved counter sets.
#[inline(always)]
fn count_slots(slot: &[i32], cnt: &mut [[u64; 4]]) {
    let mut ch = slot.chunks_exact(4);
    for q in &mut ch {
        cnt[(q[0] + 1) as usize][0] += 1;
        cnt[(q[1] + 1) as usize][1] += 1;
        cnt[(q[2] + 1) as usize][2] += 1;
        cnt[(q[3] + 1) as usize][3] += 1;
    }
    for &v in ch.remainder() {
        cnt[(v + 1) as usize][0] += 1;
    }
}

/// GHM-C (reference-semantics §2.2): `logits` `[N·C]`, targets dense `[N·C]` or labels `[N]`,
/// `label_weights` empty / `[N]` / `[N·C]` (mask: `> 0` is valid).
///
/// Two passes over blocks of ~4096 elements: (1) g and its bin (bins in an L1-resident scratch,
/// counted right away), then the weight table; (2) recompute each element into block scratch,
/// look the weights up, write loss, gradient and weight. Memory traffic: the inputs twice and each
/// output once; no gathers inside the vector loops.
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
    check_opts(o, len, len, &out, true)?;
    // NaN/±Inf and |x| > 1e18 refused here, in parallel (the facade's serial scan of the logits
    // took a third of a 1-thread 100k×80 call)
    super::focal::check_finite("logits", logits)?;
    let GhmOut { loss_elements, grad, weights, g, counts, acc_sum } = out;
    let bins = o.bins;
    let step = block_step(c);
    let chunk = step * CHUNK_BLOCKS;
    let chunks = len.div_ceil(chunk);
    let range = |ci: usize| (ci * chunk, ((ci + 1) * chunk).min(len));
    let (has_g, has_w) = (!g.is_empty(), !weights.is_empty());
    let new_scratch = || GhmcScratch { slot: vec![0i32; step], e: vec![0f32; step], d: vec![0f32; step], w: vec![0f32; step], bufs: (Vec::new(), Vec::new()) };
    // pass 1, per chunk: g (into the output, or block scratch when g is not wanted) and bin counts
    let gs = SharedMut::new(g);
    let parts = crate::par::map_chunks(chunks, len, new_scratch, |sc, ci| {
        let (k0, k1) = range(ci);
        let mut cnt = vec![[0u64; 4]; bins + 1];
        // SAFETY: chunk ranges are disjoint.
        let gc = if has_g { unsafe { gs.range(k0, k1) } } else { &mut [][..] };
        let GhmcScratch { slot, e, bufs, .. } = sc;
        for_blocks(len, c, targets, label_weights, k0, k1, bufs, |k, end, y, m| {
            let s = &mut slot[..end - k];
            let go = if has_g { &mut gc[k - k0..end - k0] } else { &mut e[..end - k] };
            dispatch!(ghmc_pass1_run(&logits[k..end], y, m, bins, go, s));
            count_slots(s, &mut cnt);
        });
        cnt
    });
    let mut valid = 0;
    for (b, c) in counts.iter_mut().enumerate() {
        let k: u64 = parts.iter().map(|cnt| cnt[b + 1].iter().sum::<u64>()).sum();
        *c = k as f64;
        valid += k;
    }
    let tot = (valid as f64).max(1.0);
    let (table, non_empty, updated) = bin_weights(o, tot, counts, acc_sum);
    let scale = if o.mean { o.loss_weight / tot } else { o.loss_weight };
    let sc = scale as f32;
    // pass 2, per chunk: recompute, weight, write; float64 partial sums merged in chunk order
    let (ls, grs, ws) = (SharedMut::new(loss_elements), SharedMut::new(grad), SharedMut::new(weights));
    let sums = crate::par::map_chunks(chunks, len, new_scratch, |scr, ci| {
        let (k0, k1) = range(ci);
        // SAFETY: chunk ranges are disjoint.
        let (lc, gc) = unsafe { (ls.range(k0, k1), grs.range(k0, k1)) };
        let wc = if has_w { unsafe { ws.range(k0, k1) } } else { &mut [][..] };
        let GhmcScratch { slot, e, d, w, bufs } = scr;
        let mut part = 0.0;
        for_blocks(len, c, targets, label_weights, k0, k1, bufs, |k, end, y, m| {
            let n = end - k;
            let x = &logits[k..end];
            let (e, d, w, sl) = (&mut e[..n], &mut d[..n], &mut w[..n], &mut slot[..n]);
            dispatch!(ghmc_pass2a(x, y, m, bins, e, d, sl));
            dispatch!(lookup_weights(sl, &table, w));
            let wo = if has_w { &mut wc[k - k0..end - k0] } else { &mut [][..] };
            part += dispatch!(ghmc_pass2c(x, y, e, d, w, sc, &mut lc[k - k0..end - k0], &mut gc[k - k0..end - k0], wo))
        });
        part
    });
    let loss_sum = sums.iter().fold(0.0, |a, b| a + b);
    Ok(GhmSummary { loss_sum, loss: scale * loss_sum, tot, non_empty, scale, updated })
}

#[inline(always)]
fn ghmr_pass1(pred: &[f32], target: &[f32], mu: f32, bins: usize, l_out: &mut [f32], d_out: &mut [f32], g_out: &mut [f32], s_out: &mut [f32]) {
    let n = pred.len();
    let (target, l_out, d_out, g_out, s_out) = (&target[..n], &mut l_out[..n], &mut d_out[..n], &mut g_out[..n], &mut s_out[..n]);
    for i in 0..n {
        let (l, dl) = asl1(pred[i] - target[i], mu);
        let g = dl.abs();
        l_out[i] = l;
        d_out[i] = dl;
        g_out[i] = g;
        s_out[i] = bin_slot(g, bins);
    }
}

#[inline(always)]
fn ghmr_pass2_run(table: &[f32], scale: f32, loss: &mut [f32], grad: &mut [f32], weights: &mut [f32]) -> f64 {
    let n = loss.len();
    let (grad, weights) = (&mut grad[..n], &mut weights[..n]);
    for i in 0..n {
        let w = weight_of(weights[i], table);
        loss[i] *= w;
        grad[i] = scale * w * grad[i];
        weights[i] = w;
    }
    sum_f64(loss)
}

/// GHM-R (reference-semantics §2.3): `pred`, `target`, `label_weights` all `[len]`
/// (`label_weights` may be empty: all 1). `tot = max(Σ label_weights, 1)`.
///
/// Chunks of [`ELEM_CHUNK`] elements (fixed, so the result does not depend on the thread count):
/// pass 1 writes ASL1, its derivative, `g` and the bin slot and counts the chunk's bins; the
/// counts (integers) and the float64 label-weight sums are merged in chunk order; pass 2 weights
/// each chunk and sums its loss in float64, merged in chunk order.
pub fn ghm_r(pred: &[f32], target: &[f32], label_weights: &[f32], o: &GhmOpts, out: GhmOut) -> Result<GhmSummary> {
    let len = pred.len();
    check_len("target", target, len)?;
    if !(label_weights.is_empty() || label_weights.len() == len) {
        return Err(CoreError::shape("label_weights", format!("expected {len} elements, got {}", label_weights.len())));
    }
    if !(o.mu > 0.0) {
        return Err(CoreError::value("mu", format!("must be > 0, got {}", crate::error::num(o.mu))));
    }
    check_opts(o, len, len, &out, false)?;
    // NaN/±Inf and |x| > 1e18 refused here, in parallel (see `ghm_c`)
    super::focal::check_finite("pred", pred)?;
    super::focal::check_finite("target", target)?;
    let GhmOut { loss_elements, grad, weights, g, counts, acc_sum } = out;
    let (bins, mu) = (o.bins, o.mu);
    let chunks = len.div_ceil(ELEM_CHUNK);
    let range = |ci: usize| (ci * ELEM_CHUNK, ((ci + 1) * ELEM_CHUNK).min(len));
    let (ls, grs, ws, gs) = (SharedMut::new(loss_elements), SharedMut::new(grad), SharedMut::new(weights), SharedMut::new(g));
    // pass 1, per chunk: element values, slots, bin counts, Σ label weights
    let parts = crate::par::map_chunks(chunks, len, || (), |_, ci| {
        let (k0, k1) = range(ci);
        // SAFETY: chunk ranges are disjoint.
        let (l, gr, w, gg) = unsafe { (ls.range(k0, k1), grs.range(k0, k1), ws.range(k0, k1), gs.range(k0, k1)) };
        dispatch!(ghmr_pass1(&pred[k0..k1], &target[k0..k1], mu, bins, l, gr, gg, w));
        let lw = if label_weights.is_empty() { &[][..] } else { &label_weights[k0..k1] };
        let mut cnt = vec![0f64; bins];
        let valid = count_bins(w, lw, 1, &mut cnt);
        let lw_sum = if lw.is_empty() { valid as f64 } else { dispatch!(sum_f64(lw)) };
        (cnt, lw_sum)
    });
    counts.fill(0.0);
    let mut lw_sum = 0.0;
    for (cnt, s) in &parts {
        for (c, k) in counts.iter_mut().zip(cnt) {
            *c += k;
        }
        lw_sum += s;
    }
    let tot = lw_sum.max(1.0);
    let (table, non_empty, updated) = bin_weights(o, tot, counts, acc_sum);
    let scale = if o.mean { o.loss_weight / tot } else { o.loss_weight };
    let sc = scale as f32;
    // pass 2, per chunk: weights, weighted loss and gradient, float64 partial sums in chunk order
    let sums = crate::par::map_chunks(chunks, len, || (), |_, ci| {
        let (k0, k1) = range(ci);
        // SAFETY: chunk ranges are disjoint.
        let (l, gr, w) = unsafe { (ls.range(k0, k1), grs.range(k0, k1), ws.range(k0, k1)) };
        let mut part = 0.0;
        for ((l, gr), w) in l.chunks_mut(BLOCK).zip(gr.chunks_mut(BLOCK)).zip(w.chunks_mut(BLOCK)) {
            part += dispatch!(ghmr_pass2_run(&table, sc, l, gr, w));
        }
        part
    });
    let loss_sum = sums.iter().fold(0.0, |a, b| a + b);
    Ok(GhmSummary { loss_sum, loss: scale * loss_sum, tot, non_empty, scale, updated })
}

/// Elements per parallel chunk of the element-wise kernels (GHM-R, smooth L1 / ASL1): a multiple
/// of [`BLOCK`], independent of the thread count.
pub const ELEM_CHUNK: usize = 8 * BLOCK;

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
        RegressionKind::SmoothL1 if !(param >= 0.0) => return Err(CoreError::value("beta", format!("must be ≥ 0, got {}", crate::error::num(param)))),
        RegressionKind::Asl1 if !(param > 0.0) => return Err(CoreError::value("mu", format!("must be > 0, got {}", crate::error::num(param)))),
        _ => {}
    }
    // NaN/±Inf and |x| > 1e18 refused here, in parallel: the facade's serial scans of both inputs
    // cost several times this kernel at 400k×4
    super::focal::check_finite("pred", pred)?;
    super::focal::check_finite("target", target)?;
    // chunks of whole rows (≈ ELEM_CHUNK elements; fixed, so the sum does not depend on the thread
    // count), each summed in float64, merged in chunk order
    let rows = len / cols;
    let step = (ELEM_CHUNK / cols).max(1);
    let chunks = rows.div_ceil(step);
    let (ls, gs) = (SharedMut::new(loss), SharedMut::new(grad));
    let per_row = !weight.is_empty() && weight.len() != len;
    let sums = crate::par::map_chunks(chunks, len, || (), |_, ci| {
        let (r0, r1) = (ci * step, ((ci + 1) * step).min(rows));
        let (k0, k1) = (r0 * cols, r1 * cols);
        // SAFETY: chunk ranges are disjoint.
        let (l, g) = unsafe { (ls.range(k0, k1), gs.range(k0, k1)) };
        let w = if weight.is_empty() { &[][..] } else if per_row { &weight[r0..r1] } else { &weight[k0..k1] };
        let (p, t) = (&pred[k0..k1], &target[k0..k1]);
        match kind {
            RegressionKind::SmoothL1 => dispatch!(regression_kernel::<false>(p, t, w, cols, param, scale, l, g)),
            RegressionKind::Asl1 => dispatch!(regression_kernel::<true>(p, t, w, cols, param, scale, l, g)),
        }
        dispatch!(sum_f64(l))
    });
    Ok(sums.iter().fold(0.0, |a, b| a + b))
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
