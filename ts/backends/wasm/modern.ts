/**
 * wasm glue of the declared kernels: one generic caller for every generated function (see
 * `crates/wasm/src/decl.rs`): `fn(...inputs, ...options, ...outputs)` with one number per option in
 * declared order and the outputs allocated here by the declared size rules (or the caller's buffers).
 */
import { KERNEL_DECLS, type KernelDecl, type ModernKernels } from '../../kernels/modern';
import { allocOutputs, bindingArgs } from '../decl';
import type { WasmCtx } from './bindgen';

type Typed = Float32Array | Int32Array | Float64Array | Uint8Array;

export function wasmModern(w: WasmCtx): ModernKernels {
  const g = w.g as unknown as Record<string, (...a: unknown[]) => void>;
  const res: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(KERNEL_DECLS) as [string, KernelDecl][]) {
    res[name] = (inputs: Record<string, Typed>, opts: Record<string, unknown>, given?: Record<string, Typed>) => {
      const fn = g[d.wasm];
      const outs = allocOutputs(name, d, inputs, opts, given);
      w.call(name, fn, bindingArgs(d, inputs, opts, outs));
      return outs;
    };
  }
  return res as unknown as ModernKernels;
}
