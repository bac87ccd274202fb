//! IoU-family losses on aligned box pairs (`xyxy`, width `x2 − x1`), with analytic gradients
//! w.r.t. the predicted boxes: IoU (UnitBox `−ln IoU`, linear `1 − IoU`, square `1 − IoU²`), GIoU
//! (Rezatofighi et al., arXiv 1902.09630), DIoU and CIoU (Zheng et al., arXiv 1911.08287, eqs. 6, 10–11).
//! The eps conventions are mmdetection's (`mmdet/models/losses/iou_loss.py`; spec modern-methods §5):
//! IoU floors the union at 1e-6 then clamps IoU at `eps`; GIoU floors union and enclosing area at
//! `eps`; DIoU / CIoU add `eps` to the union and to c², CIoU also to the heights; CIoU's α is a
//! constant (no gradient), 0 unless IoU > 0.5, and 0 where its 0/0 limit would be NaN.
//! Gradient at non-differentiable points follows torch: max/min ties split half-half,
//! `clamp(min=0)` passes the gradient at exactly 0.
use crate::error::{check_len, CoreError, Result};

/// Options of [`iou_family_loss`].
#[derive(Clone, Copy, Debug)]
pub struct IouLossOpts {
    /// 0 IoU, 1 GIoU, 2 DIoU, 3 CIoU.
    pub kind: u32,
    /// IoU loss only: 0 log, 1 linear, 2 square.
    pub mode: u32,
    pub eps: f64,
    pub scale: f64,
}

/// Per-pair result: loss, d loss / d pred (x1, y1, x2, y2), the pair IoU, CIoU's α and v.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PairLoss {
    pub loss: f64,
    pub grad: [f64; 4],
    pub iou: f64,
    pub alpha: f64,
    pub v: f64,
}

/// d max(a, b) / d a (ties: ½).
#[inline(always)]
fn dmax(a: f64, b: f64) -> f64 {
    if a > b {
        1.0
    } else if a == b {
        0.5
    } else {
        0.0
    }
}

#[inline(always)]
fn add(a: [f64; 4], b: [f64; 4], s: f64) -> [f64; 4] {
    [a[0] + s * b[0], a[1] + s * b[1], a[2] + s * b[2], a[3] + s * b[3]]
}

#[inline(always)]
fn mul(a: [f64; 4], s: f64) -> [f64; 4] {
    [a[0] * s, a[1] * s, a[2] * s, a[3] * s]
}

/// One aligned pair. `kind`/`mode` as in [`IouLossOpts`].
pub fn pair_loss(p: [f64; 4], t: [f64; 4], kind: u32, mode: u32, eps: f64) -> PairLoss {
    let (pw, ph) = (p[2] - p[0], p[3] - p[1]);
    let (tw, th) = (t[2] - t[0], t[3] - t[1]);
    let ap = pw * ph;
    let at = tw * th;
    let dap = [-ph, -pw, ph, pw];
    // intersection
    let iw_raw = p[2].min(t[2]) - p[0].max(t[0]);
    let ih_raw = p[3].min(t[3]) - p[1].max(t[1]);
    let (iw, ih) = (iw_raw.max(0.0), ih_raw.max(0.0));
    let (diw1, diw2) = if iw_raw >= 0.0 { (-dmax(p[0], t[0]), dmax(t[2], p[2])) } else { (0.0, 0.0) };
    let (dih1, dih2) = if ih_raw >= 0.0 { (-dmax(p[1], t[1]), dmax(t[3], p[3])) } else { (0.0, 0.0) };
    let inter = iw * ih;
    let dinter = [ih * diw1, iw * dih1, ih * diw2, iw * dih2];
    // enclosing box
    let ew_raw = p[2].max(t[2]) - p[0].min(t[0]);
    let eh_raw = p[3].max(t[3]) - p[1].min(t[1]);
    let (ew, eh) = (ew_raw.max(0.0), eh_raw.max(0.0));
    let (dew1, dew2) = if ew_raw >= 0.0 { (-dmax(t[0], p[0]), dmax(p[2], t[2])) } else { (0.0, 0.0) };
    let (deh1, deh2) = if eh_raw >= 0.0 { (-dmax(t[1], p[1]), dmax(p[3], t[3])) } else { (0.0, 0.0) };
    let dew = [dew1, 0.0, dew2, 0.0];
    let deh = [0.0, deh1, 0.0, deh2];
    let mut out = PairLoss::default();
    match kind {
        0 | 1 => {
            let ueps = if kind == 0 { 1e-6 } else { eps };
            let u_raw = ap + at - inter;
            let (u, du) = if u_raw > ueps { (u_raw, add(dap, dinter, -1.0)) } else { (ueps, [0.0; 4]) };
            let iou = inter / u;
            let diou = add(mul(dinter, 1.0 / u), du, -inter / (u * u));
            out.iou = iou;
            if kind == 0 {
                let (ic, d) = if iou >= eps { (iou, diou) } else { (eps, [0.0; 4]) };
                let (l, s) = match mode {
                    0 => (-ic.ln(), -1.0 / ic),
                    1 => (1.0 - ic, -1.0),
                    _ => (1.0 - ic * ic, -2.0 * ic),
                };
                out.loss = l;
                out.grad = mul(d, s);
            } else {
                let e_raw = ew * eh;
                let (e, de) = if e_raw > eps { (e_raw, add(mul(dew, eh), deh, ew)) } else { (eps, [0.0; 4]) };
                let giou = iou - 1.0 + u / e;
                let dg = add(add(diou, du, 1.0 / e), de, -u / (e * e));
                out.loss = 1.0 - giou;
                out.grad = mul(dg, -1.0);
            }
        }
        _ => {
            let u = ap + at - inter + eps;
            let du = add(dap, dinter, -1.0);
            let iou = inter / u;
            let diou = add(mul(dinter, 1.0 / u), du, -inter / (u * u));
            out.iou = iou;
            let c2 = ew * ew + eh * eh + eps;
            let dc2 = add(mul(dew, 2.0 * ew), deh, 2.0 * eh);
            let dx = (t[0] + t[2]) - (p[0] + p[2]);
            let dy = (t[1] + t[3]) - (p[1] + p[3]);
            let rho2 = (dx * dx + dy * dy) / 4.0;
            let drho2 = [-dx / 2.0, -dy / 2.0, -dx / 2.0, -dy / 2.0];
            let pen = rho2 / c2;
            let dpen = add(mul(drho2, 1.0 / c2), dc2, -rho2 / (c2 * c2));
            if kind == 2 {
                out.loss = 1.0 - iou + pen;
                out.grad = add(mul(diou, -1.0), dpen, 1.0);
            } else {
                let (w1, h1) = (pw, ph + eps);
                let (w2, h2) = (tw, th + eps);
                let f = 4.0 / (std::f64::consts::PI * std::f64::consts::PI);
                let da = (w2 / h2).atan() - (w1 / h1).atan();
                let v = f * da * da;
                let r = w1 * w1 + h1 * h1;
                let (dvw, dvh) = if r > 0.0 { (-2.0 * f * da * h1 / r, 2.0 * f * da * w1 / r) } else { (0.0, 0.0) };
                let dv = [-dvw, -dvh, dvw, dvh];
                let den = 1.0 - iou + v;
                let alpha = if iou > 0.5 && den > 0.0 { v / den } else { 0.0 };
                out.alpha = alpha;
                out.v = v;
                let ciou = iou - (pen + alpha * v);
                let g = add(add(diou, dpen, -1.0), dv, -alpha);
                if ciou < -1.0 || ciou > 1.0 {
                    out.loss = 1.0 - ciou.clamp(-1.0, 1.0);
                    out.grad = [0.0; 4];
                } else {
                    out.loss = 1.0 - ciou;
                    out.grad = mul(g, -1.0);
                }
            }
        }
    }
    out
}

/// IoU-family loss on `pred`, `target` `[N·4]`, `weight` empty or `[N]`. `ciou_alpha`/`ciou_v`
/// are `[N]` for CIoU and empty otherwise.
#[allow(clippy::too_many_arguments)]
pub fn iou_family_loss(
    pred: &[f32], target: &[f32], weight: &[f32], o: &IouLossOpts, loss_elements: &mut [f32], grad: &mut [f32],
    pair_iou: &mut [f32], ciou_alpha: &mut [f32], ciou_v: &mut [f32], sum: &mut [f64],
) -> Result<()> {
    if pred.len() % 4 != 0 {
        return Err(CoreError::shape("pred", "length must be a multiple of 4"));
    }
    let n = pred.len() / 4;
    check_len("target", target, 4 * n)?;
    if !weight.is_empty() {
        check_len("weight", weight, n)?;
    }
    if o.kind > 3 || o.mode > 2 {
        return Err(CoreError { code: "E_OPTION", arg: "kind", message: format!("unknown kind {} / mode {}", o.kind, o.mode) });
    }
    check_len("loss_elements", loss_elements, n)?;
    check_len("grad", grad, 4 * n)?;
    check_len("pair_iou", pair_iou, n)?;
    let extra = if o.kind == 3 { n } else { 0 };
    check_len("ciou_alpha", ciou_alpha, extra)?;
    check_len("ciou_v", ciou_v, extra)?;
    check_len("sum", sum, 1)?;
    let mut total = 0f64;
    for i in 0..n {
        let p = [pred[4 * i] as f64, pred[4 * i + 1] as f64, pred[4 * i + 2] as f64, pred[4 * i + 3] as f64];
        let t = [target[4 * i] as f64, target[4 * i + 1] as f64, target[4 * i + 2] as f64, target[4 * i + 3] as f64];
        let r = pair_loss(p, t, o.kind, o.mode, o.eps);
        let w = if weight.is_empty() { 1.0 } else { weight[i] as f64 };
        let l = r.loss * w;
        loss_elements[i] = l as f32;
        total += l;
        for k in 0..4 {
            grad[4 * i + k] = (r.grad[k] * w * o.scale) as f32;
        }
        pair_iou[i] = r.iou as f32;
        if extra > 0 {
            ciou_alpha[i] = r.alpha as f32;
            ciou_v[i] = r.v as f32;
        }
    }
    sum[0] = total;
    Ok(())
}
