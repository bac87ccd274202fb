/** wasm glue: GHM-C, GHM-R, smooth L1 and ASL1 losses (see `crates/wasm/src/ghm.rs`). */
import type { GhmKernels, GhmKernelResult } from '../../kernels/ghm';
import { WasmCtx, out } from './ctx';

function unpack(r: (Float32Array | Float64Array | Int32Array | Uint8Array)[]): GhmKernelResult {
  const s = r[6] as Float64Array;
  return {
    lossElements: r[0] as Float32Array,
    grad: r[1] as Float32Array,
    weights: r[2] as Float32Array,
    g: r[3] as Float32Array,
    counts: r[4] as Float64Array,
    accSum: r[5] as Float64Array,
    lossSum: s[0],
    loss: s[1],
    tot: s[2],
    nonEmpty: s[3],
    scale: s[4],
    updated: s[5] !== 0,
  };
}

export function wasmGhm(w: WasmCtx): GhmKernels {
  return {
    // the caller's output buffers are not needed: the outputs are copied out of linear memory anyway
    ghmC(logits, c, useLabels, targets, labels, lw, accSum, bins, momentum, allBins, biasCorrection, steps, lossWeight, mean, le, gr, wt, g) {
      const n = logits.length;
      return unpack(w.call('ss_ghm_c', [
        logits, n, c, useLabels, targets, labels, lw, lw.length, accSum, bins, momentum, allBins, biasCorrection,
        steps, lossWeight, mean,
        out('f32', n, le), out('f32', n, gr), out('f32', n, wt.length ? wt : undefined), out('f32', n, g.length ? g : undefined), out('f64', bins), out('f64', bins), out('f64', 6),
      ]));
    },
    ghmR(pred, target, lw, accSum, mu, bins, momentum, allBins, biasCorrection, steps, lossWeight, mean, le, gr, wt, g) {
      const n = pred.length;
      return unpack(w.call('ss_ghm_r', [
        pred, target, n, lw, lw.length, accSum, mu, bins, momentum, allBins, biasCorrection, steps, lossWeight, mean,
        out('f32', n, le), out('f32', n, gr), out('f32', n, wt), out('f32', n, g), out('f64', bins), out('f64', bins), out('f64', 6),
      ]));
    },
    regressionLoss(kind, pred, target, weight, cols, param, scale) {
      const n = pred.length;
      const r = w.call('ss_regression_loss', [kind, pred, target, n, weight, weight.length, cols, param, scale, out('f32', n), out('f32', n), out('f64', 1)]);
      return { lossElements: r[0] as Float32Array, grad: r[1] as Float32Array, lossSum: (r[2] as Float64Array)[0] };
    },
  };
}
