/** The WebAssembly backend, built from a compiled module (no `node:` imports here). */
import type { Backend } from '../../kernels';
import { WasmCtx } from './bindgen';
import { wasmModern } from './modern';

export { wasmModuleMismatch } from './bindgen';

/** Instantiates `module` behind the generated glue and binds every kernel to it. */
export function createWasmBackend(module: WebAssembly.Module): Backend {
  const w = new WasmCtx(module);
  return {
    name: 'wasm',
    simd: w.g.ss_simd_level() === 0 ? 'simd128' : 'scalar',
    ...wasmModern(w),
    debugPanic() {
      w.run('debugPanic', () => w.g.ss_debug_panic());
    },
  };
}
