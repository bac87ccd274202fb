//! Box geometry: overlaps (IoU / IoF / GIoU), format conversion, the delta-xywh box coder and
//! anchor grids.
//!
//! Semantics follow mmdetection (`mmdet/structures/bbox/bbox_overlaps.py`,
//! `delta_xywh_bbox_coder.py`, `anchor_generator.py`), restated in `docs/spec/reference-semantics.md`
//! §6–7. Boxes are `xyxy` `f32`, row-major.

use crate::dispatch;
use crate::error::{check_len, CoreError, Result};
use crate::simd::{fmax, fmin};

/// Overlap measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverlapMode {
    /// intersection / union
    Iou = 0,
    /// intersection / area of the box of the first set ("intersection over foreground")
    Iof = 1,
    /// IoU − (enclosing area − union) / enclosing area
    Giou = 2,
}

impl OverlapMode {
    pub fn from_u32(v: u32) -> Result<Self> {
        match v {
            0 => Ok(OverlapMode::Iou),
            1 => Ok(OverlapMode::Iof),
            2 => Ok(OverlapMode::Giou),
            _ => Err(CoreError::value("mode", format!("unknown overlap mode {v}"))),
        }
    }
}

/// Options of [`bbox_overlaps`].
#[derive(Debug, Clone, Copy)]
pub struct OverlapOpts {
    pub mode: OverlapMode,
    /// floor of the union (and of the GIoU enclosing area); mmdet default 1e-6
    pub eps: f32,
    /// 0 for modern boxes; 1 adds the legacy `+1` to widths and heights (mmdet v1)
    pub offset: f32,
}

/// Output elements per parallel chunk of the pairwise kernel.
const PAR_CHUNK: usize = 1 << 15;

const MODE_IOU: u8 = 0;
const MODE_IOF: u8 = 1;
const MODE_GIOU: u8 = 2;

/// Pairwise overlaps `[N,4] × [M,4] → [N,M]` written into `out` (row-major, length N·M).
///
/// Only O(M) scratch besides the output: `boxes2` is transposed once to structure-of-arrays so the
/// inner loop over M vectorises.
pub fn bbox_overlaps(boxes1: &[f32], boxes2: &[f32], opts: OverlapOpts, out: &mut [f32]) -> Result<()> {
    if boxes1.len() % 4 != 0 {
        return Err(CoreError::shape("boxes1", "length is not a multiple of 4"));
    }
    if boxes2.len() % 4 != 0 {
        return Err(CoreError::shape("boxes2", "length is not a multiple of 4"));
    }
    let n = boxes1.len() / 4;
    let m = boxes2.len() / 4;
    check_len("out", out, n * m)?;
    if n == 0 || m == 0 {
        return Ok(());
    }
    let soa = Soa::new(boxes2, opts.offset);
    // chunks of whole rows, ≈ 32 Ki outputs each (independent of the thread count); no reductions
    let rows = (PAR_CHUNK / m).max(1);
    let chunks = n.div_ceil(rows);
    let shared = crate::par::SharedMut::new(out);
    crate::par::map_chunks(chunks, n * m, || (), |_, ci| {
        let (r0, r1) = (ci * rows, ((ci + 1) * rows).min(n));
        // SAFETY: chunk ranges are disjoint.
        let out = unsafe { shared.range(r0 * m, r1 * m) };
        let b1 = &boxes1[4 * r0..4 * r1];
        match opts.mode {
            OverlapMode::Iou => dispatch!(pairwise::<MODE_IOU>(b1, &soa, opts, out)),
            OverlapMode::Iof => dispatch!(pairwise::<MODE_IOF>(b1, &soa, opts, out)),
            OverlapMode::Giou => dispatch!(pairwise::<MODE_GIOU>(b1, &soa, opts, out)),
        }
    });
    Ok(())
}

/// Aligned overlaps `[N,4] × [N,4] → [N]`: box i of the first set against box i of the second.
pub fn bbox_overlaps_aligned(boxes1: &[f32], boxes2: &[f32], opts: OverlapOpts, out: &mut [f32]) -> Result<()> {
    if boxes1.len() % 4 != 0 {
        return Err(CoreError::shape("boxes1", "length is not a multiple of 4"));
    }
    check_len("boxes2", boxes2, boxes1.len())?;
    let n = boxes1.len() / 4;
    check_len("out", out, n)?;
    for i in 0..n {
        let a = &boxes1[4 * i..4 * i + 4];
        let b = &boxes2[4 * i..4 * i + 4];
        out[i] = overlap_one(a, b, opts);
    }
    Ok(())
}

/// Overlap of one pair of boxes (the scalar definition every vector loop must agree with).
#[inline(always)]
pub fn overlap_one(a: &[f32], b: &[f32], opts: OverlapOpts) -> f32 {
    let off = opts.offset;
    let area_a = (a[2] - a[0] + off) * (a[3] - a[1] + off);
    let area_b = (b[2] - b[0] + off) * (b[3] - b[1] + off);
    let iw = fmax(fmin(a[2], b[2]) - fmax(a[0], b[0]) + off, 0.0);
    let ih = fmax(fmin(a[3], b[3]) - fmax(a[1], b[1]) + off, 0.0);
    let inter = iw * ih;
    let union = match opts.mode {
        OverlapMode::Iof => area_a,
        _ => area_a + area_b - inter,
    };
    let union = fmax(union, opts.eps);
    let iou = inter / union;
    if opts.mode != OverlapMode::Giou {
        return iou;
    }
    let ew = fmax(fmax(a[2], b[2]) - fmin(a[0], b[0]) + off, 0.0);
    let eh = fmax(fmax(a[3], b[3]) - fmin(a[1], b[1]) + off, 0.0);
    // the enclosing box covers the union for well-formed boxes; for reversed corners (negative
    // widths) its area can fall below the union, and GIoU would exceed IoU: floor it at the union
    let enclose = fmax(ew * eh, union);
    iou - (enclose - union) / enclose
}

/// `boxes2` transposed to structure-of-arrays, plus areas.
struct Soa {
    x1: Vec<f32>,
    y1: Vec<f32>,
    x2: Vec<f32>,
    y2: Vec<f32>,
    area: Vec<f32>,
}

impl Soa {
    fn new(boxes: &[f32], off: f32) -> Self {
        let m = boxes.len() / 4;
        let mut s = Soa {
            x1: Vec::with_capacity(m),
            y1: Vec::with_capacity(m),
            x2: Vec::with_capacity(m),
            y2: Vec::with_capacity(m),
            area: Vec::with_capacity(m),
        };
        for b in boxes.chunks_exact(4) {
            s.x1.push(b[0]);
            s.y1.push(b[1]);
            s.x2.push(b[2]);
            s.y2.push(b[3]);
            s.area.push((b[2] - b[0] + off) * (b[3] - b[1] + off));
        }
        s
    }
}

#[inline(always)]
fn pairwise<const MODE: u8>(boxes1: &[f32], s: &Soa, opts: OverlapOpts, out: &mut [f32]) {
    let m = s.x1.len();
    let off = opts.offset;
    let eps = opts.eps;
    let (x1, y1, x2, y2, area2) = (&s.x1[..m], &s.y1[..m], &s.x2[..m], &s.y2[..m], &s.area[..m]);
    for (a, row) in boxes1.chunks_exact(4).zip(out.chunks_exact_mut(m)) {
        let (ax1, ay1, ax2, ay2) = (a[0], a[1], a[2], a[3]);
        let area1 = (ax2 - ax1 + off) * (ay2 - ay1 + off);
        for j in 0..m {
            let iw = fmax(fmin(ax2, x2[j]) - fmax(ax1, x1[j]) + off, 0.0);
            let ih = fmax(fmin(ay2, y2[j]) - fmax(ay1, y1[j]) + off, 0.0);
            let inter = iw * ih;
            let union = if MODE == MODE_IOF { area1 } else { area1 + area2[j] - inter };
            let union = fmax(union, eps);
            let iou = inter / union;
            row[j] = if MODE == MODE_GIOU {
                let ew = fmax(fmax(ax2, x2[j]) - fmin(ax1, x1[j]) + off, 0.0);
                let eh = fmax(fmax(ay2, y2[j]) - fmin(ay1, y1[j]) + off, 0.0);
                let enclose = fmax(ew * eh, union); // ≥ union ≥ eps: GIoU ≤ IoU (see overlap_one)
                iou - (enclose - union) / enclose
            } else {
                iou
            };
        }
    }
}

/// Box formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoxFormat {
    Xyxy = 0,
    Xywh = 1,
    Cxcywh = 2,
}

impl BoxFormat {
    pub fn from_u32(v: u32) -> Result<Self> {
        match v {
            0 => Ok(BoxFormat::Xyxy),
            1 => Ok(BoxFormat::Xywh),
            2 => Ok(BoxFormat::Cxcywh),
            _ => Err(CoreError::value("format", format!("unknown box format {v}"))),
        }
    }
}

/// Converts `[N,4]` boxes between `xyxy`, `xywh` (top-left + size) and `cxcywh` (centre + size).
pub fn box_convert(boxes: &[f32], from: BoxFormat, to: BoxFormat, out: &mut [f32]) -> Result<()> {
    if boxes.len() % 4 != 0 {
        return Err(CoreError::shape("boxes", "length is not a multiple of 4"));
    }
    check_len("out", out, boxes.len())?;
    for (b, o) in boxes.chunks_exact(4).zip(out.chunks_exact_mut(4)) {
        // between the two size formats, convert directly: a detour through corners loses a small
        // size next to a large coordinate (y = 1e8, h = 3 → y2 − y1 = 0 in float32)
        match (from, to) {
            (BoxFormat::Xywh, BoxFormat::Cxcywh) => {
                o.copy_from_slice(&[b[0] + 0.5 * b[2], b[1] + 0.5 * b[3], b[2], b[3]]);
                continue;
            }
            (BoxFormat::Cxcywh, BoxFormat::Xywh) => {
                o.copy_from_slice(&[b[0] - 0.5 * b[2], b[1] - 0.5 * b[3], b[2], b[3]]);
                continue;
            }
            _ if from == to => {
                o.copy_from_slice(b);
                continue;
            }
            _ => {}
        }
        let (x1, y1, x2, y2) = match from {
            BoxFormat::Xyxy => (b[0], b[1], b[2], b[3]),
            BoxFormat::Xywh => (b[0], b[1], b[0] + b[2], b[1] + b[3]),
            BoxFormat::Cxcywh => (b[0] - 0.5 * b[2], b[1] - 0.5 * b[3], b[0] + 0.5 * b[2], b[1] + 0.5 * b[3]),
        };
        let r = match to {
            BoxFormat::Xyxy => [x1, y1, x2, y2],
            BoxFormat::Xywh => [x1, y1, x2 - x1, y2 - y1],
            BoxFormat::Cxcywh => [0.5 * (x1 + x2), 0.5 * (y1 + y2), x2 - x1, y2 - y1],
        };
        o.copy_from_slice(&r);
    }
    Ok(())
}

/// Parameters of the delta-xywh coder (mmdet `DeltaXYWHBBoxCoder`).
#[derive(Debug, Clone, Copy)]
pub struct CoderParams {
    pub means: [f32; 4],
    pub stds: [f32; 4],
}

/// Encodes `gt` relative to `priors`, both `[N,4]` xyxy, into `[N,4]` deltas
/// `((gx−px)/pw, (gy−py)/ph, log(gw/pw), log(gh/ph))`, then `(d − means)/stds`.
pub fn delta_encode(priors: &[f32], gt: &[f32], p: CoderParams, out: &mut [f32]) -> Result<()> {
    if priors.len() % 4 != 0 {
        return Err(CoreError::shape("priors", "length is not a multiple of 4"));
    }
    check_len("gt", gt, priors.len())?;
    check_len("out", out, priors.len())?;
    // float64 intermediates (a scalar loop, not a hot one): the centre offsets of nearby boxes far
    // from the origin, or of a huge gt around a small prior, cancel in float32 — every backend now
    // rounds once, at the end, as the TS backend does
    for ((a, g), o) in priors.chunks_exact(4).zip(gt.chunks_exact(4)).zip(out.chunks_exact_mut(4)) {
        let [a0, a1, a2, a3] = [a[0] as f64, a[1] as f64, a[2] as f64, a[3] as f64];
        let [g0, g1, g2, g3] = [g[0] as f64, g[1] as f64, g[2] as f64, g[3] as f64];
        let (pw, ph) = (a2 - a0, a3 - a1);
        let (gw, gh) = (g2 - g0, g3 - g1);
        let (px, py) = ((a0 + a2) * 0.5, (a1 + a3) * 0.5);
        let (gx, gy) = ((g0 + g2) * 0.5, (g1 + g3) * 0.5);
        let d = [(gx - px) / pw, (gy - py) / ph, (gw / pw).ln(), (gh / ph).ln()];
        for k in 0..4 {
            o[k] = ((d[k] - p.means[k] as f64) / p.stds[k] as f64) as f32;
        }
    }
    Ok(())
}

/// Options of [`delta_decode`].
#[derive(Debug, Clone, Copy)]
pub struct DecodeOpts {
    /// `|dw|, |dh|` are clamped to `|ln(wh_ratio_clip)|` (mmdet default 16/1000 → ±4.135)
    pub wh_ratio_clip: f32,
    /// when set, clip to `x ∈ [0, W]`, `y ∈ [0, H]`: `(H, W)`
    pub max_shape: Option<(f32, f32)>,
}

/// Decodes `[N, 4K]` deltas against `[N,4]` priors into `[N, 4K]` xyxy boxes (K = 1, or one
/// box per class for class-specific regressors).
pub fn delta_decode(priors: &[f32], deltas: &[f32], p: CoderParams, o: DecodeOpts, out: &mut [f32]) -> Result<()> {
    if priors.len() % 4 != 0 {
        return Err(CoreError::shape("priors", "length is not a multiple of 4"));
    }
    let n = priors.len() / 4;
    check_len("out", out, deltas.len())?;
    if n == 0 {
        return check_len("deltas", deltas, 0);
    }
    if deltas.len() % (4 * n) != 0 {
        return Err(CoreError::shape("deltas", "length is not N·4·K for the N priors"));
    }
    let k = deltas.len() / (4 * n);
    // float64 intermediates, one rounding at the end (as the TS backend): a small box far from the
    // origin decoded in float32 lost its width (centre ± half-size cancel)
    let max_ratio = (o.wh_ratio_clip as f64).ln().abs();
    let (st, mn) = (p.stds.map(|v| v as f64), p.means.map(|v| v as f64));
    for i in 0..n {
        let a = &priors[4 * i..4 * i + 4];
        let [a0, a1, a2, a3] = [a[0] as f64, a[1] as f64, a[2] as f64, a[3] as f64];
        let (pw, ph) = (a2 - a0, a3 - a1);
        let (px, py) = ((a0 + a2) * 0.5, (a1 + a3) * 0.5);
        for c in 0..k {
            let base = (i * k + c) * 4;
            let d = &deltas[base..base + 4];
            let dx = d[0] as f64 * st[0] + mn[0];
            let dy = d[1] as f64 * st[1] + mn[1];
            let dw = (d[2] as f64 * st[2] + mn[2]).clamp(-max_ratio, max_ratio);
            let dh = (d[3] as f64 * st[3] + mn[3]).clamp(-max_ratio, max_ratio);
            let gx = px + pw * dx;
            let gy = py + ph * dy;
            let gw = pw * dw.exp();
            let gh = ph * dh.exp();
            let mut b = [gx - gw * 0.5, gy - gh * 0.5, gx + gw * 0.5, gy + gh * 0.5];
            if let Some((h, w)) = o.max_shape {
                let (h, w) = (h as f64, w as f64);
                b[0] = b[0].max(0.0).min(w);
                b[2] = b[2].max(0.0).min(w);
                b[1] = b[1].max(0.0).min(h);
                b[3] = b[3].max(0.0).min(h);
            }
            for (o, v) in out[base..base + 4].iter_mut().zip(b) {
                *o = v as f32;
            }
        }
    }
    Ok(())
}

/// Aligned IoU of the boxes two `[N,4]` delta sets decode to on the same `[N,4]` priors
/// (`IoU(decode(prior_i, deltas1_i), decode(prior_i, deltas2_i))`, as mmdet `isr_p` step 5 with
/// `DeltaXYWHBBoxCoder`, no `max_shape`), written as `[N]` float32 into `out`.
///
/// Exact to float32 at any magnitude: the IoU does not depend on where the prior sits nor on its
/// size (an affine map of each axis), so it is computed in prior-relative units —
/// box `k` spans `dx_k ± exp(dw_k)/2` — and relative to the first box's centre (the centre offset
/// `(dx2 − dx1)·std` is one correctly rounded operation, the same on every backend). Decoding to
/// corners first loses the box: 14 px at y = 1.4e7 is 14 float32 steps, and the last bit of two
/// libm `exp`s moved a corner by a whole pixel (IoU 0.016017 vs 0.015980). Only `exp`'s last bit
/// differs between backends here, ~1e-16 relative, far below float32's step. `eps` floors the
/// union in pixel² (`pw·ph` times the prior-relative union), as [`bbox_overlaps_aligned`]; a prior
/// of zero width or height decodes to points: IoU 0.
pub fn decoded_iou(priors: &[f32], deltas1: &[f32], deltas2: &[f32], p: CoderParams, wh_ratio_clip: f64, eps: f64, out: &mut [f32]) -> Result<()> {
    if priors.len() % 4 != 0 {
        return Err(CoreError::shape("priors", "length is not a multiple of 4"));
    }
    check_len("deltas1", deltas1, priors.len())?;
    check_len("deltas2", deltas2, priors.len())?;
    check_len("out", out, priors.len() / 4)?;
    let max_ratio = wh_ratio_clip.ln().abs();
    let (st, mn) = (p.stds.map(|v| v as f64), p.means.map(|v| v as f64));
    for (i, o) in out.iter_mut().enumerate() {
        let a = &priors[4 * i..4 * i + 4];
        let area = (a[2] as f64 - a[0] as f64) * (a[3] as f64 - a[1] as f64);
        let (d1, d2) = (&deltas1[4 * i..4 * i + 4], &deltas2[4 * i..4 * i + 4]);
        // prior-relative half sizes of the two boxes, and the second centre relative to the first
        let half = |d: f64, k: usize| 0.5 * (d * st[k] + mn[k]).clamp(-max_ratio, max_ratio).exp();
        let (w1, h1, w2, h2) = (half(d1[2] as f64, 2), half(d1[3] as f64, 3), half(d2[2] as f64, 2), half(d2[3] as f64, 3));
        let cx = (d2[0] as f64 - d1[0] as f64) * st[0];
        let cy = (d2[1] as f64 - d1[1] as f64) * st[1];
        let iw = ((w1.min(cx + w2)) - (-w1).max(cx - w2)).max(0.0);
        let ih = ((h1.min(cy + h2)) - (-h1).max(cy - h2)).max(0.0);
        let inter = iw * ih;
        let union = 4.0 * (w1 * h1 + w2 * h2) - inter;
        *o = if area > 0.0 { (inter * area / (union * area).max(eps)) as f32 } else { 0.0 };
    }
    Ok(())
}

/// Shifts `[A,4]` base anchors over a `feat_h × feat_w` grid with the given strides, writing
/// `[feat_h·feat_w·A, 4]` anchors in mmdet order (row y, then column x, then base anchor).
pub fn grid_anchors(base: &[f32], feat_h: usize, feat_w: usize, stride_h: f32, stride_w: f32, out: &mut [f32]) -> Result<()> {
    if base.len() % 4 != 0 {
        return Err(CoreError::shape("baseAnchors", "length is not a multiple of 4"));
    }
    let a = base.len() / 4;
    check_len("out", out, feat_h * feat_w * a * 4)?;
    let mut idx = 0;
    for y in 0..feat_h {
        let sy = y as f32 * stride_h;
        for x in 0..feat_w {
            let sx = x as f32 * stride_w;
            for b in base.chunks_exact(4) {
                out[idx] = b[0] + sx;
                out[idx + 1] = b[1] + sy;
                out[idx + 2] = b[2] + sx;
                out[idx + 3] = b[3] + sy;
                idx += 4;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(mode: OverlapMode) -> OverlapOpts {
        OverlapOpts { mode, eps: 1e-6, offset: 0.0 }
    }

    #[test]
    fn spec_values() {
        let a = [0.0, 0.0, 10.0, 10.0];
        let b = [5.0, 5.0, 15.0, 15.0];
        let mut out = [0.0f32];
        bbox_overlaps(&a, &b, opts(OverlapMode::Iou), &mut out).unwrap();
        assert!((out[0] - 0.142857).abs() < 1e-6);
        bbox_overlaps(&a, &b, opts(OverlapMode::Iof), &mut out).unwrap();
        assert!((out[0] - 0.25).abs() < 1e-6);
        bbox_overlaps(&a, &b, opts(OverlapMode::Giou), &mut out).unwrap();
        assert!((out[0] + 0.0793651).abs() < 1e-6);
        bbox_overlaps(&a, &b, OverlapOpts { offset: 1.0, ..opts(OverlapMode::Iou) }, &mut out).unwrap();
        assert!((out[0] - 0.1747573).abs() < 1e-6);
        let z = [0.0; 4];
        bbox_overlaps(&z, &z, opts(OverlapMode::Iou), &mut out).unwrap();
        assert_eq!(out[0], 0.0);
    }

    #[test]
    fn pairwise_matches_scalar_definition() {
        let b1: Vec<f32> = (0..37 * 4).map(|i| ((i * 7919) % 97) as f32 + if i % 4 >= 2 { 50.0 } else { 0.0 }).collect();
        let b2: Vec<f32> = (0..19 * 4).map(|i| ((i * 104729) % 89) as f32 + if i % 4 >= 2 { 40.0 } else { 0.0 }).collect();
        for mode in [OverlapMode::Iou, OverlapMode::Iof, OverlapMode::Giou] {
            let o = opts(mode);
            let mut out = vec![0.0; 37 * 19];
            bbox_overlaps(&b1, &b2, o, &mut out).unwrap();
            for i in 0..37 {
                for j in 0..19 {
                    let e = overlap_one(&b1[4 * i..4 * i + 4], &b2[4 * j..4 * j + 4], o);
                    assert!((out[i * 19 + j] - e).abs() < 1e-6);
                }
            }
        }
    }

    #[test]
    fn giou_never_above_iou_for_reversed_corners() {
        let a = [15.0, 20.0, 5.0, 10.0];
        let b = [5.0, 10.0, 15.0, 20.0];
        let mut out = [0.0f32];
        bbox_overlaps(&a, &b, opts(OverlapMode::Giou), &mut out).unwrap();
        assert_eq!(out[0], 0.0);
        assert_eq!(overlap_one(&a, &b, opts(OverlapMode::Giou)), 0.0);
    }

    #[test]
    fn convert_between_size_formats_keeps_small_sizes() {
        let mut o = [0.0f32; 4];
        box_convert(&[10.0, 1e8, 5.0, 3.0], BoxFormat::Xywh, BoxFormat::Cxcywh, &mut o).unwrap();
        assert_eq!(o, [12.5, 1e8 + 1.5, 5.0, 3.0]);
    }

    #[test]
    fn zero_size_prior_decodes_to_a_point() {
        let p = CoderParams { means: [0.0; 4], stds: [1.0; 4] };
        let o = DecodeOpts { wh_ratio_clip: 16.0 / 1000.0, max_shape: Some((32.0, 32.0)) };
        let mut g = [0.0f32; 4];
        delta_decode(&[5.0, 5.0, 5.0, 5.0], &[0.7, -1.9, -0.5, 0.3], p, o, &mut g).unwrap();
        assert_eq!(g, [5.0, 5.0, 5.0, 5.0]);
    }

    #[test]
    fn decoded_iou_is_exact_far_from_the_origin() {
        // issue 10: a 14 px target at y ≈ 1.4e7 inside an 875 px prediction (dh clamped)
        let p = CoderParams { means: [0.0; 4], stds: [1.0; 4] };
        let prior = [38.0, 77.0, 102.0, 91.0];
        let mut out = [0.0f32];
        decoded_iou(&prior, &[1e-4, 1e6, 0.0, 50.0], &[0.0, 1e6, 0.0, 0.0], p, 16.0 / 1000.0, 1e-6, &mut out).unwrap();
        // float64 reference: x overlap 64 − 0.0064, y: the target lies inside the prediction
        let gh = 14.0 * (1000.0f64 / 16.0);
        let inter = (64.0 - 0.0064) * 14.0;
        let e = inter / (64.0 * gh + 64.0 * 14.0 - inter);
        assert_eq!(out[0], e as f32, "{} vs {e}", out[0]);
        // near the origin it is the IoU of the decoded boxes
        let (d1, d2) = ([0.3f32, -0.2, 0.1, -0.4], [-0.1f32, 0.25, -0.3, 0.2]);
        let o = DecodeOpts { wh_ratio_clip: 16.0 / 1000.0, max_shape: None };
        let (mut b1, mut b2) = ([0.0f32; 4], [0.0f32; 4]);
        delta_decode(&prior, &d1, p, o, &mut b1).unwrap();
        delta_decode(&prior, &d2, p, o, &mut b2).unwrap();
        let mut r = [0.0f32];
        bbox_overlaps_aligned(&b1, &b2, opts(OverlapMode::Iou), &mut r).unwrap();
        decoded_iou(&prior, &d1, &d2, p, 16.0 / 1000.0, 1e-6, &mut out).unwrap();
        assert!((out[0] - r[0]).abs() < 1e-6, "{} vs {}", out[0], r[0]);
        // a zero-size prior decodes to points; disjoint boxes
        decoded_iou(&[5.0, 5.0, 5.0, 9.0], &d1, &d2, p, 0.016, 1e-6, &mut out).unwrap();
        assert_eq!(out[0], 0.0);
        decoded_iou(&prior, &[0.0; 4], &[0.0, 1e18, 0.0, 0.0], p, 0.016, 1e-6, &mut out).unwrap();
        assert_eq!(out[0], 0.0);
    }

    #[test]
    fn coder_round_trip_and_clamp() {
        let p = CoderParams { means: [0.0; 4], stds: [0.1, 0.1, 0.2, 0.2] };
        let mut d = [0.0f32; 4];
        delta_encode(&[0.0, 0.0, 10.0, 10.0], &[2.0, 2.0, 12.0, 14.0], p, &mut d).unwrap();
        let e = [2.0, 3.0, 0.0, 0.9116078];
        for k in 0..4 {
            assert!((d[k] - e[k]).abs() < 1e-5, "{d:?}");
        }
        let mut g = [0.0f32; 4];
        let o = DecodeOpts { wh_ratio_clip: 16.0 / 1000.0, max_shape: None };
        delta_decode(&[0.0, 0.0, 10.0, 10.0], &d, p, o, &mut g).unwrap();
        for (k, v) in [2.0, 2.0, 12.0, 14.0].iter().enumerate() {
            assert!((g[k] - v).abs() < 1e-4);
        }
        let p1 = CoderParams { means: [0.0; 4], stds: [1.0; 4] };
        delta_decode(&[0.0, 0.0, 10.0, 10.0], &[0.0, 0.0, 10.0, 0.0], p1, o, &mut g).unwrap();
        assert!((g[0] + 307.5).abs() < 1e-3 && (g[2] - 317.5).abs() < 1e-3);
    }
}
