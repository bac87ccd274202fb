//! bbox_overlaps: the vector loop agrees with the scalar definition, every overlap of finite boxes
//! within the coordinate bound is finite, GIoU ≤ IoU, IoU and IoF in [0, 1] for well-formed boxes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use soft_sampling_core::geometry::{bbox_overlaps, bbox_overlaps_aligned, overlap_one, OverlapMode, OverlapOpts};

#[path = "common.rs"]
mod common;
use common::{Bytes, MAX_BOX_COORD};

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let (n, m) = ((b.u8() % 9) as usize, (b.u8() % 9) as usize);
    let offset = if b.u8() & 1 == 1 { 1.0 } else { 0.0 };
    let b1 = b.vec(4 * n, MAX_BOX_COORD);
    let b2 = b.vec(4 * m, MAX_BOX_COORD);
    let o = |mode| OverlapOpts { mode, eps: 1e-6, offset };
    let mut iou = vec![0f32; n * m];
    let mut giou = vec![0f32; n * m];
    bbox_overlaps(&b1, &b2, o(OverlapMode::Iou), &mut iou).unwrap();
    bbox_overlaps(&b1, &b2, o(OverlapMode::Giou), &mut giou).unwrap();
    for i in 0..n {
        for j in 0..m {
            let (a, c) = (&b1[4 * i..4 * i + 4], &b2[4 * j..4 * j + 4]);
            let (u, g) = (iou[i * m + j], giou[i * m + j]);
            assert!(u.is_finite() && g.is_finite(), "non-finite overlap of {a:?} {c:?}: {u} {g}");
            assert!(g <= u, "GIoU {g} > IoU {u} for {a:?} {c:?}");
            let s = overlap_one(a, c, o(OverlapMode::Iou));
            assert!((s - u).abs() <= 1e-6 * s.abs().max(1.0), "vector {u} vs scalar {s}");
            let wf = |x: &[f32]| x[2] >= x[0] && x[3] >= x[1];
            if wf(a) && wf(c) {
                assert!((0.0..=1.0 + 1e-6).contains(&u), "IoU {u} outside [0, 1] for {a:?} {c:?}");
            }
        }
    }
    if n == m {
        let mut al = vec![0f32; n];
        bbox_overlaps_aligned(&b1, &b2, o(OverlapMode::Giou), &mut al).unwrap();
        for (i, v) in al.iter().enumerate() {
            assert!((v - giou[i * m + i]).abs() <= 1e-6 * v.abs().max(1.0));
        }
    }
});
