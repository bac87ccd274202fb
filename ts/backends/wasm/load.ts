/**
 * Turning whatever a runtime gives into the compiled soft-sampling `WebAssembly.Module`, and
 * checking that it is ours. Environment-agnostic: no `node:` import, no environment variable. The
 * entries supply what differs per runtime (where the module lies by default, how to read a `file:`
 * URL); the glue (`index.ts`) says whether a module is a build it can drive and instantiates it, so
 * the glue can be replaced (e.g. by generated bindings) without touching `initWasm`'s contract.
 */
import { SoftSamplingError } from '../../errors';
import { wasmModuleMismatch } from '.';

/** Everything `initWasm` accepts, for error messages. */
export const ACCEPTED_SOURCES =
  'accepted: no argument (the module shipped beside the entry: soft_sampling.wasm, or soft_sampling_lite.wasm for soft-sampling/lite), a WebAssembly.Module, ' +
  'the module bytes (ArrayBuffer or typed array), a Response or a Promise of one (e.g. fetch(url)), a URL, or a URL string';

/** What `initWasm` accepts. */
export type WasmSource = WebAssembly.Module | BufferSource | Response | PromiseLike<Response> | URL | string;

/** What differs per runtime: the default location and how to read `file:` URLs. */
export interface WasmPlatform {
  /** The module shipped beside the entry: a URL to load, or a loader of its own (Node: the file system). */
  defaultSource(): URL | Promise<WebAssembly.Module | Uint8Array>;
  /** Reads a `file:` URL (the Node entry); absent, or returning `undefined` → use `fetch`. */
  readFile?: (url: URL) => Promise<Uint8Array> | undefined;
  /** Turns a string that is not an absolute URL into one (browser: the page, Node: a file path). */
  resolveRelative?: (s: string) => URL | undefined;
}

/**
 * The platform of the fetch-only entries (edge, lite): the module beside the entry (`defaultSource`),
 * loaded with `fetch` (http(s), blob:, data:, and file: where the runtime's fetch reads files: Deno
 * with read access, Bun; Node's fetch does not, and Node resolves to its own entry, which does); a
 * relative string resolved against the page (`location.href`) where there is one.
 */
export function fetchPlatform(defaultSource: () => URL): WasmPlatform {
  return {
    defaultSource,
    resolveRelative(s) {
      const loc = (globalThis as { location?: { href: string } }).location;
      return loc ? new URL(s, loc.href) : undefined;
    },
  };
}

function fail(given: string, why: string, cause?: unknown, who: 'initWasm' | 'initWasmSync' = 'initWasm'): SoftSamplingError {
  const accepted = who === 'initWasm' ? ACCEPTED_SOURCES : SYNC_ACCEPTED;
  return new SoftSamplingError('E_BACKEND', 'source', `${who} cannot use ${given}: ${why}; ${accepted}`, cause === undefined ? [] : [cause]);
}

const SYNC_ACCEPTED = 'accepted by initWasmSync: a WebAssembly.Module or the module bytes (ArrayBuffer or typed array); use initWasm for URLs and responses';

// duck-typed: errors from fs or fetch may come from another realm (vm contexts, jest)
const msg = (e: unknown): string => {
  const m = typeof e === 'object' && e !== null ? (e as { message?: unknown }).message : undefined;
  return typeof m === 'string' ? m : String(e);
};

function hexStart(b: Uint8Array): string {
  return Array.from(b.subarray(0, 8), (x) => x.toString(16).padStart(2, '0')).join(' ');
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return x !== null && (typeof x === 'object' || typeof x === 'function') && typeof (x as { then?: unknown }).then === 'function';
}

// by tag, not instanceof: buffers may come from another realm (vm contexts, jest, iframes)
const isArrayBuffer = (s: unknown): s is ArrayBuffer => Object.prototype.toString.call(s) === '[object ArrayBuffer]';

function bytesOf(s: BufferSource): Uint8Array {
  return isArrayBuffer(s) ? new Uint8Array(s) : new Uint8Array((s as ArrayBufferView).buffer, (s as ArrayBufferView).byteOffset, (s as ArrayBufferView).byteLength);
}

/** A short description of a value, for "cannot use <given>". */
export function describeSource(s: unknown): string {
  if (s === undefined) return 'undefined';
  if (s === null) return 'null';
  if (typeof s === 'string') return `the string '${s.length > 120 ? s.slice(0, 117) + '...' : s}'`;
  if (s instanceof URL) return `the URL ${s.href}`;
  if (s instanceof WebAssembly.Module) return 'a WebAssembly.Module';
  if (isArrayBuffer(s)) return `an ArrayBuffer of ${s.byteLength} bytes`;
  if (ArrayBuffer.isView(s)) return `a ${s.constructor.name} of ${s.byteLength} bytes`;
  if (typeof Response !== 'undefined' && s instanceof Response) return `a Response (status ${s.status}${s.url ? `, ${s.url}` : ''})`;
  if (typeof s === 'object') return `an object (${(s as object).constructor?.name ?? 'Object'})`;
  return `a ${typeof s} (${String(s)})`;
}

/** Checks that `module` is a build the glue can drive (the glue says what it needs). */
export function checkModule(module: WebAssembly.Module, given: string, who: 'initWasm' | 'initWasmSync' = 'initWasm'): WebAssembly.Module {
  const why = wasmModuleMismatch(module);
  if (why) throw fail(given, `it is not a soft-sampling wasm build (${why})`, undefined, who);
  return module;
}

/** Compiles bytes, after checking they are WebAssembly at all. */
async function compileBytes(b: Uint8Array, given: string): Promise<WebAssembly.Module> {
  if (b.byteLength < 8 || b[0] !== 0 || b[1] !== 0x61 || b[2] !== 0x73 || b[3] !== 0x6d) {
    throw fail(given, `not WebAssembly (a wasm module starts with 00 61 73 6d, these bytes with ${hexStart(b) || 'nothing'})`);
  }
  try {
    return checkModule(await WebAssembly.compile(b as Uint8Array<ArrayBuffer>), given);
  } catch (e) {
    if (e instanceof SoftSamplingError) throw e;
    throw fail(given, `WebAssembly.compile failed (${msg(e)})`, e);
  }
}

async function fromResponse(r: Response, given: string): Promise<WebAssembly.Module> {
  if (!r.ok) throw fail(given, `the response status is ${r.status}${r.statusText ? ' ' + r.statusText : ''}, not 2xx`);
  // served as application/wasm: compile while downloading (browsers also cache the compiled code);
  // on any failure, fall through to the bytes for a precise diagnosis
  if (typeof WebAssembly.compileStreaming === 'function' && r.headers.get('content-type')?.split(';')[0].trim() === 'application/wasm' && !r.bodyUsed) {
    const copy = r.clone();
    try {
      const m = await WebAssembly.compileStreaming(r);
      return checkModule(m, given);
    } catch (e) {
      if (e instanceof SoftSamplingError) throw e;
      r = copy;
    }
  }
  let b: Uint8Array;
  try {
    b = new Uint8Array(await r.arrayBuffer());
  } catch (e) {
    throw fail(given, `reading the response body failed (${msg(e)})`, e);
  }
  return compileBytes(b, given);
}

async function fromUrl(url: URL, p: WasmPlatform, given: string): Promise<WebAssembly.Module> {
  if (url.protocol === 'file:' && p.readFile) {
    let pending: Promise<Uint8Array> | undefined;
    try {
      pending = p.readFile(url);
    } catch (e) {
      throw fail(given, `reading ${url.href} failed (${msg(e)})`, e);
    }
    if (pending) {
      let b: Uint8Array;
      try {
        b = await pending;
      } catch (e) {
        throw fail(given, `reading ${url.href} failed (${msg(e)})`, e);
      }
      return compileBytes(b, given);
    }
  }
  if (typeof fetch !== 'function') throw fail(given, 'this runtime has no fetch; pass the module or its bytes');
  let r: Response;
  try {
    r = await fetch(url);
  } catch (e) {
    const hint = url.protocol === 'file:' ? ' (where fetch cannot read file: URLs, as in Node, use the Node entry soft-sampling, which reads files, or pass the bytes)' : '';
    throw fail(given, `fetch(${url.href}) failed (${msg(e)})${hint}`, e);
  }
  return fromResponse(r, `${given} (fetched: status ${r.status})`);
}

/** Resolves any accepted source to the checked, compiled module; throws `E_BACKEND` otherwise. */
export async function compileWasmSource(source: WasmSource | undefined, p: WasmPlatform): Promise<WebAssembly.Module> {
  let given = describeSource(source);
  let s: unknown = source;
  if (isThenable(s)) {
    given = 'a Promise';
    try {
      s = await s;
    } catch (e) {
      throw fail(given, `it rejected (${msg(e)})`, e);
    }
    given = `a Promise of ${describeSource(s)}`;
  }
  if (s === undefined) {
    let d: URL | WebAssembly.Module | Uint8Array;
    try {
      d = await p.defaultSource();
    } catch (e) {
      throw fail('no argument (the wasm beside the entry)', msg(e), e);
    }
    if (d instanceof URL) return fromUrl(d, p, `no argument (the wasm beside the entry, ${d.href})`);
    if (d instanceof WebAssembly.Module) return checkModule(d, 'no argument (the wasm beside the entry)');
    return compileBytes(d, 'no argument (the wasm beside the entry)');
  }
  if (s instanceof WebAssembly.Module) return checkModule(s, given);
  if (isArrayBuffer(s) || ArrayBuffer.isView(s)) return compileBytes(bytesOf(s as BufferSource), given);
  if (typeof Response !== 'undefined' && s instanceof Response) return fromResponse(s, given);
  if (s instanceof URL) return fromUrl(s, p, given);
  if (typeof s === 'string') {
    let url: URL | undefined;
    try {
      url = new URL(s);
    } catch {
      url = p.resolveRelative?.(s);
    }
    if (!url) throw fail(given, 'it is not an absolute URL and there is no page location to resolve it against');
    return fromUrl(url, p, given);
  }
  throw fail(given, 'it is none of the accepted kinds');
}

/** The synchronous form: a compiled module, or bytes (compiled here; Workers forbid that). */
export function compileWasmSourceSync(source: WebAssembly.Module | BufferSource): WebAssembly.Module {
  const given = describeSource(source);
  if (source instanceof WebAssembly.Module) return checkModule(source, given, 'initWasmSync');
  if (isArrayBuffer(source) || ArrayBuffer.isView(source)) {
    const b = bytesOf(source);
    if (b.byteLength < 8 || b[0] !== 0 || b[1] !== 0x61 || b[2] !== 0x73 || b[3] !== 0x6d) {
      throw fail(given, `not WebAssembly (a wasm module starts with 00 61 73 6d, these bytes with ${hexStart(b) || 'nothing'})`, undefined, 'initWasmSync');
    }
    let m: WebAssembly.Module;
    try {
      m = new WebAssembly.Module(b as Uint8Array<ArrayBuffer>);
    } catch (e) {
      throw fail(given, `new WebAssembly.Module failed (${msg(e)})`, e, 'initWasmSync');
    }
    return checkModule(m, given, 'initWasmSync');
  }
  throw fail(given, 'it is none of the accepted kinds', undefined, 'initWasmSync');
}
