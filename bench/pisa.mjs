// PISA benchmark (issue 4): IoU-HLR + ISR-P for 10k positives over 100 gts (plus CARL on the same
// positives and ISR-N over 2000 negatives), on every backend in one run, ratios against the pure-TS backend printed and written to bench/results/pisa.json.
// Usage: node bench/pisa.mjs [--quick]
import * as ss from '../dist/index.mjs';
import { runSuite, ratios } from './lib.mjs';

const quick = process.argv.includes('--quick');
const n = quick ? 2_000 : 10_000;
const numGts = 100, numClasses = 20;

let s = 12345 >>> 0;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
// 100 gts with a class each; every positive is assigned to one gt, predicted and target boxes near it
const gtBoxes = [], gtLabel = [];
for (let g = 0; g < numGts; g++) {
  const x = rnd() * 900, y = rnd() * 700, w = 20 + rnd() * 200, h = 20 + rnd() * 200;
  gtBoxes.push([x, y, x + w, y + h]);
  gtLabel.push(Math.floor(rnd() * numClasses));
}
const labels = new Int32Array(n), gtInds = new Int32Array(n), imageIds = new Int32Array(n);
const pred = new Float32Array(4 * n), target = new Float32Array(4 * n), posLoss = new Float32Array(n);
for (let i = 0; i < n; i++) {
  const g = Math.floor(rnd() * numGts);
  labels[i] = gtLabel[g];
  gtInds[i] = g % 50; // two images of 50 gts each
  imageIds[i] = g < 50 ? 0 : 1;
  const b = gtBoxes[g], w = b[2] - b[0], h = b[3] - b[1];
  for (let k = 0; k < 4; k++) {
    target[4 * i + k] = b[k];
    pred[4 * i + k] = b[k] + (rnd() - 0.5) * 0.4 * (k % 2 ? h : w);
  }
  posLoss[i] = 0.01 + rnd() * 3;
}
const ious = ss.bboxOverlaps(pred, target, { aligned: true }).data;
const byIou = { labels, gtInds, imageIds, numGtsPerImage: [50, 50], ious };
const byBoxes = { labels, gtInds, imageIds, numGtsPerImage: [50, 50], predBoxes: pred, targetBoxes: target, posLoss };

// CARL on the same positives (softmax over 21 columns, class-agnostic deltas) and ISR-N over 2000
// negatives of one image (512-RoI R-CNN budget: 384 negatives)
const cls = new Float32Array(n * (numClasses + 1)).map(() => (rnd() - 0.5) * 8);
const dPred = new Float32Array(4 * n).map(() => rnd() - 0.5), dTgt = new Float32Array(4 * n).map(() => rnd() - 0.5);
const m = 2000;
const negScores = new Float32Array(m).map(() => rnd() * 0.4), negLoss = new Float32Array(m).map(() => rnd());
const negBoxes = new Float32Array(4 * m);
for (let j = 0; j < m; j++) {
  const x = rnd() * 600, y = rnd() * 400;
  negBoxes.set([x, y, x + 30 + rnd() * 100, y + 30 + rnd() * 100], 4 * j);
}

const cases = [];
for (const backend of ['native', 'wasm', 'ts']) {
  cases.push({ name: `iouHlr ${backend}`, backend, units: n, setup: () => ss.useBackend(backend), fn: () => ss.iouHlr(byIou) });
  cases.push({ name: `isrP (boxes → IoU → HLR → weights) ${backend}`, backend, units: n, setup: () => ss.useBackend(backend), fn: () => ss.isrP(byBoxes) });
  cases.push({ name: `carlLoss ${backend}`, backend, units: n, setup: () => ss.useBackend(backend), fn: () => ss.carlLoss({ data: cls, shape: [n, numClasses + 1] }, labels, dPred, dTgt) });
  cases.push({ name: `isrN 2000 negatives ${backend}`, backend, units: m, setup: () => ss.useBackend(backend), fn: () => ss.isrN({ scores: negScores, boxes: negBoxes, loss: negLoss }, { numExpected: 384, seed: 1 }) });
}
ss.useBackend('native');
const rows = await runSuite({ title: `PISA IoU-HLR + ISR-P, ${n} positives over ${numGts} gts, ${numClasses} classes (${ss.backendInfo().simd} native)`, unit: 'positives', cases, out: 'pisa' });
const r = ratios(rows, [
  ['iouHlr native / ts', 'iouHlr native', 'iouHlr ts'],
  ['iouHlr wasm / ts', 'iouHlr wasm', 'iouHlr ts'],
  ['isrP native / ts', 'isrP (boxes → IoU → HLR → weights) native', 'isrP (boxes → IoU → HLR → weights) ts'],
  ['isrP wasm / ts', 'isrP (boxes → IoU → HLR → weights) wasm', 'isrP (boxes → IoU → HLR → weights) ts'],
  ['carlLoss native / ts', 'carlLoss native', 'carlLoss ts'],
  ['carlLoss wasm / ts', 'carlLoss wasm', 'carlLoss ts'],
  ['isrN native / ts', 'isrN 2000 negatives native', 'isrN 2000 negatives ts'],
  ['isrN wasm / ts', 'isrN 2000 negatives wasm', 'isrN 2000 negatives ts'],
]);
import('node:fs').then(({ readFileSync, writeFileSync }) => {
  const file = new URL('./results/pisa.json', import.meta.url);
  const j = JSON.parse(readFileSync(file, 'utf8'));
  j.ratios = r;
  writeFileSync(file, JSON.stringify(j, null, 2));
});
ss.useBackend('auto');
