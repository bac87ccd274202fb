/** Focal-family losses on every backend: golden vectors, spec cases, gradients, agreement, bad input. */
import fc from 'fast-check';
import { sigmoidCrossEntropy, sigmoidFocalLoss, focalLossStar, softmaxFocalLoss, type LossResult } from '../ts/index';
import { sigmoidElem, softmaxFocalRow } from '../ts/backends/ts/focal';
import { forEachBackend, onEveryBackend, vectors, expectClose, expectError, flat, type VectorCase } from './helpers';

const mat = (c: VectorCase, key: string) => ({ data: flat(c.inputs[key]), shape: c.shapes[`inputs.${key}`] });

function runVector(c: VectorCase): LossResult {
  const p = c.params;
  const common = {
    reduction: p.reduction,
    ...(p.avg_factor !== undefined && p.avg_factor !== null ? { avgFactor: p.avg_factor } : {}),
    ...(c.inputs.weight !== undefined ? { weight: flat(c.inputs.weight) } : {}),
  };
  if (c.op === 'fl_star') {
    return focalLossStar(mat(c, 'logits'), mat(c, 'targets'), { ...common, gamma: p.gamma, beta: p.beta });
  }
  return sigmoidFocalLoss(mat(c, 'logits'), mat(c, 'targets'), { ...common, alpha: p.alpha < 0 ? null : p.alpha, gamma: p.gamma });
}

function checkVector(c: VectorCase, r: LossResult): void {
  const shape = c.shapes['inputs.logits'];
  expect(r.grad.shape).toEqual(shape);
  expect(r.lossElements.shape).toEqual(shape);
  if (c.params.reduction === 'none') expectClose(r.lossElements.data, c.expected.loss, c.tolerance, `${c.name} loss`);
  else expectClose(r.loss, c.expected.loss, c.tolerance, `${c.name} loss`);
  expectClose(r.grad.data, c.expected.grad, c.tolerance, `${c.name} grad`);
}

/** Deterministic pseudo-random numbers (no Math.random in tests). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const FOCAL_CASES = vectors('sigmoid_focal_loss');
const STAR_CASES = vectors('fl_star');

test('the golden vectors are present', () => {
  expect(FOCAL_CASES.length).toBeGreaterThanOrEqual(5);
  expect(STAR_CASES.length).toBeGreaterThanOrEqual(2);
});

forEachBackend(() => {
  describe('golden vectors: sigmoid_focal_loss', () => {
    for (const c of FOCAL_CASES) test(c.name, () => checkVector(c, runVector(c)));
  });

  describe('golden vectors: fl_star', () => {
    for (const c of STAR_CASES) test(c.name, () => checkVector(c, runVector(c)));
  });

  test('γ = 0, α off is exactly BCE: sigmoidCrossEntropy reproduces focal_gamma0_no_alpha_equals_bce', () => {
    const c = FOCAL_CASES.find((v) => v.name === 'focal_gamma0_no_alpha_equals_bce')!;
    const r = sigmoidCrossEntropy(mat(c, 'logits'), mat(c, 'targets'), { reduction: 'none' });
    expectClose(r.lossElements.data, c.expected.loss, c.tolerance, 'ce loss');
    expectClose(r.grad.data, c.expected.grad, c.tolerance, 'ce grad');
    expect(r.loss).toBeCloseTo(flat(c.expected.loss).reduce((a, b) => a + b, 0), 4);
  });

  test('spec values (reference-semantics §1.1, §13)', () => {
    const fl = (x: number, y: number) => sigmoidFocalLoss([[x]], [[y]], { reduction: 'sum' }).loss;
    expect(fl(0, 1)).toBeCloseTo(0.0433216988, 7);
    expect(fl(0, 0)).toBeCloseTo(0.1299650964, 7);
    expect(fl(2, 1)).toBeCloseTo(4.50890709e-4, 9);
    expect(fl(-2, 0)).toBeCloseTo(1.35267213e-3, 9);
    expect(fl(100, 0)).toBe(75);
    const g = (x: number, y: number) => sigmoidFocalLoss([[x]], [[y]], { alpha: null, reduction: 'sum' }).grad.data[0];
    expect(g(0, 1)).toBeCloseTo(-0.2982867951, 6);
    expect(g(2, 1)).toBeCloseTo(-0.0048709402, 7);
    expect(g(-100, 1)).toBeCloseTo(-1, 6);
    const ce = (x: number, y: number) => sigmoidCrossEntropy([[x]], [[y]], { reduction: 'sum' }).grad.data[0];
    expect(ce(0, 1)).toBeCloseTo(-0.5, 7);
    expect(ce(2, 1)).toBeCloseTo(-0.119202922, 7);
    const st = (x: number, y: number, gamma: number, beta: number) => focalLossStar([[x]], [[y]], { gamma, beta, reduction: 'sum' });
    expect(st(1, 1, 2, 0).loss).toBeCloseTo(0.0634640055, 7);
    expect(st(1, 1, 2, 1).loss).toBeCloseTo(0.0242936758, 7);
    expect(st(-1, 0, 2, 0).loss).toBeCloseTo(0.0634640055, 7);
    expect(st(2, 1, 2, 0).grad.data[0]).toBeCloseTo(-0.01798621, 7);
    // FL* with γ = 1, β = 0 is CE
    const a = focalLossStar([[0.3, -2]], [[1, 0]], { reduction: 'none' });
    const b = sigmoidCrossEntropy([[0.3, -2]], [[1, 0]], { reduction: 'none' });
    expectClose(a.lossElements.data, Array.from(b.lossElements.data), { abs: 1e-7, rel: 1e-6 });
    expectClose(a.grad.data, Array.from(b.grad.data), { abs: 1e-7, rel: 1e-6 });
  });

  test('logit 100, target 1: loss 0, not NaN; gradient 0', () => {
    const r = sigmoidFocalLoss([[100]], [[1]], { reduction: 'sum' });
    expect(r.loss).toBe(0);
    expect(Math.abs(r.grad.data[0])).toBe(0);
    for (const fn of [sigmoidCrossEntropy, focalLossStar]) {
      const s = fn([[100]], [[1]], { reduction: 'sum' });
      expect(s.loss).toBeGreaterThanOrEqual(0); // CE = softplus(−100) = 3.8e−44: 0 or a float32 denormal
      expect(s.loss).toBeLessThan(1e-40);
      expect(Number.isNaN(s.grad.data[0])).toBe(false);
    }
  });

  test('logit −100, target 1, α = 0.25: exactly 25 (stable), 21.834137 (mmcvClamp, mmcv CUDA)', () => {
    expect(sigmoidFocalLoss([[-100]], [[1]], { reduction: 'sum' }).loss).toBe(25);
    expect(sigmoidFocalLoss([[-100]], [0], { reduction: 'sum', targetType: 'labels' }).loss).toBe(25);
    const mm = sigmoidFocalLoss([[-100]], [[1]], { reduction: 'sum', compat: 'mmcvClamp' });
    expect(mm.loss).toBeCloseTo(21.834137, 4);
    expect(sigmoidFocalLoss([[100]], [[0]], { reduction: 'sum', compat: 'mmcvClamp' }).loss).toBeCloseTo(65.50241, 4);
    // the clamp only bites in saturation: elsewhere mmcvClamp equals the stable form
    const x = [[-3, -0.5, 0, 0.7, 2.5]], y = [[1, 0, 1, 0, 1]];
    const s = sigmoidFocalLoss(x, y, { reduction: 'none' });
    const m = sigmoidFocalLoss(x, y, { reduction: 'none', compat: 'mmcvClamp' });
    expectClose(m.lossElements.data, Array.from(s.lossElements.data), { abs: 1e-6, rel: 1e-5 });
    expectClose(m.grad.data, Array.from(s.grad.data), { abs: 1e-6, rel: 1e-5 });
  });

  test('γ = 0.5 at saturation: finite gradient, right value (x = 20, y = 1, α = 0.25 → −3.51e−14)', () => {
    const r = sigmoidFocalLoss([[20, -20, 1e4, -1e4]], [[1, 0, 1, 1]], { gamma: 0.5, reduction: 'none' });
    r.grad.data.forEach((v) => expect(Number.isFinite(v)).toBe(true));
    r.lossElements.data.forEach((v) => expect(Number.isFinite(v)).toBe(true));
    expect(r.grad.data[0] / -3.5107e-14).toBeCloseTo(1, 3);
    expect(r.grad.data[1] / 3.5107e-14 / 3).toBeCloseTo(1, 3); // negative channel: (1−α) = 3α
    expect(r.lossElements.data[3]).toBe(2500); // 0.25 · 1e4
    expect(r.grad.data[3]).toBeCloseTo(-0.25, 6);
    for (const gamma of [0, 0.1, 0.5, 0.9]) {
      const s = sigmoidFocalLoss([[1e4, -1e4, 1e4, -1e4, 88, -88, 104, -104]], [[1, 1, 0, 0, 1, 0, 0.3, 0.7]], { gamma, reduction: 'none' });
      [...s.grad.data, ...s.lossElements.data].forEach((v) => expect(Number.isFinite(v)).toBe(true));
    }
  });

  test('RetinaNet normalisation: 1 positive, 999 negatives, logits 0 → Σ FL = 129.87845, ÷ #positives', () => {
    const logits = new Float32Array(1000);
    const onehot = new Float32Array(1000);
    onehot[0] = 1;
    const sum = sigmoidFocalLoss({ data: logits, shape: [1000, 1] }, { data: onehot, shape: [1000, 1] }, { reduction: 'sum' });
    expect(sum.loss).toBeCloseTo(129.87845, 4);
    const mean = sigmoidFocalLoss({ data: logits, shape: [1000, 1] }, { data: onehot, shape: [1000, 1] }, { avgFactor: 1 });
    expect(mean.loss).toBeCloseTo(129.87845, 4);
    // the same as class indices (C = 1: label 0 = the class, label 1 = background), and as [10, 100]
    const labels = new Int32Array(1000).fill(1);
    labels[0] = 0;
    const byLabel = sigmoidFocalLoss({ data: logits, shape: [1000, 1] }, labels, { avgFactor: 1, targetType: 'labels' });
    expect(byLabel.loss).toBeCloseTo(129.87845, 4);
    expect(Array.from(byLabel.grad.data)).toEqual(Array.from(mean.grad.data));
    const wide = sigmoidFocalLoss({ data: logits, shape: [10, 100] }, [0, 100, 100, 100, 100, 100, 100, 100, 100, 100], { avgFactor: 1 });
    expect(wide.loss).toBeCloseTo(129.87845, 4);
    expect(wide.grad.get(0, 0)).toBeCloseTo(-0.2982868 * 0.25, 6);
    expect(wide.grad.get(3, 7)).toBeCloseTo(-0.75 * 0.25 * (2 * 0.5 * Math.log(0.5) - 0.5), 6); // y± α_t (1−p_t)^γ (γ p_t log p_t + p_t − 1)
  });

  test('every label ignored: loss 0, gradient 0, no division by zero', () => {
    const logits = [[0.3, -2, 5], [1, 1, -1e4]];
    for (const opts of [{}, { avgFactor: 0 }, { reduction: 'sum' as const }, { reduction: 'none' as const }]) {
      for (const fn of [sigmoidFocalLoss, sigmoidCrossEntropy, focalLossStar]) {
        const r = fn(logits, [0, 3], { ...opts, labelWeights: [0, 0] });
        expect(r.loss).toBe(0);
        r.grad.data.forEach((v) => expect(v === 0).toBe(true));
        r.lossElements.data.forEach((v) => expect(v === 0).toBe(true));
      }
      const s = softmaxFocalLoss(logits, [0, 2], { ...opts, labelWeights: [0, 0] });
      expect(s.loss).toBe(0);
      s.grad.data.forEach((v) => expect(v === 0).toBe(true));
    }
    const empty = sigmoidFocalLoss({ data: [], shape: [0, 80] }, [], {});
    expect(empty.loss).toBe(0);
    expect(empty.grad.shape).toEqual([0, 80]);
  });

  test('labels ≡ one-hot; [N] weights ≡ broadcast [N, C] weights; weight × labelWeights', () => {
    const rnd = lcg(7);
    const n = 23, c = 11;
    const x = Array.from({ length: n }, () => Array.from({ length: c }, () => (rnd() - 0.5) * 12));
    const labels = Array.from({ length: n }, () => Math.floor(rnd() * (c + 1)));
    const onehot = labels.map((l) => Array.from({ length: c }, (_, j) => (j === l ? 1 : 0)));
    const w = Array.from({ length: n }, () => rnd());
    const lw = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : 1));
    const wFull = w.map((v) => new Array(c).fill(v));
    const lwFull = lw.map((v) => new Array(c).fill(v));
    for (const fn of [sigmoidFocalLoss, sigmoidCrossEntropy, focalLossStar]) {
      const a = fn(x, labels, { weight: w, labelWeights: lw, avgFactor: 5, lossWeight: 2 });
      const b = fn(x, onehot, { weight: wFull, labelWeights: lwFull, avgFactor: 5, lossWeight: 2 });
      const m = fn(x, onehot, { weight: w.map((v, i) => v * lw[i]), avgFactor: 5, lossWeight: 2 });
      expect(a.loss).toBeCloseTo(b.loss, 5);
      expect(a.loss).toBeCloseTo(m.loss, 5);
      expectClose(a.grad.data, Array.from(b.grad.data), { abs: 1e-7, rel: 1e-6 });
      expectClose(a.lossElements.data, Array.from(m.lossElements.data), { abs: 1e-7, rel: 1e-6 });
      const plain = fn(x, labels, { reduction: 'sum' });
      const manual = Array.from(plain.lossElements.data).reduce((s, v, k) => s + v * w[Math.floor(k / c)] * lw[Math.floor(k / c)], 0);
      expect(a.loss).toBeCloseTo((2 * manual) / (5 + 2 ** -23), 4);
    }
  });

  test('reductions: none / sum / mean / avgFactor / lossWeight are consistent', () => {
    const x = [[0.5, -1, 3], [2, -0.2, -4]], y = [1, 3];
    const none = sigmoidFocalLoss(x, y, { reduction: 'none' });
    const sum = sigmoidFocalLoss(x, y, { reduction: 'sum' });
    const mean = sigmoidFocalLoss(x, y);
    const avg = sigmoidFocalLoss(x, y, { avgFactor: 4, lossWeight: 3 });
    const total = Array.from(none.lossElements.data).reduce((a, b) => a + b, 0);
    expect(none.loss).toBeCloseTo(total, 6);
    expect(sum.loss).toBeCloseTo(total, 6);
    expect(mean.loss).toBeCloseTo(total / 6, 6);
    expect(avg.loss).toBeCloseTo((3 * total) / 4, 5);
    for (let k = 0; k < 6; k++) {
      expect(sum.grad.data[k]).toBeCloseTo(none.grad.data[k], 7);
      expect(mean.grad.data[k]).toBeCloseTo(none.grad.data[k] / 6, 7);
      expect(avg.grad.data[k]).toBeCloseTo((3 * none.grad.data[k]) / 4, 6);
    }
    expect(sigmoidFocalLoss(x, y, { reduction: 'none', lossWeight: 2 }).loss).toBeCloseTo(2 * total, 5);
  });

  test('α: null is off, 0 is a real α (never truthiness)', () => {
    const x = [[0.4, -0.3]], y = [[1, 0]];
    const off = sigmoidFocalLoss(x, y, { alpha: null, reduction: 'none' }).lossElements.data;
    const zero = sigmoidFocalLoss(x, y, { alpha: 0, reduction: 'none' }).lossElements.data;
    const one = sigmoidFocalLoss(x, y, { alpha: 1, reduction: 'none' }).lossElements.data;
    expect(zero[0]).toBe(0);
    expect(zero[1]).toBeCloseTo(off[1], 7);
    expect(one[0]).toBeCloseTo(off[0], 7);
    expect(one[1]).toBe(0);
    const ce = sigmoidCrossEntropy(x, y, { alpha: 0.25, reduction: 'none' }).lossElements.data;
    const ceOff = sigmoidCrossEntropy(x, y, { reduction: 'none' }).lossElements.data;
    expect(ce[0]).toBeCloseTo(0.25 * ceOff[0], 7);
    expect(ce[1]).toBeCloseTo(0.75 * ceOff[1], 7);
  });

  test('soft targets: interpolation semantics, gradient matches the float64 reference', () => {
    const x = [[-3, -0.5, 0, 0.8, 4, 30]], y = [[0.1, 0.5, 0.9, 0.3, 0.99, 0.2]];
    for (const [fn, kind, opts] of [
      [sigmoidFocalLoss, 1, { alpha: 0.25, gamma: 2 }],
      [sigmoidFocalLoss, 1, { alpha: null, gamma: 0.5 }],
      [sigmoidCrossEntropy, 0, { alpha: 0.4 }],
      [focalLossStar, 3, { gamma: 2, beta: 0.5 }],
    ] as const) {
      const r = (fn as typeof sigmoidFocalLoss)(x, y, { ...opts, reduction: 'none' });
      const o = opts as { alpha?: number | null; gamma?: number; beta?: number };
      x[0].forEach((xv, j) => {
        const [l, g] = sigmoidElem(kind, Math.fround(xv), Math.fround(y[0][j]), o.alpha ?? null, o.gamma ?? 0, o.beta ?? 0);
        expect(r.lossElements.data[j]).toBeCloseTo(l, 5);
        expect(r.grad.data[j]).toBeCloseTo(g, 5);
      });
    }
    // torchvision semantics: FL = α_t (1 − p_t)^γ BCE with p_t = p·y + (1−p)(1−y)
    const p = 1 / (1 + Math.exp(-0.8)), t = 0.3;
    const pt = p * t + (1 - p) * (1 - t);
    const bce = -(t * Math.log(p) + (1 - t) * Math.log(1 - p));
    const want = (0.25 * t + 0.75 * (1 - t)) * (1 - pt) ** 2 * bce;
    expect(sigmoidFocalLoss([[0.8]], [[0.3]], { reduction: 'sum' }).loss).toBeCloseTo(want, 6);
  });

  test('out: caller-owned output buffers are overwritten and returned', () => {
    const x = { data: Float32Array.from({ length: 60 }, (_, k) => Math.sin(k) * 5), shape: [12, 5] };
    const labels = Array.from({ length: 12 }, (_, i) => i % 6);
    const fresh = sigmoidFocalLoss(x, labels, { avgFactor: 3 });
    const lossElements = new Float32Array(60).fill(7), grad = new Float32Array(60).fill(NaN);
    const r = sigmoidFocalLoss(x, labels, { avgFactor: 3, out: { lossElements, grad } });
    expect(r.grad.data).toBe(grad);
    expect(r.lossElements.data).toBe(lossElements);
    expect(Array.from(grad)).toEqual(Array.from(fresh.grad.data));
    expect(Array.from(lossElements)).toEqual(Array.from(fresh.lossElements.data));
    expect(r.loss).toBe(fresh.loss);
    const g2 = new Float32Array(60).fill(3);
    const s = softmaxFocalLoss(x, labels.map((l) => l % 5), { out: { grad: g2 } });
    expect(s.grad.data).toBe(g2);
    expect(Array.from(g2)).toEqual(Array.from(softmaxFocalLoss(x, labels.map((l) => l % 5)).grad.data));
    expectError(() => sigmoidFocalLoss(x, labels, { out: { grad: new Float32Array(59) } }), 'E_SHAPE', 'options.out.grad');
    expectError(() => sigmoidFocalLoss(x, labels, { out: { grad: new Float64Array(60) as never } }), 'E_TYPE', 'options.out.grad');
    expectError(() => sigmoidFocalLoss(x, labels, { out: { grad: x.data } }), 'E_VALUE', 'options.out.grad');
    const shared = new Float32Array(120);
    expectError(() => sigmoidFocalLoss(x, labels, { out: { lossElements: shared.subarray(0, 60), grad: shared.subarray(59, 119) } }), 'E_VALUE', 'options.out.grad');
    expectError(() => sigmoidFocalLoss(x, labels, { out: { loss: grad } as never }), 'E_OPTION', 'options.out.loss');
    expectError(() => softmaxFocalLoss(x, labels.map((l) => l % 5), { out: { lossElements: new Float32Array(60) } }), 'E_SHAPE', 'options.out.lossElements');
  });

  describe('softmax focal loss', () => {
    test('matches the direct formula, its gradient rows sum to 0', () => {
      const x = [[0.5, -1, 2, 0], [3, 0, -2, 1], [-50, 50, 0, 1]];
      const y = [2, 0, 1];
      const r = softmaxFocalLoss(x, y, { reduction: 'none', alpha: 0.25, gamma: 2 });
      expect(r.lossElements.shape).toEqual([3]);
      expect(r.grad.shape).toEqual([3, 4]);
      x.forEach((row, i) => {
        const m = Math.max(...row);
        const s = row.reduce((a, v) => a + Math.exp(v - m), 0);
        const py = Math.exp(row[y[i]] - m) / s;
        expect(r.lossElements.data[i]).toBeCloseTo(-0.25 * (1 - py) ** 2 * Math.log(py), 6);
        const gs = [0, 1, 2, 3].reduce((a, j) => a + r.grad.get(i, j), 0);
        expect(Math.abs(gs)).toBeLessThan(1e-6);
      });
    });

    test('γ = 0, α off is softmax cross-entropy (grad p − onehot); per-class α; weights; saturation', () => {
      const x = [[1, 2, 3], [0, 0, 0]];
      const r = softmaxFocalLoss(x, [0, 2], { gamma: 0, alpha: null, reduction: 'sum' });
      const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
      expect(r.loss).toBeCloseTo(lse - 1 + Math.log(3), 5);
      expect(r.grad.get(0, 0)).toBeCloseTo(Math.exp(1 - lse) - 1, 6);
      expect(r.grad.get(0, 2)).toBeCloseTo(Math.exp(3 - lse), 6);
      expect(r.grad.get(1, 2)).toBeCloseTo(1 / 3 - 1, 6);
      const pc = softmaxFocalLoss(x, [0, 2], { alpha: [0.1, 0.2, 0.7], reduction: 'none', weight: [2, 1], labelWeights: [1, 0.5] });
      const base = softmaxFocalLoss(x, [0, 2], { alpha: null, reduction: 'none' });
      expect(pc.lossElements.data[0]).toBeCloseTo(0.1 * 2 * base.lossElements.data[0], 6);
      expect(pc.lossElements.data[1]).toBeCloseTo(0.7 * 0.5 * base.lossElements.data[1], 6);
      const sat = softmaxFocalLoss([[1e4, 0, -1e4], [-1e4, 0, 1e4]], [0, 0], { gamma: 0.5, reduction: 'none' });
      [...sat.grad.data, ...sat.lossElements.data].forEach((v) => expect(Number.isFinite(v)).toBe(true));
      expect(sat.lossElements.data[0]).toBe(0);
      expect(sat.lossElements.data[1]).toBeCloseTo(0.25 * 2e4, 0);
      expect(sat.grad.get(1, 0)).toBeCloseTo(-0.25, 6);
      expect(sat.grad.get(1, 2)).toBeCloseTo(0.25, 6);
    });
  });

  describe('bad input', () => {
    const x = [[0.1, 0.2], [0.3, 0.4]];
    test('shapes', () => {
      expectError(() => sigmoidFocalLoss(x, [1, 0, 1]), 'E_SHAPE', 'targets');
      expectError(() => sigmoidFocalLoss(x, [[1, 0, 1], [0, 0, 0]]), 'E_SHAPE', 'targets');
      expectError(() => sigmoidFocalLoss(x, { data: [1, 0, 0, 1], shape: [1, 4] }), 'E_SHAPE', 'targets');
      expectError(() => sigmoidFocalLoss(x, [[1, 0], [0, 1]], { targetType: 'labels' }), 'E_SHAPE', 'targets');
      expectError(() => sigmoidFocalLoss(x, [0, 1], { targetType: 'onehot' }), 'E_SHAPE', 'targets');
      expectError(() => sigmoidFocalLoss(x, [0, 1], { weight: [1, 2, 3] }), 'E_SHAPE', 'options.weight');
      expectError(() => sigmoidFocalLoss(x, [0, 1], { labelWeights: [1] }), 'E_SHAPE', 'options.labelWeights');
      expectError(() => softmaxFocalLoss([1, 2, 3], [0]), 'E_SHAPE', 'logits');
      expectError(() => softmaxFocalLoss([[1], [2]], [0, 0]), 'E_SHAPE', 'logits');
      expectError(() => softmaxFocalLoss(x, [0]), 'E_SHAPE', 'labels');
      expectError(() => softmaxFocalLoss(x, [0, 1], { alpha: [0.5, 0.5, 0.5] }), 'E_SHAPE', 'options.alpha');
      expectError(() => softmaxFocalLoss(x, [0, 1], { weight: [[1, 1], [1, 1]] }), 'E_SHAPE', 'options.weight');
    });
    test('values', () => {
      expectError(() => sigmoidFocalLoss(x, [0, 3]), 'E_VALUE', 'targets');
      expectError(() => sigmoidFocalLoss(x, [-1, 0]), 'E_VALUE', 'targets');
      // Int32Array labels are checked in place (no float32 round trip): same errors, same index
      expect(expectError(() => sigmoidFocalLoss(x, Int32Array.of(0, 3)), 'E_VALUE', 'targets').message).toMatch(/label 1 is 3/);
      expect(expectError(() => sigmoidFocalLoss(x, Int32Array.of(-1, 0)), 'E_VALUE', 'targets').message).toMatch(/label 0 is -1/);
      expectError(() => sigmoidFocalLoss(x, Int32Array.of(0, 1, 0)), 'E_SHAPE', 'targets');
      expect(sigmoidFocalLoss(x, Int32Array.of(0, 1, 0, 1)).loss).toBe(sigmoidFocalLoss(x, [[0, 1], [0, 1]]).loss); // int32 one-hot
      expect(sigmoidFocalLoss(x, Int32Array.of(1, 2)).loss).toBe(sigmoidFocalLoss(x, [1, 2]).loss);
      expectError(() => sigmoidFocalLoss(x, [0.5, 0]), 'E_VALUE', 'targets');
      expectError(() => sigmoidFocalLoss(x, [[1.5, 0], [0, 0]]), 'E_VALUE', 'targets');
      expectError(() => sigmoidFocalLoss(x, [[0.5, 0], [0, 0]], { compat: 'mmcvClamp' }), 'E_VALUE', 'targets');
      expectError(() => sigmoidFocalLoss([[NaN, 0], [0, 0]], [0, 1]), 'E_VALUE', 'logits');
      expect(expectError(() => sigmoidFocalLoss([[0, 0], [0, -Infinity]], [0, 1]), 'E_VALUE', 'logits').message).toMatch(/element 3 is -Infinity/);
      expect(expectError(() => sigmoidCrossEntropy([[0, 0], [NaN, 0]], [0, 1]), 'E_VALUE', 'logits').message).toMatch(/element 2 is NaN/);
      expectError(() => focalLossStar([[0, Infinity], [0, 0]], [0, 1]), 'E_VALUE', 'logits');
      expectError(() => sigmoidFocalLoss(x, [0, 1], { labelWeights: [[1, 1], [Infinity, 1]] }), 'E_VALUE', 'options.labelWeights');
      expectError(() => sigmoidFocalLoss(x, [0, 1], { weight: [[1, 1], [1, NaN]] }), 'E_VALUE', 'options.weight');
      expect(expectError(() => softmaxFocalLoss([[0, 0], [0, NaN]], [0, 1]), 'E_VALUE', 'logits').message).toMatch(/element 3 is NaN/);
      expectError(() => softmaxFocalLoss(x, [0, 1], { weight: [1, NaN] }), 'E_VALUE', 'options.weight');
      expectError(() => sigmoidFocalLoss(x, [[0, 0], [Infinity, 0]]), 'E_VALUE', 'targets');
      expectError(() => sigmoidFocalLoss(x, [NaN, 0]), 'E_VALUE', 'targets');
      expectError(() => sigmoidFocalLoss(x, [[0, NaN], [0, 0]]), 'E_VALUE', 'targets');
      expectError(() => sigmoidFocalLoss(x, [0, 1], { weight: [NaN, 1] }), 'E_VALUE', 'options.weight');
      expectError(() => sigmoidFocalLoss(x, [0, 1], { gamma: -0.5 }), 'E_VALUE', 'options.gamma');
      expectError(() => sigmoidFocalLoss(x, [0, 1], { alpha: -1 }), 'E_VALUE', 'options.alpha');
      expectError(() => sigmoidFocalLoss(x, [0, 1], { alpha: 1.5 }), 'E_VALUE', 'options.alpha');
      expectError(() => sigmoidFocalLoss(x, [0, 1], { avgFactor: -1 }), 'E_VALUE', 'options.avgFactor');
      expectError(() => focalLossStar(x, [0, 1], { gamma: 0 }), 'E_VALUE', 'options.gamma');
      expectError(() => softmaxFocalLoss(x, [0, 2]), 'E_VALUE', 'labels');
      expectError(() => softmaxFocalLoss(x, [0, 0.5]), 'E_VALUE', 'labels');
      expectError(() => softmaxFocalLoss(x, [0, 1], { gamma: -1 }), 'E_VALUE', 'options.gamma');
      expectError(() => softmaxFocalLoss(x, [0, 1], { alpha: [0.5, 2] }), 'E_VALUE', 'options.alpha');
    });
    test('options and types', () => {
      expectError(() => sigmoidFocalLoss(x, [0, 1], { reduction: 'avg' as never }), 'E_OPTION', 'options.reduction');
      expectError(() => sigmoidFocalLoss(x, [0, 1], { reduction: 'sum', avgFactor: 3 }), 'E_OPTION', 'options.avgFactor');
      expectError(() => sigmoidFocalLoss(x, [0, 1], { compat: 'cuda' as never }), 'E_OPTION', 'options.compat');
      expectError(() => sigmoidFocalLoss(x, [0, 1], { targetType: 'index' as never }), 'E_OPTION', 'options.targetType');
      expectError(() => sigmoidFocalLoss(x, [0, 1], { beta: 1 } as never), 'E_OPTION', 'options.beta');
      expectError(() => sigmoidCrossEntropy(x, [0, 1], { gamma: 2 } as never), 'E_OPTION', 'options.gamma');
      expectError(() => sigmoidFocalLoss(x, [0, 1], { alpha: '0.25' as never }), 'E_TYPE', 'options.alpha');
      expectError(() => sigmoidFocalLoss(null as never, [0, 1]), 'E_TYPE', 'logits');
      expectError(() => sigmoidFocalLoss(x, [0, 1], 3 as never), 'E_TYPE', 'options');
      expectError(() => softmaxFocalLoss(x, [0, 1], { reduction: 'sum', avgFactor: 1 }), 'E_OPTION', 'options.avgFactor');
    });
  });
});

describe('backend agreement', () => {
  const rnd = lcg(2024);
  const n = 37, c = 21; // not a multiple of any vector width: exercises the loop tails
  const x = Array.from({ length: n * c }, (_, k) => (k % 17 === 0 ? (rnd() < 0.5 ? -1 : 1) * (50 + rnd() * 1e4) : (rnd() - 0.5) * 16));
  const logits = { data: x, shape: [n, c] };
  const labels = Array.from({ length: n }, () => Math.floor(rnd() * (c + 1)));
  const soft = { data: Array.from({ length: n * c }, (_, k) => (k % 3 === 0 ? rnd() : k % 3 === 1 ? 0 : 1)), shape: [n, c] };
  const weight = Array.from({ length: n * c }, () => rnd());
  const lw = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : 1));
  const tol = { abs: 1e-5, rel: 1e-5 };
  const cases: [string, () => LossResult][] = [
    ['focal labels', () => sigmoidFocalLoss(logits, labels, { labelWeights: lw, avgFactor: 9 })],
    ['focal soft', () => sigmoidFocalLoss(logits, soft, { weight, reduction: 'sum' })],
    ['focal γ=0.5 α off', () => sigmoidFocalLoss(logits, labels, { gamma: 0.5, alpha: null, reduction: 'none' })],
    ['focal mmcvClamp', () => sigmoidFocalLoss(logits, labels, { compat: 'mmcvClamp', reduction: 'none' })],
    ['ce α', () => sigmoidCrossEntropy(logits, labels, { alpha: 0.3, weight })],
    ['ce soft', () => sigmoidCrossEntropy(logits, soft, { reduction: 'none' })],
    ['FL* γ=3 β=−1', () => focalLossStar(logits, labels, { gamma: 3, beta: -1, reduction: 'sum' })],
    ['FL* soft', () => focalLossStar(logits, soft, { gamma: 2, reduction: 'none' })],
    ['softmax', () => softmaxFocalLoss(logits, labels.map((l) => l % c), { weight: lw, alpha: Array.from({ length: c }, (_, j) => (j + 1) / (c + 1)) })],
    ['softmax γ=0.3', () => softmaxFocalLoss(logits, labels.map((l) => l % c), { gamma: 0.3, reduction: 'none' })],
  ];
  // several kernel blocks (~4096 elements each) with a partial last block
  const bn = 301, bc = 29;
  const bx = { data: Array.from({ length: bn * bc }, () => (rnd() - 0.5) * 20), shape: [bn, bc] };
  const blabels = Array.from({ length: bn }, () => Math.floor(rnd() * (bc + 1)));
  const bsoft = { data: Array.from({ length: bn * bc }, (_, k) => (k % 1000 === 5 ? 0.5 : k % 31 === 0 ? 1 : 0)), shape: [bn, bc] };
  const bw = Array.from({ length: bn * bc }, () => rnd());
  cases.push(
    ['multi-block focal labels, [N,C] weights', () => sigmoidFocalLoss(bx, blabels, { weight: bw, reduction: 'sum' })],
    ['multi-block focal one-hot with a few soft values', () => sigmoidFocalLoss(bx, bsoft, { gamma: 1.5, reduction: 'none' })],
    ['multi-block softmax', () => softmaxFocalLoss(bx, blabels.map((l) => l % bc), { weight: bw.slice(0, bn), reduction: 'none' })],
  );
  for (const [name, fn] of cases) {
    test(name, () => {
      const r = onEveryBackend(fn);
      for (const b of ['native', 'wasm'] as const) {
        expect(r[b].grad.shape).toEqual(r.ts.grad.shape);
        expectClose(r[b].loss, r.ts.loss, { abs: 1e-4, rel: 1e-5 }, `${name} ${b} loss`);
        expectClose(r[b].lossElements.data, Array.from(r.ts.lossElements.data), { abs: 1e-4, rel: 1e-5 }, `${name} ${b} elements`);
        expectClose(r[b].grad.data, Array.from(r.ts.grad.data), tol, `${name} ${b} grad`);
      }
    });
  }
});

test('property: every backend agrees on random shapes, targets, weights and options', () => {
  const elem = fc.oneof(fc.double({ min: -40, max: 40, noNaN: true }), fc.constantFrom(-1e4, -150, 150, 1e4));
  const input = fc.record({ n: fc.integer({ min: 0, max: 9 }), c: fc.integer({ min: 1, max: 37 }) }).chain(({ n, c }) => fc.record({
    n: fc.constant(n),
    c: fc.constant(c),
    x: fc.array(elem, { minLength: n * c, maxLength: n * c }),
    labels: fc.array(fc.integer({ min: 0, max: c }), { minLength: n, maxLength: n }),
    soft: fc.array(fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: n * c, maxLength: n * c }),
    w: fc.option(fc.array(fc.double({ min: 0, max: 3, noNaN: true }), { minLength: n, maxLength: n }), { nil: undefined }),
    kind: fc.constantFrom('focal', 'focalMmcv', 'ce', 'star'),
    useSoft: fc.boolean(),
    gamma: fc.constantFrom(0, 0.5, 1, 2, 2.5),
    alpha: fc.constantFrom(null, 0, 0.25, 1),
    reduction: fc.constantFrom('none', 'mean', 'sum'),
  }));
  fc.assert(
    fc.property(input, (p) => {
      const logits = { data: p.x, shape: [p.n, p.c] };
      const targets = p.useSoft && p.kind !== 'focalMmcv' ? { data: p.soft, shape: [p.n, p.c] } : p.labels;
      const common = { reduction: p.reduction as 'none', weight: p.w, targetType: (targets === p.labels ? 'labels' : 'onehot') as 'labels' };
      const run = (): LossResult => {
        if (p.kind === 'ce') return sigmoidCrossEntropy(logits, targets, { ...common, alpha: p.alpha });
        if (p.kind === 'star') return focalLossStar(logits, targets, { ...common, gamma: p.gamma + 0.5 });
        return sigmoidFocalLoss(logits, targets, { ...common, alpha: p.alpha, gamma: p.gamma, compat: p.kind === 'focalMmcv' ? 'mmcvClamp' : 'stable' });
      };
      const r = onEveryBackend(run);
      for (const b of ['native', 'wasm'] as const) {
        expectClose(r[b].loss, r.ts.loss, { abs: 1e-4, rel: 2e-5 }, `${b} loss`);
        expectClose(r[b].lossElements.data, Array.from(r.ts.lossElements.data), { abs: 1e-4, rel: 2e-5 }, `${b} elements`);
        expectClose(r[b].grad.data, Array.from(r.ts.grad.data), { abs: 1e-5, rel: 2e-5 }, `${b} grad`);
      }
    }),
    { numRuns: 150 },
  );
});

describe('gradients vs central finite differences (float64, TS reference)', () => {
  const fd = (f: (x: number) => number, x: number) => {
    const h = 1e-5;
    return (f(x + h) - f(x - h)) / (2 * h);
  };
  const logit = fc.oneof(
    fc.double({ min: -30, max: 30, noNaN: true }),
    fc.constantFrom(-1e4, -1000, -100, -40, -17, 17, 40, 100, 1000, 1e4),
  );
  const target = fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0.01, max: 0.99, noNaN: true }));
  const alpha = fc.oneof(fc.constant(null), fc.double({ min: 0, max: 1, noNaN: true }));
  const gamma = fc.oneof(fc.constantFrom(0, 0.25, 0.5, 1, 2, 5), fc.double({ min: 0, max: 4, noNaN: true }));

  const check = (kind: number, x: number, y: number, a: number | null, g: number, b: number) => {
    const [l, grad] = sigmoidElem(kind, x, y, a, g, b);
    expect(Number.isFinite(l) && Number.isFinite(grad)).toBe(true);
    const num = fd((v) => sigmoidElem(kind, v, y, a, g, b)[0], x);
    expect(Math.abs(grad - num)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(num)) + 1e-9 * Math.abs(l));
  };

  test('CE / α-CE', () => {
    fc.assert(fc.property(logit, target, alpha, (x, y, a) => check(0, x, y, a, 0, 0)), { numRuns: 400 });
  });
  test('sigmoid focal loss (every γ ≥ 0, saturated logits, soft targets)', () => {
    fc.assert(fc.property(logit, target, alpha, gamma, (x, y, a, g) => check(1, x, y, a, g, 0)), { numRuns: 800 });
  });
  test('FL*', () => {
    fc.assert(
      fc.property(logit, target, alpha, fc.double({ min: 0.1, max: 5, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }),
        (x, y, a, g, b) => check(3, x, y, a, g, b)),
      { numRuns: 400 },
    );
  });
  test('mmcvClamp away from the clamp equals the analytic gradient', () => {
    fc.assert(
      fc.property(fc.double({ min: -8, max: 8, noNaN: true }), fc.constantFrom(0, 1), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.5, 1, 2),
        (x, y, a, g) => {
          const [l, grad] = sigmoidElem(2, x, y, a, g, 0);
          const [l2, grad2] = sigmoidElem(1, x, y, a, g, 0);
          expect(Math.abs(l - l2)).toBeLessThan(1e-5 * (1 + l2));
          expect(Math.abs(grad - grad2)).toBeLessThan(1e-5);
        }),
      { numRuns: 200 },
    );
  });
  test('softmax focal loss', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 7 }).chain((k) => fc.tuple(
          fc.array(fc.oneof(fc.double({ min: -20, max: 20, noNaN: true }), fc.constantFrom(-500, 500)), { minLength: k, maxLength: k }),
          fc.integer({ min: 0, max: k - 1 }),
        )),
        fc.double({ min: 0, max: 1, noNaN: true }), gamma,
        ([x, y], a, g) => {
          const [l, grad] = softmaxFocalRow(x, y, a, g);
          expect(Number.isFinite(l)).toBe(true);
          let s = 0;
          x.forEach((xj, j) => {
            const num = fd((v) => softmaxFocalRow(x.map((u, i) => (i === j ? v : u)), y, a, g)[0], xj);
            expect(Number.isFinite(grad[j])).toBe(true);
            expect(Math.abs(grad[j] - num)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(num)) + 1e-9 * l);
            s += grad[j];
          });
          expect(Math.abs(s)).toBeLessThan(1e-9 * (1 + Math.abs(grad[y])));
        }),
      { numRuns: 300 },
    );
  });
  test('the public API gradient is the gradient of the reduced loss (float32, weights, avgFactor, lossWeight)', () => {
    const rnd = lcg(11);
    const n = 4, c = 3;
    const x = Array.from({ length: n * c }, () => (rnd() - 0.5) * 6);
    const labels = [0, 3, 2, 1];
    const opts = { weight: [0.5, 1, 2, 0.25], labelWeights: Array.from({ length: n * c }, (_, k) => (k === 4 ? 0 : 1)), avgFactor: 2.5, lossWeight: 1.7 };
    const fns: [string, (v: number[]) => LossResult][] = [
      ['focal', (v) => sigmoidFocalLoss({ data: v, shape: [n, c] }, labels, { ...opts, gamma: 1.5 })],
      ['ce', (v) => sigmoidCrossEntropy({ data: v, shape: [n, c] }, labels, { ...opts, alpha: 0.3 })],
      ['flstar', (v) => focalLossStar({ data: v, shape: [n, c] }, labels, { ...opts, gamma: 2, beta: 0.5 })],
      ['softmax', (v) => softmaxFocalLoss({ data: v, shape: [n, c] }, [0, 2, 2, 1], { weight: opts.weight, avgFactor: 2.5, lossWeight: 1.7 })],
    ];
    for (const [name, f] of fns) {
      const g = f(x).grad.data;
      for (let k = 0; k < n * c; k++) {
        const h = 1e-2;
        const up = x.slice(), dn = x.slice();
        up[k] += h;
        dn[k] -= h;
        const num = (f(up).loss - f(dn).loss) / (2 * h);
        expect(Math.abs(g[k] - num)).toBeLessThan(2e-3 * (1 + Math.abs(num)));
        if (name !== 'softmax' && k === 4) expect(g[k]).toBe(0);
      }
    }
  });
});

describe('softmax focal loss does not depend on a common logit offset', () => {
  forEachBackend(() => {
    test.each([0, 1e4, 1e6, 1e8])('offset %d: equal logits give log K and the uniform gradient', (off) => {
      const r = softmaxFocalLoss([[off, off, off]], [1], { gamma: 0, alpha: null, reduction: 'sum' });
      expect(r.loss).toBeCloseTo(Math.log(3), 5);
      expectClose(r.grad.data, [1 / 3, -2 / 3, 1 / 3], { abs: 1e-6, rel: 1e-5 });
    });
  });
});
