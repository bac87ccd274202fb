// The focal family: sigmoid focal loss on a RetinaNet-style head (labels with background = C,
// label weights from the assignment, avgFactor = max(#pos, 1)), α switched off, softmax focal loss.
import assert from 'node:assert/strict';
import { sigmoidFocalLoss, sigmoidCrossEntropy, softmaxFocalLoss, focalLossStar } from 'soft-sampling';

// 6 anchors × C = 3 classes of logits (raw scores, not probabilities).
const C = 3;
const logits = new Float32Array([
  2.0, -1.0, -3.0, //  anchor 0: positive, class 0
  -2.0, -2.5, 1.5, //  anchor 1: positive, class 2
  -4.0, -3.0, -5.0, // anchor 2: easy negative
  0.5, -1.0, -2.0, //  anchor 3: hard negative
  -3.0, -4.0, -3.5, // anchor 4: easy negative
  1.0, 1.0, 1.0, //    anchor 5: ignored (inside a crowd region)
]);
// Labels are class indices; background is C (= 3), NOT −1 or 0.
const labels = [0, 2, C, C, C, C];
const labelWeights = [1, 1, 1, 1, 1, 0]; // 0 = ignored
const numPos = labels.filter((l) => l < C).length;
const avgFactor = Math.max(numPos, 1); // RetinaNet normalises by the number of positives, never by 0

const x = { data: logits, shape: [6, C] };
const fl = sigmoidFocalLoss(x, labels, { labelWeights, avgFactor }); // α = 0.25, γ = 2
console.log('focal loss', fl.loss.toFixed(6), 'grad shape', fl.grad.shape);
assert.deepEqual(Array.from(fl.grad.data.subarray(15, 18)), [0, 0, 0]); // the ignored anchor gets no gradient

// Without avgFactor, 'mean' divides by all N·C = 18 elements (ignored ones included, as mmdetection).
const flMean = sigmoidFocalLoss(x, labels, { labelWeights });
console.log('mean over elements', flMean.loss.toFixed(6));

// avgFactor: 0 divides by 2^-23, not by 1 — always pass max(#pos, 1).
const zero = sigmoidFocalLoss(x, labels, { labelWeights, avgFactor: 0 });
assert.ok(zero.loss > 1e5 * fl.loss);

// alpha: null switches α-balancing off; alpha: 0 is a real α (positives weighted 0).
const noAlpha = sigmoidFocalLoss(x, labels, { labelWeights, avgFactor, alpha: null });
const ce = sigmoidCrossEntropy(x, labels, { labelWeights, avgFactor });
const gamma0 = sigmoidFocalLoss(x, labels, { labelWeights, avgFactor, alpha: null, gamma: 0 });
assert.ok(Math.abs(gamma0.loss - ce.loss) < 1e-5); // γ = 0 without α is cross-entropy
console.log('no α', noAlpha.loss.toFixed(6), 'CE', ce.loss.toFixed(6));

// FL* (paper appendix A): γ = 1, β = 0 is cross-entropy too; the paper's variant uses γ = 2, β = 1.
assert.ok(Math.abs(focalLossStar(x, labels, { labelWeights, avgFactor, gamma: 1, beta: 0 }).loss - ce.loss) < 1e-5);
console.log('FL*', focalLossStar(x, labels, { labelWeights, avgFactor, gamma: 2, beta: 1 }).loss.toFixed(6));

// Softmax focal loss: labels index the K columns, so a head with a background column has K = C + 1
// and background label C.
const withBg = { data: new Float32Array([3, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 4]), shape: [3, C + 1] };
const sfl = softmaxFocalLoss(withBg, [0, 2, C], { alpha: null, gamma: 2 });
console.log('softmax focal', sfl.loss.toFixed(6), 'per sample', Array.from(sfl.lossElements.data, (v) => +v.toFixed(5)));
