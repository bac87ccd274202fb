//! napi bindings: PISA — IoU-HLR, ISR-P, ISR-N (Score-HLR), CARL (issue 4). Marshalling only;
//! the kernels are in `soft_sampling_core::pisa`.
use crate::guard;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use soft_sampling_core::pisa::{self, IsrNParams, IsrPParams, PrimeMode};

// Outputs of fixed size are buffers the caller allocates in the JS heap and passes in (`*_out`),
// which the kernels fill: Rust-owned external buffers are invisible to V8's GC heuristics and piled
// up in loops. `ts/backends/native.ts` allocates them and rebuilds the kernel-level results.

#[napi(object)]
pub struct IsrPStats {
    pub max_l_num: u32,
    pub ratio: f64,
    pub guarded: bool,
}

#[napi]
#[allow(clippy::too_many_arguments)]
pub fn pisa_isr_p(
    labels: Int32Array, gt_ids: Int32Array, ious: Float32Array, pos_loss: Float32Array, label_weights: Float32Array,
    prime: Uint8Array, prime_mode: u32, k: f64, bias: f64, per_class: bool, max_ratio: f64,
    mut weights_out: Float32Array, mut ranks_out: Int32Array,
) -> Result<IsrPStats> {
    guard(|| {
        let p = IsrPParams { k: k as f32, bias: bias as f32, per_class, max_ratio, prime: PrimeMode::from_u32(prime_mode)? };
        // SAFETY: as in pisa_iou_hlr.
        let (w, r) = unsafe { (weights_out.as_mut(), ranks_out.as_mut()) };
        let st = pisa::isr_p_weights(&labels, &gt_ids, &ious, &pos_loss, &label_weights, &prime, p, w, r)?;
        Ok(IsrPStats { max_l_num: st.max_l_num, ratio: st.ratio, guarded: st.guarded })
    })
}

#[napi(object)]
pub struct IsrNStats {
    pub num_hlr: u32,
    pub num_valid: u32,
    pub ratio: f64,
    pub guarded: bool,
}

/// Fills `selected_out` / `weights_out` (length `min(m, num_expected)`, allocated by the caller).
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn pisa_isr_n(
    scores: Float32Array, boxes: Float32Array, loss: Float32Array, num_expected: u32, k: f64, bias: f64,
    score_thr: f64, iou_thr: f64, max_ratio: f64, seed: u32, mut selected_out: Int32Array, mut weights_out: Float32Array,
) -> Result<IsrNStats> {
    guard(|| {
        let p = IsrNParams {
            num_expected: num_expected as usize, k: k as f32, bias: bias as f32, score_thr: score_thr as f32,
            iou_thr: iou_thr as f32, max_ratio, seed,
        };
        // SAFETY: as in pisa_iou_hlr.
        let (sel, w) = unsafe { (selected_out.as_mut(), weights_out.as_mut()) };
        let st = pisa::isr_n(&scores, &boxes, &loss, p, sel, w)?;
        Ok(IsrNStats { num_hlr: st.num_hlr as u32, num_valid: st.num_valid as u32, ratio: st.ratio, guarded: st.guarded })
    })
}
