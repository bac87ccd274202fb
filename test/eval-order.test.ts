/**
 * ts/eval/order.ts: the radix orderings the VOC columns path uses in place of comparator sorts give
 * exactly the stable comparator sort's order — ties (many equal scores), −0 / +0, negatives,
 * ±Infinity, subnormals, and keys spanning every 16-bit digit.
 */
import { identityOrder, orderByScoreDesc, orderByUint32 } from '../ts/eval/order';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('eval/order', () => {
  const r = rng(7);
  const specials = [0, -0, 1, -1, Infinity, -Infinity, 5e-324, -5e-324, 0.5, 1e300, -1e300, 0.1 + 0.2, 0.3];
  const n = 5000;
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = r();
    score[i] = u < 0.3 ? specials[Math.floor(r() * specials.length)] : u < 0.5 ? Math.round(r() * 20) / 20 : (r() - 0.3) * 10 ** Math.floor(r() * 12 - 6);
  }

  it('orderByScoreDesc = a stable sort by (a, b) => score[b] - score[a]', () => {
    const within = Uint32Array.from([...identityOrder(n)].sort(() => r() - 0.5).filter(() => r() < 0.8));
    const want = [...within].sort((a, b) => score[b] - score[a]);
    expect([...orderByScoreDesc(score, within)]).toEqual(want);
    expect([...orderByScoreDesc(score, identityOrder(n))]).toEqual([...identityOrder(n)].sort((a, b) => score[b] - score[a] || a - b));
    // a tie of −0 and +0 keeps the given order
    expect([...orderByScoreDesc(new Float64Array([0, -0, 0, -0]), Uint32Array.from([3, 0, 1, 2]))]).toEqual([3, 0, 1, 2]);
    expect([...orderByScoreDesc(new Float64Array([-2, 3, -Infinity, Infinity, -0.5]), identityOrder(5))]).toEqual([3, 1, 4, 0, 2]);
    expect([...orderByScoreDesc(score, new Uint32Array(0))]).toEqual([]);
    expect([...orderByScoreDesc(score, Uint32Array.of(4))]).toEqual([4]);
  });

  it('orderByUint32 = a stable sort by (a, b) => key[a] - key[b]', () => {
    const key = Array.from({ length: n }, () => (r() < 0.5 ? Math.floor(r() * 50) : Math.floor(r() * 2 ** 32)));
    const within = identityOrder(n).reverse();
    expect([...orderByUint32(key, within)]).toEqual([...within].sort((a, b) => key[a] - key[b]));
    expect([...orderByUint32([3, 1, 2, 1], identityOrder(4))]).toEqual([1, 3, 2, 0]);
    // keys already ascending (ties kept in the given order)
    expect([...orderByUint32([0, 2, 2, 5], Uint32Array.of(0, 2, 1, 3))]).toEqual([0, 2, 1, 3]);
  });
});
