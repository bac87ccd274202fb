// IoU matrix benchmark (issue 2): pairwise IoU at 100k×50 and 20k×2k on every backend, beside a
// scalar (non-SIMD) Rust build of the same kernel and a memcpy of the output's size, in one run.
// Usage: node bench/iou.mjs [--quick]   (builds the scalar baseline on first use)
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as ss from '../dist/index.mjs';
import { runSuite, ratios, here } from './lib.mjs';
// the inputs of `soft-sampling bench` (packages/cli/src/bench/cases.ts)
import { randomBoxes } from '../packages/cli/dist/bench-cases.mjs';

const quick = process.argv.includes('--quick');
ss.useBackend('native');
const nativeSimd = ss.backendInfo().simd;
const scalarPath = join(here, '.scalar', `soft_sampling.${process.platform}-${process.arch}-gnu.node`);
if (!existsSync(scalarPath)) execFileSync('bash', [join(here, '..', 'scripts', 'build-scalar.sh')], { stdio: 'inherit' });
const scalar = createRequire(import.meta.url)(scalarPath);


const sizes = quick ? [[10_000, 50], [2_000, 500]] : [[100_000, 50], [20_000, 2_000]];
const all = [];
const ratioRows = [];
for (const [n, m] of sizes) {
  const b1 = randomBoxes(n, 1), b2 = randomBoxes(m, 2);
  const pairs = n * m;
  const tag = `${n / 1000}k×${m >= 1000 ? `${m / 1000}k` : m}`;
  const src = new Float32Array(pairs).fill(0.5), dst = new Float32Array(pairs);
  const outBuf = new Float32Array(pairs);
  const cases = [];
  // main lines: the caller reuses one output buffer (`out` option), as a training loop would;
  // "fresh output" lines allocate the N×M result on every call (page faults on new memory included)
  for (const backend of ['native', 'wasm', 'ts']) {
    cases.push({ name: `${tag} ${backend}`, backend, units: pairs, setup: () => ss.useBackend(backend), fn: () => ss.bboxOverlaps(b1, b2, { out: outBuf }) });
  }
  for (const backend of ['native', 'wasm']) {
    cases.push({ name: `${tag} ${backend} (fresh output)`, backend, units: pairs, setup: () => ss.useBackend(backend), fn: () => ss.bboxOverlaps(b1, b2) });
  }
  cases.push({ name: `${tag} scalar Rust (napi, no SIMD)`, units: pairs, fn: () => scalar.bboxOverlaps(b1, b2, 0, false, 1e-6, 0, outBuf) });
  cases.push({ name: `${tag} memcpy of the output`, units: pairs, fn: () => dst.set(src) });
  const rows = await runSuite({ title: `IoU matrix ${n}×${m} (native: ${nativeSimd}; wasm: simd128; scalar build: ${scalar.simdLevel()})`, unit: 'pairs', cases, out: `iou-${n}x${m}` });
  ratioRows.push(...ratios(rows, [
    [`${tag} native / ts`, `${tag} native`, `${tag} ts`, 8],
    [`${tag} wasm / ts`, `${tag} wasm`, `${tag} ts`, 4],
    [`${tag} native SIMD / scalar Rust`, `${tag} native`, `${tag} scalar Rust (napi, no SIMD)`, 3],
    [`${tag} memcpy / native (how far from writing the output)`, `${tag} memcpy of the output`, `${tag} native`],
  ]));
  all.push(...rows);
}
ss.useBackend('auto');
