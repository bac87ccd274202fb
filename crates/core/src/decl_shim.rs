//! Adapters with the declared shape (docs/design-bindings.md, "Moving an existing op onto the
//! declaration") over kernels written before the declaration: inputs as slices, one options
//! struct, outputs as `&mut` slices, scalar results in small `f64` outputs. Each only converts
//! arguments and calls the existing kernel, whose body and signature stay as they are.
use crate::geometry::{self, BoxFormat, CoderParams, DecodeOpts};
use crate::assign::{self, AssignOpts, ZeroIou};
use crate::losses::focal;
use crate::losses::ghm::{self, RegressionKind};
use crate::CoreError;
use crate::pisa::{self, CarlParams, ClsLoss, PrimeMode};
use crate::error::Result;

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
