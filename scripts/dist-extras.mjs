// After tsup: put the wasm beside the edge entry (dist/soft_sampling.wasm, which initWasm() loads by
// default and bundlers emit) and the per-runtime wrappers of the edge entry (ts/entries/*.mjs).
import { copyFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
copyFileSync(join(root, 'artifacts', 'soft_sampling.wasm'), join(root, 'dist', 'soft_sampling.wasm'));
for (const f of readdirSync(join(root, 'ts', 'entries'))) copyFileSync(join(root, 'ts', 'entries', f), join(root, 'dist', f));
