/**
 * Regressions found by breaking the public API's inputs (test/break-input.test.ts), each on every
 * backend: the input, the typed error (or result) it must give.
 */
import { gridAnchors, baseAnchors, sigmoidFocalLoss, distributionFocalLoss, ghmcLoss, createEflState, equalizedFocalLoss, bboxOverlaps, boxConvert, isrP, useBackend } from '../ts/index';
import { runInNewContext } from 'node:vm';
import { forEachBackend, expectError } from './helpers';
import { focalLossStar, sigmoidCrossEntropy, hardNegativeMining, sigmoidFocalLossAsync } from '../ts/index';

const detached = (): Float32Array => {
  const a = new Float32Array(4).fill(1);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
};

forEachBackend(() => {
  describe('a {data, shape} input whose shape holds something that is not a number', () => {
    const data = new Float32Array(4);
    test.each([
      ['a symbol', Symbol('s')],
      ['a detached Float32Array', detached()],
      ['an object without toString', Object.create(null)],
    ])('%s in shape: E_SHAPE naming the argument (not a TypeError from printing it)', (_, bad) => {
      const err = expectError(() => sigmoidFocalLoss({ data, shape: [bad as never, 2] }, Float32Array.of(0, 1)), 'E_SHAPE', 'logits');
      expect(err.message).toMatch(/non-negative integers/);
    });

    test('a detached typed array as the shape: E_VALUE naming the argument', () => {
      expectError(() => sigmoidFocalLoss({ data, shape: detached() as never }, Float32Array.of(0, 1)), 'E_VALUE', 'logits');
    });
  });

  describe('gridAnchors', () => {
    const opts = { strides: [8], ratios: [1], scales: [1] };
    // (without the fix the TS kernel walks the 2^53 empty rows: the test times out)
    test('a level of 2^53 × 0 is empty (the TS kernel looped over the empty rows: ~10 s for 2^31)', () => {
      const r = gridAnchors([[2 ** 53, 0]], opts);
      expect(r.anchors.shape).toEqual([0, 4]);
      expect(r.levels[0]).toMatchObject({ start: 0, count: 0, featH: 2 ** 53, featW: 0 });
      expect(gridAnchors([[0, 2 ** 31 - 1]], opts).anchors.shape).toEqual([0, 4]);
    }, 20_000);

    test('anchors beyond 1e18 (huge scales, base sizes or strides) are E_VALUE, not ±Inf coordinates', () => {
      expectError(() => gridAnchors([[2, 2]], { ...opts, scales: [1e300] }), 'E_VALUE', 'options.scales');
      expectError(() => gridAnchors([[2, 2]], { ...opts, scales: [1e17], baseSizes: [100] }), 'E_VALUE', 'options.scales');
      expectError(() => gridAnchors([[2, 2]], { ...opts, centerOffset: 1e300 }), 'E_VALUE', 'options.centerOffset');
      expectError(() => gridAnchors([[2, 2]], { ...opts, strides: [1e300] }), 'E_VALUE', 'options.strides[0]');
      expectError(() => gridAnchors([[3, 1]], { ...opts, strides: [[1, 1e18]] }), 'E_VALUE', 'options.strides[0]');
      // at the bound: finite
      const r = gridAnchors([[1, 1]], { ...opts, scales: [1e16], baseSizes: [10] });
      expect(Array.from(r.anchors.data).every(Number.isFinite)).toBe(true);
      expect(Math.max(...Array.from(r.anchors.data, Math.abs))).toBeCloseTo(5e16, -12);
    });

    test('baseAnchors: huge scales are E_VALUE naming them', () => {
      expectError(() => baseAnchors(8, [1], [1e300]), 'E_VALUE', 'scales');
      expectError(() => baseAnchors(1e300, [1], [1]), 'E_VALUE', 'baseSize');
      expectError(() => baseAnchors(8, [1], [1], 1e300), 'E_VALUE', 'centerOffset');
      expect(Array.from(baseAnchors(8, [1], [2]).data)).toEqual([-8, -8, 8, 8]);
    });
  });

  test('distributionFocalLoss with no rows and 2^31 or more bins: an empty result (wasm trapped: the kernel took a bins-sized scratch row)', () => {
    for (const bins of [2 ** 31, 2 ** 32 + 3, 2 ** 53]) {
      const r = distributionFocalLoss({ data: new Float32Array(0), shape: [0, bins] }, new Float32Array(0));
      expect(r.loss).toBe(0);
      expect(r.grad!.shape).toEqual([0, bins]);
    }
  });

  test('ghmcLoss with no rows and 2^30 or more classes: loss 0 (wasm trapped: the kernel took class-sized scratch)', () => {
    for (const c of [2 ** 30, 2 ** 31, 2 ** 53]) {
      const empty = { data: new Float32Array(0), shape: [0, c] };
      expect(ghmcLoss(empty, empty).loss).toBe(0);
      expect(ghmcLoss(empty, { data: new Float32Array(0), shape: [0] }, { targetType: 'labels' }).loss).toBe(0);
    }
  });

  test('createEflState(2^31) is E_VALUE (filling three arrays of 2^31 numbers crashed the process out of memory)', () => {
    for (const c of [2 ** 31, 2 ** 32, 2 ** 20 + 1]) expectError(() => createEflState(c), 'E_VALUE', 'numClasses');
    expect(createEflState(2 ** 20).posNeg.length).toBe(2 ** 20);
    // without a state, EFL creates one of C classes: no rows and 2^31 classes is E_SHAPE on the logits
    const empty = { data: new Float32Array(0), shape: [0, 2 ** 31] };
    expectError(() => equalizedFocalLoss(empty, empty), 'E_SHAPE', 'logits');
  });

  test('a zero-length array over a SharedArrayBuffer is empty, not "detached" (V8 throws slicing an empty SharedArrayBuffer)', () => {
    const empty = new Float32Array(new SharedArrayBuffer(0));
    expect(bboxOverlaps(empty, Float32Array.of(0, 0, 1, 1)).shape).toEqual([0, 1]);
    expect(sigmoidFocalLoss({ data: empty, shape: [0, 3] }, new Float32Array(new SharedArrayBuffer(0))).loss).toBe(0);
  });

  describe('typed arrays of another realm (node:vm, jest; the native output pool creates its arrays in the addon\'s realm)', () => {
    const other = runInNewContext('({ F32: Float32Array, I32: Int32Array, F64: Float64Array })') as { F32: Float32ArrayConstructor; I32: Int32ArrayConstructor; F64: Float64ArrayConstructor };
    const boxes = [0, 0, 10, 10, 5, 5, 15, 15];
    test('as inputs, labels, {data, shape} and out buffers: the same results as this realm\'s arrays (was E_TYPE "Float32Array is not supported; pass a Float32Array")', () => {
      expect(other.F32.from(boxes) instanceof Float32Array).toBe(false);
      expect(Array.from(boxConvert(other.F32.from(boxes), 'xyxy', 'xywh').data)).toEqual([0, 0, 10, 10, 5, 5, 10, 10]);
      expect(Array.from(boxConvert(other.F64.from(boxes), 'xyxy', 'xywh').data)).toEqual([0, 0, 10, 10, 5, 5, 10, 10]);
      const want = bboxOverlaps(Float32Array.from(boxes), Float32Array.from(boxes)).data;
      const out = new other.F32(4);
      expect(bboxOverlaps(other.F32.from(boxes), other.F32.from(boxes), { out }).data).toBe(out);
      expect(Array.from(out)).toEqual(Array.from(want));
      const x = [0.5, -1, 2, 0.25, 3, -2];
      const mine = sigmoidFocalLoss({ data: Float32Array.from(x), shape: [3, 2] }, Int32Array.of(0, 2, 1));
      const theirs = sigmoidFocalLoss({ data: other.F32.from(x), shape: [3, 2] }, other.I32.of(0, 2, 1));
      expect(theirs.loss).toBe(mine.loss);
      expectError(() => sigmoidFocalLoss({ data: other.F32.from(x), shape: [3, 2] }, other.I32.of(0, 3, 1)), 'E_VALUE', 'targets');
      const g1 = ghmcLoss({ data: Float32Array.from(x), shape: [3, 2] }, Int32Array.of(0, 2, 1));
      const g2 = ghmcLoss({ data: other.F32.from(x), shape: [3, 2] }, other.I32.of(0, 2, 1));
      expect(g2.loss).toBe(g1.loss);
      const pin = (I: Int32ArrayConstructor, F: Float32ArrayConstructor) => ({ labels: I.of(0, 1, 0), gtInds: I.of(0, 0, 1), ious: F.of(0.9, 0.6, 0.7), posLoss: F.of(1, 2, 0.5) });
      expect(Array.from(isrP(pin(other.I32, other.F32)).weights.data)).toEqual(Array.from(isrP(pin(Int32Array, Float32Array)).weights.data));
    });
  });
});

test('a large native result (from the output pool, created in the addon\'s realm) fed back as an input or an out buffer', () => {
  useBackend('native');
  try {
    const b = Float32Array.from({ length: 4 * 512 }, (_, i) => (i % 4 < 2 ? 0 : 10) + (i >> 2) * 0.01);
    const r = bboxOverlaps(b, b);
    expect(boxConvert(r.data.subarray(0, 16), 'xyxy', 'xyxy').data.length).toBe(16);
    const again = bboxOverlaps(b, b, { out: r.data });
    expect(again.data).toBe(r.data);
    expect(sigmoidFocalLoss({ data: r.data, shape: [512, 512] }, new Int32Array(512)).loss).toBeGreaterThan(0);
  } finally {
    useBackend('auto');
  }
});

// (without the fixes these loop over the 2^53 empty rows or images: the tests time out)
forEachBackend(() => {
  describe('no elements but 2^53 rows (N × 0): an empty result, not a loop over the rows', () => {
    const empty = { data: new Float32Array(0), shape: [2 ** 53, 0] };
    test('the sigmoid family (the TS kernel walked the rows: 6 s for 2^31 − 1, forever for 2^53)', async () => {
      for (const f of [sigmoidFocalLoss, sigmoidCrossEntropy, focalLossStar]) {
        const r = f(empty, new Float32Array(0));
        expect(r.loss).toBe(0);
        expect(r.lossElements.shape).toEqual([2 ** 53, 0]);
        expect(r.grad!.data.length).toBe(0);
      }
      expect((await sigmoidFocalLossAsync(empty, new Float32Array(0))).loss).toBe(0);
    }, 20_000);

    test('hardNegativeMining of 2^31 − 1 images of 0 priors (every backend walked the images)', () => {
      const r = hardNegativeMining({ data: new Float32Array(0), shape: [2 ** 31 - 1, 0] }, { data: new Float32Array(0), shape: [2 ** 31 - 1, 0] }, { numClasses: 3 });
      expect(r.posInds.data.length + r.negInds.data.length).toBe(0);
      expect(r.lossSum).toBe(0);
    }, 20_000);
  });
});

