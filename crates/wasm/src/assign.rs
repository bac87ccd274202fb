//! wasm exports: MaxIoU assignment and the hard samplers (issue 4). Marshalling only.
//! Samplers return the packed `[numPos, numNeg, pos..., neg..., posGt...]` as an `Int32Array`.
use crate::report;
use soft_sampling_core::assign::sample;
use wasm_bindgen::prelude::*;

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
