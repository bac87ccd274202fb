/**
 * The wasm glue of the declared kernels (`ts/backends/wasm/modern.ts`): inputs and outputs laid out
 * in a scratch arena of linear memory kept across calls, outputs copied out once. What it must not
 * break: every result is an array of its own (never a view of linear memory, which the next call
 * overwrites), also across memory growth and after a trap re-instantiates the module; a caller's
 * `out` buffer is filled in place; and the kernels' float32 math is the same on every backend
 * (VFL and EFL: SIMD128 on wasm, AVX on native, bit-identical).
 */
import { useBackend, bboxOverlaps, varifocalLoss, equalizedFocalLoss, createEflState, SoftSamplingError } from '../ts/index';
import { getBackend } from '../ts/registry';
import { onEveryBackend } from './helpers';

let seed = 11;
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const boxes = (n: number) => {
  const b = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const x = rnd() * 100, y = rnd() * 100;
    b.set([x, y, x + 1 + rnd() * 50, y + 1 + rnd() * 50], 4 * i);
  }
  return b;
};
const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

afterEach(() => useBackend('auto'));

describe('wasm results are arrays of their own', () => {
  test('a later call (the same arena) leaves earlier results unchanged; each owns an exactly-sized buffer', () => {
    useBackend('wasm');
    const a1 = boxes(7), b1 = boxes(5), a2 = boxes(7), b2 = boxes(5);
    const r1 = bboxOverlaps(a1, b1);
    const copy = Float32Array.from(r1.data);
    const r2 = bboxOverlaps(a2, b2);
    expect(Array.from(r1.data)).toEqual(Array.from(copy));
    expect(Array.from(r2.data)).not.toEqual(Array.from(copy));
    for (const r of [r1, r2]) {
      expect(r.data.byteOffset).toBe(0);
      expect(r.data.buffer.byteLength).toBe(r.data.byteLength);
    }
    useBackend('ts');
    expect(Array.from(bboxOverlaps(a2, b2).data).map((v) => Math.round(v * 1e5))).toEqual(Array.from(r2.data).map((v) => Math.round(v * 1e5)));
  });

  test('across memory growth: a call that grows the arena, then small calls, given out buffers included', () => {
    useBackend('wasm');
    const a = boxes(6), b = boxes(4);
    const small = bboxOverlaps(a, b);
    const keep = Float32Array.from(small.data);
    const out = new Float32Array(24);
    bboxOverlaps(a, b, { out });
    // 2500 × 2500 pairs: 25 MB of output, more than the arena held (the memory grows)
    const big1 = boxes(2500), big2 = boxes(2500);
    const big = bboxOverlaps(big1, big2);
    expect(big.data.length).toBe(2500 * 2500);
    expect(big.data.buffer.byteLength).toBe(big.data.byteLength);
    expect(Array.from(small.data)).toEqual(Array.from(keep));
    expect(Array.from(out)).toEqual(Array.from(keep));
    // the arena after growth: fresh and given outputs still right
    expect(Array.from(bboxOverlaps(a, b).data)).toEqual(Array.from(keep));
    out.fill(-1);
    const again = bboxOverlaps(a, b, { out });
    expect(again.data).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(keep));
    // spot-check the large result against the TS backend
    useBackend('ts');
    const ref = bboxOverlaps(big1.subarray(0, 40), big2.subarray(0, 4 * 2500));
    for (let k = 0; k < 10 * 2500; k += 997) expect(big.data[k]).toBeCloseTo(ref.data[k], 5);
  });

  test('after a trap (re-instantiation drops the arena) the next calls allocate a new one', () => {
    useBackend('wasm');
    const N = 300, C = 7;
    const pred = { data: Float32Array.from({ length: N * C }, () => rnd() * 8 - 4), shape: [N, C] };
    const target = { data: Float32Array.from({ length: N * C }, () => (rnd() < 0.1 ? rnd() : 0)), shape: [N, C] };
    const r1 = varifocalLoss(pred, target);
    const err = (() => {
      try {
        getBackend().debugPanic();
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(SoftSamplingError);
    expect((err as SoftSamplingError).code).toBe('E_PANIC');
    const r2 = varifocalLoss(pred, target);
    expect(r2.loss).toBe(r1.loss);
    expect(Array.from(bits(r2.grad.data))).toEqual(Array.from(bits(r1.grad.data)));
  });
});

describe('VFL and EFL: the same float32 bits on native and wasm', () => {
  // 2000 × 80: mostly all-negative rows (the γ = 2 fast path), some rows with a positive
  const N = 2000, C = 80;
  const pred = { data: Float32Array.from({ length: N * C }, () => (rnd() - 0.5) * 24), shape: [N, C] };
  const q = new Float32Array(N * C), onehot = new Float32Array(N * C);
  for (let i = 0; i < N; i++) {
    if (rnd() < 0.2) {
      const l = Math.floor(rnd() * C);
      q[i * C + l] = rnd();
      onehot[i * C + l] = 1;
    }
  }
  const rowWeight = Float32Array.from({ length: N }, () => rnd());
  const mixed = createEflState(C);
  for (let j = 0; j < C; j++) mixed.posNeg[j] = j % 4 === 0 ? 1 : rnd();
  const cases: [string, () => { loss: number; lossElements: { data: Float32Array }; grad: { data: Float32Array } }][] = [
    ['VFL', () => varifocalLoss(pred, { data: q, shape: [N, C] })],
    ['VFL, row weights, γ = 1.5', () => varifocalLoss(pred, { data: q, shape: [N, C] }, { weight: rowWeight, gamma: 1.5 })],
    ['EFL, balanced state', () => equalizedFocalLoss(pred, { data: onehot, shape: [N, C] })],
    ['EFL, mixed state', () => equalizedFocalLoss(pred, { data: onehot, shape: [N, C] }, { state: mixed, update: false })],
  ];
  test.each(cases)('%s', (_name, run) => {
    const r = onEveryBackend(run);
    expect(r.wasm.loss).toBe(r.native.loss);
    expect(bytes(r.wasm.lossElements.data).equals(bytes(r.native.lossElements.data))).toBe(true);
    expect(bytes(r.wasm.grad.data).equals(bytes(r.native.grad.data))).toBe(true);
    // and close to the TS twin (float64)
    expect(Math.abs(r.wasm.loss - r.ts.loss)).toBeLessThanOrEqual(1e-5 * Math.abs(r.ts.loss));
  });
});
