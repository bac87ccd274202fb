// soft-sampling/lite for Deno (export condition `deno`): `import source` hands over the compiled
// WebAssembly.Module, so the lean wasm is active at import time, without permissions.
import source wasm from './soft_sampling_lite.wasm';
import { initWasmSync } from './lite.mjs';

initWasmSync(wasm);
export * from './lite.mjs';
