/**
 * The wasm module through wasm-bindgen's generated glue (`./gen/soft_sampling.js`, written by
 * `scripts/build-wasm.sh` from `wasm-pack build --target web`): the glue copies typed arrays into
 * linear memory and outputs back into the caller's arrays, and turns a kernel's `JsError` into a
 * thrown `Error`. This file adds what the glue cannot do: typed errors (`CODE\targ\tmessage` →
 * `SoftSamplingError`), and a fresh instance after a trap (a panic aborts; the instance's stack
 * and heap are then in an unknown state). Environment-agnostic (no `node:` imports).
 */
import * as glue from './gen/soft_sampling.js';
import { initSync } from './gen/soft_sampling.js';
import { SoftSamplingError, fromBindingError } from '../../errors';

/** The generated functions (`ss_*` hand-written exports, declared kernels by their snake_case name). */
export type Glue = typeof glue;

/** Exports this glue cannot work without (the rest are checked when a kernel is first called). */
const REQUIRED_EXPORTS = ['memory', '__wbindgen_malloc', '__wbindgen_free', 'ss_simd_level', 'bbox_overlaps'];
/** The import module wasm-bindgen's `--target web` glue provides. */
const GLUE_IMPORT_MODULE = './soft_sampling_bg.js';

/**
 * Why `module` is not a build this glue can drive (`undefined` when it is): ours exports the
 * `ss_*` functions and wasm-bindgen's allocator, and imports only from the glue (`./soft_sampling_bg.js`). Whether
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

/** Instantiates `module` behind the generated glue (the glue holds one instance at a time). */
function instantiate(module: WebAssembly.Module): void {
  initSync({ module });
}

export class WasmCtx {
  /** The generated functions. */
  readonly g: Glue = glue;

  constructor(private readonly module: WebAssembly.Module) {
    instantiate(module);
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
