//! Sigmoid focal loss / CE / FL*: finite losses and gradients for every finite logit, non-negative
//! element losses, no panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use soft_sampling_core::losses::focal::{sigmoid_loss, SigmoidKind, SigmoidParams, Targets};

#[path = "common.rs"]
mod common;
use common::{Bytes, MAX_MAGNITUDE};

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let (n, c) = ((b.u8() % 17) as usize, (b.u8() % 5) as usize + 1);
    let kind = match b.u8() % 4 {
        0 => SigmoidKind::Ce,
        1 => SigmoidKind::Focal,
        2 => SigmoidKind::FocalMmcv,
        _ => SigmoidKind::FlStar,
    };
    let gamma = [1e-6f32, 0.5, 1.0, 2.0, 5.0][(b.u8() % 5) as usize];
    let alpha = if b.u8() & 1 == 1 { Some((b.u8() as f32) / 255.0) } else { None };
    let logits = b.vec(n * c, MAX_MAGNITUDE);
    let labels: Vec<i32> = (0..n).map(|_| (b.u8() as usize % (c + 1)) as i32).collect();
    let p = SigmoidParams { kind, alpha, gamma, beta: 1.0, scale: 1.0 };
    let (mut l, mut g) = (vec![0f32; n * c], vec![0f32; n * c]);
    let sum = sigmoid_loss(&logits, n, c, Targets::Labels(&labels), &[], &[], p, &mut l, &mut g).unwrap();
    for i in 0..n * c {
        assert!(l[i].is_finite() && g[i].is_finite(), "element {i}: x {} label {} loss {} grad {} ({kind:?}, γ {gamma}, α {alpha:?})", logits[i], labels[i / c], l[i], g[i]);
        if !matches!(kind, SigmoidKind::FlStar) {
            assert!(l[i] >= 0.0, "negative loss {} at x {}", l[i], logits[i]);
        }
    }
    assert!(sum.is_finite(), "loss sum {sum}");
});
