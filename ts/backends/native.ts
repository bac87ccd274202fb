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
  const f32 = (n: number) => new Float32Array(n);
  const filled: Partial<Backend> = {
    ghmC(...args: Parameters<Backend['ghmC']>) {
      const bins = args[7];
      const counts = new Float64Array(bins), accSum = new Float64Array(args[6].length);
      const st = k.ghmC(...args, counts, accSum);
      return { ...st, lossElements: args[14], grad: args[15], weights: args[16], g: args[17], counts, accSum };
    },
    bboxOverlaps(b1, b2, mode, aligned, eps, offset, dst) {
      const out = dst ?? f32(aligned ? b1.length / 4 : (b1.length / 4) * (b2.length / 4));
      k.bboxOverlaps(b1, b2, mode, aligned, eps, offset, out);
      return out;
    },
  };
  // async variants: the addon's AsyncTasks (inputs copied at the call, kernel on libuv's pool)
  filled.bboxOverlapsAsync = async (b1, b2, mode, aligned, eps, offset, out) => {
    try {
      await (addon.bboxOverlapsAsync as Fn)(b1, b2, mode, aligned, eps, offset, out);
    } catch (e) {
      throw fromBindingError(e);
    }
  };
  filled.ghmCAsync = async (...args: Parameters<Backend['ghmC']>) => {
    const counts = new Float64Array(args[7]), accSum = new Float64Array(args[6].length);
    let st;
    try {
      st = await (addon.ghmCAsync as Fn)(...args, counts, accSum);
    } catch (e) {
      throw fromBindingError(e);
    }
    return { ...st, lossElements: args[14], grad: args[15], weights: args[16], g: args[17], counts, accSum };
  };
  filled.sigmoidLossAsync = async (...args: Parameters<Backend['sigmoidLoss']>) => {
    try {
      return (await (addon.sigmoidLossAsync as Fn)(...args)) as number;
    } catch (e) {
      throw fromBindingError(e);
    }
  };
  // large outputs from the addon's page-keeping pool (null: small, or the pool is at its bound)
  const allocOutput = (n: number): Float32Array => (k.allocF32(n) as Float32Array | null) ?? new Float32Array(n);
  filled.allocOutput = allocOutput;
  const simd = (addon.simdLevel as () => string)();
  return { ...(k as unknown as Backend), ...filled, ...nativeModern(k), name: 'native', simd };
}
