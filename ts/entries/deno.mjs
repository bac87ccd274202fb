// soft-sampling for Deno (export condition `deno`): `import source` hands over the compiled
// WebAssembly.Module (tested with Deno 2.9), so the wasm backend is active at import time, without
// permissions (module loading needs none).
import source wasm from './soft_sampling.wasm';
import { initWasmSync } from './edge-wasm.mjs';

initWasmSync(wasm);
export * from './edge-wasm.mjs';
