/** Regression tests from an adversarial pass: huge sizes and out-of-float32-range options are typed errors on every backend. */
import * as tf from '@tensorflow/tfjs';
import {
  bboxOverlaps, gridAnchors, baseAnchors, randomSample, sigmoidFocalLoss, focalLossStar, asl1Loss, ghmrLoss, carlLoss,
  createTfLosses,
} from '../ts/index';
import { forEachBackend, expectError, expectClose } from './helpers';

forEachBackend(() => {
  test('requests for outputs beyond 1 GiB are E_VALUE naming the argument, not a crash', () => {
    expectError(() => gridAnchors([[1e9, 1]], { strides: [8], ratios: [1], scales: [1] }), 'E_VALUE', 'featmapSizes[0]');
    expectError(() => gridAnchors([[16384, 16384]], { strides: [8], ratios: [1], scales: [1] }), 'E_VALUE', 'featmapSizes[0]');
    expectError(() => gridAnchors([[2, 2]], { strides: [8], octaveBaseScale: 4, scalesPerOctave: 1e9 }), 'E_VALUE', 'options.scalesPerOctave');
    expectError(() => bboxOverlaps(new Float32Array(4 * 100000), new Float32Array(4 * 100000)), 'E_VALUE', 'boxes2');
    expectError(() => randomSample({ gtInds: [1, 0, 0, -1, 2, 0, 0, 0], numGts: 1e9 }, { num: 4, posFraction: 0.5, seed: 1 }), 'E_VALUE', 'assign.numGts');
  });

  test('holes and missing arguments are errors, not NaN anchors', () => {
    expectError(() => baseAnchors(undefined as any, [1], [1]), 'E_TYPE', 'baseSize');
    // eslint-disable-next-line no-sparse-arrays
    expectError(() => baseAnchors(8, [1], [1, , 2] as any), 'E_VALUE', 'scales[1]');
  });

  test('options that float32 kernels cannot represent are refused', () => {
    const L = [[0.5, -1, 2], [3, 0, -2]];
    expectError(() => bboxOverlaps([[0, 0, 0, 0]], [[0, 0, 0, 0]], { eps: 1e-50 }), 'E_VALUE', 'options.eps');
    expectError(() => sigmoidFocalLoss(L, [1, 3], { gamma: 1e300 }), 'E_VALUE', 'options.gamma');
    expectError(() => focalLossStar(L, [1, 3], { gamma: 1e-300 }), 'E_VALUE', 'options.gamma');
    expectError(() => asl1Loss([[1, 2, 3, 4]], [[0, 0, 0, 0]], { mu: 1e300 }), 'E_VALUE', 'options.mu');
    expectError(() => ghmrLoss([[1, 2, 3, 4]], [[0, 0, 0, 0]], { mu: 1e-300 }), 'E_VALUE', 'options.mu');
    expectError(() => carlLoss([[1, 2, 0], [0.5, 0.5, 3]], [0, 1], [[0.1, 0, 0, 0], [0, 0, 0, 0]], [[0, 0, 0, 0], [0, 0, 0, 0]], { avgFactor: 1e-50 }), 'E_VALUE', 'options.avgFactor');
  });

  test('the tfjs adapter keeps each gradient even when the caller passes one reused out buffer', () => {
    const t = createTfLosses(tf as any);
    const x0 = tf.tensor2d([[0.5, -1, 2], [3, 0, -2]]);
    const b = new Float32Array(6);
    const shared = tf.grad((x: tf.Tensor) => tf.add(
      t.sigmoidFocalLoss(x, [1, 3], { out: { grad: b } }),
      t.sigmoidFocalLoss(tf.mul(x, 3), [0, 0], { out: { grad: b } })))(x0);
    const fresh = tf.grad((x: tf.Tensor) => tf.add(t.sigmoidFocalLoss(x, [1, 3]), t.sigmoidFocalLoss(tf.mul(x, 3), [0, 0])))(x0);
    expectClose(shared.dataSync(), fresh.dataSync(), { abs: 1e-7, rel: 1e-6 });
    expect(() => t.ghmc(null as any)).not.toThrow();
  });
});
