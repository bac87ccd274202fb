/**
 * The wasm module through wasm-bindgen's generated glue (`./gen/soft_sampling.js`, written by
 * `scripts/build-wasm.sh` from `wasm-pack build --target web`): the glue passes numbers and turns
 * a kernel's `JsError` into a thrown `Error`. This file adds what the glue cannot do: the scratch
 * arena the declared kernels' arrays travel through ({@link WasmHeap}; `./modern.ts` lays the calls
 * out), typed errors (`CODE\targ\tmessage` → `SoftSamplingError`), and a fresh instance after a
 * trap (a panic aborts; the instance's stack and heap are then in an unknown state).
 * Environment-agnostic (no `node:` imports).
 */
import * as glue from './gen/soft_sampling.js';
import { initSync } from './gen/soft_sampling.js';
import { SoftSamplingError, fromBindingError } from '../../errors';

/** The generated functions (`ss_*` hand-written exports, declared kernels by their snake_case name). */
export type Glue = typeof glue;

/** Exports this glue cannot work without (the rest are checked when a kernel is first called). */
const REQUIRED_EXPORTS = ['memory', 'ss_alloc', 'ss_free', 'ss_simd_level', 'bbox_overlaps'];
/** The import module wasm-bindgen's `--target web` glue provides. */
const GLUE_IMPORT_MODULE = './soft_sampling_bg.js';

/**
 * Why `module` is not a build this glue can drive (`undefined` when it is): ours exports the
 * `ss_*` functions and the arena's allocator (`ss_alloc`, `ss_free`), and imports only from the glue (`./soft_sampling_bg.js`). Whether
 * each import matches this glue's version is checked by instantiating (a `LinkError`).
 */
export function wasmModuleMismatch(module: WebAssembly.Module): string | undefined {
  const imports = WebAssembly.Module.imports(module);
  const exports = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = REQUIRED_EXPORTS.filter((n) => !exports.has(n));
  const foreign = imports.filter((i) => i.module !== GLUE_IMPORT_MODULE);
  const parts: string[] = [];
  if (missing.length) parts.push(`it lacks the exports ${missing.join(', ')}`);
  if (foreign.length) {
    parts.push(`it imports ${foreign.slice(0, 4).map((i) => `${i.module}.${i.name}`).join(', ')}${foreign.length > 4 ? ', ...' : ''} (ours imports only from wasm-bindgen's '${GLUE_IMPORT_MODULE}' glue)`);
  }
  return parts.length ? parts.join('; ') : undefined;
}

/** What the arena needs of the instance: its memory and allocator (`crates/wasm/src/lib.rs`). */
interface RawExports {
  readonly memory: WebAssembly.Memory;
  /** A block of `bytes` bytes aligned to {@link ARENA_ALIGN}; 0 when the memory cannot grow that far. */
  readonly ss_alloc: (bytes: number) => number;
  readonly ss_free: (ptr: number, bytes: number) => void;
}

/** Alignment of the arena and of every region laid out in it (bytes; float64 needs 8, SIMD128 likes 16). */
export const ARENA_ALIGN = 16;

/**
 * The scratch arena of the declared kernels' calls: one block of linear memory, allocated with
 * `ss_alloc`, kept across calls and replaced by a larger one when a call needs more
 * (a call of N bytes of inputs and outputs costs no malloc or free once the arena has grown to N).
 * It belongs to the glue's current instance (the glue holds one at a time): {@link instantiate}
 * drops it. Views of the memory are refreshed whenever the memory has grown (growth detaches the
 * old `ArrayBuffer`), so take them with {@link WasmHeap.views} after anything that may allocate.
 * Nothing handed to the user is a view of this memory: outputs are copied out
 * (`ts/backends/wasm/modern.ts`).
 */
export class WasmHeap {
  private ptr = 0;
  private cap = 0;
  u8 = new Uint8Array(0);
  u32 = new Uint32Array(0);
  i32 = new Int32Array(0);
  f32 = new Float32Array(0);
  f64 = new Float64Array(0);

  constructor(private readonly raw: RawExports) {}

  /**
   * Byte address of an arena block of at least `bytes` bytes, aligned to {@link ARENA_ALIGN}.
   * @throws SoftSamplingError `E_BACKEND` (`arg` = `name`) when linear memory cannot hold it.
   */
  reserve(bytes: number, name: string): number {
    if (bytes > this.cap) {
      if (this.cap > 0) this.raw.ss_free(this.ptr, this.cap);
      // grown by at least an eighth, in 64 KiB steps: a run of slightly larger calls reallocates
      // rarely; when the headroom is what does not fit, exactly what the call needs
      let cap = Math.ceil(Math.max(bytes, this.cap * 1.125, 65536) / 65536) * 65536;
      this.cap = 0;
      this.ptr = 0;
      let ptr = cap < 2 ** 32 ? this.raw.ss_alloc(cap) >>> 0 : 0;
      if (ptr === 0 && bytes < cap && bytes < 2 ** 32) ptr = this.raw.ss_alloc((cap = bytes)) >>> 0;
      if (ptr === 0) {
        throw new SoftSamplingError('E_BACKEND', name, `the call's inputs and outputs (${bytes} bytes) do not fit in the wasm module's memory (32-bit, at most 4 GiB); use the native or ts backend, or smaller batches`);
      }
      this.ptr = ptr;
      this.cap = cap;
    }
    return this.ptr;
  }

  /**
   * The memory's views, re-taken when the memory has grown since they were taken (growth detaches
   * the old buffer: its views then have length 0; no `memory.buffer` lookup per call).
   */
  views(): this {
    if (this.u8.byteLength === 0) {
      const b = this.raw.memory.buffer as ArrayBuffer;
      this.u8 = new Uint8Array(b);
      this.u32 = new Uint32Array(b);
      this.i32 = new Int32Array(b);
      this.f32 = new Float32Array(b);
      this.f64 = new Float64Array(b);
    }
    return this;
  }
}

/** The heap of the glue's current instance (replaced with the instance). */
let heap: WasmHeap | undefined;

/** Instantiates `module` behind the generated glue (the glue holds one instance at a time). */
function instantiate(module: WebAssembly.Module): void {
  heap = undefined;
  heap = new WasmHeap(initSync({ module }) as unknown as RawExports);
}

export class WasmCtx {
  /** The generated functions. */
  readonly g: Glue = glue;

  constructor(private readonly module: WebAssembly.Module) {
    instantiate(module);
  }

  /** The scratch arena and memory views of the glue's current instance. */
  get heap(): WasmHeap {
    return heap as WasmHeap;
  }

  /**
   * Runs one glue call. A kernel's error becomes its typed `SoftSamplingError`; a trap (panic)
   * re-instantiates the module and raises `E_PANIC`.
   */
  /** `fn(...args)` with the errors of {@link run} (no closure per call). */
  call(name: string, fn: (...a: unknown[]) => unknown, args: unknown[]): unknown {
    try {
      return fn.apply(undefined, args);
    } catch (e) {
      throw this.fail(name, e);
    }
  }

  run<T>(name: string, call: () => T): T {
    try {
      return call();
    } catch (e) {
      throw this.fail(name, e);
    }
  }

  private fail(name: string, e: unknown): SoftSamplingError {
    if (e instanceof WebAssembly.RuntimeError) {
      instantiate(this.module);
      return new SoftSamplingError('E_PANIC', name, `wasm kernel trapped (${e.message}); the module was re-instantiated`, [e]);
    }
    return fromBindingError(e);
  }
}
