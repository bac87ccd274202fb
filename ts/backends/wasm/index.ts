/** The WebAssembly backend, built from a compiled module (no `node:` imports here). */
import type { Backend } from '../../kernels';
import { WasmCtx } from './ctx';
import { wasmGeometry } from './geometry';
import { wasmFocal } from './focal';
import { wasmGhm } from './ghm';
import { wasmAssign } from './assign';
import { wasmPisa } from './pisa';
import { wasmEval } from './eval';
import { wasmModern } from './modern';

/** Exports this glue cannot work without (the rest are checked when a kernel is first called). */
const REQUIRED_EXPORTS = ['memory', 'ss_alloc', 'ss_free', 'ss_error_ptr', 'ss_error_len', 'ss_simd_level'];

/**
 * Why `module` is not a build this glue can drive (`undefined` when it is): ours imports nothing
 * and exports the raw C-ABI functions and its memory. Replacing the glue replaces this check.
 */
export function wasmModuleMismatch(module: WebAssembly.Module): string | undefined {
  const imports = WebAssembly.Module.imports(module);
  const exports = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = REQUIRED_EXPORTS.filter((n) => !exports.has(n));
  const parts: string[] = [];
  if (missing.length) parts.push(`it lacks the exports ${missing.join(', ')}`);
  if (imports.length) parts.push(`it imports ${imports.slice(0, 4).map((i) => `${i.module}.${i.name}`).join(', ')}${imports.length > 4 ? ', ...' : ''} (ours imports nothing)`);
  return parts.length ? parts.join('; ') : undefined;
}

export function createWasmBackend(module: WebAssembly.Module): Backend {
  const w = new WasmCtx(module);
  return {
    name: 'wasm',
    simd: w.raw('ss_simd_level')() === 0 ? 'simd128' : 'scalar',
    ...wasmGeometry(w),
    ...wasmFocal(w),
    ...wasmGhm(w),
    ...wasmAssign(w),
    ...wasmPisa(w),
    ...wasmEval(w),
    ...wasmModern(w),
    debugPanic() {
      w.call('ss_debug_panic', []);
    },
  };
}
