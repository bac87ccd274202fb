/**
 * Differential fuzz of what the last round changed, with edge values: native / wasm / ts on the
 * ops whose checks moved into the kernels (VFL, EFL, the sigmoid family and GHM-C with Int32Array
 * labels checked in place, MaxIoU's finiteness checks in the parallel blocks) and the IoU matrix
 * behind the output pool, on ±0, subnormals, 1e±30, 1e18, 3e38, empty arrays and labels outside
 * their range; one case per op whose N·C crosses the pool's 1 MiB threshold and grows the wasm
 * arena; and the lean wasm of `soft-sampling/lite` against the full one, bit for bit, on the
 * harness's generated cases of every lite op.
 * Seeded (fast-check), a bounded number of runs per property.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import * as lib from '../ts/index';
import { OPS } from './fuzz/harness';
import { BACKENDS } from './helpers';

const SEED = 20261130;
const RUNS = 120;

const f32 = Math.fround;
/** Edge values of a float input (the last three beyond the 1e18 bound: E_VALUE on every backend). */
const EDGE = [0, -0, 1e-45, -1e-45, 1e-40, -1e-40, 1.1754943508222875e-38, 1e-30, -1e-30, 1e-7, 1, -1, 16.6, -16.6, 88.7, -103.9, 1e18, -1e18, 1e30, -1e30, 3e38].map(f32);
const edgy = (lo: number, hi: number, inRange = 0.6): fc.Arbitrary<number> =>
  fc.oneof(
    { weight: Math.round(inRange * 10), arbitrary: fc.double({ min: lo, max: hi, noNaN: true }).map(f32) },
    { weight: Math.round((1 - inRange) * 10), arbitrary: fc.constantFrom(...EDGE) },
  );
/** A [0, 1] target: mostly 0, 1 and edge fractions (subnormal, 1 − ulp), sometimes just outside. */
const unitEdge = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(0, -0, 1, 1e-45, 1e-40, 1e-30, f32(1 - 2 ** -24), 0.5) },
  { weight: 3, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }).map(f32) },
  { weight: 1, arbitrary: fc.constantFrom(-1e-45, f32(1 + 2 ** -23), 2, -0.5) },
);

type Outcome = { ok: true; v: number[]; int: boolean[] } | { ok: false; code: string; arg: string; msg: string; typed: boolean };

/** A typed array's type name, realm-safe (the native pool's results come from the addon's realm). */
const tagOf = (x: unknown): string => (ArrayBuffer.isView(x) ? Object.prototype.toString.call(x).slice(8, -1) : '');

function flatten(x: unknown, v: number[] = [], int: boolean[] = []): { v: number[]; int: boolean[] } {
  if (typeof x === 'number') (v.push(x), int.push(false));
  else if (typeof x === 'boolean') (v.push(+x), int.push(true));
  else if (tagOf(x) === 'Int32Array' || tagOf(x) === 'Uint8Array') (x as Int32Array).forEach((e) => (v.push(e), int.push(true)));
  else if (tagOf(x) === 'Float32Array' || tagOf(x) === 'Float64Array') (x as Float32Array).forEach((e) => (v.push(e), int.push(false)));
  else if (Array.isArray(x)) x.forEach((e) => flatten(e, v, int));
  else if (x && typeof x === 'object') for (const k of Object.keys(x).sort()) flatten((x as Record<string, unknown>)[k], v, int);
  return { v, int };
}

function outcome(f: () => unknown): Outcome {
  try {
    return { ok: true, ...flatten(f()) };
  } catch (e: any) {
    return { ok: false, code: String(e?.code), arg: String(e?.arg), msg: String(e?.message ?? e).slice(0, 200), typed: e?.name === 'SoftSamplingError' && e.code !== 'E_PANIC' };
  }
}

/**
 * Problems between a backend's outcome and the reference: a foreign error, one throws and the
 * other not, different code/arg, different sizes, a float apart by more than `rtol` of the value
 * (+ 1e-5 of the largest finite magnitude), an integer different, or a non-finite result.
 */
function differ(o: Outcome, ref: Outcome, rtol: number): string | null {
  if (!o.ok && !o.typed) return `foreign error: ${o.msg}`;
  if (o.ok !== ref.ok) return o.ok ? `ok, reference threw ${(ref as { msg: string }).msg}` : `threw ${o.msg}, reference ok`;
  if (!o.ok || !ref.ok) {
    const a = o as Extract<Outcome, { ok: false }>, b = ref as Extract<Outcome, { ok: false }>;
    return a.code === b.code && a.arg === b.arg ? null : `${a.code} ${a.arg} vs ${b.code} ${b.arg}`;
  }
  if (o.v.length !== ref.v.length) return `${o.v.length} values vs ${ref.v.length}`;
  let scale = 0;
  for (const x of ref.v) if (Number.isFinite(x)) scale = Math.max(scale, Math.abs(x));
  for (let i = 0; i < o.v.length; i++) {
    const x = o.v[i], y = ref.v[i];
    if (!Number.isFinite(x)) return `value ${i} is ${x}`;
    if (x === y) continue;
    if (o.int[i] || !(Math.abs(x - y) <= rtol * Math.max(Math.abs(x), Math.abs(y)) + 1e-5 * scale + 1e-30)) return `value ${i}: ${x} vs ${y}`;
  }
  return null;
}

/** Runs `f` on every backend; fails with the first disagreement with ts (the float64 reference). */
function onAll(f: () => unknown, rtol = 1e-4): void {
  const outs = BACKENDS.map((b) => {
    lib.useBackend(b);
    return outcome(f);
  });
  lib.useBackend('auto');
  for (const i of [0, 1, 2]) {
    const d = differ(outs[i], outs[2], rtol);
    if (d) throw new Error(`${BACKENDS[i]} vs ts: ${d}`);
  }
}

const matrix = (n: number, c: number, v: fc.Arbitrary<number>) => fc.array(v, { minLength: n * c, maxLength: n * c }).map((a) => ({ data: Float32Array.from(a), shape: [n, c] }));
const dims = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 4 }));
const params = { seed: SEED, numRuns: RUNS };

afterAll(() => lib.useBackend('auto'));

describe('edge values, native / wasm / ts', () => {
  test('sigmoid family with Int32Array labels (checked in place), edge logits, labels outside [−1, C]', () => {
    fc.assert(
      fc.property(dims.chain(([n, c]) => fc.record({
        x: matrix(n, c, edgy(-20, 20)),
        labels: fc.array(fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: c }) }, { weight: 1, arbitrary: fc.constantFrom(-1, -2, c + 1, 2 ** 31 - 1, -(2 ** 31)) }), { minLength: n, maxLength: n }),
        offset: fc.boolean(),
        op: fc.constantFrom('sigmoidFocalLoss', 'sigmoidCrossEntropy', 'focalLossStar', 'ghmcLoss'),
      })), ({ x, labels, offset, op }) => {
        // labels as a view at a byte offset of a larger Int32Array, or a plain Int32Array
        const lab = offset ? Int32Array.from([7, ...labels]).subarray(1) : Int32Array.from(labels);
        onAll(() => (op === 'ghmcLoss' ? lib.ghmcLoss(x, lab, { targetType: 'labels' }) : (lib as any)[op](x, lab)));
        // the caller's labels are not modified by the in-place check
        expect(Array.from(lab)).toEqual(labels);
      }),
      params,
    );
  });

  test('varifocalLoss: edge logits, IoU targets at 0, subnormal, 1 − ulp and just outside [0, 1]', () => {
    fc.assert(
      fc.property(dims.chain(([n, c]) => fc.record({ x: matrix(n, c, edgy(-20, 20)), q: matrix(n, c, unitEdge), iouWeighted: fc.boolean() })), ({ x, q, iouWeighted }) => {
        onAll(() => lib.varifocalLoss(x, q, { iouWeighted }));
      }),
      params,
    );
  });

  test('equalizedFocalLoss: edge logits, one-hot targets with subnormals and bad values, two steps of state', () => {
    fc.assert(
      fc.property(dims.chain(([n, c]) => fc.record({
        x: matrix(n, c, edgy(-20, 20)),
        t: matrix(n, c, fc.oneof({ weight: 12, arbitrary: fc.constantFrom(0, 1) }, { weight: 1, arbitrary: fc.constantFrom(-0, 0.5, 1e-45, 2) })),
      })), ({ x, t }) => {
        onAll(() => {
          const s1 = lib.equalizedFocalLoss(x, t);
          return [s1, lib.equalizedFocalLoss(x, t, { state: s1.state })];
        });
      }),
      params,
    );
  });

  test('bboxOverlaps and maxIouAssign: boxes with edge coordinates (±0, subnormal, 1e18, beyond)', () => {
    const coord = edgy(-50, 150, 0.7);
    const box = fc.tuple(coord, coord, fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 })).map(([x, y, w, h]) => [x, y, f32(x + w), f32(y + h)]);
    const boxes = (max: number) => fc.array(fc.oneof({ weight: 5, arbitrary: box }, { weight: 1, arbitrary: fc.tuple(coord, coord, coord, coord) }), { minLength: 0, maxLength: max }).map((b) => Float32Array.from(b.flat()));
    fc.assert(
      fc.property(fc.record({ a: boxes(8), b: boxes(5), mode: fc.constantFrom('iou', 'iof', 'giou') }), ({ a, b, mode }) => {
        onAll(() => lib.bboxOverlaps(a, b, { mode: mode as 'iou' }));
        onAll(() => lib.maxIouAssign(a, b, { posIouThr: 0.5, negIouThr: 0.4, gtLabels: Int32Array.from({ length: b.length / 4 }, (_, i) => i % 3) }));
      }),
      params,
    );
  });
});

describe('sizes across the output pool (1 MiB) and the wasm arena (64 KiB, then grown)', () => {
  // N·C = 2^18 + 2^9: the smallest pooled outputs plus a row; the calls before and after are small
  const N = 1025, C = 256;
  let s = 3;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const x = { data: Float32Array.from({ length: N * C }, (_, i) => (i % 97 === 0 ? EDGE[i % EDGE.length % 18] : (rnd() - 0.5) * 16)), shape: [N, C] };
  const q = { data: Float32Array.from({ length: N * C }, (_, i) => (i % 13 === 0 ? rnd() : i % 101 === 0 ? 1e-45 : 0)), shape: [N, C] };
  const labels = Int32Array.from({ length: N }, () => Math.floor(rnd() * (C + 1)));
  const boxes = (n: number) => Float32Array.from({ length: 4 * n }, (_, i) => (i % 4 < 2 ? rnd() * 100 : 100 + rnd() * 50));
  const b1 = boxes(N), b2 = boxes(C);
  const small = { data: x.data.subarray(0, 3 * C), shape: [3, C] };

  test.each([
    ['sigmoidFocalLoss', () => lib.sigmoidFocalLoss(x, labels)],
    ['ghmcLoss', () => lib.ghmcLoss(x, labels, { targetType: 'labels' })],
    ['varifocalLoss', () => lib.varifocalLoss(x, q)],
    ['bboxOverlaps', () => lib.bboxOverlaps(b1, b2)],
  ])('%s: small, large, small again agree on every backend', (_, f) => {
    onAll(() => lib.sigmoidFocalLoss(small, labels.subarray(0, 3)));
    // large results compared array by array (no flattening of half a million numbers)
    const res = BACKENDS.map((b) => {
      lib.useBackend(b);
      return f() as unknown as Record<string, unknown>;
    });
    lib.useBackend('auto');
    const ref = res[2];
    for (const [i, r] of res.entries()) {
      expect(Object.keys(r).sort()).toEqual(Object.keys(ref).sort());
      for (const k of Object.keys(ref)) {
        const a = (r[k] as { data?: ArrayLike<number> })?.data ?? r[k], e = (ref[k] as { data?: ArrayLike<number> })?.data ?? ref[k];
        if (typeof e === 'number') {
          expect(Math.abs((a as number) - e)).toBeLessThanOrEqual(2e-4 * Math.abs(e) + 1e-6);
          continue;
        }
        if (!ArrayBuffer.isView(e)) continue; // (the EFL state: compared through the next step's loss)
        const av = a as Float32Array, ev = e as unknown as Float32Array;
        expect(av.length).toBe(ev.length);
        let scale = 0;
        for (let j = 0; j < ev.length; j++) if (Math.abs(ev[j]) > scale) scale = Math.abs(ev[j]);
        let bad = -1;
        for (let j = 0; j < ev.length && bad < 0; j++) if (!(Math.abs(av[j] - ev[j]) <= 2e-4 * Math.abs(ev[j]) + 1e-5 * scale + 1e-30)) bad = j;
        if (bad >= 0) throw new Error(`${BACKENDS[i]} ${k}[${bad}]: ${av[bad]} vs ts ${ev[bad]}`);
      }
    }
    onAll(() => lib.sigmoidFocalLoss(small, labels.subarray(0, 3)));
  });
});

describe('soft-sampling/lite: the lean wasm against the full wasm, bit for bit', () => {
  type Lite = typeof import('../ts/lite');
  let lite: Lite;
  jest.isolateModules(() => {
    lite = require('../ts/lite');
  });
  beforeAll(() => {
    lite.initWasmSync(readFileSync(join(__dirname, '..', 'artifacts', 'soft_sampling_lite.wasm')));
  });

  const bits = (o: Outcome): string => (o.ok ? Buffer.from(Float64Array.from(o.v).buffer).toString('base64') : `${o.code} ${o.arg} ${o.msg}`);
  const liteOps = OPS.filter((op) => typeof (lite as unknown as Record<string, unknown>)[op.name] === 'function');

  test('every lite op of the differential harness: same bits or the same error message', () => {
    expect(liteOps.map((o) => o.name).sort()).toEqual(
      ['asl1Loss', 'bbox2delta', 'bboxOverlaps', 'boxConvert', 'carlLoss', 'delta2bbox', 'focalLossStar', 'ghmcLoss', 'ghmrLoss', 'gridAnchors', 'hardNegativeMining', 'iouBalancedNegSample',
        'iouHlr', 'isrN', 'isrP', 'maxIouAssign', 'ohemSample', 'randomSample', 'sigmoidCrossEntropy', 'sigmoidFocalLoss', 'smoothL1Loss', 'softmaxFocalLoss'].sort(),
    );
    lib.useBackend('wasm');
    const diffs: string[] = [];
    try {
      for (const [k, op] of liteOps.entries()) {
        for (const c of fc.sample(op.arb, { seed: SEED + k, numRuns: 60 })) {
          const full = outcome(() => op.call(lib, c));
          const lean = outcome(() => op.call(lite as unknown as typeof lib, c));
          if (!lean.ok && !lean.typed) diffs.push(`${op.name}: lite foreign error ${lean.msg}`);
          else if (bits(full) !== bits(lean)) diffs.push(`${op.name}: full ${bits(full).slice(0, 80)} vs lite ${bits(lean).slice(0, 80)}`);
        }
      }
    } finally {
      lib.useBackend('auto');
    }
    expect(diffs.slice(0, 5)).toEqual([]);
  });
});
