// After tsup: put the wasm modules beside the entries (dist/soft_sampling.wasm beside the edge entry,
// dist/soft_sampling_lite.wasm beside soft-sampling/lite: what initWasm() loads by default and
// bundlers emit) and the per-runtime wrappers of both (ts/entries/*.mjs).
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
copyFileSync(join(root, 'artifacts', 'soft_sampling.wasm'), join(root, 'dist', 'soft_sampling.wasm'));
copyFileSync(join(root, 'artifacts', 'soft_sampling_lite.wasm'), join(root, 'dist', 'soft_sampling_lite.wasm'));
for (const f of readdirSync(join(root, 'ts', 'entries'))) copyFileSync(join(root, 'ts', 'entries', f), join(root, 'dist', f));

// soft-sampling/lite's types: its names re-exported from edge.d.mts, where they are declared once
// (the lite set is a subset of the edge entry's), plus its own initWasm / initWasmSync, whose TSDoc
// names the lean module — instead of a second copy of every declaration (~95 KB of the package).
{
  const litePath = join(root, 'dist', 'lite.d.mts');
  const gen = readFileSync(litePath, 'utf8');
  const lastExport = /\nexport \{([^}]*)\};\s*$/;
  const namesOf = (text, file) => {
    const m = lastExport.exec(text);
    if (!m) throw new Error(`dist-extras: no final export list in ${file}`);
    return m[1].split(',').map((n) => n.trim()).filter(Boolean);
  };
  const bare = (n) => n.replace(/^type /, '');
  const edgeNames = new Set(namesOf(readFileSync(join(root, 'dist', 'edge.d.mts'), 'utf8'), 'dist/edge.d.mts').map(bare));
  const own = ['initWasm', 'initWasmSync'];
  const reexported = namesOf(gen, 'dist/lite.d.mts').filter((n) => !own.includes(bare(n)));
  const missing = reexported.filter((n) => !edgeNames.has(bare(n)));
  if (missing.length) throw new Error(`dist-extras: soft-sampling/lite exports ${missing.join(', ')}, which edge.d.mts does not`);
  const at = gen.indexOf('declare function initWasm(');
  const start = gen.lastIndexOf('/**', at);
  const end = gen.indexOf('\nexport {', at);
  if (at < 0 || start < 0 || end < 0 || !gen.slice(start, end).includes('declare function initWasmSync(')) throw new Error('dist-extras: initWasm / initWasmSync not found in dist/lite.d.mts');
  writeFileSync(
    litePath,
    `/**\n * soft-sampling/lite: the lite ops (declared in edge.d.mts) over the lean wasm; see the README.\n * @module soft-sampling/lite\n */\n` +
      `import type { WasmSource, BackendInfo } from './edge.mjs';\n\n` +
      `export { ${reexported.join(', ')} } from './edge.mjs';\n\n` +
      gen.slice(start, end) +
      `\n\nexport { initWasm, initWasmSync };\n`,
  );
}

// The CLI package (packages/cli) ships the bundled example its `analyze` runs without --gt/--dets:
// the COCO-format files of data/cartucho-map-indoor85 and their SOURCE.md (origin, licence).
import { cpSync, mkdirSync, rmSync } from 'node:fs';
const cliData = join(root, 'packages', 'cli', 'data', 'cartucho-map-indoor85');
rmSync(join(root, 'packages', 'cli', 'data'), { recursive: true, force: true });
mkdirSync(cliData, { recursive: true });
cpSync(join(root, 'data', 'cartucho-map-indoor85', 'coco'), join(cliData, 'coco'), { recursive: true });
copyFileSync(join(root, 'data', 'cartucho-map-indoor85', 'SOURCE.md'), join(cliData, 'SOURCE.md'));
