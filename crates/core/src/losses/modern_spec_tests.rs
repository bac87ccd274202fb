//! The "(num)" values of `modern-methods.md` (recomputed there in float64), checked on the core
//! kernels of issue 14 (QFL, DFL, VFL, Balanced L1, IoU family, EFL).
use super::balanced_l1::{balanced_l1_loss, BalancedL1Opts};
use super::efl::{equalized_focal_loss, EflOpts};
use super::iou_loss::pair_loss;
use super::qfl::{distribution_focal_loss, quality_focal_loss, DflOpts, QflOpts};
use super::vfl::{varifocal_loss, VflOpts};

fn close(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol * (1.0 + b.abs()), "{a} vs {b}");
}

#[test]
fn qfl_spec_values() {
    let (mut l, mut g, mut s) = ([0f32; 1], [0f32; 1], [0f64; 1]);
    for beta in [2.0, 1.5] {
        let o = QflOpts { num_classes: 1, beta, activated: false, scale: 1.0 };
        quality_focal_loss(&[1.0], &[0], &[0.8], &[], &[], &o, &mut l, &mut g, &mut s).unwrap();
        if beta == 2.0 {
            close(l[0] as f64, 0.00243949, 1e-6);
            close(g[0] as f64, -0.0142419, 1e-5);
        }
        quality_focal_loss(&[0.0], &[1], &[0.0], &[], &[], &o, &mut l, &mut g, &mut s).unwrap();
        if beta == 2.0 {
            close(l[0] as f64, 0.1732868, 1e-6);
        }
    }
}

#[test]
fn dfl_uniform_is_log_bins() {
    let (mut l, mut g, mut s) = ([0f32; 1], [0f32; 5], [0f64; 1]);
    distribution_focal_loss(&[0.0; 5], &[1.25], &[], &DflOpts { bins: 5, scale: 1.0 }, &mut l, &mut g, &mut s).unwrap();
    close(l[0] as f64, 5f64.ln(), 1e-6);
    let e = distribution_focal_loss(&[0.0; 5], &[4.0], &[], &DflOpts { bins: 5, scale: 1.0 }, &mut l, &mut g, &mut s).unwrap_err();
    assert_eq!((e.code, e.arg), ("E_VALUE", "target"));
}

#[test]
fn vfl_spec_values() {
    let (mut l, mut g, mut s) = ([0f32; 2], [0f32; 2], [0f64; 1]);
    let o = VflOpts { num_classes: 2, alpha: 0.75, gamma: 2.0, iou_weighted: true, scale: 1.0 };
    varifocal_loss(&[0.0, 0.0], &[0.0, 0.8], &[], &o, &mut l, &mut g, &mut s).unwrap();
    close(l[0] as f64, 0.1299651, 1e-6);
    close(l[1] as f64, 0.5545177, 1e-6);
    varifocal_loss(&[50.0, -50.0], &[0.0, 0.0], &[], &o, &mut l, &mut g, &mut s).unwrap();
    close(l[0] as f64, 37.5, 1e-6);
    assert!(l[1] >= 0.0 && l[1] < 1e-20);
}

#[test]
fn balanced_l1_spec_values() {
    let (mut l, mut g, mut s) = ([0f32; 4], [0f32; 4], [0f64; 1]);
    let o = BalancedL1Opts { alpha: 0.5, gamma: 1.5, beta: 1.0, scale: 1.0 };
    balanced_l1_loss(&[0.1, -0.5, 1.0, 2.0], &[0.0; 4], &[], &o, &mut l, &mut g, &mut s).unwrap();
    for (a, b) in l.iter().zip([0.0313531, 0.4005675, 1.0785935, 2.5785935]) {
        close(*a as f64, b, 1e-6);
    }
    close(g[3] as f64, 1.5, 1e-7);
    assert!(g[1] < 0.0);
}

#[test]
fn iou_family_spec_values() {
    let (p, t) = ([0.0, 0.0, 10.0, 10.0], [5.0, 5.0, 15.0, 15.0]);
    close(pair_loss(p, t, 0, 0, 1e-6).loss, 1.9459101, 1e-6);
    close(pair_loss(p, t, 0, 1, 1e-6).loss, 0.8571429, 1e-6);
    close(pair_loss(p, t, 1, 0, 1e-6).loss, 1.0793651, 1e-6);
    close(pair_loss(p, t, 2, 0, 1e-6).loss, 0.9682540, 1e-6);
    close(pair_loss(p, t, 3, 0, 1e-6).loss, 0.9682540, 1e-6);
    let r = pair_loss([0.0, 0.0, 10.0, 10.0], [1.0, 0.0, 11.0, 12.0], 3, 0, 1e-6);
    close(r.alpha, 0.0107102, 1e-5);
    close(r.loss, 0.3152752, 1e-6);
    // identical boxes: α's 0/0 limit is 0, never NaN
    let r = pair_loss([0.0, 0.0, 10.0, 10.0], [0.0, 0.0, 10.0, 10.0], 3, 0, 1e-6);
    assert!(r.loss.is_finite() && r.loss < 1e-7);
    // zero-area box: IoU 0, loss on the clamp
    let r = pair_loss([1.0, 1.0, 1.0, 5.0], [0.0, 0.0, 4.0, 4.0], 0, 0, 1e-6);
    assert_eq!(r.iou, 0.0);
    close(r.loss, -(1e-6f64).ln(), 1e-9);
}

#[test]
fn efl_spec_value_and_state() {
    let (mut l, mut g, mut s) = ([0f32; 1], [0f32; 1], [0f64; 1]);
    let (mut pg, mut ng, mut pn) = ([0f64; 1], [0f64; 1], [0f64; 1]);
    let o = EflOpts { num_classes: 1, gamma_b: 2.0, scale_factor: 8.0, alpha: 0.25, scale: 1.0, update: true };
    equalized_focal_loss(&[0.0], &[1.0], &[], &[0.0], &[0.0], &[0.5], &o, &mut l, &mut g, &mut s, &mut pg, &mut ng, &mut pn).unwrap();
    close(l[0] as f64, 0.0081228, 1e-6);
    close(pg[0], (g[0] as f64).abs(), 1e-12);
    assert_eq!(ng[0], 0.0);
    assert_eq!(pn[0], 1.0);
    equalized_focal_loss(&[0.0], &[1.0], &[], &[0.0], &[0.0], &[1.0], &o, &mut l, &mut g, &mut s, &mut pg, &mut ng, &mut pn).unwrap();
    close(l[0] as f64, 0.0433217, 1e-6);
}
