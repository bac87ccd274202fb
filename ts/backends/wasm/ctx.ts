/**
 * Host side of the raw-export WebAssembly module (`crates/wasm`): memory management and the
 * generic call protocol. Environment-agnostic (no `node:` imports): it only needs a compiled
 * `WebAssembly.Module`.
 */
import { SoftSamplingError, fromBindingError } from '../../errors';

type Typed = Float32Array | Int32Array | Uint8Array | Float64Array;

/** Marks an output buffer in an argument list: its element type and length. */
export interface Out {
  out: 'f32' | 'i32' | 'f64' | 'u8';
  len: number;
  /** Copy the result into this caller-owned array instead of a fresh one. */
  into?: Typed;
}
export const out = (type: Out['out'], len: number, into?: Typed): Out => ({ out: type, len, into });

export type Arg = number | boolean | Typed | Out;

const CTORS = { f32: Float32Array, i32: Int32Array, f64: Float64Array, u8: Uint8Array } as const;

interface Exports {
  memory: WebAssembly.Memory;
  ss_alloc(bytes: number): number;
  ss_free(ptr: number, bytes: number): void;
  ss_error_ptr(): number;
  ss_error_len(): number;
  [name: string]: any;
}

export class WasmCtx {
  private ex!: Exports;

  constructor(private readonly module: WebAssembly.Module) {
    this.instantiate();
  }

  private instantiate(): void {
    const inst = new WebAssembly.Instance(this.module, {});
    this.ex = inst.exports as unknown as Exports;
  }

  raw(name: string): (...a: number[]) => number {
    return this.ex[name];
  }

  /**
   * Calls export `name`: typed-array arguments are copied into linear memory and replaced by their
   * pointer, `out(...)` markers allocate an output buffer; the outputs are returned, in order,
   * as fresh typed arrays. A non-zero return status raises the kernel's typed error; a trap
   * (panic) discards the instance and raises `E_PANIC`.
   */
  call(name: string, args: Arg[]): Typed[] {
    const ex = this.ex;
    const fn = ex[name];
    if (typeof fn !== 'function') throw new SoftSamplingError('E_BACKEND', name, 'export missing from the wasm module');
    const allocs: { ptr: number; bytes: number }[] = [];
    const outs: { ptr: number; type: Out['out']; len: number; into?: Typed }[] = [];
    const inputs: { ptr: number; data: Typed }[] = [];
    try {
      const callArgs: number[] = [];
      for (const a of args) {
        if (typeof a === 'number') callArgs.push(a);
        else if (typeof a === 'boolean') callArgs.push(a ? 1 : 0);
        else if (ArrayBuffer.isView(a)) {
          const bytes = a.byteLength;
          const ptr = ex.ss_alloc(bytes);
          if (ptr === 0) throw new SoftSamplingError('E_VALUE', name, `cannot allocate ${bytes} bytes in wasm memory`);
          allocs.push({ ptr, bytes });
          inputs.push({ ptr, data: a });
          callArgs.push(ptr);
        } else {
          const bytes = a.len * CTORS[a.out].BYTES_PER_ELEMENT;
          if (bytes > 2 ** 31 - 8) throw new SoftSamplingError('E_VALUE', name, `an output of ${bytes} bytes does not fit in wasm32 memory`);
          const ptr = ex.ss_alloc(bytes);
          if (ptr === 0) throw new SoftSamplingError('E_VALUE', name, `cannot allocate ${bytes} bytes in wasm memory`);
          allocs.push({ ptr, bytes });
          outs.push({ ptr, type: a.out, len: a.len, into: a.into });
          callArgs.push(ptr);
        }
      }
      // views are taken after every allocation: growing memory detaches older views
      const buf = ex.memory.buffer;
      for (const { ptr, data } of inputs) {
        new Uint8Array(buf, ptr, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      }
      let status: number;
      try {
        status = fn(...callArgs);
      } catch (e) {
        if (e instanceof WebAssembly.RuntimeError) {
          allocs.length = 0; // the instance is gone with its memory
          this.instantiate();
          throw new SoftSamplingError('E_PANIC', name, `wasm kernel trapped (${e.message}); the module was re-instantiated`, [e]);
        }
        throw e;
      }
      if (status !== 0) {
        const p = ex.ss_error_ptr();
        const l = ex.ss_error_len();
        const msg = new TextDecoder().decode(new Uint8Array(ex.memory.buffer, p, l).slice());
        throw fromBindingError(new Error(msg));
      }
      const mem = ex.memory.buffer;
      return outs.map(({ ptr, type, len, into }) => {
        const view = new CTORS[type](mem, ptr, len);
        if (!into) return view.slice();
        (into as Float32Array).set(view as unknown as Float32Array);
        return into;
      });
    } finally {
      for (const { ptr, bytes } of allocs) ex.ss_free(ptr, bytes);
    }
  }
}
