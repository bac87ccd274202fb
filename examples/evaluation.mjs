// Evaluation: COCO AP/AR (pycocotools semantics) and PASCAL-VOC AP on COCO-format inputs — boxes
// are COCO [x, y, w, h] pixels here, not xyxy — plus what a malformed input gives.
import assert from 'node:assert/strict';
import { evaluateCoco, evaluateVoc, cocoPerCategory, SoftSamplingError } from 'soft-sampling';

const gt = {
  images: [{ id: 1, width: 100, height: 100 }, { id: 2, width: 100, height: 100 }],
  categories: [{ id: 1, name: 'cat' }, { id: 2, name: 'dog' }],
  annotations: [
    { id: 1, image_id: 1, category_id: 1, bbox: [10, 10, 40, 40] },
    { id: 2, image_id: 1, category_id: 2, bbox: [55, 50, 40, 45] },
    { id: 3, image_id: 2, category_id: 1, bbox: [20, 30, 35, 35] },
  ],
};
const dets = [
  { image_id: 1, category_id: 1, bbox: [12, 11, 40, 38], score: 0.95 }, // good
  { image_id: 1, category_id: 2, bbox: [50, 50, 40, 40], score: 0.80 }, // IoU ≈ 0.6
  { image_id: 2, category_id: 1, bbox: [60, 60, 30, 30], score: 0.70 }, // false positive
  { image_id: 2, category_id: 1, bbox: [22, 28, 35, 36], score: 0.40 }, // late true positive
];

const coco = evaluateCoco(gt, dets);
console.log('COCO', Object.fromEntries(Object.entries(coco.stats).map(([k, v]) => [k, +v.toFixed(4)])));
console.log('per category', cocoPerCategory(coco).map((c) => `${c.categoryId}: AP ${c.AP.toFixed(3)}`));

const voc = evaluateVoc(gt, dets); // all-point AP at IoU 0.5
console.log('VOC mAP', voc.mAP.toFixed(4), voc.classes.map((c) => `${c.name} ${c.ap.toFixed(3)} (tp ${c.tp}, fp ${c.fp})`));
const voc07 = evaluateVoc(gt, dets, { interpolation: '11-point' });
console.log('VOC2007 11-point mAP', voc07.mAP.toFixed(4));
// Boxes stored as inclusive integer pixels (VOC devkit): add the +1 to widths and heights.
console.log('legacyOffset mAP', evaluateVoc(gt, dets, { legacyOffset: true }).mAP.toFixed(4));

// Bad input: a typed error naming the record and the field, never a crash or a NaN.
try {
  evaluateCoco(gt, [{ image_id: 3, category_id: 1, bbox: [0, 0, 1, 1], score: 0.5 }]);
  assert.fail('expected an error');
} catch (e) {
  assert.ok(e instanceof SoftSamplingError);
  console.log(e.code, e.arg, '—', e.message);
}
