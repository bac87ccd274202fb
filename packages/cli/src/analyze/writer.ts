/**
 * Background writer of the big per-sample files (issue 9 item 8): turning half a million numbers into
 * text is most of what `analyze` does beyond `eval`, and it needs nothing but the data, so one worker
 * thread formats and writes those files while the main thread goes on with the other stages and the
 * charts. A job's typed arrays are transferred (moved, not copied) when the caller lists their buffers;
 * everything else is a structured-clone copy taken when the job is handed to the thread (at once, or
 * later from the caller's queue: see {@link BackgroundWriter.inFlight}), so the caller gives its data
 * up when it submits it. Jobs still queued when the caller has nothing left to compute are written
 * in the caller's thread ({@link BackgroundWriter.help}). The text is exactly what {@link runWriteJob} gives in the main thread
 * (the same functions run on the same values). Without a built worker module (tests from the sources)
 * the jobs run at once in the main thread. The same thread draws the run's charts
 * ({@link BackgroundWriter.chart}).
 */
import { Worker } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { writeJsonFile, writeCsvFile, withoutViews, type CsvColumns, type Row } from './artifacts';
import { writeAscii, writeNumber } from './numtext';

/**
 * A big array of flat row objects (all with the same keys in the same order) as columns, for the trip
 * to the writer thread: numbers in a float64 array, text as codes into a dictionary, anything else
 * (mixed) as an array of primitives. A structured-clone copy of 100k+ row objects costs tens of MB
 * on both sides; these columns move. {@link rowsOfTable} gives the same rows back. A column of
 * numbers that repeat (e.g. each positive's IoU on the row of every method) may also be given as
 * codes into a float64 dictionary (`numbers`): each distinct number is then turned into text once.
 */
export interface RowTable {
  rowTable: true;
  length: number;
  keys: string[];
  cols: (Float64Array | { dict: string[]; codes: Int32Array } | { numbers: Float64Array; codes: Int32Array } | unknown[])[];
}

export const isRowTable = (x: unknown): x is RowTable => typeof x === 'object' && x !== null && (x as RowTable).rowTable === true;

/**
 * Whether rows of these keys, `length` of them, are worth a {@link RowTable} ({@link toRowTable}'s
 * size rule): 10,000 rows or more, and a JSON text that cannot be under 1 MiB (toJson pretty-prints
 * those; a table is written compact).
 */
export function rowTableWorthIt(length: number, keys: string[]): boolean {
  if (length < 10000 || !keys.length || keys.some((k) => /^\d+$/.test(k))) return false;
  // shortest JSON of a row: {"k":v,...} with one-character values, plus the comma between rows
  const minRow = 2 + keys.reduce((a, k) => a + JSON.stringify(k).length + 2, 0);
  return length * minRow >= 2 << 20;
}

/**
 * `rows` as a {@link RowTable}, or null when it is not worth it or not exact: fewer than 10,000 rows,
 * rows not all plain objects with the first row's keys in order, integer-like keys, values not
 * primitives, or a JSON text that might be under 1 MiB (toJson pretty-prints those; the table is
 * written compact).
 */
export function toRowTable(rows: unknown): RowTable | null {
  if (!Array.isArray(rows) || rows.length < 10000) return null;
  const first = rows[0];
  if (typeof first !== 'object' || first === null || Array.isArray(first) || ArrayBuffer.isView(first)) return null;
  const keys = Object.keys(first);
  const n = rows.length;
  if (!rowTableWorthIt(n, keys)) return null;
  for (const r of rows) {
    if (typeof r !== 'object' || r === null || Array.isArray(r) || Object.getPrototypeOf(Object.getPrototypeOf(r) ?? Object.prototype) !== null) return null;
    let j = 0;
    for (const k in r) {
      if (k !== keys[j++]) return null;
    }
    if (j !== keys.length) return null;
  }
  const cols: RowTable['cols'] = keys.map((k) => {
    let nums = true, strs = true;
    for (let i = 0; i < n && (nums || strs); i++) {
      const v = rows[i][k];
      if (typeof v !== 'number') nums = false;
      if (typeof v !== 'string') strs = false;
    }
    if (nums) return Float64Array.from(rows, (r) => r[k] as number);
    if (strs) {
      const index = new Map<string, number>();
      const dict: string[] = [];
      const codes = Int32Array.from(rows, (r) => {
        const v = r[k] as string;
        let c = index.get(v);
        if (c === undefined) index.set(v, (c = dict.push(v) - 1));
        return c;
      });
      return { dict, codes };
    }
    return rows.map((r) => r[k]);
  });
  for (const c of cols) if (Array.isArray(c) && c.some((v) => v !== null && v !== undefined && typeof v === 'object')) return null;
  return { rowTable: true, length: n, keys, cols };
}

/** The rows of a {@link RowTable}, one object at a time (the same keys, order and values as the rows it was made from). */
export function* rowsOfTable(t: RowTable): Iterable<Row> {
  const { keys, cols } = t;
  for (let i = 0; i < t.length; i++) {
    const r: Row = {};
    for (let j = 0; j < keys.length; j++) {
      const c = cols[j];
      r[keys[j]] = (ArrayBuffer.isView(c) ? c[i] : Array.isArray(c) ? c[i] : 'numbers' in c ? c.numbers[c.codes[i]] : c.dict[c.codes[i]]) as Row[string];
    }
    yield r;
  }
}

/** The buffers of a table's columns (all its own: safe to move). */
export function tableBuffers(t: RowTable): ArrayBuffer[] {
  return buffersOf(...t.cols.flatMap((c) => (ArrayBuffer.isView(c) || Array.isArray(c) ? [c] : 'numbers' in c ? [c.numbers, c.codes] : [c.codes])));
}

/**
 * Writes `value` (an object; some of its own properties {@link RowTable}s) as {@link toJson} would
 * write it with the tables' rows in place — compact, as toJson writes any document of 1 MiB and more,
 * which a table guarantees — streaming the rows in chunks.
 */
function writeJsonWithTables(path: string, value: Record<string, unknown>): void {
  const fd = openSync(path, 'w');
  try {
    streamDocument(fd, value, (tab) => writeTableRows(fd, tab));
  } finally {
    closeSync(fd);
  }
}

/**
 * `value` as compact JSON into `fd` (as toJson writes a document of 1 MiB and more), each of its
 * own {@link RowTable} properties written in place by `writeTable` (streamed, not stringified whole).
 */
function streamDocument(fd: number, value: Record<string, unknown>, writeTable: (t: RowTable) => void): void {
  const tables: RowTable[] = [];
  const shallow: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (isRowTable(v)) {
      shallow[k] = `\u0000rows${tables.length}\u0000`;
      tables.push(v);
    } else shallow[k] = v;
  }
  const text = JSON.stringify(withoutViews(shallow)); // the rest, compact, as toJson writes it
  let pos = 0;
  tables.forEach((t, ti) => {
    const mark = JSON.stringify(`\u0000rows${ti}\u0000`);
    const at = text.indexOf(mark, pos);
    writeSync(fd, text.slice(pos, at));
    writeTable(t);
    pos = at + mark.length;
  });
  writeSync(fd, text.slice(pos) + '\n');
}

/**
 * The per-column text of a table whose columns are all numbers (float64, or dictionary-coded) or
 * dictionary-coded text, for {@link writeJsonAndCsv} and {@link writeTableCsv}: the JSON row prefix
 * of each key and the JSON / CSV text of each dictionary entry, made once (a number: `String(v)`,
 * or JSON null / an empty CSV cell when not finite, as JSON.stringify and csvCell write it). Null
 * for any other table (mixed columns: booleans, null, undefined).
 */
function simpleColumns(t: RowTable): { keyJson: string[]; dictJson: (string[] | null)[]; dictCsv: (string[] | null)[] } | null {
  if (!t.cols.every((c) => c instanceof Float64Array || (!Array.isArray(c) && !ArrayBuffer.isView(c)))) return null;
  const entries = (c: RowTable['cols'][number], text: (v: string) => string, num: (v: number) => string) =>
    c instanceof Float64Array ? null : 'numbers' in c ? Array.from(c.numbers, num) : (c as { dict: string[] }).dict.map(text);
  return {
    keyJson: t.keys.map((k, j) => (j ? ',' : '{') + JSON.stringify(k) + ':'),
    dictJson: t.cols.map((c) => entries(c, (v) => JSON.stringify(v), (v) => (Number.isFinite(v) ? String(v) : 'null'))),
    dictCsv: t.cols.map((c) => entries(c, csvText, (v) => (Number.isFinite(v) ? String(v) : ''))),
  };
}

/** The longest of these byte strings (at least `min`). */
const longest = (min: number, ...lists: (Buffer[] | null)[]) => lists.reduce((m, l) => (l ? l.reduce((a, b) => Math.max(a, b.length), m) : m), min);

/** {@link csvChunks}' cell text of a string (kept in step with artifacts.ts' csvCell). */
function csvText(v: string): string {
  let s = v;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * A JSON document with a {@link RowTable} and the CSV of the same table, written in one pass over
 * the rows: each number is turned into text once for both files (the costly part: ~0.4 µs a
 * number). The bytes are those of {@link writeJsonWithTables} and {@link writeCsvFile}. Returns
 * false (nothing written) when the pair does not qualify: the CSV has explicit columns, the table is
 * not one of the document's properties, or it has columns other than numbers and text.
 */
export function writeJsonAndCsv(json: { path: string; value: Record<string, unknown> }, csv: { path: string; rows: RowTable }): boolean {
  const value = json.value;
  const key = Object.keys(value).find((k) => value[k] === csv.rows);
  const t = csv.rows;
  const cols = key === undefined ? null : simpleColumns(t);
  if (!cols || t.length === 0) return false;
  const fd = openSync(json.path, 'w');
  try {
    const fc = openSync(csv.path, 'w');
    try {
      streamDocument(fd, value, (tab) => (tab !== t ? writeTableRows(fd, tab) : writeBoth(fd, fc, t, cols)));
    } finally {
      closeSync(fc);
    }
  } finally {
    closeSync(fd);
  }
  return true;
}

/** `[row,row,…]` of a table into the JSON file (compact, as {@link writeJsonWithTables}). */
function writeTableRows(fd: number, t: RowTable): void {
  writeSync(fd, '[');
  let buf: string[] = [];
  let len = 0;
  let i = 0;
  for (const r of rowsOfTable(t)) {
    const s = (i++ ? ',' : '') + JSON.stringify(r);
    buf.push(s);
    len += s.length;
    if (len > 1 << 16) {
      writeSync(fd, buf.join(''));
      buf = [];
      len = 0;
    }
  }
  if (buf.length) writeSync(fd, buf.join(''));
  writeSync(fd, ']');
}

/**
 * The CSV of a {@link RowTable} whose columns are all numbers or text (an analysis's per-sample file
 * whose rows are not in its JSON), written straight from the columns as {@link writeBoth} writes
 * its CSV half: the bytes of {@link writeCsvFile} on the table's rows. Returns false (nothing
 * written) for any other table.
 */
export function writeTableCsv(path: string, t: RowTable): boolean {
  const cols = simpleColumns(t);
  if (!cols || t.length === 0) return false;
  const fc = openSync(path, 'w');
  try {
    writeCsvRows(fc, t, cols);
  } finally {
    closeSync(fc);
  }
  return true;
}

/** {@link writeBoth}'s CSV half alone: the header and the rows of `t` as CSV lines into `fc`, straight from the columns into a byte buffer. */
function writeCsvRows(fc: number, t: RowTable, c: NonNullable<ReturnType<typeof simpleColumns>>): void {
  const dictCsv = c.dictCsv.map((d) => d && d.map((x) => Buffer.from(x, 'utf8')));
  const m = t.keys.length;
  const nums = t.cols.map((x) => (x instanceof Float64Array ? x : null));
  const codes = t.cols.map((x) => (x instanceof Float64Array ? null : (x as { codes: Int32Array }).codes));
  const CAP = 1 << 16;
  // a dictionary entry may be longer than the slack: then the buffer is flushed before each piece
  const pieceMax = longest(64, ...dictCsv);
  const cb = Buffer.allocUnsafe(CAP + 2 * pieceMax + 64);
  let cp = 0;
  const flush = () => {
    for (let at = 0; at < cp; ) at += writeSync(fc, cb, at, cp - at);
    cp = 0;
  };
  writeSync(fc, t.keys.join(',') + '\n');
  for (let i = 0; i < t.length; i++) {
    for (let j = 0; j < m; j++) {
      if (cp > CAP) flush();
      if (j) cb[cp++] = 44;
      const num = nums[j];
      if (num) {
        // csvCell: a finite number as String(v), anything else an empty cell
        const v = num[i];
        if ((v | 0) === v) cp = writeNumber(cb, cp, v);
        else if (Number.isFinite(v)) cp = writeAscii(cb, cp, String(v));
      } else {
        const bc = dictCsv[j]![codes[j]![i]];
        cb.set(bc, cp);
        cp += bc.length;
      }
    }
    cb[cp++] = 10; // \n
  }
  flush();
}

/**
 * The rows of `t` as JSON objects into `fd` and as CSV lines (header first) into `fc`, each number
 * formatted once, straight into two byte buffers (no string per row or line: the text of a key or a
 * dictionary entry is encoded once, a whole number's digits are written by hand, any other number
 * goes through `String(v)` once for both files). The bytes are those of the strings
 * `{"key":value,…}` and `value,…\n` written as UTF-8.
 */
function writeBoth(fd: number, fc: number, t: RowTable, c: NonNullable<ReturnType<typeof simpleColumns>>): void {
  const enc = (x: string) => Buffer.from(x, 'utf8');
  const keyJson = c.keyJson.map(enc);
  const dictJson = c.dictJson.map((d) => d && d.map(enc));
  const dictCsv = c.dictCsv.map((d) => d && d.map(enc));
  const m = t.keys.length;
  const nums = t.cols.map((x) => (x instanceof Float64Array ? x : null));
  const codes = t.cols.map((x) => (x instanceof Float64Array ? null : (x as { codes: Int32Array }).codes));
  const CAP = 1 << 16;
  // a row's fixed text may be longer than the slack: then the buffer is flushed before each piece
  const pieceMax = longest(64, keyJson, ...dictJson, ...dictCsv);
  const jb = Buffer.allocUnsafe(CAP + 2 * pieceMax + 64), cb = Buffer.allocUnsafe(CAP + 2 * pieceMax + 64);
  let jp = 0, cp = 0;
  const flushJ = () => {
    for (let at = 0; at < jp; ) at += writeSync(fd, jb, at, jp - at);
    jp = 0;
  };
  const flushC = () => {
    for (let at = 0; at < cp; ) at += writeSync(fc, cb, at, cp - at);
    cp = 0;
  };
  writeSync(fd, '[');
  writeSync(fc, t.keys.join(',') + '\n');
  for (let i = 0; i < t.length; i++) {
    if (i) jb[jp++] = 44; // ,
    for (let j = 0; j < m; j++) {
      if (jp > CAP) flushJ();
      if (cp > CAP) flushC();
      jb.set(keyJson[j], jp);
      jp += keyJson[j].length;
      if (j) cb[cp++] = 44;
      const num = nums[j];
      if (num) {
        const v = num[i];
        // JSON.stringify and csvCell both write a finite number as String(v); JSON null, CSV empty otherwise
        if ((v | 0) === v) {
          jp = writeNumber(jb, jp, v);
          cp = writeNumber(cb, cp, v);
        } else if (Number.isFinite(v)) {
          const text = String(v);
          jp = writeAscii(jb, jp, text);
          cp = writeAscii(cb, cp, text);
        } else {
          jb[jp++] = 110; // null
          jb[jp++] = 117;
          jb[jp++] = 108;
          jb[jp++] = 108;
        }
      } else {
        const code = codes[j]![i];
        const bj = dictJson[j]![code], bc = dictCsv[j]![code];
        jb.set(bj, jp);
        jp += bj.length;
        cb.set(bc, cp);
        cp += bc.length;
      }
    }
    jb[jp++] = 125; // }
    cb[cp++] = 10; // \n
  }
  flushJ();
  flushC();
  writeSync(fd, ']');
}

/** One file to write: a JSON document ({@link writeJsonFile}, the text of toJson) or a CSV ({@link writeCsvFile}); `path` is absolute. */
export type WriteJob =
  | { kind: 'json'; path: string; value: unknown }
  | { kind: 'csv'; path: string; rows: Row[] | CsvColumns | RowTable; columns?: string[] };

/** Writes one job's file (in whichever thread calls it). */
export function runWriteJob(job: WriteJob): void {
  // test hook: a write error (as a full disk would give) for the file of this name
  const fail = process.env.SOFT_SAMPLING_TEST_WRITE_FAIL;
  if (fail && job.path.endsWith(`/${fail}`)) throw Object.assign(new Error(`ENOSPC: no space left on device, write '${job.path}'`), { code: 'ENOSPC', syscall: 'write' });
  if (job.kind === 'json') {
    const v = job.value as Record<string, unknown>;
    if (typeof v === 'object' && v !== null && Object.values(v).some(isRowTable)) writeJsonWithTables(job.path, v);
    else writeJsonFile(job.path, job.value);
  } else if (!(isRowTable(job.rows) && !job.columns && writeTableCsv(job.path, job.rows))) {
    writeCsvFile(job.path, isRowTable(job.rows) ? rowsOfTable(job.rows) : job.rows, job.columns ?? (isRowTable(job.rows) ? job.rows.keys : undefined));
  }
}

/**
 * CPU time of the calling thread in ms (Linux: `/proc/thread-self/schedstat`), or NaN where that is
 * not available. For SOFT_SAMPLING_MEMLOG: on a shared machine a thread's CPU time is the steady
 * measure of its work, and `process.cpuUsage()` sums every thread of the process.
 */
export function threadCpuMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}

/**
 * Writes the files of one submission in order ({@link runWriteJob} each), except that a JSON job
 * followed by the CSV job of one of its tables (an analysis's `<id>.json` / `<id>.csv` pair) is
 * written in one pass (see {@link writeJsonAndCsv}; the same bytes).
 */
export function runWriteJobs(jobs: WriteJob[]): void {
  for (let i = 0; i < jobs.length; i++) {
    const j = jobs[i], next = jobs[i + 1];
    if (
      j.kind === 'json' && next?.kind === 'csv' && !next.columns && isRowTable(next.rows) && typeof j.value === 'object' && j.value !== null &&
      !process.env.SOFT_SAMPLING_TEST_WRITE_FAIL &&
      writeJsonAndCsv({ path: j.path, value: j.value as Record<string, unknown> }, { path: next.path, rows: next.rows })
    ) {
      i++;
      continue;
    }
    runWriteJob(j);
  }
}

/** The `workerData` marker that makes the CLI's worker module (dist/worker.mjs) serve write jobs. */
export const WRITER_MARKER = 'softSamplingWriter';

/** An error of a write job as it crosses the thread boundary (fs errors keep code and syscall: the CLI prints them as one line). */
interface WireError {
  message: string;
  code?: string;
  syscall?: string;
}

/** A chart to draw on the writer thread (see {@link BackgroundWriter.chart}). */
interface ChartJob {
  id: number;
  chart: Record<string, unknown>;
  png: boolean;
}

/** The worker side: called by the worker module when started with {@link WRITER_MARKER}. */
export function serveWriteJobs(port: { on(ev: 'message', f: (m: { id: number; jobs: WriteJob[] } | ChartJob) => void): void; postMessage(m: unknown, transfer?: ArrayBuffer[]): void }): void {
  port.on('message', async (m) => {
    if ('chart' in m) {
      // (vega is loaded by the first chart; the write jobs that come meanwhile run between its steps)
      const t0 = performance.now(), c0 = threadCpuMs();
      try {
        const { drawRequested } = await import('./chart-worker');
        const r = await drawRequested(m.chart, m.png);
        port.postMessage({ id: m.id, chart: true, svg: r.svg, png: r.png, ms: performance.now() - t0, cpuMs: threadCpuMs() - c0, heapMiB: getHeapStatistics().total_heap_size / 2 ** 20 }, r.png ? [r.png.buffer as ArrayBuffer] : []);
      } catch (e) {
        port.postMessage({ id: m.id, chart: true, chartError: (e as Error)?.message ?? String(e) });
      }
      return;
    }
    const { id, jobs } = m;
    const t0 = performance.now(), c0 = threadCpuMs();
    try {
      runWriteJobs(jobs);
      port.postMessage({ id, ms: performance.now() - t0, cpuMs: threadCpuMs() - c0, heapMiB: getHeapStatistics().total_heap_size / 2 ** 20 });
    } catch (e) {
      const x = e as NodeJS.ErrnoException;
      port.postMessage({ id, error: { message: x?.message ?? String(e), code: x?.code, syscall: x?.syscall } satisfies WireError });
    }
  });
}

/**
 * Jobs handed to the writer thread at a time by default (see {@link BackgroundWriter.inFlight}): three —
 * `analyze` submits the VOC evaluation, samples.csv and GHM fig. 3's files before its longest
 * synchronous step (the COCO evaluation, ~1 s on 500k detections), and the thread works through all
 * three meanwhile.
 */
const IN_FLIGHT = 3;

export class BackgroundWriter {
  private worker?: Worker;
  private nextId = 0;
  private pending = new Map<number, { label: string; resolve: () => void; reject: (e: Error) => void }>();
  private charts = new Map<number, { resolve: (r: { svg: string; png?: Uint8Array; heapMiB?: number; cpuMs?: number }) => void; reject: (e: Error) => void }>();
  private settled: Promise<void>[] = [];
  private failure: Error | null = null;
  /**
   * Submitted jobs not yet handed to the thread: at most {@link inFlight} are there at a time, so a
   * chart requested later waits for one file at most (not for every file before it), and the jobs
   * still queued when the caller has nothing else to do can be written in its own thread ({@link help}).
   */
  private queue: { id: number; jobs: WriteJob[]; transfer: ArrayBuffer[] }[] = [];
  private handed = 0;
  private limit = IN_FLIGHT;

  /** `workerFile`: the built worker module (dist/worker.mjs); without it every job runs at once in the calling thread. */
  constructor(private workerFile?: string | URL, private log?: (line: string) => void) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.workerFile!, { workerData: { [WRITER_MARKER]: true }, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    w.on('message', (m: { id: number; ms?: number; cpuMs?: number; heapMiB?: number; error?: WireError; chart?: true; svg?: string; png?: Uint8Array; chartError?: string }) => {
      if (m.chart) {
        const c = this.charts.get(m.id);
        if (!c) return;
        this.charts.delete(m.id);
        if (this.pending.size === 0 && this.charts.size === 0) w.unref();
        if (m.chartError !== undefined) c.reject(new Error(m.chartError));
        else c.resolve({ svg: m.svg!, png: m.png ? new Uint8Array(m.png) : undefined, heapMiB: m.heapMiB, cpuMs: m.cpuMs });
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      this.handed--;
      this.pump();
      if (this.pending.size === 0 && this.charts.size === 0) w.unref();
      if (m.error) p.reject(Object.assign(new Error(m.error.message), m.error.code ? { code: m.error.code, syscall: m.error.syscall } : {}));
      else {
        this.log?.(`[write]  ${p.label.padEnd(36)} ${m.ms!.toFixed(0).padStart(6)} ms wall, ${(m.cpuMs ?? NaN).toFixed(0).padStart(6)} ms CPU (writer thread; its heap ${m.heapMiB!.toFixed(0)} MiB)`);
        p.resolve();
      }
    });
    const failAll = (e: Error) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
      this.queue = [];
      for (const c of this.charts.values()) c.reject(e);
      this.charts.clear();
    };
    w.on('error', failAll);
    w.on('exit', (code) => failAll(new Error(`the file writer thread stopped (exit code ${code})`)));
    this.worker = w;
    return w;
  }

  /**
   * Writes `jobs` in the background (the writer thread takes the jobs in the order they were
   * submitted; {@link help} may write the last ones in the calling thread). The caller gives the jobs'
   * data up: it must not change it afterwards. `transfer`: buffers of the jobs' typed arrays that move
   * to the thread (detached here when the job is handed over, at once unless {@link inFlight} jobs
   * are there already); everything else is a structured-clone copy made at that moment. A failure is
   * reported by {@link drain}.
   */
  submit(label: string, jobs: WriteJob[], transfer: ArrayBuffer[] = []): void {
    if (!this.workerFile) {
      runWriteJobs(jobs);
      return;
    }
    this.start();
    const id = this.nextId++;
    const done = new Promise<void>((resolve, reject) => this.pending.set(id, { label, resolve, reject }));
    this.settled.push(done.catch((e: Error) => void (this.failure ??= e)));
    this.queue.push({ id, jobs, transfer });
    this.pump();
  }

  /**
   * How many jobs the thread is handed at a time (default {@link IN_FLIGHT}, at least 1); the others
   * wait in this thread's queue and are handed over as the thread reports jobs done — which this
   * thread sees only when its event loop turns (a caller that computes for long stretches should
   * yield now and then). More: the thread keeps working through a long synchronous step of the
   * caller; fewer: more of the last jobs are left for {@link help}.
   */
  get inFlight(): number {
    return this.limit;
  }

  set inFlight(n: number) {
    this.limit = Math.max(1, Math.floor(n));
    this.pump();
  }

  /** Hands queued jobs to the thread while fewer than {@link inFlight} are there. */
  private pump(): void {
    const w = this.worker;
    if (!w) return;
    while (this.handed < this.limit && this.queue.length > 0) {
      const { id, jobs, transfer } = this.queue.shift()!;
      this.handed++;
      w.ref();
      w.postMessage({ id, jobs }, transfer);
    }
  }

  /**
   * Writes the queued jobs that the writer thread has not taken yet in the calling thread, the last
   * submitted first (the thread works from the front), yielding to the event loop after each so the
   * thread is handed its next job meanwhile: for a caller with nothing left to compute, whose waiting
   * would leave a core idle while the thread works through the tail of the queue. The bytes are the
   * same (the same {@link runWriteJobs} on the same values). Errors are reported by {@link drain}.
   */
  async help(): Promise<void> {
    while (this.queue.length > 0) {
      const { id, jobs } = this.queue.pop()!;
      const p = this.pending.get(id);
      if (!p) continue;
      this.pending.delete(id);
      const t0 = performance.now(), c0 = threadCpuMs();
      try {
        runWriteJobs(jobs);
        this.log?.(`[write]  ${p.label.padEnd(36)} ${(performance.now() - t0).toFixed(0).padStart(6)} ms wall, ${(threadCpuMs() - c0).toFixed(0).padStart(6)} ms CPU (main thread)`);
        p.resolve();
      } catch (e) {
        p.reject(e as Error);
      }
      await new Promise((r) => setImmediate(r));
    }
  }

  /**
   * Draws a chart on the writer thread, after the jobs submitted before it: {@link renderChart}'s SVG
   * and PNG (`png`) of `spec`, the same bytes as in this thread. `id` names the analysis (for the
   * test hook of chart-worker.ts). The writer thread is otherwise idle while this thread reads the
   * inputs and computes, and one thread for both saves the heap of a third. Without a worker module
   * the chart is drawn in this thread. The promise is already marked handled: await it to see its
   * error (a render error rejects this chart only).
   */
  chart(spec: Record<string, unknown>, id: string, png: boolean): Promise<{ svg: string; png?: Uint8Array; heapMiB?: number; cpuMs?: number }> {
    let p: Promise<{ svg: string; png?: Uint8Array; heapMiB?: number; cpuMs?: number }>;
    if (!this.workerFile) p = import('./chart-worker').then((m) => m.drawRequested({ ...spec, $id: id }, png));
    else {
      const w = this.start();
      const n = this.nextId++;
      p = new Promise((resolve, reject) => this.charts.set(n, { resolve, reject }));
      w.ref();
      w.postMessage({ id: n, chart: { ...spec, $id: id }, png } satisfies ChartJob);
    }
    p.catch(() => undefined);
    return p;
  }

  /** Waits for every submitted job; throws the first job's error, if any. */
  async drain(): Promise<void> {
    await this.help();
    await Promise.all(this.settled);
    this.settled = [];
    if (this.failure) throw this.failure;
  }

  /** Waits for the jobs to end (their errors ignored: the run has failed already) and stops the thread. */
  async close(): Promise<void> {
    // jobs never handed to the thread are dropped (the run has failed, or drain() wrote them all)
    for (const { id } of this.queue.splice(0)) {
      this.pending.get(id)?.reject(new Error('the writer was closed'));
      this.pending.delete(id);
    }
    await Promise.all(this.settled);
    this.settled = [];
    const w = this.worker;
    this.worker = undefined;
    for (const c of this.charts.values()) c.reject(new Error('the writer thread was stopped'));
    this.charts.clear();
    if (w) {
      w.removeAllListeners('exit');
      await w.terminate();
    }
  }
}

/** The buffers of those of `arrays` that are typed arrays spanning their whole buffer (safe to transfer). */
export function buffersOf(...arrays: unknown[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const a of arrays) {
    if (!ArrayBuffer.isView(a)) continue;
    // (not `instanceof ArrayBuffer`: a buffer made in another realm, a vm context, is one too)
    const buf = a.buffer as ArrayBuffer;
    if (a.byteOffset === 0 && a.byteLength === buf.byteLength && Object.prototype.toString.call(buf) === '[object ArrayBuffer]' && !out.includes(buf)) out.push(buf);
  }
  return out;
}
