/** wasm glue: GHM-C (see `crates/wasm/src/ghm.rs`; GHM-R is a declared kernel). */
import type { GhmKernels, GhmKernelResult } from '../../kernels/ghm';
import type { WasmCtx } from './bindgen';

/** The outputs of one GHM call: the caller's element buffers (fresh ones where it gave none). */
function outputs(n: number, bins: number, le: Float32Array, gr: Float32Array, wt: Float32Array, g: Float32Array) {
  const f = (a: Float32Array) => (a.length === n ? a : new Float32Array(n));
  return {
    le: f(le), gr: f(gr), wt: f(wt), g: f(g),
    counts: new Float64Array(bins), acc: new Float64Array(bins), s: new Float64Array(6),
  };
}

function unpack(o: ReturnType<typeof outputs>): GhmKernelResult {
  const s = o.s;
  return {
    lossElements: o.le, grad: o.gr, weights: o.wt, g: o.g, counts: o.counts, accSum: o.acc,
    lossSum: s[0], loss: s[1], tot: s[2], nonEmpty: s[3], scale: s[4], updated: s[5] !== 0,
  };
}

export function wasmGhm(w: WasmCtx): GhmKernels {
  const gl = w.g;
  return {
    ghmC(logits, c, useLabels, targets, labels, lw, accSum, bins, momentum, allBins, biasCorrection, steps, lossWeight, mean, le, gr, wt, g) {
      const o = outputs(logits.length, bins, le, gr, wt, g);
      const opts = new Float64Array([bins, momentum, +allBins, +biasCorrection, steps, lossWeight, +mean, 0.02]);
      w.run('ghmC', () => gl.ss_ghm_c(logits, c, useLabels, targets, labels, lw, accSum, opts, o.le, o.gr, o.wt, o.g, o.counts, o.acc, o.s));
      return unpack(o);
    },
  };
}
