/**
 * Samples for the analyses = the detections. A detection matched to a gt box of its class at
 * IoU ≥ 0.5 (greedy by score per image, VOC style) is a positive with that IoU; every other detection
 * is a negative (its IoU is the best IoU with a gt box of its class, used for plotting only). Its
 * logit is `log(s / (1 − s))` of its score `s`, clamped to `[1e-6, 1 − 1e-6]`.
 */
import type { VocImageEval } from '../eval/voc';
import type { ImageInput } from '../eval/images';

export interface Sample {
  /** Index of the detection in the results list. */
  index: number;
  imageId: number;
  categoryId: number;
  score: number;
  logit: number;
  /** 1 positive, 0 negative. */
  target: 0 | 1;
  iou: number;
  /** Position of the matched (positive) / best (negative) gt box in its image's gt list; −1 when none. */
  gt: number;
}

export const SCORE_EPS = 1e-6;

export function logitOf(score: number): number {
  const s = Math.min(1 - SCORE_EPS, Math.max(SCORE_EPS, score));
  return Math.log(s / (1 - s));
}

/** Samples in input order (by detection index) from the per-image VOC matches. */
export function buildSamples(voc: VocImageEval[]): Sample[] {
  const out: Sample[] = [];
  for (const e of voc) {
    for (const d of e.dets) {
      if (d.tp === -1) continue; // matched a crowd region: neither positive nor negative
      out.push({ index: d.index, imageId: e.imageId, categoryId: d.categoryId, score: d.score, logit: logitOf(d.score), target: d.tp === 1 ? 1 : 0, iou: d.iou, gt: d.gt });
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

/** Number of non-crowd gt boxes per image, and a map image id → position (for IoU-HLR inputs). */
export function imageIndex(images: ImageInput[]): Map<number, number> {
  return new Map(images.map((im, i) => [im.imageId, i]));
}

/** Deterministic PRNG (mulberry32) for the random-sample selection. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Keeps at most `max` evenly spaced points of a sorted series (always the first and last). */
export function thin<T>(xs: T[], max: number): T[] {
  if (xs.length <= max) return xs;
  const out: T[] = [];
  for (let k = 0; k < max; k++) out.push(xs[Math.round((k * (xs.length - 1)) / (max - 1))]);
  return out;
}

const columnCache = new WeakMap<Sample[], { logits: Float32Array; targets: Float32Array }>();

/**
 * The samples' logits and targets as float32 columns `[N]`, built once per samples array and shared
 * by the analyses (treat them as read-only).
 */
export function sampleColumns(samples: Sample[]): { logits: Float32Array; targets: Float32Array } {
  let c = columnCache.get(samples);
  if (!c) {
    const n = samples.length;
    c = { logits: new Float32Array(n), targets: new Float32Array(n) };
    for (let i = 0; i < n; i++) {
      c.logits[i] = samples[i].logit;
      c.targets[i] = samples[i].target;
    }
    columnCache.set(samples, c);
  }
  return c;
}
