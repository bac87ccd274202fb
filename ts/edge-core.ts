/**
 * The edge entries' common part (no backend but wasm registered): `initWasm`, `initWasmSync` and
 * every facade. `edge.ts` adds the pure-TypeScript backend (calls run on it until the wasm is
 * initialised); `edge-wasm.ts` is for the runtimes whose wrappers (`ts/entries/*.mjs`: workerd,
 * deno, bun) instantiate the wasm at import, where the TS backend would never run.
 * @internal
 */
import type { BackendInfo } from './registry';
import { initWasmWith, initWasmSyncWith } from './backends/wasm/init';
import { fetchPlatform, type WasmSource } from './backends/wasm/load';
import { wasmBesideEntry } from './backends/wasm/beside';

export * from './api';
export type { WasmSource } from './backends/wasm/load';

const platform = fetchPlatform(wasmBesideEntry);

/**
 * Instantiates the WebAssembly backend and makes it the active one (unless `useBackend('ts')`).
 *
 * `source`:
 * - omitted: `soft_sampling.wasm` beside this entry (`new URL('./soft_sampling.wasm', import.meta.url)`),
 *   with `fetch` (http(s); `file:` in Deno with read access and in Bun — Node's fetch cannot, use the
 *   Node entry `soft-sampling` there); webpack 5 and Vite emit the file and rewrite the URL on their own;
 * - a `WebAssembly.Module` (Workers' `import wasm from '….wasm'`, Deno's `import source`, Vite's `?init` is not one);
 * - the module bytes (`ArrayBuffer` or a typed array);
 * - a `Response` or a `Promise<Response>` (`fetch(url)`);
 * - a `URL` or a URL string (esbuild's `--loader:.wasm=file`, Vite's `?url`); a relative string is
 *   resolved against the page.
 *
 * Calling it again replaces the module. On failure the previously active backend stays active.
 * @returns the new {@link backendInfo}. Library infrastructure: no reference implementation.
 * @throws SoftSamplingError `E_BACKEND` (arg `source`) naming what was given and what is accepted:
 *   bytes that are not wasm, a non-2xx response, a failed fetch or read, a wasm module that is not
 *   this package's build (missing exports, or imports).
 */
export function initWasm(source?: WasmSource): Promise<BackendInfo> {
  return initWasmWith(source, platform);
}

/**
 * Synchronous {@link initWasm} for a compiled `WebAssembly.Module` (what Workers and Deno's
 * `import source` hand over at import time) or the module's bytes (compiled here — Workers refuse
 * that; pass the module there).
 * @returns the new {@link backendInfo}.
 * @throws SoftSamplingError `E_BACKEND` as {@link initWasm}; the active backend is kept.
 */
export function initWasmSync(source: WebAssembly.Module | BufferSource): BackendInfo {
  return initWasmSyncWith(source);
}
