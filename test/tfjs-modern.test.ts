/** The issue 14 losses in createTfLosses: value and gradient against tfjs autograd of the same formulas, on every backend. */
import * as tf from '@tensorflow/tfjs';
import { createTfLosses, ciouLoss } from '../ts/index';
import { forEachBackend, expectClose, expectError } from './helpers';

const L = createTfLosses(tf as any);
const X = [[0.3, -1.2, 2.5], [-0.7, 0.05, -3.1], [4.0, -2.2, 0.9], [-9.5, 7.5, 0.4]];
const SOFT = [[0.8, 0, 0], [0, 0, 0], [0, 0, 0.45], [0, 0.3, 0]];
const tol = { abs: 1e-6, rel: 1e-4 };

function compare(ours: (t: tf.Tensor) => tf.Scalar, ref: (t: tf.Tensor) => tf.Scalar, x: tf.Tensor): void {
  const a = tf.valueAndGrad(ours)(x);
  const b = tf.valueAndGrad(ref)(x);
  expectClose([a.value.dataSync()[0]], [b.value.dataSync()[0]], { abs: 1e-6, rel: 1e-5 }, 'loss');
  expectClose(a.grad.dataSync(), b.grad.dataSync(), tol, 'grad');
  expect(Array.from(b.grad.dataSync()).some((v) => Math.abs(v) > 1e-3)).toBe(true);
}

const bce = (x: tf.Tensor, y: tf.Tensor) => tf.sub(tf.softplus(x), tf.mul(x, y));

/** Box columns of an [N, 4] tensor. */
const cols = (b: tf.Tensor) => tf.split(b, 4, 1) as tf.Tensor[];

function tfBoxTerms(p: tf.Tensor, t: tf.Tensor, eps: number) {
  const [px1, py1, px2, py2] = cols(p);
  const [tx1, ty1, tx2, ty2] = cols(t);
  const iw = tf.relu(tf.sub(tf.minimum(px2, tx2), tf.maximum(px1, tx1)));
  const ih = tf.relu(tf.sub(tf.minimum(py2, ty2), tf.maximum(py1, ty1)));
  const inter = tf.mul(iw, ih);
  const ap = tf.mul(tf.sub(px2, px1), tf.sub(py2, py1));
  const at = tf.mul(tf.sub(tx2, tx1), tf.sub(ty2, ty1));
  const union = tf.add(tf.sub(tf.add(ap, at), inter), eps);
  const iou = tf.div(inter, union);
  const cw = tf.relu(tf.sub(tf.maximum(px2, tx2), tf.minimum(px1, tx1)));
  const ch = tf.relu(tf.sub(tf.maximum(py2, ty2), tf.minimum(py1, ty1)));
  const c2 = tf.add(tf.add(tf.square(cw), tf.square(ch)), eps);
  const rho2 = tf.div(tf.add(tf.square(tf.sub(tf.add(tx1, tx2), tf.add(px1, px2))), tf.square(tf.sub(tf.add(ty1, ty2), tf.add(py1, py2)))), 4);
  const v = tf.mul(4 / Math.PI ** 2, tf.square(tf.sub(tf.atan(tf.div(tf.sub(tx2, tx1), tf.add(tf.sub(ty2, ty1), eps))), tf.atan(tf.div(tf.sub(px2, px1), tf.add(tf.sub(py2, py1), eps))))));
  return { iou, rho2, c2, v, ew: cw, eh: ch, inter, ap, at };
}

const P = [[0, 0, 10, 12], [3, 2, 20, 15], [5, 5, 9, 30]];
const T = [[1, -1, 11, 13], [4, 1, 18, 17], [6, 4, 12, 25]];

forEachBackend(() => {
  test('qualityFocalLoss = tfjs autograd of |y − σ|^β BCE (modulating factor differentiated)', () => {
    const y = tf.tensor2d(SOFT);
    compare((t) => L.qualityFocalLoss(t, { labels: [0, 3, 2, 1], scores: [0.8, 0, 0.45, 0.3] }, { avgFactor: 2 }),
      (t) => tf.div(tf.sum(tf.mul(tf.square(tf.abs(tf.sub(y, tf.sigmoid(t)))), bce(t, y))), 2 + 2 ** -23) as tf.Scalar, tf.tensor2d(X));
  });

  test('varifocalLoss = tfjs autograd (negative weight α σ^γ kept in the graph)', () => {
    const q = tf.tensor2d(SOFT);
    const pos = tf.cast(tf.greater(q, 0), 'float32');
    compare((t) => L.varifocalLoss(t, SOFT),
      (t) => tf.mean(tf.mul(bce(t, q), tf.add(tf.mul(pos, q), tf.mul(tf.sub(1, pos), tf.mul(0.75, tf.square(tf.sigmoid(t))))))) as tf.Scalar, tf.tensor2d(X));
  });

  test('distributionFocalLoss = tfjs autograd of the two-bin cross-entropy', () => {
    const target = [0.4, 1.7, 0.05, 1.999];
    const w = tf.tensor2d(target.map((y) => [0, 1, 2].map((j) => (j === Math.floor(y) ? Math.floor(y) + 1 - y : j === Math.floor(y) + 1 ? y - Math.floor(y) : 0))));
    compare((t) => L.distributionFocalLoss(t, target, { reduction: 'sum' }), (t) => tf.neg(tf.sum(tf.mul(tf.logSoftmax(t), w))) as tf.Scalar, tf.tensor2d(X));
  });

  test('balancedL1Loss = tfjs autograd (β = 1 and β = 0.5)', () => {
    const tgt = tf.zeros([4, 3]);
    const x0 = tf.tensor2d(X.map((r) => r.map((v) => v / 3)));
    for (const beta of [1, 0.5]) {
      const mask = tf.less(tf.abs(x0), beta); // the branch, a constant of the graph
      const a = 0.5, g = 1.5, b = Math.exp(g / a) - 1;
      compare((t) => L.balancedL1Loss(t, tgt, { beta }), (t) => {
        const x = tf.abs(tf.sub(t, tgt));
        const inside = tf.sub(tf.mul(a / b, tf.mul(tf.add(tf.mul(b, x), 1), tf.log1p(tf.mul(b / beta, x)))), tf.mul(a, x));
        const outside = tf.add(tf.mul(g, x), g / b - a * beta);
        return tf.mean(tf.where(mask, inside, outside)) as tf.Scalar;
      }, x0);
    }
  });

  test('IoU / GIoU / DIoU / CIoU = tfjs autograd w.r.t. the predicted boxes', () => {
    const tt = tf.tensor2d(T);
    const x = tf.tensor2d(P);
    compare((t) => L.iouLoss(t, T, { mode: 'log' }), (t) => tf.mean(tf.neg(tf.log(tfBoxTerms(t, tt, 0).iou))) as tf.Scalar, x);
    compare((t) => L.giouLoss(t, T), (t) => {
      const b = tfBoxTerms(t, tt, 0);
      const u = tf.sub(tf.add(b.ap, b.at), b.inter);
      const e = tf.mul(b.ew, b.eh);
      return tf.mean(tf.sub(1, tf.sub(b.iou, tf.div(tf.sub(e, u), e)))) as tf.Scalar;
    }, x);
    compare((t) => L.diouLoss(t, T), (t) => {
      const b = tfBoxTerms(t, tt, 1e-6);
      return tf.mean(tf.add(tf.sub(1, b.iou), tf.div(b.rho2, b.c2))) as tf.Scalar;
    }, x);
    const alpha = tf.tensor2d(Array.from(ciouLoss(P, T).ciouAlpha!.data), [3, 1]); // a constant, as in mmdet
    compare((t) => L.ciouLoss(t, T), (t) => {
      const b = tfBoxTerms(t, tt, 1e-6);
      return tf.mean(tf.sub(1, tf.sub(b.iou, tf.add(tf.div(b.rho2, b.c2), tf.mul(alpha, b.v))))) as tf.Scalar;
    }, x);
  });

  test('equalizedFocal keeps its state and matches tfjs autograd of the per-class focal form', () => {
    const efl = L.equalizedFocal({ reduction: 'sum' });
    const y = tf.tensor2d(SOFT.map((r) => r.map((v) => (v > 0 ? 1 : 0))));
    const x = tf.tensor2d(X);
    tf.valueAndGrad((t: tf.Tensor) => efl(t, y))(x).grad.dataSync();
    const g = efl.state!.posNeg;
    expect(g.some((v) => v < 1)).toBe(true);
    const gammas = tf.tensor1d(g.map((v) => 2 + 8 * (1 - v)));
    compare((t) => efl(t, y), (t) => {
      const p = tf.sigmoid(t);
      const pt = tf.add(tf.mul(p, y), tf.mul(tf.sub(1, p), tf.sub(1, y)));
      const at = tf.add(tf.mul(0.25, y), tf.mul(0.75, tf.sub(1, y)));
      return tf.sum(tf.mul(tf.mul(tf.mul(at, tf.div(gammas, 2)), tf.pow(tf.sub(1, pt), gammas)), bce(t, y))) as tf.Scalar;
    }, x);
  });

  test("reduction 'none' is refused", () => {
    expectError(() => L.varifocalLoss(tf.tensor2d(X), SOFT, { reduction: 'none' }), 'E_OPTION', 'options.reduction');
  });
});
