/**
 * Jest stand-in for ts/backends/wasm/beside-lite.ts (CommonJS has no import.meta): the URL a test
 * puts in `globalThis.__SS_LITE_WASM_BESIDE__`, else artifacts/soft_sampling_lite.wasm as file:.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const wasmBesideEntry = (): URL =>
  new URL((globalThis as { __SS_LITE_WASM_BESIDE__?: string }).__SS_LITE_WASM_BESIDE__ ?? pathToFileURL(join(__dirname, '..', '..', 'artifacts', 'soft_sampling_lite.wasm')).href);
