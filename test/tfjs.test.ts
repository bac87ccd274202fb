/** TensorFlow.js adapter and onnxruntime-style interop, on every backend. */
import * as tf from '@tensorflow/tfjs';
import { createTfLosses, bboxOverlaps, sigmoidFocalLoss, carlLoss, ghmcLoss, ghmrLoss, useBackend } from '../ts/index';
import { toFloat32 } from '../ts/tensor';
import { forEachBackend, expectClose, expectError } from './helpers';

const L = createTfLosses(tf as any);
const logitsData = [[0.3, -1.2, 2.5], [-0.7, 0.05, -3.1], [4.0, -2.2, 0.9], [-9.5, 7.5, 0.0]];
const labels = [0, 3, 2, 1]; // background = 3

/** Focal loss written with plain tfjs ops, for tfjs autograd (reference-semantics §1.1). */
function tfFocal(x: tf.Tensor, y: tf.Tensor, alpha: number, gamma: number, avgFactor: number): tf.Scalar {
  const p = tf.sigmoid(x);
  const ce = tf.add(tf.sub(tf.relu(x), tf.mul(x, y)), tf.log1p(tf.exp(tf.neg(tf.abs(x)))));
  const pt = tf.add(tf.mul(p, y), tf.mul(tf.sub(1, p), tf.sub(1, y)));
  const at = tf.add(tf.mul(alpha, y), tf.mul(1 - alpha, tf.sub(1, y)));
  return tf.div(tf.sum(tf.mul(tf.mul(at, tf.pow(tf.sub(1, pt), gamma)), ce)), avgFactor) as tf.Scalar;
}

forEachBackend(() => {
  test('sigmoidFocalLoss through tf.customGrad matches tfjs autograd of the same formula', () => {
    const x = tf.tensor2d(logitsData);
    const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), 4).slice([0, 0], [4, 3]).toFloat();
    const ours = tf.valueAndGrad((t: tf.Tensor) => L.sigmoidFocalLoss(t, labels, { avgFactor: 2 }))(x);
    const ref = tf.valueAndGrad((t: tf.Tensor) => tfFocal(t, onehot, 0.25, 2, 2 + 2 ** -23))(x);
    expectClose([ours.value.dataSync()[0]], [ref.value.dataSync()[0]], { abs: 1e-6, rel: 1e-5 }, 'loss');
    expectClose(ours.grad.dataSync(), ref.grad.dataSync(), { abs: 1e-6, rel: 1e-4 }, 'grad');
  });

  test('sigmoidCrossEntropy matches tf.losses.sigmoidCrossEntropy and its autograd', () => {
    const x = tf.tensor2d(logitsData);
    const y = tf.tensor2d([[1, 0, 0], [0, 0, 0], [0, 0, 1], [0, 1, 0]]);
    const ours = tf.valueAndGrad((t: tf.Tensor) => L.sigmoidCrossEntropy(t, y, { reduction: 'mean' }))(x);
    const ref = tf.valueAndGrad((t: tf.Tensor) => tf.losses.sigmoidCrossEntropy(y, t, undefined, 0, tf.Reduction.MEAN) as tf.Scalar)(x);
    expectClose([ours.value.dataSync()[0]], [ref.value.dataSync()[0]], { abs: 1e-6, rel: 1e-5 }, 'loss');
    expectClose(ours.grad.dataSync(), ref.grad.dataSync(), { abs: 1e-6, rel: 1e-4 }, 'grad');
  });

  test('the adapter passes the library gradient through unchanged (and scales by dy)', () => {
    const x = tf.tensor2d(logitsData);
    const lib = sigmoidFocalLoss(logitsData, labels, { reduction: 'sum' });
    const g = tf.grad((t: tf.Tensor) => tf.mul(L.sigmoidFocalLoss(t, labels, { reduction: 'sum' }), 3))(x);
    expectClose(g.dataSync(), Array.from(lib.grad.data).map((v) => 3 * v), { abs: 1e-6, rel: 1e-6 });
  });

  test('carlLoss gives gradients for both the scores and the box deltas', () => {
    const cls = tf.tensor2d([[2.0, -1.0], [0.0, 0.5], [-1.0, 1.5]]);
    const box = tf.tensor2d([[0.1, -0.2, 0.05, 0.3], [0.0, 0.0, 0.0, 0.0], [1.0, 0.2, -0.4, 0.1]]);
    const tgt = [[0, 0, 0, 0], [0.2, 0.1, -0.1, 0.0], [0.5, 0.0, 0.0, 0.0]];
    const lab = [0, 2, 1];
    const lib = carlLoss(cls.arraySync() as number[][], lab, box.arraySync() as number[][], tgt, { sigmoid: true, beta: 0.11 });
    const vc = tf.variable(cls), vb = tf.variable(box);
    const { value, grads } = tf.variableGrads(() => L.carlLoss(vc, lab, vb, tgt, { sigmoid: true, beta: 0.11 }), [vc, vb]);
    expect(value.dataSync()[0]).toBeCloseTo(lib.loss, 6);
    expectClose(grads[vc.name].dataSync(), lib.gradClsScore.data, { abs: 1e-7, rel: 1e-6 }, 'variable dcls');
    vc.dispose();
    vb.dispose();
    const gc = tf.grads((c: tf.Tensor, b: tf.Tensor) => L.carlLoss(c, lab, b, tgt, { sigmoid: true, beta: 0.11 }))([cls, box]);
    expectClose(gc[0].dataSync(), lib.gradClsScore.data, { abs: 1e-7, rel: 1e-6 }, 'dcls');
    expectClose(gc[1].dataSync(), lib.gradBboxPred.data, { abs: 1e-7, rel: 1e-6 }, 'dbox');
  });

  test('a tiny tfjs model trains with focal loss through the adapter (loss goes down)', () => {
    tf.setBackend('cpu');
    const xs = tf.randomNormal([64, 5], 0, 1, 'float32', 7);
    const w0 = tf.tensor2d([[1.5], [-2], [0.5], [0], [1]]);
    const ys = tf.greater(tf.matMul(xs, w0), 1.2).toFloat(); // ~13 % positives
    const w = tf.variable(tf.zeros([5, 1]));
    const b = tf.variable(tf.scalar(-2));
    const opt = tf.train.adam(0.1);
    const loss = () => L.sigmoidFocalLoss(tf.add(tf.matMul(xs, w), b), ys, { reduction: 'mean' }) as tf.Scalar;
    const first = loss().dataSync()[0];
    for (let i = 0; i < 60; i++) opt.minimize(loss);
    const last = loss().dataSync()[0];
    expect(last).toBeLessThan(first * 0.5);
  });

  test("reduction 'none' is refused by the adapter", () => {
    expectError(() => L.sigmoidFocalLoss(tf.tensor2d(logitsData), labels, { reduction: 'none' }), 'E_OPTION', 'options.reduction');
  });

  test('onnxruntime-style tensors ({data, dims, type}) are accepted', () => {
    const boxes = { data: new Float32Array([0, 0, 10, 10, 5, 5, 15, 15]), dims: [2, 4], type: 'float32' };
    const r = bboxOverlaps(boxes, boxes);
    expectClose(r.data, [1, 0.1428571, 0.1428571, 1], { abs: 1e-6, rel: 0 });
  });
});

test('onnxruntime tensors of float32 are read without a copy', () => {
  const t = { data: new Float32Array([0, 0, 10, 10]), dims: [1, 4], type: 'float32' };
  expect(toFloat32('boxes', t).data).toBe(t.data);
  const f64 = { data: new Float64Array([0, 0, 10, 10]), dims: [1, 4], type: 'float64' };
  expect(Array.from(toFloat32('boxes', f64).data)).toEqual([0, 0, 10, 10]);
  expectError(() => createTfLosses({} as any), 'E_TYPE', 'tf');
});

describe('stateful GHM through the adapter', () => {
  afterAll(() => useBackend('auto'));
  test.each(['native', 'wasm', 'ts'] as const)('GHM-C keeps its EMA state across calls and matches the library (%s)', (name) => {
    useBackend(name);
    const x = tf.tensor2d(logitsData);
    const ghmc = L.ghmc({ bins: 10, momentum: 0.75 });
    const g1 = tf.grad((t: tf.Tensor) => ghmc(t, labels))(x);
    const s1 = ghmc.state!;
    expect(s1.steps).toBe(1);
    const lib1 = ghmcLoss(logitsData, labels, { bins: 10, momentum: 0.75 });
    expectClose(g1.dataSync(), lib1.grad.data, { abs: 1e-7, rel: 1e-6 }, 'step 1 grad');
    const v2 = ghmc(x, labels).dataSync()[0];
    const lib2 = ghmcLoss(logitsData, labels, { bins: 10, momentum: 0.75, state: lib1.state });
    expect(v2).toBeCloseTo(lib2.loss, 6);
    expect(ghmc.state).toEqual(lib2.state);
    const ghmr = L.ghmr({ mu: 0.02 });
    const d = tf.tensor2d([[0, 0.01, 1, 100]]);
    const lr = ghmrLoss([[0, 0.01, 1, 100]], [[0, 0, 0, 0]], { mu: 0.02 });
    expect(ghmr(d, [[0, 0, 0, 0]]).dataSync()[0]).toBeCloseTo(lr.loss, 4);
  });
});
