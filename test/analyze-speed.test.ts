import { sortFloat64, argsortFloat64, sortFloat64Along } from '../packages/cli/src/analyze/sort';
import { mulberry32 } from '../packages/cli/src/bench/cases';
import { hlrRanksSmall } from '../packages/cli/src/analyze/pisa';
import { iouHlr } from '../ts';
import { forEachBackend } from './helpers';

const same = (a: Float64Array, b: Float64Array) => {
  expect(a.length).toBe(b.length);
  let bad = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) bad++;
  expect(bad).toBe(0);
};

describe('sortFloat64', () => {
  it('equals Float64Array.prototype.sort on mixed values (negatives, ±0, ±Infinity, NaN, ties, subnormals)', () => {
    const rnd = mulberry32(7);
    const special = [0, -0, Infinity, -Infinity, NaN, -NaN, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1, 0.1, 0.1];
    const a = new Float64Array(10000);
    for (let i = 0; i < a.length; i++) {
      const r = rnd();
      a[i] = r < 0.05 ? special[Math.floor(rnd() * special.length)] : r < 0.5 ? Math.fround(rnd() * 3) : r < 0.75 ? -rnd() * 1e6 : Math.round(rnd() * 20) / 4;
    }
    const want = a.slice().sort();
    const got = sortFloat64(a.slice());
    same(got, want);
    expect(Number.isNaN(got[got.length - 1])).toBe(true);
    const z = got.indexOf(0);
    expect(Object.is(got[z], -0)).toBe(true);
  });

  it('sorts in place, short arrays and one-digit passes included', () => {
    const rnd = mulberry32(3);
    for (const n of [0, 1, 5, 2047, 2048, 5000]) {
      const a = Float64Array.from({ length: n }, () => Math.floor(rnd() * 8));
      const want = a.slice().sort();
      const got = sortFloat64(a);
      expect(got).toBe(a);
      same(a, want);
    }
    const sub = new Float64Array(6000).map((_, i) => (i * 7919) % 6000 - 3000).subarray(1000, 5000);
    const want = sub.slice().sort();
    sortFloat64(sub);
    same(sub, want);
  });
});

describe('argsortFloat64 / sortFloat64Along', () => {
  it('argsort is the stable ascending order of sort() (long: radix, short: comparator)', () => {
    const rnd = mulberry32(11);
    for (const n of [300, 9000]) {
      const a = Float64Array.from({ length: n }, () => { const r = rnd(); return r < 0.02 ? NaN : r < 0.04 ? -0 : r < 0.06 ? 0 : Math.round((rnd() - 0.5) * 40) / 8; });
      const o = argsortFloat64(a);
      same(Float64Array.from(o, (i) => a[i]), a.slice().sort());
      for (let i = 1; i < n; i++) if (Object.is(a[o[i]], a[o[i - 1]])) expect(o[i]).toBeGreaterThan(o[i - 1]);
    }
  });

  it('sortFloat64Along gives sort() whether the order sorts the values, reverses them, or does neither', () => {
    const rnd = mulberry32(5);
    const x = Float64Array.from({ length: 6000 }, () => (rnd() - 0.5) * 10);
    const o = argsortFloat64(x);
    const up = x.map((v) => Math.fround(1 / (1 + Math.exp(-v)))); // monotone rising, with float32 ties
    const down = x.map((v) => Math.fround(Math.log1p(Math.exp(-v)))); // falling
    const none = x.map((v) => Math.sin(7 * v));
    for (const v of [up, down, none]) same(sortFloat64Along(v.slice(), o), v.slice().sort());
    const zeros = Float64Array.from({ length: 4000 }, (_, i) => (i % 2 ? 0 : -0));
    same(sortFloat64Along(zeros.slice(), Uint32Array.from({ length: 4000 }, (_, i) => i)), zeros.slice().sort());
  });
});

describe('hlrRanksSmall (perImageHlrOrder without a kernel call per image)', () => {
  forEachBackend(() => {
    it('equals the library iouHlr ranks on random groups with tied IoUs', () => {
      const rnd = mulberry32(21);
      for (let t = 0; t < 300; t++) {
        const n = 1 + Math.floor(rnd() * 14);
        const labels = Int32Array.from({ length: n }, () => Math.floor(rnd() * 3));
        const gt = Int32Array.from({ length: n }, () => Math.floor(rnd() * 4));
        const ious = Float32Array.from({ length: n }, () => 0.5 + Math.floor(rnd() * 6) / 12);
        const want = Int32Array.from(iouHlr({ labels, gtInds: gt, ious }).ranks.data as ArrayLike<number>);
        expect(Array.from(hlrRanksSmall(labels, gt, ious))).toEqual(Array.from(want));
      }
    });
  });
});

describe('thinPoints ranks by x with the radix argsort', () => {
  it('picks the rows the comparator sort picks (ties in input order), and falls back with NaN / −0', async () => {
    const { thinPoints } = await import('../packages/cli/src/analyze/samples');
    const reference = <T extends Record<string, unknown>>(rows: T[], max: number, x: keyof T, y: keyof T): T[] => {
      const n = rows.length;
      const xs = Float64Array.from(rows, (r) => r[x] as number);
      const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => xs[a] - xs[b] || a - b);
      let yMin = 0, yMax = 0;
      for (let i = 1; i < n; i++) {
        const v = rows[i][y] as number;
        if (v < (rows[yMin][y] as number)) yMin = i;
        if (v > (rows[yMax][y] as number)) yMax = i;
      }
      const keep = new Set<number>([yMin, yMax]);
      const m = max - 2;
      for (let k = 0; k < m; k++) keep.add(order[Math.round((k * (n - 1)) / (m - 1))]);
      for (let k = 0; keep.size < max && k < m - 1; k++) keep.add(order[Math.round(((k + 0.5) * (n - 1)) / (m - 1))]);
      return [...keep].sort((a, b) => a - b).map((i) => rows[i]);
    };
    const rnd = mulberry32(9);
    const rows = Array.from({ length: 12000 }, (_, i) => ({ i, x: Math.round(rnd() * 50) / 50, y: rnd() })); // many ties
    expect(thinPoints(rows, 700, 'x', 'y')).toEqual(reference(rows, 700, 'x', 'y'));
    const odd = rows.map((r, i) => ({ ...r, x: i % 97 === 0 ? NaN : i % 89 === 0 ? -0 : r.x }));
    expect(thinPoints(odd, 700, 'x', 'y')).toEqual(reference(odd, 700, 'x', 'y'));
  });
});
