// GHM-C forward+backward on 100k×80 logits (RetinaNet-sized level batch) and smooth L1 / GHM-R on
// 100k×4 deltas, on every backend in one run; throughput in elements per second and the ratios
// against the pure-TS backend (targets, issue 3 §7: native ≥ 10×, wasm ≥ 4×).
// Run after `npm run build`: node bench/ghm.mjs [--quick]
import { ghmcLoss, ghmrLoss, smoothL1Loss, useBackend, backendInfo } from '../dist/index.mjs';
import { ghmInputs } from '../packages/cli/dist/bench-cases.mjs';
import { runSuite, ratios } from './lib.mjs';

const quick = process.argv.includes('--quick');
const N = quick ? 10_000 : 100_000;
const C = 80;

// logits around the RetinaNet prior (b = −4.6) with spread; ~1% positives, ~5% ignored anchors (the inputs of `soft-sampling bench`)
const { logits, labels, labelWeights, deltas, zeros } = ghmInputs(N, C);

const x = { data: logits, shape: [N, C] };
const p = { data: deltas, shape: [N, 4] };
const t = { data: zeros, shape: [N, 4] };
const state = { bins: 30, accSum: new Array(30).fill(1000), steps: 10 };

const cases = [];
for (const b of ['native', 'wasm', 'ts']) {
  const use = () => useBackend(b);
  cases.push({ name: `ghmc ${b}`, backend: b, units: N * C, setup: use, fn: () => ghmcLoss(x, labels, { labelWeights, bins: 30, momentum: 0.75, state }) });
}
// the same call with the four N·C outputs reused across calls (options.out), as a training loop would
const out = { lossElements: new Float32Array(N * C), grad: new Float32Array(N * C), weights: new Float32Array(N * C), g: new Float32Array(N * C) };
for (const b of ['native', 'wasm', 'ts']) {
  const use = () => useBackend(b);
  cases.push({ name: `ghmc reused outputs ${b}`, backend: b, units: N * C, setup: use, fn: () => ghmcLoss(x, labels, { labelWeights, bins: 30, momentum: 0.75, state, out }) });
}
for (const b of ['native', 'wasm', 'ts']) {
  const use = () => useBackend(b);
  cases.push({ name: `smoothL1 ${b}`, backend: b, units: N * 4, setup: use, fn: () => smoothL1Loss(p, t, { beta: 0.11 }) });
  cases.push({ name: `ghmr ${b}`, backend: b, units: N * 4, setup: use, fn: () => ghmrLoss(p, t, { momentum: 0.7 }) });
}

useBackend('native');
console.log(`native simd: ${backendInfo().simd}; N = ${N}, C = ${C}`);
const rows = await runSuite({ title: `GHM-C ${N}×${C} (forward + backward), GHM-R and smooth L1 ${N}×4`, unit: 'elements', cases, out: 'ghm', time: quick ? 500 : 2000 });
ratios(rows, [
  ['GHM-C native / ts', 'ghmc native', 'ghmc ts', 10],
  ['GHM-C wasm / ts', 'ghmc wasm', 'ghmc ts', 4],
  ['GHM-C reused outputs: native / ts', 'ghmc reused outputs native', 'ghmc reused outputs ts', 10],
  ['GHM-C reused outputs: wasm / ts', 'ghmc reused outputs wasm', 'ghmc reused outputs ts', 4],
  ['smooth L1 native / ts', 'smoothL1 native', 'smoothL1 ts'],
  ['smooth L1 wasm / ts', 'smoothL1 wasm', 'smoothL1 ts'],
  ['GHM-R native / ts', 'ghmr native', 'ghmr ts'],
  ['GHM-R wasm / ts', 'ghmr wasm', 'ghmr ts'],
]);
