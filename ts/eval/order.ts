/**
 * Integer-key orderings of the evaluator's flat arrays (stable LSD radix sorts on 16-bit digits), in
 * place of comparator sorts: `Array.prototype.sort` with a comparator costs ~0.5–1 µs per element in
 * V8, these a few tens of ns. Each gives exactly the order of the stable comparator sort it replaces.
 */

/**
 * Stable LSD radix sort by the unsigned 64-bit keys `(hi, lo)` (32 bits when `hi` is null),
 * ascending, ties in input order, on 16-bit digits; a digit that is the same for every element is
 * skipped. `ix` (optional) is carried along: its values end up in the sorted order. The inputs may
 * be overwritten; the result is in the arrays returned (the inputs or their scratch twins). Shared
 * with the command line's float sorts (packages/cli/src/analyze/sort.ts, through
 * `soft-sampling/internal`).
 * @internal
 */
export function radixPasses(lo: Uint32Array, hi: Uint32Array | null, ix: Uint32Array | null): { lo: Uint32Array; hi: Uint32Array | null; ix: Uint32Array | null } {
  const n = lo.length;
  if (n < 2) return { lo, hi, ix };
  let srcLo: Uint32Array = lo, dstLo: Uint32Array = new Uint32Array(n);
  let srcHi: Uint32Array | null = hi, dstHi: Uint32Array | null = hi ? new Uint32Array(n) : null;
  let srcIx: Uint32Array | null = ix, dstIx: Uint32Array | null = ix ? new Uint32Array(n) : null;
  const count = new Uint32Array(65536);
  for (let pass = 0; pass < (hi ? 4 : 2); pass++) {
    const word = pass < 2 ? srcLo : srcHi!;
    const shift = (pass & 1) * 16;
    count.fill(0);
    for (let i = 0; i < n; i++) count[(word[i] >>> shift) & 0xffff]++;
    if (count[(word[0] >>> shift) & 0xffff] === n) continue; // one digit for all: already in order
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = count[d];
      count[d] = sum;
      sum += c;
    }
    scatter(word, shift, count, srcLo, dstLo, srcHi, dstHi, srcIx, dstIx);
    [srcLo, dstLo] = [dstLo, srcLo];
    if (srcHi) [srcHi, dstHi] = [dstHi!, srcHi];
    if (srcIx) [srcIx, dstIx] = [dstIx!, srcIx];
  }
  return { lo: srcLo, hi: srcHi, ix: srcIx };
}

/** One radix pass's moves (a function of its own: V8 optimises it once, not at each loop of the caller). */
function scatter(word: Uint32Array, shift: number, count: Uint32Array, srcLo: Uint32Array, dstLo: Uint32Array, srcHi: Uint32Array | null, dstHi: Uint32Array | null, srcIx: Uint32Array | null, dstIx: Uint32Array | null): void {
  const n = word.length;
  if (srcHi && dstHi && srcIx && dstIx) {
    for (let i = 0; i < n; i++) {
      const p = count[(word[i] >>> shift) & 0xffff]++;
      dstLo[p] = srcLo[i];
      dstHi[p] = srcHi[i];
      dstIx[p] = srcIx[i];
    }
  } else if (srcHi && dstHi) {
    for (let i = 0; i < n; i++) {
      const p = count[(word[i] >>> shift) & 0xffff]++;
      dstLo[p] = srcLo[i];
      dstHi[p] = srcHi[i];
    }
  } else if (srcIx && dstIx) {
    for (let i = 0; i < n; i++) {
      const p = count[(word[i] >>> shift) & 0xffff]++;
      dstLo[p] = srcLo[i];
      dstIx[p] = srcIx[i];
    }
  } else {
    for (let i = 0; i < n; i++) dstLo[count[(word[i] >>> shift) & 0xffff]++] = srcLo[i];
  }
}

/** `order` re-ordered by the keys `(hi, lo)` of its elements (see {@link radixPasses}); `lo`, `hi` are overwritten. */
function radixByKeys(order: Uint32Array, lo: Uint32Array, hi: Uint32Array | null): Uint32Array {
  return radixPasses(lo, hi, order.slice()).ix!;
}

const F64 = new Float64Array(1);
const F64_BITS = new Uint32Array(F64.buffer);
/** Index of the high word of a float64 in {@link F64_BITS} (little-endian platforms: 1). */
const HI = new Uint8Array(new Float64Array([-0]).buffer)[7] === 0x80 ? 1 : 0;

/**
 * `order` (positions into `score`) re-ordered by descending `score[q]`, ties in `order`'s order: what
 * `[...order].sort((a, b) => score[b] - score[a])` gives (a stable sort; −0 and +0 tie). The scores
 * must not be NaN (the comparator gives no order for it; the evaluator's inputs are finite).
 */
export function orderByScoreDesc(score: Float64Array, order: Uint32Array): Uint32Array {
  const n = order.length;
  const lo = new Uint32Array(n), hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    F64[0] = score[order[i]] + 0; // (−0 → +0: the two tie)
    const l = F64_BITS[1 - HI], h = F64_BITS[HI];
    // descending key: the bitwise complement of the ascending order-preserving key (negative numbers:
    // every bit flipped; others: sign bit set) — i.e. negatives as they are, others with every bit
    // but the sign flipped
    if (h & 0x80000000) {
      lo[i] = l;
      hi[i] = h;
    } else {
      lo[i] = ~l >>> 0;
      hi[i] = ~h & 0x7fffffff;
    }
  }
  return radixByKeys(order, lo, hi);
}

/**
 * `order` re-ordered by ascending `key[q]` (integers in [0, 2^32)), ties in `order`'s order: a stable
 * sort by `(a, b) => key[a] - key[b]`.
 */
export function orderByUint32(key: ArrayLike<number>, order: Uint32Array): Uint32Array {
  const n = order.length;
  const lo = new Uint32Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    lo[i] = key[order[i]];
    if (i > 0 && lo[i] < lo[i - 1]) sorted = false;
  }
  // (already in order — the detections' input order, as a set grouped by image usually is: no passes)
  return sorted ? order.slice() : radixByKeys(order, lo, null);
}

/** `0, 1, …, n − 1`. */
export function identityOrder(n: number): Uint32Array {
  const o = new Uint32Array(n);
  for (let i = 0; i < n; i++) o[i] = i;
  return o;
}
