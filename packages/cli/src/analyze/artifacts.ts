/**
 * Output files of a run: written as they are produced into a temporary directory beside the target,
 * which is put in place at the end (see {@link Artifacts.commit}): a failed run leaves no partial output.
 */
import { mkdirSync, writeFileSync, renameSync, rmSync, existsSync, statSync, readdirSync, openSync, writeSync, closeSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { writeFloat32, writeNumber } from './numtext';

export type Row = Record<string, string | number | boolean | null>;

function csvCell(v: unknown): string {
  // numbers and booleans never need quoting or escaping (the injection rule is for text cells)
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null || v === undefined) return '';
  let s = String(v);
  // CSV injection: a text cell starting with = + - @ (or tab / CR) is a formula to a spreadsheet; a leading ' makes it text (OWASP)
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * RFC 4180 CSV: header from `columns` (default: keys of the first row), `\n` line ends. Text cells
 * beginning with `=`, `+`, `-`, `@`, tab or CR get a leading `'` (spreadsheet formula injection); numbers are written as they are.
 */
export function toCsv(rows: Row[], columns?: string[]): string {
  let out = '';
  csvChunks(rows, columns, (s) => {
    out += s;
  });
  return out;
}

/** Streams CSV text of `rows` (any iterable) to `emit` in chunks of about 64 KiB (small enough that the lines die young, before the garbage collector promotes them); see {@link toCsv}. */
export function csvChunks(rows: Iterable<Row>, columns: string[] | undefined, emit: (text: string) => void): void {
  let cols = columns;
  // the header: of the columns given, else of the first row's keys (no rows, no columns: an empty line)
  let buf: string[] = cols ? [cols.join(',') + '\n'] : [];
  let len = 0;
  const flush = () => {
    if (buf.length) emit(buf.join(''));
    buf = [];
    len = 0;
  };
  for (const r of rows) {
    if (!cols) {
      cols = Object.keys(r);
      buf.push(cols.join(',') + '\n');
    }
    let line = csvCell(r[cols[0]]);
    for (let j = 1; j < cols.length; j++) line += ',' + csvCell(r[cols[j]]);
    line += '\n';
    buf.push(line);
    len += line.length;
    if (len > 1 << 16) flush();
  }
  if (!cols) buf.push('\n');
  flush();
}

/**
 * A CSV given as columns `[N]` rather than rows (per-sample files: no row array is built). The text
 * is {@link toCsv}'s for the same rows, one column per entry in order, except in the columns marked
 * `float32`. It is written straight from the arrays into a byte buffer (numtext.ts: no string per
 * number, no line strings; about twice as fast as going through row objects and {@link csvChunks}).
 */
export interface CsvColumns {
  length: number;
  /**
   * `owned`: the array is this file's alone (nothing else reads it), so it may be moved to the writer
   * thread rather than copied. `float32`: the values are float32 numbers (outputs of the library's
   * float32 kernels); each is written as the shortest decimal that reads back as the same float32
   * (`Math.fround(Number(text)) === v`, at most 9 significant digits: `0.44371` rather than the
   * 17 digits `0.44370999932289124` of its float64 expansion). Values that are not float32 numbers
   * are written as in the other columns.
   */
  columns: { name: string; values: ArrayLike<number>; owned?: boolean; float32?: boolean }[];
}

export function isCsvColumns(x: unknown): x is CsvColumns {
  return typeof x === 'object' && x !== null && Array.isArray((x as CsvColumns).columns) && typeof (x as CsvColumns).length === 'number';
}

/** The rows of {@link CsvColumns}, one object at a time (the same text as rows given as objects). */
function* columnRows(c: CsvColumns): Iterable<Row> {
  const cols = c.columns;
  for (let i = 0; i < c.length; i++) {
    const r: Row = {};
    for (const x of cols) r[x.name] = x.values[i];
    yield r;
  }
}

/** Writes the CSV text of `rows` (see {@link toCsv}; for {@link CsvColumns}, see there) to the file `path`, in chunks. */
export function writeCsvFile(path: string, rows: Iterable<Row> | CsvColumns, columns?: string[]): void {
  const fd = openSync(path, 'w');
  try {
    if (isCsvColumns(rows) && !columns && rows.length > 0) writeColumnsCsv(fd, rows);
    // no rows: the header alone (a table of zero rows, not an empty file)
    else csvChunks(isCsvColumns(rows) ? columnRows(rows) : rows, columns ?? (isCsvColumns(rows) ? rows.columns.map((x) => x.name) : undefined), (t) => writeSync(fd, t));
  } finally {
    closeSync(fd);
  }
}

/** The CSV of {@link CsvColumns} (at least one row) into `fd`: header, then each row's cells written into a 64 KiB byte buffer. */
function writeColumnsCsv(fd: number, c: CsvColumns): void {
  const cols = c.columns;
  const m = cols.length;
  const values = cols.map((x) => x.values);
  const f32 = cols.map((x) => !!x.float32);
  const CAP = 1 << 16;
  const out = Buffer.allocUnsafe(CAP + 64);
  writeSync(fd, cols.map((x) => x.name).join(',') + '\n');
  let pos = 0;
  const flush = () => {
    let at = 0;
    while (at < pos) at += writeSync(fd, out, at, pos - at);
    pos = 0;
  };
  for (let i = 0; i < c.length; i++) {
    for (let j = 0; j < m; j++) {
      if (pos > CAP) flush();
      if (j) out[pos++] = 44;
      const v = values[j][i];
      if (typeof v !== 'number') {
        // (an array of other values: csvCell's text, any length and characters)
        const s = csvCell(v);
        if (pos + 3 * s.length > CAP) flush();
        if (3 * s.length > CAP) writeSync(fd, s);
        else pos += out.write(s, pos, 'utf8');
      } else if (!Number.isFinite(v)) {
        // an empty cell
      } else if (f32[j] && Math.fround(v) === v) pos = writeFloat32(out, pos, v);
      else pos = writeNumber(out, pos, v);
    }
    out[pos++] = 10;
  }
  flush();
}

/**
 * Writes {@link toJson}`(value)` to the file `path` — the same bytes — without building the text
 * twice: a large document is written from its one compact string in 1 MiB slices (never splitting
 * a surrogate pair), so no second copy and no whole-file byte buffer are made.
 */
export function writeJsonFile(path: string, value: unknown): void {
  const plain = withoutViews(value);
  const compact = JSON.stringify(plain);
  const text = compact.length < 1 << 20 ? JSON.stringify(plain, null, 2) : compact;
  const fd = openSync(path, 'w');
  try {
    const STEP = 1 << 20;
    for (let i = 0; i < text.length; ) {
      let end = Math.min(text.length, i + STEP);
      const c = text.charCodeAt(end - 1);
      if (end < text.length && c >= 0xd800 && c <= 0xdbff) end--; // keep a surrogate pair together
      writeSync(fd, text.slice(i, end));
      i = end;
    }
    writeSync(fd, '\n');
  } finally {
    closeSync(fd);
  }
}

/**
 * Stable JSON, non-finite numbers as null, typed arrays as arrays. Pretty-printed (2-space indent)
 * when the compact text is below 1 MiB; larger documents (per-sample data) stay compact.
 */
export function toJson(value: unknown): string {
  // JSON.stringify writes non-finite numbers as null itself; only typed arrays need converting, and
  // without a replacer function V8 takes its fast path (per-sample documents are tens of MB)
  const plain = withoutViews(value);
  const compact = JSON.stringify(plain);
  return (compact.length < 1 << 20 ? JSON.stringify(plain, null, 2) : compact) + '\n';
}

/** `v` with every typed array (at any depth) replaced by a plain array; `v` itself when it holds none. */
export function withoutViews(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return v;
  if (Array.isArray(v)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x === null || typeof x !== 'object') continue; // numbers of the big per-sample arrays
      const c = withoutViews(x);
      if (c !== x) (out ??= v.slice())[i] = c;
    }
    return out ?? v;
  }
  let out: Record<string, unknown> | null = null;
  for (const k in v as Record<string, unknown>) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    const x = (v as Record<string, unknown>)[k];
    const c = withoutViews(x);
    if (c !== x) (out ??= { ...(v as Record<string, unknown>) })[k] = c;
  }
  return out ?? v;
}

/**
 * Output files of a run, written as they are produced into `<parent>/.<name>.tmp-<pid>` (nothing is
 * held in memory), then put in place by {@link Artifacts.commit}; {@link Artifacts.abort} removes them.
 */
export class Artifacts {
  readonly files = new Set<string>();
  private target: string;
  private tmp: string;
  private opened = false;

  constructor(outDir: string) {
    this.target = checkOutputTarget(outDir);
    this.tmp = join(dirname(this.target), `.${basename(this.target)}.tmp-${process.pid}`);
  }

  private open(): void {
    if (this.opened) return;
    mkdirSync(dirname(this.target), { recursive: true });
    removeStale(dirname(this.target), basename(this.target));
    rmSync(this.tmp, { recursive: true, force: true });
    mkdirSync(this.tmp);
    this.opened = true;
  }

  /** Registers `name` as a file of the report and returns its path in the temporary directory (for a {@link BackgroundWriter} job). */
  reserve(name: string): string {
    return this.path(name);
  }

  private path(name: string): string {
    this.open();
    this.files.add(name);
    const p = join(this.tmp, name);
    mkdirSync(dirname(p), { recursive: true });
    return p;
  }

  /** Writes one file now. */
  add(name: string, content: string | Uint8Array): void {
    writeFileSync(this.path(name), content);
  }

  /**
   * Writes a CSV file row by row (rows may be a generator: no row array is built), or from
   * {@link CsvColumns}; the text is {@link toCsv}'s either way.
   */
  addCsv(name: string, rows: Iterable<Row> | CsvColumns, columns?: string[]): void {
    writeCsvFile(this.path(name), rows, columns);
  }

  /** Removes what was written (a failed run leaves nothing). */
  abort(): void {
    if (this.opened) rmSync(this.tmp, { recursive: true, force: true });
    this.opened = false;
  }

  /**
   * Puts the written files in place so that `outDir` is never missing and every file in it is always complete:
   * - no `outDir` yet: the temporary directory is renamed to it (one atomic step);
   * - an existing report: each new file is renamed over its old version (an atomic replace per file),
   *   `summary.json` last, then the old report's files that the new one lacks are removed. A kill
   *   during this leaves a directory that is still a report (old and new files, each whole); the next
   *   run replaces it.
   * Leftover `.<name>.tmp-<pid>` / `.<name>.old-<pid>` directories of killed runs (pid no longer alive)
   * are removed when the first file is written.
   */
  commit(): void {
    this.open();
    const target = checkOutputTarget(this.target);
    const names = [...this.files].sort((a, b) => (a === 'summary.json' ? 1 : b === 'summary.json' ? -1 : a < b ? -1 : 1));
    try {
      if (!existsSync(target)) {
        renameSync(this.tmp, target);
        this.opened = false;
        return;
      }
      // test hook: slows the swap so a test can kill the process in the middle of it
      const delay = Number(process.env.SOFT_SAMPLING_TEST_SWAP_DELAY_MS ?? 0);
      for (const name of names) {
        if (delay > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delay);
        const dst = join(target, name);
        mkdirSync(dirname(dst), { recursive: true });
        if (existsSync(dst) && statSync(dst).isDirectory()) rmSync(dst, { recursive: true, force: true });
        renameSync(join(this.tmp, name), dst);
      }
      const keep = new Set(names.map((n) => n.split('/')[0]));
      for (const old of readdirSync(target)) if (!keep.has(old)) rmSync(join(target, old), { recursive: true, force: true });
      this.abort();
    } catch (e) {
      this.abort();
      throw e;
    }
  }
}

/** True when a process with this pid exists (EPERM: it exists but is not ours). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes `.<name>.tmp-<pid>` / `.<name>.old-<pid>` in `parent` left by runs that were killed (pid not alive). */
export function removeStale(parent: string, name: string): string[] {
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return removed;
  }
  const prefix = `.${name}.`;
  for (const e of entries) {
    if (!e.startsWith(prefix)) continue;
    const m = /^(tmp|old)-(\d+)$/.exec(e.slice(prefix.length));
    if (!m) continue;
    const pid = Number(m[2]);
    if (pid === process.pid || pidAlive(pid)) continue;
    rmSync(join(parent, e), { recursive: true, force: true });
    removed.push(e);
  }
  return removed;
}

/** Files every report directory holds; a non-empty directory without them is not ours to replace. */
const REPORT_MARKERS = ['summary.json', 'report.md'];

/**
 * Checks `--out` before anything is computed or written, and returns its absolute path:
 * a missing parent directory is created at write time (no work is lost to a typo'd folder: the
 * nearest existing ancestor must be a directory); the target must not exist, or be an empty directory, or a
 * previous report (it holds summary.json and report.md) — anything else (a file, the current
 * directory with other content, ...) is refused rather than replaced.
 * @throws Error naming the path and the reason.
 */
export function checkOutputTarget(outDir: string): string {
  const target = resolve(outDir);
  const parent = dirname(target);
  // a missing parent is fine (it is created when the report is written, as `mkdir -p` would, so
  // `--out out/analyze` works on a fresh clone); the nearest existing ancestor must be a directory
  let anc = parent;
  while (!existsSync(anc) && dirname(anc) !== anc) anc = dirname(anc);
  if (!statSync(anc).isDirectory()) throw new Error(`--out ${outDir}: ${anc} is not a directory`);
  if (!existsSync(target)) return target;
  const st = statSync(target);
  if (!st.isDirectory()) throw new Error(`--out ${outDir}: exists and is not a directory; refusing to replace it`);
  const entries = readdirSync(target);
  if (entries.length > 0 && !REPORT_MARKERS.every((m) => entries.includes(m))) {
    throw new Error(`--out ${outDir}: a non-empty directory that is not a soft-sampling report (no ${REPORT_MARKERS.join(' + ')}); refusing to replace it`);
  }
  return target;
}
