/** Geometry ops on every backend: golden vectors, spec values, properties, bad input. */
import fc from 'fast-check';
import ndarray from 'ndarray';
import {
  bboxOverlaps, boxConvert, bbox2delta, delta2bbox, gridAnchors, baseAnchors, RETINANET_ANCHORS,
} from '../ts/index';
import { forEachBackend, onEveryBackend, vectors, expectClose, expectError, flat } from './helpers';

const box = fc
  .tuple(fc.float({ min: -500, max: 500, noNaN: true }), fc.float({ min: -500, max: 500, noNaN: true }),
    fc.float({ min: Math.fround(0.5), max: 300, noNaN: true }), fc.float({ min: Math.fround(0.5), max: 300, noNaN: true }))
  .map(([x, y, w, h]) => [x, y, x + w, y + h]);

forEachBackend((backend) => {
  describe('bboxOverlaps golden vectors', () => {
    for (const c of vectors('bbox_overlaps')) {
      test(c.name, () => {
        const b1 = { data: flat(c.inputs.boxes1), shape: c.shapes['inputs.boxes1'] };
        const b2 = { data: flat(c.inputs.boxes2), shape: c.shapes['inputs.boxes2'] };
        const r = bboxOverlaps(b1, b2, { mode: c.params.mode, aligned: c.params.is_aligned, eps: c.params.eps });
        expect(r.shape).toEqual(c.shapes['expected.overlaps']);
        expectClose(r.data, c.expected.overlaps, c.tolerance, c.name);
      });
    }
  });

  test('spec values (reference-semantics §6, §13)', () => {
    const a = [[0, 0, 10, 10]], b = [[5, 5, 15, 15]];
    expect(bboxOverlaps(a, b).get(0, 0)).toBeCloseTo(0.1428571, 6);
    expect(bboxOverlaps(a, b, { legacyOffset: true }).get(0, 0)).toBeCloseTo(0.1747573, 6);
    expect(bboxOverlaps(a, b, { mode: 'iof' }).get(0, 0)).toBeCloseTo(0.25, 6);
    expect(bboxOverlaps(a, b, { mode: 'giou' }).get(0, 0)).toBeCloseTo(-0.0793651, 6);
    expect(bboxOverlaps([[0, 0, 0, 0]], [[0, 0, 0, 0]]).get(0, 0)).toBe(0);
    expect(bboxOverlaps([[0, 0, 0, 0]], [[0, 0, 0, 0]], { mode: 'giou' }).get(0, 0)).toBe(0);
  });

  test('input kinds: Float64Array, Float32Array, {data, shape}, strided ndarray give the same result', () => {
    const rows = [[0, 0, 10, 10], [2, 3, 9, 12], [20, 20, 40, 30]];
    const ref = bboxOverlaps(rows, rows).data;
    expect(Array.from(bboxOverlaps(Float64Array.from(rows.flat()), Float32Array.from(rows.flat())).data)).toEqual(Array.from(ref));
    expect(Array.from(bboxOverlaps({ data: rows.flat(), shape: [3, 4] }, rows).data)).toEqual(Array.from(ref));
    // column-major storage viewed as [3,4] through strides
    const colMajor = new Float64Array(12);
    rows.forEach((r, i) => r.forEach((v, j) => (colMajor[j * 3 + i] = v)));
    const nd = ndarray(colMajor, [3, 4], [1, 3]);
    expect(Array.from(bboxOverlaps(nd, rows).data)).toEqual(Array.from(ref));
  });

  test('big pairwise matrix matches the scalar definition (exercises the vector loop and its tail)', () => {
    const n = 67, m = 29;
    const mk = (k: number, seed: number) => Array.from({ length: k }, (_, i) => {
      const x = ((i * 7919 + seed) % 311) * 1.5, y = ((i * 104729 + seed) % 257) * 1.25;
      return [x, y, x + 5 + ((i * 31) % 60), y + 5 + ((i * 17) % 70)];
    });
    const b1 = mk(n, 3), b2 = mk(m, 11);
    for (const mode of ['iou', 'iof', 'giou'] as const) {
      const r = bboxOverlaps(b1, b2, { mode });
      const aligned = bboxOverlaps(b1.slice(0, m), b2, { mode, aligned: true });
      for (let j = 0; j < m; j++) expect(Math.abs(aligned.get(j) - r.get(j, j))).toBeLessThan(1e-6);
    }
  });

  test('properties: IoU in [0,1], symmetric, IoU(a,a)=1, giou ≤ iou, giou in [-1,1]', () => {
    fc.assert(
      fc.property(fc.array(box, { minLength: 1, maxLength: 8 }), fc.array(box, { minLength: 1, maxLength: 8 }), (b1, b2) => {
        const iou = bboxOverlaps(b1, b2);
        const iouT = bboxOverlaps(b2, b1);
        const giou = bboxOverlaps(b1, b2, { mode: 'giou' });
        for (let i = 0; i < b1.length; i++) {
          for (let j = 0; j < b2.length; j++) {
            const v = iou.get(i, j);
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(1 + 1e-6);
            expect(Math.abs(v - iouT.get(j, i))).toBeLessThan(1e-6);
            expect(giou.get(i, j)).toBeLessThanOrEqual(v + 1e-6);
            expect(giou.get(i, j)).toBeGreaterThanOrEqual(-1 - 1e-6);
          }
        }
        const self = bboxOverlaps(b1, b1, { aligned: true });
        self.data.forEach((v) => expect(Math.abs(v - 1)).toBeLessThan(1e-5));
      }),
      { numRuns: 60 },
    );
  });

  test('boxConvert between xyxy, xywh, cxcywh', () => {
    const xyxy = [[10, 20, 30, 60]];
    expect(boxConvert(xyxy, 'xyxy', 'xywh').toArray()).toEqual([[10, 20, 20, 40]]);
    expect(boxConvert(xyxy, 'xyxy', 'cxcywh').toArray()).toEqual([[20, 40, 20, 40]]);
    expect(boxConvert([[20, 40, 20, 40]], 'cxcywh', 'xyxy').toArray()).toEqual(xyxy);
    expect(boxConvert([[10, 20, 20, 40]], 'xywh', 'cxcywh').toArray()).toEqual([[20, 40, 20, 40]]);
    fc.assert(fc.property(fc.array(box, { maxLength: 6 }), (b) => {
      const back = boxConvert(boxConvert(b, 'xyxy', 'cxcywh'), 'cxcywh', 'xyxy');
      expectClose(back.data, b, { abs: 1e-3, rel: 1e-6 });
    }), { numRuns: 30 });
  });

  test('delta coder: spec values, clamp, class-specific deltas, border clip', () => {
    const stds = [0.1, 0.1, 0.2, 0.2];
    const d = bbox2delta([[0, 0, 10, 10]], [[2, 2, 12, 14]], { stds });
    expectClose(d.data, [2, 3, 0, 0.9116078], { abs: 1e-5, rel: 1e-5 });
    expectClose(delta2bbox([[0, 0, 10, 10]], d, { stds }).data, [2, 2, 12, 14], { abs: 1e-4, rel: 1e-5 });
    // ±log(1000/16) clamp: a 62.5× scale change at most
    expectClose(delta2bbox([[0, 0, 10, 10]], [[0, 0, 10, 0]]).data, [-307.5, 0, 317.5, 10], { abs: 1e-3, rel: 1e-5 });
    // decoded target of an extreme gt (reference-semantics §3.1 step 5)
    const t = bbox2delta([[0, 0, 10, 10]], [[0, 0, 1000, 10]]);
    expectClose(delta2bbox([[0, 0, 10, 10]], t).data, [187.5, 0, 812.5, 10], { abs: 1e-3, rel: 1e-5 });
    // two classes per prior
    const two = delta2bbox([[0, 0, 10, 10]], [[0, 0, 0, 0, 0.1, 0, 0, 0]]);
    expect(two.shape).toEqual([1, 8]);
    expectClose(two.data, [0, 0, 10, 10, 1, 0, 11, 10], { abs: 1e-5, rel: 1e-5 });
    // border clip to [0, W] x [0, H]
    expectClose(delta2bbox([[0, 0, 10, 10]], [[-0.5, 0, 0, 0]], { maxShape: [8, 9] }).data, [0, 0, 5, 8], { abs: 1e-5, rel: 0 });
    expectClose(delta2bbox([[0, 0, 10, 10]], [[-0.5, 0, 0, 0]], { maxShape: [8, 9], clipBorder: false }).data, [-5, 0, 5, 10], { abs: 1e-5, rel: 0 });
  });

  test('property: decode(encode(gt)) = gt within the clamp range', () => {
    fc.assert(fc.property(fc.array(fc.tuple(box, box), { minLength: 1, maxLength: 10 }), (pairs) => {
      const priors = pairs.map((p) => p[0]);
      const gts = pairs.map((p) => p[1]);
      const deltas = bbox2delta(priors, gts, { means: [0.1, -0.1, 0, 0], stds: [0.1, 0.1, 0.2, 0.2] });
      const back = delta2bbox(priors, deltas, { means: [0.1, -0.1, 0, 0], stds: [0.1, 0.1, 0.2, 0.2], whRatioClip: 1e-6 });
      expectClose(back.data, gts, { abs: 2e-2, rel: 1e-4 }, 'decode∘encode');
    }), { numRuns: 40 });
  });

  test('anchors: RetinaNet configuration, order and offsets', () => {
    const base = baseAnchors(8, [0.5, 1, 2], [4, 4 * 2 ** (1 / 3), 4 * 2 ** (2 / 3)]);
    expect(base.shape).toEqual([9, 4]);
    // ratio 0.5, scale 4: w = 32/sqrt(.5) = 45.2548, h = 32*sqrt(.5) = 22.6274
    expectClose(base.data.subarray(0, 4), [-22.627417, -11.313708, 22.627417, 11.313708], { abs: 1e-4, rel: 1e-6 });
    const { anchors, levels } = gridAnchors([[4, 5], [2, 3], [1, 2], [1, 1], [1, 1]], RETINANET_ANCHORS);
    expect(levels.map((l) => l.count)).toEqual([180, 54, 18, 9, 9]);
    expect(anchors.shape).toEqual([270, 4]);
    // level 0, location (y=1, x=2), first base anchor = base anchor shifted by (16, 8)
    const k = (1 * 5 + 2) * 9;
    expectClose(anchors.data.subarray(4 * k, 4 * k + 4), [16 - 22.627417, 8 - 11.313708, 16 + 22.627417, 8 + 11.313708], { abs: 1e-4, rel: 1e-6 });
    // level 1 starts after level 0 and uses stride 16
    const l1 = levels[1];
    expect(l1.start).toBe(180);
    expectClose(anchors.data.subarray(4 * (l1.start + 9), 4 * (l1.start + 10)), [16 - 45.254834, -22.627417, 16 + 45.254834, 22.627417], { abs: 1e-4, rel: 1e-6 });
  });

  test('bad input gets typed errors naming the argument', () => {
    expectError(() => bboxOverlaps(new Float32Array(6), [[0, 0, 1, 1]]), 'E_SHAPE', 'boxes1');
    expectError(() => bboxOverlaps([[0, 0, 1, 1]], [[0, 0, 1]]), 'E_SHAPE', 'boxes2');
    expectError(() => bboxOverlaps([[0, 0, 1, 1], [0, 0, 1]], [[0, 0, 1, 1]]), 'E_SHAPE', 'boxes1');
    const nanErr = expectError(() => bboxOverlaps([[0, 0, 1, 1]], [[0, NaN, 1, 1]]), 'E_VALUE', 'boxes2');
    expect(nanErr.message).toMatch(/element 1/);
    expectError(() => bboxOverlaps([[0, 0, Infinity, 1]], [[0, 0, 1, 1]]), 'E_VALUE', 'boxes1');
    expectError(() => bboxOverlaps([[0, 0, 1, 1]], [[0, 0, 1, 1]], { mode: 'diou' as any }), 'E_OPTION', 'options.mode');
    expectError(() => bboxOverlaps([[0, 0, 1, 1]], [[0, 0, 1, 1]], { eps: 0 }), 'E_VALUE', 'options.eps');
    expectError(() => bboxOverlaps([[0, 0, 1, 1]], [[0, 0, 1, 1]], { alinged: true } as any), 'E_OPTION', 'options.alinged');
    expectError(() => bboxOverlaps([[0, 0, 1, 1]], [[0, 0, 1, 1], [0, 0, 2, 2]], { aligned: true }), 'E_SHAPE', 'boxes2');
    expectError(() => bboxOverlaps('boxes' as any, [[0, 0, 1, 1]]), 'E_TYPE', 'boxes1');
    expectError(() => bboxOverlaps([[0, 0, '1', 1]] as any, [[0, 0, 1, 1]]), 'E_TYPE', 'boxes1');
    expectError(() => bboxOverlaps({ data: [0, 0, 1], shape: [1, 4] }, [[0, 0, 1, 1]]), 'E_SHAPE', 'boxes1');
    expectError(() => boxConvert([[0, 0, 1, 1]], 'xyxy', 'yxyx' as any), 'E_OPTION', 'to');
    expectError(() => bbox2delta([[0, 0, 0, 10]], [[0, 0, 1, 1]]), 'E_VALUE', 'priors');
    expectError(() => bbox2delta([[0, 0, 10, 10]], [[0, 0, 1, 1], [0, 0, 1, 1]]), 'E_SHAPE', 'gt');
    expectError(() => bbox2delta([[0, 0, 10, 10]], [[0, 0, 1, 1]], { stds: [] }), 'E_SHAPE', 'options.stds');
    expectError(() => delta2bbox([[0, 0, 10, 10]], [[0, 0, 1]]), 'E_SHAPE', 'deltas');
    expectError(() => gridAnchors([], RETINANET_ANCHORS), 'E_SHAPE', 'featmapSizes');
    expectError(() => gridAnchors([[2, 2]], { strides: [8], ratios: [] }), 'E_SHAPE', 'options.ratios');
    expectError(() => gridAnchors([[2, 2]], { strides: [8] }), 'E_OPTION', 'options.scales');
    // NaN allowed through on request: every pair involving a non-finite box is NaN, the others exact
    const prop = bboxOverlaps([[0, 0, NaN, 1], [0, 0, 1, 1]], [[0, 0, 1, 1], [0, 0, Infinity, 1], [0, 0, 2, 1]], { nanPolicy: 'propagate' });
    expect(Array.from(prop.data).map((v) => (Number.isNaN(v) ? 'NaN' : Number(v.toFixed(6))))).toEqual(['NaN', 'NaN', 'NaN', 1, 'NaN', 0.5]);
    const propAligned = bboxOverlaps([[0, 0, NaN, 1], [0, 0, 1, 1]], [[0, 0, 1, 1], [0, 0, 2, 1]], { nanPolicy: 'propagate', aligned: true });
    expect(Number.isNaN(propAligned.get(0))).toBe(true);
    expect(propAligned.get(1)).toBeCloseTo(0.5, 6);
  });

  test('caller-owned output buffer (options.out) is filled in place and validated', () => {
    const out = new Float32Array(2).fill(-7);
    const r = bboxOverlaps([[0, 0, 10, 10]], [[5, 5, 15, 15], [0, 0, 10, 10]], { out });
    expect(r.data).toBe(out);
    expectClose(out, [0.1428571, 1], { abs: 1e-6, rel: 0 });
    const al = new Float32Array(1);
    bboxOverlaps([[0, 0, 10, 10]], [[5, 5, 15, 15]], { out: al, aligned: true, mode: 'iof' });
    expectClose(al, [0.25], { abs: 1e-6, rel: 0 });
    expectError(() => bboxOverlaps([[0, 0, 10, 10]], [[5, 5, 15, 15]], { out: new Float32Array(2) }), 'E_SHAPE', 'options.out');
    expectError(() => bboxOverlaps([[0, 0, 10, 10]], [[5, 5, 15, 15]], { out: new Float64Array(1) as any }), 'E_TYPE', 'options.out');
    const shared = new Float32Array(5);
    expectError(() => bboxOverlaps(shared.subarray(0, 4), [[5, 5, 15, 15]], { out: shared.subarray(4) }), 'E_VALUE', 'options.out');
  });

  test(`empty sets give empty results of the right shape (${backend})`, () => {
    expect(bboxOverlaps([], [[0, 0, 1, 1]]).shape).toEqual([0, 1]);
    expect(bboxOverlaps(new Float32Array(0), new Float32Array(0), { aligned: true }).shape).toEqual([0]);
    expect(delta2bbox([], []).shape).toEqual([0, 4]);
  });
});

test('backends agree within 1e-6 on random boxes (every mode)', () => {
  fc.assert(fc.property(fc.array(box, { minLength: 1, maxLength: 20 }), fc.array(box, { minLength: 1, maxLength: 20 }), (b1, b2) => {
    for (const mode of ['iou', 'iof', 'giou'] as const) {
      const r = onEveryBackend(() => bboxOverlaps(b1, b2, { mode }).data);
      expectClose(r.native, r.ts, { abs: 1e-6, rel: 0 }, `native vs ts ${mode}`);
      expectClose(r.wasm, r.ts, { abs: 1e-6, rel: 0 }, `wasm vs ts ${mode}`);
    }
    const d = onEveryBackend(() => bbox2delta(b1, b1.map((b) => [b[0] + 1, b[1] - 1, b[2] + 3, b[3] + 2])).data);
    expectClose(d.native, d.ts, { abs: 1e-5, rel: 1e-5 }, 'encode native vs ts');
    expectClose(d.wasm, d.ts, { abs: 1e-5, rel: 1e-5 }, 'encode wasm vs ts');
  }), { numRuns: 40 });
});
