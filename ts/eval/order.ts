/**
 * Integer-key orderings of the evaluator's flat arrays (stable LSD radix sorts on 16-bit digits), in
 * place of comparator sorts: `Array.prototype.sort` with a comparator costs ~0.5–1 µs per element in
 * V8, these a few tens of ns. Each gives exactly the order of the stable comparator sort it replaces.
 */

/**
 * Stable LSD radix pass set: re-orders `order` by the unsigned 64-bit keys `(hi, lo)` (`hi[i]`,
 * `lo[i]` belong to `order[i]`), ascending, ties in `order`'s order. A 16-bit digit that is the same
 * for every element is skipped. Returns a new array; `lo`, `hi` are overwritten.
 */
function radixByKeys(order: Uint32Array, lo: Uint32Array, hi: Uint32Array | null): Uint32Array {
  const n = order.length;
  let srcIx: Uint32Array = order.slice(), dstIx: Uint32Array = new Uint32Array(n);
  let srcLo: Uint32Array = lo, dstLo: Uint32Array = new Uint32Array(n);
  let srcHi: Uint32Array | null = hi, dstHi: Uint32Array | null = hi ? new Uint32Array(n) : null;
  if (n < 2) return srcIx;
  const count = new Uint32Array(65536);
  const passes = hi ? 4 : 2;
  for (let pass = 0; pass < passes; pass++) {
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
    if (srcHi && dstHi) {
      for (let i = 0; i < n; i++) {
        const p = count[(word[i] >>> shift) & 0xffff]++;
        dstIx[p] = srcIx[i];
        dstLo[p] = srcLo[i];
        dstHi[p] = srcHi[i];
      }
      [srcHi, dstHi] = [dstHi, srcHi];
    } else {
      for (let i = 0; i < n; i++) {
        const p = count[(word[i] >>> shift) & 0xffff]++;
        dstIx[p] = srcIx[i];
        dstLo[p] = srcLo[i];
      }
    }
    [srcIx, dstIx] = [dstIx, srcIx];
    [srcLo, dstLo] = [dstLo, srcLo];
  }
  return srcIx;
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
