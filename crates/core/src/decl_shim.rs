//! Adapters with the declared shape (docs/design-bindings.md, "Moving an existing op onto the
//! declaration") over kernels written before the declaration: inputs as slices, one options
//! struct, outputs as `&mut` slices, scalar results in small `f64` outputs. Each only converts
//! arguments and calls the existing kernel, whose body and signature stay as they are.
use crate::geometry::{self, BoxFormat, CoderParams, DecodeOpts, OverlapMode, OverlapOpts};
use crate::assign::{self, sample, AssignOpts, ZeroIou};
use crate::losses::focal::{self, SigmoidKind, SigmoidParams};
use crate::losses::ghm::{self, GhmOpts, GhmOut, RegressionKind};
use crate::CoreError;
use crate::pisa::{self, CarlParams, ClsLoss, IsrNParams, IsrPParams, PrimeMode};
use crate::error::Result;

/// Converts a declared option from the JS number both bindings take it as (one `f64` parameter per
/// option, in declared order) to the field's declared type.
pub trait FromF64 {
    fn from_f64(v: f64) -> Self;
}
/// Numeric fields: an `as` conversion (saturating for the integer types; the facades validate ranges).
macro_rules! from_f64_as {
    ($($t:ty),*) => {$(
        impl FromF64 for $t {
            fn from_f64(v: f64) -> Self {
                v as $t
            }
        }
    )*};
}
from_f64_as!(f64, f32, usize, u32, i32);
impl FromF64 for bool {
    fn from_f64(v: f64) -> Self {
        v != 0.0
    }
}


/// Options of [`box_convert`]: box format codes (0 xyxy, 1 xywh, 2 cxcywh).
pub struct BoxConvertOpts {
    pub from: u32,
    pub to: u32,
}

/// [`geometry::box_convert`] with the declared shape.
pub fn box_convert(boxes: &[f32], o: &BoxConvertOpts, out: &mut [f32]) -> Result<()> {
    geometry::box_convert(boxes, BoxFormat::from_u32(o.from)?, BoxFormat::from_u32(o.to)?, out)
}

/// Options of [`grid_anchors`]: feature map size and strides (pixels).
pub struct GridAnchorsOpts {
    pub feat_h: u32,
    pub feat_w: u32,
    pub stride_h: f64,
    pub stride_w: f64,
}

/// [`geometry::grid_anchors`] with the declared shape.
pub fn grid_anchors(base_anchors: &[f32], o: &GridAnchorsOpts, out: &mut [f32]) -> Result<()> {
    geometry::grid_anchors(base_anchors, o.feat_h as usize, o.feat_w as usize, o.stride_h as f32, o.stride_w as f32, out)
}

/// Options of [`pisa_cls_loss`]: `kind` 0 cross-entropy, 1 sigmoid focal (`alpha < 0`: no α).
pub struct PisaClsLossOpts {
    pub cols: u32,
    pub kind: u32,
    pub alpha: f64,
    pub gamma: f64,
}

/// [`pisa::cls_loss_rows`] with the declared shape.
pub fn pisa_cls_loss(cls_score: &[f32], labels: &[i32], o: &PisaClsLossOpts, out: &mut [f32]) -> Result<()> {
    let kind = if o.kind == 0 { ClsLoss::Ce } else { ClsLoss::Focal { alpha: o.alpha as f32, gamma: o.gamma as f32 } };
    pisa::cls_loss_rows(cls_score, labels, o.cols as usize, kind, out)
}

fn coder(means: &[f32], stds: &[f32]) -> Result<CoderParams> {
    match (<[f32; 4]>::try_from(means), <[f32; 4]>::try_from(stds)) {
        (Ok(means), Ok(stds)) => Ok(CoderParams { means, stds }),
        _ => Err(CoreError::shape("means/stds", "need 4 values each")),
    }
}

/// Options of [`delta_encode`]: none (the coder's means and stds are inputs).
pub struct DeltaEncodeOpts {}

/// [`geometry::delta_encode`] with the declared shape.
pub fn delta_encode(priors: &[f32], gt: &[f32], means: &[f32], stds: &[f32], _o: &DeltaEncodeOpts, out: &mut [f32]) -> Result<()> {
    geometry::delta_encode(priors, gt, coder(means, stds)?, out)
}

/// Options of [`delta_decode`]: the `dw`/`dh` clip ratio.
pub struct DeltaDecodeOpts {
    pub wh_ratio_clip: f64,
}

/// [`geometry::delta_decode`] with the declared shape; `max_shape` is `[H, W]` or empty (no clipping).
pub fn delta_decode(priors: &[f32], deltas: &[f32], means: &[f32], stds: &[f32], max_shape: &[f32], o: &DeltaDecodeOpts, out: &mut [f32]) -> Result<()> {
    let d = DecodeOpts { wh_ratio_clip: o.wh_ratio_clip as f32, max_shape: if max_shape.len() == 2 { Some((max_shape[0], max_shape[1])) } else { None } };
    geometry::delta_decode(priors, deltas, coder(means, stds)?, d, out)
}

/// Options of [`decoded_iou`].
pub struct DecodedIouOpts {
    pub wh_ratio_clip: f64,
    pub eps: f64,
}

/// [`geometry::decoded_iou`] with the declared shape.
pub fn decoded_iou(priors: &[f32], deltas1: &[f32], deltas2: &[f32], means: &[f32], stds: &[f32], o: &DecodedIouOpts, out: &mut [f32]) -> Result<()> {
    geometry::decoded_iou(priors, deltas1, deltas2, coder(means, stds)?, o.wh_ratio_clip, o.eps, out)
}

/// Options of [`pisa_iou_hlr`]: `prime_mode` 0 off, 1 tie-break, 2 re-rank.
pub struct PisaIouHlrOpts {
    pub prime_mode: u32,
}

/// [`pisa::iou_hlr`] with the declared shape; `max_l_num[0]` gets the largest group count.
pub fn pisa_iou_hlr(labels: &[i32], gt_ids: &[i32], ious: &[f32], prime: &[u8], o: &PisaIouHlrOpts, ranks: &mut [i32], max_l_num: &mut [f64]) -> Result<()> {
    let m = pisa::iou_hlr(labels, gt_ids, ious, prime, PrimeMode::from_u32(o.prime_mode)?, ranks)?;
    max_l_num[0] = m as f64;
    Ok(())
}

/// Options of [`regression_loss`]: `kind` 0 smooth L1 (`param` β), 1 ASL1 (`param` μ); `weight` per row of `cols` or per element.
pub struct RegressionLossOpts {
    pub kind: u32,
    pub cols: u32,
    pub param: f64,
    pub scale: f64,
}

/// [`ghm::regression_loss`] with the declared shape; Σ loss in `sum[0]`.
pub fn regression_loss(pred: &[f32], target: &[f32], weight: &[f32], o: &RegressionLossOpts, loss_elements: &mut [f32], grad: &mut [f32], sum: &mut [f64]) -> Result<()> {
    let kind = RegressionKind::from_u32(o.kind)?;
    sum[0] = ghm::regression_loss(kind, pred, target, weight, o.cols as usize, o.param as f32, o.scale as f32, loss_elements, grad)?;
    Ok(())
}

/// Options of [`softmax_focal`]: rows `n`, classes `k`, focusing γ, reduction scale.
pub struct SoftmaxFocalOpts {
    pub n: u32,
    pub k: u32,
    pub gamma: f64,
    pub scale: f64,
}

/// [`focal::softmax_focal`] with the declared shape; Σ loss in `sum[0]`.
#[allow(clippy::too_many_arguments)]
pub fn softmax_focal(
    logits: &[f32], labels: &[i32], alpha: &[f32], weight: &[f32], label_weights: &[f32], o: &SoftmaxFocalOpts,
    loss_elements: &mut [f32], grad: &mut [f32], sum: &mut [f64],
) -> Result<()> {
    sum[0] = focal::softmax_focal(
        logits, o.n as usize, o.k as usize, labels, alpha, o.gamma as f32, weight, label_weights, o.scale as f32, loss_elements, grad,
    )?;
    Ok(())
}

/// Options of [`max_iou_assign`] (mmdet `MaxIoUAssigner`); `zero_iou_mmdet` picks mmdet's handling of zero-IoU priors.
pub struct MaxIouAssignOpts {
    pub pos_iou_thr: f64,
    pub neg_lo: f64,
    pub neg_hi: f64,
    pub min_pos_iou: f64,
    pub gt_max_assign_all: bool,
    pub match_low_quality: bool,
    pub ignore_iof_thr: f64,
    pub ignore_wrt_candidates: bool,
    pub zero_iou_mmdet: bool,
}

/// [`assign::max_iou_assign`] with the declared shape.
#[allow(clippy::too_many_arguments)]
pub fn max_iou_assign(
    priors: &[f32], gts: &[f32], gt_labels: &[i32], gt_ignore: &[f32], o: &MaxIouAssignOpts, gt_inds: &mut [i32], max_overlaps: &mut [f32],
    labels: &mut [i32],
) -> Result<()> {
    let a = AssignOpts {
        pos_iou_thr: o.pos_iou_thr as f32,
        neg_lo: o.neg_lo as f32,
        neg_hi: o.neg_hi as f32,
        min_pos_iou: o.min_pos_iou as f32,
        gt_max_assign_all: o.gt_max_assign_all,
        match_low_quality: o.match_low_quality,
        ignore_iof_thr: o.ignore_iof_thr as f32,
        ignore_wrt_candidates: o.ignore_wrt_candidates,
        zero_iou: if o.zero_iou_mmdet { ZeroIou::Mmdet } else { ZeroIou::Skip },
    };
    // the values are checked by the assignment (priors in its parallel blocks, then the gts; the
    // facade checks only the shapes): first bad element, `E_VALUE`
    assign::max_iou_assign(priors, gts, gt_labels, gt_ignore, &a, gt_inds, max_overlaps, labels)
}

/// Options of [`pisa_carl`] (mmdet `carl_loss` arguments).
pub struct PisaCarlOpts {
    pub num_classes: u32,
    pub sigmoid: bool,
    pub k: f64,
    pub bias: f64,
    pub beta: f64,
    pub avg_factor: f64,
    pub loss_weight: f64,
}

/// [`pisa::carl_loss`] with the declared shape; the loss in `loss[0]`.
#[allow(clippy::too_many_arguments)]
pub fn pisa_carl(
    cls_score: &[f32], labels: &[i32], bbox_pred: &[f32], bbox_targets: &[f32], o: &PisaCarlOpts, grad_cls_score: &mut [f32],
    grad_bbox_pred: &mut [f32], weights: &mut [f32], loss: &mut [f64],
) -> Result<()> {
    let p = CarlParams {
        num_classes: o.num_classes as usize, sigmoid: o.sigmoid, k: o.k as f32, bias: o.bias as f32, beta: o.beta as f32,
        avg_factor: o.avg_factor as f32, loss_weight: o.loss_weight as f32,
    };
    loss[0] = pisa::carl_loss(cls_score, labels, bbox_pred, bbox_targets, p, grad_cls_score, grad_bbox_pred, weights)?;
    Ok(())
}

/// Options of [`pisa_isr_p`] (mmdet `isr_p` arguments; `prime_mode` as in [`pisa_iou_hlr`]).
pub struct PisaIsrPOpts {
    pub prime_mode: u32,
    pub k: f64,
    pub bias: f64,
    pub per_class: bool,
    pub max_ratio: f64,
}

/// [`pisa::isr_p_weights`] with the declared shape; `stats` = `[max_l_num, ratio, guarded]`.
#[allow(clippy::too_many_arguments)]
pub fn pisa_isr_p(
    labels: &[i32], gt_ids: &[i32], ious: &[f32], pos_loss: &[f32], label_weights: &[f32], prime: &[u8], o: &PisaIsrPOpts,
    weights: &mut [f32], ranks: &mut [i32], stats: &mut [f64],
) -> Result<()> {
    let p = IsrPParams { k: o.k as f32, bias: o.bias as f32, per_class: o.per_class, max_ratio: o.max_ratio, prime: PrimeMode::from_u32(o.prime_mode)? };
    let st = pisa::isr_p_weights(labels, gt_ids, ious, pos_loss, label_weights, prime, p, weights, ranks)?;
    stats.copy_from_slice(&[st.max_l_num as f64, st.ratio, f64::from(u8::from(st.guarded))]);
    Ok(())
}

/// Options of [`pisa_isr_n`] (mmdet `ScoreHLRSampler` arguments).
pub struct PisaIsrNOpts {
    pub num_expected: u32,
    pub k: f64,
    pub bias: f64,
    pub score_thr: f64,
    pub iou_thr: f64,
    pub max_ratio: f64,
    pub seed: u32,
}

/// [`pisa::isr_n`] with the declared shape; `stats` = `[num_hlr, num_valid, ratio, guarded]`.
#[allow(clippy::too_many_arguments)]
pub fn pisa_isr_n(scores: &[f32], boxes: &[f32], loss: &[f32], o: &PisaIsrNOpts, selected: &mut [i32], weights: &mut [f32], stats: &mut [f64]) -> Result<()> {
    let p = IsrNParams {
        num_expected: o.num_expected as usize, k: o.k as f32, bias: o.bias as f32, score_thr: o.score_thr as f32,
        iou_thr: o.iou_thr as f32, max_ratio: o.max_ratio, seed: o.seed,
    };
    let st = pisa::isr_n(scores, boxes, loss, p, selected, weights)?;
    stats.copy_from_slice(&[st.num_hlr as f64, st.num_valid as f64, st.ratio, f64::from(u8::from(st.guarded))]);
    Ok(())
}

/// Options of [`eval_overlaps`]: `offset` 0, or 1 for the VOC `+1` widths.
pub struct EvalOverlapsOpts {
    pub offset: f64,
}

/// [`crate::eval::overlaps_xywh`] with the declared shape.
pub fn eval_overlaps(dets: &[f64], gts: &[f64], crowd: &[u8], o: &EvalOverlapsOpts, out: &mut [f64]) -> Result<()> {
    crate::eval::overlaps_xywh(dets, gts, crowd, o.offset, out)
}

/// The caller's GHM state copied into `acc_sum_out` (the kernel updates the copy; the caller's
/// array is not mutated), `counts` cleared.
fn ghm_state<'a>(acc_sum: &[f64], acc_sum_out: &'a mut [f64], counts: &mut [f64], bins: usize) -> Result<&'a mut [f64]> {
    if acc_sum.len() != bins || acc_sum_out.len() != bins {
        return Err(CoreError::shape("accSum", format!("expected {bins} values, got {}", acc_sum.len())));
    }
    acc_sum_out.copy_from_slice(acc_sum);
    counts.fill(0.0);
    Ok(acc_sum_out)
}

/// A GHM summary as the declared `stats` output: `[loss_sum, loss, tot, non_empty, scale, updated]`.
fn ghm_stats(s: ghm::GhmSummary, stats: &mut [f64]) -> Result<()> {
    stats.copy_from_slice(&[s.loss_sum, s.loss, s.tot, f64::from(s.non_empty), s.scale, f64::from(u8::from(s.updated))]);
    Ok(())
}

/// [`ghm::ghm_r`] with the declared shape (options: the core's [`GhmOpts`]): `acc_sum_out` is the
/// updated copy of `acc_sum`, `stats` the summary ([`ghm_stats`]).
#[allow(clippy::too_many_arguments)]
pub fn ghm_r(
    pred: &[f32], target: &[f32], label_weights: &[f32], acc_sum: &[f64], o: &GhmOpts, loss_elements: &mut [f32], grad: &mut [f32],
    weights: &mut [f32], g: &mut [f32], counts: &mut [f64], acc_sum_out: &mut [f64], stats: &mut [f64],
) -> Result<()> {
    let acc = ghm_state(acc_sum, acc_sum_out, counts, o.bins)?;
    ghm_stats(ghm::ghm_r(pred, target, label_weights, o, GhmOut { loss_elements, grad, weights, g, counts, acc_sum: acc })?, stats)
}

/// Copies a sampler's packed `[numPos, numNeg, pos.., neg.., posGt..]` into `packed` (sized by the
/// declared upper bound) and its real length into `len[0]`.
fn emit_packed(v: Vec<i32>, packed: &mut [i32], len: &mut [f64]) -> Result<()> {
    if v.len() > packed.len() {
        return Err(CoreError::shape("packed", format!("needs {} slots, the caller gave {}", v.len(), packed.len())));
    }
    packed[..v.len()].copy_from_slice(&v);
    packed[v.len()..].fill(0);
    len[0] = v.len() as f64;
    Ok(())
}

/// Options of [`random_sample`] (mmdet `RandomSampler`: `num`, `int(num · pos_fraction)`, `neg_pos_ub`; the seed).
pub struct RandomSampleOpts {
    pub num_added: u32,
    pub num: u32,
    pub num_expected_pos: u32,
    pub neg_pos_ub: f64,
    pub seed: u32,
}

fn budget(num: u32, num_expected_pos: u32, neg_pos_ub: f64) -> sample::Budget {
    sample::Budget { num: num as usize, num_expected_pos: num_expected_pos as usize, neg_pos_ub }
}

/// [`sample::random_sample`] with the declared shape (packed result, real length in `len[0]`).
pub fn random_sample(gt_inds: &[i32], o: &RandomSampleOpts, packed: &mut [i32], len: &mut [f64]) -> Result<()> {
    let v = sample::random_sample(gt_inds, o.num_added as usize, budget(o.num, o.num_expected_pos, o.neg_pos_ub), o.seed)?;
    emit_packed(v, packed, len)
}

/// Options of [`ohem_sample`] (mmdet `OHEMSampler` budget).
pub struct OhemSampleOpts {
    pub num_added: u32,
    pub num: u32,
    pub num_expected_pos: u32,
    pub neg_pos_ub: f64,
}

/// [`sample::ohem_sample`] with the declared shape.
pub fn ohem_sample(gt_inds: &[i32], losses: &[f32], o: &OhemSampleOpts, packed: &mut [i32], len: &mut [f64]) -> Result<()> {
    let v = sample::ohem_sample(gt_inds, o.num_added as usize, losses, budget(o.num, o.num_expected_pos, o.neg_pos_ub))?;
    emit_packed(v, packed, len)
}

/// Options of [`iou_balanced_sample`] (mmdet `IoUBalancedNegSampler`).
pub struct IouBalancedSampleOpts {
    pub num_added: u32,
    pub num: u32,
    pub num_expected_pos: u32,
    pub neg_pos_ub: f64,
    pub seed: u32,
    pub floor_thr: f64,
    pub floor_fraction: f64,
    pub num_bins: u32,
}

/// [`sample::iou_balanced_sample`] with the declared shape.
pub fn iou_balanced_sample(gt_inds: &[i32], max_overlaps: &[f32], o: &IouBalancedSampleOpts, packed: &mut [i32], len: &mut [f64]) -> Result<()> {
    let io = sample::IouBalancedOpts { floor_thr: o.floor_thr, floor_fraction: o.floor_fraction, num_bins: o.num_bins as usize };
    let v = sample::iou_balanced_sample(gt_inds, max_overlaps, o.num_added as usize, budget(o.num, o.num_expected_pos, o.neg_pos_ub), io, o.seed)?;
    emit_packed(v, packed, len)
}

/// Options of [`hard_negative_mining`] (SSD's `neg_pos_ratio`; `num_classes` = the background label).
pub struct HardNegativeMiningOpts {
    pub num_images: u32,
    pub num_classes: i32,
    pub neg_pos_ratio: f64,
}

/// [`sample::hard_negative_mining`] with the declared shape.
pub fn hard_negative_mining(losses: &[f32], labels: &[i32], o: &HardNegativeMiningOpts, packed: &mut [i32], len: &mut [f64]) -> Result<()> {
    let v = sample::hard_negative_mining(losses, labels, o.num_images as usize, o.num_classes, o.neg_pos_ratio)?;
    emit_packed(v, packed, len)
}

/// Options of [`bbox_overlaps`]: `mode` 0 IoU, 1 IoF, 2 GIoU; `aligned`: pairs `i ↔ i` (`[N]`
/// output) instead of the `[N, M]` matrix; `eps` floors the union; `offset` 1 for legacy `+1` widths.
pub struct BboxOverlapsOpts {
    pub mode: u32,
    pub aligned: bool,
    pub eps: f64,
    pub offset: f64,
}

/// [`geometry::bbox_overlaps`] / [`geometry::bbox_overlaps_aligned`] with the declared shape.
pub fn bbox_overlaps(boxes1: &[f32], boxes2: &[f32], o: &BboxOverlapsOpts, out: &mut [f32]) -> Result<()> {
    let opts = OverlapOpts { mode: OverlapMode::from_u32(o.mode)?, eps: o.eps as f32, offset: o.offset as f32 };
    if o.aligned {
        geometry::bbox_overlaps_aligned(boxes1, boxes2, opts, out)
    } else {
        geometry::bbox_overlaps(boxes1, boxes2, opts, out)
    }
}

/// Options of [`sigmoid_loss`]: `[n, c]` logits; `use_labels`: `labels` `[n]` are the targets,
/// else `targets` `[n·c]`; `kind` 0 CE, 1 focal, 2 focal (mmcv clamp), 3 FL*; α only when `has_alpha`.
pub struct SigmoidLossOpts {
    pub n: u32,
    pub c: u32,
    pub use_labels: bool,
    pub kind: u32,
    pub has_alpha: bool,
    pub alpha: f64,
    pub gamma: f64,
    pub beta: f64,
    pub scale: f64,
}

/// [`focal::sigmoid_loss`] with the declared shape; the f64 Σ of the element losses in `sum[0]`.
#[allow(clippy::too_many_arguments)]
pub fn sigmoid_loss(
    logits: &[f32], targets: &[f32], labels: &[i32], weight: &[f32], label_weights: &[f32], o: &SigmoidLossOpts, loss_elements: &mut [f32],
    grad: &mut [f32], sum: &mut [f64],
) -> Result<()> {
    let p = SigmoidParams {
        kind: SigmoidKind::from_u32(o.kind)?,
        alpha: if o.has_alpha { Some(o.alpha as f32) } else { None },
        gamma: o.gamma as f32,
        beta: o.beta as f32,
        scale: o.scale as f32,
    };
    let t = if o.use_labels { focal::Targets::Labels(labels) } else { focal::Targets::Dense(targets) };
    sum[0] = focal::sigmoid_loss(logits, o.n as usize, o.c as usize, t, weight, label_weights, p, loss_elements, grad)?;
    Ok(())
}

/// Options of [`ghm_c`]: `[N, num_classes]` logits, `use_labels` as in [`sigmoid_loss`]; the GHM
/// state (`bins`, `steps`) and loss options as [`ghm_r`]; `lean`: `weights` and `g` are not written
/// (empty outputs: a training step needs only the loss and its gradient).
pub struct GhmCOpts {
    pub num_classes: u32,
    pub use_labels: bool,
    pub bins: u32,
    pub momentum: f64,
    pub all_bins: bool,
    pub bias_correction: bool,
    pub steps: f64,
    pub loss_weight: f64,
    pub mean: bool,
    pub lean: bool,
}

/// [`ghm::ghm_c`] with the declared shape (state and `stats` as [`ghm_r`]; μ unused).
#[allow(clippy::too_many_arguments)]
pub fn ghm_c(
    logits: &[f32], targets: &[f32], labels: &[i32], label_weights: &[f32], acc_sum: &[f64], o: &GhmCOpts, loss_elements: &mut [f32],
    grad: &mut [f32], weights: &mut [f32], g: &mut [f32], counts: &mut [f64], acc_sum_out: &mut [f64], stats: &mut [f64],
) -> Result<()> {
    let go = GhmOpts {
        bins: o.bins as usize, momentum: o.momentum, all_bins: o.all_bins, bias_correction: o.bias_correction, steps: o.steps,
        loss_weight: o.loss_weight, mean: o.mean, mu: 0.02,
    };
    let acc = ghm_state(acc_sum, acc_sum_out, counts, go.bins)?;
    let t = if o.use_labels { ghm::Targets::Labels(labels) } else { ghm::Targets::Dense(targets) };
    ghm_stats(ghm::ghm_c(logits, o.num_classes as usize, t, label_weights, &go, GhmOut { loss_elements, grad, weights, g, counts, acc_sum: acc })?, stats)
}
