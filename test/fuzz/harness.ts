/**
 * Differential fuzz (issue 10): every compute op, fast-check arbitraries for its inputs and options
 * (shapes with 0 and 1 rows, options across their documented ranges, adversarial values), run on
 * all three backends and compared.
 *
 * Per op it counts
 * - `mismatches`: backends that disagree — one throws and another does not, different error
 *   `code`/`arg`, or outputs apart by more than the tolerance (`rtol 1e-4` of the value, plus
 *   `1e-5` of the output's largest magnitude; integer outputs exactly);
 * - `nonFinite`: a NaN/±Inf output (every generated input is finite);
 * - `foreign`: an error that is not a `SoftSamplingError`, or an `E_PANIC`.
 *
 * The library is a parameter (`lib`), so the same harness runs under jest on the sources
 * (`test/fuzz.test.ts`, fixed seed, ~1 minute) and from `npm run fuzz` on the built package
 * (`scripts/fuzz.mjs`). Imports here are types only, besides fast-check.
 */
import fc from 'fast-check';
import type * as Lib from '../../ts/index';

type L = typeof Lib;
type Arb = fc.Arbitrary<any>;

/** One op under fuzz: how to generate a case, and how to call the library on it. */
export interface FuzzOp {
  name: string;
  arb: Arb;
  call(lib: L, c: any): unknown;
  /** Discrete outputs that may legitimately flip on a float tie between float32 and float64: compared only when every float output agrees. */
  looseInts?: boolean;
  /** Float outputs computed from such discrete choices (PISA's rank-derived importance and weights): not compared. */
  derived?: RegExp;
  /**
   * Magnitude of the case's inputs that bounds a float32 result's absolute precision where the
   * output scale does not (a box decoded from a 1e15-high prior and clipped to the image keeps
   * float32's 1e15·2^-24 error): the absolute tolerance gets `1e-4` of it.
   */
  inputScale?(c: any): number;
  /** Float outputs documented to be NaN in some cases (ATSS's per-gt statistics with fewer than 2 candidates): not counted as non-finite. */
  nanOk?: RegExp;
}

export interface OpReport {
  cases: number;
  mismatches: number;
  nonFinite: number;
  foreign: number;
  errors: number;
  examples: string[];
}

// ---------------------------------------------------------------------------------------------
// value arbitraries

const f32 = (x: number) => Math.fround(x);
/** Finite coordinates: mostly small integers (exact in float32), some fractions, some huge or tiny. */
const coord: Arb = fc.oneof(
  { weight: 48, arbitrary: fc.integer({ min: -20, max: 120 }) },
  { weight: 16, arbitrary: fc.double({ min: -200, max: 200, noNaN: true, noDefaultInfinity: true }).map(f32) },
  { weight: 6, arbitrary: fc.constantFrom(0, -0, 1e-30, 1e-40, 1e8, 1e15, 1e18, -1e18) },
  // beyond the documented bound (1e18): refused with E_VALUE on every backend
  { weight: 1, arbitrary: fc.constantFrom(2e19, 1e20, 1e37, -1e20, 3e38) },
);
/** A box `[x1, y1, x2, y2]`: usually well-formed, sometimes reversed or degenerate. */
const box: Arb = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(coord, coord, fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 })).map(([x, y, w, h]) => [x, y, f32(x + w), f32(y + h)]) },
  { weight: 1, arbitrary: fc.tuple(coord, coord, coord, coord) },
);
const boxes = (min: number, max: number): Arb => fc.array(box, { minLength: min, maxLength: max });
/**
 * Priors for the PISA decode path: mostly small boxes near the origin, and one in five from `box`
 * (any magnitude up to and beyond the 1e18 bound, zero-size, reversed). The decode-path IoU is
 * computed from the deltas in prior-relative float64 units, so it is exact to float32 for a box
 * decoded at y = 1e8 as at y = 10 (from float32 corners it was not: 1/62 vs 1/63 between two libm
 * `exp`s, issue 10).
 */
const priorBoxes = (n: number): Arb => fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.integer({ min: -200, max: 200 }), fc.integer({ min: -200, max: 200 }), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 100 })).map(([x, y, w, h]) => [x, y, x + w, y + h]) },
    { weight: 1, arbitrary: box },
  ),
  { minLength: n, maxLength: n },
);
const logit: Arb = fc.oneof(
  { weight: 36, arbitrary: fc.double({ min: -8, max: 8, noNaN: true }).map(f32) },
  { weight: 6, arbitrary: fc.constantFrom(0, 16.6, -16.6, 40, -40, 100, -100, 1e4, -1e4, 1e-4, 1e18, -1e18) },
  // beyond the documented bound (1e18): refused with E_VALUE on every backend
  { weight: 1, arbitrary: fc.constantFrom(1e20, -3e38) },
);
const unit: Arb = fc.double({ min: 0, max: 1, noNaN: true }).map(f32);
const delta: Arb = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }).map(f32) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1e-4, -1e-4, 1e-8, 50, -50, 1e6) },
);
const matrix = (rows: number, cols: number, v: Arb): Arb => fc.array(v, { minLength: rows * cols, maxLength: rows * cols });
const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined, freq: 2 });

// ---------------------------------------------------------------------------------------------
// ops

const t = (data: number[], shape: number[]) => ({ data: Float32Array.from(data), shape });
const dyadic = fc.constantFrom(0, 0.25, 0.5, 0.75, 1);

const rowsCols = (maxRows: number, maxCols: number) => fc.tuple(fc.integer({ min: 0, max: maxRows }), fc.integer({ min: 1, max: maxCols }));

export const OPS: FuzzOp[] = [
  {
    name: 'bboxOverlaps',
    arb: fc.record({ a: boxes(0, 6), b: boxes(0, 6), mode: fc.constantFrom('iou', 'iof', 'giou'), aligned: fc.boolean(), eps: opt(fc.constantFrom(1e-6, 1e-3, 1)), legacyOffset: opt(fc.boolean()) }),
    call: (lib, c) => {
      const b = c.aligned ? c.a.map((_: unknown, i: number) => c.b[i % Math.max(c.b.length, 1)] ?? [0, 0, 1, 1]) : c.b;
      return lib.bboxOverlaps(c.a.length ? c.a : new Float32Array(0), b.length ? b : new Float32Array(0), { mode: c.mode, aligned: c.aligned, eps: c.eps, legacyOffset: c.legacyOffset });
    },
  },
  {
    name: 'boxConvert',
    arb: fc.record({ b: boxes(0, 6), from: fc.constantFrom('xyxy', 'xywh', 'cxcywh'), to: fc.constantFrom('xyxy', 'xywh', 'cxcywh') }),
    call: (lib, c) => lib.boxConvert(c.b.length ? c.b : new Float32Array(0), c.from, c.to),
  },
  {
    name: 'bbox2delta',
    arb: fc.tuple(boxes(0, 6), boxes(6, 6), opt(fc.constantFrom([0.1, 0.1, 0.2, 0.2], [1, 1, 1, 1]))),
    call: (lib, [p, g, stds]) => lib.bbox2delta(p.length ? p : new Float32Array(0), p.length ? g.slice(0, p.length) : new Float32Array(0), { stds }),
  },
  {
    name: 'delta2bbox',
    arb: fc.integer({ min: 0, max: 5 }).chain((n) => fc.record({
      p: boxes(n, n), k: fc.integer({ min: 1, max: 2 }), d: matrix(n, 8, delta),
      whRatioClip: opt(fc.constantFrom(16 / 1000, 0.5, 1)), maxShape: opt(fc.constantFrom([32, 32], [600, 800])), stds: opt(fc.constantFrom([0.1, 0.1, 0.2, 0.2])),
    })),
    inputScale: (c) => Math.max(0, ...c.p.flat().map(Math.abs)),
    call: (lib, c) => lib.delta2bbox(c.p.length ? c.p : new Float32Array(0), t(c.d.slice(0, c.p.length * 4 * c.k), [c.p.length, 4 * c.k]), { whRatioClip: c.whRatioClip, maxShape: c.maxShape, stds: c.stds }),
  },
  {
    name: 'gridAnchors',
    arb: fc.record({
      h: fc.integer({ min: 0, max: 5 }), w: fc.integer({ min: 0, max: 5 }), stride: fc.constantFrom(4, 8, 16, 3.5),
      ratios: fc.array(fc.constantFrom(0.25, 0.5, 1, 2, 4), { minLength: 1, maxLength: 3 }), scales: fc.array(fc.constantFrom(1, 2, 4, 8), { minLength: 1, maxLength: 3 }),
      centerOffset: opt(fc.constantFrom(0, 0.5)), scaleMajor: opt(fc.boolean()),
    }),
    call: (lib, c) => lib.gridAnchors([[c.h, c.w]], { strides: [c.stride], ratios: c.ratios, scales: c.scales, centerOffset: c.centerOffset, scaleMajor: c.scaleMajor }),
  },
  ...(['sigmoidFocalLoss', 'sigmoidCrossEntropy', 'focalLossStar'] as const).map((name): FuzzOp => ({
    name,
    arb: rowsCols(6, 4).chain(([n, k]) => fc.record({
      n: fc.constant(n), k: fc.constant(k), x: matrix(n, k, logit), labels: fc.array(fc.integer({ min: 0, max: k }), { minLength: n, maxLength: n }),
      dense: fc.boolean(), y: matrix(n, k, fc.oneof(dyadic, unit)), weight: opt(matrix(n, 1, fc.oneof(dyadic, unit))),
      reduction: opt(fc.constantFrom('mean', 'sum', 'none')), gamma: opt(fc.constantFrom(1e-6, 1, 2, 2.5)),
    })),
    call: (lib, c) => {
      const x = t(c.x, [c.n, c.k]);
      const y = c.dense && name !== 'focalLossStar' ? t(c.y, [c.n, c.k]) : Float32Array.from(c.labels);
      const o: Record<string, unknown> = { reduction: c.reduction, weight: c.weight && Float32Array.from(c.weight) };
      if (name !== 'sigmoidCrossEntropy') o.gamma = c.gamma;
      return (lib[name] as (a: unknown, b: unknown, o: unknown) => unknown)(x, y, o);
    },
  })),
  {
    name: 'softmaxFocalLoss',
    arb: rowsCols(6, 5).map(([n, k1]) => [n, Math.max(k1, 2)]).chain(([n, k]) => fc.record({
      n: fc.constant(n), k: fc.constant(k), x: matrix(n, k, logit), labels: fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: n, maxLength: n }),
      gamma: opt(fc.constantFrom(0, 1, 2)), alpha: opt(fc.constantFrom(null, 0.25)), reduction: opt(fc.constantFrom('mean', 'sum', 'none')),
    })),
    call: (lib, c) => lib.softmaxFocalLoss(t(c.x, [c.n, c.k]), Float32Array.from(c.labels), { gamma: c.gamma, alpha: c.alpha, reduction: c.reduction }),
  },
  {
    name: 'ghmcLoss',
    arb: rowsCols(8, 3).chain(([n, k]) => fc.record({
      n: fc.constant(n), k: fc.constant(k), x: matrix(n, k, logit), labels: fc.array(fc.integer({ min: 0, max: k }), { minLength: n, maxLength: n }),
      bins: opt(fc.integer({ min: 1, max: 30 })), momentum: opt(fc.constantFrom(0, 0.75, 0.999)), steps: fc.integer({ min: 1, max: 3 }),
    })),
    call: (lib, c) => {
      const bins = c.bins ?? 10;
      const state = lib.createGhmState(bins);
      const o = { bins: c.bins, momentum: c.momentum, state: c.momentum ? state : undefined };
      let r: unknown;
      for (let s = 0; s < c.steps; s++) r = lib.ghmcLoss(t(c.x, [c.n, c.k]), t(c.labels, [c.n]), { ...o, targetType: 'labels' });
      return r;
    },
  },
  {
    name: 'ghmrLoss',
    arb: fc.integer({ min: 0, max: 8 }).chain((n) => fc.record({ p: matrix(n, 4, delta), q: matrix(n, 4, delta), mu: opt(fc.constantFrom(0.02, 1, 0.5)), bins: opt(fc.integer({ min: 1, max: 30 })) })),
    call: (lib, c) => lib.ghmrLoss(t(c.p, [c.p.length / 4, 4]), t(c.q, [c.q.length / 4, 4]), { mu: c.mu, bins: c.bins }),
  },
  ...(['smoothL1Loss', 'asl1Loss'] as const).map((name): FuzzOp => ({
    name,
    arb: fc.integer({ min: 0, max: 8 }).chain((n) => fc.record({
      p: matrix(n, 4, delta), q: matrix(n, 4, delta), param: opt(fc.constantFrom(0, 1 / 9, 1, 0.02)),
      reduction: opt(fc.constantFrom('mean', 'sum', 'none')), avgFactor: opt(fc.constantFrom(1e-6, 1, 7)), weight: opt(matrix(n, 1, unit)),
    })),
    call: (lib, c) => {
      const o: Record<string, unknown> = { reduction: c.reduction, weight: c.weight && Float32Array.from(c.weight) };
      if (c.reduction === 'mean' || c.reduction === undefined) o.avgFactor = c.avgFactor;
      if (name === 'smoothL1Loss') o.beta = c.param;
      else o.mu = c.param || 0.02;
      return (lib[name] as (a: unknown, b: unknown, o: unknown) => unknown)(t(c.p, [c.p.length / 4, 4]), t(c.q, [c.q.length / 4, 4]), o);
    },
  })),
  {
    name: 'maxIouAssign',
    arb: fc.record({ p: boxes(0, 10), g: boxes(0, 4), pos: fc.constantFrom(0.5, 0.7, 0.4), neg: fc.constantFrom(0.4, 0.3), minPos: opt(fc.constantFrom(0, 0.25)), lowQ: opt(fc.boolean()) }),
    call: (lib, c) => lib.maxIouAssign(c.p.length ? c.p : new Float32Array(0), c.g.length ? c.g : new Float32Array(0), { posIouThr: c.pos, negIouThr: c.neg, minPosIou: c.minPos, matchLowQuality: c.lowQ, gtLabels: Float32Array.from(c.g.map((_: unknown, i: number) => i % 3)) }),
    looseInts: true,
  },
  ...(['randomSample', 'ohemSample', 'iouBalancedNegSample'] as const).map((name): FuzzOp => ({
    name,
    arb: fc.integer({ min: 0, max: 16 }).chain((n) => fc.record({
      gtInds: fc.array(fc.integer({ min: -1, max: 3 }), { minLength: n, maxLength: n }), ious: matrix(n, 1, unit), losses: matrix(n + 3, 1, fc.oneof(unit, dyadic)),
      num: fc.integer({ min: 0, max: 12 }), posFraction: fc.constantFrom(0, 0.25, 0.5, 1), seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }), addGt: fc.boolean(),
    })),
    call: (lib, c) => {
      const assign = { gtInds: Int32Array.from(c.gtInds), maxOverlaps: Float32Array.from(c.ious), numGts: 3 };
      const o: Record<string, unknown> = { num: c.num, posFraction: c.posFraction, addGtAsProposals: c.addGt };
      if (name === 'ohemSample') return lib.ohemSample(assign, Float32Array.from(c.losses.slice(0, c.gtInds.length + (c.addGt ? 3 : 0))), o as never);
      o.seed = c.seed;
      return (lib[name] as (a: unknown, o: unknown) => unknown)(assign, o);
    },
  })),
  {
    name: 'hardNegativeMining',
    arb: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 10 })).chain(([b, p]) => fc.record({
      b: fc.constant(b), p: fc.constant(p), l: matrix(b, p, fc.oneof(unit, dyadic)), lab: fc.array(fc.integer({ min: -1, max: 3 }), { minLength: b * p, maxLength: b * p }), ratio: opt(fc.constantFrom(0, 1, 3)),
    })),
    call: (lib, c) => lib.hardNegativeMining(t(c.l, [c.b, c.p]), t(c.lab, [c.b, c.p]), { numClasses: 3, negPosRatio: c.ratio }),
  },
  ...(['iouHlr', 'isrP'] as const).map((name): FuzzOp => ({
    name,
    arb: fc.integer({ min: 0, max: 10 }).chain((n) => fc.record({
      labels: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }), gt: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
      ious: matrix(n, 1, fc.oneof(unit, dyadic)), useBoxes: fc.constantFrom(false, true, 'deltas'), pb: boxes(n, n), tb: boxes(n, n), posLoss: matrix(n, 1, fc.oneof(unit, dyadic)),
      dp: matrix(n, 4, delta), dt: matrix(n, 4, delta), rp: priorBoxes(n),
      k: opt(fc.constantFrom(0, 2, 1)), bias: opt(fc.constantFrom(0, 0.2, 1)),
    })),
    call: (lib, c) => {
      const inp: Record<string, unknown> = { labels: Float32Array.from(c.labels), gtInds: Float32Array.from(c.gt) };
      if (c.useBoxes === 'deltas') {
        inp.priors = c.rp.length ? c.rp : new Float32Array(0);
        inp.bboxPred = t(c.dp, [c.rp.length, 4]);
        inp.bboxTargets = t(c.dt, [c.rp.length, 4]);
      } else if (c.useBoxes) {
        inp.predBoxes = c.pb.length ? c.pb : new Float32Array(0);
        inp.targetBoxes = c.tb.length ? c.tb : new Float32Array(0);
      } else inp.ious = Float32Array.from(c.ious);
      if (name === 'iouHlr') return lib.iouHlr(inp as never);
      inp.posLoss = Float32Array.from(c.posLoss);
      return lib.isrP(inp as never, { k: c.k, bias: c.bias });
    },
    looseInts: true,
    derived: /^\.(importance|weights|ratio)\b/,
  })),
  {
    name: 'carlLoss',
    arb: fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 3 }), fc.boolean()).chain(([n, C, sig]) => fc.record({
      n: fc.constant(n), C: fc.constant(C), sig: fc.constant(sig), s: matrix(n, sig ? C : C + 1, logit), labels: fc.array(fc.integer({ min: 0, max: C }), { minLength: n, maxLength: n }),
      bp: matrix(n, 4, delta), bt: matrix(n, 4, delta), avgFactor: opt(fc.constantFrom(1e-6, 1, 4)), k: opt(fc.constantFrom(0, 1, 2)), bias: opt(fc.constantFrom(0, 0.2, 1)),
    })),
    call: (lib, c) => lib.carlLoss(t(c.s, [c.n, c.sig ? c.C : c.C + 1]), Float32Array.from(c.labels), t(c.bp, [c.n, 4]), t(c.bt, [c.n, 4]), { numClasses: c.C, sigmoid: c.sig, avgFactor: c.avgFactor, k: c.k, bias: c.bias }),
  },
  {
    name: 'isrN',
    arb: fc.integer({ min: 0, max: 12 }).chain((m) => fc.record({
      scores: matrix(m, 1, fc.oneof(unit, dyadic)), boxes: boxes(m, m), loss: opt(matrix(m, 1, unit)), numExpected: fc.integer({ min: 0, max: 10 }),
      seed: fc.integer({ min: 0, max: 1000 }), iouThr: opt(fc.constantFrom(0.5, 0.7)), scoreThr: opt(fc.constantFrom(0.05, 0)),
    })),
    call: (lib, c) => lib.isrN({ scores: Float32Array.from(c.scores), boxes: c.boxes.length ? c.boxes : new Float32Array(0), loss: c.loss && Float32Array.from(c.loss) }, { numExpected: c.numExpected, seed: c.seed, iouThr: c.iouThr, scoreThr: c.scoreThr }),
    looseInts: true,
  },
  // issue 14: quality-aware, distribution, box-regression losses and the dynamic assigners
  {
    name: 'qualityFocalLoss',
    arb: rowsCols(6, 4).chain(([n, k]) => fc.record({
      n: fc.constant(n), k: fc.constant(k), x: matrix(n, k, logit), labels: fc.array(fc.integer({ min: -1, max: k }), { minLength: n, maxLength: n }),
      scores: matrix(n, 1, fc.oneof(dyadic, unit)), dense: fc.boolean(), y: matrix(n, k, fc.oneof(dyadic, unit)), activated: fc.boolean(), p: matrix(n, k, fc.oneof(dyadic, unit)),
      beta: opt(fc.constantFrom(0, 1, 2, 2.5)), weight: opt(matrix(n, 1, fc.oneof(dyadic, unit))), reduction: opt(fc.constantFrom('mean', 'sum', 'none')), avgFactor: opt(fc.constantFrom(1e-6, 1, 7)),
    })),
    call: (lib, c) => {
      const pred = t(c.activated ? c.p : c.x, [c.n, c.k]);
      const target = c.dense ? t(c.y, [c.n, c.k]) : { labels: Float32Array.from(c.labels), scores: Float32Array.from(c.scores) };
      const o: Record<string, unknown> = { beta: c.beta, activated: c.activated, weight: c.weight && Float32Array.from(c.weight), reduction: c.reduction };
      if (c.reduction === 'mean' || c.reduction === undefined) o.avgFactor = c.avgFactor;
      return lib.qualityFocalLoss(pred, target, o);
    },
  },
  {
    name: 'distributionFocalLoss',
    arb: fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 2, max: 8 })).chain(([n, b]) => fc.record({
      n: fc.constant(n), b: fc.constant(b), x: matrix(n, b, logit),
      y: fc.array(fc.oneof({ weight: 40, arbitrary: fc.double({ min: 0, max: b - 1, maxExcluded: true, noNaN: true }).map(f32) }, { weight: 1, arbitrary: fc.constantFrom(0, 1, b - 1, -0.5, b) }), { minLength: n, maxLength: n }),
      weight: opt(matrix(n, 1, unit)), reduction: opt(fc.constantFrom('mean', 'sum', 'none')),
    })),
    call: (lib, c) => lib.distributionFocalLoss(t(c.x, [c.n, c.b]), Float32Array.from(c.y), { weight: c.weight && Float32Array.from(c.weight), reduction: c.reduction }),
  },
  {
    name: 'varifocalLoss',
    arb: rowsCols(6, 4).chain(([n, k]) => fc.record({
      n: fc.constant(n), k: fc.constant(k), x: matrix(n, k, logit), q: matrix(n, k, fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: unit }, { weight: 1, arbitrary: dyadic })),
      alpha: opt(fc.constantFrom(0, 0.75, 1)), gamma: opt(fc.constantFrom(0, 1, 2, 2.5)), iouWeighted: opt(fc.boolean()),
      weight: opt(fc.oneof(matrix(n, 1, unit), matrix(n, k, unit))), reduction: opt(fc.constantFrom('mean', 'sum', 'none')),
    })),
    call: (lib, c) => lib.varifocalLoss(t(c.x, [c.n, c.k]), t(c.q, [c.n, c.k]), { alpha: c.alpha, gamma: c.gamma, iouWeighted: c.iouWeighted, weight: c.weight && Float32Array.from(c.weight), reduction: c.reduction }),
  },
  {
    name: 'equalizedFocalLoss',
    arb: rowsCols(6, 4).chain(([n, k]) => fc.record({
      n: fc.constant(n), k: fc.constant(k), x: matrix(n, k, logit), labels: fc.array(fc.integer({ min: 0, max: k }), { minLength: n, maxLength: n }),
      scaleFactor: opt(fc.constantFrom(0, 4, 8)), alpha: opt(fc.constantFrom(0.25, 0.5)), steps: fc.integer({ min: 1, max: 3 }),
      weight: opt(matrix(n, 1, fc.oneof(dyadic, unit))), reduction: opt(fc.constantFrom('mean', 'sum', 'none')),
    })),
    call: (lib, c) => {
      const y = new Float32Array(c.n * c.k);
      c.labels.forEach((l: number, i: number) => { if (l < c.k) y[i * c.k + l] = 1; });
      let state = lib.createEflState(c.k);
      let r: any;
      for (let s = 0; s < c.steps; s++) {
        r = lib.equalizedFocalLoss(t(c.x, [c.n, c.k]), { data: y, shape: [c.n, c.k] }, { state, scaleFactor: c.scaleFactor, alpha: c.alpha, weight: c.weight && Float32Array.from(c.weight), reduction: c.reduction });
        state = r.state;
      }
      // the state is compared too (the harness skips fields named `state`)
      return { loss: r.loss, lossElements: r.lossElements, grad: r.grad, carried: { posGrad: r.state.posGrad, negGrad: r.state.negGrad, posNeg: r.state.posNeg } };
    },
  },
  {
    name: 'balancedL1Loss',
    arb: fc.integer({ min: 0, max: 8 }).chain((n) => fc.record({
      p: matrix(n, 4, delta), q: matrix(n, 4, delta), alpha: opt(fc.constantFrom(0.5, 1)), gamma: opt(fc.constantFrom(1.5, 3)), beta: opt(fc.constantFrom(1, 0.5, 1 / 9, 2)),
      weight: opt(matrix(n, 4, unit)), reduction: opt(fc.constantFrom('mean', 'sum', 'none')), avgFactor: opt(fc.constantFrom(1e-6, 1, 7)),
    })),
    call: (lib, c) => {
      const o: Record<string, unknown> = { alpha: c.alpha, gamma: c.gamma, beta: c.beta, weight: c.weight && Float32Array.from(c.weight), reduction: c.reduction };
      if (c.reduction === 'mean' || c.reduction === undefined) o.avgFactor = c.avgFactor;
      return lib.balancedL1Loss(t(c.p, [c.p.length / 4, 4]), t(c.q, [c.q.length / 4, 4]), o);
    },
  },
  ...(['iouLoss', 'giouLoss', 'diouLoss', 'ciouLoss'] as const).map((name): FuzzOp => ({
    name,
    arb: fc.integer({ min: 0, max: 6 }).chain((n) => fc.record({
      p: boxes(n, n), q: boxes(n, n), mode: opt(fc.constantFrom('log', 'linear', 'square')), eps: opt(fc.constantFrom(1e-7, 1e-6, 1e-3)),
      weight: opt(matrix(n, 1, fc.oneof(dyadic, unit))), reduction: opt(fc.constantFrom('mean', 'sum', 'none')),
    })),
    // float32 kernels on coordinates up to 1e18: absolute precision bounded by the coordinates' scale
    inputScale: (c) => Math.max(0, ...c.p.flat().map(Math.abs), ...c.q.flat().map(Math.abs)) * 2 ** -20,
    call: (lib, c) => {
      const o: Record<string, unknown> = { eps: c.eps, weight: c.weight && Float32Array.from(c.weight), reduction: c.reduction };
      if (name === 'iouLoss') o.mode = c.mode;
      const b = (x: number[][]) => (x.length ? x : new Float32Array(0));
      return (lib[name] as (a: unknown, b: unknown, o: unknown) => unknown)(b(c.p), b(c.q), o);
    },
  })),
  {
    name: 'atssAssign',
    arb: fc.record({ p: boxes(0, 12), g: boxes(0, 4), topk: opt(fc.constantFrom(1, 3, 9)), split: fc.integer({ min: 0, max: 12 }) }),
    call: (lib, c) => {
      const P = c.p.length, s = Math.min(c.split, P);
      return lib.atssAssign(P ? c.p : new Float32Array(0), c.g.length ? c.g : new Float32Array(0), Float32Array.from(c.g.map((_: unknown, i: number) => i % 3)), { topk: c.topk, numLevelPriors: s > 0 && s < P ? [s, P - s] : [P] });
    },
    looseInts: true,
    // mean / std / threshold of a gt's candidate IoUs: NaN with no candidate (no priors) or one (Bessel)
    nanOk: /^\.(iouMean|iouStd|iouThr)\b/,
  },
  {
    name: 'taskAlignedAssign',
    arb: fc.integer({ min: 0, max: 10 }).chain((n) => fc.record({
      p: boxes(n, n), pb: boxes(n, n), s: matrix(n, 3, fc.oneof(dyadic, unit)), g: boxes(0, 4), variant: fc.constantFrom('tood', 'yolov8'),
      topk: opt(fc.constantFrom(1, 3, 13)), alpha: opt(fc.constantFrom(0.5, 1)), beta: opt(fc.constantFrom(1, 6)), withMetrics: opt(fc.boolean()),
    })),
    call: (lib, c) => {
      const n = c.p.length;
      const anchors = c.variant === 'yolov8' ? t(c.p.flatMap((b: number[]) => [b[0], b[1]]), [n, 2]) : (n ? c.p : new Float32Array(0));
      return lib.taskAlignedAssign(anchors, n ? c.pb : new Float32Array(0), t(c.s, [n, 3]), c.g.length ? c.g : new Float32Array(0), Float32Array.from(c.g.map((_: unknown, i: number) => i % 3)),
        { variant: c.variant, topk: c.topk, alpha: c.alpha, beta: c.beta, withMetrics: c.withMetrics });
    },
    looseInts: true,
  },
];

// ---------------------------------------------------------------------------------------------
// comparison

export interface Leaf {
  path: string;
  v: number;
  int: boolean;
}

/** Flattens a result to numeric leaves (typed arrays element-wise; Int32Array / integer fields are exact); object keys in `skip` are left out. */
export function leaves(x: unknown, path = '', out: Leaf[] = [], skip: readonly string[] = ['state']): Leaf[] {
  if (typeof x === 'number') out.push({ path, v: x, int: false });
  else if (typeof x === 'boolean') out.push({ path, v: x ? 1 : 0, int: true });
  else if (x instanceof Int32Array || x instanceof Uint8Array) x.forEach((v, i) => out.push({ path: `${path}[${i}]`, v, int: true }));
  else if (x instanceof Float32Array || x instanceof Float64Array) x.forEach((v, i) => out.push({ path: `${path}[${i}]`, v, int: false }));
  else if (Array.isArray(x)) x.forEach((v, i) => leaves(v, `${path}[${i}]`, out, skip));
  else if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    if ('data' in o && 'shape' in o) {
      leaves(o.data, `${path}.data`, out, skip);
      leaves(o.shape, `${path}.shape`, out, skip);
    } else {
      for (const k of Object.keys(o).sort()) if (!skip.includes(k)) leaves(o[k], `${path}.${k}`, out, skip);
    }
  }
  return out;
}

/** A call's result as numeric leaves, or its error (`foreign`: not a typed SoftSamplingError, or E_PANIC). */
export type Outcome = { ok: true; leaves: Leaf[] } | { ok: false; code: string; arg: string; foreign: boolean; message: string };

function run(lib: L, op: FuzzOp, c: unknown): Outcome {
  return outcome(lib, () => op.call(lib, c));
}

/** The {@link Outcome} of `fn()`; `skip`: result keys left out of the leaves (see {@link leaves}). */
export function outcome(lib: L, fn: () => unknown, skip?: readonly string[]): Outcome {
  try {
    return { ok: true, leaves: leaves(fn(), '', [], skip) };
  } catch (e) {
    const err = e as { name?: string; code?: string; arg?: string; message?: string };
    const typed = e instanceof lib.SoftSamplingError || err?.name === 'SoftSamplingError';
    return { ok: false, code: String(err?.code), arg: String(err?.arg), foreign: !typed || err.code === 'E_PANIC', message: String(err?.message ?? e).slice(0, 200) };
  }
}

/**
 * First disagreement between two outcomes, or null: the same error code and argument, or leaves
 * equal within `tol` (relative, and absolute against the largest finite leaf or 10 × `inputScale`);
 * integer leaves exactly, unless `loose`; leaves whose path matches `derived` are not compared.
 */
export function compare(a: Outcome, b: Outcome, loose: boolean, inputScale: number, derived?: RegExp, tol = { rel: 1e-4, abs: 1e-5 }): string | null {
  if (!a.ok || !b.ok) {
    if (a.ok !== b.ok) return `one throws: ${!a.ok ? a.message : (b as { message: string }).message}`;
    const ea = a as Extract<Outcome, { ok: false }>, eb = b as Extract<Outcome, { ok: false }>;
    return ea.code === eb.code && ea.arg === eb.arg ? null : `errors differ: ${ea.code} ${ea.arg} vs ${eb.code} ${eb.arg}`;
  }
  if (a.leaves.length !== b.leaves.length) return `output sizes differ: ${a.leaves.length} vs ${b.leaves.length}`;
  let scale = 10 * inputScale;
  for (const l of a.leaves) if (!l.int && Number.isFinite(l.v)) scale = Math.max(scale, Math.abs(l.v));
  let intDiff: string | null = null;
  for (let i = 0; i < a.leaves.length; i++) {
    const x = a.leaves[i].v, y = b.leaves[i].v;
    if (Object.is(x, y) || x === y) continue;
    if (derived?.test(a.leaves[i].path)) continue;
    if (a.leaves[i].int || b.leaves[i].int) {
      intDiff ??= `${a.leaves[i].path}: ${x} vs ${y}`;
      continue;
    }
    if (!(Math.abs(x - y) <= tol.rel * Math.max(Math.abs(x), Math.abs(y)) + tol.abs * scale + 1e-30)) return `${a.leaves[i].path}: ${x} vs ${y}`;
  }
  // a discrete output chosen by a float comparison may flip on a tie between float32 and float64
  return loose ? null : intDiff;
}

export const BACKENDS = ['native', 'wasm', 'ts'] as const;

/**
 * Runs `cases` cases of each op (in chunks of fresh fast-check samples from `seed`) on every backend.
 * `deadline` (ms since epoch) stops early, sharing the budget fairly: ops run round-robin by chunk.
 */
export function runFuzz(lib: L, opts: { cases: number; seed: number; ops?: string[]; deadline?: number; chunk?: number; onChunk?: (done: number) => void }): Record<string, OpReport> {
  const ops = OPS.filter((o) => !opts.ops || opts.ops.includes(o.name));
  const rep: Record<string, OpReport> = {};
  for (const o of ops) rep[o.name] = { cases: 0, mismatches: 0, nonFinite: 0, foreign: 0, errors: 0, examples: [] };
  const chunk = opts.chunk ?? 200;
  try {
    for (let start = 0, round = 0; start < opts.cases; start += chunk, round++) {
      for (const [k, op] of ops.entries()) {
        if (opts.deadline && Date.now() > opts.deadline) return rep;
        const n = Math.min(chunk, opts.cases - start);
        const cases = fc.sample(op.arb, { seed: (opts.seed + 7919 * k + 104729 * round) | 0, numRuns: n });
        const r = rep[op.name];
        for (const c of cases) {
          r.cases++;
          const out = BACKENDS.map((b) => {
            lib.useBackend(b);
            return run(lib, op, c);
          });
          const note = (kind: string, msg: string) => {
            if (r.examples.length < 5) r.examples.push(`${kind}: ${msg} :: ${JSON.stringify(c, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)).slice(0, 400)}`);
          };
          out.forEach((o, i) => {
            if (!o.ok && o.foreign) {
              r.foreign++;
              note(`foreign on ${BACKENDS[i]}`, o.message);
            }
            const bad = (l: Leaf) => !Number.isFinite(l.v) && !(op.nanOk?.test(l.path) && Number.isNaN(l.v));
            if (o.ok && o.leaves.some(bad)) {
              r.nonFinite++;
              note(`non-finite on ${BACKENDS[i]}`, o.leaves.find(bad)!.path);
            }
          });
          if (!out[0].ok) r.errors++;
          // the TS backend (float64 arithmetic) is the reference
          for (const i of [0, 1]) {
            const d = compare(out[i], out[2], !!op.looseInts, op.inputScale?.(c) ?? 0, op.derived);
            if (d) {
              r.mismatches++;
              note(`${BACKENDS[i]} vs ts`, d);
              break;
            }
          }
        }
      }
      opts.onChunk?.(Math.min(start + chunk, opts.cases));
    }
  } finally {
    lib.useBackend('auto');
  }
  return rep;
}

/** A table of the per-op counts. */
export function formatReport(rep: Record<string, OpReport>): string {
  const lines = [`${'op'.padEnd(22)}${'cases'.padStart(9)}${'mismatch'.padStart(10)}${'nonFinite'.padStart(11)}${'foreign'.padStart(9)}${'errors'.padStart(9)}`];
  for (const [name, r] of Object.entries(rep)) {
    lines.push(`${name.padEnd(22)}${String(r.cases).padStart(9)}${String(r.mismatches).padStart(10)}${String(r.nonFinite).padStart(11)}${String(r.foreign).padStart(9)}${String(r.errors).padStart(9)}`);
  }
  return lines.join('\n');
}

/** Most frequent error (code arg) per op, for checking what the generators exercise. */
export function errorCensus(lib: L, cases: number, seed: number): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  lib.useBackend('ts');
  try {
    for (const [k, op] of OPS.entries()) {
      const m: Record<string, number> = (out[op.name] = {});
      for (const c of fc.sample(op.arb, { seed: seed + k, numRuns: cases })) {
        const o = run(lib, op, c);
        if (!o.ok) m[`${o.code} ${o.arg} ${o.message.slice(0, 60)}`] = (m[`${o.code} ${o.arg} ${o.message.slice(0, 60)}`] ?? 0) + 1;
      }
    }
  } finally {
    lib.useBackend('auto');
  }
  return out;
}
