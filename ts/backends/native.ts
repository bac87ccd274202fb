/** Wraps the napi-rs addon: same kernel signatures, errors translated to `SoftSamplingError`. */
import type { Backend } from '../kernels';
import { fromBindingError } from '../errors';

export function wrapNativeAddon(addon: Record<string, unknown>): Backend {
  const wrapped: Record<string, unknown> = {};
  for (const [key, fn] of Object.entries(addon)) {
    if (typeof fn !== 'function') continue;
    wrapped[key] = (...args: unknown[]) => {
      try {
        return (fn as (...a: unknown[]) => unknown)(...args);
      } catch (e) {
        throw fromBindingError(e);
      }
    };
  }
  const simd = (addon.simdLevel as () => string)();
  return { ...(wrapped as unknown as Backend), name: 'native', simd };
}
