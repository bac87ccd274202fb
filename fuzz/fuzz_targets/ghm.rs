//! GHM-C and GHM-R: finite outputs, weights ≥ 0, g in [0, 1] (GHM-C), counts summing to the valid
//! elements, no panic, for every finite input and momentum.
#![no_main]
use libfuzzer_sys::fuzz_target;
use soft_sampling_core::losses::ghm::{ghm_c, ghm_r, GhmOpts, GhmOut, Targets};

#[path = "common.rs"]
mod common;
use common::{Bytes, MAX_MAGNITUDE};

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let (rows, c) = ((b.u8() % 33) as usize, (b.u8() % 4) as usize + 1);
    let bins = (b.u8() % 30) as usize + 1;
    let momentum = [0.0, 0.75, 0.999][(b.u8() % 3) as usize];
    let o = GhmOpts { bins, momentum, all_bins: b.u8() & 1 == 1, bias_correction: b.u8() & 1 == 1, steps: (b.u8() % 4) as f64, loss_weight: 1.0, mean: true, mu: 0.02 };
    let len = rows * c;
    let logits = b.vec(len, MAX_MAGNITUDE);
    let labels: Vec<i32> = (0..rows).map(|_| (b.u8() % (c as u8 + 1)) as i32).collect();
    let acc0: Vec<f64> = (0..bins).map(|_| (b.u8() as f64) / 8.0).collect();
    let bufs = || (vec![0f32; len], vec![0f32; len], vec![0f32; len], vec![0f32; len], vec![0f64; bins], acc0.clone());
    let check = |le: &[f32], gr: &[f32], w: &[f32], g: &[f32], counts: &[f64], acc: &[f64], what: &str| {
        for i in 0..le.len() {
            assert!(le[i].is_finite() && gr[i].is_finite() && w[i].is_finite() && w[i] >= 0.0, "{what} element {i}: loss {} grad {} w {}", le[i], gr[i], w[i]);
            assert!((0.0..=1.0).contains(&g[i]) || what == "ghm_r", "{what} g {}", g[i]);
        }
        assert!(counts.iter().sum::<f64>() <= le.len() as f64 && acc.iter().all(|a| a.is_finite()), "{what} bins");
    };
    let (mut le, mut gr, mut w, mut g, mut counts, mut acc) = bufs();
    let s = ghm_c(&logits, c, Targets::Labels(&labels), &[], &o, GhmOut { loss_elements: &mut le, grad: &mut gr, weights: &mut w, g: &mut g, counts: &mut counts, acc_sum: &mut acc }).unwrap();
    check(&le, &gr, &w, &g, &counts, &acc, "ghm_c");
    assert!(s.loss.is_finite(), "ghm_c loss {} (logits {logits:?}, labels {labels:?})", s.loss);
    let target = b.vec(len, 1e6);
    let pred: Vec<f32> = logits.iter().map(|x| x.clamp(-1e6, 1e6)).collect();
    let (mut le, mut gr, mut w, mut g, mut counts, mut acc) = bufs();
    let s = ghm_r(&pred, &target, &[], &o, GhmOut { loss_elements: &mut le, grad: &mut gr, weights: &mut w, g: &mut g, counts: &mut counts, acc_sum: &mut acc }).unwrap();
    assert!(s.loss.is_finite(), "ghm_r loss {}", s.loss);
    check(&le, &gr, &w, &g, &counts, &acc, "ghm_r");
});
