/**
 * Wraps the napi-rs addon: same kernel signatures, errors translated to `SoftSamplingError`.
 *
 * Every output is allocated here, in the JS heap, and filled by the addon; the addon returns only
 * scalars (or plain objects of scalars). Rust-owned (external) result buffers leaked: a loop of
 * sampler, ISR-N or GHM calls grew RSS by ~1 KiB per call even with forced GC (issue 10). Outputs
 * whose length is known only after the call (the samplers' packed result) get a buffer of the
 * largest possible length and are cut to the length the addon reports.
 */
import type { Backend } from '../kernels';
import { fromBindingError } from '../errors';
import { cocoOutputLens } from '../kernels/eval';
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
  const i32 = (n: number) => new Int32Array(n);
  const i32cut = (buf: Int32Array, len: number) => buf.slice(0, len);
  const filled: Partial<Backend> = {
    randomSample(gtInds, numAdded, ...rest) {
      const out = i32(2 + 2 * (numAdded + gtInds.length));
      return i32cut(out, k.randomSample(gtInds, numAdded, ...rest, out));
    },
    ohemSample(gtInds, numAdded, ...rest) {
      const out = i32(2 + 2 * (numAdded + gtInds.length));
      return i32cut(out, k.ohemSample(gtInds, numAdded, ...rest, out));
    },
    iouBalancedSample(gtInds, maxOverlaps, numAdded, ...rest) {
      const out = i32(2 + 2 * (numAdded + gtInds.length));
      return i32cut(out, k.iouBalancedSample(gtInds, maxOverlaps, numAdded, ...rest, out));
    },
    hardNegativeMining(losses, ...rest) {
      const out = i32(2 + losses.length);
      return i32cut(out, k.hardNegativeMining(losses, ...rest, out));
    },
    pisaIsrN(scores, boxes, loss, numExpected, ...rest) {
      const ne = Math.min(scores.length, numExpected);
      const selected = i32(ne), weights = f32(ne);
      const st = k.pisaIsrN(scores, boxes, loss, numExpected, ...rest, selected, weights);
      return { selected, weights, numHlr: st.numHlr, numValid: st.numValid, ratio: st.ratio, guarded: st.guarded };
    },
    ghmC(...args: Parameters<Backend['ghmC']>) {
      const bins = args[7];
      const counts = new Float64Array(bins), accSum = new Float64Array(args[6].length);
      const st = k.ghmC(...args, counts, accSum);
      return { ...st, lossElements: args[14], grad: args[15], weights: args[16], g: args[17], counts, accSum };
    },
    ghmR(...args: Parameters<Backend['ghmR']>) {
      const bins = args[5];
      const counts = new Float64Array(bins), accSum = new Float64Array(args[3].length);
      const st = k.ghmR(...args, counts, accSum);
      return { ...st, lossElements: args[12], grad: args[13], weights: args[14], g: args[15], counts, accSum };
    },
    bboxOverlaps(b1, b2, mode, aligned, eps, offset, dst) {
      const out = dst ?? f32(aligned ? b1.length / 4 : (b1.length / 4) * (b2.length / 4));
      k.bboxOverlaps(b1, b2, mode, aligned, eps, offset, out);
      return out;
    },
    pisaIsrP(labels, ...rest) {
      const weights = f32(labels.length), ranks = i32(labels.length);
      const st = k.pisaIsrP(labels, ...rest, weights, ranks);
      return { weights, ranks, maxLNum: st.maxLNum, ratio: st.ratio, guarded: st.guarded };
    },
    evalOverlaps(dets, gts, crowd, offset) {
      const out = new Float64Array((dets.length / 4) * (gts.length / 4));
      k.evalOverlaps(dets, gts, crowd, offset, out);
      return out;
    },
    cocoEvaluate(x) {
      const [pl, rl] = cocoOutputLens(x);
      const precision = new Float64Array(pl), recall = new Float64Array(rl);
      k.cocoEvaluate(
        x.numImages, x.numCats, x.gtImage, x.gtCat, x.gtBox, x.gtArea, x.gtCrowd, x.dtImage, x.dtCat, x.dtBox, x.dtScore,
        x.iouThrs, x.recThrs, x.maxDets, x.areaRanges, x.useCats, x.offset, precision, recall,
      );
      return { precision, recall };
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
