//! wasm exports: evaluation in f64 (issue 15) — the evaluators' overlaps and the whole COCO
//! evaluation (issue 9 item 8). Marshalling only; the kernels are `soft_sampling_core::eval`.
use crate::{report, whole};
use soft_sampling_core::eval::{self, coco};
use wasm_bindgen::prelude::*;

/// Overlaps `[d, g]` of `[x, y, w, h]` f64 boxes; `crowd` has `g` flags (or none).
#[wasm_bindgen]
pub fn ss_eval_overlaps(dets: &[f64], gts: &[f64], crowd: &[u8], offset: f64, out: &mut [f64]) -> Result<(), JsError> {
    report(eval::overlaps_xywh(whole(dets, 4), whole(gts, 4), crowd, offset, out))
}

/// pycocotools evaluate + accumulate; writes `precision` `[T,R,K,A,M]` and `recall` `[T,K,A,M]`
/// (`K = num_cats`, or 1 when `use_cats` is false).
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn ss_coco_evaluate(
    num_images: usize, num_cats: usize, gt_image: &[u32], gt_cat: &[u32], gt_box: &[f64], gt_area: &[f64], gt_crowd: &[u8],
    dt_image: &[u32], dt_cat: &[u32], dt_box: &[f64], dt_score: &[f64], iou_thrs: &[f64], rec_thrs: &[f64], max_dets: &[u32],
    area_rng: &[f64], use_cats: bool, offset: f64, precision: &mut [f64], recall: &mut [f64],
) -> Result<(), JsError> {
    let inp = coco::CocoInput {
        num_images, num_cats, gt_image, gt_cat, gt_box, gt_area, gt_crowd, dt_image, dt_cat, dt_box, dt_score,
    };
    let p = coco::CocoParams { iou_thrs, rec_thrs, max_dets, area_rng: whole(area_rng, 2), use_cats, offset };
    // Grow the memory once for the kernel's buffers (allocated and freed here, then reused by the
    // allocator): growing it in many small steps made the first large call ~2× slower.
    let (nd, ng) = (dt_image.len(), gt_image.len());
    let at = iou_thrs.len() * (area_rng.len() / 2);
    let est = nd.saturating_mul(12 + at).saturating_add(8 * (nd + ng)).saturating_add(16 * num_images).saturating_add(1 << 20);
    if let Ok(layout) = std::alloc::Layout::from_size_align(est, 8) {
        // SAFETY: non-zero size; a null result (no memory) is left to the kernel's own allocations.
        unsafe {
            let ptr = std::alloc::alloc(layout);
            if !ptr.is_null() {
                std::alloc::dealloc(ptr, layout);
            }
        }
    }
    report(coco::coco_evaluate(&inp, &p, precision, recall))
}
