/**
 * Pure TypeScript kernels: MaxIoU assignment and the hard samplers — the reference the Rust
 * kernels (`crates/core/src/assign/`) are checked against, step for step: same IoU kernel
 * (`geometryKernels.bboxOverlaps`), same float32 threshold comparisons (`Math.fround`), same
 * generator and the same order of draws, so every backend returns identical indices.
 */
import type { MaxIouAssignInputs, MaxIouAssignOptions, MaxIouAssignOutputs } from '../../kernels/modern';
import { geometryKernels } from './geometry';
import { checkFinite } from './focal';
import { SoftSamplingError } from '../../errors';

/**
 * The samplers return one packed `Int32Array` `[numPos, numNeg, pos..., neg..., posGt...]`
 * (`posGt` = 0-based gt index of each positive; absent for `hardNegativeMining`), indices ascending.
 * Candidates are `[added gts; priors]`: with `numAdded = G > 0` candidate `c < G` is gt `c`.
 */
export interface AssignRaw {
  /** `−1` ignored, `0` negative, `j + 1` gt `j`. */
  gtInds: Int32Array;
  maxOverlaps: Float32Array;
  /** gt label of positives, else `−1`. */
  labels: Int32Array;
}

/** Positional signatures of the sampler twins (wrapped as declared kernels in `./modern`). */
export interface SamplerTwins {
  randomSample(gtInds: Int32Array, numAdded: number, num: number, numExpectedPos: number, negPosUb: number, seed: number): Int32Array;
  ohemSample(gtInds: Int32Array, numAdded: number, losses: Float32Array, num: number, numExpectedPos: number, negPosUb: number): Int32Array;
  iouBalancedSample(
    gtInds: Int32Array, maxOverlaps: Float32Array, numAdded: number, num: number, numExpectedPos: number, negPosUb: number,
    seed: number, floorThr: number, floorFraction: number, numBins: number,
  ): Int32Array;
  /** losses/labels are `numImages × P`; returns `[numPos, numNeg, pos..., neg...]` (flat indices). */
  hardNegativeMining(losses: Float32Array, labels: Int32Array, numImages: number, numClasses: number, negPosRatio: number): Int32Array;
}


/**
 * xoshiro128** seeded by splitmix32 over a u32 seed; `below(n)` by rejection
 * (`x < 2^32 − 2^32 mod n`, then `x mod n`); `choose(pool, k)` by partial Fisher–Yates.
 * Bit-identical to `crates/core/src/assign/rng.rs` (see there for the exact definition).
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextU32(): number {
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const r = (m << 7) | (m >>> 25);
    const result = Math.imul(r, 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** Uniform integer in `[0, n)`, `1 ≤ n ≤ 2^32`. */
  below(n: number): number {
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  /** `k` distinct members of `pool` (consumed), sorted ascending; the whole pool if it has ≤ k. */
  choose(pool: number[], k: number): number[] {
    const n = pool.length;
    if (n > k) {
      for (let i = 0; i < k; i++) {
        const j = i + this.below(n - i);
        const t = pool[i];
        pool[i] = pool[j];
        pool[j] = t;
      }
      pool.length = k;
    }
    return pool.sort((a, b) => a - b);
  }
}

function pools(gtInds: Int32Array, numAdded: number): [number[], number[]] {
  const pos: number[] = [];
  const neg: number[] = [];
  for (let c = 0; c < numAdded; c++) pos.push(c);
  for (let p = 0; p < gtInds.length; p++) {
    if (gtInds[p] > 0) pos.push(numAdded + p);
    else if (gtInds[p] === 0) neg.push(numAdded + p);
  }
  return [pos, neg];
}

function expectedNeg(num: number, npos: number, negPosUb: number): number {
  let n = Math.max(0, num - npos);
  if (negPosUb >= 0) n = Math.min(n, Math.floor(negPosUb * Math.max(1, npos)));
  return n;
}

function pack(gtInds: Int32Array, numAdded: number, pos: number[], neg: number[]): Int32Array {
  const out = new Int32Array(2 + 2 * pos.length + neg.length);
  out[0] = pos.length;
  out[1] = neg.length;
  out.set(pos, 2);
  out.set(neg, 2 + pos.length);
  const o = 2 + pos.length + neg.length;
  pos.forEach((c, i) => (out[o + i] = c < numAdded ? c : gtInds[c - numAdded] - 1));
  return out;
}

function checkAdded(gtInds: Int32Array, numAdded: number): void {
  if (numAdded === 0) return;
  for (const a of gtInds) {
    if (a > numAdded) throw new SoftSamplingError('E_VALUE', 'assign.gtInds', `gt index ${a} exceeds the ${numAdded} gts added as proposals`);
  }
}

/**
 * The `k` hardest of `pool` (ascending) by `losses`: larger loss first, ties to the smaller index;
 * returned ascending. Same rule as the Rust `top_k`: find the k-th largest loss, keep everything
 * above it and the first tied members in pool order.
 */
function topK(pool: number[], k: number, losses: Float32Array): number[] {
  if (pool.length <= k) return pool;
  if (k === 0) return [];
  const vals = new Float32Array(pool.length);
  pool.forEach((c, i) => (vals[i] = losses[c]));
  vals.sort();
  const kth = vals[pool.length - k];
  let ties = k;
  for (const c of pool) if (losses[c] > kth) ties--;
  const out: number[] = [];
  for (const c of pool) {
    const v = losses[c];
    if (v > kth) out.push(c);
    else if (v === kth && ties > 0) {
      out.push(c);
      ties--;
    }
  }
  return out;
}

/** Adds `want − taken.length` random members of `set \ taken`, sorted (see the Rust `top_up`). */
function topUp(rng: Rng, taken: number[], set: number[], want: number): number[] {
  if (taken.length < want) {
    const have = new Set(taken);
    const rest = set.filter((c) => !have.has(c));
    taken = taken.concat(rng.choose(rest, want - taken.length));
  }
  return taken.sort((a, b) => a - b);
}

export const samplerTwins: SamplerTwins = {

  randomSample(gtInds, numAdded, num, numExpectedPos, negPosUb, seed) {
    checkAdded(gtInds, numAdded);
    const [posPool, negPool] = pools(gtInds, numAdded);
    const rng = new Rng(seed);
    const pos = rng.choose(posPool, numExpectedPos);
    const neg = rng.choose(negPool, expectedNeg(num, pos.length, negPosUb));
    return pack(gtInds, numAdded, pos, neg);
  },

  ohemSample(gtInds, numAdded, losses, num, numExpectedPos, negPosUb) {
    checkAdded(gtInds, numAdded);
    if (losses.length !== numAdded + gtInds.length) {
      throw new SoftSamplingError('E_SHAPE', 'losses', `expected ${numAdded + gtInds.length} elements, got ${losses.length}`);
    }
    const [posPool, negPool] = pools(gtInds, numAdded);
    const pos = topK(posPool, numExpectedPos, losses);
    const neg = topK(negPool, expectedNeg(num, pos.length, negPosUb), losses);
    return pack(gtInds, numAdded, pos, neg);
  },

  iouBalancedSample(gtInds, maxOverlaps, numAdded, num, numExpectedPos, negPosUb, seed, floorThr, floorFraction, numBins) {
    checkAdded(gtInds, numAdded);
    const [posPool, negPool] = pools(gtInds, numAdded);
    const rng = new Rng(seed);
    const pos = rng.choose(posPool, numExpectedPos);
    const expected = expectedNeg(num, pos.length, negPosUb);
    const m = (c: number): number => (c < numAdded ? 1 : maxOverlaps[c - numAdded]);
    let neg: number[];
    if (negPool.length <= expected) {
      neg = negPool;
    } else {
      const ft = floorThr;
      let floor: number[], iouSet: number[];
      if (ft > 0) {
        floor = negPool.filter((c) => m(c) >= 0 && m(c) < ft);
        iouSet = negPool.filter((c) => m(c) >= ft);
      } else if (ft === 0) {
        floor = negPool.filter((c) => m(c) === 0);
        iouSet = negPool.filter((c) => m(c) > 0);
      } else {
        floor = [];
        iouSet = negPool.filter((c) => m(c) > ft);
      }
      const base = Math.max(ft, 0);
      const nIou = Math.floor(expected * (1 - floorFraction));
      let iouSampled: number[];
      if (iouSet.length > nIou) {
        if (numBins >= 2) {
          let maxIou = -Infinity;
          const total = numAdded + gtInds.length;
          for (let c = 0; c < total; c++) maxIou = Math.max(maxIou, m(c));
          const width = (maxIou - base) / numBins;
          const perBin = Math.floor(nIou / numBins);
          let taken: number[] = [];
          for (let i = 0; i < numBins; i++) {
            const lo = base + i * width;
            const hi = base + (i + 1) * width;
            taken = taken.concat(rng.choose(iouSet.filter((c) => m(c) >= lo && m(c) < hi), perBin));
          }
          iouSampled = topUp(rng, taken, iouSet, nIou);
        } else {
          iouSampled = rng.choose(iouSet.slice(), nIou);
        }
      } else {
        iouSampled = iouSet;
      }
      const sampled = rng.choose(floor, expected - iouSampled.length).concat(iouSampled);
      neg = topUp(rng, sampled, negPool, expected);
    }
    neg.sort((a, b) => a - b);
    return pack(gtInds, numAdded, pos, neg);
  },

  hardNegativeMining(losses, labels, numImages, numClasses, negPosRatio) {
    if (numImages === 0) return new Int32Array([0, 0]);
    const p = losses.length / numImages;
    const posAll: number[] = [];
    const negAll: number[] = [];
    for (let img = 0; img < numImages; img++) {
      const base = img * p;
      const neg: number[] = [];
      let npos = 0;
      for (let i = base; i < base + p; i++) {
        const l = labels[i];
        if (l >= 0 && l < numClasses) {
          posAll.push(i);
          npos++;
        } else if (l === numClasses) neg.push(i);
      }
      const k = Math.min(Math.floor(negPosRatio * npos), neg.length);
      for (const c of topK(neg, k, losses)) negAll.push(c);
    }
    const out = new Int32Array(2 + posAll.length + negAll.length);
    out[0] = posAll.length;
    out[1] = negAll.length;
    out.set(posAll, 2);
    out.set(negAll, 2 + posAll.length);
    return out;
  },
};

/** TS twin of `assign::max_iou_assign` (declared as `maxIouAssign`, through `decl_shim::max_iou_assign`). */
export function maxIouAssign(
  { priors, gts, gtLabels, gtIgnore }: MaxIouAssignInputs,
  { posIouThr, negLo, negHi, minPosIou, gtMaxAssignAll, matchLowQuality, ignoreIofThr, ignoreWrtCandidates, zeroIouMmdet }: MaxIouAssignOptions,
  out: MaxIouAssignOutputs,
): void {
  checkFinite('priors', priors);
  checkFinite('gt', gts);
  const p = priors.length / 4;
  const g = gts.length / 4;
  const { gtInds, maxOverlaps, labels } = out;
  labels.fill(-1);
  if (p === 0 || g === 0) return;
  const pos = Math.fround(posIouThr), lo = Math.fround(negLo), hi = Math.fround(negHi);
  const minPos = Math.fround(minPosIou), ignThr = Math.fround(ignoreIofThr);
  const ov = geometryKernels.bboxOverlaps(gts, priors, 0, false, 1e-6, 0);

  const k = gtIgnore.length / 4;
  if (ignThr > 0 && k > 0) {
    const ignored = new Uint8Array(p);
    if (ignoreWrtCandidates) {
      const iof = geometryKernels.bboxOverlaps(priors, gtIgnore, 1, false, 1e-6, 0);
      for (let i = 0; i < p; i++) {
        for (let j = 0; j < k; j++) if (iof[i * k + j] > ignThr) ignored[i] = 1;
      }
    } else {
      const iof = geometryKernels.bboxOverlaps(gtIgnore, priors, 1, false, 1e-6, 0);
      for (let j = 0; j < k; j++) {
        for (let i = 0; i < p; i++) if (iof[j * p + i] > ignThr) ignored[i] = 1;
      }
    }
    for (let j = 0; j < g; j++) {
      for (let i = 0; i < p; i++) if (ignored[i]) ov[j * p + i] = -1;
    }
  }

  maxOverlaps.set(ov.subarray(0, p));
  for (let j = 1; j < g; j++) {
    const row = j * p;
    for (let i = 0; i < p; i++) {
      if (ov[row + i] > maxOverlaps[i]) {
        maxOverlaps[i] = ov[row + i];
        gtInds[i] = j;
      }
    }
  }
  for (let i = 0; i < p; i++) {
    const m = maxOverlaps[i];
    gtInds[i] = m >= pos ? gtInds[i] + 1 : m >= lo && m < hi ? 0 : -1;
  }

  if (matchLowQuality) {
    for (let j = 0; j < g; j++) {
      const row = j * p;
      let best = ov[row], bestAt = 0;
      for (let i = 1; i < p; i++) {
        if (ov[row + i] > best) {
          best = ov[row + i];
          bestAt = i;
        }
      }
      if (best < minPos || (!zeroIouMmdet && best <= 0)) continue;
      if (gtMaxAssignAll) {
        for (let i = 0; i < p; i++) if (ov[row + i] === best) gtInds[i] = j + 1;
      } else {
        gtInds[bestAt] = j + 1;
      }
    }
  }
  for (let i = 0; i < p; i++) if (gtInds[i] > 0) labels[i] = gtLabels[gtInds[i] - 1];
}
