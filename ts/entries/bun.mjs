// soft-sampling for Bun (export condition `bun`): Bun imports a .wasm file as its path, so read the
// module beside this file; the wasm backend is active at import time.
import { readFileSync } from 'node:fs';
import { initWasmSync } from './edge-wasm.mjs';

initWasmSync(readFileSync(new URL('./soft_sampling.wasm', import.meta.url)));
export * from './edge-wasm.mjs';
