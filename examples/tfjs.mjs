// TensorFlow.js adapter: the library's losses as tfjs ops whose gradient is the library's analytic
// gradient. A linear classification head trained with focal loss, then GHM-C (stateful) on top.
// Needs `npm install @tensorflow/tfjs` (an optional peer dependency; nothing is imported until you pass tf).
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createTfLosses } from 'soft-sampling';

await tf.setBackend('cpu');
const L = createTfLosses(tf);

// 256 samples × 8 features, C = 3 classes, 90 % background (label C = 3), seeded data.
const N = 256, F = 8, C = 3;
let seed = 7;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const labels = Array.from({ length: N }, () => (rand() < 0.1 ? Math.floor(rand() * C) : C));
const features = tf.tensor2d(labels.flatMap((l) => Array.from({ length: F }, (_, f) => (f === l ? 2 : 0) + rand() - 0.5)), [N, F]);
const numPos = labels.filter((l) => l < C).length;
const avgFactor = Math.max(numPos, 1);

const W = tf.variable(tf.zeros([F, C]));
const b = tf.variable(tf.fill([C], -Math.log((1 - 0.01) / 0.01))); // RetinaNet prior π = 0.01
const opt = tf.train.sgd(0.5);
const logits = () => tf.add(tf.matMul(features, W), b);

const focal = () => L.sigmoidFocalLoss(logits(), labels, { avgFactor }); // labels: a plain array is fine
const first = focal().dataSync()[0];
for (let step = 0; step < 30; step++) opt.minimize(focal);
const last = focal().dataSync()[0];
console.log(`focal loss ${first.toFixed(4)} → ${last.toFixed(4)} after 30 steps`);
assert.ok(last < first);

// GHM-C keeps its moving-average state inside the op (one per FPN level); .state is plain JSON.
const ghmc = L.ghmc({ bins: 30, momentum: 0.75 });
for (let step = 0; step < 5; step++) opt.minimize(() => ghmc(logits(), labels));
console.log('GHM-C state after 5 steps:', ghmc.state.steps, 'updates,', ghmc.state.accSum.filter((v) => v > 0).length, 'bins in use');
assert.equal(ghmc.state.steps, 5);

// tf.grad differentiates through the adapter ops like any other op (the gradient is the library's).
const g = tf.grad((x) => L.sigmoidCrossEntropy(x, labels, { avgFactor }))(logits());
console.log('dCE/dlogits shape', g.shape);
