// After tsup: put the wasm modules beside the entries (dist/soft_sampling.wasm beside the edge entry,
// dist/soft_sampling_lite.wasm beside soft-sampling/lite: what initWasm() loads by default and
// bundlers emit) and the per-runtime wrappers of both (ts/entries/*.mjs).
import { copyFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
copyFileSync(join(root, 'artifacts', 'soft_sampling.wasm'), join(root, 'dist', 'soft_sampling.wasm'));
copyFileSync(join(root, 'artifacts', 'soft_sampling_lite.wasm'), join(root, 'dist', 'soft_sampling_lite.wasm'));
for (const f of readdirSync(join(root, 'ts', 'entries'))) copyFileSync(join(root, 'ts', 'entries', f), join(root, 'dist', f));

// The CLI package (packages/cli) ships the bundled example its `analyze` runs without --gt/--dets:
// the COCO-format files of data/cartucho-map-indoor85 and their SOURCE.md (origin, licence).
import { cpSync, mkdirSync, rmSync } from 'node:fs';
const cliData = join(root, 'packages', 'cli', 'data', 'cartucho-map-indoor85');
rmSync(join(root, 'packages', 'cli', 'data'), { recursive: true, force: true });
mkdirSync(cliData, { recursive: true });
cpSync(join(root, 'data', 'cartucho-map-indoor85', 'coco'), join(cliData, 'coco'), { recursive: true });
copyFileSync(join(root, 'data', 'cartucho-map-indoor85', 'SOURCE.md'), join(cliData, 'SOURCE.md'));
