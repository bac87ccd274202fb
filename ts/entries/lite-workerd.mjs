// soft-sampling/lite for Cloudflare Workers (export condition `workerd`): wrangler's default module
// rules turn this import into a compiled WebAssembly.Module, so the lean wasm is active at import time.
import wasm from './soft_sampling_lite.wasm';
import { initWasmSync } from './lite.mjs';

initWasmSync(wasm);
export * from './lite.mjs';
