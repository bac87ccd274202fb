/**
 * Generic backend side of the declared kernels (`ts/kernels/modern.ts`, generated from
 * `crates/decl/kernels.rs`): output allocation by the declared size rules, and the native and
 * TypeScript bindings. No per-op code: a new declared kernel needs no edit here.
 */
import { KERNEL_DECLS, type KernelDecl, type ModernKernels, type AsyncKernels, type Dtype } from '../kernels/modern';
import { SoftSamplingError, fromBindingError } from '../errors';

type Typed = Float32Array | Float64Array | Int32Array | Uint8Array;
const CTORS: Record<Dtype, new (n: number) => Typed> = { f32: Float32Array, f64: Float64Array, i32: Int32Array, u8: Uint8Array };

/** Input lengths of a call, by input name (what the size rules read as `L`). */
export function inputLengths(d: KernelDecl, inputs: Record<string, Typed>): Record<string, number> {
  const L: Record<string, number> = {};
  for (const [name] of d.inputs) L[name] = inputs[name].length;
  return L;
}

/** Output lengths of a call by the declared rules (each checked to be a non-negative integer). */
export function outputLengths(name: string, d: KernelDecl, inputs: Record<string, Typed>, opts: Record<string, unknown>): number[] {
  const L = inputLengths(d, inputs);
  return d.outputs.map(([out, , rule]) => {
    const n = rule(L, opts);
    if (!(Number.isInteger(n) && n >= 0)) throw new SoftSamplingError('E_SHAPE', name, `output ${out} would have ${n} elements`);
    return n;
  });
}

/**
 * The outputs of a call, by name: the caller's buffers where it gives them (`given`, e.g. an `out`
 * option reused across calls; each must have the declared length), otherwise float32 ones from `f32`
 * when given (the native addon's page-keeping pool; every declared kernel writes each element of its
 * outputs), otherwise fresh JS-heap arrays.
 */
export function allocOutputs(
  name: string, d: KernelDecl, inputs: Record<string, Typed>, opts: Record<string, unknown>,
  given?: Record<string, Typed | undefined>, f32?: (n: number) => Float32Array,
): Record<string, Typed> {
  const lens = outputLengths(name, d, inputs, opts);
  const out: Record<string, Typed> = {};
  d.outputs.forEach(([o, t], i) => {
    const g = given?.[o];
    if (g === undefined) out[o] = t === 'f32' && f32 ? f32(lens[i]) : new CTORS[t](lens[i]);
    else if (g.length !== lens[i]) throw new SoftSamplingError('E_SHAPE', `${name}.${o}`, `output buffer has ${g.length} elements, expected ${lens[i]}`);
    else out[o] = g;
  });
  return out;
}

/**
 * The declared option fields as one `Float64Array` in declared order, as both bindings take them
 * (booleans as 0/1; the Rust emitters convert each slot to the field's declared type).
 */
export function packOptions(d: KernelDecl, opts: Record<string, unknown>): Float64Array {
  const o = new Float64Array(d.opts.length);
  for (let i = 0; i < o.length; i++) o[i] = Number(opts[d.opts[i][0]]);
  return o;
}

/** The argument list of a declared binding: inputs in declared order, the packed options, the outputs. */
export function bindingArgs(d: KernelDecl, inputs: Record<string, Typed>, opts: Record<string, unknown>, outs: Record<string, Typed>): unknown[] {
  const ni = d.inputs.length, no = d.outputs.length;
  const args = new Array<unknown>(ni + 1 + no);
  for (let i = 0; i < ni; i++) args[i] = inputs[d.inputs[i][0]];
  args[ni] = packOptions(d, opts);
  for (let j = 0; j < no; j++) args[ni + 1 + j] = outs[d.outputs[j][0]];
  return args;
}

/**
 * Binds the napi addon's declared functions: `fn(...inputs, options, ...outputs)`, outputs allocated
 * here; and, for kernels declared `async`, `<name>Async` on the addon's AsyncTask (inputs copied by
 * the addon at the call; the promise resolves with the outputs once the pool has written them).
 * `k` holds the addon's functions with errors already typed; `raw` the addon itself (an async
 * function's rejection is translated here).
 */
export function nativeModern(k: Record<string, (...a: any[]) => any>, raw: Record<string, unknown> = k): ModernKernels & AsyncKernels {
  const out: Record<string, unknown> = {};
  // large float32 outputs from the addon's page-keeping pool (null: small, or at its bound), as the focal losses
  const pool = typeof k.allocF32 === 'function' ? (n: number): Float32Array => (k.allocF32(n) as Float32Array | null) ?? new Float32Array(n) : undefined;
  for (const [name, d] of Object.entries(KERNEL_DECLS) as [string, KernelDecl][]) {
    const fn = k[name];
    const missing = () => new SoftSamplingError('E_BACKEND', name, 'function missing from the native addon (rebuild it)');
    out[name] = (inputs: Record<string, Typed>, opts: Record<string, unknown>, given?: Record<string, Typed>) => {
      if (typeof fn !== 'function') throw missing();
      const outs = allocOutputs(name, d, inputs, opts, given, pool);
      fn(...bindingArgs(d, inputs, opts, outs));
      return outs;
    };
    if (d.async === undefined) continue;
    const afn = raw[d.async];
    out[d.async] = async (inputs: Record<string, Typed>, opts: Record<string, unknown>, given?: Record<string, Typed>) => {
      if (typeof afn !== 'function') throw missing();
      const outs = allocOutputs(name, d, inputs, opts, given, pool);
      try {
        await afn(...bindingArgs(d, inputs, opts, outs));
      } catch (e) {
        throw fromBindingError(e);
      }
      return outs;
    };
  }
  return out as unknown as ModernKernels & AsyncKernels;
}

/** A TS twin: fills the allocated outputs (same contract as the Rust kernel). */
export type TsKernel = (inputs: any, opts: any, outputs: any) => void;

/** Binds the pure-TS twins with the same allocation as the other backends. */
export function tsModern(impls: Record<keyof ModernKernels, TsKernel>): ModernKernels {
  const out: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(KERNEL_DECLS) as [keyof ModernKernels, KernelDecl][]) {
    out[name] = (inputs: Record<string, Typed>, opts: Record<string, unknown>, given?: Record<string, Typed>) => {
      const outs = allocOutputs(name, d, inputs, opts, given);
      impls[name](inputs, opts, outs);
      return outs;
    };
  }
  return out as unknown as ModernKernels;
}
