//! napi bindings: MaxIoU assignment and the hard samplers (issue 4). Marshalling only; the kernels
//! are `soft_sampling_core::assign`. Samplers return the packed `Int32Array`
//! `[numPos, numNeg, pos..., neg..., posGt...]` documented in `assign::sample`.
use crate::guard;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use soft_sampling_core::assign::sample;

// Every output is a caller-allocated JS buffer (see src/pisa.rs for why); the samplers, whose
// result length is known only after the call, get a buffer of the largest possible length.

fn budget(num: u32, num_expected_pos: u32, neg_pos_ub: f64) -> sample::Budget {
    sample::Budget { num: num as usize, num_expected_pos: num_expected_pos as usize, neg_pos_ub }
}

/// Copies a packed sampler result into the caller's (JS-allocated) `out` and returns its length:
/// the Rust vector is freed here, deterministically, and nothing Rust-owned reaches JS.
fn emit(r: std::result::Result<Vec<i32>, soft_sampling_core::CoreError>, out: &mut Int32Array) -> std::result::Result<u32, soft_sampling_core::CoreError> {
    let v = r?;
    // SAFETY: JS is blocked during this synchronous call; `out` is a fresh buffer from the facade.
    let o = unsafe { out.as_mut() };
    if v.len() > o.len() {
        return Err(soft_sampling_core::CoreError::shape("out", format!("needs {} slots, host gave {}", v.len(), o.len())));
    }
    o[..v.len()].copy_from_slice(&v);
    Ok(v.len() as u32)
}

#[allow(clippy::too_many_arguments)]
#[napi]
pub fn random_sample(gt_inds: Int32Array, num_added: u32, num: u32, num_expected_pos: u32, neg_pos_ub: f64, seed: u32, mut out: Int32Array) -> Result<u32> {
    guard(|| emit(sample::random_sample(&gt_inds, num_added as usize, budget(num, num_expected_pos, neg_pos_ub), seed), &mut out))
}

#[allow(clippy::too_many_arguments)]
#[napi]
pub fn ohem_sample(gt_inds: Int32Array, num_added: u32, losses: Float32Array, num: u32, num_expected_pos: u32, neg_pos_ub: f64, mut out: Int32Array) -> Result<u32> {
    guard(|| emit(sample::ohem_sample(&gt_inds, num_added as usize, &losses, budget(num, num_expected_pos, neg_pos_ub)), &mut out))
}

#[allow(clippy::too_many_arguments)]
#[napi]
pub fn iou_balanced_sample(
    gt_inds: Int32Array, max_overlaps: Float32Array, num_added: u32, num: u32, num_expected_pos: u32, neg_pos_ub: f64,
    seed: u32, floor_thr: f64, floor_fraction: f64, num_bins: u32, mut out: Int32Array,
) -> Result<u32> {
    guard(|| {
        let o = sample::IouBalancedOpts { floor_thr, floor_fraction, num_bins: num_bins as usize };
        emit(sample::iou_balanced_sample(&gt_inds, &max_overlaps, num_added as usize, budget(num, num_expected_pos, neg_pos_ub), o, seed), &mut out)
    })
}

#[napi]
pub fn hard_negative_mining(losses: Float32Array, labels: Int32Array, num_images: u32, num_classes: i32, neg_pos_ratio: f64, mut out: Int32Array) -> Result<u32> {
    guard(|| emit(sample::hard_negative_mining(&losses, &labels, num_images as usize, num_classes, neg_pos_ratio), &mut out))
}
