// MaxIoU assignment benchmark (issue 4): 100k anchors to 50 gts on every backend in one run, plus
// the samplers (random, OHEM, IoU-balanced) on the resulting assignment and SSD hard negative mining. Ratios are against the pure-TS backend.
// Usage: node bench/assign.mjs [--quick]   (needs `npm run build`)
import * as ss from '../dist/index.mjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSuite, ratios, here } from './lib.mjs';
// the inputs of `soft-sampling bench` (packages/cli/src/bench/cases.ts)
import { lcg, anchorBoxes as boxes } from '../packages/cli/dist/bench-cases.mjs';

const quick = process.argv.includes('--quick');

const P = quick ? 20_000 : 100_000;
const G = 50;
const anchors = boxes(P, 1, 16, 256);
const gts = boxes(G, 2, 24, 400);
const gtLabels = Int32Array.from({ length: G }, (_, j) => j % 80);
const ignore = boxes(3, 3, 50, 150);
const retina = { posIouThr: 0.5, negIouThr: 0.4, minPosIou: 0, gtLabels };
const tag = `${P / 1000}k×${G}`;

const cases = [];
for (const backend of ['native', 'wasm', 'ts']) {
  cases.push({ name: `assign ${tag} ${backend}`, backend, units: P, setup: () => ss.useBackend(backend), fn: () => ss.maxIouAssign(anchors, gts, retina) });
}
for (const backend of ['native', 'wasm', 'ts']) {
  cases.push({
    name: `assign ${tag} + 3 ignore boxes ${backend}`, backend, units: P, setup: () => ss.useBackend(backend),
    fn: () => ss.maxIouAssign(anchors, gts, { ...retina, gtIgnore: ignore, ignoreIofThr: 0.5 }),
  });
}
ss.useBackend('ts');
const assign = ss.maxIouAssign(anchors, gts, retina);
const losses = Float32Array.from({ length: G + P }, lcg(4));
let seed = 0;
for (const backend of ['native', 'wasm', 'ts']) {
  cases.push({ name: `randomSample 512 of ${tag} ${backend}`, backend, units: P, setup: () => ss.useBackend(backend), fn: () => ss.randomSample(assign, { num: 512, posFraction: 0.25, seed: seed++ }) });
}
for (const backend of ['native', 'wasm', 'ts']) {
  cases.push({ name: `ohemSample 512 of ${tag} ${backend}`, backend, units: P, setup: () => ss.useBackend(backend), fn: () => ss.ohemSample(assign, losses, { num: 512, posFraction: 0.25 }) });
}
for (const backend of ['native', 'wasm', 'ts']) {
  cases.push({ name: `iouBalancedNegSample 512 of ${tag} ${backend}`, backend, units: P, setup: () => ss.useBackend(backend), fn: () => ss.iouBalancedNegSample(assign, { num: 512, posFraction: 0.25, seed: seed++ }) });
}
// SSD300: 8732 anchors per image, a batch of 8 images, 81 classes (background 80)
const ssdN = 8, ssdP = 8732;
const ssdLoss = Float32Array.from({ length: ssdN * ssdP }, lcg(5));
const ssdRnd = lcg(6);
const ssdLabels = Int32Array.from({ length: ssdN * ssdP }, () => (ssdRnd() < 0.01 ? Math.floor(ssdRnd() * 80) : 80));
for (const backend of ['native', 'wasm', 'ts']) {
  cases.push({
    name: `hardNegativeMining SSD300 8×8732 ${backend}`, backend, units: ssdN * ssdP, setup: () => ss.useBackend(backend),
    fn: () => ss.hardNegativeMining({ data: ssdLoss, shape: [ssdN, ssdP] }, { data: ssdLabels, shape: [ssdN, ssdP] }, { numClasses: 80 }),
  });
}

const rows = await runSuite({ title: `MaxIoU assignment ${tag} (native ${(ss.useBackend('native'), ss.backendInfo().simd)})`, unit: 'anchors', cases, out: `assign-${P}x${G}` });
ss.useBackend('auto');
const specs = [];
for (const what of [`assign ${tag}`, `assign ${tag} + 3 ignore boxes`, `randomSample 512 of ${tag}`, `ohemSample 512 of ${tag}`, `iouBalancedNegSample 512 of ${tag}`, 'hardNegativeMining SSD300 8×8732']) {
  specs.push([`${what}: native / ts`, `${what} native`, `${what} ts`]);
  specs.push([`${what}: wasm / ts`, `${what} wasm`, `${what} ts`]);
}
const r = ratios(rows, specs);
// keep the ratios next to the rows in the results file
const file = join(here, 'results', `assign-${P}x${G}.json`);
const json = JSON.parse(readFileSync(file, 'utf8'));
json.ratios = r;
writeFileSync(file, JSON.stringify(json, null, 2));
console.log(`added ratios to ${file}`);
