// Evaluator benchmark: evaluateCoco / evaluateVoc on the bundled sets and on a synthetic set
// (seeded), every backend in one run (the backend only computes the IoUs; matching and
// accumulation are TypeScript). Ratios vs the ts backend. Run after `npm run build`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ss from '../dist/index.mjs';
import { runSuite, ratios, here } from './lib.mjs';

const data = (p) => JSON.parse(readFileSync(join(here, '..', 'data', p), 'utf8'));
const coco = [data('coco-val2014-100/instances_val2014_100.json'), data('coco-val2014-100/instances_val2014_fakebbox100_results.json')];
const cart = [data('cartucho-map-indoor85/coco/groundtruths_coco.json'), data('cartucho-map-indoor85/coco/detections_coco.json')];

// synthetic: 500 images, 1–15 gt boxes of 20 classes, 100 detections per image (half jittered gt)
function synthetic(seed = 1) {
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const images = [], annotations = [], dets = [];
  for (let i = 1; i <= 500; i++) {
    images.push({ id: i, width: 640, height: 480 });
    const gts = [];
    const n = 1 + Math.floor(rnd() * 15);
    for (let k = 0; k < n; k++) {
      const w = 10 + rnd() * 290, h = 10 + rnd() * 290, x = rnd() * (640 - w), y = rnd() * (480 - h), c = 1 + Math.floor(rnd() * 20);
      gts.push([x, y, w, h, c]);
      annotations.push({ id: annotations.length + 1, image_id: i, category_id: c, bbox: [x, y, w, h], iscrowd: 0 });
    }
    for (let k = 0; k < 100; k++) {
      if (rnd() < 0.5) {
        const [x, y, w, h, c] = gts[Math.floor(rnd() * gts.length)];
        const j = () => (rnd() - 0.5) * 0.2 * Math.max(w, h);
        dets.push({ image_id: i, category_id: c, bbox: [x + j(), y + j(), Math.max(1, w + j()), Math.max(1, h + j())], score: rnd() });
      } else {
        const w = 10 + rnd() * 190, h = 10 + rnd() * 190;
        dets.push({ image_id: i, category_id: 1 + Math.floor(rnd() * 20), bbox: [rnd() * (640 - w), rnd() * (480 - h), w, h], score: rnd() * 0.5 });
      }
    }
  }
  return [{ images, annotations, categories: Array.from({ length: 20 }, (_, i) => ({ id: i + 1, name: `c${i + 1}` })) }, dets];
}
const syn = synthetic();

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
