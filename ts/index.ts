/**
 * soft-sampling — Node.js entry (ESM and CommonJS). Backends: the napi-rs addon, then the
 * WebAssembly module read from disk, then pure TypeScript; force one with `useBackend()` or
 * `SOFT_SAMPLING_BACKEND=native|wasm|ts`. Native worker threads: `setThreads()` or
 * `SOFT_SAMPLING_THREADS=n` (default: the machine's available parallelism).
 *
 * Guides per method family: `docs/*.md` in the repository; conventions: boxes `xyxy` pixels,
 * background label = number of classes, `avgFactor = max(#pos, 1)`, errors are {@link SoftSamplingError}s.
 * @module soft-sampling
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { registerLoader, setEnvReader, setThreadsEnvReader, type BackendInfo } from './registry';
import { loadNative, loadWasmFromDisk, wasmPath } from './node/load';
import { initWasmWith, initWasmSyncWith } from './backends/wasm/init';
import { installWorkerPool } from './node/pool';
import { createTsBackend } from './backends/ts';
import type { WasmPlatform, WasmSource } from './backends/wasm/load';

registerLoader('native', loadNative);
registerLoader('wasm', loadWasmFromDisk);
registerLoader('ts', createTsBackend);
setEnvReader(() => process.env.SOFT_SAMPLING_BACKEND);
setThreadsEnvReader(() => process.env.SOFT_SAMPLING_THREADS);
// `<op>Async` of ops without a native AsyncTask: a worker-thread pool (started on first use)
installWorkerPool();

export * from './api';
export type { WasmSource } from './backends/wasm/load';

const platform: WasmPlatform = {
  defaultSource: () => pathToFileURL(wasmPath()),
  // required on first use (initWasm with a file URL), not with the entry: ~1.5 ms of a cold start
  readFile: (url) => (createRequire(__filename)('node:fs/promises') as typeof import('node:fs/promises')).readFile(url),
  resolveRelative: (s) => pathToFileURL(resolve(s)),
};

/**
 * Replaces the WebAssembly backend's module (Node already loads `artifacts/soft_sampling.wasm`, or
 * `SOFT_SAMPLING_WASM_PATH`, on its own: this is for another build or location). Automatic choice
 * still prefers the native addon; `useBackend('wasm')` selects this module.
 *
 * `source`: omitted (the packaged wasm, read from disk), a `WebAssembly.Module`, bytes, a `Response`
 * or `Promise<Response>`, a `URL` (`file:` is read from disk, http(s) fetched) or a string (an
 * absolute URL, else a file path relative to the working directory).
 * @returns the new {@link backendInfo}.
 * @throws SoftSamplingError `E_BACKEND` (arg `source`) naming what was given and what is accepted;
 *   the active backend is kept.
 */
export function initWasm(source?: WasmSource): Promise<BackendInfo> {
  return initWasmWith(source, platform);
}

/**
 * Synchronous {@link initWasm} for a compiled `WebAssembly.Module` or the module's bytes. Library
 * infrastructure: no reference implementation.
 * @throws SoftSamplingError `E_BACKEND` as {@link initWasm}; the active backend is kept.
 */
export function initWasmSync(source: WebAssembly.Module | BufferSource): BackendInfo {
  return initWasmSyncWith(source);
}
