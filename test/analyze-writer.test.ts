/**
 * The background writer of `analyze` (packages/cli/src/analyze/writer.ts): the built worker module
 * (dist/worker.mjs) writes exactly the text the main thread would, moved typed arrays included; a
 * write error fails the run with one line, exit 1 and no report.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BackgroundWriter, buffersOf } from '../packages/cli/src/analyze/writer';
import { toCsv, toJson, type Row } from '../packages/cli/src/analyze/artifacts';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'packages', 'cli', 'bin', 'soft-sampling.mjs');
const WORKER = pathToFileURL(join(ROOT, 'packages', 'cli', 'dist', 'worker.mjs'));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ss-writer-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('BackgroundWriter on the built worker module', () => {
  test('CSV from moved columns and JSON with typed arrays: the main thread’s text, byte for byte; the moved arrays are detached', async () => {
    const n = 1000;
    const idx = Uint32Array.from({ length: n }, (_, i) => i * 7);
    const g = Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i) ** 2));
    const x = Float64Array.from({ length: n }, (_, i) => (i % 13 === 0 ? NaN : Math.exp(-i / 97) - 0.5));
    const rows: Row[] = Array.from({ length: n }, (_, i) => ({ index: idx[i], g: g[i], x: x[i] }));
    const wantCsv = toCsv(rows);
    const doc = { a: 'b', curve: Float64Array.from(x), nested: { rows: rows.slice(0, 50) } };
    const wantJson = toJson(doc);
    const w = new BackgroundWriter(WORKER);
    const cols = { length: n, columns: [{ name: 'index', values: idx.slice() }, { name: 'g', values: g.slice() }, { name: 'x', values: x.slice() }] };
    const moved = buffersOf(...cols.columns.map((c) => c.values));
    w.submit('csv', [{ kind: 'csv', path: join(dir, 'a.csv'), rows: cols }], moved);
    w.submit('json', [{ kind: 'json', path: join(dir, 'a.json'), value: doc }, { kind: 'csv', path: join(dir, 'b.csv'), rows }]);
    expect(cols.columns[0].values.length).toBe(0); // moved, not copied
    await w.drain();
    await w.close();
    expect(readFileSync(join(dir, 'a.csv'), 'utf8')).toBe(wantCsv);
    expect(readFileSync(join(dir, 'b.csv'), 'utf8')).toBe(wantCsv);
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe(wantJson);
  });

  test('a failed job rejects drain() with the file-system error (code and syscall kept); the other jobs still run', async () => {
    const w = new BackgroundWriter(WORKER);
    w.submit('bad', [{ kind: 'json', path: join(dir, 'missing-dir', 'x.json'), value: { a: 1 } }]);
    w.submit('good', [{ kind: 'json', path: join(dir, 'ok.json'), value: { a: 1 } }]);
    await expect(w.drain()).rejects.toMatchObject({ code: 'ENOENT', syscall: 'open' });
    await w.close();
    expect(readFileSync(join(dir, 'ok.json'), 'utf8')).toBe(toJson({ a: 1 }));
  });

  test('help(): the jobs the thread has not taken yet are written in the calling thread, last first — the same bytes; their errors reach drain()', async () => {
    const lines: string[] = [];
    const w = new BackgroundWriter(WORKER, (l) => lines.push(l));
    const n = 20000;
    const rows: Row[] = Array.from({ length: n }, (_, i) => ({ i, v: Math.sqrt(i) / 7 }));
    const want = toCsv(rows);
    // three jobs are handed to the thread at once, the others wait: several big ones, then a failing one
    for (let k = 0; k < 6; k++) {
      const cols = { length: n, columns: [{ name: 'i', values: Float64Array.from(rows, (r) => r.i as number) }, { name: 'v', values: Float64Array.from(rows, (r) => r.v as number) }] };
      w.submit(`h${k}`, [{ kind: 'csv', path: join(dir, `h${k}.csv`), rows: cols }], buffersOf(...cols.columns.map((c) => c.values)));
    }
    w.submit('bad', [{ kind: 'json', path: join(dir, 'no-such-dir', 'x.json'), value: { a: 1 } }]);
    await w.help();
    // the failing job was the last submitted: this thread took it first
    await expect(w.drain()).rejects.toMatchObject({ code: 'ENOENT', syscall: 'open' });
    await w.close();
    for (let k = 0; k < 6; k++) expect(readFileSync(join(dir, `h${k}.csv`), 'utf8')).toBe(want);
    expect(lines.filter((l) => l.includes('(main thread)')).length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.includes('(writer thread')).length).toBeGreaterThan(0);
  });

  test('without a worker module the jobs run at once in the calling thread', async () => {
    const w = new BackgroundWriter(undefined);
    w.submit('now', [{ kind: 'csv', path: join(dir, 'now.csv'), rows: [{ a: 1, b: 'x' }] }]);
    expect(readFileSync(join(dir, 'now.csv'), 'utf8')).toBe('a,b\n1,x\n');
    await w.drain();
    await w.close();
  });
});

describe('analyze with a failing writer', () => {
  test('a write error in the writer thread: one line naming the file, exit 1, no report and no temporary folder left', () => {
    const out = join(dir, 'report');
    const r = spawnSync(process.execPath, [BIN, 'analyze', '--out', out, '-q', '--no-png'], { encoding: 'utf8', env: { ...process.env, SOFT_SAMPLING_TEST_WRITE_FAIL: 'samples.csv' } });
    expect(r.status).toBe(1);
    const errors = r.stderr.trim().split('\n').filter((l) => !/^soft-sampling analyze: warning:/.test(l)); // the bundled data's own warning
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^soft-sampling analyze: error: ENOSPC: no space left on device, write '.*samples\.csv'$/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('.report.'))).toEqual([]);
  }, 120000);
});

describe('analyze with a failing chart', () => {
  test('a render error on the chart thread: one line naming the chart, exit 1, no report and no temporary folder left', () => {
    const out = join(dir, 'report-chart');
    const r = spawnSync(process.execPath, [BIN, 'analyze', '--out', out, '-q'], { encoding: 'utf8', env: { ...process.env, SOFT_SAMPLING_TEST_CHART_FAIL: 'pisa_prime_samples' } });
    expect(r.status).toBe(1);
    const errors = r.stderr.trim().split('\n').filter((l) => !/^soft-sampling analyze: warning:/.test(l));
    expect(errors).toHaveLength(1);
    // (a render error is a bug, not an input error: reported as one)
    expect(errors[0]).toMatch(/^soft-sampling analyze: error: internal error: chart pisa_prime_samples: test failure \(a bug: please report it; SOFT_SAMPLING_DEBUG=1 prints the stack\)$/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('.report-chart.'))).toEqual([]);
  }, 120000);
});

describe('BackgroundCharts (the optional chart thread)', () => {
  test('SVG and PNG from the chart thread are those of renderChart in this thread; a render error rejects that chart only', async () => {
    const { BackgroundCharts } = await import('../packages/cli/src/analyze/chart-worker');
    const { renderChart } = await import('../packages/cli/src/analyze/chart');
    const spec = { data: { values: Array.from({ length: 50 }, (_, i) => ({ x: i, y: (i * 7) % 11 })) }, mark: 'point', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } };
    const want = await renderChart(spec, { png: true });
    const c = new BackgroundCharts(WORKER, true);
    try {
      const bad = c.render({ ...spec, mark: 'no-such-mark' }, 'bad');
      const got = await c.render(spec, 'ok');
      expect(got.svg).toBe(want.svg);
      expect(Buffer.from(got.png!).equals(Buffer.from(want.png!))).toBe(true);
      await expect(bad).rejects.toThrow();
    } finally {
      await c.close();
    }
  }, 60000);
});

describe('BackgroundWriter.chart (charts on the writer thread, the default)', () => {
  test('SVG and PNG from the writer thread are those of renderChart in this thread; a render error rejects that chart only, the writes go on', async () => {
    const { renderChart } = await import('../packages/cli/src/analyze/chart');
    const spec = { data: { values: Array.from({ length: 50 }, (_, i) => ({ x: i, y: (i * 5) % 13 })) }, mark: 'line', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } };
    const want = await renderChart(spec, { png: true });
    const w = new BackgroundWriter(WORKER);
    try {
      const bad = w.chart({ ...spec, mark: 'no-such-mark' }, 'bad', true);
      w.submit('after', [{ kind: 'csv', path: join(dir, 'after-chart.csv'), rows: [{ a: 1 }] }]);
      const got = await w.chart(spec, 'ok', true);
      const svgOnly = await w.chart(spec, 'ok', false);
      expect(got.svg).toBe(want.svg);
      expect(Buffer.from(got.png!).equals(Buffer.from(want.png!))).toBe(true);
      expect(svgOnly.svg).toBe(want.svg);
      expect(svgOnly.png).toBeUndefined();
      await expect(bad).rejects.toThrow();
      await w.drain();
      expect(readFileSync(join(dir, 'after-chart.csv'), 'utf8')).toBe('a\n1\n');
    } finally {
      await w.close();
    }
  }, 60000);
});

describe('RowTable (rows as columns for the trip to the writer)', () => {
  test('toJson / toCsv text of a document with a big row array, through the writer: byte for byte', async () => {
    const { toRowTable, tableBuffers } = await import('../packages/cli/src/analyze/writer');
    const n = 40000;
    const names = ['ISR-P', 'CARL', '=cmd', 'a,"b"'];
    const rows: Row[] = Array.from({ length: n }, (_, i) => ({
      method: names[i % 4], index: i, iou: i % 17 === 0 ? NaN : 0.5 + (i % 1000) / 2000, score: i % 23 === 0 ? -0 : Math.fround(Math.cos(i)), random: i % 3 === 0, note: i % 5 === 0 ? null : 'x',
    }));
    const doc = { id: 't', title: 'T', counts: Float64Array.of(1, 2, Infinity), rows, tail: { k: 1 } };
    const wantJson = toJson(doc);
    const wantCsv = toCsv(rows);
    const table = toRowTable(rows)!;
    expect(table).not.toBeNull();
    expect(toRowTable(rows.slice(0, 100))).toBeNull(); // small: cloned as they are
    expect(toRowTable([...rows.slice(0, 20000), { ...rows[0], extra: 1 }, ...rows.slice(20000)])).toBeNull(); // not all the same keys
    const w = new BackgroundWriter(WORKER);
    w.submit('table', [{ kind: 'json', path: join(dir, 't.json'), value: { ...doc, rows: table } }, { kind: 'csv', path: join(dir, 't.csv'), rows: table }], tableBuffers(table));
    await w.drain();
    await w.close();
    expect(readFileSync(join(dir, 't.json'), 'utf8')).toBe(wantJson);
    expect(readFileSync(join(dir, 't.csv'), 'utf8')).toBe(wantCsv);
  }, 60000);
});

describe('a JSON document and the CSV of its table in one pass', () => {
  test('numbers and text columns (non-finite, −0, float32 values, formula-like and quoted text): the bytes of toJson / toCsv, in the thread and through the writer', async () => {
    const { toRowTable, tableBuffers, writeJsonAndCsv } = await import('../packages/cli/src/analyze/writer');
    const n = 60000;
    const names = ['ISR-P', '=cmd', 'a,"b"', '-x', 'é\n2'];
    const make = () => Array.from({ length: n }, (_, i) => ({
      method: names[i % 5], index: i, iou: i % 17 === 0 ? NaN : i % 19 === 0 ? -Infinity : 0.5 + (i % 1000) / 2000, score: i % 23 === 0 ? -0 : Math.fround(Math.cos(i)), big: i % 7 === 0 ? 1e21 : i * 1e-9,
    }));
    const rows: Row[] = make();
    const other: Row[] = make().map((r) => ({ ...r, index: -r.index }));
    const doc = { id: 't', title: 'T "quoted"', counts: Float64Array.of(1, 2, Infinity), other, rows, tail: { k: 1 } };
    const wantJson = toJson(doc);
    const wantCsv = toCsv(rows);
    for (const via of ['thread', 'writer'] as const) {
      const table = toRowTable(rows)!, otherTable = toRowTable(other)!;
      expect(table).not.toBeNull();
      const json = { kind: 'json' as const, path: join(dir, `p-${via}.json`), value: { ...doc, other: otherTable, rows: table } };
      const csv = { kind: 'csv' as const, path: join(dir, `p-${via}.csv`), rows: table };
      const jobs = [json, csv];
      if (via === 'thread') expect(writeJsonAndCsv(json, csv)).toBe(true); // (not the generic path)
      else {
        const w = new BackgroundWriter(WORKER);
        w.submit('pair', jobs, [...tableBuffers(table), ...tableBuffers(otherTable)]);
        await w.drain();
        await w.close();
      }
      expect(readFileSync(join(dir, `p-${via}.json`), 'utf8')).toBe(wantJson);
      expect(readFileSync(join(dir, `p-${via}.csv`), 'utf8')).toBe(wantCsv);
    }
    // a column of numbers as codes into a float64 dictionary (non-finite and −0 entries): the same bytes
    const uniq = Float64Array.of(0.25, NaN, -0, -Infinity, Math.fround(0.7), 3);
    const codes = Int32Array.from({ length: n }, (_, i) => (i * 7) % uniq.length);
    const withNumbers = rows.map((r, i) => ({ ...r, q: uniq[codes[i]] }));
    const t = toRowTable(rows)!;
    const dictTable = { ...t, keys: [...t.keys, 'q'], cols: [...t.cols, { numbers: uniq, codes }] };
    const json = { path: join(dir, 'pn.json'), value: { id: 't', rows: dictTable } };
    expect(writeJsonAndCsv(json, { path: join(dir, 'pn.csv'), rows: dictTable })).toBe(true);
    expect(readFileSync(join(dir, 'pn.json'), 'utf8')).toBe(toJson({ id: 't', rows: withNumbers }));
    expect(readFileSync(join(dir, 'pn.csv'), 'utf8')).toBe(toCsv(withNumbers));
  }, 60000);

  test('the CSV of a table whose rows are not in the JSON (a per-sample file): the bytes of toCsv, from the columns, in the thread and through the writer', async () => {
    const { toRowTable, tableBuffers, writeTableCsv, rowsOfTable } = await import('../packages/cli/src/analyze/writer');
    const long = 'x'.repeat(70000); // a dictionary entry longer than the write buffer's slack
    const names = ['ISR-P', '=cmd', 'a,"b"', '-x', 'é\n2', 'focal (γ=2)'];
    const n = 60000;
    const rows: Row[] = Array.from({ length: n }, (_, i) => ({
      method: i === 5 || i === 6 ? long : names[i % 6], index: i, iou: i % 17 === 0 ? NaN : i % 19 === 0 ? -Infinity : 0.5 + (i % 1000) / 2000, score: i % 23 === 0 ? -0 : Math.fround(Math.cos(i)), big: i % 7 === 0 ? 1e21 : -i * 1e-9,
    }));
    const wantCsv = toCsv(rows);
    const doc = { id: 't', title: 'T', positives: n, perSampleFile: 't.csv' };
    const wantJson = toJson(doc);
    // in this thread: the fast path, and not for a table with other columns (booleans, null)
    const table = toRowTable(rows)!;
    expect(writeTableCsv(join(dir, 's-thread.csv'), table)).toBe(true);
    expect(readFileSync(join(dir, 's-thread.csv'), 'utf8')).toBe(wantCsv);
    expect(writeTableCsv(join(dir, 's-mixed.csv'), toRowTable(rows.map((r, i) => ({ ...r, hard: i % 2 === 0 })))!)).toBe(false);
    expect(existsSync(join(dir, 's-mixed.csv'))).toBe(false);
    // a column of repeating numbers as codes into a float64 dictionary: the same text
    const uniq = Float64Array.of(0.5, NaN, -0, 1e21, Math.fround(0.1), -2.5e-8, Infinity);
    const codes = Int32Array.from({ length: n }, (_, i) => (i * 5) % uniq.length);
    const withNumbers = rows.map((r, i) => ({ ...r, q: uniq[codes[i]] }));
    const nt = toRowTable(rows)!;
    const dictTable = { ...nt, keys: [...nt.keys, 'q'], cols: [...nt.cols, { numbers: uniq, codes }] };
    expect(writeTableCsv(join(dir, 's-numbers.csv'), dictTable)).toBe(true);
    expect(readFileSync(join(dir, 's-numbers.csv'), 'utf8')).toBe(toCsv(withNumbers));
    expect([...rowsOfTable(dictTable)]).toEqual(withNumbers);
    // through the writer, after the JSON that names it; two dictionary columns share their codes (moved once)
    const mt = toRowTable(rows)!, mcodes = codes.slice();
    const moved = { ...mt, keys: [...mt.keys, 'q', 'q2'], cols: [...mt.cols, { numbers: uniq.slice(), codes: mcodes }, { numbers: uniq.map((v) => -v), codes: mcodes }] };
    const w = new BackgroundWriter(WORKER);
    w.submit('per-sample', [{ kind: 'json', path: join(dir, 's.json'), value: doc }, { kind: 'csv', path: join(dir, 's.csv'), rows: moved }], tableBuffers(moved));
    await w.drain();
    await w.close();
    expect(mcodes.length).toBe(0); // moved, not copied
    expect(readFileSync(join(dir, 's.json'), 'utf8')).toBe(wantJson);
    expect(readFileSync(join(dir, 's.csv'), 'utf8')).toBe(toCsv(withNumbers.map((r) => ({ ...r, q2: -(r.q as number) }))));
  }, 60000);
});

describe('thinPoints (scatter layers of the charts)', () => {
  test('exactly max rows, in input order, the x and y extremes kept, deterministic; small inputs untouched', async () => {
    const { thinPoints } = await import('../packages/cli/src/analyze/samples');
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const rows = Array.from({ length: 10000 }, (_, i) => ({ i, x: 0.5 + rnd() / 2, y: rnd() * 10 }));
    const t = thinPoints(rows, 500, 'x', 'y');
    expect(t).toHaveLength(500);
    expect(t.map((r) => r.i)).toEqual([...t.map((r) => r.i)].sort((a, b) => a - b));
    const by = (f: (a: number, b: number) => boolean, k: 'x' | 'y') => rows.reduce((a, r) => (f(r[k], a[k]) ? r : a));
    for (const e of [by((a, b) => a < b, 'x'), by((a, b) => a > b, 'x'), by((a, b) => a < b, 'y'), by((a, b) => a > b, 'y')]) expect(t).toContain(e);
    expect(thinPoints(rows, 500, 'x', 'y')).toEqual(t);
    const small = rows.slice(0, 300);
    expect(thinPoints(small, 500, 'x', 'y')).toBe(small);
  });
});
