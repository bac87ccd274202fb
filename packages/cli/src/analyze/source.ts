/**
 * Synchronous chunked reading of one input: a regular file, or standard input when the name is `-`.
 * Readers pull fixed-size chunks, so memory is bounded by the chunk, not by the input's size.
 */
import { openSync, readSync, closeSync, fstatSync, readdirSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { InputError, fsReason } from './read';

export const STDIN = '-';

/** A source of bytes: `read` fills `buf` and returns the number of bytes (0 at the end). */
export interface ByteSource {
  read(buf: Buffer): number;
  close(): void;
  /** Size in bytes when known (regular files), else -1. */
  size: number;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Opens `file` (or stdin for `-`); errors are {@link InputError}s naming the file. */
export function openSource(file: string): ByteSource {
  if (file === STDIN) {
    return {
      size: -1,
      read(buf) {
        for (;;) {
          try {
            return readSync(0, buf, 0, buf.length, null);
          } catch (e) {
            const code = (e as NodeJS.ErrnoException).code;
            if (code === 'EAGAIN') sleep(2); // a non-blocking pipe with no data yet
            else if (code === 'EOF') return 0;
            else throw new InputError('<stdin>', '', `cannot read standard input (${code ?? (e as Error).message})`);
          }
        }
      },
      close() {},
    };
  }
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new InputError(file, '', `cannot read the file (${fsReason(e)})`);
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    // a directory given to a JSON reader is most often a voc/yolo/txt folder without its format named
    throw new InputError(file, '', st.isDirectory() ? 'a directory, not a JSON file (for a directory of VOC .xml, YOLO or txt files name its format: --gt-format / --dets-format voc|yolo|txt)' : 'not a regular file');
  }
  let pos = 0;
  return {
    size: st.size,
    read(buf) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      pos += n;
      return n;
    },
    close() {
      closeSync(fd);
    },
  };
}

/**
 * Calls `onLine(text, lineNumber)` for every line of `file` (or stdin), streamed in 1 MiB chunks;
 * `\r\n` and `\n` line ends, a UTF-8 BOM is dropped. Only the current line is held as text.
 */
export function forEachLine(file: string, onLine: (line: string, n: number) => void, chunkBytes = 1 << 20): void {
  const src = openSource(file);
  const buf = Buffer.allocUnsafe(chunkBytes);
  const dec = new StringDecoder('utf8');
  let rest = '';
  let n = 0;
  let first = true;
  try {
    for (;;) {
      const k = src.read(buf);
      let text = rest + (k > 0 ? dec.write(buf.subarray(0, k)) : dec.end());
      if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
      let start = 0;
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
        const line = text.slice(start, i);
        onLine(line.endsWith('\r') ? line.slice(0, -1) : line, ++n);
        start = i + 1;
      }
      rest = text.slice(start);
      if (k === 0) break;
    }
    if (rest.length) onLine(rest.endsWith('\r') ? rest.slice(0, -1) : rest, ++n);
  } finally {
    src.close();
  }
}

/** Sorted names of the files in `dir` ending with `ext` (e.g. `.txt`); an {@link InputError} if `dir` is not a directory. */
export function listDir(dir: string, ext: string, what: string): string[] {
  let st;
  try {
    st = statSync(dir);
  } catch (e) {
    throw new InputError(dir, '', `cannot read the ${what} (${fsReason(e)})`);
  }
  if (!st.isDirectory()) throw new InputError(dir, '', `the ${what} must be a directory of ${ext} files`);
  return readdirSync(dir)
    .filter((f) => f.toLowerCase().endsWith(ext))
    .sort();
}
