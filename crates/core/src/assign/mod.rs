//! MaxIoU assignment and the hard samplers (issue 4): random, OHEM, IoU-balanced negatives
//! (Libra R-CNN), SSD hard negative mining.
//!
//! Semantics: `docs/spec/reference-semantics.md` §4–5 (mmdetection `MaxIoUAssigner`,
//! `RandomSampler`, `OHEMSampler`, `IoUBalancedNegSampler`, `SSDHead` mining) with the corrections
//! of `decisions.md`: a gt whose best IoU is 0 gets no low-quality match (unless
//! [`ZeroIou::Mmdet`]), the IoU-balanced sampler is stateless, and every random draw comes from the
//! explicit seeded generator of [`rng`].
//!
//! Assignment encoding (as mmdetection's code, not its docstring): `gt_inds[p] = −1` ignored,
//! `0` negative (background), `j + 1` positive for gt `j`.

pub mod rng;
pub mod sample;
pub mod atss;
pub mod task_aligned;

use crate::error::{check_len, CoreError, Result};
use crate::geometry::{bbox_overlaps, OverlapMode, OverlapOpts};
use crate::simd::fmax;

/// What the low-quality step does with a gt whose best IoU over all priors is `≤ 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZeroIou {
    /// Our default (decisions.md): such a gt gets no low-quality match.
    Skip,
    /// mmdetection: with `min_pos_iou = 0` every prior with IoU 0 to it becomes positive (mmdet #8289).
    Mmdet,
}

/// Options of [`max_iou_assign`] (mmdet `MaxIoUAssigner` arguments).
#[derive(Debug, Clone, Copy)]
pub struct AssignOpts {
    /// max IoU ≥ this ⇒ positive
    pub pos_iou_thr: f32,
    /// negative when `lo ≤ max IoU < hi` (a number thr is `[0, thr)`)
    pub neg_lo: f32,
    pub neg_hi: f32,
    /// low-quality matches need the gt's best IoU ≥ this
    pub min_pos_iou: f32,
    /// low-quality: every prior tying the gt's best IoU (true) or only the first (false)
    pub gt_max_assign_all: bool,
    pub match_low_quality: bool,
    /// priors whose IoF with an ignore box exceeds this are ignored; ≤ 0 disables
    pub ignore_iof_thr: f32,
    /// IoF relative to the prior's area (true, mmdet default) or to the ignore box's area
    pub ignore_wrt_candidates: bool,
    pub zero_iou: ZeroIou,
}

const IOU: OverlapOpts = OverlapOpts { mode: OverlapMode::Iou, eps: 1e-6, offset: 0.0 };
const IOF: OverlapOpts = OverlapOpts { mode: OverlapMode::Iof, eps: 1e-6, offset: 0.0 };

/// Priors per block of the streaming pass: the `G × BLOCK` IoU tile stays in cache.
const BLOCK: usize = 2048;
/// Tie positions remembered per gt; a gt with more ties (e.g. a zero-IoU gt in `Mmdet` mode) has its
/// IoU row recomputed in a second pass instead.
const MAX_TIES: usize = 64;

/// Assigns each of the `P` priors (`[P,4]` xyxy) to one of `G` gts (`[G,4]`), writing
/// `gt_inds` (`−1` ignored, `0` negative, `j+1` gt `j`), `max_overlaps` (best IoU, `−1` for priors
/// inside an ignore region) and `labels` (`gt_labels[j]` for positives, else `−1`).
///
/// Same result as mmdet's `assign_wrt_overlaps` on the full `G×P` IoU matrix, computed in one
/// streaming pass over blocks of priors: each `G × 2048` IoU tile (from [`bbox_overlaps`]) updates the
/// per-prior best gt and each gt's running best IoU with the positions that reach it. Memory:
/// O(G·2048 + P) — the `G×P` matrix is never stored. Empty gt ⇒ every prior negative (`0`) with
/// `max_overlaps = 0`.
#[allow(clippy::too_many_arguments)]
pub fn max_iou_assign(
    priors: &[f32],
    gts: &[f32],
    gt_labels: &[i32],
    gt_ignore: &[f32],
    o: &AssignOpts,
    gt_inds: &mut [i32],
    max_overlaps: &mut [f32],
    labels: &mut [i32],
) -> Result<()> {
    if priors.len() % 4 != 0 {
        return Err(CoreError::shape("priors", "length is not a multiple of 4"));
    }
    if gts.len() % 4 != 0 {
        return Err(CoreError::shape("gt", "length is not a multiple of 4"));
    }
    if gt_ignore.len() % 4 != 0 {
        return Err(CoreError::shape("gtIgnore", "length is not a multiple of 4"));
    }
    let p = priors.len() / 4;
    let g = gts.len() / 4;
    check_len("gtLabels", gt_labels, g)?;
    check_len("gtInds", gt_inds, p)?;
    check_len("maxOverlaps", max_overlaps, p)?;
    check_len("labels", labels, p)?;
    // values (NaN/±Inf, |x| > 1e18): the priors' in the parallel blocks below, each block its own
    // slice, so a 100k-prior scan is no longer serial (it was a fifth of the calling thread's time
    // at 2 threads); the gts' here (G boxes) but reported after the priors' as before
    let gt_err = crate::losses::focal::check_finite_at("gt", gts, 0).err();
    if let Some(e) = gt_err {
        crate::losses::focal::check_finite("priors", priors)?;
        return Err(e);
    }
    if p == 0 {
        return Ok(());
    }
    if g == 0 {
        crate::losses::focal::check_finite("priors", priors)?;
        labels.fill(-1);
        gt_inds.fill(0);
        max_overlaps.fill(0.0);
        return Ok(());
    }

    let ignored = if o.ignore_iof_thr > 0.0 && !gt_ignore.is_empty() { Some(ignore_mask(priors, gt_ignore, o)?) } else { None };

    // Blocks of BLOCK priors, each computed independently (in parallel for large calls): its
    // G × n IoU tile, each prior's best gt, and per gt the block's best IoU with the first
    // MAX_TIES + 1 positions reaching it. The blocks are then merged in order, exactly as the
    // sequential stream would have updated them: the same result for every thread count.
    let blocks = p.div_ceil(BLOCK);
    let (mos, args, labs) = (crate::par::SharedMut::new(max_overlaps), crate::par::SharedMut::new(gt_inds), crate::par::SharedMut::new(labels));
    let ignored_ref = ignored.as_deref();
    let low_quality = o.match_low_quality;
    let per_block = crate::par::map_chunks(blocks, p * g, Vec::<f32>::new, |tile, b| -> Result<Vec<(f32, Vec<u32>)>> {
        let start = b * BLOCK;
        let n = BLOCK.min(p - start);
        crate::losses::focal::check_finite_at("priors", &priors[4 * start..4 * (start + n)], 4 * start)?;
        tile.resize(g * n, 0.0);
        let t = &mut tile[..g * n];
        bbox_overlaps(gts, &priors[4 * start..4 * (start + n)], IOU, t)?;
        if let Some(ig) = ignored_ref {
            let ig = &ig[start..start + n];
            for row in t.chunks_exact_mut(n) {
                for (v, &m) in row.iter_mut().zip(ig) {
                    *v = if m { -1.0 } else { *v };
                }
            }
        }
        // SAFETY: block ranges are disjoint.
        let (mo, arg, lab) = unsafe { (mos.range(start, start + n), args.range(start, start + n), labs.range(start, start + n)) };
        crate::dispatch!(best_gt_per_prior(t, n, mo, arg));
        // thresholds and labels of the block's priors here, in parallel (the low-quality matches
        // below overwrite a few of them afterwards, as the serial passes did)
        for ((a, &m), l) in arg.iter_mut().zip(mo.iter()).zip(lab.iter_mut()) {
            *a = if m >= o.pos_iou_thr {
                *a + 1
            } else if m >= o.neg_lo && m < o.neg_hi {
                0
            } else {
                -1
            };
            *l = if *a > 0 { gt_labels[(*a - 1) as usize] } else { -1 };
        }
        let mut best = Vec::new();
        if low_quality {
            best.reserve(g);
            for row in t.chunks_exact(n) {
                let bm = crate::dispatch!(row_max(row));
                let mut ties = Vec::new();
                for (i, &v) in row.iter().enumerate() {
                    if v == bm {
                        ties.push((start + i) as u32);
                        if ties.len() > MAX_TIES {
                            break;
                        }
                    }
                }
                best.push((bm, ties));
            }
        }
        Ok(best)
    });
    // per gt: best IoU so far, the first MAX_TIES priors reaching it, whether more did
    let mut gt_best = vec![f32::NEG_INFINITY; g];
    let mut ties: Vec<Vec<u32>> = vec![Vec::new(); g];
    let mut overflow = vec![false; g];
    for blk in per_block {
        let blk = blk?;
        for (j, (bm, bt)) in blk.into_iter().enumerate() {
            if bm < gt_best[j] {
                continue;
            }
            if bm > gt_best[j] {
                gt_best[j] = bm;
                ties[j].clear();
                overflow[j] = false;
            }
            if overflow[j] {
                continue;
            }
            for i in bt {
                if ties[j].len() == MAX_TIES {
                    overflow[j] = true;
                    break;
                }
                ties[j].push(i);
            }
        }
    }

    if o.match_low_quality {
        let mut row: Vec<f32> = Vec::new();
        for j in 0..g {
            let best = gt_best[j];
            if best < o.min_pos_iou || (o.zero_iou == ZeroIou::Skip && best <= 0.0) {
                continue;
            }
            let id = j as i32 + 1;
            let lj = gt_labels[j];
            if !o.gt_max_assign_all {
                gt_inds[ties[j][0] as usize] = id;
                labels[ties[j][0] as usize] = lj;
            } else if !overflow[j] {
                for &i in &ties[j] {
                    gt_inds[i as usize] = id;
                    labels[i as usize] = lj;
                }
            } else {
                // too many ties to remember: recompute this gt's IoU row and scan it
                row.resize(p, 0.0);
                bbox_overlaps(&gts[4 * j..4 * j + 4], priors, IOU, &mut row)?;
                for (i, ((a, l), &v)) in gt_inds.iter_mut().zip(labels.iter_mut()).zip(&row).enumerate() {
                    let v = if ignored.as_ref().is_some_and(|ig| ig[i]) { -1.0 } else { v };
                    if v == best {
                        *a = id;
                        *l = lj;
                    }
                }
            }
        }
    }

    Ok(())
}

/// The passing (prior, gt, value) pairs of ATSS and the task-aligned assigner (pushed in gt order),
/// one per prior in prior order: the gt of highest value, the first in gt order on ties (a stable
/// sort by prior keeps the gt order within each prior).
pub(crate) fn best_gt_per_passing_prior(pass: &mut [(u32, u32, f64)]) -> impl Iterator<Item = (u32, u32, f64)> + '_ {
    let mut keys: Vec<u64> = pass.iter().enumerate().map(|(pos, e)| (e.0 as u64) << 32 | pos as u64).collect();
    crate::sort::sort_u64(&mut keys);
    let src = pass.to_vec();
    for (d, &k) in pass.iter_mut().zip(keys.iter()) {
        *d = src[k as u32 as usize];
    }
    let mut r = 0;
    std::iter::from_fn(move || {
        let first = *pass.get(r)?;
        let mut best = first;
        r += 1;
        while r < pass.len() && pass[r].0 == first.0 {
            if pass[r].2 > best.2 {
                best = pass[r];
            }
            r += 1;
        }
        Some(best)
    })
}

/// Best gt of each prior of a `G × n` tile: running max over the rows, first gt on ties.
#[inline(always)]
fn best_gt_per_prior(tile: &[f32], n: usize, mo: &mut [f32], arg: &mut [i32]) {
    mo.copy_from_slice(&tile[..n]);
    arg.fill(0);
    for (j, row) in tile.chunks_exact(n).enumerate().skip(1) {
        let j = j as i32;
        for ((m, a), &v) in mo.iter_mut().zip(arg.iter_mut()).zip(row) {
            let better = v > *m;
            *m = if better { v } else { *m };
            *a = if better { j } else { *a };
        }
    }
}

/// Max of a row with 16 explicit lanes (vectorises without reassociating floats).
#[inline(always)]
fn row_max(row: &[f32]) -> f32 {
    let mut acc = [f32::NEG_INFINITY; 16];
    let chunks = row.chunks_exact(16);
    let rem = chunks.remainder();
    for c in chunks {
        for k in 0..16 {
            acc[k] = fmax(acc[k], c[k]);
        }
    }
    let mut m = f32::NEG_INFINITY;
    for &v in acc.iter().chain(rem) {
        m = fmax(m, v);
    }
    m
}

/// `true` for priors whose max IoF with the ignore boxes exceeds `ignore_iof_thr`.
fn ignore_mask(priors: &[f32], ignore: &[f32], o: &AssignOpts) -> Result<Vec<bool>> {
    let p = priors.len() / 4;
    let k = ignore.len() / 4;
    let mut mask = vec![false; p];
    if o.ignore_wrt_candidates {
        // IoF = inter / area(prior): priors × ignore, in blocks of priors
        const BLOCK: usize = 512;
        let mut buf = vec![0f32; BLOCK * k];
        for (b, chunk) in priors.chunks(4 * BLOCK).enumerate() {
            let n = chunk.len() / 4;
            bbox_overlaps(chunk, ignore, IOF, &mut buf[..n * k])?;
            for (i, row) in buf[..n * k].chunks_exact(k).enumerate() {
                mask[b * BLOCK + i] = row.iter().any(|&v| v > o.ignore_iof_thr);
            }
        }
    } else {
        // IoF = inter / area(ignore box): one ignore box at a time against every prior
        let mut row = vec![0f32; p];
        for ib in ignore.chunks_exact(4) {
            bbox_overlaps(ib, priors, IOF, &mut row)?;
            for (m, &v) in mask.iter_mut().zip(&row) {
                *m |= v > o.ignore_iof_thr;
            }
        }
    }
    Ok(mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> AssignOpts {
        AssignOpts {
            pos_iou_thr: 0.5,
            neg_lo: 0.0,
            neg_hi: 0.4,
            min_pos_iou: 0.0,
            gt_max_assign_all: true,
            match_low_quality: true,
            ignore_iof_thr: -1.0,
            ignore_wrt_candidates: true,
            zero_iou: ZeroIou::Skip,
        }
    }

    fn run(priors: &[f32], gts: &[f32], labels: &[i32], ign: &[f32], o: &AssignOpts) -> (Vec<i32>, Vec<f32>, Vec<i32>) {
        let p = priors.len() / 4;
        let (mut a, mut m, mut l) = (vec![9; p], vec![9.0; p], vec![9; p]);
        max_iou_assign(priors, gts, labels, ign, o, &mut a, &mut m, &mut l).unwrap();
        (a, m, l)
    }

    #[test]
    fn spec_zero_iou_gt() {
        // reference-semantics §13 "Assigner": mmdet [1,1], ours [0,0]
        let gt = [0.0, 0.0, 10.0, 10.0];
        let pr = [20.0, 20.0, 30.0, 30.0, 40.0, 40.0, 50.0, 50.0];
        assert_eq!(run(&pr, &gt, &[3], &[], &opts()).0, vec![0, 0]);
        let mm = AssignOpts { zero_iou: ZeroIou::Mmdet, ..opts() };
        let (a, _, l) = run(&pr, &gt, &[3], &[], &mm);
        assert_eq!(a, vec![1, 1]);
        assert_eq!(l, vec![3, 3]);
    }

    #[test]
    fn ties_and_low_quality() {
        // vector assign_gt_max_ties_low_quality
        let pr = [0., 0., 10., 10., 0., 0., 10., 10., 5., 5., 15., 15., 12., 12., 22., 22., 40., 40., 50., 50.];
        let gt = [0., 0., 10., 10., 10., 10., 20., 20.];
        let (a, m, l) = run(&pr, &gt, &[4, 7], &[], &opts());
        assert_eq!(a, vec![1, 1, 0, 2, 0]);
        assert_eq!(l, vec![4, 4, -1, 7, -1]);
        assert!((m[3] - 64.0 / 136.0).abs() < 1e-6);
        let one = AssignOpts { gt_max_assign_all: false, ..opts() };
        assert_eq!(run(&pr, &gt, &[4, 7], &[], &one).0, vec![1, 1, 0, 2, 0]);
        let off = AssignOpts { match_low_quality: false, ..opts() };
        assert_eq!(run(&pr, &gt, &[4, 7], &[], &off).0, vec![1, 1, 0, -1, 0]);
    }

    #[test]
    fn empty_and_ignore() {
        let pr = [0., 0., 10., 10., 30., 30., 40., 40.];
        let (a, m, l) = run(&pr, &[], &[], &[], &opts());
        assert_eq!((a, m, l), (vec![0, 0], vec![0.0, 0.0], vec![-1, -1]));
        let (a, _, _) = run(&[], &[0., 0., 1., 1.], &[0], &[], &opts());
        assert!(a.is_empty());
        let ig = AssignOpts { ignore_iof_thr: 0.5, ..opts() };
        let (a, m, _) = run(&pr, &[0., 0., 10., 10.], &[0], &[29., 29., 41., 41.], &ig);
        assert_eq!(a, vec![1, -1]);
        assert_eq!(m[1], -1.0);
        // wrt ignore box: inter / area(ignore) = 100/144 > 0.5 too
        let ig2 = AssignOpts { ignore_wrt_candidates: false, ..ig };
        assert_eq!(run(&pr, &[0., 0., 10., 10.], &[0], &[29., 29., 41., 41.], &ig2).0, vec![1, -1]);
        // a huge ignore box: IoF wrt itself is small, wrt the candidate is 1
        let big = [-1000., -1000., 1000., 1000.];
        assert_eq!(run(&pr, &[0., 0., 10., 10.], &[0], &big, &ig2).0, vec![1, 0]);
        assert_eq!(run(&pr, &[0., 0., 10., 10.], &[0], &big, &ig).0, vec![-1, -1]);
    }

    #[test]
    fn neg_range() {
        let pr = [0., 0., 10., 10., 5., 5., 15., 15., 40., 40., 50., 50.];
        let gt = [0., 0., 10., 10.];
        let o = AssignOpts { neg_lo: 0.1, neg_hi: 0.3, match_low_quality: false, ..opts() };
        // IoUs 1, 1/7, 0
        assert_eq!(run(&pr, &gt, &[0], &[], &o).0, vec![1, 0, -1]);
    }

    #[test]
    fn many_ties_across_blocks_and_zero_iou_rows() {
        // 5000 identical priors: a gt matching them ties 5000 times (beyond MAX_TIES, over 3 blocks)
        let n = 5000;
        let mut pr: Vec<f32> = (0..n).flat_map(|_| [0.0, 0.0, 10.0, 10.0]).collect();
        pr.extend([100.0, 100.0, 110.0, 110.0]);
        let gt = [0.0, 0.0, 10.0, 10.0, 500.0, 500.0, 510.0, 510.0, 100.0, 100.0, 110.0, 104.0];
        let o = AssignOpts { pos_iou_thr: 0.9, ..opts() };
        let (a, _, _) = run(&pr, &gt, &[0, 1, 2], &[], &o);
        assert!(a[..n].iter().all(|&v| v == 1));
        assert_eq!(a[n], 3); // IoU 0.4 < 0.9, low-quality for gt 2
        // mmdet mode: gt 1 (IoU 0 everywhere) claims every prior, then gt 2 takes its best
        let mm = AssignOpts { zero_iou: ZeroIou::Mmdet, ..o };
        let (a, _, _) = run(&pr, &gt, &[0, 1, 2], &[], &mm);
        assert!(a[..n].iter().all(|&v| v == 2));
        assert_eq!(a[n], 3);
        let first = AssignOpts { gt_max_assign_all: false, ..mm };
        let (a, _, _) = run(&pr, &gt, &[0, 1, 2], &[], &first);
        assert_eq!(a[0], 2);
        assert!(a[1..n].iter().all(|&v| v == 1));
    }

    #[test]
    fn block_boundary_for_ignore() {
        // more priors than one IoF block
        let n = 1100;
        let pr: Vec<f32> = (0..n).flat_map(|i| { let x = i as f32 * 20.0; [x, 0.0, x + 10.0, 10.0] }).collect();
        let ig = [20.0 * 1050.0 - 1.0, -1.0, 20.0 * 1050.0 + 11.0, 11.0];
        let o = AssignOpts { ignore_iof_thr: 0.5, ..opts() };
        let (a, _, _) = run(&pr, &[0., 0., 10., 10.], &[0], &ig, &o);
        assert_eq!(a[0], 1);
        assert_eq!(a[1050], -1);
        assert_eq!(a.iter().filter(|&&v| v == -1).count(), 1);
    }
}
