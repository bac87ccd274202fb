/** The WebAssembly backend, built from a compiled module (no `node:` imports here). */
import type { Backend } from '../../kernels';
import { WasmCtx } from './ctx';
import { wasmGeometry } from './geometry';
import { wasmFocal } from './focal';
import { wasmGhm } from './ghm';
import { wasmAssign } from './assign';
import { wasmPisa } from './pisa';
import { wasmModern } from './modern';

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
    ...wasmModern(w),
    debugPanic() {
      w.call('ss_debug_panic', []);
    },
  };
}
