//! Async variants (issue 12 item 2): the same kernels as a napi-rs `AsyncTask` on libuv's thread
//! pool, so a large call never blocks the event loop.
//!
//! Inputs are **copied** into Rust vectors when the call is made (on the JS thread; a memcpy of
//! the inputs, small next to the kernel), so the caller may reuse, mutate or transfer its arrays
//! while the task runs without affecting the result. Outputs are fresh buffers allocated by the
//! facade (never the caller's arrays) and handed to the caller only when the promise resolves.
use crate::ghm::{ghm_c_into, GhmStats};
use crate::guard;
use napi::bindgen_prelude::*;
use napi::{Env, Task};
use napi_derive::napi;
use soft_sampling_core::geometry::{self, OverlapMode, OverlapOpts};
use soft_sampling_core::losses::ghm::{GhmOpts, Targets};

pub struct OverlapsTask {
    b1: Vec<f32>,
    b2: Vec<f32>,
    mode: u32,
    aligned: bool,
    eps: f64,
    offset: f64,
    out: Float32Array,
}

impl Task for OverlapsTask {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> Result<()> {
        // SAFETY: `out` is a fresh facade-owned buffer no JS code can reach until resolution.
        let out = unsafe { self.out.as_mut() };
        guard(|| {
            let opts = OverlapOpts { mode: OverlapMode::from_u32(self.mode)?, eps: self.eps as f32, offset: self.offset as f32 };
            if self.aligned {
                geometry::bbox_overlaps_aligned(&self.b1, &self.b2, opts, out)
            } else {
                geometry::bbox_overlaps(&self.b1, &self.b2, opts, out)
            }
        })
    }

    fn resolve(&mut self, _env: Env, _: ()) -> Result<()> {
        Ok(())
    }
}

/// `bboxOverlaps` on libuv's pool; fills `out` (a fresh buffer from the facade).
#[napi(ts_return_type = "Promise<void>")]
pub fn bbox_overlaps_async(boxes1: Float32Array, boxes2: Float32Array, mode: u32, aligned: bool, eps: f64, offset: f64, out: Float32Array) -> AsyncTask<OverlapsTask> {
    AsyncTask::new(OverlapsTask { b1: boxes1.to_vec(), b2: boxes2.to_vec(), mode, aligned, eps, offset, out })
}

pub struct GhmcTask {
    logits: Vec<f32>,
    c: usize,
    use_labels: bool,
    targets: Vec<f32>,
    labels: Vec<i32>,
    lw: Vec<f32>,
    acc_sum: Vec<f64>,
    o: GhmOpts,
    le: Float32Array,
    gr: Float32Array,
    w: Float32Array,
    g: Float32Array,
    counts: Float64Array,
    acc_out: Float64Array,
}

impl Task for GhmcTask {
    type Output = GhmStats;
    type JsValue = GhmStats;

    fn compute(&mut self) -> Result<GhmStats> {
        // SAFETY: the six outputs are distinct fresh facade-owned buffers, unreachable from JS
        // until the promise resolves.
        let (le, gr, w, g, c, acc) = unsafe { (self.le.as_mut(), self.gr.as_mut(), self.w.as_mut(), self.g.as_mut(), self.counts.as_mut(), self.acc_out.as_mut()) };
        let (x, cc, o) = (&self.logits, self.c, &self.o);
        let t = if self.use_labels { Targets::Labels(&self.labels) } else { Targets::Dense(&self.targets) };
        let lw = &self.lw;
        guard(|| ghm_c_into(&self.acc_sum, le, gr, w, g, c, acc, |out| soft_sampling_core::losses::ghm::ghm_c(x, cc, t, lw, o, out)))
    }

    fn resolve(&mut self, _env: Env, s: GhmStats) -> Result<GhmStats> {
        Ok(s)
    }
}

/// `ghmC` on libuv's pool (same arguments as the synchronous binding).
#[napi(ts_return_type = "Promise<GhmStats>")]
#[allow(clippy::too_many_arguments)]
pub fn ghm_c_async(
    logits: Float32Array, num_classes: u32, use_labels: bool, targets: Float32Array, labels: Int32Array, label_weights: Float32Array,
    acc_sum: Float64Array, bins: u32, momentum: f64, all_bins: bool, bias_correction: bool, steps: f64,
    loss_weight: f64, mean: bool, loss_elements: Float32Array, grad: Float32Array, weights: Float32Array, g: Float32Array,
    counts: Float64Array, acc_out: Float64Array,
) -> AsyncTask<GhmcTask> {
    let o = GhmOpts { bins: bins as usize, momentum, all_bins, bias_correction, steps, loss_weight, mean, mu: 0.02 };
    AsyncTask::new(GhmcTask {
        logits: logits.to_vec(), c: num_classes as usize, use_labels, targets: targets.to_vec(), labels: labels.to_vec(),
        lw: label_weights.to_vec(), acc_sum: acc_sum.to_vec(), o, le: loss_elements, gr: grad, w: weights, g, counts, acc_out,
    })
}

pub struct SigmoidTask {
    logits: Vec<f32>,
    n: usize,
    c: usize,
    targets: Vec<f32>,
    use_labels: bool,
    labels: Vec<i32>,
    weight: Vec<f32>,
    label_weights: Vec<f32>,
    p: (u32, bool, f64, f64, f64, f64),
    elements: Float32Array,
    grad: Float32Array,
}

impl Task for SigmoidTask {
    type Output = f64;
    type JsValue = f64;

    fn compute(&mut self) -> Result<f64> {
        use soft_sampling_core::losses::focal::{self, SigmoidKind, SigmoidParams, Targets as FTargets};
        // SAFETY: fresh facade-owned outputs, unreachable from JS until resolution.
        let (l, g) = unsafe { (self.elements.as_mut(), self.grad.as_mut()) };
        let (kind, has_alpha, alpha, gamma, beta, scale) = self.p;
        let (logits, labels, targets, weight, lw, n, c, use_labels) = (&self.logits, &self.labels, &self.targets, &self.weight, &self.label_weights, self.n, self.c, self.use_labels);
        guard(|| {
            let p = SigmoidParams {
                kind: SigmoidKind::from_u32(kind)?,
                alpha: if has_alpha { Some(alpha as f32) } else { None },
                gamma: gamma as f32,
                beta: beta as f32,
                scale: scale as f32,
            };
            let t = if use_labels { FTargets::Labels(labels) } else { FTargets::Dense(targets) };
            focal::sigmoid_loss(logits, n, c, t, weight, lw, p, l, g)
        })
    }

    fn resolve(&mut self, _env: Env, v: f64) -> Result<f64> {
        Ok(v)
    }
}

/// `sigmoidLoss` on libuv's pool (same arguments as the synchronous binding).
#[napi(ts_return_type = "Promise<number>")]
#[allow(clippy::too_many_arguments)]
pub fn sigmoid_loss_async(
    logits: Float32Array, n: u32, c: u32, targets: Float32Array, use_labels: bool, labels: Int32Array, weight: Float32Array,
    label_weights: Float32Array, kind: u32, has_alpha: bool, alpha: f64, gamma: f64, beta: f64, scale: f64,
    elements: Float32Array, grad: Float32Array,
) -> AsyncTask<SigmoidTask> {
    AsyncTask::new(SigmoidTask {
        logits: logits.to_vec(), n: n as usize, c: c as usize, targets: targets.to_vec(), use_labels, labels: labels.to_vec(),
        weight: weight.to_vec(), label_weights: label_weights.to_vec(), p: (kind, has_alpha, alpha, gamma, beta, scale), elements, grad,
    })
}
