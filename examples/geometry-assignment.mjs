// Geometry and assignment: COCO boxes → xyxy, RetinaNet anchors, MaxIoU assignment, loss targets
// and regression deltas for one image.
import assert from 'node:assert/strict';
import {
  boxConvert, bboxOverlaps, gridAnchors, RETINANET_ANCHORS, maxIouAssign, assignTargets, bbox2delta, delta2bbox,
} from 'soft-sampling';

// Ground truth of a 64×64 image as COCO stores it: [x, y, w, h]. The library works in xyxy.
const gtXywh = [[8, 8, 24, 24], [36, 30, 20, 28]];
const gtLabels = [0, 2]; // class indices in [0, C) — here C = 3 classes
const gt = boxConvert(gtXywh, 'xywh', 'xyxy'); // Tensor [2, 4]
console.log('gt xyxy', gt.toArray()); // [[8, 8, 32, 32], [36, 30, 56, 58]]

// IoU between the two gt boxes and two probe boxes: [N, M] pairwise, or [N] with aligned.
const probes = [[8, 8, 32, 32], [0, 0, 16, 16]];
console.log('IoU [2, 2]', bboxOverlaps(gt, probes).toArray());
console.log('GIoU aligned [2]', bboxOverlaps(gt, probes, { aligned: true, mode: 'giou' }).toArray());

// RetinaNet anchors on two FPN levels (strides 8 and 16 → 8×8 and 4×4 feature maps), 9 per cell.
const { anchors, levels } = gridAnchors([[8, 8], [4, 4]], { ...RETINANET_ANCHORS, strides: [8, 16] });
console.log('anchors', anchors.shape, 'levels', levels.map((l) => `${l.featH}×${l.featW}: ${l.count}`));

// MaxIoU assignment (RetinaNet thresholds). gtInds: −1 ignored, 0 negative, j + 1 = positive for gt j.
const assign = maxIouAssign(anchors, gt, { posIouThr: 0.5, negIouThr: 0.4, minPosIou: 0, gtLabels });

// Loss targets: labels with background = numClasses, label weights (0 = ignored), avgFactor = max(#pos, 1).
const numClasses = 3;
const t = assignTargets(assign, { numClasses });
const labels = t.labels.data;
assert.equal(labels[t.negInds.data[0]], numClasses); // a negative is labelled C, not −1 or 0
console.log(`positives ${t.posInds.size}, negatives ${t.negInds.size}, ignored ${anchors.shape[0] - t.posInds.size - t.negInds.size}, avgFactor ${t.avgFactor}`);

// Regression targets of the positives: delta-xywh of each positive's gt w.r.t. its anchor.
const gtRows = gt.toArray(), anchorRows = anchors.toArray();
const posAnchors = Array.from(t.posInds.data, (i) => anchorRows[i]);
const posGt = Array.from(t.posGtInds.data, (j) => gtRows[j]);
const deltas = bbox2delta(posAnchors, posGt, { stds: [0.1, 0.1, 0.2, 0.2] });
const decoded = delta2bbox(posAnchors, deltas, { stds: [0.1, 0.1, 0.2, 0.2], maxShape: [64, 64] });
// decoding the targets gives the gt boxes back (float32 round trip)
decoded.toArray().forEach((b, q) => b.forEach((v, k) => assert.ok(Math.abs(v - posGt[q][k]) < 1e-3)));
console.log('first positive: anchor', posAnchors[0].map((v) => +v.toFixed(2)), '→ deltas', deltas.toArray()[0].map((v) => +v.toFixed(3)));
