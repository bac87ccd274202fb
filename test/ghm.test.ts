/** GHM-C, GHM-R, smooth L1 and ASL1 on every backend: golden vectors, spec cases, gradients, state, bad input. */
import fc from 'fast-check';
import {
  ghmcLoss, ghmrLoss, smoothL1Loss, asl1Loss, createGhmState, type GhmState,
} from '../ts/index';
import { ghmKernels, ghmRTwin, regressionLoss, ghmEdges, GHMC_LAST_EDGE, GHMR_LAST_EDGE } from '../ts/backends/ts/ghm';
import { mulberry32 } from '../packages/cli/src/analyze/samples';
import { forEachBackend, onEveryBackend, vectors, expectClose, expectError, flat } from './helpers';

/** Deterministic pseudo-random numbers (mulberry32, the analysis' seeded PRNG). */
const rng = mulberry32;

const sig = (x: number) => 1 / (1 + Math.exp(-x));
const bufs = (n: number): [Float32Array, Float32Array, Float32Array, Float32Array] => [new Float32Array(n), new Float32Array(n), new Float32Array(n), new Float32Array(n)];

/** True when some g lies within `tol` of an interior bin edge (where f32 and f64 may bin differently). */
function nearEdge(g: ArrayLike<number>, bins: number, tol: number): boolean {
  for (let i = 0; i < g.length; i++) {
    const s = g[i] * bins;
    const k = Math.round(s);
    if (k > 0 && k < bins && Math.abs(s - k) < tol * bins) return true;
  }
  return false;
}

/** Random GHM-C batch with no g near an edge (so every backend bins identically). */
function ghmcBatch(seed: number, n: number, c: number, bins: number) {
  const r = rng(seed);
  const labels = Array.from({ length: n }, () => Math.floor(r() * (c + 1)));
  const lw = Array.from({ length: n }, () => (r() < 0.15 ? 0 : 1));
  const logits = Array.from({ length: n * c }, (_, i) => {
    const y = labels[Math.floor(i / c)] === i % c ? 1 : 0;
    for (;;) {
      const x = (r() - 0.5) * 12;
      if (!nearEdge([Math.abs(sig(x) - y)], bins, 1e-4)) return x;
    }
  });
  return { logits: { data: logits, shape: [n, c] }, labels, lw };
}

forEachBackend((backend) => {
  describe('ghmcLoss golden vectors', () => {
    for (const v of vectors('ghm_c')) {
      test(v.name, () => {
        let state: GhmState = { bins: v.params.bins, accSum: v.inputs.acc_sum_init, steps: 0 };
        v.inputs.steps.forEach((step: any, k: number) => {
          const labels = v.params.num_classes !== undefined;
          const r = ghmcLoss(
            { data: flat(step.pred), shape: v.shapes[`inputs.steps[${k}].pred`] },
            { data: flat(step.target), shape: v.shapes[`inputs.steps[${k}].target`] },
            {
              bins: v.params.bins, momentum: v.params.momentum, lossWeight: v.params.loss_weight, state,
              labelWeights: { data: flat(step.label_weight), shape: v.shapes[`inputs.steps[${k}].label_weight`] },
              targetType: labels ? 'labels' : 'onehot',
            },
          );
          const e = v.expected.steps[k];
          expectClose(r.loss, e.loss, v.tolerance, `${v.name} step ${k} loss`);
          expect(r.grad.shape).toEqual(v.shapes[`expected.steps[${k}].grad`]);
          expectClose(r.grad.data, e.grad, v.tolerance, `${v.name} step ${k} grad`);
          if (e.acc_sum) expectClose(r.state.accSum, e.acc_sum, v.tolerance, `${v.name} step ${k} acc_sum`);
          state = r.state;
        });
      });
    }
  });

  describe('ghmrLoss golden vectors', () => {
    for (const v of vectors('ghm_r')) {
      test(v.name, () => {
        let state: GhmState = { bins: v.params.bins, accSum: v.inputs.acc_sum_init, steps: 0 };
        v.inputs.steps.forEach((step: any, k: number) => {
          const shape = v.shapes[`inputs.steps[${k}].pred`];
          const r = ghmrLoss({ data: flat(step.pred), shape }, { data: flat(step.target), shape }, {
            mu: v.params.mu, bins: v.params.bins, momentum: v.params.momentum, lossWeight: v.params.loss_weight, state,
            labelWeights: { data: flat(step.label_weight), shape },
          });
          const e = v.expected.steps[k];
          expectClose(r.loss, e.loss, v.tolerance, `${v.name} step ${k} loss`);
          expectClose(r.grad.data, e.grad, v.tolerance, `${v.name} step ${k} grad`);
          if (e.acc_sum) expectClose(r.state.accSum, e.acc_sum, v.tolerance, `${v.name} step ${k} acc_sum`);
          state = r.state;
        });
      });
    }
  });

  describe('GHM-C spec cases (reference-semantics §2.4–2.5, issue 3 §6)', () => {
    // g = [0.05, 0.05, 0.55, 0.95] with targets 0
    const x = [[-2.944439], [-2.944439], [0.200671], [2.944439]];
    const y = [[0], [0], [0], [0]];

    test('m = 0: weights [2/3, 2/3, 4/3, 4/3], loss 1.2818444214, histogram, grad = w·σ(x)/tot', () => {
      const r = ghmcLoss(x, y);
      expectClose(r.loss, 1.2818444214, { abs: 1e-6, rel: 1e-5 });
      expectClose(r.weights.data, [2 / 3, 2 / 3, 4 / 3, 4 / 3], { abs: 1e-6, rel: 1e-6 });
      expectClose(r.g.data, [0.05, 0.05, 0.55, 0.95], { abs: 2e-7, rel: 1e-6 });
      expect(r.histogram.counts).toEqual([2, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
      expect(r.histogram.edges).toHaveLength(11);
      expect(r.histogram.edges[10]).toBe(Math.fround(1 + 1e-6));
      expect(r.tot).toBe(4);
      expect(r.nonEmptyBins).toBe(3);
      expectClose(r.grad.data, x.map(([v], i) => (r.weights.data[i] * sig(v)) / 4), { abs: 1e-7, rel: 1e-5 });
      expectClose(r.lossElements.data, x.map(([v], i) => r.weights.data[i] * Math.log1p(Math.exp(v))), { abs: 1e-7, rel: 1e-5 });
      expect(r.state).toEqual({ bins: 10, accSum: new Array(10).fill(0), steps: 0 });
    });

    test('momentum 0.9 on the first call: finite, 1/(1−m) = 10× too large (12.8184442139); biasCorrection removes it', () => {
      const r = ghmcLoss(x, y, { momentum: 0.9 });
      expect(Number.isFinite(r.loss)).toBe(true);
      expectClose(r.loss, 12.8184442139, { abs: 1e-6, rel: 1e-5 });
      expectClose(r.state.accSum, [0.2, 0, 0, 0, 0, 0.1, 0, 0, 0, 0.1], { abs: 1e-12, rel: 1e-9 });
      expect(r.state.steps).toBe(1);
      const rc = ghmcLoss(x, y, { momentum: 0.9, biasCorrection: true });
      expectClose(rc.loss, 1.2818444214, { abs: 1e-6, rel: 1e-5 });
      // m = 0.75 first call: 4×
      expectClose(ghmcLoss(x, y, { momentum: 0.75 }).loss, 5.1273776856, { abs: 1e-6, rel: 1e-5 });
      // bias-corrected second step with the same batch: the average is exactly the count again
      const r2 = ghmcLoss(x, y, { momentum: 0.9, biasCorrection: true, state: rc.state });
      expectClose(r2.loss, 1.2818444214, { abs: 1e-6, rel: 1e-5 });
      expect(r2.state.steps).toBe(2);
    });

    test("normalizer 'allBins' (paper): weights scaled by n/M", () => {
      const r = ghmcLoss(x, y, { normalizer: 'allBins' });
      expectClose(r.loss, (1.2818444214 * 3) / 10, { abs: 1e-6, rel: 1e-5 });
    });

    test('reductions: sum = mean·tot, none keeps elements, lossWeight scales loss and grad', () => {
      const m = ghmcLoss(x, y);
      const s = ghmcLoss(x, y, { reduction: 'sum', lossWeight: 2 });
      expectClose(s.loss, 2 * 4 * m.loss, { abs: 1e-6, rel: 1e-6 });
      expectClose(s.grad.data, Array.from(m.grad.data, (v) => v * 8), { abs: 1e-7, rel: 1e-6 });
      const n = ghmcLoss(x, y, { reduction: 'none' });
      expectClose(n.lossElements.data, m.lossElements.data, { abs: 0, rel: 0 });
    });

    test('every label ignored: loss 0, gradient 0, no NaN, state unchanged', () => {
      const st = { bins: 10, accSum: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], steps: 3 };
      const r = ghmcLoss(x, y, { labelWeights: [0, 0, 0, 0], momentum: 0.75, state: st });
      expect(r.loss).toBe(0);
      r.grad.data.forEach((v) => expect(v === 0).toBe(true));
      r.weights.data.forEach((v) => expect(v === 0).toBe(true));
      expect(r.state).toEqual(st);
      expect(r.histogram.counts.every((k) => k === 0)).toBe(true);
      const e = ghmcLoss({ data: [], shape: [0, 5] }, [] as number[], { targetType: 'labels' });
      expect(e.loss).toBe(0);
      expect(e.grad.shape).toEqual([0, 5]);
    });

    test('g == 1.0 (saturated float32 sigmoid) lands in the last bin and keeps its weight', () => {
      const r = ghmcLoss([[100, -100, 0.3]], [[0, 1, 0]]);
      expect(r.g.data[0]).toBe(1);
      expect(r.g.data[1]).toBe(1);
      expect(r.histogram.counts[9]).toBe(2);
      expect(r.weights.data[0]).toBeGreaterThan(0);
      expectClose(r.lossElements.data[0], r.weights.data[0] * 100, { abs: 1e-5, rel: 1e-6 });
      expect(r.grad.data.every(Number.isFinite)).toBe(true);
      // bins = 1: everything in one bin, weight 1
      const one = ghmcLoss([[100, -3, 0.3]], [[0, 1, 0]], { bins: 1 });
      expectClose(one.weights.data, [1, 1, 1], { abs: 1e-7, rel: 0 });
    });

    test('labels vs one-hot targets give the same result; labels C and −1 are background; [N] label weights broadcast', () => {
      const logits = [[0.5, -1, 2], [3, 0.1, -0.4], [-2, 1, 1.5], [0.2, 0.2, -3]];
      const labels = [1, 3, -1, 0];
      const onehot = labels.map((l) => [0, 1, 2].map((c) => (c === l ? 1 : 0)));
      const a = ghmcLoss(logits, labels, { labelWeights: [1, 0, 1, 1] });
      const b = ghmcLoss(logits, onehot, { labelWeights: [[1, 1, 1], [0, 0, 0], [1, 1, 1], [1, 1, 1]] });
      expectClose(a.loss, b.loss, { abs: 1e-7, rel: 1e-6 });
      expectClose(a.grad.data, b.grad.data, { abs: 1e-8, rel: 1e-6 });
      expect(a.tot).toBe(9);
      // label weight magnitudes are a mask only (mmdet)
      const c = ghmcLoss(logits, labels, { labelWeights: [5, 0, 0.5, 2] });
      expectClose(c.loss, a.loss, { abs: 0, rel: 1e-7 });
    });

    test('without momentum the valid weights sum to tot (mean weight 1)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 1, max: 30 }), (seed, bins) => {
          const { logits, labels, lw } = ghmcBatch(seed, 9, 4, bins);
          const r = ghmcLoss(logits, labels, { labelWeights: lw, bins });
          const sum = Array.from(r.weights.data).reduce((s, v) => s + v, 0);
          expect(Math.abs(sum - r.tot)).toBeLessThan(1e-4 * r.tot);
          expect(r.histogram.counts.reduce((s, v) => s + v, 0)).toBe(lw.filter((v) => v > 0).length * 4);
        }),
        { numRuns: 30 },
      );
    });
  });

  describe('GHM-R spec cases', () => {
    test('d = [0, 0.01, 1, 100]: g, weights, loss 16.8274874 (last edge 1e3 keeps d = 100)', () => {
      const r = ghmrLoss([[0, 0.01, 1, 100]], [[0, 0, 0, 0]]);
      expectClose(r.g.data, [0, 0.4472136, 0.9998002, 1.0], { abs: 1e-6, rel: 1e-5 });
      expect(r.g.data[3]).toBe(1);
      expectClose(r.weights.data, [4 / 3, 4 / 3, 2 / 3, 2 / 3], { abs: 1e-6, rel: 1e-6 });
      expectClose(r.loss, 16.8274874, { abs: 1e-5, rel: 1e-5 });
      expect(r.histogram.edges[10]).toBe(1000);
      // grad = w · d/sqrt(d²+μ²) / tot
      expectClose(r.grad.data, [0, (4 / 3) * 0.4472136 / 4, (2 / 3) * 0.9998002 / 4, (2 / 3) / 4], { abs: 1e-6, rel: 1e-5 });
    });

    test('tot is the sum of label weights (≥ 1); magnitudes otherwise only mask', () => {
      const p = [[0.3, -0.2, 0.05, 0.5]], t = [[0, 0, 0, 0]];
      const a = ghmrLoss(p, t, { labelWeights: [[1, 1, 1, 1]] });
      const b = ghmrLoss(p, t, { labelWeights: [[2, 2, 2, 2]] });
      expect(a.tot).toBe(4);
      expect(b.tot).toBe(8);
      expectClose(b.loss, a.loss, { abs: 1e-7, rel: 1e-6 }); // β ∝ tot, loss ∝ 1/tot
      const z = ghmrLoss(p, t, { labelWeights: [[0, 0, 0, 0]], momentum: 0.7 });
      expect(z.loss).toBe(0);
      z.grad.data.forEach((v) => expect(v === 0).toBe(true));
      expect(z.tot).toBe(1);
    });
  });

  describe('smoothL1Loss / asl1Loss', () => {
    const pred = [[0.05, -1, 2, 0], [0.5, 0.2, -0.05, 3]];
    const target = [[0, 0, 0, 0], [0, 0, 0, 0]];

    test('mmdet semantics: elementwise values, mean over elements, gradient', () => {
      const r = smoothL1Loss(pred, target, { beta: 0.1, reduction: 'none' });
      expectClose(r.lossElements.data, [0.0125, 0.95, 1.95, 0, 0.45, 0.15, 0.0125, 2.95], { abs: 1e-7, rel: 1e-6 });
      expectClose(r.grad.data, [0.5, -1, 1, 0, 1, 1, -0.5, 1], { abs: 1e-7, rel: 1e-6 });
      const m = smoothL1Loss(pred, target, { beta: 0.1 });
      expectClose(m.loss, 6.475 / 8, { abs: 1e-7, rel: 1e-6 });
      expectClose(m.grad.data, Array.from(r.grad.data, (v) => v / 8), { abs: 1e-8, rel: 1e-6 });
      // default β = 1
      const d = smoothL1Loss([[0.5, -3]], [[0, 0]], { reduction: 'sum' });
      expectClose(d.loss, 0.125 + 2.5, { abs: 1e-7, rel: 1e-6 });
      // β = 0 is L1
      expectClose(smoothL1Loss([[0.5, -3]], [[0, 0]], { beta: 0, reduction: 'sum' }).loss, 3.5, { abs: 1e-7, rel: 0 });
    });

    test('weights per element or per row, avgFactor, lossWeight', () => {
      const a = smoothL1Loss(pred, target, { beta: 0.1, weight: [2, 0], avgFactor: 3, lossWeight: 0.5 });
      const sum = 2 * (0.0125 + 0.95 + 1.95);
      expectClose(a.loss, (0.5 * sum) / (3 + 2 ** -23), { abs: 1e-7, rel: 1e-6 });
      expectClose(Array.from(a.grad.data.slice(4)), [0, 0, 0, 0], { abs: 0, rel: 0 });
      expectClose(a.grad.data[0], (0.5 * 2 * 0.5) / (3 + 2 ** -23), { abs: 1e-7, rel: 1e-6 });
      const b = smoothL1Loss(pred, target, { beta: 0.1, weight: [[2, 2, 2, 2], [0, 0, 0, 0]], avgFactor: 3, lossWeight: 0.5 });
      expectClose(b.grad.data, a.grad.data, { abs: 0, rel: 0 });
      expect(smoothL1Loss({ data: [], shape: [0, 4] }, { data: [], shape: [0, 4] }).loss).toBe(0);
    });

    test('ASL1: sqrt(d²+μ²) − μ, gradient d/sqrt(d²+μ²)', () => {
      const r = asl1Loss([[0, 0.01, 1, 100]], [[0, 0, 0, 0]], { reduction: 'sum' });
      expectClose(r.lossElements.data, [0, 2.3607e-3, 0.98020, 99.9800], { abs: 1e-6, rel: 1e-4 });
      expectClose(r.grad.data, [0, 0.4472136, 0.9998002, 1.0], { abs: 1e-6, rel: 1e-5 });
      expectClose(asl1Loss([[1]], [[0]], { mu: 1 }).loss, Math.SQRT2 - 1, { abs: 1e-7, rel: 1e-6 });
    });
  });

  describe('state', () => {
    test('round-trips through JSON and is never mutated', () => {
      const steps = [11, 12, 13].map((s) => ghmcBatch(s, 10, 3, 10));
      let direct: GhmState = createGhmState(10);
      let viaJson: GhmState = createGhmState(10);
      const frozen = JSON.stringify(direct);
      for (const b of steps) {
        const before = JSON.stringify(direct);
        const r1 = ghmcLoss(b.logits, b.labels, { labelWeights: b.lw, momentum: 0.75, state: direct });
        expect(JSON.stringify(direct)).toBe(before);
        const r2 = ghmcLoss(b.logits, b.labels, { labelWeights: b.lw, momentum: 0.75, state: viaJson });
        expect(r2.loss).toBe(r1.loss);
        direct = r1.state;
        viaJson = JSON.parse(JSON.stringify(r2.state));
        expect(viaJson).toEqual(direct);
      }
      expect(direct.steps).toBe(3);
      expect(JSON.parse(frozen)).toEqual(createGhmState(10));
      // bins defaults to the state's
      const s5 = createGhmState(5);
      expect(ghmcLoss([[0.1]], [[1]], { state: s5, momentum: 0.5 }).state.accSum).toHaveLength(5);
    });
  });

  describe('bad input', () => {
    const x = [[0.1, 0.2], [0.3, -0.4]];
    test('GHM-C', () => {
      expectError(() => ghmcLoss(x, [0, 1], { bins: 5, state: createGhmState(10) }), 'E_VALUE', 'options.state');
      expectError(() => ghmcLoss(x, [0, 1], { state: { bins: 10, accSum: [1, 2], steps: 0 } }), 'E_SHAPE', 'options.state.accSum');
      expectError(() => ghmcLoss(x, [0, 1], { state: { bins: 2, accSum: [1, NaN], steps: 0 } }), 'E_VALUE', 'options.state.accSum');
      expectError(() => ghmcLoss(x, [0, 1], { state: { bins: 2, accSum: [1, 1], steps: -1 } }), 'E_VALUE', 'options.state.steps');
      expectError(() => ghmcLoss(x, [0, 1], { state: [] as unknown as GhmState }), 'E_TYPE', 'options.state');
      expectError(() => ghmcLoss(x, [0, 1, 1]), 'E_SHAPE', 'targets');
      expectError(() => ghmcLoss(x, [[0, 1, 0], [1, 0, 0]]), 'E_SHAPE', 'targets');
      expectError(() => ghmcLoss(x, [0, 3]), 'E_VALUE', 'targets');
      // Int32Array labels are range-checked in place (no float32 round trip): same errors and results
      expect(expectError(() => ghmcLoss(x, Int32Array.of(0, 3)), 'E_VALUE', 'targets').message).toMatch(/label 1 is 3/);
      expect(expectError(() => ghmcLoss(x, Int32Array.of(-2, 0)), 'E_VALUE', 'targets').message).toMatch(/label 0 is -2/);
      expect(ghmcLoss(x, Int32Array.of(-1, 1)).loss).toBe(ghmcLoss(x, [-1, 1]).loss);
      expect(ghmcLoss(x, Int32Array.of(0, 1, 1, 0)).loss).toBe(ghmcLoss(x, [[0, 1], [1, 0]]).loss); // int32 one-hot
      expectError(() => ghmcLoss(x, [0, 0.5], { targetType: 'labels' }), 'E_VALUE', 'targets');
      expectError(() => ghmcLoss(x, [[0, 2], [1, 0]]), 'E_VALUE', 'targets');
      expectError(() => ghmcLoss([[0.1], [0.2]], [0, 1]), 'E_SHAPE', 'targets');
      expectError(() => ghmcLoss(Float32Array.from([0.1, 0.2]), [0, 1]), 'E_SHAPE', 'logits');
      expectError(() => ghmcLoss([[0.1, NaN], [0, 0]], [0, 1]), 'E_VALUE', 'logits');
      expectError(() => ghmcLoss(x, [0, 1], { labelWeights: [1, 1, 1] }), 'E_SHAPE', 'options.labelWeights');
      expectError(() => ghmcLoss(x, [0, 1], { labelWeights: [1, -1] }), 'E_VALUE', 'options.labelWeights');
      expectError(() => ghmcLoss(x, [0, 1], { momentum: 1 }), 'E_VALUE', 'options.momentum');
      expectError(() => ghmcLoss(x, [0, 1], { momentum: -0.1 }), 'E_VALUE', 'options.momentum');
      expectError(() => ghmcLoss(x, [0, 1], { bins: 0 }), 'E_VALUE', 'options.bins');
      expectError(() => ghmcLoss(x, [0, 1], { bins: 2.5 }), 'E_TYPE', 'options.bins');
      expectError(() => ghmcLoss(x, [0, 1], { normalizer: 'paper' as never }), 'E_OPTION', 'options.normalizer');
      expectError(() => ghmcLoss(x, [0, 1], { avgFactor: 3 } as never), 'E_OPTION', 'options.avgFactor');
      expectError(() => createGhmState(0), 'E_VALUE', 'bins');
    });
    test('GHM-R, smooth L1, ASL1', () => {
      expectError(() => ghmrLoss([[0, 1, 2, 3]], [[0, 1, 2]]), 'E_SHAPE', 'target');
      expectError(() => ghmrLoss([[0, 1, 2, 3]], [[0, 1, 2, 3]], { labelWeights: [1, 1] }), 'E_SHAPE', 'options.labelWeights');
      expectError(() => ghmrLoss([[0, 1, 2, 3]], [[0, 1, 2, Infinity]]), 'E_VALUE', 'target');
      expectError(() => ghmrLoss([[0, 1, 2, 3]], [[0, 1, 2, 3]], { mu: 0 }), 'E_VALUE', 'options.mu');
      expectError(() => ghmrLoss([[0, 1, 2, 3]], [[0, 1, 2, 3]], { momentum: 1.5 }), 'E_VALUE', 'options.momentum');
      expectError(() => ghmrLoss([[0, 1, 2, 3]], [[0, 1, 2, 3]], { state: createGhmState(3), bins: 4 }), 'E_VALUE', 'options.state');
      expectError(() => smoothL1Loss([[0, 1]], [[0, 1, 2]]), 'E_SHAPE', 'target');
      expectError(() => smoothL1Loss([[0, 1]], [[0, 1]], { beta: -1 }), 'E_VALUE', 'options.beta');
      expectError(() => smoothL1Loss([[0, 1]], [[0, 1]], { weight: [1, 1, 1] }), 'E_SHAPE', 'options.weight');
      expectError(() => smoothL1Loss([[0, 1]], [[0, 1]], { reduction: 'sum', avgFactor: 2 }), 'E_OPTION', 'options.avgFactor');
      expectError(() => smoothL1Loss([[0, NaN]], [[0, 1]]), 'E_VALUE', 'pred');
      expectError(() => asl1Loss([[0, 1]], [[0, 1]], { mu: -0.02 }), 'E_VALUE', 'options.mu');
      expectError(() => asl1Loss([[0, 1]], [[0, 1]], { reduction: 'avg' as never }), 'E_OPTION', 'options.reduction');
    });
  });
});

describe('backend agreement', () => {
  test('GHM-C (labels and one-hot, momentum, bias correction, all bins)', () => {
    for (const seed of [1, 2, 3]) {
      const { logits, labels, lw } = ghmcBatch(seed, 57, 7, 10);
      const run = (o: object) => onEveryBackend(() => ghmcLoss(logits, labels, { labelWeights: lw, ...o }));
      for (const o of [{}, { momentum: 0.75, state: { bins: 10, accSum: [3, 1, 0, 0, 2, 5, 0, 1, 1, 9], steps: 4 } }, { momentum: 0.9, biasCorrection: true }, { normalizer: 'allBins' as const, reduction: 'sum' as const }]) {
        const r = run(o);
        for (const b of ['native', 'wasm'] as const) {
          expectClose(r[b].loss, r.ts.loss, { abs: 1e-6, rel: 1e-5 }, `${b} loss`);
          expectClose(r[b].grad.data, r.ts.grad.data, { abs: 1e-7, rel: 1e-5 }, `${b} grad`);
          expectClose(r[b].weights.data, r.ts.weights.data, { abs: 1e-7, rel: 1e-6 }, `${b} weights`);
          expectClose(r[b].g.data, r.ts.g.data, { abs: 1e-6, rel: 0 }, `${b} g`);
          expectClose(r[b].lossElements.data, r.ts.lossElements.data, { abs: 1e-6, rel: 1e-5 }, `${b} lossElements`);
          expect(r[b].histogram).toEqual(r.ts.histogram);
          expectClose(r[b].state.accSum, r.ts.state.accSum, { abs: 1e-12, rel: 1e-12 }, `${b} state`);
          expect(r[b].state.steps).toBe(r.ts.state.steps);
        }
      }
    }
  });

  test('GHM-R, smooth L1, ASL1', () => {
    const r0 = rng(7);
    const p = Array.from({ length: 40 }, () => [0, 0, 0, 0].map(() => {
      for (;;) {
        const d = (r0() - 0.5) * 0.4;
        if (!nearEdge([Math.abs(d) / Math.sqrt(d * d + 0.02 * 0.02)], 10, 1e-4)) return d;
      }
    }));
    const t = p.map(() => [0, 0, 0, 0]);
    const lw = p.map((_, i) => (i % 3 === 0 ? [0, 0, 0, 0] : [1, 1, 1, 1]));
    const r = onEveryBackend(() => ghmrLoss(p, t, { labelWeights: lw, momentum: 0.7, lossWeight: 10 }));
    const s = onEveryBackend(() => smoothL1Loss(p, t, { beta: 0.11, weight: p.map((_, i) => i % 2) }));
    const a = onEveryBackend(() => asl1Loss(p, t, { reduction: 'sum' }));
    for (const b of ['native', 'wasm'] as const) {
      expectClose(r[b].loss, r.ts.loss, { abs: 1e-6, rel: 1e-5 }, `${b} ghmr loss`);
      expectClose(r[b].grad.data, r.ts.grad.data, { abs: 1e-6, rel: 1e-5 }, `${b} ghmr grad`);
      expect(r[b].histogram).toEqual(r.ts.histogram);
      expectClose(s[b].loss, s.ts.loss, { abs: 1e-7, rel: 1e-5 }, `${b} sl1`);
      expectClose(s[b].grad.data, s.ts.grad.data, { abs: 1e-7, rel: 1e-5 }, `${b} sl1 grad`);
      expectClose(a[b].loss, a.ts.loss, { abs: 1e-6, rel: 1e-5 }, `${b} asl1`);
      expectClose(a[b].grad.data, a.ts.grad.data, { abs: 1e-7, rel: 1e-5 }, `${b} asl1 grad`);
    }
  });

  test('large batch (exercises the vector loops and their tails)', () => {
    const { logits, labels } = ghmcBatch(99, 1031, 13, 30);
    const r = onEveryBackend(() => ghmcLoss(logits, labels, { bins: 30, momentum: 0.75 }));
    for (const b of ['native', 'wasm'] as const) {
      expectClose(r[b].loss, r.ts.loss, { abs: 1e-6, rel: 1e-5 }, `${b} loss`);
      expectClose(r[b].grad.data, r.ts.grad.data, { abs: 1e-8, rel: 1e-4 }, `${b} grad`);
      expect(r[b].histogram).toEqual(r.ts.histogram);
    }
  });
});

describe('gradients vs central finite differences (float64, TS backend, weights held constant)', () => {
  const H = 1e-6;
  // GHM-C sums up to ~1e5: a larger step keeps the float64 cancellation noise below 1e-6
  const HC = 1e-4;
  const edgesC = (bins: number) => ghmEdges(bins, GHMC_LAST_EDGE);
  const awayFromEdges = (g: number[], edges: number[], margin: number) => g.every((v) => edges.every((e, i) => i === 0 || i === edges.length - 1 || Math.abs(v - e) > margin));
  const logit = fc.oneof(
    fc.double({ min: -8, max: 8, noNaN: true }),
    fc.constantFrom(-100, -30, 30, 100, 17.5, -17.5),
  );

  test('GHM-C (labels, one-hot, soft targets, momentum, reductions)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }), fc.array(logit, { minLength: 24, maxLength: 24 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 24, maxLength: 24 }), fc.boolean(),
        fc.constantFrom(0, 0.75), fc.integer({ min: 1, max: 20 }), fc.constantFrom(true, false),
        (n, c, xs, ts, soft, momentum, bins, mean) => {
          const len = n * c;
          const x = Float64Array.from(xs.slice(0, len));
          const useLabels = !soft && c > 1;
          const labels = Int32Array.from({ length: n }, (_, i) => Math.floor(ts[i] * (c + 1)) % (c + 1));
          const t = useLabels ? new Float64Array(0) : Float64Array.from(ts.slice(0, len), (v) => (soft ? v : Math.round(v)));
          const y = (i: number) => (useLabels ? (i % c === labels[Math.floor(i / c)] ? 1 : 0) : t[i]);
          const g = Array.from(x, (v, i) => Math.abs(sig(v) - y(i)));
          fc.pre(awayFromEdges(g, edgesC(bins), 1e-4));
          const acc = Float64Array.from({ length: bins }, (_, i) => (i % 3) + 0.5);
          const lw = Float32Array.from({ length: n }, (_, i) => (i % 4 === 3 ? 0 : 1));
          const call = (xx: Float64Array) => ghmKernels.ghmC(xx as unknown as Float32Array, c, useLabels, t as unknown as Float32Array, labels, lw, acc, bins, momentum, false, false, 0, 1.5, mean, ...bufs(len));
          const r = call(x);
          for (let i = 0; i < len; i++) {
            const xp = Float64Array.from(x); xp[i] += HC;
            const xm = Float64Array.from(x); xm[i] -= HC;
            const fd = (call(xp).loss - call(xm).loss) / (2 * HC);
            expect(Math.abs(fd - r.grad[i])).toBeLessThanOrEqual(1e-6 + 1e-4 * Math.abs(fd));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  test('GHM-R', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: -2, max: 2, noNaN: true }), fc.constantFrom(50, -50, 0.001)), { minLength: 16, maxLength: 16 }),
        fc.constantFrom(0, 0.7), fc.integer({ min: 1, max: 20 }), fc.double({ min: 0.005, max: 0.5, noNaN: true }),
        (ds, momentum, bins, mu) => {
          const p = Float64Array.from(ds);
          const t = new Float64Array(16);
          const g = ds.map((d) => Math.abs(d) / Math.sqrt(d * d + mu * mu));
          fc.pre(awayFromEdges(g, ghmEdges(bins, GHMR_LAST_EDGE), 1e-3));
          const lw = Float32Array.from({ length: 16 }, (_, i) => (i < 4 ? 0 : 1 + (i % 2)));
          const acc = new Float64Array(bins).fill(2);
          const call = (pp: Float64Array) => ghmRTwin(pp as unknown as Float32Array, t as unknown as Float32Array, lw, acc, mu, bins, momentum, false, true, 3, 10, true, ...bufs(16));
          const r = call(p);
          for (let i = 0; i < 16; i++) {
            const pp = Float64Array.from(p); pp[i] += H;
            const pm = Float64Array.from(p); pm[i] -= H;
            const fd = (call(pp).loss - call(pm).loss) / (2 * H);
            expect(Math.abs(fd - r.grad[i])).toBeLessThanOrEqual(1e-6 + 1e-4 * Math.abs(fd));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  test('smooth L1 and ASL1', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 8, maxLength: 8 }),
        fc.double({ min: 0.01, max: 2, noNaN: true }), fc.constantFrom(0, 1),
        (ds, param, kind) => {
          // smooth L1 has kinks at |d| = β and (β = 0) at 0: stay away from them
          fc.pre(kind === 1 || ds.every((d) => Math.abs(Math.abs(d) - param) > 1e-4));
          const p = Float64Array.from(ds);
          const t = new Float64Array(8);
          const w = Float32Array.from([1, 2, 0, 0.5]);
          const call = (pp: Float64Array) => {
            const out = { lossElements: new Float32Array(8), grad: new Float32Array(8), sum: new Float64Array(1) };
            regressionLoss({ pred: pp as unknown as Float32Array, target: t as unknown as Float32Array, weight: w }, { kind, cols: 2, param, scale: 0.25 }, out);
            return { grad: out.grad, loss: 0.25 * out.sum[0] };
          };
          const r = call(p);
          for (let i = 0; i < 8; i++) {
            const pp = Float64Array.from(p); pp[i] += H;
            const pm = Float64Array.from(p); pm[i] -= H;
            const fd = (call(pp).loss - call(pm).loss) / (2 * H);
            expect(Math.abs(fd - r.grad[i])).toBeLessThanOrEqual(1e-6 + 1e-4 * Math.abs(fd));
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('caller-owned output buffers (options.out)', () => {
  forEachBackend(() => {
    test('GHM-C and GHM-R fill the given buffers with the same values as fresh ones', () => {
      const x = { data: new Float32Array([2.944439, -2.944439, 0.200671, -0.5, 1.5, 0.3]), shape: [3, 2] };
      const labels = [0, 2, 1];
      const fresh = ghmcLoss(x, labels, { bins: 10 });
      const out = { lossElements: new Float32Array(6), grad: new Float32Array(6), weights: new Float32Array(6), g: new Float32Array(6) };
      const reused = ghmcLoss(x, labels, { bins: 10, out });
      expect(reused.grad.data).toBe(out.grad);
      expect(reused.weights.data).toBe(out.weights);
      expect(reused.loss).toBeCloseTo(fresh.loss, 6);
      expectClose(out.grad, fresh.grad.data, { abs: 1e-7, rel: 1e-6 });
      expectClose(out.g, fresh.g.data, { abs: 1e-7, rel: 1e-6 });
      const d = [[0, 0.01, 1, 100]];
      const gout = { grad: new Float32Array(4) };
      const r = ghmrLoss(d, [[0, 0, 0, 0]], { out: gout });
      expect(r.grad.data).toBe(gout.grad);
      expectClose(gout.grad, ghmrLoss(d, [[0, 0, 0, 0]]).grad.data, { abs: 1e-7, rel: 1e-6 });
    });
    test('bad output buffers are typed errors', () => {
      const x = { data: new Float32Array(4), shape: [2, 2] };
      expectError(() => ghmcLoss(x, [0, 1], { out: { grad: new Float32Array(3) } }), 'E_SHAPE', 'options.out.grad');
      expectError(() => ghmcLoss(x, [0, 1], { out: { grad: new Float64Array(4) as any } }), 'E_TYPE', 'options.out.grad');
      expectError(() => ghmcLoss(x, [0, 1], { out: { grad: x.data } }), 'E_VALUE', 'options.out.grad');
      const shared = new Float32Array(4);
      expectError(() => ghmcLoss(x, [0, 1], { out: { grad: shared, g: shared } }), 'E_VALUE', 'options.out.g');
      expectError(() => ghmcLoss(x, [0, 1], { out: { gradient: shared } as any }), 'E_OPTION', 'options.out.gradient');
    });
  });
});

describe("GHM-C outputs: 'lossAndGrad' (issue 12 item 5)", () => {
  forEachBackend(() => {
    test('same loss, gradient, histogram and state as every output; weights and g empty', () => {
      const r = rng(77);
      const n = 900, c = 11;
      const x = { data: Float32Array.from({ length: n * c }, () => (r() - 0.5) * 10), shape: [n, c] };
      const labels = Array.from({ length: n }, () => Math.floor(r() * (c + 1)));
      const labelWeights = Array.from({ length: n }, () => (r() < 0.2 ? 0 : 1));
      const s1 = createGhmState(7), s2 = createGhmState(7);
      const full = ghmcLoss(x, labels, { labelWeights, state: s1, momentum: 0.5 });
      const lean = ghmcLoss(x, labels, { labelWeights, state: s2, momentum: 0.5, outputs: 'lossAndGrad' });
      expect(lean.loss).toBe(full.loss);
      expect(lean.loss).toBeGreaterThan(0);
      expect(Array.from(lean.grad.data)).toEqual(Array.from(full.grad.data));
      expect(Array.from(lean.lossElements.data)).toEqual(Array.from(full.lossElements.data));
      expect(lean.histogram).toEqual(full.histogram);
      expect(lean.state).toEqual(full.state);
      expect(lean.weights.shape).toEqual([0]);
      expect(lean.g.data.length).toBe(0);
      const out = { lossElements: new Float32Array(n * c), grad: new Float32Array(n * c) };
      const reused = ghmcLoss(x, labels, { labelWeights, outputs: 'lossAndGrad', out });
      expect(reused.grad.data).toBe(out.grad);
      expectError(() => ghmcLoss(x, labels, { outputs: 'lossAndGrad', out: { ...out, weights: new Float32Array(n * c) } } as never), 'E_OPTION');
      expectError(() => ghmcLoss(x, labels, { outputs: 'weights' as never }), 'E_OPTION', 'options.outputs');
    });
  });
});
