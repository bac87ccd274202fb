// soft-sampling for Deno (export condition `deno`): `import source` hands over the compiled
// WebAssembly.Module (Deno ≥ 2.4), so the wasm backend is active at import time, without permissions.
import source wasm from './soft_sampling.wasm';
import { initWasmSync } from './edge.mjs';

initWasmSync(wasm);
export * from './edge.mjs';
