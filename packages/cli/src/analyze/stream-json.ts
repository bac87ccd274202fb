/**
 * Streaming reader for COCO files: the file is read in 1 MiB chunks and only one record (an element
 * of a top-level list) is held as text at a time; each record is parsed with `JSON.parse` and handed
 * to a callback, which keeps only the normalised fields (e.g. a gt annotation's polygon is dropped at
 * once). Memory is therefore bounded by the normalised records, not by the file size.
 *
 * Structure handled: a top-level array (a results list), or a top-level object whose selected keys
 * hold arrays (`images`, `annotations`, `categories`); other keys' values are skipped unparsed.
 * Malformed JSON is reported with its line and column.
 */
import { openSource } from './source';
import { StringDecoder } from 'node:string_decoder';
import { InputError } from './read';

export interface ScanHandlers {
  /** Elements of a top-level array. */
  onTopElement?: (value: unknown, index: number) => void;
  /** Elements of arrays held by these top-level keys. */
  keys?: Record<string, (value: unknown, index: number) => void>;
  /** Called when a handled key holds an array (even an empty one). */
  onKeyArray?: (key: string) => void;
  /** Message when the document is an array but no `onTopElement` is given. */
  notAnArray?: string;
  /** Message when the document is an object but no `keys` are given. */
  notAnObject?: string;
}

export interface ScanResult {
  top: 'array' | 'object';
  /** Handled keys whose value was not an array, with the parsed value. */
  nonArrayKeys: Map<string, unknown>;
  bytes: number;
}

const WS = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Scans `file`; see the module comment. Throws {@link InputError} on malformed JSON. */
export function scanJsonFile(file: string, h: ScanHandlers, chunkBytes = 1 << 20): ScanResult {
  const src = openSource(file);
  const dec = new StringDecoder('utf8');
  const bytes = Buffer.allocUnsafe(chunkBytes);
  let line = 1, col = 0;
  // parser state
  type Mode = 'top' | 'topArr' | 'topArrNext' | 'obj' | 'objColon' | 'objValue' | 'objNext' | 'keyArr' | 'keyArrNext' | 'end';
  let mode: Mode = 'top';
  let top: 'array' | 'object' | undefined;
  let key = '';
  let arrIndex = 0;
  const nonArrayKeys = new Map<string, unknown>();
  // value capture
  let capturing = false;
  let capParts: string[] = [];
  let capStart = 0;
  let capDepth = 0;
  let capInStr = false;
  let capEsc = false;
  let capScalar = false;
  let capLine = 1, capCol = 0;
  let capTarget: 'key' | 'topElem' | 'keyElem' | 'skip' | 'keyValue' = 'skip';
  let first = true;

  const bad = (what: string) => {
    throw new InputError(file, '', `malformed JSON at line ${line}, column ${col}: ${what}`);
  };
  const parseCaptured = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch (e) {
      const msg = (e as Error).message;
      const m = /position (\d+)/.exec(msg);
      let l = capLine, c = capCol;
      const where = m ? 'at' : 'in the value starting at';
      if (m) {
        const pos = Number(m[1]);
        for (let i = 0; i < pos && i < text.length; i++) {
          if (text.charCodeAt(i) === 10) {
            l++;
            c = 0;
          } else c++;
        }
      }
      throw new InputError(file, '', `malformed JSON ${where} line ${l}, column ${c}: ${msg.replace(/\s*in JSON at position \d+.*$/, '').replace(/^Unexpected token '?(.)'?, .*$/, "unexpected '$1'")}`);
    }
  };
  const finishCapture = (text: string) => {
    capturing = false;
    const target = capTarget;
    if (target === 'skip') return afterValue();
    const v = parseCaptured(text);
    if (target === 'key') {
      if (typeof v !== 'string') bad('expected a key string');
      key = v as string;
      mode = 'objColon';
      return;
    }
    if (target === 'topElem') h.onTopElement!(v, arrIndex++);
    else if (target === 'keyElem') h.keys![key](v, arrIndex++);
    else if (target === 'keyValue') nonArrayKeys.set(key, v);
    afterValue();
  };
  const afterValue = () => {
    if (mode === 'topArr') mode = 'topArrNext';
    else if (mode === 'keyArr') mode = 'keyArrNext';
    else if (mode === 'objValue') mode = 'objNext';
    else if (mode === 'top') mode = 'end';
  };
  const startCapture = (buf: string, i: number, c: number, target: typeof capTarget) => {
    capturing = true;
    capTarget = target;
    capParts = [];
    capStart = i;
    capLine = line;
    capCol = col;
    capInStr = c === 0x22;
    capEsc = false;
    capScalar = !(c === 0x7b || c === 0x5b || c === 0x22);
    capDepth = c === 0x7b || c === 0x5b ? 1 : 0;
    void buf;
  };

  try {
    let pos = 0;
    for (;;) {
      const n = src.read(bytes);
      pos += n;
      const buf = n > 0 ? dec.write(bytes.subarray(0, n)) : dec.end();
      const last = n === 0;
      let i = 0;
      if (first && buf.charCodeAt(0) === 0xfeff) i = 1;
      first = false;
      for (; i < buf.length; i++) {
        const c = buf.charCodeAt(i);
        if (c === 0x0a) {
          line++;
          col = 0;
        } else col++;
        if (capturing) {
          if (capScalar) {
            if (c === 0x2c || c === 0x5d || c === 0x7d || WS(c)) {
              capParts.push(buf.slice(capStart, i));
              finishCapture(capParts.join(''));
              // re-process this delimiter in the structural state
              if (c === 0x0a) line--;
              col--;
              i--;
            }
            continue;
          }
          if (capInStr) {
            if (capEsc) capEsc = false;
            else if (c === 0x5c) capEsc = true;
            else if (c === 0x22) {
              capInStr = false;
              if (capDepth === 0) {
                capParts.push(buf.slice(capStart, i + 1));
                finishCapture(capParts.join(''));
              }
            }
            continue;
          }
          if (c === 0x22) capInStr = true;
          else if (c === 0x7b || c === 0x5b) capDepth++;
          else if (c === 0x7d || c === 0x5d) {
            if (--capDepth === 0) {
              capParts.push(buf.slice(capStart, i + 1));
              finishCapture(capParts.join(''));
            }
          }
          continue;
        }
        if (WS(c)) continue;
        const ch = buf[i];
        switch (mode as Mode) {
          case 'top':
            if (c === 0x5b) {
              top = 'array';
              if (!h.onTopElement) throw new InputError(file, '', h.notAnArray ?? 'expected a JSON object, got an array');
              mode = 'topArr';
              arrIndex = 0;
            } else if (c === 0x7b) {
              top = 'object';
              if (!h.keys) throw new InputError(file, '', h.notAnObject ?? 'expected a JSON array, got an object');
              mode = 'obj';
            } else bad(`unexpected '${ch}' at the start of the document`);
            break;
          case 'topArr':
            if (c === 0x5d && arrIndex === 0) mode = 'end';
            else startCapture(buf, i, c, 'topElem');
            break;
          case 'topArrNext':
            if (c === 0x2c) mode = 'topArr';
            else if (c === 0x5d) mode = 'end';
            else bad(`expected ',' or ']' after list element ${arrIndex - 1}, got '${ch}'`);
            break;
          case 'obj':
            if (c === 0x7d) mode = 'end';
            else if (c === 0x22) startCapture(buf, i, c, 'key');
            else bad(`expected a key, got '${ch}'`);
            break;
          case 'objColon':
            if (c !== 0x3a) bad(`expected ':' after key "${key}", got '${ch}'`);
            mode = 'objValue';
            break;
          case 'objValue':
            if (h.keys && h.keys[key]) {
              if (c === 0x5b) {
                h.onKeyArray?.(key);
                mode = 'keyArr';
                arrIndex = 0;
              } else startCapture(buf, i, c, 'keyValue');
            } else startCapture(buf, i, c, 'skip');
            break;
          case 'objNext':
            if (c === 0x2c) {
              mode = 'obj';
              // a key must follow
            } else if (c === 0x7d) mode = 'end';
            else bad(`expected ',' or '}' after the value of "${key}", got '${ch}'`);
            break;
          case 'keyArr':
            if (c === 0x5d && arrIndex === 0) mode = 'objNext';
            else startCapture(buf, i, c, 'keyElem');
            break;
          case 'keyArrNext':
            if (c === 0x2c) mode = 'keyArr';
            else if (c === 0x5d) mode = 'objNext';
            else bad(`expected ',' or ']' after ${key}[${arrIndex - 1}], got '${ch}'`);
            break;
          case 'end':
            bad(`unexpected '${ch}' after the end of the document`);
        }
      }
      if (capturing) {
        capParts.push(buf.slice(capStart));
        capStart = 0;
      }
      if (last) break;
    }
    if (capturing && capScalar) finishCapture(capParts.join(''));
    if (mode !== 'end') bad(top === undefined ? 'the file is empty' : 'unexpected end of file');
    return { top: top!, nonArrayKeys, bytes: pos };
  } finally {
    src.close();
  }
}
