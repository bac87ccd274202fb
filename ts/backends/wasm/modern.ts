/**
 * wasm glue of the declared kernels: one generic caller for every generated function (see
 * `crates/wasm/src/decl.rs`): `fn(io, ...options)` with one number per option in declared order and
 * `io` the address of the call's I/O table in the scratch arena (`WasmHeap`, `./bindgen.ts`).
 *
 * Per call: the inputs and outputs are laid out in the arena (each region aligned to 16 bytes, after
 * the table of `(address, length)` pairs, inputs then outputs in declared order), the inputs copied
 * in, the kernel run, and each output copied out once — into the caller's buffer where one is given
 * (`given`), otherwise into a fresh array of its own (`slice`): never a view of linear memory, which
 * the next call overwrites. Outputs are not copied in: every declared kernel writes each element of
 * its float32 outputs (as the native pool also relies on); the others, small or integer, are zeroed
 * in the arena first.
 */
import { KERNEL_DECLS, type Dtype, type KernelDecl, type ModernKernels } from '../../kernels/modern';
import { outputLengths } from '../decl';
import { ARENA_ALIGN, type WasmCtx, type WasmHeap } from './bindgen';

type Typed = Float32Array | Int32Array | Float64Array | Uint8Array;
const BYTES: Record<Dtype, number> = { f32: 4, f64: 8, i32: 4, u8: 1 };
const SHIFT: Record<Dtype, number> = { f32: 2, f64: 3, i32: 2, u8: 0 };

/** The heap's view of a dtype (element index = byte address >> SHIFT). */
function view(h: WasmHeap, t: Dtype): Typed {
  return t === 'f32' ? h.f32 : t === 'f64' ? h.f64 : t === 'i32' ? h.i32 : h.u8;
}

const align = (n: number): number => (n + (ARENA_ALIGN - 1)) & -ARENA_ALIGN;

export function wasmModern(w: WasmCtx): ModernKernels {
  const g = w.g as unknown as Record<string, (...a: unknown[]) => void>;
  const res: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(KERNEL_DECLS) as [string, KernelDecl][]) {
    const ins = d.inputs, outs = d.outputs, opts = d.opts;
    const ni = ins.length, no = outs.length, nk = opts.length;
    const table = align(8 * (ni + no));
    // per kernel, once: element sizes and dtypes by position; the offsets and argument list are
    // reused across calls (a call runs to completion before the next: wasm calls no JS back)
    const inName = ins.map((x) => x[0]), inType = ins.map((x) => x[1]), inBytes = inType.map((t) => BYTES[t]);
    const outName = outs.map((x) => x[0]), outType = outs.map((x) => x[1]), outBytes = outType.map((t) => BYTES[t]);
    const optName = opts.map((x) => x[0]);
    const at = new Array<number>(ni + no).fill(0);
    const args = new Array<unknown>(1 + nk).fill(0);
    res[name] = (inputs: Record<string, Typed>, o: Record<string, unknown>, given?: Record<string, Typed>) => {
      const fn = g[d.wasm];
      const sizes = outputLengths(name, d, inputs, o, given);
      // byte offsets of the regions from the arena's base: inputs, then outputs
      let end = table;
      for (let i = 0; i < ni; i++) {
        at[i] = end;
        end = align(end + inputs[inName[i]].length * inBytes[i]);
      }
      for (let j = 0; j < no; j++) {
        at[ni + j] = end;
        end = align(end + sizes[j] * outBytes[j]);
      }
      const h = w.heap;
      const base = h.reserve(end, name);
      h.views();
      const u32 = h.u32, tb = base >>> 2;
      for (let i = 0; i < ni; i++) {
        const t = inType[i], x = inputs[inName[i]], a = base + at[i];
        if (x.length > 0) view(h, t).set(x, a >>> SHIFT[t]);
        u32[tb + 2 * i] = a;
        u32[tb + 2 * i + 1] = x.length;
      }
      for (let j = 0; j < no; j++) {
        const t = outType[j], a = base + at[ni + j];
        if (t !== 'f32' && sizes[j] > 0) view(h, t).fill(0, a >>> SHIFT[t], (a >>> SHIFT[t]) + sizes[j]);
        u32[tb + 2 * (ni + j)] = a;
        u32[tb + 2 * (ni + j) + 1] = sizes[j];
      }
      args[0] = base;
      for (let k = 0; k < nk; k++) args[1 + k] = Number(o[optName[k]]);
      w.call(name, fn, args);
      // the kernel may have grown the memory (its own allocations): fresh views
      h.views();
      const result: Record<string, Typed> = {};
      for (let j = 0; j < no; j++) {
        const t = outType[j], n = outName[j];
        const s = (base + at[ni + j]) >>> SHIFT[t], src = view(h, t);
        const mine = given === undefined ? undefined : given[n];
        if (mine !== undefined) {
          mine.set(src.subarray(s, s + sizes[j]));
          result[n] = mine;
        } else {
          result[n] = src.slice(s, s + sizes[j]);
        }
      }
      return result;
    };
  }
  return res as unknown as ModernKernels;
}
