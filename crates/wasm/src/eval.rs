//! wasm exports: evaluation in f64 (issue 15) — the evaluators' overlaps and the whole COCO
//! evaluation (issue 9 item 8). Marshalling only; the kernels are `soft_sampling_core::eval`.
use crate::{report, slice, slice_mut};
use soft_sampling_core::eval::{self, coco};

/// Overlaps `[d, g]` of `[x, y, w, h]` f64 boxes; `crowd` has `g` flags (or `g = 0`).
#[no_mangle]
pub unsafe extern "C" fn ss_eval_overlaps(dets: *const f64, d: usize, gts: *const f64, g: usize, crowd: *const u8, offset: f64, out: *mut f64) -> i32 {
    report(eval::overlaps_xywh(slice(dets, 4 * d), slice(gts, 4 * g), slice(crowd, g), offset, slice_mut(out, d * g)))
}

/// pycocotools evaluate + accumulate; writes `precision` `[T,R,K,A,M]` and `recall` `[T,K,A,M]`
/// (`K = num_cats`, or 1 when `use_cats = 0`).
#[no_mangle]
pub unsafe extern "C" fn ss_coco_evaluate(
    num_images: usize, num_cats: usize, ng: usize, gt_image: *const u32, gt_cat: *const u32, gt_box: *const f64, gt_area: *const f64,
    gt_crowd: *const u8, nd: usize, dt_image: *const u32, dt_cat: *const u32, dt_box: *const f64, dt_score: *const f64,
    iou_thrs: *const f64, t: usize, rec_thrs: *const f64, r: usize, max_dets: *const u32, m: usize, area_rng: *const f64, a: usize,
    use_cats: u32, offset: f64, precision: *mut f64, recall: *mut f64,
) -> i32 {
    let inp = coco::CocoInput {
        num_images, num_cats, gt_image: slice(gt_image, ng), gt_cat: slice(gt_cat, ng), gt_box: slice(gt_box, 4 * ng),
        gt_area: slice(gt_area, ng), gt_crowd: slice(gt_crowd, ng), dt_image: slice(dt_image, nd), dt_cat: slice(dt_cat, nd),
        dt_box: slice(dt_box, 4 * nd), dt_score: slice(dt_score, nd),
    };
    let p = coco::CocoParams {
        iou_thrs: slice(iou_thrs, t), rec_thrs: slice(rec_thrs, r), max_dets: slice(max_dets, m), area_rng: slice(area_rng, 2 * a),
        use_cats: use_cats != 0, offset,
    };
    let (pl, rl) = coco::coco_output_lens(&p, num_cats);
    // Grow the memory once for the kernel's buffers (allocated and freed here, then reused by the
    // allocator): growing it in many small steps made the first large call ~2× slower.
    let at = t * a;
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
    report(coco::coco_evaluate(&inp, &p, slice_mut(precision, pl), slice_mut(recall, rl)))
}
