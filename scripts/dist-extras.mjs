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

// The CLI package (packages/cli) ships the example data its README runs from the installed package:
// data/cartucho-map-indoor85 in its four formats (coco: what `analyze` runs without --gt/--dets;
// txt, voc, yolo: the --gt-format / --dets-format examples) and data/coco-val2014-100 (the official
// pycocotools printout), each with its SOURCE.md (origin, licence). Measured with `npm pack
// --dry-run`: 115 KB packed with coco only, 342 KB with these (the cartucho tests' expected/ and the
// 531 KB-packed dense-shapes .npz stay in the repository).
import { cpSync, mkdirSync, rmSync } from 'node:fs';
const cliData = join(root, 'packages', 'cli', 'data');
rmSync(cliData, { recursive: true, force: true });
const shipped = { 'cartucho-map-indoor85': ['coco', 'txt', 'voc', 'yolo', 'SOURCE.md'], 'coco-val2014-100': ['instances_val2014_100.json', 'instances_val2014_fakebbox100_results.json', 'expected_cocoeval_bbox.json', 'SOURCE.md'] };
for (const [set, parts] of Object.entries(shipped)) {
  mkdirSync(join(cliData, set), { recursive: true });
  for (const p of parts) cpSync(join(root, 'data', set, p), join(cliData, set, p), { recursive: true });
}
