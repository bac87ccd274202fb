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
  // the addon's overlaps kernel fills a caller-owned buffer; allocate it here when none is given
  const fill = wrapped.bboxOverlaps as (...a: unknown[]) => void;
  const bboxOverlaps: Backend['bboxOverlaps'] = (b1, b2, mode, aligned, eps, offset, dst) => {
    const out = dst ?? new Float32Array(aligned ? b1.length / 4 : (b1.length / 4) * (b2.length / 4));
    fill(b1, b2, mode, aligned, eps, offset, out);
    return out;
  };
  const simd = (addon.simdLevel as () => string)();
  return { ...(wrapped as unknown as Backend), bboxOverlaps, name: 'native', simd };
}
