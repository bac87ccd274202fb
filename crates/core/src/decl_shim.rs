//! Adapters with the declared shape (docs/design-bindings.md, "Moving an existing op onto the
//! declaration") over kernels written before the declaration: inputs as slices, one options
//! struct, outputs as `&mut` slices, scalar results in small `f64` outputs. Each only converts
//! arguments and calls the existing kernel, whose body and signature stay as they are.
use crate::geometry::{self, BoxFormat};
use crate::pisa::{self, ClsLoss};
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
