//! The hard samplers (reference-semantics §4): random (mmdet `RandomSampler`), OHEM (top-k by a
//! caller-given loss), IoU-balanced negatives (Libra R-CNN `IoUBalancedNegSampler`, stateless) and
//! SSD hard negative mining.
//!
//! Candidates: when `num_added = G > 0` (mmdet `add_gt_as_proposals`), the `G` gt boxes are
//! prepended as candidates `0..G` (each a positive for itself, IoU 1), and prior `p` is candidate
//! `G + p`. Results are candidate indices, ascending.
//!
//! Output packing (shared by the bindings): `[num_pos, num_neg, pos..., neg..., pos_gt...]` where
//! `pos_gt` is the 0-based gt index of each positive.

use super::rng::Rng;
use crate::error::{check_len, CoreError, Result};
use std::cmp::Ordering;

/// Sampling budget (mmdet `BaseSampler.sample`).
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// total samples wanted
    pub num: usize,
    /// `int(num · pos_fraction)`
    pub num_expected_pos: usize,
    /// negatives ≤ `floor(neg_pos_ub · max(1, #pos))` when ≥ 0; `< 0` = no cap
    pub neg_pos_ub: f64,
}

impl Budget {
    /// Negatives wanted once `num_pos` positives were taken.
    pub fn expected_neg(&self, num_pos: usize) -> usize {
        let mut n = self.num.saturating_sub(num_pos);
        if self.neg_pos_ub >= 0.0 {
            let ub = (self.neg_pos_ub * num_pos.max(1) as f64).floor() as usize;
            n = n.min(ub);
        }
        n
    }
}

/// Positive and negative candidate pools, ascending.
pub fn pools(gt_inds: &[i32], num_added: usize) -> (Vec<u32>, Vec<u32>) {
    let mut pos: Vec<u32> = (0..num_added as u32).collect();
    let mut neg = Vec::new();
    for (p, &a) in gt_inds.iter().enumerate() {
        let c = (num_added + p) as u32;
        if a > 0 {
            pos.push(c);
        } else if a == 0 {
            neg.push(c);
        }
    }
    (pos, neg)
}

fn pack(gt_inds: &[i32], num_added: usize, pos: &[u32], neg: &[u32]) -> Vec<i32> {
    let mut out = Vec::with_capacity(2 + 2 * pos.len() + neg.len());
    out.push(pos.len() as i32);
    out.push(neg.len() as i32);
    out.extend(pos.iter().map(|&c| c as i32));
    out.extend(neg.iter().map(|&c| c as i32));
    out.extend(pos.iter().map(|&c| {
        let c = c as usize;
        if c < num_added { c as i32 } else { gt_inds[c - num_added] - 1 }
    }));
    out
}

fn check_added(gt_inds: &[i32], num_added: usize) -> Result<()> {
    if let Some(&bad) = gt_inds.iter().find(|&&a| a > 0 && num_added > 0 && a as usize > num_added) {
        return Err(CoreError::value("assign.gtInds", format!("gt index {bad} exceeds the {num_added} gts added as proposals")));
    }
    Ok(())
}

/// mmdet `RandomSampler` with our generator: positives first, then negatives, from one stream.
pub fn random_sample(gt_inds: &[i32], num_added: usize, b: Budget, seed: u32) -> Result<Vec<i32>> {
    check_added(gt_inds, num_added)?;
    let (pos_pool, neg_pool) = pools(gt_inds, num_added);
    let mut rng = Rng::new(seed);
    let pos = rng.choose(pos_pool, b.num_expected_pos);
    let neg = rng.choose(neg_pool, b.expected_neg(pos.len()));
    Ok(pack(gt_inds, num_added, &pos, &neg))
}

/// The `k` hardest of `pool` (an ascending candidate list) by `losses`: larger loss first, ties to
/// the smaller index; returned ascending. Selects the k-th largest loss on a contiguous copy of the
/// pool's losses (O(n)), then keeps everything above it and the first tied members in pool order.
pub fn top_k(pool: Vec<u32>, k: usize, losses: &[f32]) -> Vec<u32> {
    debug_assert!(pool.windows(2).all(|w| w[0] < w[1]));
    if pool.len() <= k {
        return pool;
    }
    if k == 0 {
        return Vec::new();
    }
    let mut vals: Vec<f32> = pool.iter().map(|&c| losses[c as usize]).collect();
    let (_, kth, _) = vals.select_nth_unstable_by(k - 1, |a, b| b.partial_cmp(a).unwrap_or(Ordering::Equal));
    let kth = *kth;
    let above = pool.iter().filter(|&&c| losses[c as usize] > kth).count();
    let mut ties = k - above;
    let mut out = Vec::with_capacity(k);
    for &c in &pool {
        let v = losses[c as usize];
        if v > kth {
            out.push(c);
        } else if v == kth && ties > 0 {
            out.push(c);
            ties -= 1;
        }
    }
    out
}

/// mmdet `OHEMSampler` with the loss given by the caller (one per candidate, gts first when added):
/// the hardest positives, then the hardest negatives. Deterministic.
pub fn ohem_sample(gt_inds: &[i32], num_added: usize, losses: &[f32], b: Budget) -> Result<Vec<i32>> {
    check_added(gt_inds, num_added)?;
    check_len("losses", losses, num_added + gt_inds.len())?;
    let (pos_pool, neg_pool) = pools(gt_inds, num_added);
    let pos = top_k(pos_pool, b.num_expected_pos, losses);
    let neg = top_k(neg_pool, b.expected_neg(pos.len()), losses);
    Ok(pack(gt_inds, num_added, &pos, &neg))
}

/// Options of [`iou_balanced_sample`] (Libra R-CNN).
#[derive(Debug, Clone, Copy)]
pub struct IouBalancedOpts {
    /// `< 0`: no floor set, bins start at 0 (mmdet's first call); `0`: floor = {IoU 0}; `> 0`: floor = [0, thr)
    pub floor_thr: f64,
    /// share of the negatives drawn from the floor set
    pub floor_fraction: f64,
    /// IoU bins (≥ 2 samples via intervals, else uniformly)
    pub num_bins: usize,
}

/// Stateless mmdet `IoUBalancedNegSampler`: random positives, then IoU-balanced negatives, all from
/// one generator stream in this order: positives; the IoU part (bin 0, 1, ..., then the top-up from
/// the rest of the IoU set); the floor part; the final top-up from the remaining negatives.
/// `max_overlaps` is per prior (length P); added gts count as IoU 1.
pub fn iou_balanced_sample(
    gt_inds: &[i32],
    max_overlaps: &[f32],
    num_added: usize,
    b: Budget,
    o: IouBalancedOpts,
    seed: u32,
) -> Result<Vec<i32>> {
    check_added(gt_inds, num_added)?;
    check_len("assign.maxOverlaps", max_overlaps, gt_inds.len())?;
    let (pos_pool, neg_pool) = pools(gt_inds, num_added);
    let mut rng = Rng::new(seed);
    let pos = rng.choose(pos_pool, b.num_expected_pos);
    let expected = b.expected_neg(pos.len());
    let m = |c: u32| -> f64 {
        let c = c as usize;
        if c < num_added { 1.0 } else { max_overlaps[c - num_added] as f64 }
    };
    let neg = if neg_pool.len() <= expected {
        neg_pool
    } else {
        let ft = o.floor_thr;
        let (floor, iou_set): (Vec<u32>, Vec<u32>) = if ft > 0.0 {
            let f = neg_pool.iter().copied().filter(|&c| m(c) >= 0.0 && m(c) < ft).collect();
            let i = neg_pool.iter().copied().filter(|&c| m(c) >= ft).collect();
            (f, i)
        } else if ft == 0.0 {
            let f = neg_pool.iter().copied().filter(|&c| m(c) == 0.0).collect();
            let i = neg_pool.iter().copied().filter(|&c| m(c) > 0.0).collect();
            (f, i)
        } else {
            (Vec::new(), neg_pool.iter().copied().filter(|&c| m(c) > ft).collect())
        };
        let base = ft.max(0.0);
        let n_iou = (expected as f64 * (1.0 - o.floor_fraction)).floor() as usize;
        let iou_sampled = if iou_set.len() > n_iou {
            if o.num_bins >= 2 {
                // max over every candidate (positives included), as mmdet
                let mut max_iou = f64::NEG_INFINITY;
                for c in 0..(num_added + gt_inds.len()) as u32 {
                    max_iou = max_iou.max(m(c));
                }
                let width = (max_iou - base) / o.num_bins as f64;
                let per_bin = n_iou / o.num_bins;
                let mut taken = Vec::with_capacity(n_iou);
                for i in 0..o.num_bins {
                    let lo = base + i as f64 * width;
                    let hi = base + (i + 1) as f64 * width;
                    let bin: Vec<u32> = iou_set.iter().copied().filter(|&c| m(c) >= lo && m(c) < hi).collect();
                    taken.extend(rng.choose(bin, per_bin));
                }
                top_up(&mut rng, taken, &iou_set, n_iou)
            } else {
                rng.choose(iou_set, n_iou)
            }
        } else {
            iou_set
        };
        let n_floor = expected - iou_sampled.len();
        let mut sampled = rng.choose(floor, n_floor);
        sampled.extend(iou_sampled);
        top_up(&mut rng, sampled, &neg_pool, expected)
    };
    let mut neg = neg;
    neg.sort_unstable();
    Ok(pack(gt_inds, num_added, &pos, &neg))
}

/// Adds `want − taken.len()` random members of `set \ taken` (all of them if fewer), sorted.
fn top_up(rng: &mut Rng, mut taken: Vec<u32>, set: &[u32], want: usize) -> Vec<u32> {
    if taken.len() < want {
        taken.sort_unstable();
        let rest: Vec<u32> = set.iter().copied().filter(|c| taken.binary_search(c).is_err()).collect();
        let extra = rng.choose(rest, want - taken.len());
        taken.extend(extra);
    }
    taken.sort_unstable();
    taken
}

/// SSD hard negative mining (mmdet `SSDHead.loss_by_feat_single`, per image): `losses` and `labels`
/// are `n_images × P`; positives are labels in `[0, num_classes)`, negatives `== num_classes`
/// (anything else is ignored); per image keep the `min(floor(ratio · #pos), #neg)` hardest negatives
/// (an image without positives keeps none). Returns `[num_pos, num_neg, pos..., neg...]` with flat
/// indices into the `n_images × P` arrays, ascending.
pub fn hard_negative_mining(losses: &[f32], labels: &[i32], n_images: usize, num_classes: i32, neg_pos_ratio: f64) -> Result<Vec<i32>> {
    check_len("labels", labels, losses.len())?;
    if n_images == 0 {
        return if losses.is_empty() { Ok(vec![0, 0]) } else { Err(CoreError::shape("losses", "n_images is 0 but losses are not empty")) };
    }
    if losses.len() % n_images != 0 {
        return Err(CoreError::shape("losses", "length is not a multiple of the number of images"));
    }
    let p = losses.len() / n_images;
    let mut pos_all = Vec::new();
    let mut neg_all = Vec::new();
    for img in 0..n_images {
        let base = img * p;
        let mut neg = Vec::new();
        let before = pos_all.len();
        for (i, &l) in labels[base..base + p].iter().enumerate() {
            if l >= 0 && l < num_classes {
                pos_all.push((base + i) as u32);
            } else if l == num_classes {
                neg.push((base + i) as u32);
            }
        }
        let npos = pos_all.len() - before;
        let k = ((neg_pos_ratio * npos as f64).floor() as usize).min(neg.len());
        neg_all.extend(top_k(neg, k, losses));
    }
    let mut out = Vec::with_capacity(2 + pos_all.len() + neg_all.len());
    out.push(pos_all.len() as i32);
    out.push(neg_all.len() as i32);
    out.extend(pos_all.iter().map(|&c| c as i32));
    out.extend(neg_all.iter().map(|&c| c as i32));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unpack(v: &[i32]) -> (Vec<i32>, Vec<i32>, Vec<i32>) {
        let (np, nn) = (v[0] as usize, v[1] as usize);
        (v[2..2 + np].to_vec(), v[2 + np..2 + np + nn].to_vec(), v[2 + np + nn..].to_vec())
    }

    const GT_INDS: [i32; 40] = [1, -1, 2, 2, 1, -1, -1, 2, 1, 2, 0, 2, 2, 0, 0, 2, 0, 2, -1, 0, 0, 2, 1, 1, 0, 2, -1, 1, 2, 0, 1, 0, 1, 2, 2, 0, 1, 1, 0, 0];

    #[test]
    fn ohem_vector_basic() {
        let losses = [0.635, 0.56, 0.035, 0.16, 0.81, 0.26, 0.485, 0.835, 0.21, 0.61, 0.785, 0.285, 0.885, 0.135, 0.085, 0.535, 0.91, 0.06, 0.31, 0.585, 0.86, 0.76, 0.71, 0.435, 0.685, 0.335, 0.185, 0.11, 0.96, 0.66, 0.46, 0.235, 0.51, 0.01, 0.385, 0.41, 0.935, 0.36, 0.735, 0.985f32];
        let b = Budget { num: 16, num_expected_pos: 4, neg_pos_ub: 3.0 };
        let (p, n, g) = unpack(&ohem_sample(&GT_INDS, 0, &losses, b).unwrap());
        assert_eq!(p, vec![7, 12, 28, 36]);
        assert_eq!(n, vec![10, 13, 14, 16, 19, 20, 24, 29, 31, 35, 38, 39]);
        assert_eq!(g, vec![1, 1, 1, 0]);
    }

    #[test]
    fn random_budget_and_determinism() {
        let b = Budget { num: 16, num_expected_pos: 4, neg_pos_ub: 3.0 };
        let r1 = random_sample(&GT_INDS, 0, b, 123).unwrap();
        assert_eq!(r1, random_sample(&GT_INDS, 0, b, 123).unwrap());
        let (p, n, g) = unpack(&r1);
        assert_eq!((p.len(), n.len()), (4, 12));
        for (&c, &gi) in p.iter().zip(&g) {
            assert!(GT_INDS[c as usize] > 0);
            assert_eq!(gi, GT_INDS[c as usize] - 1);
        }
        assert!(n.iter().all(|&c| GT_INDS[c as usize] == 0));
        // add gts: candidates 0, 1 are the gts
        let b2 = Budget { num: 100, num_expected_pos: 50, neg_pos_ub: -1.0 };
        let (p, n, g) = unpack(&random_sample(&GT_INDS, 2, b2, 5).unwrap());
        assert_eq!(p.len(), 25);
        assert_eq!(&p[..2], &[0, 1]);
        assert_eq!(&g[..2], &[0, 1]);
        assert_eq!(n.len(), 12);
        assert!(random_sample(&[3], 2, b2, 0).is_err());
    }

    #[test]
    fn iou_balanced_counts_and_uniqueness() {
        let n = 300;
        let gt: Vec<i32> = (0..n).map(|i| if i % 10 == 0 { 1 } else if i % 7 == 0 { -1 } else { 0 }).collect();
        let mo: Vec<f32> = (0..n).map(|i| ((i * 37) % 50) as f32 / 100.0).collect();
        for (ft, ff, bins) in [(-1.0, 0.0, 3), (0.0, 0.5, 3), (0.1, 0.3, 2), (-1.0, 0.0, 1)] {
            let b = Budget { num: 64, num_expected_pos: 16, neg_pos_ub: -1.0 };
            let o = IouBalancedOpts { floor_thr: ft, floor_fraction: ff, num_bins: bins };
            let r = iou_balanced_sample(&gt, &mo, 0, b, o, 9).unwrap();
            let (p, ng, _) = unpack(&r);
            assert_eq!(p.len(), 16);
            assert_eq!(ng.len(), 48);
            assert!(ng.windows(2).all(|w| w[0] < w[1]));
            assert!(ng.iter().all(|&c| gt[c as usize] == 0));
            assert_eq!(r, iou_balanced_sample(&gt, &mo, 0, b, o, 9).unwrap());
        }
    }

    #[test]
    fn top_k_ties_and_order() {
        let losses = [0.5, 0.9, 0.5, 0.5, 0.1, 0.9, -0.0, 0.0];
        let pool: Vec<u32> = (0..8).collect();
        assert_eq!(top_k(pool.clone(), 3, &losses), vec![0, 1, 5]);
        assert_eq!(top_k(pool.clone(), 4, &losses), vec![0, 1, 2, 5]);
        assert_eq!(top_k(pool.clone(), 0, &losses), Vec::<u32>::new());
        assert_eq!(top_k(pool.clone(), 8, &losses), pool);
        assert_eq!(top_k(vec![4, 6, 7], 1, &losses), vec![4]);
        assert_eq!(top_k(vec![6, 7], 1, &losses), vec![6]);
    }

    #[test]
    fn mining() {
        // 2 images × 5 anchors, 2 classes (bg = 2)
        let losses = [0.1, 0.9, 0.5, 0.7, 0.3, 1.0, 2.0, 3.0, 4.0, 5.0f32];
        let labels = [0, 2, 2, 2, 2, 2, 2, 2, 2, -1];
        let (p, n, _) = unpack(&hard_negative_mining(&losses, &labels, 2, 2, 3.0).unwrap());
        assert_eq!(p, vec![0]);
        assert_eq!(n, vec![1, 2, 3]); // image 2 has no positives ⇒ no negatives
    }
}
