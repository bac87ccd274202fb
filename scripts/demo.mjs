// Demo of the geometry ops on the bundled real data (data/cartucho-map-indoor85, COCO format):
// per image, the IoU matrix of real detections against hand-labelled gt, the delta encoding of
// each detection to its best gt (and back), and RetinaNet anchors over the image.
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ss from '../dist/index.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'data', 'cartucho-map-indoor85', 'coco');
const gt = JSON.parse(readFileSync(join(dir, 'groundtruths_coco.json'), 'utf8'));
const dets = JSON.parse(readFileSync(join(dir, 'detections_coco.json'), 'utf8'));

const byImage = new Map(gt.images.map((im) => [im.id, { gt: [], dets: [] }]));
for (const a of gt.annotations) byImage.get(a.image_id).gt.push(a.bbox);
for (const d of dets) byImage.get(d.image_id)?.dets.push(d.bbox);

const info = ss.backendInfo();
console.log(`backend: ${info.active} (${info.simd}); available: ${info.available.join(', ')}`);
let pairs = 0, matched = 0, nDets = 0, sumBest = 0, maxRoundTrip = 0, maxW = 0, maxH = 0;
for (const { gt: g, dets: d } of byImage.values()) {
  for (const b of g) { maxW = Math.max(maxW, b[0] + b[2]); maxH = Math.max(maxH, b[1] + b[3]); }
  if (!g.length || !d.length) continue;
  const gx = ss.boxConvert(g, 'xywh', 'xyxy');
  const dx = ss.boxConvert(d, 'xywh', 'xyxy');
  const iou = ss.bboxOverlaps(dx, gx);
  pairs += iou.size;
  const best = [];
  for (let i = 0; i < d.length; i++) {
    let bj = 0;
    for (let j = 1; j < g.length; j++) if (iou.get(i, j) > iou.get(i, bj)) bj = j;
    best.push(bj);
    sumBest += iou.get(i, bj);
    if (iou.get(i, bj) >= 0.5) matched++;
    nDets++;
  }
  const target = best.map((j) => Array.from(gx.data.subarray(4 * j, 4 * j + 4)));
  const deltas = ss.bbox2delta(dx, target, { stds: [0.1, 0.1, 0.2, 0.2] });
  const back = ss.delta2bbox(dx, deltas, { stds: [0.1, 0.1, 0.2, 0.2] });
  back.data.forEach((v, k) => { maxRoundTrip = Math.max(maxRoundTrip, Math.abs(v - target[Math.floor(k / 4)][k % 4])); });
}
console.log(`${byImage.size} images, ${gt.annotations.length} gt boxes, ${dets.length} detections, ${pairs} det×gt IoU pairs`);
console.log(`mean best IoU of a detection: ${(sumBest / nDets).toFixed(4)}; detections with IoU ≥ 0.5: ${matched}/${nDets}`);
console.log(`delta encode→decode round trip, max |error|: ${maxRoundTrip.toExponential(2)} px`);
const H = Math.ceil(maxH), W = Math.ceil(maxW);
const sizes = ss.RETINANET_ANCHORS.strides.map((s) => [Math.ceil(H / s), Math.ceil(W / s)]);
const { anchors } = ss.gridAnchors(sizes, ss.RETINANET_ANCHORS);
let covered = 0, total = 0;
for (const { gt: g } of byImage.values()) {
  if (!g.length) continue;
  const ov = ss.bboxOverlaps(ss.boxConvert(g, 'xywh', 'xyxy'), anchors);
  for (let j = 0; j < g.length; j++) {
    let m = 0;
    for (let a = 0; a < anchors.shape[0]; a++) m = Math.max(m, ov.get(j, a));
    if (m >= 0.5) covered++;
    total++;
  }
}
console.log(`RetinaNet anchors for a ${W}×${H} canvas: ${anchors.shape[0]}; gt boxes with an anchor at IoU ≥ 0.5: ${covered}/${total}`);
