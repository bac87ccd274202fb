//! wasm exports: MaxIoU assignment and the hard samplers (issue 4). Marshalling only.
//! Samplers write the packed `[numPos, numNeg, pos..., neg..., posGt...]` into `out`, whose
//! capacity the host gives as `cap` (an upper bound); the host reads the two counts and slices.
use crate::{report, slice, slice_mut};
use soft_sampling_core::assign::{self, sample, AssignOpts, ZeroIou};
use soft_sampling_core::CoreError;

#[no_mangle]
pub unsafe extern "C" fn ss_max_iou_assign(
    priors: *const f32, p: usize, gts: *const f32, g: usize, gt_labels: *const i32, ignore: *const f32, k: usize,
    pos_iou_thr: f32, neg_lo: f32, neg_hi: f32, min_pos_iou: f32,
    gt_max_assign_all: u32, match_low_quality: u32, ignore_iof_thr: f32, ignore_wrt_candidates: u32, zero_iou_mmdet: u32,
    out_inds: *mut i32, out_ov: *mut f32, out_labels: *mut i32,
) -> i32 {
    let o = AssignOpts {
        pos_iou_thr,
        neg_lo,
        neg_hi,
        min_pos_iou,
        gt_max_assign_all: gt_max_assign_all != 0,
        match_low_quality: match_low_quality != 0,
        ignore_iof_thr,
        ignore_wrt_candidates: ignore_wrt_candidates != 0,
        zero_iou: if zero_iou_mmdet != 0 { ZeroIou::Mmdet } else { ZeroIou::Skip },
    };
    report(assign::max_iou_assign(
        slice(priors, 4 * p), slice(gts, 4 * g), slice(gt_labels, g), slice(ignore, 4 * k), &o,
        slice_mut(out_inds, p), slice_mut(out_ov, p), slice_mut(out_labels, p),
    ))
}

unsafe fn emit(r: Result<Vec<i32>, CoreError>, out: *mut i32, cap: usize) -> i32 {
    report(r.and_then(|v| {
        if v.len() > cap {
            return Err(CoreError::shape("out", format!("needs {} slots, host gave {cap}", v.len())));
        }
        slice_mut(out, v.len()).copy_from_slice(&v);
        Ok(())
    }))
}

fn budget(num: u32, num_expected_pos: u32, neg_pos_ub: f64) -> sample::Budget {
    sample::Budget { num: num as usize, num_expected_pos: num_expected_pos as usize, neg_pos_ub }
}

#[no_mangle]
pub unsafe extern "C" fn ss_random_sample(
    gt_inds: *const i32, p: usize, num_added: u32, num: u32, num_expected_pos: u32, neg_pos_ub: f64, seed: u32, out: *mut i32, cap: usize,
) -> i32 {
    let r = sample::random_sample(slice(gt_inds, p), num_added as usize, budget(num, num_expected_pos, neg_pos_ub), seed);
    emit(r, out, cap)
}

#[no_mangle]
pub unsafe extern "C" fn ss_ohem_sample(
    gt_inds: *const i32, p: usize, num_added: u32, losses: *const f32, nl: usize, num: u32, num_expected_pos: u32, neg_pos_ub: f64,
    out: *mut i32, cap: usize,
) -> i32 {
    let r = sample::ohem_sample(slice(gt_inds, p), num_added as usize, slice(losses, nl), budget(num, num_expected_pos, neg_pos_ub));
    emit(r, out, cap)
}

#[no_mangle]
pub unsafe extern "C" fn ss_iou_balanced_sample(
    gt_inds: *const i32, p: usize, max_overlaps: *const f32, num_added: u32, num: u32, num_expected_pos: u32, neg_pos_ub: f64,
    seed: u32, floor_thr: f64, floor_fraction: f64, num_bins: u32, out: *mut i32, cap: usize,
) -> i32 {
    let o = sample::IouBalancedOpts { floor_thr, floor_fraction, num_bins: num_bins as usize };
    let r = sample::iou_balanced_sample(slice(gt_inds, p), slice(max_overlaps, p), num_added as usize, budget(num, num_expected_pos, neg_pos_ub), o, seed);
    emit(r, out, cap)
}

#[no_mangle]
pub unsafe extern "C" fn ss_hard_negative_mining(
    losses: *const f32, labels: *const i32, n: usize, num_images: u32, num_classes: i32, neg_pos_ratio: f64, out: *mut i32, cap: usize,
) -> i32 {
    let r = sample::hard_negative_mining(slice(losses, n), slice(labels, n), num_images as usize, num_classes, neg_pos_ratio);
    emit(r, out, cap)
}
