// Sigmoid focal loss forward + backward on 100k × 80 logits (RetinaNet-sized level batch), every
// backend in one run; elements/s and the ratios vs the pure-TS backend (targets: native ≥ 10×,
// wasm ≥ 4×). Run after `npm run build`: `node bench/focal.mjs` (env FOCAL_N / FOCAL_C to resize).
import { runSuite, ratios, machine } from './lib.mjs';
import { sigmoidFocalLoss, sigmoidCrossEntropy, softmaxFocalLoss, useBackend, backendInfo } from '../dist/index.mjs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { here } from './lib.mjs';
import { focalInputs } from '../packages/cli/dist/bench-cases.mjs';

const N = Number(process.env.FOCAL_N ?? 100_000);
const C = Number(process.env.FOCAL_C ?? 80);

// deterministic inputs (shared with `soft-sampling bench`): logits around the prior bias (−log 99 ≈ −4.6), ~1% positive anchors
const { logits, labels, numPos, labelWeights } = focalInputs(N, C);
const onehot = new Float32Array(N * C);
for (let i = 0; i < N; i++) if (labels[i] < C) onehot[i * C + labels[i]] = 1;
const x = { data: logits, shape: [N, C] };
const softmaxX = { data: logits.subarray(0, N * 10), shape: [N, 10] };
const softmaxLabels = Int32Array.from(labels, (l) => l % 10);

const backends = ['native', 'wasm', 'ts'];
// minimum samples per case: the TS backend needs ~1 s per call at full size
const it = (b) => (b === 'ts' ? 4 : 16);
const cases = [];
for (const b of backends) {
  cases.push({
    name: `focal labels ${b}`, backend: b, units: N * C, setup: () => useBackend(b), iterations: it(b),
    fn: () => sigmoidFocalLoss(x, labels, { labelWeights, avgFactor: numPos }),
  });
}
const reuse = { lossElements: new Float32Array(N * C), grad: new Float32Array(N * C) };
for (const b of backends) {
  cases.push({
    name: `focal labels, reused outputs ${b}`, backend: b, units: N * C, setup: () => useBackend(b), iterations: it(b),
    fn: () => sigmoidFocalLoss(x, labels, { labelWeights, avgFactor: numPos, out: reuse }),
  });
}
for (const b of backends) {
  cases.push({
    name: `focal one-hot ${b}`, backend: b, units: N * C, setup: () => useBackend(b), iterations: it(b),
    fn: () => sigmoidFocalLoss(x, { data: onehot, shape: [N, C] }, { avgFactor: numPos }),
  });
}
for (const b of backends) {
  cases.push({
    name: `BCE labels ${b}`, backend: b, units: N * C, setup: () => useBackend(b), iterations: it(b),
    fn: () => sigmoidCrossEntropy(x, labels, { labelWeights }),
  });
}
for (const b of backends) {
  cases.push({
    name: `softmax focal [N,10] ${b}`, backend: b, units: N * 10, setup: () => useBackend(b), iterations: it(b),
    fn: () => softmaxFocalLoss(softmaxX, softmaxLabels, {}),
  });
}

useBackend('native');
console.log(`sigmoid focal loss, forward + backward, N = ${N}, C = ${C}; native SIMD level: ${backendInfo().simd}`);
const rows = await runSuite({ title: `Focal-family losses, forward + backward (${N} × ${C})`, unit: 'elements', cases, out: 'focal' });
const r = ratios(rows, [
  ['focal labels: native / ts', 'focal labels native', 'focal labels ts', 10],
  ['focal labels: wasm / ts', 'focal labels wasm', 'focal labels ts', 4],
  ['focal labels, reused outputs: native / ts', 'focal labels, reused outputs native', 'focal labels, reused outputs ts', 10],
  ['focal labels, reused outputs: wasm / ts', 'focal labels, reused outputs wasm', 'focal labels, reused outputs ts', 4],
  ['focal one-hot: native / ts', 'focal one-hot native', 'focal one-hot ts', 10],
  ['focal one-hot: wasm / ts', 'focal one-hot wasm', 'focal one-hot ts', 4],
  ['BCE: native / ts', 'BCE labels native', 'BCE labels ts'],
  ['BCE: wasm / ts', 'BCE labels wasm', 'BCE labels ts'],
  ['softmax focal: native / ts', 'softmax focal [N,10] native', 'softmax focal [N,10] ts'],
  ['softmax focal: wasm / ts', 'softmax focal [N,10] wasm', 'softmax focal [N,10] ts'],
]);
writeFileSync(join(here, 'results', 'focal-ratios.json'), JSON.stringify({ date: new Date().toISOString(), machine: machine(), N, C, ratios: r }, null, 2));
useBackend('auto');
