// Evaluator benchmark: evaluateCoco / evaluateVoc on the bundled sets and on a synthetic set
// (seeded), every backend in one run (the backend only computes the IoUs; matching and
// accumulation are TypeScript). Ratios vs the ts backend. Run after `npm run build`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ss from '../dist/index.mjs';
import { runSuite, ratios, here } from './lib.mjs';
import { cocoSynthetic } from '../packages/cli/dist/bench-cases.mjs';

const data = (p) => JSON.parse(readFileSync(join(here, '..', 'data', p), 'utf8'));
const coco = [data('coco-val2014-100/instances_val2014_100.json'), data('coco-val2014-100/instances_val2014_fakebbox100_results.json')];
const cart = [data('cartucho-map-indoor85/coco/groundtruths_coco.json'), data('cartucho-map-indoor85/coco/detections_coco.json')];

// synthetic: 500 images, 1–15 gt boxes of 20 classes, 100 detections per image (half jittered gt), as in `soft-sampling bench`
const { gt: synGt, dets: synDets } = cocoSynthetic(500, 100, 1);
const syn = [synGt, synDets];

const backends = ss.backendInfo().available;
const cases = [];
for (const b of backends) {
  cases.push({ name: `evaluateCoco coco-val2014-100 (734 dets) [${b}]`, backend: b, units: 734, setup: () => ss.useBackend(b), fn: () => ss.evaluateCoco(coco[0], coco[1]) });
  cases.push({ name: `evaluateVoc cartucho (494 dets) [${b}]`, backend: b, units: 494, setup: () => ss.useBackend(b), fn: () => ss.evaluateVoc(cart[0], cart[1], { legacyOffset: true }) });
  cases.push({ name: `evaluateCoco synthetic (50k dets) [${b}]`, backend: b, units: 50000, setup: () => ss.useBackend(b), fn: () => ss.evaluateCoco(syn[0], syn[1]) });
}
const rows = await runSuite({ title: 'AP evaluator (COCO: pycocotools semantics; VOC all-point)', unit: 'detections', cases, out: 'eval', time: 2000 });
const spec = [];
for (const b of backends.filter((x) => x !== 'ts')) {
  spec.push([`COCO 734 dets: ${b} / ts`, `evaluateCoco coco-val2014-100 (734 dets) [${b}]`, 'evaluateCoco coco-val2014-100 (734 dets) [ts]']);
  spec.push([`VOC 494 dets: ${b} / ts`, `evaluateVoc cartucho (494 dets) [${b}]`, 'evaluateVoc cartucho (494 dets) [ts]']);
  spec.push([`COCO 50k dets: ${b} / ts`, `evaluateCoco synthetic (50k dets) [${b}]`, 'evaluateCoco synthetic (50k dets) [ts]']);
}
ratios(rows, spec);
