/**
 * initWasm / initWasmSync (issue 11): every accepted source, and bad input → E_BACKEND naming what
 * was given and what is accepted, with the previously active backend still answering. Runs the edge
 * entry's sources (ts/edge.ts; "beside the entry" is mapped to artifacts/ by jest's moduleNameMapper)
 * and, in an isolated module registry, the Node entry. The real runtimes are in test/runtimes.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { runInNewContext } from 'node:vm';
import * as edge from '../ts/edge';
import { SoftSamplingError } from '../ts/errors';

const root = join(__dirname, '..');
const wasmFile = join(root, 'artifacts', 'soft_sampling.wasm');
const bytes = readFileSync(wasmFile);
// an empty module, and one importing env.foo: valid wasm, but not this package's build
const EMPTY = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
const IMPORTING = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x02, 0x0b, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x03,
  0x66, 0x6f, 0x6f, 0x00, 0x00,
]);

const iou = () => Array.from(edge.bboxOverlaps([[0, 0, 10, 10]], [[5, 5, 15, 15]]).data)[0];

async function rejection(p: Promise<unknown>): Promise<SoftSamplingError> {
  try {
    await p;
  } catch (e) {
    expect((e as Error).name).toBe('SoftSamplingError'); // by name: the Node-entry test has its own module registry
    return e as SoftSamplingError;
  }
  throw new Error('expected a rejection');
}

function thrown(fn: () => unknown): SoftSamplingError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SoftSamplingError);
    return e as SoftSamplingError;
  }
  throw new Error('expected a throw');
}

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/soft_sampling.wasm') res.writeHead(200, { 'content-type': 'application/wasm' }).end(bytes);
    else if (req.url === '/html.wasm') res.writeHead(200, { 'content-type': 'application/wasm' }).end('<!doctype html>');
    else res.writeHead(404).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('edge entry', () => {
  test('before initWasm the pure-TS backend answers; nothing reads the environment', () => {
    const before = process.env.SOFT_SAMPLING_BACKEND;
    process.env.SOFT_SAMPLING_BACKEND = 'native'; // ignored by the edge entry
    try {
      expect(edge.backendInfo()).toMatchObject({ active: 'ts', selectedBy: 'auto' });
    } finally {
      if (before === undefined) delete process.env.SOFT_SAMPLING_BACKEND;
      else process.env.SOFT_SAMPLING_BACKEND = before;
    }
    expect(iou()).toBeCloseTo(25 / 175, 6);
  });

  describe.each([
    ['non-wasm bytes', () => new TextEncoder().encode('{"not": "wasm"}'), /a Uint8Array of 15 bytes: not WebAssembly .*7b 22 6e 6f 74 22 3a 20/],
    ['an empty ArrayBuffer', () => new ArrayBuffer(0), /an ArrayBuffer of 0 bytes: not WebAssembly/],
    ['an ArrayBuffer of zeros from another realm', () => runInNewContext('new ArrayBuffer(8)'), /an ArrayBuffer of 8 bytes: not WebAssembly/],
    ['a 404 response', () => new Response('not found', { status: 404, statusText: 'Not Found' }), /a Response \(status 404\): the response status is 404 Not Found/],
    ['a promise of a 404 response', () => fetch(`${base}/missing.wasm`), /a Promise of a Response \(status 404, http:\/\/127\.0\.0\.1:\d+\/missing\.wasm\): the response status is 404/],
    ['a URL served as application/wasm that is HTML', () => new URL(`${base}/html.wasm`), /\(fetched: status 200\): not WebAssembly .*these bytes with 3c 21 64 6f 63 74 79 70/],
    ['a URL that 404s', () => new URL(`${base}/missing.wasm`), /the URL http:\/\/127\.0\.0\.1:\d+\/missing\.wasm \(fetched: status 404\)/],
    ['a file: URL (Node\'s fetch cannot read files)', () => pathToFileURL(wasmFile), /fetch\(file:\/\/.*\) failed .* \(where fetch cannot read file: URLs, as in Node, use the Node entry soft-sampling/],
    ['a relative string (no page)', () => 'soft_sampling.wasm', /the string 'soft_sampling.wasm': it is not an absolute URL and there is no page location/],
    ['a module of another build (no exports)', () => new WebAssembly.Module(EMPTY), /a WebAssembly.Module: it is not a soft-sampling wasm build \(it lacks the exports memory, ss_alloc/],
    ['bytes of another build (imports)', () => IMPORTING, /it imports env\.foo \(ours imports only from wasm-bindgen's '\.\/soft_sampling_bg\.js' glue\)/],
    ['a rejected promise', () => Promise.reject(new Error('offline')), /a Promise: it rejected \(offline\)/],
    ['a number', () => 42, /a number \(42\): it is none of the accepted kinds/],
  ])('bad input: %s', (_name, make, message) => {
    test('rejects with E_BACKEND saying what was given and what is accepted; the active backend keeps answering', async () => {
      delete (globalThis as { __SS_WASM_BESIDE__?: string }).__SS_WASM_BESIDE__;
    const active = edge.backendInfo().active;
      const e = await rejection(edge.initWasm(make() as never));
      expect(e.code).toBe('E_BACKEND');
      expect(e.arg).toBe('source');
      expect(e.message).toMatch(message);
      expect(e.message).toMatch(/accepted: no argument .*WebAssembly\.Module.*bytes.*Response.*URL/);
      expect(edge.backendInfo().active).toBe(active);
      expect(iou()).toBeCloseTo(25 / 175, 6);
    });
  });

  test('no argument, where the runtime cannot fetch the URL: E_BACKEND says so', async () => {
    const e = await rejection(edge.initWasm());
    expect(e.message).toMatch(/^E_BACKEND source: initWasm cannot use no argument \(the wasm beside the entry, file:\/\/.*soft_sampling\.wasm\): fetch\(/);
    expect(edge.backendInfo().active).toBe('ts');
  });

  test('no argument: the wasm beside the entry, fetched', async () => {
    (globalThis as { __SS_WASM_BESIDE__?: string }).__SS_WASM_BESIDE__ = `${base}/soft_sampling.wasm`;
    const info = await edge.initWasm();
    expect(info).toMatchObject({ active: 'wasm', simd: 'simd128' });
    expect(iou()).toBeCloseTo(25 / 175, 6);
  });

  test('after a failed re-init the wasm backend keeps answering', async () => {
    const e = await rejection(edge.initWasm(new Uint8Array(16)));
    expect(e.message).toMatch(/not WebAssembly \(a wasm module starts with 00 61 73 6d, these bytes with 00 00 00 00/);
    expect(edge.backendInfo().active).toBe('wasm');
    expect(iou()).toBeCloseTo(25 / 175, 6);
  });

  test.each([
    ['a WebAssembly.Module', () => new WebAssembly.Module(bytes)],
    ['an ArrayBuffer', () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)],
    ['a Uint8Array', () => new Uint8Array(bytes)],
    ['an ArrayBuffer from another realm (vm)', () => {
      const ab = runInNewContext('new ArrayBuffer(n)', { n: bytes.length }) as ArrayBuffer;
      new Uint8Array(ab).set(bytes);
      return ab;
    }],
    ['a Response', () => new Response(bytes)],
    ['a Promise<Response> (fetch over http)', () => fetch(`${base}/soft_sampling.wasm`)],
    ['a URL (http)', () => new URL(`${base}/soft_sampling.wasm`)],
    ['a URL string (http)', () => `${base}/soft_sampling.wasm`],
  ])('accepts %s', async (_name, make) => {
    const info = await edge.initWasm(make() as never);
    expect(info.active).toBe('wasm');
    expect(iou()).toBeCloseTo(25 / 175, 6);
  });

  test('useBackend("ts") stays in force across initWasm', async () => {
    edge.useBackend('ts');
    try {
      expect((await edge.initWasm(new Uint8Array(bytes))).active).toBe('ts');
    } finally {
      edge.useBackend('auto');
    }
    expect(edge.backendInfo().active).toBe('wasm');
  });

  test('initWasmSync: a module or bytes; anything else E_BACKEND naming initWasmSync', () => {
    expect(edge.initWasmSync(new WebAssembly.Module(bytes)).active).toBe('wasm');
    expect(edge.initWasmSync(new Uint8Array(bytes)).active).toBe('wasm');
    const r = thrown(() => edge.initWasmSync(new Response(bytes) as never));
    expect(r.message).toMatch(/^E_BACKEND source: initWasmSync cannot use a Response \(status 200\): it is none of the accepted kinds; accepted by initWasmSync: a WebAssembly.Module or the module bytes/);
    const m = thrown(() => edge.initWasmSync(new WebAssembly.Module(EMPTY)));
    expect(m.message).toMatch(/initWasmSync cannot use a WebAssembly.Module: it is not a soft-sampling wasm build/);
    expect(edge.backendInfo().active).toBe('wasm');
  });
});

describe('Node entry', () => {
  test('initWasm() reads the packaged wasm; automatic choice still prefers native; bad input keeps it', async () => {
    await jest.isolateModulesAsync(async () => {
      const node = await import('../ts/index');
      const info = await node.initWasm();
      expect(info.active).toBe('native');
      expect(info.available).toEqual(['native', 'wasm', 'ts']);
      const e = await rejection(node.initWasm(join(root, 'package.json')));
      expect(e.message).toMatch(/initWasm cannot use the string '.*package\.json': not WebAssembly/);
      node.useBackend('wasm');
      try {
        expect(node.backendInfo().active).toBe('wasm');
        await rejection(node.initWasm(new Uint8Array(4)));
        expect(node.backendInfo().active).toBe('wasm');
        expect((await node.initWasm(wasmFile)).active).toBe('wasm'); // a file path
        expect((await node.initWasm(pathToFileURL(wasmFile))).active).toBe('wasm');
        expect((await node.initWasm(pathToFileURL(wasmFile).href)).active).toBe('wasm');
        const m = await rejection(node.initWasm(pathToFileURL('/nonexistent/soft_sampling.wasm')));
        expect(m.message).toMatch(/reading file:\/\/\/nonexistent\/soft_sampling\.wasm failed \(ENOENT/);
      } finally {
        node.useBackend('auto');
      }
    });
  });
});

describe('built edge entry (dist/edge.mjs)', () => {
  const src = readFileSync(join(root, 'dist', 'edge.mjs'), 'utf8');
  test('imports no node: module and reads no environment variable', () => {
    expect(src).not.toMatch(/\bfrom\s*["']node:|import\(\s*["']node:|\brequire\(/);
    expect(src).not.toMatch(/process\.env|Deno\.env/);
  });
  test('locates its wasm with the literal new URL(…, import.meta.url) bundlers recognise, and it ships beside it', () => {
    expect(src).toMatch(/new URL\(["']\.\/soft_sampling\.wasm["'], import\.meta\.url\)/);
    expect(readFileSync(join(root, 'dist', 'soft_sampling.wasm')).equals(bytes)).toBe(true);
  });
});
