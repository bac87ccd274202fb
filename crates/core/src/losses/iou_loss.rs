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
use crate::par::SharedMut;
use crate::simd::{fmax, fmin};

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

/// `atan` in f32, branch-free (Cephes `atanf` reduction and polynomial; ≤ 2 ulp), vectorises.
#[inline(always)]
fn atan_f32(x: f32) -> f32 {
    let ax = x.abs();
    let big = ax > 2.414_213_6;
    let mid = ax > 0.414_213_57;
    let r_big = -1.0 / ax;
    let r_mid = (ax - 1.0) / (ax + 1.0);
    let xr = if big { r_big } else if mid { r_mid } else { ax };
    let y0 = if big { std::f32::consts::FRAC_PI_2 } else if mid { std::f32::consts::FRAC_PI_4 } else { 0.0 };
    let z = xr * xr;
    let p = (((8.053_744_5e-2 * z - 1.387_768_5e-1) * z + 1.997_771_1e-1) * z - 3.333_295e-1) * z * xr + xr;
    let y = y0 + p;
    if x < 0.0 { -y } else { y }
}

/// d max(a, b) / d a (ties: ½), as a select.
#[inline(always)]
fn dmax32(a: f32, b: f32) -> f32 {
    if a > b { 1.0 } else if a == b { 0.5 } else { 0.0 }
}

/// Pairs per SIMD block (structure-of-arrays scratch).
const LANES: usize = 16;

/// One aligned pair in f32, branch-free (every branch of [`pair_loss`] as a select), so a loop
/// over pairs vectorises. Same eps conventions; returns `(loss, grad, iou, alpha, v)`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn pair_f32<const KIND: u32>(p: [f32; 4], t: [f32; 4], mode: u32, eps: f32) -> (f32, [f32; 4], f32, f32, f32) {
    let (pw, ph) = (p[2] - p[0], p[3] - p[1]);
    let (tw, th) = (t[2] - t[0], t[3] - t[1]);
    let ap = pw * ph;
    let at = tw * th;
    let dap = [-ph, -pw, ph, pw];
    let iw_raw = fmin(p[2], t[2]) - fmax(p[0], t[0]);
    let ih_raw = fmin(p[3], t[3]) - fmax(p[1], t[1]);
    let (iw, ih) = (fmax(iw_raw, 0.0), fmax(ih_raw, 0.0));
    let iwok = if iw_raw >= 0.0 { 1.0 } else { 0.0 };
    let ihok = if ih_raw >= 0.0 { 1.0 } else { 0.0 };
    let (diw1, diw2) = (-dmax32(p[0], t[0]) * iwok, dmax32(t[2], p[2]) * iwok);
    let (dih1, dih2) = (-dmax32(p[1], t[1]) * ihok, dmax32(t[3], p[3]) * ihok);
    let inter = iw * ih;
    let dinter = [ih * diw1, iw * dih1, ih * diw2, iw * dih2];
    let ew_raw = fmax(p[2], t[2]) - fmin(p[0], t[0]);
    let eh_raw = fmax(p[3], t[3]) - fmin(p[1], t[1]);
    let (ew, eh) = (fmax(ew_raw, 0.0), fmax(eh_raw, 0.0));
    let ewok = if ew_raw >= 0.0 { 1.0 } else { 0.0 };
    let ehok = if eh_raw >= 0.0 { 1.0 } else { 0.0 };
    let (dew1, dew2) = (-dmax32(t[0], p[0]) * ewok, dmax32(p[2], t[2]) * ewok);
    let (deh1, deh2) = (-dmax32(t[1], p[1]) * ehok, dmax32(p[3], t[3]) * ehok);
    let mut g = [0f32; 4];
    if KIND <= 1 {
        let ueps = if KIND == 0 { 1e-6 } else { eps };
        let u_raw = ap + at - inter;
        let uok = u_raw > ueps;
        let u = if uok { u_raw } else { ueps };
        let dus = if uok { 1.0 } else { 0.0 };
        let inv_u = 1.0 / u;
        let iou = inter * inv_u;
        let k2 = inter * inv_u * inv_u;
        let mut du = [0f32; 4];
        let mut diou = [0f32; 4];
        for c in 0..4 {
            du[c] = (dap[c] - dinter[c]) * dus;
            diou[c] = dinter[c] * inv_u - k2 * du[c];
        }
        if KIND == 0 {
            let ok = iou >= eps;
            let ic = if ok { iou } else { eps };
            let l_log = -super::balanced_l1::ln_ge1(1.0 / ic);
            let (l, sl) = match mode {
                0 => (-l_log, -1.0 / ic),
                1 => (1.0 - ic, -1.0),
                _ => (1.0 - ic * ic, -2.0 * ic),
            };
            let sl = if ok { sl } else { 0.0 };
            for c in 0..4 {
                g[c] = diou[c] * sl;
            }
            (l, g, iou, 0.0, 0.0)
        } else {
            let e_raw = ew * eh;
            let eok = e_raw > eps;
            let e = if eok { e_raw } else { eps };
            let des = if eok { 1.0 } else { 0.0 };
            let de = [dew1 * eh * des, deh1 * ew * des, dew2 * eh * des, deh2 * ew * des];
            let inv_e = 1.0 / e;
            let giou = iou - 1.0 + u * inv_e;
            let k3 = u * inv_e * inv_e;
            for c in 0..4 {
                g[c] = -(diou[c] + du[c] * inv_e - de[c] * k3);
            }
            (1.0 - giou, g, iou, 0.0, 0.0)
        }
    } else {
        let u = ap + at - inter + eps;
        let inv_u = 1.0 / u;
        let iou = inter * inv_u;
        let k2 = inter * inv_u * inv_u;
        let c2 = ew * ew + eh * eh + eps;
        let inv_c2 = 1.0 / c2;
        let dc2 = [2.0 * ew * dew1, 2.0 * eh * deh1, 2.0 * ew * dew2, 2.0 * eh * deh2];
        // differences first (exact for nearby coordinates, any magnitude), then the sum
        let dx = (t[0] - p[0]) + (t[2] - p[2]);
        let dy = (t[1] - p[1]) + (t[3] - p[3]);
        let rho2 = (dx * dx + dy * dy) * 0.25;
        let drho2 = [-dx * 0.5, -dy * 0.5, -dx * 0.5, -dy * 0.5];
        let pen = rho2 * inv_c2;
        let k4 = rho2 * inv_c2 * inv_c2;
        let mut diou = [0f32; 4];
        let mut dpen = [0f32; 4];
        for c in 0..4 {
            diou[c] = dinter[c] * inv_u - k2 * (dap[c] - dinter[c]);
            dpen[c] = drho2[c] * inv_c2 - k4 * dc2[c];
        }
        if KIND == 2 {
            for c in 0..4 {
                g[c] = dpen[c] - diou[c];
            }
            (1.0 - iou + pen, g, iou, 0.0, 0.0)
        } else {
            let (w1, h1) = (pw, ph + eps);
            let (w2, h2) = (tw, th + eps);
            let f = 4.0 / (std::f32::consts::PI * std::f32::consts::PI);
            let da = atan_f32(w2 / h2) - atan_f32(w1 / h1);
            let v = f * da * da;
            let r = w1 * w1 + h1 * h1;
            let rok = r > 0.0;
            let inv_r = 1.0 / if rok { r } else { 1.0 };
            let dvw = if rok { -2.0 * f * da * h1 * inv_r } else { 0.0 };
            let dvh = if rok { 2.0 * f * da * w1 * inv_r } else { 0.0 };
            let dv = [-dvw, -dvh, dvw, dvh];
            let den = 1.0 - iou + v;
            let aok = iou > 0.5 && den > 0.0;
            let alpha = if aok { v / if den > 0.0 { den } else { 1.0 } } else { 0.0 };
            let ciou = iou - (pen + alpha * v);
            let inside = ciou >= -1.0 && ciou <= 1.0;
            for c in 0..4 {
                let gc = -(diou[c] - dpen[c] - alpha * dv[c]);
                g[c] = if inside { gc } else { 0.0 };
            }
            let cc = fmin(fmax(ciou, -1.0), 1.0);
            (1.0 - cc, g, iou, alpha, v)
        }
    }
}

/// A run of pairs: blocks of [`LANES`] transposed to structure-of-arrays, computed lane-wise,
/// written back; returns the f64 sum of the weighted losses.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn iou_run<const KIND: u32>(
    pred: &[f32], target: &[f32], weight: &[f32], mode: u32, eps: f32, scale: f32, le: &mut [f32], grad: &mut [f32],
    pair_iou: &mut [f32], ca: &mut [f32], cv: &mut [f32],
) -> (f64, usize) {
    let n = le.len();
    let mut total = 0f64;
    let mut bad = usize::MAX;
    let mut s = 0;
    while s < n {
        let m = (n - s).min(LANES);
        let mut pb = [[0f32; LANES]; 4];
        let mut tb = [[0f32; LANES]; 4];
        let mut wb = [1f32; LANES];
        for j in 0..m {
            for c in 0..4 {
                pb[c][j] = pred[4 * (s + j) + c];
                tb[c][j] = target[4 * (s + j) + c];
            }
            if !weight.is_empty() {
                wb[j] = weight[s + j];
            }
        }
        let mut lb = [0f32; LANES];
        let mut rb = [0f32; LANES];
        let mut gb = [[0f32; LANES]; 4];
        let mut ib = [0f32; LANES];
        let mut ab = [0f32; LANES];
        let mut vb = [0f32; LANES];
        for j in 0..LANES {
            let (l, g, iou, a, v) = pair_f32::<KIND>([pb[0][j], pb[1][j], pb[2][j], pb[3][j]], [tb[0][j], tb[1][j], tb[2][j], tb[3][j]], mode, eps);
            rb[j] = l;
            lb[j] = l * wb[j];
            let gs = wb[j] * scale;
            for c in 0..4 {
                gb[c][j] = g[c] * gs;
            }
            ib[j] = iou;
            ab[j] = a;
            vb[j] = v;
        }
        for j in 0..m {
            let finite = lb[j].is_finite() && ib[j].is_finite() && gb.iter().all(|g| g[j].is_finite()) && (KIND != 3 || (ab[j].is_finite() && vb[j].is_finite()));
            if !finite && KIND != 2 {
                // far-apart or huge boxes (|x| up to 1e18) overflow the f32 lane formulas
                // (area², 1/c²); such a pair is recomputed by the float64 reference, so every
                // backend returns the TS twin's finite value
                let r = pair_loss(
                    [pb[0][j] as f64, pb[1][j] as f64, pb[2][j] as f64, pb[3][j] as f64],
                    [tb[0][j] as f64, tb[1][j] as f64, tb[2][j] as f64, tb[3][j] as f64],
                    KIND, mode, eps as f64,
                );
                // products in float64 before the one rounding, as the TS twin
                rb[j] = r.loss as f32;
                lb[j] = (r.loss * wb[j] as f64) as f32;
                let gs = wb[j] as f64 * scale as f64;
                for c in 0..4 {
                    gb[c][j] = (r.grad[c] * gs) as f32;
                }
                ib[j] = r.iou as f32;
                ab[j] = r.alpha as f32;
                vb[j] = r.v as f32;
            }
            le[s + j] = lb[j];
            total += lb[j] as f64;
            for c in 0..4 {
                grad[4 * (s + j) + c] = gb[c][j];
            }
            pair_iou[s + j] = ib[j];
        }
        if KIND == 2 && bad == usize::MAX {
            // DIoU is unbounded for reversed boxes (ρ²/c² with c² → eps): refuse beyond 1e30
            if let Some(j) = rb[..m].iter().position(|&l| !(l <= 1e30)) {
                bad = s + j;
            }
        }
        if KIND == 3 {
            ca[s..s + m].copy_from_slice(&ab[..m]);
            cv[s..s + m].copy_from_slice(&vb[..m]);
        }
        s += m;
    }
    (total, bad)
}

/// IoU-family loss on `pred`, `target` `[N·4]`, `weight` empty or `[N]`. `ciou_alpha`/`ciou_v`
/// are `[N]` for CIoU and empty otherwise.
///
/// The kernel computes in f32 lane by lane ([`LANES`]-pair blocks, branch-free, auto-vectorised;
/// float64 only for the sum) in fixed chunks of pairs ([`crate::par`]); [`pair_loss`] is the
/// float64 reference of the same formulas (tests).
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
    // NaN / ±Inf / |x| > 1e18 refused here (one vectorised scan) rather than in a JS pass
    super::focal::check_finite("pred", pred)?;
    super::focal::check_finite("target", target)?;
    let rows = crate::par::CHUNK_WORK / 16;
    let chunks = n.div_ceil(rows);
    let (ls, gs, is) = (SharedMut::new(loss_elements), SharedMut::new(grad), SharedMut::new(pair_iou));
    let (cas, cvs) = (SharedMut::new(ciou_alpha), SharedMut::new(ciou_v));
    let (mode, eps, scale) = (o.mode, o.eps as f32, o.scale as f32);
    let parts = crate::par::map_chunks(chunks, 16 * n, || (), |_, ci| {
        let (r0, r1) = (ci * rows, ((ci + 1) * rows).min(n));
        // SAFETY: chunk ranges are disjoint.
        let (le, g, pi) = unsafe { (ls.range(r0, r1), gs.range(4 * r0, 4 * r1), is.range(r0, r1)) };
        let (ca, cv) = if extra > 0 { unsafe { (cas.range(r0, r1), cvs.range(r0, r1)) } } else { (&mut [][..], &mut [][..]) };
        let (p, t) = (&pred[4 * r0..4 * r1], &target[4 * r0..4 * r1]);
        let w = if weight.is_empty() { weight } else { &weight[r0..r1] };
        match o.kind {
            0 => crate::dispatch!(iou_run::<0>(p, t, w, mode, eps, scale, le, g, pi, ca, cv)),
            1 => crate::dispatch!(iou_run::<1>(p, t, w, mode, eps, scale, le, g, pi, ca, cv)),
            2 => crate::dispatch!(iou_run::<2>(p, t, w, mode, eps, scale, le, g, pi, ca, cv)),
            _ => crate::dispatch!(iou_run::<3>(p, t, w, mode, eps, scale, le, g, pi, ca, cv)),
        }
    });
    for (ci, &(_, bad)) in parts.iter().enumerate() {
        if bad != usize::MAX {
            let i = ci * rows + bad;
            return Err(CoreError::value(
                "pred",
                format!("pair {i}: the DIoU penalty ρ²/c² exceeds 1e30 (reversed boxes: the centre distance is not bounded by the enclosing box) and overflows float32"),
            ));
        }
    }
    sum[0] = parts.iter().fold(0.0, |x, y| x + y.0);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The f32 lane kernel against the f64 reference [`pair_loss`] on random, degenerate and
    /// reversed pairs (every kind and mode).
    #[test]
    fn f32_kernel_matches_f64_reference() {
        let mut s = 7u32;
        let mut rnd = || {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (s >> 8) as f32 / (1u32 << 24) as f32
        };
        let n = 3000;
        let (mut p, mut t) = (vec![0f32; 4 * n], vec![0f32; 4 * n]);
        for i in 0..n {
            let (x, y) = (rnd() * 100.0, rnd() * 100.0);
            let b = [x, y, x + 1.0 + rnd() * 60.0, y + 1.0 + rnd() * 60.0];
            t[4 * i..4 * i + 4].copy_from_slice(&b);
            for c in 0..4 {
                p[4 * i + c] = b[c] + (rnd() - 0.5) * if i % 3 == 0 { 80.0 } else { 10.0 };
            }
            if i % 97 == 0 {
                p[4 * i + 2] = p[4 * i]; // zero width
            }
            if i % 89 == 0 {
                p.swap(4 * i, 4 * i + 2); // reversed
            }
        }
        for kind in 0..4u32 {
            for mode in 0..if kind == 0 { 3 } else { 1 } {
                let o = IouLossOpts { kind, mode, eps: 1e-6, scale: 1.0 };
                let m = if kind == 3 { n } else { 0 };
                let (mut le, mut g, mut pi, mut ca, mut cv, mut sm) = (vec![0f32; n], vec![0f32; 4 * n], vec![0f32; n], vec![0f32; m], vec![0f32; m], [0f64]);
                iou_family_loss(&p, &t, &[], &o, &mut le, &mut g, &mut pi, &mut ca, &mut cv, &mut sm).unwrap();
                for i in 0..n {
                    let pp = [p[4 * i] as f64, p[4 * i + 1] as f64, p[4 * i + 2] as f64, p[4 * i + 3] as f64];
                    let tt = [t[4 * i] as f64, t[4 * i + 1] as f64, t[4 * i + 2] as f64, t[4 * i + 3] as f64];
                    let r = pair_loss(pp, tt, kind, mode, 1e-6);
                    let tol = |x: f64| 2e-6 + 2e-5 * x.abs();
                    assert!((le[i] as f64 - r.loss).abs() <= tol(r.loss), "kind {kind} mode {mode} pair {i}: loss {} vs {}", le[i], r.loss);
                    assert!((pi[i] as f64 - r.iou).abs() <= tol(r.iou), "kind {kind} pair {i}: iou");
                    for c in 0..4 {
                        assert!((g[4 * i + c] as f64 - r.grad[c]).abs() <= tol(r.grad[c]), "kind {kind} mode {mode} pair {i} c {c}: grad {} vs {}", g[4 * i + c], r.grad[c]);
                    }
                    if kind == 3 {
                        assert!((ca[i] as f64 - r.alpha).abs() <= tol(r.alpha) && (cv[i] as f64 - r.v).abs() <= tol(r.v), "pair {i}: alpha/v");
                    }
                }
            }
        }
    }
}
