/**
 * Reading the input files. JSON is parsed whole (`JSON.parse` of the file text); the text is dropped
 * as soon as it is parsed and the records are normalised to compact per-box objects, so the peak
 * memory is about the file size plus the parsed objects. Files above `MAX_JSON_BYTES` (the largest
 * string V8 can hold, ~512 MiB) are refused with a clear message — split such results by image.
 */
import { readFileSync, statSync } from 'node:fs';
import { SoftSamplingError } from 'soft-sampling';
import { GtBuilder, DetBuilder, type GtSet, type DetSet } from 'soft-sampling/internal';
import { scanJsonFile } from './stream-json';

/** V8's maximum string length is 2^29 − 24 characters (~512 MiB of ASCII). */
export const MAX_JSON_BYTES = 2 ** 29 - 24;

export class InputError extends Error {
  constructor(readonly file: string, readonly where: string, readonly detail: string) {
    super(`${file === '-' ? '<stdin>' : file}: ${where ? where + ': ' : ''}${detail}`);
    this.name = 'InputError';
  }
}

const FS_REASONS: Record<string, string> = { ENOENT: 'no such file or directory', EACCES: 'permission denied', EPERM: 'permission denied', EISDIR: 'a directory, not a file', ENOTDIR: 'a path through a file', ELOOP: 'a symbolic link loop', EMFILE: 'too many open files' };

/** Why a file-system call failed, in words and with its code: `no such file or directory (ENOENT)`. */
export function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (!code) return e instanceof Error ? e.message : String(e);
  return FS_REASONS[code] ? `${FS_REASONS[code]}, ${code}` : code;
}

/** Most characters of a value quoted in an error message (the line stays readable). */
export const SHOWN_MAX = 60;

/**
 * A value as error messages quote it: its JSON text, cut to {@link SHOWN_MAX} characters with `…`
 * and the full length (`{"id":1,"bbox":[…]…` (312 chars)); a COCO record or a long token does not
 * flood the one-line error.
 */
export function shown(v: unknown): string {
  let t: string;
  try {
    t = v === undefined ? 'undefined' : JSON.stringify(v) ?? String(v);
  } catch {
    t = String(v);
  }
  return t.length > SHOWN_MAX ? `${t.slice(0, SHOWN_MAX - 1)}… (${t.length} chars)` : t;
}

/** Longest JSON-like value (`{…}`, `[…]`, `"…"`) an error line quotes whole. */
const VALUE_MAX = 80;
/** Longest error line (after cutting values); what is beyond is dropped with its length said. */
const LINE_MAX = 400;

/**
 * One error line as the CLI prints it: newlines folded, every JSON-like value longer than
 * {@link VALUE_MAX} characters cut (`{"segmentation":[[321.02,…` (1,004 chars)), and the line cut at
 * {@link LINE_MAX} — a record dump in a message (ours or a library's) does not flood the terminal.
 */
export function errorLine(msg: string): string {
  let s = msg.replace(/\s*\n\s*/g, ' ');
  if (s.length > VALUE_MAX) {
    let out = '';
    for (let i = 0; i < s.length; ) {
      const c = s[i];
      if (c !== '{' && c !== '[' && c !== '"') {
        out += c;
        i++;
        continue;
      }
      // the end of the value: brackets balanced outside strings (or the end of the line)
      let depth = 0, j = i, inStr = false;
      for (; j < s.length; j++) {
        const d = s[j];
        if (inStr) {
          if (d === '\\') j++;
          else if (d === '"') {
            inStr = false;
            if (depth === 0) break;
          }
        } else if (d === '"') {
          inStr = true;
        } else if (d === '{' || d === '[') depth++;
        else if (d === '}' || d === ']') {
          if (--depth === 0) break;
        }
      }
      const span = s.slice(i, j + 1);
      if (span.length > VALUE_MAX) out += `${span.slice(0, VALUE_MAX - 20)}… (${span.length.toLocaleString('en-US')} chars)`;
      else out += span;
      i = j + 1;
    }
    s = out;
  }
  return s.length > LINE_MAX ? `${s.slice(0, LINE_MAX)}… (${(s.length - LINE_MAX).toLocaleString('en-US')} more chars)` : s;
}

function lineCol(text: string, pos: number): { line: number; col: number } {
  let line = 1, last = -1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) {
    line++;
    last = i;
  }
  return { line, col: pos - last };
}

/** Reads and parses a JSON file; errors name the file and, for syntax errors, the line and column. */
export function readJson(file: string): unknown {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file (a directory?)'), { code: 'EISDIR' });
    size = st.size;
  } catch (e) {
    throw new InputError(file, '', `cannot read the file (${fsReason(e)})`);
  }
  if (size > MAX_JSON_BYTES) throw new InputError(file, '', `the file is ${(size / 2 ** 20).toFixed(0)} MiB; JSON inputs are parsed whole and must stay below 512 MiB (split the results by image)`);
  let text = readFileSync(file, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const m = /position (\d+)/.exec(msg);
    if (m) {
      const { line, col } = lineCol(text, Number(m[1]));
      throw new InputError(file, '', `malformed JSON at line ${line}, column ${col}: ${msg.replace(/\s*in JSON at position \d+.*$/, '')}`);
    }
    throw new InputError(file, '', `malformed JSON: ${msg}`);
  }
}

/** Turns a validation error of `parseGroundTruth(…, 'gt')` / `parseDetections(…, 'dets')` into an InputError naming the file. */
export function toInputError(e: unknown, files: { gt: string; dets: string }): unknown {
  if (!(e instanceof SoftSamplingError)) return e;
  const src = e.arg.startsWith('gt') ? 'gt' : e.arg.startsWith('dets') ? 'dets' : null;
  if (!src) return e;
  const detail = e.message.slice(`${e.code} ${e.arg}: `.length);
  // 'gt.annotations[3] (id 17).bbox' → 'annotations[3] (id 17)'; 'dets[5].score' → 'record [5]'
  let where = e.arg.slice(src.length).replace(/^\./, '').replace(/\.[A-Za-z_]+$/, '');
  if (where.startsWith('[')) where = `record ${where}`;
  return new InputError(files[src], where, detail);
}

/**
 * Streams a COCO ground-truth file into a validated {@link GtSet} (segmentations and other fields
 * are dropped record by record). Errors name the file, the record and the field.
 */
export function readGroundTruth(file: string): GtSet {
  const b = new GtBuilder('gt');
  try {
    const r = scanJsonFile(file, {
      keys: { images: (v, i) => b.image(v, i), annotations: (v, i) => b.annotation(v, i), categories: (v, i) => b.category(v, i) },
      onKeyArray: (k) => b.sawList(k as 'images'),
      notAnArray: 'ground truth must be a COCO dataset object { images, annotations, categories }, got a JSON array',
    });
    return b.finish((list) => r.nonArrayKeys.get(list));
  } catch (e) {
    throw toInputError(e, { gt: file, dets: file });
  }
}

/** Streams a COCO results file (a list, or an object with the list under `annotations`). */
export function readDetections(file: string, gt: GtSet): DetSet {
  let b = new DetBuilder(gt, 'dets');
  try {
    const r = scanJsonFile(file, {
      onTopElement: (v, i) => b.add(v, i),
      keys: { annotations: (v, i) => b.add(v, i) },
      onKeyArray: () => {
        b = new DetBuilder(gt, 'dets.annotations');
      },
    });
    if (r.top === 'object' && !r.nonArrayKeys.has('annotations') && (b.prefix as string) !== 'dets.annotations') {
      throw new InputError(file, '', 'detections must be a COCO results list [{ image_id, category_id, bbox, score }], got an object without an annotations list');
    }
    if (r.nonArrayKeys.has('annotations')) throw new InputError(file, '', "detections must be a COCO results list [{ image_id, category_id, bbox, score }]; field 'annotations' is not an array");
    return b.finish();
  } catch (e) {
    throw toInputError(e, { gt: file, dets: file });
  }
}
