/** Jest stand-in for ts/backends/wasm/beside.ts (CommonJS has no import.meta): the built wasm. */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const wasmBesideEntry = (): URL => pathToFileURL(join(__dirname, '..', '..', 'artifacts', 'soft_sampling.wasm'));
