/**
 * The Node entry's backends as `useBackend(name)` loads them (only that one), given modules and
 * addons that are not the right ones through the environment: an E_BACKEND naming the cause when
 * the backend is asked for, never an op failing later with an E_PANIC.
 */
import { join } from 'node:path';

type Full = typeof import('../ts/index');
const root = join(__dirname, '..');

function withEnv<T>(env: Record<string, string>, body: (lib: Full) => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    let lib!: Full;
    jest.isolateModules(() => {
      lib = require('../ts/index');
    });
    return body(lib);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

test('SOFT_SAMPLING_WASM_PATH naming the lean lite module: useBackend(\'wasm\') is an E_BACKEND naming the missing kernels (was: accepted, then E_PANIC "wasm.varifocal_loss is not a function" at the op)', () => {
  withEnv({ SOFT_SAMPLING_WASM_PATH: join(root, 'artifacts', 'soft_sampling_lite.wasm') }, (lib) => {
    let err: any;
    try {
      lib.useBackend('wasm');
    } catch (e) {
      err = e;
    }
    expect(err?.code).toBe('E_BACKEND');
    expect(err.message).toMatch(/varifocal_loss/);
    expect(err.message).toMatch(/coco_evaluate_variants/);
    // the other backends are unaffected
    lib.useBackend('ts');
    expect(lib.varifocalLoss({ data: new Float32Array(4), shape: [2, 2] }, { data: new Float32Array(4), shape: [2, 2] }).loss).toBeGreaterThan(0);
    expect(lib.backendInfo().failed.wasm?.join(' ')).toMatch(/lacks the kernels/);
  });
});

test('SOFT_SAMPLING_WASM_PATH naming a file that is not wasm, SOFT_SAMPLING_NATIVE_PATH naming none: E_BACKEND for that backend only', () => {
  withEnv({ SOFT_SAMPLING_WASM_PATH: join(root, 'package.json'), SOFT_SAMPLING_NATIVE_PATH: join(root, 'no-such-addon.node') }, (lib) => {
    for (const b of ['wasm', 'native'] as const) {
      let err: any;
      try {
        lib.useBackend(b);
      } catch (e) {
        err = e;
      }
      expect(err?.code).toBe('E_BACKEND');
      expect(err.causes.length).toBeGreaterThan(0);
    }
    expect(lib.useBackend('auto').active).toBe('ts');
    expect(lib.bboxOverlaps([[0, 0, 2, 2]], [[1, 1, 3, 3]]).data[0]).toBeCloseTo(1 / 7, 6);
  });
});

describe('edge entries (no worker threads: an async op runs on the calling thread after the current task)', () => {
  type Edge = typeof import('../ts/edge-wasm');
  let edge!: Edge;
  jest.isolateModules(() => {
    edge = require('../ts/edge-wasm');
  });
  beforeAll(() => {
    edge.initWasmSync(require('node:fs').readFileSync(join(root, 'artifacts', 'soft_sampling.wasm')));
  });
  let s = 17;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const boxes = (n: number) => Float32Array.from({ length: 4 * n }, (_, i) => (i % 4 < 2 ? rnd() * 100 : 100 + rnd() * 60));

  test('many async calls of growing and shrinking sizes interleaved with synchronous ones (the one arena): each result right', async () => {
    const sizes = [3, 700, 5, 1200, 2, 900, 40];
    const inputs = sizes.map((n) => [boxes(n), boxes(Math.max(1, n >> 1))] as const);
    const want = inputs.map(([a, b]) => Float32Array.from(edge.bboxOverlaps(a, b).data));
    const pending = inputs.map(([a, b]) => edge.bboxOverlapsAsync(a, b));
    // synchronous calls between, while the async ones wait for their turn
    const x = { data: Float32Array.from({ length: 64 * 80 }, () => rnd() * 8 - 4), shape: [64, 80] };
    const y = { data: Float32Array.from({ length: 64 * 80 }, () => (rnd() < 0.1 ? rnd() : 0)), shape: [64, 80] };
    const vSync = edge.varifocalLoss(x, y);
    const pv = edge.varifocalLossAsync(x, y);
    const got = await Promise.all(pending);
    got.forEach((r, i) => expect(Buffer.compare(Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength), Buffer.from(want[i].buffer)) === 0).toBe(true));
    expect((await pv).loss).toBe(vSync.loss);
  });

  test('an input detached before the deferred call runs rejects with E_TYPE; one changed is read as changed (documented)', async () => {
    const a = boxes(4), b = boxes(3);
    const p1 = edge.bboxOverlapsAsync(a, b);
    structuredClone(a.buffer, { transfer: [a.buffer] });
    await expect(p1).rejects.toMatchObject({ name: 'SoftSamplingError', code: 'E_TYPE', arg: 'boxes1' });
    const c = boxes(2);
    const p2 = edge.bboxOverlapsAsync(c, c);
    c.set([0, 0, 10, 10, 0, 0, 10, 10]);
    expect(Array.from((await p2).data)).toEqual([1, 1, 1, 1]);
  });
});
