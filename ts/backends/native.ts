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
  // large outputs from the addon's page-keeping pool (null: small, or the pool is at its bound)
  const allocOutput = (n: number): Float32Array => (k.allocF32(n) as Float32Array | null) ?? new Float32Array(n);
  const simd = (addon.simdLevel as () => string)();
  return { ...(k as unknown as Backend), ...nativeModern(k, addon), allocOutput, name: 'native', simd };
}
