/**
 * wasm glue of the declared kernels: one generic caller for every `ssk_*` export (see
 * `crates/wasm/src/decl.rs`): `lens` (u32 element counts of inputs then outputs), the inputs, the
 * `#[repr(C)]` options struct written as a `Float64Array` in declared order, then the outputs.
 */
import { KERNEL_DECLS, type KernelDecl, type ModernKernels } from '../../kernels/modern';
import { outputLengths } from '../decl';
import { type WasmCtx, out } from './ctx';

export function wasmModern(w: WasmCtx): ModernKernels {
  const res: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(KERNEL_DECLS) as [string, KernelDecl][]) {
    res[name] = (inputs: Record<string, Float32Array | Int32Array | Float64Array>, opts: Record<string, unknown>) => {
      const outLens = outputLengths(name, d, inputs, opts);
      const ins = d.inputs.map(([n]) => inputs[n]);
      const lens = new Uint32Array([...ins.map((a) => a.length), ...outLens]);
      const o = new Float64Array(d.opts.map(([k]) => Number(opts[k])));
      const r = w.call(d.wasm, [lens as unknown as Int32Array, ...ins, o, ...d.outputs.map(([, t], i) => out(t, outLens[i]))]);
      const outs: Record<string, unknown> = {};
      d.outputs.forEach(([n], i) => (outs[n] = r[i]));
      return outs;
    };
  }
  return res as unknown as ModernKernels;
}
