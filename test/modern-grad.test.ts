/**
 * Float64 finite-difference checks of every analytic gradient of the issue 14 losses (fast-check,
 * saturated logits included): the TS twins run in float64 when handed Float64Array buffers, the
 * central difference of their loss sum is compared with their gradient; then every backend's
 * float32 gradient is compared with that float64 reference.
 */
import fc from 'fast-check';
import { qualityFocalLoss as qflK, distributionFocalLoss as dflK } from '../ts/backends/ts/modern/qfl';
import { varifocalLoss as vflK } from '../ts/backends/ts/modern/vfl';
import { balancedL1Loss as bl1K } from '../ts/backends/ts/modern/balanced-l1';
import { pairLoss } from '../ts/backends/ts/modern/iou-loss';
import { equalizedFocalLoss as eflK } from '../ts/backends/ts/modern/efl';
import { qualityFocalLoss, varifocalLoss, distributionFocalLoss, balancedL1Loss, giouLoss, ciouLoss, diouLoss, iouLoss } from '../ts/index';
import { onEveryBackend } from './helpers';

const F = (a: number[]) => Float64Array.from(a);
const E = new Float64Array(0);

/** Checks d f / d x_k against `grad` for every k (central differences, float64). */
function fdCheck(f: (x: Float64Array) => number, x: Float64Array, grad: ArrayLike<number>, tol = 2e-5): void {
  for (let k = 0; k < x.length; k++) {
    const h = 1e-6 * Math.max(1, Math.abs(x[k]));
    const xp = x.slice(), xm = x.slice();
    xp[k] += h;
    xm[k] -= h;
    const fd = (f(xp) - f(xm)) / (2 * h);
    const ok = Math.abs(fd - grad[k]) <= tol * (1 + Math.abs(grad[k]));
    if (!ok) throw new Error(`coordinate ${k}: finite difference ${fd}, analytic ${grad[k]} (x = ${x[k]})`);
  }
}

/** A logit: mostly moderate, sometimes saturated (±30..±60). */
const logit = fc.oneof(
  { weight: 4, arbitrary: fc.double({ min: -8, max: 8, noNaN: true }) },
  { weight: 1, arbitrary: fc.double({ min: 30, max: 60, noNaN: true }).chain((v) => fc.constantFrom(v, -v)) },
);

test('QFL (logits and activated): analytic gradient = float64 finite differences', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.array(logit, { minLength: 12, maxLength: 12 }),
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
      fc.double({ min: 0.5, max: 3, noNaN: true }), fc.boolean(),
      (n, c, xs, labs, sc, beta, activated) => {
        const pred = F(xs.slice(0, n * c).map((v) => (activated ? 0.02 + 0.96 / (1 + Math.exp(-v / 4)) : v)));
        const labels = Int32Array.from(labs.slice(0, n));
        const scores = F(sc.slice(0, n));
        const o = { numClasses: c, beta, activated, scale: 1 };
        const run = (p: Float64Array) => {
          const out = { lossElements: new Float64Array(n), grad: new Float64Array(n * c), sum: new Float64Array(1) };
          qflK({ pred: p as never, labels, scores: scores as never, softTarget: E as never, weight: E as never }, o, out as never);
          return out;
        };
        // β < 1 has an infinite slope at σ = y: skip points within 1e-3 of it
        for (let i = 0; i < n * c; i++) {
          const y = labels[Math.floor(i / c)] === i % c ? scores[Math.floor(i / c)] : 0;
          const s = activated ? pred[i] : 1 / (1 + Math.exp(-pred[i]));
          if (Math.abs(s - y) < 1e-3) return;
        }
        fdCheck((p) => run(p).sum[0], pred, run(pred).grad);
      }),
    { numRuns: 200 },
  );
});

test('DFL: analytic gradient = float64 finite differences', () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: -6, max: 6, noNaN: true }), { minLength: 10, maxLength: 10 }), fc.double({ min: 0, max: 3.999, noNaN: true }), (z, t) => {
      const pred = F(z), target = F([t, (t + 1.37) % 4]);
      const run = (p: Float64Array) => {
        const out = { lossElements: new Float64Array(2), grad: new Float64Array(10), sum: new Float64Array(1) };
        dflK({ pred: p as never, target: target as never, weight: E as never }, { bins: 5, scale: 1 }, out as never);
        return out;
      };
      fdCheck((p) => run(p).sum[0], pred, run(pred).grad);
    }),
    { numRuns: 200 },
  );
});

test('VFL (iou-weighted or not, any γ): analytic gradient = float64 finite differences', () => {
  fc.assert(
    fc.property(fc.array(logit, { minLength: 6, maxLength: 6 }), fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0.05, max: 1, noNaN: true })), { minLength: 6, maxLength: 6 }),
      fc.double({ min: 0, max: 3, noNaN: true }), fc.boolean(), (xs, qs, gamma, iouWeighted) => {
        const pred = F(xs), target = F(qs);
        const run = (p: Float64Array) => {
          const out = { lossElements: new Float64Array(6), grad: new Float64Array(6), sum: new Float64Array(1) };
          vflK({ pred: p as never, target: target as never, weight: E as never }, { numClasses: 3, alpha: 0.75, gamma, iouWeighted, scale: 1 }, out as never);
          return out;
        };
        fdCheck((p) => run(p).sum[0], pred, run(pred).grad);
      }),
    { numRuns: 200 },
  );
});

test('Balanced L1 (β = 1 and β ≠ 1): analytic gradient = float64 finite differences', () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 4, maxLength: 4 }), fc.double({ min: 0.2, max: 2, noNaN: true }), (d, beta) => {
      if (d.some((v) => Math.abs(Math.abs(v) - beta) < 1e-3 || Math.abs(v) < 1e-3)) return;
      const pred = F(d), target = F([0, 0, 0, 0]);
      const run = (p: Float64Array) => {
        const out = { lossElements: new Float64Array(4), grad: new Float64Array(4), sum: new Float64Array(1) };
        bl1K({ pred: p as never, target: target as never, weight: E as never }, { alpha: 0.5, gamma: 1.5, beta, scale: 1 }, out as never);
        return out;
      };
      fdCheck((p) => run(p).sum[0], pred, run(pred).grad);
    }),
    { numRuns: 200 },
  );
});

test('EFL (any class state g): analytic gradient = float64 finite differences', () => {
  fc.assert(
    fc.property(fc.array(logit, { minLength: 6, maxLength: 6 }), fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }), (xs, ts, g) => {
        const pred = F(xs), target = F(ts.map(Number));
        const run = (p: Float64Array) => {
          const out = { lossElements: new Float64Array(6), grad: new Float64Array(6), sum: new Float64Array(1), posGradOut: new Float64Array(3), negGradOut: new Float64Array(3), posNegOut: new Float64Array(3) };
          eflK({ pred: p as never, target: target as never, weight: E as never, posGrad: F([0, 0, 0]), negGrad: F([0, 0, 0]), posNeg: F(g) },
            { numClasses: 3, gammaB: 2, scaleFactor: 8, alpha: 0.25, scale: 1, update: true }, out as never);
          return out;
        };
        fdCheck((p) => run(p).sum[0], pred, run(pred).grad);
      }),
    { numRuns: 200 },
  );
});

const box = fc.tuple(fc.double({ min: 0, max: 50, noNaN: true }), fc.double({ min: 0, max: 50, noNaN: true }), fc.double({ min: 1, max: 40, noNaN: true }), fc.double({ min: 1, max: 40, noNaN: true }))
  .map(([x, y, w, h]) => [x, y, x + w, y + h] as [number, number, number, number]);

test('IoU / GIoU / DIoU / CIoU: analytic gradient w.r.t. pred = float64 finite differences (CIoU α held constant)', () => {
  fc.assert(
    fc.property(box, box, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 }), (p, t, kind, mode) => {
      // stay away from non-differentiable points: coordinate ties, touching edges, clamps
      for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (Math.abs(p[i] - t[j]) < 1e-3) return;
      const r0 = pairLoss(p, t, kind, mode, 1e-6);
      if (kind === 3 && Math.abs(r0.iou - 0.5) < 1e-4) return;
      const f = (x: Float64Array) => {
        const r = pairLoss([x[0], x[1], x[2], x[3]], t, kind, mode, 1e-6);
        return kind === 3 ? r.loss - r.alpha * r.v + r0.alpha * r.v : r.loss;
      };
      fdCheck(f, F(p), r0.grad, 2e-6);
    }),
    { numRuns: 300 },
  );
});

test('every backend\'s float32 gradients agree with the float64 twins on random inputs', () => {
  fc.assert(
    fc.property(fc.array(logit, { minLength: 6, maxLength: 6 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 2 }), box, box, (xs, sc, p, t) => {
      const pred32 = Float32Array.from(xs);
      const pred = F(Array.from(pred32));
      const labels = Int32Array.from([0, 2]), scores32 = Float32Array.from(sc);
      const ref = { lossElements: new Float64Array(2), grad: new Float64Array(6), sum: new Float64Array(1) };
      qflK({ pred: pred as never, labels, scores: F(Array.from(scores32)) as never, softTarget: E as never, weight: E as never }, { numClasses: 3, beta: 2, activated: false, scale: 1 }, ref as never);
      const p32 = Array.from(Float32Array.from(p)), t32 = Array.from(Float32Array.from(t));
      const refBox = pairLoss(p32 as never, t32 as never, 1, 0, 1e-6);
      const got = onEveryBackend(() => ({
        q: qualityFocalLoss([Array.from(pred32.slice(0, 3)), Array.from(pred32.slice(3))], { labels, scores: scores32 }, { reduction: 'sum' }),
        g: giouLoss([p32], [t32], { reduction: 'sum' }),
      }));
      for (const r of Object.values(got)) {
        for (let k = 0; k < 6; k++) expect(Math.abs(r.q.grad.data[k] - ref.grad[k])).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(ref.grad[k]));
        expect(Math.abs(r.q.loss - ref.sum[0])).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(ref.sum[0]));
        for (let k = 0; k < 4; k++) expect(Math.abs(r.g.grad.data[k] - refBox.grad[k])).toBeLessThanOrEqual(1e-6 + 1e-4 * Math.abs(refBox.grad[k]));
      }
    }),
    { numRuns: 100 },
  );
  // the other losses: one call per backend, same numbers
  const pred = [[0.3, -1.2, 2.5], [4, -0.1, 0.7]];
  const all = onEveryBackend(() => [
    varifocalLoss(pred, [[0.4, 0, 0], [0, 0, 0.9]]).grad.data,
    distributionFocalLoss(pred, [0.4, 1.7]).grad.data,
    balancedL1Loss(pred, [[0, 0, 0], [1, 1, 1]]).grad.data,
    diouLoss([[0, 0, 10, 12]], [[2, 1, 13, 11]]).grad.data,
    ciouLoss([[0, 0, 10, 12]], [[2, 1, 13, 11]]).grad.data,
    iouLoss([[0, 0, 10, 12]], [[2, 1, 13, 11]]).grad.data,
  ]);
  for (const b of ['native', 'wasm'] as const) {
    all[b].forEach((g, i) => g.forEach((v, k) => expect(Math.abs(v - all.ts[i][k])).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(all.ts[i][k]))));
  }
});
