/**
 * Breaker round 8 on the CSV-only path of `analyze`'s writer (packages/cli/src/analyze/writer.ts):
 * `writeTableCsv` (and `runWriteJob` of a CSV job of a RowTable, which takes it) must give the bytes
 * of the old row-object path, `writeCsvFile` over `rowsOfTable` with the table's keys — for random
 * tables of float64 columns, text dictionaries (commas, quotes, CR/LF, leading = + - @ tab, lone
 * surrogates, non-ASCII, entries longer than the 64 KiB buffer) and the float64 "numbers"
 * dictionaries (NaN, ±Infinity, −0, ±2^31, 1e21), empty tables and tables without columns.
 */
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTableCsv, rowsOfTable, runWriteJob, type RowTable } from '../packages/cli/src/analyze/writer';
import { writeCsvFile, toCsv } from '../packages/cli/src/analyze/artifacts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ss-break-writer8-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LONG = 'x'.repeat(70000);
const LONG_MB = '=é,"\n'.repeat(20000); // 120 KB of UTF-8, needs quoting and the injection quote
const special = fc.constantFrom(',', '"', '\n', '\r', '=', '+', '-', '@', '\t', ' ', "'", 'é', 'γ', '😀', '\ud800', '\udfff', 'a', '1', ';');
const text = fc.oneof(
  { weight: 10, arbitrary: fc.array(special, { maxLength: 8 }).map((a) => a.join('')) },
  { weight: 3, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constantFrom('', LONG, LONG_MB, '-1', '=SUM(A1)', '@x', '+1') },
);
const num = fc.oneof(
  { weight: 6, arbitrary: fc.double() },
  { weight: 3, arbitrary: fc.integer({ min: -100, max: 100 }) },
  { weight: 2, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 2 ** 31, -(2 ** 31), 2 ** 31 - 1, -(2 ** 31) - 1, 1e21, -1e-7, 5e-324, Math.fround(0.1), 123456789.125) },
);

/** A random RowTable of `n` rows: each column float64, a text dictionary or a numbers dictionary (distinct keys, as rows have). */
const table: fc.Arbitrary<RowTable> = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.uniqueArray(fc.tuple(fc.constantFrom('f64', 'dict', 'numbers'), fc.oneof(fc.constantFrom('method', 'iou', 'score', 'index'), fc.string({ maxLength: 5 }))), { maxLength: 5, selector: ([, k]) => k })).chain(([n, spec]) =>
  fc.tuple(...spec.map(([kind]) => {
    if (kind === 'f64') return fc.array(num, { minLength: n, maxLength: n }).map((v) => Float64Array.from(v));
    const entries = kind === 'dict' ? fc.array(text, { minLength: 1, maxLength: 6 }) : fc.array(num, { minLength: 1, maxLength: 6 });
    return entries.chain((d) => fc.array(fc.integer({ min: 0, max: d.length - 1 }), { minLength: n, maxLength: n }).map((c) => (kind === 'dict' ? { dict: d as string[], codes: Int32Array.from(c) } : { numbers: Float64Array.from(d as number[]), codes: Int32Array.from(c) })));
  })).map((cols) => ({ rowTable: true as const, length: n, keys: spec.map(([, k]) => k), cols: cols as RowTable['cols'] })),
);

describe('writeTableCsv against the row-object path (writeCsvFile over rowsOfTable): byte for byte', () => {
  test('random tables: text with commas, quotes, newlines, formula prefixes, lone surrogates, long entries; NaN, ±Infinity, −0, ±2^31, 1e21', () => {
    let i = 0, fast = 0;
    fc.assert(
      fc.property(table, (t) => {
        const a = join(dir, `new-${i}.csv`), b = join(dir, `old-${i}.csv`), c = join(dir, `job-${i}.csv`);
        i++;
        if (writeTableCsv(a, t)) fast++;
        else writeCsvFile(a, rowsOfTable(t), t.keys);
        writeCsvFile(b, rowsOfTable(t), t.keys);
        runWriteJob({ kind: 'csv', path: c, rows: t });
        const want = readFileSync(b);
        expect(readFileSync(a).equals(want)).toBe(true);
        expect(readFileSync(c).equals(want)).toBe(true);
        rmSync(a);
        rmSync(b);
        rmSync(c);
      }),
      { seed: Number(process.env.BREAK8_SEED ?? 0) + 8101, numRuns: Number(process.env.BREAK8_RUNS ?? 400) },
    );
    expect(fast).toBeGreaterThan(i / 2); // the new path was taken (not only the fallback)
  });

  test('an empty table: the header line alone, on both paths; a table without columns: one empty line per row, as before', () => {
    const empty: RowTable = { rowTable: true, length: 0, keys: ['method', 'iou'], cols: [{ dict: [], codes: new Int32Array(0) }, new Float64Array(0)] };
    runWriteJob({ kind: 'csv', path: join(dir, 'empty.csv'), rows: empty });
    expect(readFileSync(join(dir, 'empty.csv'), 'utf8')).toBe('method,iou\n');
    const noCols: RowTable = { rowTable: true, length: 3, keys: [], cols: [] };
    expect(writeTableCsv(join(dir, 'nocols.csv'), noCols)).toBe(true);
    writeCsvFile(join(dir, 'nocols-old.csv'), rowsOfTable(noCols), []);
    expect(readFileSync(join(dir, 'nocols.csv'), 'utf8')).toBe(readFileSync(join(dir, 'nocols-old.csv'), 'utf8'));
  });

  test('one dictionary entry longer than the 64 KiB buffer, on many rows, beside a numbers dictionary: the text of toCsv', () => {
    const n = 3000;
    const t: RowTable = {
      rowTable: true, length: n, keys: ['method', 'iou', 'w'],
      cols: [
        { dict: ['ISR-P', LONG_MB, '-x'], codes: Int32Array.from({ length: n }, (_, i) => (i % 97 === 0 ? 1 : i % 3 === 1 ? 2 : 0)) },
        { numbers: Float64Array.of(0.5, NaN, -0, 1e21), codes: Int32Array.from({ length: n }, (_, i) => i % 4) },
        Float64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? -Infinity : i / 7)),
      ],
    };
    expect(writeTableCsv(join(dir, 'long.csv'), t)).toBe(true);
    const rows = [...rowsOfTable(t)];
    expect(readFileSync(join(dir, 'long.csv'), 'utf8')).toBe(toCsv(rows, t.keys));
    // (spot check of the escaping itself: quoted, quotes doubled, the injection quote first)
    expect(toCsv([{ m: '=a,"b"' }, { m: '-1' }, { m: 'x\ny' }], ['m'])).toBe('m\n"\'=a,""b"""\n\'-1\n"x\ny"\n');
  });
});
