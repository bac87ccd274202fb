// PISA benchmark (issue 4): IoU-HLR + ISR-P for 10k positives over 100 gts (plus CARL on the same
// positives and ISR-N over 2000 negatives), on every backend in one run, ratios against the pure-TS backend printed and written to bench/results/pisa.json.
// Usage: node bench/pisa.mjs [--quick]
import * as ss from '../dist/index.mjs';
import { runSuite, ratios } from './lib.mjs';
import { pisaInputs } from '../packages/cli/dist/bench-cases.mjs';

const quick = process.argv.includes('--quick');
const n = quick ? 2_000 : 10_000;
const numGts = 100, numClasses = 20;

// the inputs of `soft-sampling bench`: positives near their gts, per-positive losses, CARL's scores, ISR-N's negatives
const { labels, gtInds, imageIds, pred, target, posLoss, cls, dPred, dTgt, m, negScores, negBoxes, negLoss } = pisaInputs(n);
const ious = ss.bboxOverlaps(pred, target, { aligned: true }).data;
const byIou = { labels, gtInds, imageIds, numGtsPerImage: [50, 50], ious };
const byBoxes = { labels, gtInds, imageIds, numGtsPerImage: [50, 50], predBoxes: pred, targetBoxes: target, posLoss };

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
