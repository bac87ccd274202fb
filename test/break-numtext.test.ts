/**
 * analyze's numbers as bytes (packages/cli/src/analyze/numtext.ts) against their definitions, on
 * every kind of float32 (fast-check over the 2^32 bit patterns: subnormals, the extremes, ±0,
 * NaN/±Inf) and on integers around 2^31: `writeFloat32` is the fewest significant digits that read
 * back as the same float32, laid out as `String(number)` would; `writeNumber` is `String(v)`.
 * And the CSV cells' formula-injection rule (artifacts.ts) on text cells.
 */
import fc from 'fast-check';
import { float32Text, writeNumber, writeFloat32 } from '../packages/cli/src/analyze/numtext';
import { toCsv } from '../packages/cli/src/analyze/artifacts';

const dv = new DataView(new ArrayBuffer(4));
const fromBits = (b: number) => {
  dv.setUint32(0, b >>> 0);
  return dv.getFloat32(0);
};
const BUF = new Uint8Array(64);
const numberText = (v: number) => Buffer.from(BUF.subarray(0, writeNumber(BUF, 0, v))).toString('latin1');

/** The reference: fewest digits p whose correctly rounded p-digit decimal reads back as v (or the other p-digit neighbour). */
function fewestDigits(v: number): number {
  for (let p = 1; p <= 9; p++) {
    const t = v.toPrecision(p);
    if (Math.fround(Number(t)) === v) return p;
    // the neighbour on the other side (at a power of two the rounding interval is lopsided)
    const [m, e] = v.toExponential(p - 1).split('e');
    const ulp = 10 ** (Number(e) - (p - 1));
    for (const d of [-1, 1]) if (Math.fround(Number(m) * 10 ** Number(e) + d * ulp) === v && Math.fround(Number(`${(Number(m) * 10 ** (p - 1) + d).toFixed(0)}e${Number(e) - (p - 1)}`)) === v) return p;
  }
  return 9;
}
const digits = (t: string) => t.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length || 1;

describe('writeFloat32', () => {
  test('every float32 bit pattern: reads back, fewest digits, String(number) layout', () => {
    const bits = fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 0, max: 2 ** 32 - 1 }) },
      // subnormals and the smallest normals, both signs
      { weight: 2, arbitrary: fc.integer({ min: 0, max: 0x00ffffff }).chain((b) => fc.constantFrom(b, (b | 0x80000000) >>> 0)) },
      // the largest finite values
      { weight: 1, arbitrary: fc.integer({ min: 0x7f000000, max: 0x7f7fffff }) },
    );
    fc.assert(
      fc.property(bits, (b) => {
        const v = fromBits(b);
        const t = float32Text(v);
        if (!Number.isFinite(v)) return t === String(v);
        if (v === 0) return t === '0';
        if (Math.fround(Number(t)) !== v) throw new Error(`${t} does not read back as ${v}`);
        if (String(Number(t)) !== t) throw new Error(`${t}: String(number) lays it out as ${String(Number(t))}`);
        if (digits(t) > fewestDigits(v)) throw new Error(`${t} for ${v}: ${digits(t)} digits, ${fewestDigits(v)} suffice`);
        return true;
      }),
      { seed: 20261130, numRuns: 20000 },
    );
  });

  test('the named edges', () => {
    const cases: [number, string][] = [
      [0, '0'], [-0, '0'], [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'],
      [fromBits(1), '1e-45'], [fromBits(0x80000001), '-1e-45'], [fromBits(0x007fffff), '1.1754942e-38'], [fromBits(0x00800000), '1.1754944e-38'],
      [fromBits(0x7f7fffff), '3.4028235e+38'], [Math.fround(0.1), '0.1'], [Math.fround(1e21), '1e+21'], [Math.fround(1e-7), '1e-7'], [Math.fround(123456792), '123456790'],
      [Math.fround(0.44370999932289124), '0.44371'], [16777216, '16777216'], [Math.fround(1e20), '100000000000000000000'],
    ];
    for (const [v, want] of cases) expect([v, float32Text(v)]).toEqual([v, want]);
  });

  test('a value that is not a float32 is String(v); the buffer needs at most 25 bytes', () => {
    expect(float32Text(0.1)).toBe('0.1');
    expect(float32Text(1 / 3)).toBe(String(1 / 3));
    const out = new Uint8Array(25);
    for (const v of [-fromBits(0x00000001), -fromBits(0x7f7fffff), -1.2345678e-30, 1 / 3, -Number.MIN_VALUE, -Number.MAX_VALUE]) {
      expect(writeFloat32(out, 0, Math.fround(v) === v ? v : v)).toBeLessThanOrEqual(25);
    }
  });
});

describe('writeNumber', () => {
  test('String(v) for integers around ±2^31, ±2^53, fractions, −0 and huge values', () => {
    const vs = [0, -0, 1, -1, 9, 10, -10, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 53, -(2 ** 53), 1e21, -1e21, 0.5, -1e-7, 123456789, -987654321, 1e300, Number.MIN_VALUE];
    for (const v of vs) expect([v, numberText(v)]).toEqual([v, String(v)]);
    fc.assert(fc.property(fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })), (v) => numberText(v) === String(v)), { seed: 7, numRuns: 5000 });
  });
});

describe('CSV cells (analyze)', () => {
  test('text starting with = + - @ tab CR is prefixed with a quote; quotes, commas and line breaks are quoted; numbers and booleans are not touched', () => {
    const csv = toCsv([
      { a: '=HYPERLINK("http://x","y")', b: '+1', c: '-2', d: '@SUM(A1)', e: '\tx', f: '\r=1', g: -3, h: true, i: 'plain, "q"', j: 'a\nb' },
    ]);
    const [, row] = csv.split('\n');
    expect(csv).toBe('a,b,c,d,e,f,g,h,i,j\n' + `"'=HYPERLINK(""http://x"",""y"")",'+1,'-2,'@SUM(A1),'\tx,"'\r=1",-3,true,"plain, ""q""","a\nb"\n`);
    expect(row.startsWith('"\'=')).toBe(true);
    // non-finite numbers are empty cells, −0 is 0
    expect(toCsv([{ x: NaN, y: Infinity, z: -0 }])).toBe('x,y,z\n,,0\n');
  });
});
