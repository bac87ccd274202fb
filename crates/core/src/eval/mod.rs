//! Detection evaluation in `f64`: the overlaps an evaluator compares with its thresholds, and the
//! whole COCO bbox evaluation (per-image matching + accumulation) of pycocotools' `COCOeval`.
//!
//! Everything here is `f64` from the input coordinates, because the thresholds are compared with
//! `>=`/`<`: an IoU of 0.9499981 must stay below 0.95 as it does in pycocotools (issue 15). The
//! `f32` overlap kernel of [`crate::geometry`] stays the one the losses and assigners use.
//! Boxes are COCO `[x, y, w, h]` here (not `xyxy`), because pycocotools computes areas as `w·h`
//! and intersections from `x + w`; converting to corners first would round differently.

pub mod coco;

use crate::error::{check_len, CoreError, Result};

/// Pairwise overlaps of detections `[D,4]` and gt boxes `[G,4]`, both `[x, y, w, h]` `f64`,
/// written row-major into `out` `[D,G]`: pycocotools `maskApi.c` `bbIou` operation for operation —
/// `w = min(dx+dw, gx+gw) − max(dx, gx)` (0 when ≤ 0; likewise `h`), `i = w·h`,
/// `u = da + ga − i` (or `u = da` for a crowd gt, `crowd[g] != 0`), `o = i / u`, with
/// `da = dw·dh`, `ga = gw·gh`. `offset` (0, or 1 for the VOC convention) is added to every width
/// and height, as the VOC devkit's `+1`; with 0 the values are bit-identical to pycocotools.
pub fn overlaps_xywh(dets: &[f64], gts: &[f64], crowd: &[u8], offset: f64, out: &mut [f64]) -> Result<()> {
    if dets.len() % 4 != 0 {
        return Err(CoreError::shape("dets", "length is not a multiple of 4"));
    }
    if gts.len() % 4 != 0 {
        return Err(CoreError::shape("gts", "length is not a multiple of 4"));
    }
    let (d, g) = (dets.len() / 4, gts.len() / 4);
    if !crowd.is_empty() {
        check_len("crowd", crowd, g)?;
    }
    check_len("out", out, d * g)?;
    overlaps_unchecked(dets, gts, crowd, offset, out);
    Ok(())
}

#[inline]
pub(crate) fn overlaps_unchecked(dets: &[f64], gts: &[f64], crowd: &[u8], offset: f64, out: &mut [f64]) {
    let g = gts.len() / 4;
    for (di, db) in dets.chunks_exact(4).enumerate() {
        let (dx, dy, dw, dh) = (db[0], db[1], db[2], db[3]);
        let da = (dw + offset) * (dh + offset);
        let row = &mut out[di * g..(di + 1) * g];
        for (gi, gb) in gts.chunks_exact(4).enumerate() {
            let (gx, gy, gw, gh) = (gb[0], gb[1], gb[2], gb[3]);
            row[gi] = 0.0;
            let w = fmin(dw + dx, gw + gx) - fmax(dx, gx) + offset;
            if w <= 0.0 {
                continue;
            }
            let h = fmin(dh + dy, gh + gy) - fmax(dy, gy) + offset;
            if h <= 0.0 {
                continue;
            }
            let i = w * h;
            let u = if !crowd.is_empty() && crowd[gi] != 0 { da } else { da + (gw + offset) * (gh + offset) - i };
            row[gi] = i / u;
        }
    }
}

#[inline(always)]
fn fmin(a: f64, b: f64) -> f64 {
    if a < b { a } else { b }
}
#[inline(always)]
fn fmax(a: f64, b: f64) -> f64 {
    if a > b { a } else { b }
}

/// numpy's pairwise summation (`pairwise_sum_DOUBLE`, blocks of 128, 8 accumulators), so means
/// taken here round exactly as `np.mean` does.
pub fn pairwise_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = 0.0;
        for &v in a {
            res += v;
        }
        res
    } else if n <= 128 {
        let mut r = [0.0f64; 8];
        r.copy_from_slice(&a[..8]);
        let mut i = 8;
        while i < n - (n % 8) {
            for j in 0..8 {
                r[j] += a[i + j];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        while i < n {
            res += a[i];
            i += 1;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise_sum(&a[..n2]) + pairwise_sum(&a[n2..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlaps_match_the_pycocotools_formula() {
        // det inside gt: 20×10 inside 20×20 → 0.5 exactly; disjoint → 0; crowd → inter / det area
        let dets = [0.0, 0.0, 20.0, 10.0, 100.0, 100.0, 5.0, 5.0];
        let gts = [0.0, 0.0, 20.0, 20.0, 0.0, 5.0, 10.0, 10.0];
        let mut out = [9.0; 4];
        overlaps_xywh(&dets, &gts, &[0, 1], 0.0, &mut out).unwrap();
        assert_eq!(out[0], 0.5);
        assert_eq!(out[1], 50.0 / 200.0);
        assert_eq!(out[2], 0.0);
        assert_eq!(out[3], 0.0);
        // just below the 0.95 threshold stays below it (f64 all the way)
        let d = [0.0, 0.0, 100.0, 94.99999999];
        let g = [0.0, 0.0, 100.0, 100.0];
        let mut o = [0.0];
        overlaps_xywh(&d, &g, &[], 0.0, &mut o).unwrap();
        assert!(o[0] < 0.95 && (o[0] as f32) >= 0.95f32);
        // VOC +1: [0,0,9,9] vs [0,0,4,9] as corners → widths 10 and 5 → 50/100
        let mut v = [0.0];
        overlaps_xywh(&[0.0, 0.0, 9.0, 9.0], &[0.0, 0.0, 4.0, 9.0], &[], 1.0, &mut v).unwrap();
        assert_eq!(v[0], 0.5);
        assert!(overlaps_xywh(&d, &g, &[], 0.0, &mut [0.0; 2]).is_err());
    }

    #[test]
    fn pairwise_sum_is_numpys() {
        let a: Vec<f64> = (0..1000).map(|i| 0.1 * i as f64 + 1e-3 / (i as f64 + 1.0)).collect();
        let s = pairwise_sum(&a);
        let naive: f64 = a.iter().sum();
        assert!((s - naive).abs() < 1e-9);
        assert_eq!(pairwise_sum(&[1.0, 2.0, 3.0]), 6.0);
    }
}
