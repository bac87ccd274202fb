//! wasm exports: MaxIoU assignment and the hard samplers (issue 4). Marshalling only.
//! Samplers return the packed `[numPos, numNeg, pos..., neg..., posGt...]` as an `Int32Array`.
use crate::{report, whole};
use soft_sampling_core::assign::{self, sample, AssignOpts, ZeroIou};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn ss_max_iou_assign(
    priors: &[f32], gts: &[f32], gt_labels: &[i32], ignore: &[f32], pos_iou_thr: f32, neg_lo: f32, neg_hi: f32, min_pos_iou: f32,
    gt_max_assign_all: bool, match_low_quality: bool, ignore_iof_thr: f32, ignore_wrt_candidates: bool, zero_iou_mmdet: bool,
    out_inds: &mut [i32], out_ov: &mut [f32], out_labels: &mut [i32],
) -> Result<(), JsError> {
    let o = AssignOpts {
        pos_iou_thr, neg_lo, neg_hi, min_pos_iou, gt_max_assign_all, match_low_quality, ignore_iof_thr, ignore_wrt_candidates,
        zero_iou: if zero_iou_mmdet { ZeroIou::Mmdet } else { ZeroIou::Skip },
    };
    report(assign::max_iou_assign(whole(priors, 4), whole(gts, 4), gt_labels, whole(ignore, 4), &o, out_inds, out_ov, out_labels))
}

fn budget(num: u32, num_expected_pos: u32, neg_pos_ub: f64) -> sample::Budget {
    sample::Budget { num: num as usize, num_expected_pos: num_expected_pos as usize, neg_pos_ub }
}

#[wasm_bindgen]
pub fn ss_random_sample(gt_inds: &[i32], num_added: u32, num: u32, num_expected_pos: u32, neg_pos_ub: f64, seed: u32) -> Result<Vec<i32>, JsError> {
    report(sample::random_sample(gt_inds, num_added as usize, budget(num, num_expected_pos, neg_pos_ub), seed))
}

#[wasm_bindgen]
pub fn ss_ohem_sample(gt_inds: &[i32], num_added: u32, losses: &[f32], num: u32, num_expected_pos: u32, neg_pos_ub: f64) -> Result<Vec<i32>, JsError> {
    report(sample::ohem_sample(gt_inds, num_added as usize, losses, budget(num, num_expected_pos, neg_pos_ub)))
}

#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn ss_iou_balanced_sample(
    gt_inds: &[i32], max_overlaps: &[f32], num_added: u32, num: u32, num_expected_pos: u32, neg_pos_ub: f64, seed: u32, floor_thr: f64,
    floor_fraction: f64, num_bins: u32,
) -> Result<Vec<i32>, JsError> {
    let o = sample::IouBalancedOpts { floor_thr, floor_fraction, num_bins: num_bins as usize };
    report(sample::iou_balanced_sample(gt_inds, max_overlaps, num_added as usize, budget(num, num_expected_pos, neg_pos_ub), o, seed))
}

#[wasm_bindgen]
pub fn ss_hard_negative_mining(losses: &[f32], labels: &[i32], num_images: u32, num_classes: i32, neg_pos_ratio: f64) -> Result<Vec<i32>, JsError> {
    report(sample::hard_negative_mining(losses, labels, num_images as usize, num_classes, neg_pos_ratio))
}
