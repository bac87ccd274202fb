/**
 * The wasm glue streams large VFL and EFL calls through the arena one kernel chunk at a time
 * (`streamRows` in ts/backends/wasm/modern.ts): the answer must be the one-call answer, bit for
 * bit — the native kernel's, which computes the same fixed chunks and merges them in order — for
 * every weight layout, class count (chunks of whole rows: `CHUNK_WORK / C` rows, a ragged last
 * chunk), the chained EFL state (update on and off), and errors that name the first bad element of
 * the whole input (not of its chunk).
 */
import { varifocalLoss, equalizedFocalLoss, createEflState } from '../ts/index';
import { CHUNK_WORK } from '../ts/backends/wasm/modern';
import { onEveryBackend, expectClose } from './helpers';
import { SoftSamplingError } from '../ts/errors';

let seed = 11;
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);

/** `[n, c]` logits (some saturated), VFL targets (~3 % positives with IoU scores), one-hot EFL targets. */
function input(n: number, c: number) {
  const logits = Float32Array.from({ length: n * c }, (_, k) => (k % 97 === 0 ? (rnd() - 0.5) * 120 : -3 + (rnd() - 0.5) * 8));
  const q = new Float32Array(n * c), onehot = new Float32Array(n * c);
  for (let i = 0; i < n; i++) {
    if (rnd() < 0.03) {
      const j = Math.floor(rnd() * c);
      q[i * c + j] = 0.05 + 0.95 * rnd();
      onehot[i * c + j] = 1;
    }
  }
  const rowW = Float32Array.from({ length: n }, () => (rnd() < 0.1 ? 0 : 2 * rnd()));
  const elW = Float32Array.from({ length: n * c }, () => (rnd() < 0.1 ? 0 : 2 * rnd()));
  return { x: { data: logits, shape: [n, c] }, q: { data: q, shape: [n, c] }, y: { data: onehot, shape: [n, c] }, rowW, elW };
}

/** Index of the first element whose bits differ (-1: none). */
function firstDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return -2;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

/** wasm = native bit for bit (loss, element losses, gradient, `extra`); the TS twin within float32 rounding. */
function expectSame<T extends { loss: number; lossElements: { data: Float32Array }; grad: { data: Float32Array } }>(r: Record<'native' | 'wasm' | 'ts', T>, extra?: (v: T) => unknown) {
  expect(r.wasm.loss).toBe(r.native.loss);
  expect(firstDiff(r.wasm.lossElements.data, r.native.lossElements.data)).toBe(-1);
  expect(firstDiff(r.wasm.grad.data, r.native.grad.data)).toBe(-1);
  if (extra) expect(extra(r.wasm)).toEqual(extra(r.native));
  expectClose(r.ts.loss, r.native.loss, { abs: 0, rel: 1e-6 }, 'ts loss');
}

// C = 80 (409 rows per chunk), 7 (4681 rows), 1 (32768 rows); several chunks and a ragged last one
const SHAPES: [number, number][] = [[409 * 3 + 17, 80], [4681 * 2 + 5, 7], [CHUNK_WORK * 2 + 3, 1]];

describe('wasm streaming of VFL = one call (native bits)', () => {
  for (const [n, c] of SHAPES) {
    test(`[${n}, ${c}]: no weight, per-row and per-element weights`, () => {
      const t = input(n, c);
      for (const weight of [undefined, t.rowW, t.elW]) {
        expectSame(onEveryBackend(() => varifocalLoss(t.x, t.q, { weight, avgFactor: 37 })));
      }
      // γ > 50 (the kernel's float64 path, sum over every element: not streamed) and γ = 1.5
      expectSame(onEveryBackend(() => varifocalLoss(t.x, t.q, { gamma: 60, reduction: 'sum' })));
      expectSame(onEveryBackend(() => varifocalLoss(t.x, t.q, { gamma: 1.5, iouWeighted: false })));
    });
  }

  test('a bad target in a later chunk: the index in the whole input', () => {
    const [n, c] = SHAPES[0];
    const t = input(n, c);
    const k = 409 * 80 * 2 + 123;
    t.q.data[k] = 1.5;
    const errs = onEveryBackend(() => {
      try {
        varifocalLoss(t.x, t.q);
      } catch (e) {
        return e as SoftSamplingError;
      }
      throw new Error('no error');
    });
    for (const b of ['native', 'wasm', 'ts'] as const) {
      expect(errs[b]).toBeInstanceOf(SoftSamplingError);
      expect({ b, code: errs[b].code, arg: errs[b].arg }).toEqual({ b, code: 'E_VALUE', arg: 'target' });
      expect(errs[b].message).toContain(`element ${k} `);
    }
    t.q.data[k] = 0;
    t.x.data[k + 80 * 409] = NaN;
    const nan = onEveryBackend(() => {
      try {
        varifocalLoss(t.x, t.q);
      } catch (e) {
        return (e as SoftSamplingError).message;
      }
      return 'no error';
    });
    expect(nan.wasm).toBe(nan.native);
    expect(nan.wasm).toContain(`${k + 80 * 409}`);
  });
});

describe('wasm streaming of EFL = one call (native bits), state chained through the chunks', () => {
  const state = (v: { state: { posGrad: number[]; negGrad: number[]; posNeg: number[] } }) => [v.state.posGrad, v.state.negGrad, v.state.posNeg];
  for (const [n, c] of SHAPES) {
    test(`[${n}, ${c}]: balanced and mixed state, update on and off, weights`, () => {
      const t = input(n, c);
      const mixed = createEflState(c);
      for (let j = 0; j < c; j++) {
        mixed.posGrad[j] = 10 * rnd();
        mixed.negGrad[j] = 100 * rnd();
        mixed.posNeg[j] = 0.05 + 0.9 * rnd();
      }
      for (const s of [createEflState(c), mixed]) {
        for (const weight of [undefined, t.rowW, t.elW]) {
          for (const update of [true, false]) {
            expectSame(onEveryBackend(() => equalizedFocalLoss(t.x, t.y, { state: s, weight, update, avgFactor: 11 })), state);
          }
        }
      }
      // γ_j = 200, the largest the options allow (the kernel's chunked path up to 200)
      const steep = createEflState(c);
      steep.posNeg.fill(0);
      expectSame(onEveryBackend(() => equalizedFocalLoss(t.x, t.y, { state: steep, gammaB: 100, scaleFactor: 100 })), state);
    });
  }

  test('a bad target in a later chunk: the index in the whole input', () => {
    const [n, c] = SHAPES[1];
    const t = input(n, c);
    const k = 4681 * 7 + 3;
    t.y.data[k] = 0.5;
    const msg = onEveryBackend(() => {
      try {
        equalizedFocalLoss(t.x, t.y);
      } catch (e) {
        return `${(e as SoftSamplingError).code} ${(e as SoftSamplingError).arg} ${(e as Error).message}`;
      }
      return 'no error';
    });
    expect(msg.wasm).toBe(msg.native);
    expect(msg.wasm).toContain(`element ${k} `);
  });
});
