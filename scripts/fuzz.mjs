#!/usr/bin/env node
// Differential fuzz of every compute op on the three backends (issue 10), for long runs:
//
//   npm run fuzz -- [--cases N] [--seed S] [--ops a,b] [--minutes M]
//
// N cases per op (default 10000). Prints per-op counts of mismatches (backends disagreeing beyond
// tolerance, or on the error), non-finite outputs and foreign errors (not SoftSamplingError, or
// E_PANIC), with up to five examples per op; exit 1 when any is non-zero. Runs the built package
// (dist/, `npm run build` first); the harness is test/fuzz/harness.ts, transpiled on the fly.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '20261130' },
    ops: { type: 'string', default: '' },
    minutes: { type: 'string', default: '' },
  },
});

const src = readFileSync(join(root, 'test/fuzz/harness.ts'), 'utf8');
const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
const dir = join(root, 'node_modules/.cache/soft-sampling-fuzz');
mkdirSync(dir, { recursive: true });
const file = join(dir, 'harness.mjs');
writeFileSync(file, js);
const { runFuzz, formatReport } = await import(pathToFileURL(file).href);
const lib = require(join(root, 'dist/index.cjs'));

const cases = Number(values.cases), seed = Number(values.seed);
const t0 = Date.now();
const deadline = values.minutes ? t0 + Number(values.minutes) * 60_000 : undefined;
console.log(`fuzz: ${cases} cases per op, seed ${seed}${deadline ? `, at most ${values.minutes} min` : ''}`);
const rep = runFuzz(lib, {
  cases, seed, deadline, ops: values.ops ? values.ops.split(',') : undefined, chunk: 500,
  onChunk: (done) => process.stderr.write(`\r  ${done}/${cases} per op, ${((Date.now() - t0) / 1000).toFixed(0)} s`),
});
process.stderr.write('\n');
console.log(formatReport(rep));
let bad = 0;
for (const [name, r] of Object.entries(rep)) {
  if (r.mismatches + r.nonFinite + r.foreign) {
    bad++;
    console.log(`\n${name}:`);
    for (const e of r.examples) console.log(`  ${e}`);
  }
}
console.log(`\nfuzz: ${((Date.now() - t0) / 1000).toFixed(1)} s; ${bad ? `${bad} op(s) with findings` : 'no findings'}`);
process.exit(bad ? 1 : 0);
