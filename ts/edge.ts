/**
 * soft-sampling — entry for edge runtimes and browsers (Cloudflare Workers, Deno, Bun, web pages,
 * bundlers). It imports no `node:` module and reads no environment variable: the backend is chosen
 * with `useBackend()`. Until the wasm module is initialised, calls run on the pure-TypeScript
 * backend; afterwards on WebAssembly (unless `useBackend('ts')`). The `workerd`, `deno` and `bun`
 * export conditions resolve to thin wrappers that initialise the wasm at import time and leave the
 * pure-TypeScript backend out (`useBackend('ts')` is an `E_BACKEND` error there).
 * Exports everything `soft-sampling` exports, plus {@link initWasm} and {@link initWasmSync}.
 * @module soft-sampling/edge
 */
import { registerLoader } from './registry';
import { createTsBackend } from './backends/ts';

registerLoader('ts', createTsBackend);

export * from './edge-core';
