// soft-sampling/lite for Bun and Node (export conditions `bun`, `import`): both read the lean
// module beside this file from disk (Bun imports a .wasm file as its path; Node's fetch reads no
// file: URL); the wasm backend is active at import time.
import { readFileSync } from 'node:fs';
import { initWasmSync } from './lite.mjs';

initWasmSync(readFileSync(new URL('./soft_sampling_lite.wasm', import.meta.url)));
export * from './lite.mjs';
