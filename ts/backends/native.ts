/**
 * Wraps the napi-rs addon: same kernel signatures, errors translated to `SoftSamplingError`.
 *
 * Every output is allocated here, in the JS heap, and filled by the addon; the addon returns only
 * scalars (or plain objects of scalars). Rust-owned (external) result buffers leaked: a loop of
 * sampler, ISR-N or GHM calls grew RSS by ~1 KiB per call even with forced GC (issue 10); large
 * float32 outputs now come from the addon's page-keeping pool, whose size V8 is told. The declared
 * kernels are bound generically (`nativeModern`); what is left here is the hand-written rest.
 */
import type { Backend } from '../kernels';
import { fromBindingError } from '../errors';
import { nativeModern } from './decl';

type Fn = (...a: any[]) => any;

/**
 * Idle time (ms) after the last pooled output before the pool releases its free blocks beyond
 * 64 MiB (its `KEEP_FREE`, src/pool.rs); `SOFT_SAMPLING_POOL_IDLE_MS` overrides it.
 */
const POOL_IDLE_MS = (() => {
  const raw = typeof process !== 'undefined' ? process.env?.SOFT_SAMPLING_POOL_IDLE_MS : undefined;
  const v = raw ? Number(raw) : NaN;
  return Number.isFinite(v) && v >= 0 ? v : 10_000;
})();

export function wrapNativeAddon(addon: Record<string, unknown>): Backend {
  const k: Record<string, Fn> = {};
  for (const [key, fn] of Object.entries(addon)) {
    if (typeof fn !== 'function') continue;
    k[key] = (...args: unknown[]) => {
      try {
        return (fn as Fn)(...args);
      } catch (e) {
        throw fromBindingError(e);
      }
    };
  }
  // large outputs from the addon's page-keeping pool (null: small, or the pool is at its bound);
  // after POOL_IDLE_MS without a pooled allocation, the pool's free blocks beyond 64 MiB are
  // released (an unref'd timer: it never keeps the process alive)
  let idle: ReturnType<typeof setTimeout> | undefined;
  // (an addon built before poolTrim, e.g. one named by SOFT_SAMPLING_NATIVE_PATH: no timer)
  const poolTrim = typeof addon.poolTrim === 'function' ? (addon.poolTrim as () => number) : undefined;
  const trim = () => {
    idle = undefined;
    poolTrim?.();
  };
  const allocOutput = (n: number): Float32Array => {
    const pooled = k.allocF32(n) as Float32Array | null;
    if (!pooled) return new Float32Array(n);
    if (!poolTrim) return pooled;
    if (idle && typeof idle === 'object' && typeof idle.refresh === 'function') idle.refresh();
    else {
      if (idle !== undefined) clearTimeout(idle);
      idle = setTimeout(trim, POOL_IDLE_MS);
      if (typeof idle === 'object' && typeof idle.unref === 'function') idle.unref();
    }
    return pooled;
  };
  const simd = (addon.simdLevel as () => string)();
  return { ...(k as unknown as Backend), ...nativeModern(k, addon), allocOutput, name: 'native', simd };
}
