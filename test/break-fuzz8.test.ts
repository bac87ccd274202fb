/**
 * Breaker round 8: a differential fuzz of the library across native, wasm and ts on random small
 * inputs, aimed at what the CI fuzz (test/fuzz/harness.ts) does not generate: non-finite and
 * out-of-range values planted in the inputs, other containers (Float64Array, Int32Array, plain
 * nested arrays, a Float32Array view at a byte offset), option values outside their range, label
 * weights / avgFactor / alpha on the focal loss, and evaluateCoco on random datasets. Each case runs
 * on the three backends: they must all succeed with results within the harness's float32 tolerance
 * (`1e-4` relative plus `1e-5` of the largest output; integer outputs exactly), or all throw a
 * `SoftSamplingError` with the same `code` and `arg` (never another error, never `E_PANIC`).
 */
import fc from 'fast-check';
import * as lib from '../ts/index';
import { BACKENDS } from './helpers';
import { outcome, compare, type Outcome } from './fuzz/harness';

const run = (fn: () => unknown): Outcome => outcome(lib, fn, ['state', 'params']);
/** The first disagreement of `b` with the reference `a` (ts), or null (integer leaves exactly). */
const differ = (a: Outcome, b: Outcome, tol: { rel: number; abs: number }) => compare(a, b, false, 0, undefined, tol);

const show = (c: unknown) => JSON.stringify(c, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : ArrayBuffer.isView(v) ? `${v.constructor.name}(${Array.from(v as Float32Array).join(',')})` : v)).slice(0, 600);

/** Runs `call` on each generated case on every backend; collects disagreements, foreign errors and NaN outputs. */
function check<T>(arb: fc.Arbitrary<T>, call: (c: T) => unknown, opts: { runs: number; seed: number; tol?: { rel: number; abs: number }; finite?: boolean }) {
  const tol = opts.tol ?? { rel: 1e-4, abs: 1e-5 };
  const problems: string[] = [];
  let ok = 0, errs = 0;
  const census: Record<string, number> = {};
  try {
    for (const c of fc.sample(arb, { seed: opts.seed, numRuns: opts.runs })) {
      const out = BACKENDS.map((b) => {
        lib.useBackend(b);
        return run(() => call(c));
      });
      out.forEach((o, i) => {
        if (!o.ok && o.foreign) problems.push(`foreign error on ${BACKENDS[i]}: ${o.code} ${o.message} :: ${show(c)}`);
        if (o.ok && opts.finite !== false && o.leaves.some((l) => Number.isNaN(l.v))) problems.push(`NaN output on ${BACKENDS[i]} at ${o.leaves.find((l) => Number.isNaN(l.v))!.path} :: ${show(c)}`);
      });
      for (const i of [0, 1]) {
        const d = differ(out[2], out[i], tol);
        if (d) problems.push(`${BACKENDS[i]} vs ts: ${d} :: ${show(c)}`);
      }
      if (out[2].ok) ok++;
      else {
        errs++;
        const e = out[2] as Extract<Outcome, { ok: false }>;
        census[`${e.code} ${e.arg} ${e.message.slice(0, 50)}`] = (census[`${e.code} ${e.arg} ${e.message.slice(0, 50)}`] ?? 0) + 1;
      }
    }
  } finally {
    lib.useBackend('auto');
  }
  if (process.env.BREAK8_CENSUS) console.log(ok, errs, census);
  return { problems: problems.slice(0, 8), ok, errs };
}

// ---------------------------------------------------------------------------------------------
// inputs

const f32 = Math.fround;
/** A value planted in a numeric input: non-finite, beyond float32, beyond the documented 1e18, or a non-number. */
const poison = fc.constantFrom<unknown>(NaN, Infinity, -Infinity, 1e39, -3.5e38, 2e19, '1', null, undefined, true);
const coord = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: -5, max: 40 }) }, { weight: 2, arbitrary: fc.double({ min: -50, max: 50, noNaN: true }).map(f32) }, { weight: 1, arbitrary: fc.constantFrom(-0, 1e-30, 1e15) });
const box = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(coord, coord, fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 })).map(([x, y, w, h]) => [x, y, f32(x + w), f32(y + h)]) },
  { weight: 1, arbitrary: fc.tuple(coord, coord, coord, coord) },
);
const logit = fc.oneof({ weight: 8, arbitrary: fc.double({ min: -10, max: 10, noNaN: true }).map(f32) }, { weight: 1, arbitrary: fc.constantFrom(0, -0, 30, -30, 90, -90, 1e-7) });
const unit = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }).map(f32), fc.constantFrom(0, 0.5, 1));

/** How a numeric matrix is passed: Float32Array + shape, Float64Array + shape, nested arrays, a Float32Array view at an odd element offset, or Int32Array (truncated values). */
const container = fc.constantFrom('f32', 'f32', 'f64', 'nested', 'view', 'view', 'i32');
function pack(data: unknown[], shape: number[], how: string): unknown {
  const nums = data as number[];
  if (how === 'nested') {
    if (shape.length === 1) return data.slice();
    const [n, k] = shape;
    return Array.from({ length: n }, (_, i) => data.slice(i * k, (i + 1) * k));
  }
  if (data.some((v) => typeof v !== 'number')) return { data: data.slice(), shape }; // a plain array with a non-number
  if (how === 'f64') return { data: Float64Array.from(nums), shape };
  if (how === 'i32') return { data: Int32Array.from(nums), shape };
  if (how === 'view') {
    const buf = new Float32Array(nums.length + 3);
    buf.set(nums, 3);
    return { data: buf.subarray(3), shape };
  }
  return { data: Float32Array.from(nums), shape };
}
/** Data with, one time in six, one element replaced by a poison value. */
const maybePoisoned = (data: fc.Arbitrary<unknown[]>) =>
  fc.tuple(data, fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.tuple(fc.nat(), poison) })).map(([d, p]) => {
    if (!p || !d.length) return d;
    const out = d.slice();
    out[p[0] % out.length] = p[1];
    return out;
  });
const matrix = (n: number, k: number, v: fc.Arbitrary<unknown>) => maybePoisoned(fc.array(v, { minLength: n * k, maxLength: n * k }));
const boxList = (min: number, max: number) => fc.array(box, { minLength: min, maxLength: max }).chain((bs) => maybePoisoned(fc.constant(bs.flat())).map((d) => ({ d, n: bs.length })));
/** An option: absent, a value in range, or one outside it. */
const opt = <T>(good: fc.Arbitrary<T>, bad: unknown[]) => fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 4, arbitrary: good as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: fc.constantFrom(...bad) });

/** Cases per op (scaled per test); a longer run: BREAK8_RUNS=1500 BREAK8_SEED=7 npx jest test/break-fuzz8.test.ts (BREAK8_CENSUS=1 prints what the ts backend threw, per test). */
const RUNS = Number(process.env.BREAK8_RUNS ?? 150);
const SEED = Number(process.env.BREAK8_SEED ?? 0);

describe('differential fuzz across native / wasm / ts, bad inputs included (break round 8)', () => {
  test('bboxOverlaps (iou / iof / giou, aligned or not, any container, planted bad coordinates)', () => {
    const arb = fc.record({ a: boxList(0, 5), b: boxList(0, 5), how: container, mode: fc.constantFrom('iou', 'iof', 'giou', 'diou'), aligned: fc.boolean(), eps: opt(fc.constantFrom(1e-6, 1), [0, -1, NaN]) });
    const r = check(arb, (c) => {
      const nb = c.aligned ? c.a.n : c.b.n;
      const bd = c.aligned ? Array.from({ length: nb * 4 }, (_, i) => c.b.d[i % Math.max(c.b.d.length, 1)] ?? 1) : c.b.d;
      return lib.bboxOverlaps(pack(c.a.d, [c.a.n, 4], c.how) as never, pack(bd, [nb, 4], c.how) as never, { mode: c.mode as never, aligned: c.aligned, eps: c.eps as never });
    }, { runs: 4 * RUNS, seed: SEED + 8001 });
    expect(r.problems).toEqual([]);
    expect(r.ok).toBeGreaterThan(RUNS);
    expect(r.errs).toBeGreaterThan(RUNS / 4);
  });

  test('sigmoidFocalLoss (labels or dense targets, labelWeights, avgFactor, alpha, gamma, reduction)', () => {
    const arb = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 4 })).chain(([n, k]) => fc.record({
      n: fc.constant(n), k: fc.constant(k), x: matrix(n, k, logit), how: container, dense: fc.boolean(),
      labels: maybePoisoned(fc.array(fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 0, max: k }) }, { weight: 1, arbitrary: fc.constantFrom(-1, k + 1, 0.5) }), { minLength: n, maxLength: n })), y: matrix(n, k, unit),
      lw: fc.option(matrix(n, 1, unit), { nil: undefined }), avgFactor: opt(fc.constantFrom(1, 3.5, 1e-3), [0, -1, NaN, Infinity]),
      alpha: opt(fc.constantFrom(0.25, 0, 1), [-1, 2, NaN, 'x']), gamma: opt(fc.constantFrom(0, 0.5, 2, 5), [-1, NaN, Infinity]), reduction: opt(fc.constantFrom('mean', 'sum', 'none'), ['avg']),
    }));
    const r = check(arb, (c) => lib.sigmoidFocalLoss(pack(c.x, [c.n, c.k], c.how) as never, (c.dense ? pack(c.y, [c.n, c.k], c.how) : pack(c.labels, [c.n], c.how === 'nested' ? 'nested' : 'f32')) as never, {
      labelWeights: c.lw && (pack(c.lw, [c.n], 'f32') as never), avgFactor: c.avgFactor as never, alpha: c.alpha as never, gamma: c.gamma as never, reduction: c.reduction as never,
    }), { runs: 3 * RUNS, seed: SEED + 8002 });
    expect(r.problems).toEqual([]);
    expect(r.ok).toBeGreaterThan(RUNS / 2);
    expect(r.errs).toBeGreaterThan(RUNS / 4);
  });

  test('ghmcLoss (labels or one-hot, labelWeights, bins, momentum over steps) and ghmrLoss (mu, bins)', () => {
    const arb = fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 3 })).chain(([n, k]) => fc.record({
      n: fc.constant(n), k: fc.constant(k), x: matrix(n, k, logit), how: container, onehot: fc.boolean(),
      labels: maybePoisoned(fc.array(fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 0, max: k }) }, { weight: 1, arbitrary: fc.constantFrom(-1, k + 1) }), { minLength: n, maxLength: n })), y: matrix(n, k, fc.constantFrom(0, 1, 0.5)),
      lw: fc.option(matrix(n, 1, unit), { nil: undefined }), bins: opt(fc.integer({ min: 1, max: 30 }), [0, -3, 2.5, NaN, 1e9]), momentum: opt(fc.constantFrom(0, 0.75), [1, -0.1, NaN]), steps: fc.integer({ min: 1, max: 3 }),
    }));
    const r = check(arb, (c) => {
      const bins = typeof c.bins === 'number' && Number.isInteger(c.bins) && c.bins >= 1 && c.bins <= 30 ? c.bins : 10;
      const state = c.momentum ? lib.createGhmState(bins) : undefined;
      let out: unknown;
      for (let s = 0; s < c.steps; s++) {
        out = lib.ghmcLoss(pack(c.x, [c.n, c.k], c.how) as never, (c.onehot ? pack(c.y, [c.n, c.k], c.how) : pack(c.labels, [c.n], 'f32')) as never, {
          labelWeights: c.lw && (pack(c.lw, [c.n], 'f32') as never), bins: c.bins as never, momentum: c.momentum as never, state, targetType: c.onehot ? 'onehot' : 'labels',
        });
      }
      return out;
    }, { runs: 2 * RUNS, seed: SEED + 8003 });
    expect(r.problems).toEqual([]);
    expect(r.ok).toBeGreaterThan(RUNS / 3);

    const delta = fc.oneof(fc.double({ min: -3, max: 3, noNaN: true }).map(f32), fc.constantFrom(0, 0.02, -0.02, 50));
    const arbR = fc.integer({ min: 0, max: 6 }).chain((n) => fc.record({ n: fc.constant(n), p: matrix(n, 4, delta), q: matrix(n, 4, delta), how: container, mu: opt(fc.constantFrom(0.02, 1), [0, -1, NaN]), bins: opt(fc.integer({ min: 1, max: 30 }), [0, 2.5, NaN]), lw: fc.option(matrix(n, 4, unit), { nil: undefined }) }));
    const rr = check(arbR, (c) => lib.ghmrLoss(pack(c.p, [c.n, 4], c.how) as never, pack(c.q, [c.n, 4], c.how) as never, { mu: c.mu as never, bins: c.bins as never, labelWeights: c.lw && (pack(c.lw, [c.n, 4], 'f32') as never) }), { runs: 2 * RUNS, seed: SEED + 8004 });
    expect(rr.problems).toEqual([]);
    expect(rr.ok).toBeGreaterThan(RUNS / 3);
  });

  test('isrP and carlLoss (PISA): ious or boxes, k / bias / avgFactor in and out of range', () => {
    const arb = fc.integer({ min: 0, max: 8 }).chain((n) => fc.record({
      n: fc.constant(n), labels: maybePoisoned(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n })), gt: maybePoisoned(fc.array(fc.integer({ min: -1, max: 3 }), { minLength: n, maxLength: n })),
      ious: matrix(n, 1, fc.double({ min: 0, max: 1, noNaN: true }).map(f32)), posLoss: matrix(n, 1, unit), k: opt(fc.constantFrom(0, 1, 2), [-1, NaN]), bias: opt(fc.constantFrom(0, 0.2, 1), [-0.5, NaN, 2]),
    }));
    const r = check(arb, (c) => lib.isrP({ labels: Float32Array.from(c.labels.map(Number)), gtInds: Float32Array.from(c.gt.map(Number)), ious: pack(c.ious, [c.n], 'f32') as never, posLoss: pack(c.posLoss, [c.n], 'f32') as never } as never, { k: c.k as never, bias: c.bias as never }), { runs: 2 * RUNS, seed: SEED + 8005 });
    // (importance and weights come from ranks, which may flip on a float32 tie: compare only the errors and the shapes there)
    expect(r.problems.filter((p) => !/^(native|wasm) vs ts: \.(importance|weights|ratio)/.test(p))).toEqual([]);

    const delta = fc.oneof(fc.double({ min: -2, max: 2, noNaN: true }).map(f32), fc.constantFrom(0, 1e-4));
    const arbC = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 3 }), fc.boolean()).chain(([n, C, sig]) => fc.record({
      n: fc.constant(n), C: fc.constant(C), sig: fc.constant(sig), s: matrix(n, sig ? C : C + 1, logit), labels: maybePoisoned(fc.array(fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 0, max: C }) }, { weight: 1, arbitrary: fc.constantFrom(-1, C + 1) }), { minLength: n, maxLength: n })),
      bp: matrix(n, 4, delta), bt: matrix(n, 4, delta), how: container, avgFactor: opt(fc.constantFrom(1, 4), [0, -2, NaN]), k: opt(fc.constantFrom(0, 1, 2), [-1, NaN]), bias: opt(fc.constantFrom(0, 0.2), [NaN, -1]),
    }));
    const rc = check(arbC, (c) => lib.carlLoss(pack(c.s, [c.n, c.sig ? c.C : c.C + 1], c.how) as never, Float32Array.from(c.labels.map(Number)), pack(c.bp, [c.n, 4], c.how) as never, pack(c.bt, [c.n, 4], c.how) as never, {
      numClasses: c.C, sigmoid: c.sig, avgFactor: c.avgFactor as never, k: c.k as never, bias: c.bias as never,
    }), { runs: 2 * RUNS, seed: SEED + 8006 });
    expect(rc.problems).toEqual([]);
    expect(rc.ok).toBeGreaterThan(RUNS / 3);
  });

  test('maxIouAssign (thresholds in and out of range, gtLabels, planted bad boxes)', () => {
    const arb = fc.record({ p: boxList(0, 8), g: boxList(0, 4), how: container, pos: fc.constantFrom(0.5123, 0.7071, 0.5123, 0.7071, 0.5123, 1.5, NaN), neg: fc.constantFrom(0.3917, 0.1, 0.3917, 0.1, -0.1, 0.9), minPos: opt(fc.constantFrom(0, 0.2371), [-1, NaN]), lowQ: fc.option(fc.boolean(), { nil: undefined }), labels: fc.boolean() });
    const r = check(arb, (c) => lib.maxIouAssign(pack(c.p.d, [c.p.n, 4], c.how) as never, pack(c.g.d, [c.g.n, 4], c.how) as never, {
      posIouThr: c.pos, negIouThr: c.neg, minPosIou: c.minPos as never, matchLowQuality: c.lowQ, gtLabels: c.labels ? Int32Array.from({ length: c.g.n }, (_, i) => i % 3) : undefined,
    }), { runs: 3 * RUNS, seed: SEED + 8007 });
    expect(r.problems).toEqual([]);
    expect(r.ok).toBeGreaterThan(RUNS / 3);
    expect(r.errs).toBeGreaterThan(RUNS / 4);
  });

  test('evaluateCoco on random small datasets (crowd gt, score ties, empty categories) and malformed records', () => {
    const ann = fc.record({ image_id: fc.integer({ min: 1, max: 3 }), category_id: fc.integer({ min: 1, max: 3 }), bbox: fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 120 })), iscrowd: fc.constantFrom(0, 0, 0, 1) });
    const det = fc.record({ image_id: fc.integer({ min: 1, max: 3 }), category_id: fc.integer({ min: 1, max: 3 }), bbox: fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 120 })), score: fc.oneof(fc.constantFrom(0.5, 0.25, 0.9), fc.double({ min: 0, max: 1, noNaN: true })) });
    const bad = fc.option(fc.tuple(fc.constantFrom('bbox', 'score', 'image_id', 'category_id', 'area'), fc.constantFrom<unknown>(NaN, -5, Infinity, 'x', null, 99, [1, 2, 3])), { freq: 2, nil: undefined });
    const arb = fc.record({ anns: fc.array(ann, { maxLength: 12 }), dets: fc.array(det, { maxLength: 14 }), bad, badDet: fc.boolean(), useCats: fc.option(fc.boolean(), { nil: undefined }) });
    const r = check(arb, (c) => {
      const gt = {
        images: [1, 2, 3].map((id) => ({ id })), categories: [1, 2, 3].map((id) => ({ id, name: `c${id}` })),
        annotations: c.anns.map((a, i) => ({ id: i + 1, ...a, bbox: [...a.bbox], area: a.bbox[2] * a.bbox[3] } as Record<string, unknown>)),
      };
      const dets = c.dets.map((d) => ({ ...d, bbox: [...d.bbox] } as Record<string, unknown>));
      if (c.bad) {
        const [field, v] = c.bad;
        const list = c.badDet || !gt.annotations.length ? dets : gt.annotations;
        if (list.length) {
          if (field === 'bbox') (list[0].bbox as unknown[])[2] = v;
          else list[0][field] = v;
        }
      }
      return lib.evaluateCoco(gt, dets, c.useCats === undefined ? undefined : { useCats: c.useCats });
    }, { runs: RUNS, seed: SEED + 8008, tol: { rel: 1e-9, abs: 1e-12 }, finite: false });
    expect(r.problems).toEqual([]);
    expect(r.ok).toBeGreaterThan(RUNS / 2);
  }, 60000);
  test('evaluateCoco with its options (iouThrs, recThrs, maxDets, areaRanges, legacyOffset) in and out of range, fractional boxes', () => {
    const xywh = fc.tuple(fc.double({ min: 0, max: 50, noNaN: true }), fc.double({ min: 0, max: 50, noNaN: true }), fc.oneof(fc.integer({ min: 0, max: 80 }), fc.double({ min: 0, max: 80, noNaN: true })), fc.oneof(fc.integer({ min: 0, max: 80 }), fc.double({ min: 0, max: 80, noNaN: true })));
    const ann = fc.record({ image_id: fc.integer({ min: 1, max: 2 }), category_id: fc.integer({ min: 1, max: 2 }), bbox: xywh, iscrowd: fc.constantFrom(0, 0, 0, 1, true, false) });
    const det = fc.record({ image_id: fc.integer({ min: 1, max: 2 }), category_id: fc.integer({ min: 1, max: 2 }), bbox: xywh, score: fc.oneof(fc.constantFrom(0.5, 0.9, 0, 1), fc.double({ min: 0, max: 1, noNaN: true })) });
    const thr = fc.oneof({ weight: 8, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) }, { weight: 2, arbitrary: fc.constantFrom(0, 1, 0.5, 0.75) }, { weight: 1, arbitrary: fc.constantFrom(-0.1, 1.5, NaN) });
    const arb = fc.record({
      anns: fc.array(ann, { maxLength: 8 }), dets: fc.array(det, { maxLength: 10 }),
      iouThrs: fc.option(fc.array(thr, { minLength: 0, maxLength: 4 }), { nil: undefined, freq: 2 }),
      recThrs: fc.option(fc.array(thr, { minLength: 0, maxLength: 5 }), { nil: undefined, freq: 2 }),
      maxDets: fc.option(fc.oneof(fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 3 }).map((a) => a.sort((x, y) => x - y)), fc.constantFrom([3, 1], [], [2.5], [-1], [1e9])), { nil: undefined, freq: 2 }),
      areaRanges: fc.option(fc.oneof(fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 3000 })).map(([a, b]) => ({ label: `r${a}`, range: [Math.min(a, b), Math.max(a, b)] as [number, number] })), { minLength: 1, maxLength: 3 }), fc.constantFrom([{ label: 'x', range: [10, 1] }], [], [{ label: 'y', range: [0, Infinity] }])), { nil: undefined, freq: 2 }),
      legacyOffset: fc.option(fc.boolean(), { nil: undefined }), useCats: fc.option(fc.boolean(), { nil: undefined }),
    });
    const r = check(arb, (c) => {
      const gt = { images: [{ id: 1 }, { id: 2 }], categories: [{ id: 1, name: 'a' }, { id: 2, name: 'b' }], annotations: c.anns.map((a, i) => ({ id: i, ...a, bbox: [...a.bbox] })) };
      const o: Record<string, unknown> = {};
      for (const k of ['iouThrs', 'recThrs', 'maxDets', 'areaRanges', 'legacyOffset', 'useCats'] as const) if (c[k] !== undefined) o[k] = c[k];
      return lib.evaluateCoco(gt, c.dets.map((d) => ({ ...d, bbox: [...d.bbox] })), o as never);
    }, { runs: RUNS, seed: SEED + 8009, tol: { rel: 1e-9, abs: 1e-12 }, finite: false });
    expect(r.problems).toEqual([]);
    expect(r.ok).toBeGreaterThan(RUNS / 4);
  }, 60000);
});

describe('evaluateCoco: maxDets at the top of its documented range (break round 8)', () => {
  test('maxDets 2^31 and 2^32 − 1 (accepted: positive integers below 2^32) mean "every detection", as 1000 does here, on every backend', () => {
    const gt = { images: [{ id: 1 }], categories: [{ id: 1 }], annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10] }, { id: 2, image_id: 1, category_id: 1, bbox: [20, 0, 10, 10] }] };
    const dets = [{ image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.9 }, { image_id: 1, category_id: 1, bbox: [21, 0, 10, 10], score: 0.8 }];
    for (const b of BACKENDS) {
      lib.useBackend(b);
      try {
        const want = lib.evaluateCoco(gt, dets, { maxDets: [1, 1000] });
        for (const big of [2 ** 31, 2 ** 32 - 1]) {
          const got = lib.evaluateCoco(gt, dets, { maxDets: [1, big] });
          expect([b, got.stats.AR100, got.stats.AP]).toEqual([b, want.stats.AR100, want.stats.AP]);
          expect(got.params.maxDets).toEqual([1, big]);
        }
      } finally {
        lib.useBackend('auto');
      }
    }
  });
});
