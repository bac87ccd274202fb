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
