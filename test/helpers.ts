/** Shared test helpers: run a suite on every backend, load the golden vectors, compare numbers. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { useBackend, type BackendName, SoftSamplingError } from '../ts/index';

export const BACKENDS: BackendName[] = ['native', 'wasm', 'ts'];

/** Registers `body` once per backend, inside a `describe` that forces that backend. */
export function forEachBackend(body: (name: BackendName) => void): void {
  describe.each(BACKENDS)('backend %s', (name) => {
    beforeAll(() => {
      useBackend(name);
    });
    afterAll(() => {
      useBackend('auto');
    });
    body(name);
  });
}

/** Runs `fn` on each backend in turn and returns the results, for cross-backend agreement checks. */
export function onEveryBackend<T>(fn: () => T): Record<BackendName, T> {
  const out = {} as Record<BackendName, T>;
  try {
    for (const b of BACKENDS) {
      useBackend(b);
      out[b] = fn();
    }
  } finally {
    useBackend('auto');
  }
  return out;
}

export interface VectorCase {
  name: string;
  op: string;
  params: Record<string, any>;
  inputs: Record<string, any>;
  expected: Record<string, any>;
  tolerance: { abs: number; rel: number };
  shapes: Record<string, number[]>;
  notes?: string;
}

const VECTOR_DIR = join(__dirname, 'vectors');

/** Every golden case of one op (from `test/vectors`, a copy of `../shared/vectors`). */
export function vectors(op: string): VectorCase[] {
  return readdirSync(VECTOR_DIR)
    .filter((f) => f.endsWith('.json') && f !== 'index.json')
    .map((f) => JSON.parse(readFileSync(join(VECTOR_DIR, f), 'utf8')) as VectorCase)
    .filter((c) => c.op === op);
}

/** Flattens nested arrays to numbers. */
export function flat(x: unknown): number[] {
  if (Array.isArray(x)) return (x as unknown[]).flatMap(flat);
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>);
  return [x as number];
}

/** Elementwise `|a − e| ≤ abs + rel·|e|`, with a message that names the first failing index. */
export function expectClose(actual: ArrayLike<number> | number, expected: unknown, tol: { abs: number; rel: number }, what = ''): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = flat(expected);
  expect(a.length).toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    const ok = Math.abs(a[i] - e[i]) <= tol.abs + tol.rel * Math.abs(e[i]);
    if (!ok) throw new Error(`${what}[${i}]: got ${a[i]}, expected ${e[i]} (abs ${tol.abs}, rel ${tol.rel})`);
  }
}

/** Asserts that `fn` throws a `SoftSamplingError` with this code (and argument name, if given). */
export function expectError(fn: () => unknown, code: string, arg?: string | RegExp): SoftSamplingError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SoftSamplingError);
  const se = err as SoftSamplingError;
  expect(se.code).toBe(code);
  if (arg !== undefined) expect(se.arg).toMatch(arg);
  return se;
}

/** `n` random xyxy boxes (float32, corners in [0, 1155], sides 5–155) drawn from `r`. */
export function randomBoxes(r: () => number, n: number): Float32Array {
  const b = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const x = r() * 1000, y = r() * 1000;
    b.set([x, y, x + 5 + r() * 150, y + 5 + r() * 150], 4 * i);
  }
  return b;
}

/** Runs `work` while a 1 ms interval timer fires; returns the largest gap between ticks (ms). */
export async function largestGap(work: () => Promise<unknown>): Promise<{ gap: number; ticks: number }> {
  let last = performance.now(), gap = 0, ticks = 0;
  const t = setInterval(() => {
    const now = performance.now();
    gap = Math.max(gap, now - last);
    last = now;
    ticks++;
  }, 1);
  await new Promise((res) => setTimeout(res, 5));
  last = performance.now();
  gap = 0;
  ticks = 0;
  await work();
  gap = Math.max(gap, performance.now() - last);
  clearInterval(t);
  return { gap, ticks };
}

/** A GHM-C / focal problem: `n` × `c` logits in [−7, 3) and labels with ~2 % positives (`c` = background), from `r`. */
export function randomLogits(r: () => number, n: number, c: number): { x: { data: Float32Array; shape: number[] }; labels: Int32Array } {
  const x = { data: Float32Array.from({ length: n * c }, () => (r() - 0.7) * 10), shape: [n, c] };
  const labels = Int32Array.from({ length: n }, () => (r() < 0.02 ? Math.floor(r() * c) : c));
  return { x, labels };
}

/**
 * The rows of a CSV file's text as the CLI writes it (RFC 4180: header line, `,` separators, `"`
 * quoting with `""` inside, `\n` line ends), one object per line keyed by the header. Cells are read
 * back to what was written: `true` / `false` as booleans, an empty cell as null, a cell that reads as
 * a number as that number, any other cell as text — with the leading `'` the writer puts before text
 * starting with `=`, `+`, `-`, `@`, tab or CR (spreadsheet formula injection) taken off.
 */
export function parseCsv(text: string): Record<string, string | number | boolean | null>[] {
  const lines: { cell: string; quoted: boolean }[][] = [];
  let line: { cell: string; quoted: boolean }[] = [];
  let i = 0;
  while (i < text.length) {
    let cell = '', quoted = false;
    if (text[i] === '"') {
      quoted = true;
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error('parseCsv: unterminated quoted cell');
        cell += text.slice(i, q);
        if (text[q + 1] === '"') {
          cell += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else {
      let end = i;
      while (end < text.length && text[end] !== ',' && text[end] !== '\n') end++;
      cell = text.slice(i, end);
      i = end;
    }
    line.push({ cell, quoted });
    if (i >= text.length || text[i] === '\n') {
      lines.push(line);
      line = [];
    } else if (text[i] !== ',') throw new Error(`parseCsv: unexpected ${JSON.stringify(text[i])} after a quoted cell`);
    i++;
  }
  const [head, ...rows] = lines;
  if (!head) return [];
  const keys = head.map((h) => h.cell);
  const value = ({ cell, quoted }: { cell: string; quoted: boolean }) => {
    if (/^'[=+\-@\t\r]/.test(cell)) return cell.slice(1);
    if (!quoted) {
      if (cell === '') return null;
      if (cell === 'true' || cell === 'false') return cell === 'true';
      const n = Number(cell);
      if (Number.isFinite(n)) return n;
    }
    return cell;
  };
  return rows.map((r) => {
    if (r.length !== keys.length) throw new Error(`parseCsv: a line of ${r.length} cells under a header of ${keys.length}`);
    return Object.fromEntries(r.map((c, j) => [keys[j], value(c)]));
  });
}
