//! MaxIoU assignment: gt indices in −1..=G, labels of positives from their gt, max overlaps finite
//! and in [0, 1] for well-formed boxes within the coordinate bound, no panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use soft_sampling_core::assign::{max_iou_assign, AssignOpts, ZeroIou};

#[path = "common.rs"]
mod common;
use common::{Bytes, MAX_BOX_COORD};

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let (p, g) = ((b.u8() % 40) as usize, (b.u8() % 6) as usize);
    let thr = |x: u8| (x as f32) / 255.0;
    let neg_hi = thr(b.u8());
    let o = AssignOpts {
        pos_iou_thr: thr(b.u8()), neg_lo: 0.0, neg_hi, min_pos_iou: thr(b.u8()), gt_max_assign_all: b.u8() & 1 == 1,
        match_low_quality: b.u8() & 1 == 1, ignore_iof_thr: -1.0, ignore_wrt_candidates: true,
        zero_iou: if b.u8() & 1 == 1 { ZeroIou::Mmdet } else { ZeroIou::Skip },
    };
    // well-formed boxes: corners then non-negative sizes
    let mut boxes = |n: usize| -> Vec<f32> {
        let mut v = Vec::with_capacity(4 * n);
        for _ in 0..n {
            let (x, y) = (b.f32(MAX_BOX_COORD / 2.0), b.f32(MAX_BOX_COORD / 2.0));
            let (w, h) = (b.f32(MAX_BOX_COORD / 2.0).abs(), b.f32(MAX_BOX_COORD / 2.0).abs());
            v.extend([x, y, x + w, y + h]);
        }
        v
    };
    let priors = boxes(p);
    let gts = boxes(g);
    let gt_labels: Vec<i32> = (0..g as i32).collect();
    let (mut inds, mut ovl, mut labels) = (vec![0i32; p], vec![0f32; p], vec![0i32; p]);
    max_iou_assign(&priors, &gts, &gt_labels, &[], &o, &mut inds, &mut ovl, &mut labels).unwrap();
    for i in 0..p {
        assert!(inds[i] >= -1 && inds[i] <= g as i32, "gt index {}", inds[i]);
        assert!(ovl[i].is_finite() && (g == 0 || (0.0..=1.0 + 1e-6).contains(&ovl[i])), "max overlap {}", ovl[i]);
        assert_eq!(labels[i], if inds[i] > 0 { inds[i] - 1 } else { -1 }, "label of prior {i}");
    }
});
