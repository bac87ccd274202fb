/**
 * Wraps the napi-rs addon: same kernel signatures, errors translated to `SoftSamplingError`.
 *
 * Outputs of a size known before the call are allocated here, in the JS heap, and filled by the
 * addon: Rust-owned (external) result buffers are invisible to V8's GC heuristics, and a loop of
 * calls grew the process by the output size per call until an unrelated GC ran.
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
  const i32 = (n: number) => new Int32Array(n);
  const filled: Partial<Backend> = {
    bboxOverlaps(b1, b2, mode, aligned, eps, offset, dst) {
      const out = dst ?? f32(aligned ? b1.length / 4 : (b1.length / 4) * (b2.length / 4));
      k.bboxOverlaps(b1, b2, mode, aligned, eps, offset, out);
      return out;
    },
    boxConvert(boxes, from, to) {
      const out = f32(boxes.length);
      k.boxConvert(boxes, from, to, out);
      return out;
    },
    deltaEncode(priors, gt, means, stds) {
      const out = f32(priors.length);
      k.deltaEncode(priors, gt, means, stds, out);
      return out;
    },
    deltaDecode(priors, deltas, means, stds, whRatioClip, maxShape) {
      const out = f32(deltas.length);
      k.deltaDecode(priors, deltas, means, stds, whRatioClip, maxShape, out);
      return out;
    },
    gridAnchors(base, featH, featW, strideH, strideW) {
      const out = f32(featH * featW * base.length);
      k.gridAnchors(base, featH, featW, strideH, strideW, out);
      return out;
    },
    maxIouAssign(priors, ...rest) {
      const p = priors.length / 4;
      const gtInds = i32(p), maxOverlaps = f32(p), labels = i32(p);
      k.maxIouAssign(priors, ...rest, gtInds, maxOverlaps, labels);
      return { gtInds, maxOverlaps, labels };
    },
    pisaIouHlr(labels, gtIds, ious, prime, primeMode) {
      const ranks = i32(labels.length);
      const maxLNum = k.pisaIouHlr(labels, gtIds, ious, prime, primeMode, ranks);
      return { ranks, maxLNum };
    },
    pisaIsrP(labels, ...rest) {
      const weights = f32(labels.length), ranks = i32(labels.length);
      const st = k.pisaIsrP(labels, ...rest, weights, ranks);
      return { weights, ranks, maxLNum: st.maxLNum, ratio: st.ratio, guarded: st.guarded };
    },
    pisaClsLoss(clsScore, labels, cols, kind, alpha, gamma) {
      const out = f32(labels.length);
      k.pisaClsLoss(clsScore, labels, cols, kind, alpha, gamma, out);
      return out;
    },
    pisaCarl(clsScore, labels, bboxPred, ...rest) {
      const gradClsScore = f32(clsScore.length), gradBboxPred = f32(bboxPred.length), weights = f32(labels.length);
      const loss = k.pisaCarl(clsScore, labels, bboxPred, ...rest, gradClsScore, gradBboxPred, weights);
      return { loss, gradClsScore, gradBboxPred, weights };
    },
  };
  const simd = (addon.simdLevel as () => string)();
  return { ...(k as unknown as Backend), ...filled, ...nativeModern(k), name: 'native', simd };
}
