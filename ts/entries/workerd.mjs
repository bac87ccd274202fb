// soft-sampling for Cloudflare Workers (export condition `workerd`): wrangler's default module rules
// turn this import into a compiled WebAssembly.Module, so the wasm backend is active at import time.
import wasm from './soft_sampling.wasm';
import { initWasmSync } from './edge-wasm.mjs';

initWasmSync(wasm);
export * from './edge-wasm.mjs';
