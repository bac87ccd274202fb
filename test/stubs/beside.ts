/**
 * Jest stand-in for ts/backends/wasm/beside.ts (CommonJS has no import.meta): the URL a test puts in
 * `globalThis.__SS_WASM_BESIDE__` (e.g. the wasm on a local http server), else artifacts/ as file:.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const wasmBesideEntry = (): URL =>
  new URL((globalThis as { __SS_WASM_BESIDE__?: string }).__SS_WASM_BESIDE__ ?? pathToFileURL(join(__dirname, '..', '..', 'artifacts', 'soft_sampling.wasm')).href);
