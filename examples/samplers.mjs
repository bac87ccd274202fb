// Hard samplers on an R-CNN-style assignment: random, OHEM, IoU-balanced negatives, SSD mining.
// Two conventions to watch: addGtAsProposals (default true) prepends the G gt boxes as candidates, so
// sampler indices are shifted by G; and the indices come back sorted (mmdetection's are in random order).
import assert from 'node:assert/strict';
import { maxIouAssign, randomSample, ohemSample, iouBalancedNegSample, hardNegativeMining } from 'soft-sampling';

const gt = [[10, 10, 50, 50], [60, 60, 100, 100]]; // G = 2
// 8 proposals (xyxy): some near the gts, the rest background
const proposals = [
  [12, 12, 50, 48], [0, 0, 20, 20], [58, 62, 100, 98], [30, 30, 70, 70],
  [80, 0, 120, 30], [0, 80, 30, 120], [15, 5, 55, 45], [100, 100, 128, 128],
];
// Faster R-CNN's RoI-head assigner: positives at IoU ≥ 0.5, negatives below 0.5.
const assign = maxIouAssign(proposals, gt, { posIouThr: 0.5, negIouThr: 0.5, minPosIou: 0.5, gtLabels: [0, 1] });
console.log('gtInds', assign.gtInds.toArray()); // −1 ignored, 0 negative, j + 1 positive for gt j

// Random sampling, 6 samples at 50 % positives, seeded: the same indices on every backend.
const s = randomSample(assign, { num: 6, posFraction: 0.5, seed: 42 });
console.log('candidates', s.numCandidates, '= numAddedGts', s.numAddedGts, '+ proposals', proposals.length);
console.log('posInds', s.posInds.toArray(), 'negInds', s.negInds.toArray()); // candidate indices, ascending
// A candidate index c is gt c when c < numAddedGts, else proposal c − numAddedGts:
const toProposal = (c) => (c < s.numAddedGts ? `gt ${c}` : `proposal ${c - s.numAddedGts}`);
console.log('positives are', Array.from(s.posInds.data, toProposal), '→ gts', s.posAssignedGtInds.toArray());
assert.ok(s.negInds.data.every((c) => c >= s.numAddedGts)); // gts are never negatives

// Without gt prepending, indices are proposal indices directly.
const plain = randomSample(assign, { num: 6, posFraction: 0.5, seed: 42, addGtAsProposals: false });
assert.equal(plain.numAddedGts, 0);
console.log('no gts added: posInds', plain.posInds.toArray(), 'negInds', plain.negInds.toArray());

// OHEM: the hardest candidates by a loss you computed, one per candidate (gts first, as above).
const losses = [0.01, 0.02, 0.3, 2.5, 0.1, 1.7, 0.9, 0.4, 0.05, 0.2];
const o = ohemSample(assign, losses, { num: 4, posFraction: 0.25 });
console.log('OHEM posInds', o.posInds.toArray(), 'negInds', o.negInds.toArray());

// IoU-balanced negatives (Libra R-CNN) need maxOverlaps — the maxIouAssign result has them.
const b = iouBalancedNegSample(assign, { num: 6, posFraction: 0.25, seed: 7, numBins: 3, floorThr: -1 });
console.log('IoU-balanced negInds', b.negInds.toArray());

// SSD hard negative mining over two images' anchors: labels in [0, C) positive, C background.
const C = 2;
const ssd = hardNegativeMining(
  [[0.2, 1.5, 0.1, 0.9, 2.2, 0.3], [0.4, 0.1, 0.2, 0.8, 0.05, 0.6]],
  [[0, C, C, C, C, C], [C, 1, C, C, C, C]],
  { numClasses: C, negPosRatio: 3 },
);
console.log('SSD: pos', ssd.posInds.toArray(), 'neg', ssd.negInds.toArray(), 'lossSum', ssd.lossSum.toFixed(3)); // flat indices into [N·P]
