/**
 * Generic backend side of the declared kernels (`ts/kernels/modern.ts`, generated from
 * `crates/decl/kernels.rs`): output allocation by the declared size rules, and the native and
 * TypeScript bindings. No per-op code: a new declared kernel needs no edit here.
 */
import { KERNEL_DECLS, type KernelDecl, type ModernKernels, type AsyncKernels, type Dtype } from '../kernels/modern';
import { SoftSamplingError, fromBindingError } from '../errors';

type Typed = Float32Array | Float64Array | Int32Array | Uint8Array;
const CTORS: Record<Dtype, new (n: number) => Typed> = { f32: Float32Array, f64: Float64Array, i32: Int32Array, u8: Uint8Array };

/**
 * The element count of each output of a call, in declared order, by the declared rules over the
 * input lengths `L` and the options; where the caller gives a buffer (`given`), it must have that
 * length (`E_SHAPE` otherwise).
 */
export function outputLengths(
  name: string, d: KernelDecl, inputs: Record<string, Typed>, opts: Record<string, unknown>,
  given?: Record<string, Typed | undefined>,
): number[] {
  // plain loops, no intermediate arrays: this runs on every call, small calls included
  const L: Record<string, number> = {};
  const ins = d.inputs;
  for (let i = 0; i < ins.length; i++) L[ins[i][0]] = inputs[ins[i][0]].length;
  const outs = d.outputs;
  const sizes = new Array<number>(outs.length);
  for (let i = 0; i < outs.length; i++) {
    const [o, , rule] = outs[i];
    const n = rule(L, opts);
    if (!(Number.isInteger(n) && n >= 0)) throw new SoftSamplingError('E_SHAPE', name, `output ${o} would have ${n} elements`);
    const g = given === undefined ? undefined : given[o];
    if (g !== undefined && g.length !== n) throw new SoftSamplingError('E_SHAPE', `${name}.${o}`, `output buffer has ${g.length} elements, expected ${n}`);
    sizes[i] = n;
  }
  return sizes;
}

/**
 * The outputs of a call, by name, sized by {@link outputLengths}: the caller's buffers where it
 * gives them (`given`, e.g. an `out` option reused across calls; each must have the declared
 * length), otherwise float32 ones from `f32` when given (the native addon's page-keeping pool; every
 * declared kernel writes each element of its outputs), otherwise fresh JS-heap arrays.
 */
export function allocOutputs(
  name: string, d: KernelDecl, inputs: Record<string, Typed>, opts: Record<string, unknown>,
  given?: Record<string, Typed | undefined>, f32?: (n: number) => Float32Array,
): Record<string, Typed> {
  const sizes = outputLengths(name, d, inputs, opts, given);
  const out: Record<string, Typed> = {};
  const outs = d.outputs;
  for (let i = 0; i < outs.length; i++) {
    const [o, t] = outs[i];
    const n = sizes[i];
    const g = given === undefined ? undefined : given[o];
    out[o] = g !== undefined ? g : t === 'f32' && f32 ? f32(n) : new CTORS[t](n);
  }
  return out;
}

/**
 * The argument list of a declared binding: inputs in declared order, then each option as a number
 * in declared order (booleans as 0/1; the Rust emitters convert each to the field's declared type),
 * then the outputs.
 */
export function bindingArgs(d: KernelDecl, inputs: Record<string, Typed>, opts: Record<string, unknown>, outs: Record<string, Typed>): unknown[] {
  const ni = d.inputs.length, nk = d.opts.length, no = d.outputs.length;
  const args = new Array<unknown>(ni + nk + no);
  for (let i = 0; i < ni; i++) args[i] = inputs[d.inputs[i][0]];
  for (let k = 0; k < nk; k++) args[ni + k] = Number(opts[d.opts[k][0]]);
  for (let j = 0; j < no; j++) args[ni + nk + j] = outs[d.outputs[j][0]];
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
