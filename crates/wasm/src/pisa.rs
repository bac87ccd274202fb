//! wasm exports: PISA — IoU-HLR, ISR-P, ISR-N (Score-HLR), CARL (issue 4). Marshalling only; the
//! kernels are in `soft_sampling_core::pisa`. Scalar results are written to a small `f64` buffer.
use crate::{report, slice, slice_mut};
use soft_sampling_core::pisa::{self, CarlParams, ClsLoss, IsrNParams, IsrPParams, PrimeMode};

/// Writes ranks `[n]` and `stats = [max_l_num]`.
#[no_mangle]
pub unsafe extern "C" fn ss_pisa_iou_hlr(
    labels: *const i32, gt: *const i32, ious: *const f32, n: usize, prime: *const u8, prime_len: usize, prime_mode: u32,
    ranks: *mut i32, stats: *mut f64,
) -> i32 {
    report((|| {
        let m = pisa::iou_hlr(slice(labels, n), slice(gt, n), slice(ious, n), slice(prime, prime_len), PrimeMode::from_u32(prime_mode)?, slice_mut(ranks, n))?;
        slice_mut(stats, 1)[0] = m as f64;
        Ok(())
    })())
}

/// Writes weights `[n]`, ranks `[n]` and `stats = [max_l_num, ratio, guarded]`.
#[no_mangle]
pub unsafe extern "C" fn ss_pisa_isr_p(
    labels: *const i32, gt: *const i32, ious: *const f32, pos_loss: *const f32, lw: *const f32, n: usize,
    prime: *const u8, prime_len: usize, prime_mode: u32, k: f32, bias: f32, per_class: u32, max_ratio: f64,
    weights: *mut f32, ranks: *mut i32, stats: *mut f64,
) -> i32 {
    report((|| {
        let p = IsrPParams { k, bias, per_class: per_class != 0, max_ratio, prime: PrimeMode::from_u32(prime_mode)? };
        let st = pisa::isr_p_weights(
            slice(labels, n), slice(gt, n), slice(ious, n), slice(pos_loss, n), slice(lw, n), slice(prime, prime_len), p,
            slice_mut(weights, n), slice_mut(ranks, n),
        )?;
        let s = slice_mut(stats, 3);
        s[0] = st.max_l_num as f64;
        s[1] = st.ratio;
        s[2] = if st.guarded { 1.0 } else { 0.0 };
        Ok(())
    })())
}

#[no_mangle]
pub unsafe extern "C" fn ss_pisa_cls_loss(
    score: *const f32, labels: *const i32, n: usize, cols: usize, kind: u32, alpha: f32, gamma: f32, out: *mut f32,
) -> i32 {
    let kind = if kind == 0 { ClsLoss::Ce } else { ClsLoss::Focal { alpha, gamma } };
    report(pisa::cls_loss_rows(slice(score, n * cols), slice(labels, n), cols, kind, slice_mut(out, n)))
}

/// Writes the gradients, the weights `[n]` and `loss = [loss]`.
#[no_mangle]
pub unsafe extern "C" fn ss_pisa_carl(
    score: *const f32, score_len: usize, labels: *const i32, n: usize, pred: *const f32, pred_len: usize, targets: *const f32,
    num_classes: usize, sigmoid: u32, k: f32, bias: f32, beta: f32, avg_factor: f32, loss_weight: f32,
    grad_cls: *mut f32, grad_bbox: *mut f32, weights: *mut f32, loss: *mut f64,
) -> i32 {
    report((|| {
        let p = CarlParams { num_classes, sigmoid: sigmoid != 0, k, bias, beta, avg_factor, loss_weight };
        let l = pisa::carl_loss(
            slice(score, score_len), slice(labels, n), slice(pred, pred_len), slice(targets, 4 * n), p,
            slice_mut(grad_cls, score_len), slice_mut(grad_bbox, pred_len), slice_mut(weights, n),
        )?;
        slice_mut(loss, 1)[0] = l;
        Ok(())
    })())
}

/// Writes `selected`, `weights` (length `min(m, num_expected)`) and `stats = [num_hlr, num_valid, ratio, guarded]`.
#[no_mangle]
pub unsafe extern "C" fn ss_pisa_isr_n(
    scores: *const f32, m: usize, boxes: *const f32, loss: *const f32, loss_len: usize, num_expected: usize, k: f32, bias: f32,
    score_thr: f32, iou_thr: f32, max_ratio: f64, seed: u32, selected: *mut i32, weights: *mut f32, stats: *mut f64,
) -> i32 {
    report((|| {
        let p = IsrNParams { num_expected, k, bias, score_thr, iou_thr, max_ratio, seed };
        let ne = pisa::isr_n_count(m, num_expected);
        let st = pisa::isr_n(slice(scores, m), slice(boxes, 4 * m), slice(loss, loss_len), p, slice_mut(selected, ne), slice_mut(weights, ne))?;
        let s = slice_mut(stats, 4);
        s[0] = st.num_hlr as f64;
        s[1] = st.num_valid as f64;
        s[2] = st.ratio;
        s[3] = if st.guarded { 1.0 } else { 0.0 };
        Ok(())
    })())
}
