//! wasm exports: PISA — IoU-HLR, ISR-P, ISR-N (Score-HLR), CARL (issue 4). Marshalling only; the
//! kernels are in `soft_sampling_core::pisa`. Scalar results are written to a small `f64` buffer.
use crate::report;
use soft_sampling_core::pisa::{self, IsrNParams, IsrPParams, PrimeMode};
use soft_sampling_core::CoreError;
use wasm_bindgen::prelude::*;

fn stats<const K: usize>(out: &mut [f64], v: [f64; K]) -> Result<(), CoreError> {
    if out.len() < K {
        return Err(CoreError::shape("stats", format!("needs {K} slots")));
    }
    out[..K].copy_from_slice(&v);
    Ok(())
}

/// Writes weights `[n]`, ranks `[n]` and `stats = [max_l_num, ratio, guarded]`.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn ss_pisa_isr_p(
    labels: &[i32], gt: &[i32], ious: &[f32], pos_loss: &[f32], lw: &[f32], prime: &[u8], prime_mode: u32, k: f32, bias: f32,
    per_class: bool, max_ratio: f64, weights: &mut [f32], ranks: &mut [i32], out: &mut [f64],
) -> Result<(), JsError> {
    report((|| {
        let p = IsrPParams { k, bias, per_class, max_ratio, prime: PrimeMode::from_u32(prime_mode)? };
        let st = pisa::isr_p_weights(labels, gt, ious, pos_loss, lw, prime, p, weights, ranks)?;
        stats(out, [st.max_l_num as f64, st.ratio, if st.guarded { 1.0 } else { 0.0 }])
    })())
}

/// Writes `selected`, `weights` (length `min(m, num_expected)`) and `stats = [num_hlr, num_valid, ratio, guarded]`.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn ss_pisa_isr_n(
    scores: &[f32], boxes: &[f32], loss: &[f32], num_expected: usize, k: f32, bias: f32, score_thr: f32, iou_thr: f32, max_ratio: f64,
    seed: u32, selected: &mut [i32], weights: &mut [f32], out: &mut [f64],
) -> Result<(), JsError> {
    report((|| {
        let p = IsrNParams { num_expected, k, bias, score_thr, iou_thr, max_ratio, seed };
        let st = pisa::isr_n(scores, boxes, loss, p, selected, weights)?;
        stats(out, [st.num_hlr as f64, st.num_valid as f64, st.ratio, if st.guarded { 1.0 } else { 0.0 }])
    })())
}
