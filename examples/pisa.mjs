// PISA (Prime Sample Attention): IoU-HLR ranks, ISR-P weights for the positives, CARL, and ISR-N for
// the negatives of one image. Inputs are the positives' labels and 0-based gt indices — exactly what
// assignTargets returns as labels[posInds] and posGtInds.
import assert from 'node:assert/strict';
import { iouHlr, isrP, carlLoss, isrN } from 'soft-sampling';

// Five positives of one image: class, gt they match, IoU of their predicted box with that gt.
const labels = [0, 0, 0, 1, 1];
const gtInds = [0, 0, 1, 2, 2];
const ious = [0.9, 0.6, 0.75, 0.55, 0.8];

// IoU-HLR: rank within each gt by IoU, then across gts of the class by that local rank.
const hlr = iouHlr({ labels, gtInds, ious });
console.log('ranks', hlr.ranks.toArray(), 'importance', Array.from(hlr.importance.data, (v) => +v.toFixed(3)));

// ISR-P: weights (bias + (1 − bias)·u)^k, renormalised so Σ loss·w stays Σ loss.
const posLoss = [0.2, 0.9, 0.4, 1.1, 0.3]; // per-positive classification loss (reduction 'none', summed over classes)
const w = isrP({ labels, gtInds, ious, posLoss }, { k: 2, bias: 0 });
const sum = (a, b) => a.reduce((s, v, i) => s + v * b[i], 0);
assert.ok(Math.abs(sum(posLoss, w.weights.data) - sum(posLoss, [1, 1, 1, 1, 1])) < 1e-5);
console.log('ISR-P weights', Array.from(w.weights.data, (v) => +v.toFixed(3)), 'ratio', w.ratio.toFixed(3));

// Full-batch mode: give every row (background = numClasses) and get the whole labelWeights back,
// ready for sigmoidFocalLoss(…, { labelWeights }). Rows that are not positives keep their weight.
const C = 2;
const rowLabels = [0, C, 0, C, 0, 1, C, 1];
const rowGt = [0, -1, 0, -1, 1, 2, -1, 2]; // ignored for negatives
const rowIous = [0.9, 0, 0.6, 0, 0.75, 0.55, 0, 0.8];
const rowLoss = [0.2, 0.05, 0.9, 0.1, 0.4, 1.1, 0.02, 0.3];
const full = isrP({ labels: rowLabels, gtInds: rowGt, ious: rowIous, posLoss: rowLoss }, { numClasses: C });
console.log('labelWeights [N]', Array.from(full.labelWeights.data, (v) => +v.toFixed(3)));

// CARL: regression loss weighted by the classification score of the true class, with gradients
// into both the scores and the box deltas. Sigmoid head: clsScore [N, C].
const clsScore = [[2.0, -1.0], [0.5, -2.0], [-1.0, 1.5]];
const bboxPred = [[0.1, 0.0, 0.2, -0.1], [0.3, -0.2, 0.0, 0.1], [0.0, 0.1, -0.1, 0.0]];
const bboxTargets = [[0.0, 0.0, 0.1, 0.0], [0.1, 0.1, 0.1, 0.1], [0.0, 0.0, 0.0, 0.0]];
const carl = carlLoss(clsScore, [0, 0, 1], bboxPred, bboxTargets, { sigmoid: true, k: 1, bias: 0.2, beta: 0.11 });
console.log('CARL', carl.loss.toFixed(5), 'weights', Array.from(carl.weights.data, (v) => +v.toFixed(3)));
console.log('d/dclsScore', carl.gradClsScore.toArray().map((r) => r.map((v) => +v.toFixed(4))));

// ISR-N for the negatives of one image: scores (e.g. max foreground probability), their boxes, their loss.
const neg = isrN(
  { scores: [0.9, 0.85, 0.3, 0.02, 0.6, 0.01], boxes: [[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [40, 40, 50, 50], [60, 0, 70, 10], [0, 60, 10, 70]], loss: [2.3, 1.9, 0.4, 0.02, 0.9, 0.01] },
  { numExpected: 4, seed: 0 },
);
console.log('ISR-N picks', neg.indices.toArray(), 'weights', Array.from(neg.weights.data, (v) => +v.toFixed(3)), `(${neg.numHlr} by Score-HLR)`);
