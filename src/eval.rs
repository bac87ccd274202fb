//! napi bindings: evaluation in f64 (issue 15) — the overlaps of the evaluators and the whole COCO
//! evaluation (issue 9 item 8). Marshalling only; the kernels are `soft_sampling_core::eval`.
//! Outputs are caller-allocated JS buffers the kernels fill (see src/pisa.rs for why).
use crate::guard;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use soft_sampling_core::eval::{self, coco};

/// Detection × gt overlaps `[D, G]` of `[x, y, w, h]` f64 boxes (crowd gt: inter / det area).
#[napi]
pub fn eval_overlaps(dets: Float64Array, gts: Float64Array, crowd: Uint8Array, offset: f64, mut out: Float64Array) -> Result<()> {
    // SAFETY: JS is blocked during this synchronous call; `out` aliases no input.
    guard(|| eval::overlaps_xywh(&dets, &gts, &crowd, offset, unsafe { out.as_mut() }))
}

/// pycocotools evaluate + accumulate; fills `precision_out` `[T,R,K,A,M]` and `recall_out` `[T,K,A,M]`.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn coco_evaluate(
    num_images: u32, num_cats: u32, gt_image: Uint32Array, gt_cat: Uint32Array, gt_box: Float64Array, gt_area: Float64Array,
    gt_crowd: Uint8Array, dt_image: Uint32Array, dt_cat: Uint32Array, dt_box: Float64Array, dt_score: Float64Array,
    iou_thrs: Float64Array, rec_thrs: Float64Array, max_dets: Uint32Array, area_rng: Float64Array, use_cats: bool, offset: f64,
    mut precision_out: Float64Array, mut recall_out: Float64Array,
) -> Result<()> {
    guard(|| {
        let inp = coco::CocoInput {
            num_images: num_images as usize, num_cats: num_cats as usize, gt_image: &gt_image, gt_cat: &gt_cat, gt_box: &gt_box,
            gt_area: &gt_area, gt_crowd: &gt_crowd, dt_image: &dt_image, dt_cat: &dt_cat, dt_box: &dt_box, dt_score: &dt_score,
        };
        let p = coco::CocoParams { iou_thrs: &iou_thrs, rec_thrs: &rec_thrs, max_dets: &max_dets, area_rng: &area_rng, use_cats, offset };
        // SAFETY: as above.
        let (pr, rc) = unsafe { (precision_out.as_mut(), recall_out.as_mut()) };
        coco::coco_evaluate(&inp, &p, pr, rc)
    })
}
