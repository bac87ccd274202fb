/**
 * Output files of a run, collected in memory and written at the end into a temporary directory
 * beside the target, which is then renamed into place: a failed run leaves no partial output.
 */
import { mkdirSync, writeFileSync, renameSync, rmSync, existsSync, statSync, readdirSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';

export type Row = Record<string, string | number | boolean | null>;

/** RFC 4180 CSV: header from `columns` (default: keys of the first row), `\n` line ends. */
export function toCsv(rows: Row[], columns?: string[]): string {
  const cols = columns ?? (rows.length ? Object.keys(rows[0]) : []);
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

/** Stable JSON (2-space indent, non-finite numbers as null). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v), 2) + '\n';
}

export class Artifacts {
  readonly files = new Map<string, string | Uint8Array>();

  add(name: string, content: string | Uint8Array): void {
    this.files.set(name, content);
  }

  /**
   * Writes every file into `<parent>/.<name>.tmp-<pid>` and renames it to `outDir` (an existing
   * `outDir` is replaced only after the new one is complete). On failure the temporary directory is removed.
   */
  writeAtomically(outDir: string): void {
    const target = checkOutputTarget(outDir);
    const parent = dirname(target);
    const tmp = join(parent, `.${basename(target)}.tmp-${process.pid}`);
    mkdirSync(parent, { recursive: true });
    rmSync(tmp, { recursive: true, force: true });
    try {
      mkdirSync(tmp);
      for (const [name, content] of [...this.files.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        const p = join(tmp, name);
        mkdirSync(dirname(p), { recursive: true });
        writeFileSync(p, content);
      }
      if (existsSync(target)) {
        const old = join(parent, `.${basename(target)}.old-${process.pid}`);
        renameSync(target, old);
        renameSync(tmp, target);
        rmSync(old, { recursive: true, force: true });
      } else {
        renameSync(tmp, target);
      }
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  }
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
