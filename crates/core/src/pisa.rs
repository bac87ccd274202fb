//! PISA — Prime Sample Attention (Cao et al., "Prime Sample Attention in Object Detection",
//! CVPR 2020, arXiv 1904.04821): IoU-HLR ranking, ISR-P positive reweighting, ISR-N (Score-HLR)
//! negative selection and weighting, and the CARL loss with its analytic gradients.
//!
//! Semantics follow mmdetection (`mmdet/models/losses/pisa_loss.py` `isr_p` / `carl_loss`,
//! `mmdet/models/task_modules/samplers/score_hlr_sampler.py`), restated in
//! `docs/spec/reference-semantics.md` §3, with the corrections of `decisions.md`
//! (0/0 guard and `max_ratio` bound on the ISR-P renormalisation, optional per-class rank
//! denominator). The gt-offset handling across images is done by the caller (the facade builds
//! global gt ids); kernels here see one flat list of positives.
//!
//! Every kernel is deterministic: sorts carry the sample index as the last key, so equal keys
//! are ordered by index on every backend.

use crate::error::{check_len, CoreError, Result};
use crate::losses::{smooth_l1, softplus};
#[cfg(test)]
use std::cmp::Ordering;

/// "Effective prime samples" mode (our own extension, decisions.md "Beyond the references").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrimeMode {
    /// plain IoU-HLR (reference behaviour)
    Off = 0,
    /// among equal IoUs, a sample whose centre lies inside its gt box comes first
    TieBreak = 1,
    /// inside a gt group, samples whose centre lies inside the gt box come first, then IoU
    Rerank = 2,
}

impl PrimeMode {
    pub fn from_u32(v: u32) -> Result<Self> {
        match v {
            0 => Ok(PrimeMode::Off),
            1 => Ok(PrimeMode::TieBreak),
            2 => Ok(PrimeMode::Rerank),
            _ => Err(CoreError::value("effectivePrime", format!("unknown prime mode {v}"))),
        }
    }
}

/// A small multiplicative hasher for integer keys (the std SipHash is DoS-resistant and slow;
/// these keys come from the caller's own labels and gt ids).
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    #[inline]
    fn write_i32(&mut self, x: i32) {
        self.write_u64(x as u32 as u64);
    }
    #[inline]
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        self.0 ^= self.0 >> 29;
    }
}

type FastHash = std::hash::BuildHasherDefault<FastHasher>;

use crate::sort::{desc_key_f32 as desc_key, desc_key_f64, sort_u128, sort_u64};

#[cfg(test)]
#[inline(always)]
fn desc_f32(a: f32, b: f32) -> Ordering {
    b.partial_cmp(&a).unwrap_or(Ordering::Equal)
}

/// IoU-HLR (paper §3.1, "Hierarchical Local Rank"; mmdet `isr_p` steps 6–7).
///
/// `labels[i] ≥ 0` is the class of positive `i`, `gt_ids[i]` its global gt id (unique across the
/// batch), `ious[i]` the IoU of its prediction with its target. `prime` is empty, or one flag per
/// positive (1 = centre inside its gt box) used by `mode`.
///
/// Writes `ranks[i]` = rank of positive `i` within its class (0 = most important): positives are
/// first ranked inside their (class, gt) group by IoU descending (local rank), then ordered within
/// the class by (local rank ascending, IoU descending). Returns `n_max`, the largest number of
/// positives of one class (mmdet's `max_l_num`; 0 when there are no positives).
pub fn iou_hlr(labels: &[i32], gt_ids: &[i32], ious: &[f32], prime: &[u8], mode: PrimeMode, ranks: &mut [i32]) -> Result<u32> {
    let n = labels.len();
    check_len("gtInds", gt_ids, n)?;
    check_len("ious", ious, n)?;
    check_len("ranks", ranks, n)?;
    if mode != PrimeMode::Off {
        check_len("prime", prime, n)?;
    }
    if n == 0 {
        return Ok(0);
    }
    if let Some(i) = labels.iter().position(|&l| l < 0) {
        return Err(CoreError::value("labels", format!("element {i} is negative ({})", labels[i])));
    }
    if n >= 1 << 31 {
        return Err(CoreError::shape("labels", "too many positives (≥ 2^31)"));
    }
    // One sort, then two linear passes. The u64 key orders the positives by
    // (re-rank flag, IoU descending, tie-break flag, index) — a larger flag first.
    // Walking that order, the k-th member met of a (class, gt) group has local rank k; a stable
    // counting sort by local rank then gives the class-wide order (local rank, flag, IoU, flag,
    // index), and the k-th member met of a class has rank k. Same result as sorting by the full
    // lexicographic keys (checked against the comparator definition in the tests).
    let (rer, tie) = (mode == PrimeMode::Rerank, mode == PrimeMode::TieBreak);
    let mut keys: Vec<u64> = (0..n)
        .map(|i| {
            let p = if mode == PrimeMode::Off { 0 } else { (prime[i] == 0) as u64 };
            let iou = desc_key(ious[i]) as u64;
            if rer {
                (p << 63) | (iou << 31) | i as u64
            } else if tie {
                (iou << 32) | (p << 31) | i as u64
            } else {
                (iou << 31) | i as u64
            }
        })
        .collect();
    sort_u64(&mut keys);
    let order: Vec<u32> = keys.iter().map(|&k| (k & 0x7fff_ffff) as u32).collect();
    drop(keys);
    // local ranks: member counter per (class, gt) group
    let mut group: std::collections::HashMap<u64, u32, FastHash> = std::collections::HashMap::with_capacity_and_hasher(n / 4 + 1, FastHash::default());
    let mut local = vec![0u32; n];
    let mut max_local = 0u32;
    for &i in &order {
        let c = group.entry(((labels[i as usize] as u32 as u64) << 32) | gt_ids[i as usize] as u32 as u64).or_insert(0);
        local[i as usize] = *c;
        max_local = max_local.max(*c);
        *c += 1;
    }
    // stable counting sort of `order` by local rank
    let mut start_of = vec![0u32; max_local as usize + 2];
    for &i in &order {
        start_of[local[i as usize] as usize + 1] += 1;
    }
    for r in 1..start_of.len() {
        start_of[r] += start_of[r - 1];
    }
    let mut by_local = vec![0u32; n];
    for &i in &order {
        let slot = &mut start_of[local[i as usize] as usize];
        by_local[*slot as usize] = i;
        *slot += 1;
    }
    // rank within the class: member counter per class
    let num_labels = *labels.iter().max().unwrap() as usize + 1;
    let n_max = if num_labels <= 4 * n + 1024 {
        let mut seen = vec![0u32; num_labels];
        for &i in &by_local {
            let c = &mut seen[labels[i as usize] as usize];
            ranks[i as usize] = *c as i32;
            *c += 1;
        }
        *seen.iter().max().unwrap() as usize
    } else {
        let mut seen: std::collections::HashMap<i32, u32, FastHash> = std::collections::HashMap::default();
        for &i in &by_local {
            let c = seen.entry(labels[i as usize]).or_insert(0);
            ranks[i as usize] = *c as i32;
            *c += 1;
        }
        *seen.values().max().unwrap() as usize
    };
    Ok(n_max as u32)
}

/// Parameters of [`isr_p_weights`].
#[derive(Debug, Clone, Copy)]
pub struct IsrPParams {
    /// exponent `k` (paper γ), mmdet default 2
    pub k: f32,
    /// bias (paper β), mmdet default 0
    pub bias: f32,
    /// `false`: rank denominator = batch-wide `n_max` (mmdet); `true`: the class's own count n_j (paper)
    pub per_class: bool,
    /// upper bound of the renormalisation ratio (`f64::INFINITY` = unbounded, mmdet)
    pub max_ratio: f64,
    pub prime: PrimeMode,
}

/// Result scalars of [`isr_p_weights`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IsrPStats {
    pub max_l_num: u32,
    /// the factor applied to every weight (1 when the 0/0 guard fired or there are no positives)
    pub ratio: f64,
    /// true when `Σ L·w = 0`: the weights are the original label weights
    pub guarded: bool,
}

/// ISR-P (paper eq. 2–3; mmdet `isr_p` steps 6–9) over the positives of a batch.
///
/// `u = (d − r)/d` with `d = n_max` (or the class count with `per_class`), `w = (bias + (1−bias)·lw·u)^k`,
/// then `w ← w · min(Σ L·lw / Σ L·w, max_ratio)` so that the positive classification loss sum is
/// kept. Guard (decisions.md): when `Σ L·w = 0` the weights are the original `label_weights`.
pub fn isr_p_weights(
    labels: &[i32], gt_ids: &[i32], ious: &[f32], pos_loss: &[f32], label_weights: &[f32], prime: &[u8],
    p: IsrPParams, weights: &mut [f32], ranks: &mut [i32],
) -> Result<IsrPStats> {
    let n = labels.len();
    check_len("posLoss", pos_loss, n)?;
    check_len("labelWeights", label_weights, n)?;
    check_len("weights", weights, n)?;
    let n_max = iou_hlr(labels, gt_ids, ious, prime, p.prime, ranks)?;
    if n == 0 {
        return Ok(IsrPStats { max_l_num: 0, ratio: 1.0, guarded: false });
    }
    // per-class counts n_j (only with per_class): a class's count is 1 + its largest rank
    let mut denom: Vec<u32> = Vec::new();
    if p.per_class {
        let mut best: std::collections::HashMap<i32, u32, FastHash> = std::collections::HashMap::default();
        for i in 0..n {
            let e = best.entry(labels[i]).or_insert(0);
            *e = (*e).max(ranks[i] as u32 + 1);
        }
        denom = labels.iter().map(|l| best[l]).collect();
    }
    let mut ori = 0f64;
    let mut new = 0f64;
    for i in 0..n {
        let d = if p.per_class { denom[i] } else { n_max } as f32;
        let u = (d - ranks[i] as f32) / d;
        let w = (p.bias + (1.0 - p.bias) * label_weights[i] * u).powf(p.k);
        weights[i] = w;
        ori += pos_loss[i] as f64 * label_weights[i] as f64;
        new += pos_loss[i] as f64 * w as f64;
    }
    if new == 0.0 || !new.is_finite() {
        weights.copy_from_slice(label_weights);
        return Ok(IsrPStats { max_l_num: n_max, ratio: 1.0, guarded: true });
    }
    let ratio = (ori / new).min(p.max_ratio);
    for w in weights.iter_mut() {
        *w = (*w as f64 * ratio) as f32;
    }
    Ok(IsrPStats { max_l_num: n_max, ratio, guarded: false })
}

/// Per-sample classification loss of the rows of `cls_score` (`[n, cols]`), as ISR-P needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ClsLoss {
    /// softmax cross-entropy over the `cols` (= C + 1) columns: `logsumexp(x) − x_label`
    Ce,
    /// sigmoid focal loss over the `cols` (= C) columns with a one-hot target, summed per row;
    /// `alpha < 0` disables α-balancing
    Focal { alpha: f32, gamma: f32 },
}

/// Writes the per-row classification loss (mmdet `loss_cls(..., reduction_override='none')`,
/// summed over the class columns for the focal loss) into `out` (`[n]`). Rows are independent:
/// large calls split them over the worker threads (the values do not depend on the split).
pub fn cls_loss_rows(cls_score: &[f32], labels: &[i32], cols: usize, kind: ClsLoss, out: &mut [f32]) -> Result<()> {
    let n = labels.len();
    check_len("clsScore", cls_score, n * cols)?;
    check_len("out", out, n)?;
    let step = (ROW_CHUNK_WORK / cols.max(1)).max(1);
    let chunks = n.div_ceil(step);
    let shared = crate::par::SharedMut::new(out);
    let res = crate::par::map_chunks(chunks, n * cols * TRANSCENDENTAL_COST, || (), |_, ci| -> Result<()> {
        let (r0, r1) = (ci * step, ((ci + 1) * step).min(n));
        // SAFETY: chunk ranges are disjoint.
        let out = unsafe { shared.range(r0, r1) };
        for i in r0..r1 {
            out[i - r0] = cls_loss_row(&cls_score[i * cols..(i + 1) * cols], labels[i], i, kind)?;
        }
        Ok(())
    });
    // the first bad label in row order, as a sequential pass would report it
    res.into_iter().collect()
}

/// Rows per parallel chunk of the row-wise PISA kernels: about this many score elements.
const ROW_CHUNK_WORK: usize = 16 * 1024;
/// Work units per element of a row-wise kernel with float64 `exp`/`log` per element (about
/// this many times the cost of a vectorised float32 element the parallel threshold is measured in).
const TRANSCENDENTAL_COST: usize = 8;

fn cls_loss_row(row: &[f32], l: i32, i: usize, kind: ClsLoss) -> Result<f32> {
    let cols = row.len();
    if l < 0 || l as usize >= cols {
        return Err(CoreError::value("labels", format!("element {i} ({l}) is not a column of clsScore")));
    }
    let l = l as usize;
    Ok(match kind {
        ClsLoss::Ce => {
            let m = row.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
            let s: f64 = row.iter().map(|&x| ((x - m) as f64).exp()).sum();
            (m as f64 + s.ln() - row[l] as f64) as f32
        }
        ClsLoss::Focal { alpha, gamma } => {
            let mut s = 0f64;
            for (c, &x) in row.iter().enumerate() {
                let (xt, at) = if c == l { (x, alpha) } else { (-x, 1.0 - alpha) };
                let at = if alpha < 0.0 { 1.0 } else { at };
                // BCE = softplus(−x_t); (1 − p_t)^γ = exp(−γ·softplus(x_t))
                let mod_ = if gamma == 0.0 { 1.0 } else { (-gamma * softplus(xt)).exp() };
                s += (at * mod_ * softplus(-xt)) as f64;
            }
            s as f32
        }
    })
}

/// Parameters of [`carl_loss`].
#[derive(Debug, Clone, Copy)]
pub struct CarlParams {
    /// number of foreground classes C; background label = C
    pub num_classes: usize,
    /// sigmoid scores over C columns (RetinaNet) or softmax over C + 1 columns (R-CNN, SSD)
    pub sigmoid: bool,
    pub k: f32,
    pub bias: f32,
    /// smooth-L1 β
    pub beta: f32,
    /// divisor of the summed loss (mmdet: `avg_factor`, default N)
    pub avg_factor: f32,
    /// multiplies the loss (mmdet: the `loss_bbox` module's `loss_weight`)
    pub loss_weight: f32,
}

/// Per-positive values of CARL's first pass.
#[derive(Clone, Copy, Default)]
struct CarlPos {
    /// probability of the true class (float64: see [`carl_loss`])
    s: f64,
    v: f64,
    dv: f64,
    /// Σ_4 smooth L1 of the box
    r: f64,
}

/// CARL (paper eq. 5–6; mmdet `carl_loss`): `s_i` the probability of the true class,
/// `v_i = (bias + (1−bias)·s_i)^k`, `c_i = v_i·n_pos/Σv`,
/// `loss = loss_weight · Σ_i c_i · Σ_4 smoothL1_β(pred_i − target_i) / avg_factor`.
///
/// Writes the gradient of the loss w.r.t. `cls_score` (`[N, cols]`) and `bbox_pred`
/// (`[N, 4]` or class-specific `[N, 4C]`), through `s_i` and through the normaliser `Σv`, and the
/// weights `c_i` (`[N]`, 0 for non-positives). Returns the loss; no positives → 0.
///
/// The positives are processed in fixed chunks (split over the worker threads when large): Σv and
/// Σv·R are float64 partial sums merged in chunk order, so the result does not depend on the
/// thread count.
pub fn carl_loss(
    cls_score: &[f32], labels: &[i32], bbox_pred: &[f32], bbox_targets: &[f32], p: CarlParams,
    grad_cls: &mut [f32], grad_bbox: &mut [f32], weights: &mut [f32],
) -> Result<f64> {
    let n = labels.len();
    let cols = if p.sigmoid { p.num_classes } else { p.num_classes + 1 };
    check_len("clsScore", cls_score, n * cols)?;
    check_len("bboxTargets", bbox_targets, n * 4)?;
    let bcols = if n == 0 { 4 } else { bbox_pred.len() / n };
    if bbox_pred.len() != n * bcols || (bcols != 4 && bcols != 4 * p.num_classes) {
        return Err(CoreError::shape("bboxPred", "expected [N, 4] or [N, 4·C]"));
    }
    check_len("gradClsScore", grad_cls, n * cols)?;
    check_len("gradBboxPred", grad_bbox, bbox_pred.len())?;
    check_len("weights", weights, n)?;
    grad_cls.fill(0.0);
    grad_bbox.fill(0.0);
    weights.fill(0.0);
    let c = p.num_classes;
    let mut pos: Vec<usize> = Vec::new();
    for (i, &l) in labels.iter().enumerate() {
        if l < 0 || l as usize > c {
            return Err(CoreError::value("labels", format!("element {i} ({l}) is outside [0, {c}]")));
        }
        if (l as usize) < c {
            pos.push(i);
        }
    }
    if pos.is_empty() {
        return Ok(0.0);
    }
    let np = pos.len();
    let step = (ROW_CHUNK_WORK / cols.max(1)).max(1);
    let chunks = np.div_ceil(step);
    let work = np * cols * TRANSCENDENTAL_COST;
    let box_off = |i: usize, l: usize| if bcols == 4 { i * 4 } else { i * bcols + 4 * l };
    // pass 1 per chunk of positives: s, v, dv/ds, regression sum R; float64 Σv, Σv·R per chunk
    // s in float64: a label probability that underflows float32 (logit gap > ~88, 104 subnormal)
    // is still a weight against the other positives' (CARL normalises v over the batch)
    let mut vals = vec![CarlPos::default(); np];
    let vs = crate::par::SharedMut::new(&mut vals);
    let parts = crate::par::map_chunks(chunks, work, || (), |_, ci| {
        let (q0, q1) = (ci * step, ((ci + 1) * step).min(np));
        // SAFETY: chunk ranges are disjoint.
        let vals = unsafe { vs.range(q0, q1) };
        let (mut vsum, mut vr) = (0f64, 0f64);
        for (q, &i) in pos[q0..q1].iter().enumerate() {
            let l = labels[i] as usize;
            let row = &cls_score[i * cols..(i + 1) * cols];
            let s = if p.sigmoid {
                let x = row[l] as f64;
                if x >= 0.0 { 1.0 / (1.0 + (-x).exp()) } else { x.exp() / (1.0 + x.exp()) }
            } else {
                let m = row.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
                let mut z = 0f64;
                for &x in row {
                    z += ((x - m) as f64).exp();
                }
                ((row[l] - m) as f64).exp() / z
            };
            let (bias, k) = (p.bias as f64, p.k as f64);
            let base = bias + (1.0 - bias) * s;
            let v = base.powf(k);
            let dv = if base > 0.0 { k * (1.0 - bias) * base.powf(k - 1.0) } else { 0.0 };
            let off = box_off(i, l);
            let mut r = 0f64;
            for j in 0..4 {
                r += smooth_l1(bbox_pred[off + j] - bbox_targets[i * 4 + j], p.beta).0 as f64;
            }
            vals[q] = CarlPos { s, v, dv, r };
            vsum += v;
            vr += v * r;
        }
        (vsum, vr)
    });
    let (vsum, vr) = parts.iter().fold((0f64, 0f64), |(a, b), (x, y)| (a + x, b + y));
    let scale = p.loss_weight as f64 / p.avg_factor as f64;
    let npf = np as f64;
    if vsum <= 0.0 {
        // every v is 0 (bias 0 and every score 0): mmdet would give 0/0; the loss is 0 with 0 gradient
        return Ok(0.0);
    }
    let loss = scale * npf * vr / vsum;
    // pass 2 per chunk: every positive writes only its own row of each output
    let (gcs, gbs, ws) = (crate::par::SharedMut::new(grad_cls), crate::par::SharedMut::new(grad_bbox), crate::par::SharedMut::new(weights));
    crate::par::map_chunks(chunks, work, || (), |_, ci| {
        let (q0, q1) = (ci * step, ((ci + 1) * step).min(np));
        for (q, &i) in pos.iter().enumerate().take(q1).skip(q0) {
            let CarlPos { s: sq, v, dv, r } = vals[q];
            let l = labels[i] as usize;
            let cw = v * npf / vsum;
            // SAFETY: positive i owns element i of weights, row i of grad_cls and its box of grad_bbox.
            let (w, grow) = unsafe { (ws.range(i, i + 1), gcs.range(i * cols, (i + 1) * cols)) };
            w[0] = cw as f32;
            // d loss / d v_q
            let dl_dv = scale * npf * (r / vsum - vr / (vsum * vsum));
            let dl_ds = dl_dv * dv;
            let row = &cls_score[i * cols..(i + 1) * cols];
            if !p.sigmoid {
                // d s_l / d x_m = s_l (δ_lm − p_m), p_m recomputed as in pass 1
                let m = row.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
                let mut z = 0f64;
                for &x in row {
                    z += ((x - m) as f64).exp();
                }
                let f = (dl_ds * sq) as f32;
                for (g, &x) in grow.iter_mut().zip(row) {
                    let pm = (((x - m) as f64).exp() / z) as f32;
                    *g = -f * pm;
                }
            }
            grow[l] = (dl_ds * sq * (1.0 - sq)) as f32;
            let off = box_off(i, l);
            // SAFETY: as above.
            let gb = unsafe { gbs.range(off, off + 4) };
            let sc = (scale * cw) as f32;
            for j in 0..4 {
                gb[j] = sc * smooth_l1(bbox_pred[off + j] - bbox_targets[i * 4 + j], p.beta).1;
            }
        }
    });
    Ok(loss)
}

/// The samplers' seeded generator (xoshiro128** over splitmix32; see `crate::assign::rng`).
use crate::assign::rng;


/// Parameters of [`isr_n`].
#[derive(Debug, Clone, Copy)]
pub struct IsrNParams {
    /// number of negatives to select (capped by the number of negatives)
    pub num_expected: usize,
    /// mmdet default 0.5
    pub k: f32,
    /// mmdet default 0
    pub bias: f32,
    /// a negative is "valid" (HLR-ranked) when its score is > `score_thr` (mmdet 0.05)
    pub score_thr: f32,
    /// NMS-match grouping threshold, IoU ≥ `iou_thr` (mmdet 0.5)
    pub iou_thr: f32,
    /// bound of the renormalisation ratio
    pub max_ratio: f64,
    pub seed: u32,
}

/// Result scalars of [`isr_n`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IsrNStats {
    pub num_valid: usize,
    pub num_hlr: usize,
    pub ratio: f64,
    pub guarded: bool,
}

/// Number of negatives [`isr_n`] selects for `m` candidates.
pub fn isr_n_count(m: usize, num_expected: usize) -> usize {
    m.min(num_expected)
}

/// ISR-N with Score-HLR (paper §3.2; mmdet `ScoreHLRSampler._sample_neg`), for the negatives of
/// one image: `scores[j]` (the pluggable score, mmdet: max foreground softmax probability),
/// `boxes[j]` (`[m, 4]` xyxy, mmdet: decoded with the argmax class's deltas), `loss[j]` (empty, or
/// the negative's own classification loss for the renormalisation).
///
/// Valid negatives (`score > score_thr`) are grouped by NMS-match (score order, ties by index; a
/// keeper takes every unsuppressed box with IoU ≥ `iou_thr`), `r_j` = position in its group,
/// importance `#valid − r_j + s_j`; the top `min(#valid, num_expected)` by importance are selected
/// (in rank order), the rest are drawn uniformly from the invalid ones (seeded generator, sorted).
/// Weights: `(up − rank)/up` with `up = max(num_expected, #valid)`, random fill-ins the smallest of
/// those, then `(bias + (1−bias)·w)^k`, then renormalised so `Σ L·w = Σ L` over the selected
/// (bounded by `max_ratio`; 0/0 keeps weights 1). No valid negative → uniform random, weights 1.
/// Writes `selected` and `weights` (length [`isr_n_count`]).
pub fn isr_n(scores: &[f32], boxes: &[f32], loss: &[f32], p: IsrNParams, selected: &mut [i32], weights: &mut [f32]) -> Result<IsrNStats> {
    let m = scores.len();
    check_len("boxes", boxes, 4 * m)?;
    if !loss.is_empty() {
        check_len("loss", loss, m)?;
    }
    let ne = isr_n_count(m, p.num_expected);
    check_len("selected", selected, ne)?;
    check_len("weights", weights, ne)?;
    let mut rng = rng::Rng::new(p.seed);
    let mut valid: Vec<u32> = (0..m as u32).filter(|&j| scores[j as usize] > p.score_thr).collect();
    let nv = valid.len();
    if nv == 0 {
        let pick = rng.choose((0..m as u32).collect(), ne);
        for (q, &j) in pick.iter().enumerate() {
            selected[q] = j as i32;
        }
        weights.fill(1.0);
        return Ok(IsrNStats { num_valid: 0, num_hlr: 0, ratio: 1.0, guarded: false });
    }
    // NMS-match groups over the valid boxes, in score order
    // by score descending, ties by index (scores > score_thr: no NaN)
    let mut keys: Vec<u64> = valid.iter().map(|&j| (desc_key(scores[j as usize]) as u64) << 32 | j as u64).collect();
    sort_u64(&mut keys);
    for (v, &k) in valid.iter_mut().zip(keys.iter()) {
        *v = k as u32;
    }
    drop(keys);
    let vb: Vec<f32> = valid.iter().flat_map(|&j| boxes[4 * j as usize..4 * j as usize + 4].iter().cloned()).collect();
    let opts = crate::geometry::OverlapOpts { mode: crate::geometry::OverlapMode::Iou, eps: 1e-6, offset: 0.0 };
    let mut suppressed = vec![false; nv];
    let mut grp_rank = vec![0u32; nv];
    // Overlap rows are computed a block of BLOCK candidates at a time with the pairwise (SIMD)
    // kernel against every later box; a block's rows are then consumed in score order.
    const BLOCK: usize = 64;
    let mut rows = vec![0f32; BLOCK.min(nv) * nv];
    let mut a0 = 0;
    while a0 < nv {
        let a1 = (a0 + BLOCK).min(nv);
        if (a0..a1).any(|a| !suppressed[a]) {
            let width = nv - a0;
            let block = &mut rows[..(a1 - a0) * width];
            crate::geometry::bbox_overlaps(&vb[4 * a0..4 * a1], &vb[4 * a0..], opts, block)?;
            for a in a0..a1 {
                if suppressed[a] {
                    continue;
                }
                let row = &block[(a - a0) * width..(a - a0 + 1) * width];
                let mut r = 1u32;
                for b in a + 1..nv {
                    if !suppressed[b] && row[b - a0] >= p.iou_thr {
                        suppressed[b] = true;
                        grp_rank[b] = r;
                        r += 1;
                    }
                }
            }
        }
        a0 = a1;
    }
    // importance = #valid − r + s, rank by importance descending (ties by index)
    let imp: Vec<f64> = (0..nv).map(|q| nv as f64 - grp_rank[q] as f64 + scores[valid[q] as usize] as f64).collect();
    // keys: importance descending, then the box index ascending (the index is what is kept)
    let mut order: Vec<u128> = (0..nv).map(|q| (desc_key_f64(imp[q]) as u128) << 32 | valid[q] as u128).collect();
    sort_u128(&mut order);
    let num_hlr = nv.min(ne);
    let num_rand = ne - num_hlr;
    let up = ne.max(nv) as f32;
    for q in 0..num_hlr {
        selected[q] = order[q] as u32 as i32;
        weights[q] = (up - q as f32) / up;
    }
    if num_rand > 0 {
        let invalid: Vec<u32> = (0..m as u32).filter(|&j| scores[j as usize] <= p.score_thr).collect();
        let pick = rng.choose(invalid, num_rand);
        let wmin = (up - (num_hlr as f32 - 1.0)) / up;
        for (t, &j) in pick.iter().enumerate() {
            selected[num_hlr + t] = j as i32;
            weights[num_hlr + t] = wmin;
        }
    }
    for w in weights.iter_mut() {
        *w = (p.bias + (1.0 - p.bias) * *w).powf(p.k);
    }
    if loss.is_empty() {
        return Ok(IsrNStats { num_valid: nv, num_hlr, ratio: 1.0, guarded: false });
    }
    let (mut ori, mut new) = (0f64, 0f64);
    for q in 0..ne {
        let l = loss[selected[q] as usize] as f64;
        ori += l;
        new += l * weights[q] as f64;
    }
    if new == 0.0 || !new.is_finite() {
        weights.fill(1.0);
        return Ok(IsrNStats { num_valid: nv, num_hlr, ratio: 1.0, guarded: true });
    }
    let ratio = (ori / new).min(p.max_ratio);
    for w in weights.iter_mut() {
        *w = (*w as f64 * ratio) as f32;
    }
    Ok(IsrNStats { num_valid: nv, num_hlr, ratio, guarded: false })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hlr_and_isr_p_spec_example() {
        // reference-semantics §3.1 numeric example
        let labels = [0, 0, 0, 1, 1];
        let gts = [0, 0, 1, 2, 2];
        let ious = [0.9, 0.6, 0.7, 0.8, 0.5];
        let mut ranks = [0i32; 5];
        let nmax = iou_hlr(&labels, &gts, &ious, &[], PrimeMode::Off, &mut ranks).unwrap();
        assert_eq!(nmax, 3);
        assert_eq!(ranks, [0, 2, 1, 0, 1]);
        let p = IsrPParams { k: 2.0, bias: 0.0, per_class: false, max_ratio: f64::INFINITY, prime: PrimeMode::Off };
        let mut w = [0f32; 5];
        let st = isr_p_weights(&labels, &gts, &ious, &[1.0; 5], &[1.0; 5], &[], p, &mut w, &mut ranks).unwrap();
        let e = [1.6666667, 0.1851852, 0.7407407, 1.6666667, 0.7407407];
        for i in 0..5 {
            assert!((w[i] - e[i]).abs() < 1e-6, "{w:?}");
        }
        assert!((st.ratio - 5.0 / 3.0).abs() < 1e-6);
        let st = isr_p_weights(&labels, &gts, &ious, &[0.5, 1.0, 0.2, 0.4, 2.0], &[1.0; 5], &[], p, &mut w, &mut ranks).unwrap();
        let e = [2.06145, 0.22905, 0.91620, 2.06145, 0.91620];
        for i in 0..5 {
            assert!((w[i] - e[i]).abs() < 1e-5, "{w:?} {st:?}");
        }
        // 0/0 guard
        let st = isr_p_weights(&labels, &gts, &ious, &[0.0; 5], &[1.0, 0.5, 1.0, 1.0, 1.0], &[], p, &mut w, &mut ranks).unwrap();
        assert!(st.guarded && st.ratio == 1.0);
        assert_eq!(w, [1.0, 0.5, 1.0, 1.0, 1.0]);
        // bound
        let pb = IsrPParams { max_ratio: 1.2, ..p };
        let st = isr_p_weights(&labels, &gts, &ious, &[1.0; 5], &[1.0; 5], &[], pb, &mut w, &mut ranks).unwrap();
        assert_eq!(st.ratio, 1.2);
        assert!((w[0] - 1.2).abs() < 1e-6);
    }

    #[test]
    fn carl_spec_example() {
        // s = [0.9, 0.5, 0.1] through sigmoid logits; reg sums [0.1, 0.2, 0.3] with β large (0.5 d²/β)
        let logit = |s: f32| (s / (1.0 - s)).ln();
        let cls = [logit(0.9), logit(0.5), logit(0.1)];
        let labels = [0, 0, 0];
        // one coordinate with d, 0.5 d² / β = R  → d = sqrt(2 R β)
        let beta = 10.0f32;
        let mut pred = [0f32; 12];
        for (i, r) in [0.1f32, 0.2, 0.3].iter().enumerate() {
            pred[4 * i] = (2.0 * r * beta).sqrt();
        }
        let p = CarlParams { num_classes: 1, sigmoid: true, k: 1.0, bias: 0.2, beta, avg_factor: 3.0, loss_weight: 1.0 };
        let (mut gc, mut gb, mut w) = ([0f32; 3], [0f32; 12], [0f32; 3]);
        let loss = carl_loss(&cls, &labels, &pred, &[0.0; 12], p, &mut gc, &mut gb, &mut w).unwrap();
        assert!((loss - 0.1644444).abs() < 1e-6, "{loss}");
        for (a, e) in w.iter().zip([1.5333333, 1.0, 0.4666667]) {
            assert!((a - e).abs() < 1e-5);
        }
    }

    #[test]
    fn isr_n_spec_example() {
        // s = [0.9, 0.8, 0.3, 0.6, 0.2]; groups [[0, 1, 4], [3, 2]]
        let scores = [0.9, 0.8, 0.3, 0.6, 0.2];
        let boxes = [
            0.0, 0.0, 10.0, 10.0, 0.0, 0.0, 10.0, 11.0, 100.0, 100.0, 110.0, 111.0, 100.0, 100.0, 110.0, 110.0, 1.0, 0.0, 10.0, 10.0,
        ];
        let p = IsrNParams { num_expected: 4, k: 0.5, bias: 0.0, score_thr: 0.05, iou_thr: 0.5, max_ratio: f64::INFINITY, seed: 0 };
        let (mut sel, mut w) = ([0i32; 4], [0f32; 4]);
        let st = isr_n(&scores, &boxes, &[], p, &mut sel, &mut w).unwrap();
        assert_eq!(sel, [0, 3, 1, 2]);
        assert_eq!(st.num_hlr, 4);
        for (a, e) in w.iter().zip([1.0, 0.8944272, 0.7745967, 0.6324555]) {
            assert!((a - e).abs() < 1e-6, "{w:?}");
        }
    }

    /// Comparator-based IoU-HLR (the definition) for checking the packed-key sort.
    fn hlr_naive(labels: &[i32], gt: &[i32], ious: &[f32], prime: &[u8], mode: PrimeMode) -> Vec<i32> {
        let n = labels.len();
        let pf = |i: usize| if mode == PrimeMode::Off { 0 } else { prime[i] };
        let cmp = |a: usize, b: usize, ga: i32, gb: i32| {
            labels[a].cmp(&labels[b]).then(ga.cmp(&gb))
                .then(if mode == PrimeMode::Rerank { pf(b).cmp(&pf(a)) } else { Ordering::Equal })
                .then(desc_f32(ious[a], ious[b]))
                .then(if mode == PrimeMode::TieBreak { pf(b).cmp(&pf(a)) } else { Ordering::Equal })
                .then(a.cmp(&b))
        };
        let mut idx: Vec<usize> = (0..n).collect();
        idx.sort_by(|&a, &b| cmp(a, b, gt[a], gt[b]));
        let mut local = vec![0i32; n];
        let mut start = 0;
        for p in 0..n {
            if p > 0 && (labels[idx[p]], gt[idx[p]]) != (labels[idx[p - 1]], gt[idx[p - 1]]) { start = p; }
            local[idx[p]] = (p - start) as i32;
        }
        idx.sort_by(|&a, &b| cmp(a, b, local[a], local[b]));
        let mut ranks = vec![0i32; n];
        let mut start = 0;
        for p in 0..n {
            if p > 0 && labels[idx[p]] != labels[idx[p - 1]] { start = p; }
            ranks[idx[p]] = (p - start) as i32;
        }
        ranks
    }

    #[test]
    fn packed_keys_match_the_comparator_definition() {
        let mut r = rng::Rng::new(99);
        for trial in 0..200 {
            let n = 1 + r.below(60) as usize;
            let labels: Vec<i32> = (0..n).map(|_| r.below(4) as i32).collect();
            let gt: Vec<i32> = (0..n).map(|_| r.below(6) as i32).collect();
            // coarse IoUs so ties happen; include 0 and 1
            let ious: Vec<f32> = (0..n).map(|_| r.below(6) as f32 / 5.0).collect();
            let prime: Vec<u8> = (0..n).map(|_| r.below(2) as u8).collect();
            for mode in [PrimeMode::Off, PrimeMode::TieBreak, PrimeMode::Rerank] {
                let mut ranks = vec![0i32; n];
                iou_hlr(&labels, &gt, &ious, &prime, mode, &mut ranks).unwrap();
                assert_eq!(ranks, hlr_naive(&labels, &gt, &ious, &prime, mode), "trial {trial} {mode:?}");
            }
        }
    }
}
