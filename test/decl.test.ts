/** The one-declaration binding layer: the generated TS table is current, and every backend implements every declared kernel. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { KERNEL_DECLS } from '../ts/kernels/modern';
import { onEveryBackend } from './helpers';
import { getBackend } from '../ts/registry';

test('ts/kernels/modern.ts is generated from crates/decl/kernels.rs (node scripts/gen-kernels.mjs)', () => {
  expect(() => execFileSync(process.execPath, [join(__dirname, '..', 'scripts', 'gen-kernels.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
});

test('every backend binds every declared kernel, with outputs sized by the declared rules', () => {
  const names = Object.keys(KERNEL_DECLS);
  expect(names.length).toBeGreaterThanOrEqual(8);
  const got = onEveryBackend(() => {
    const b = getBackend() as unknown as Record<string, unknown>;
    const r = (b.balancedL1Loss as Function)({ pred: Float32Array.of(1, 2, 3), target: new Float32Array(3), weight: new Float32Array(0) }, { alpha: 0.5, gamma: 1.5, beta: 1, scale: 1 });
    return { fns: names.filter((n) => typeof b[n] === 'function').length, lens: Object.values(r as Record<string, ArrayLike<number>>).map((a) => a.length) };
  });
  for (const v of Object.values(got)) {
    expect(v.fns).toBe(names.length);
    expect(v.lens).toEqual([3, 3, 1]);
  }
});

test('a core error crosses every binding as a typed error', () => {
  const errs = onEveryBackend(() => {
    try {
      (getBackend() as any).distributionFocalLoss({ pred: new Float32Array(4), target: Float32Array.of(3), weight: new Float32Array(0) }, { bins: 4, scale: 1 });
      return 'no error';
    } catch (e: any) {
      return `${e.code} ${e.arg}`;
    }
  });
  expect(Object.values(errs)).toEqual(['E_VALUE target', 'E_VALUE target', 'E_VALUE target']);
});
