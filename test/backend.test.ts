/** The facade: backend choice, forcing, load failures, panics, entry points. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backendInfo, useBackend, bboxOverlaps, SoftSamplingError } from '../ts/index';
import { getBackend, registerLoader } from '../ts/registry';
import { loadWasmFromDisk } from '../ts/node/load';
import { BACKENDS, expectError } from './helpers';

const root = join(__dirname, '..');

function runNode(code: string, env: Record<string, string> = {}): string {
  return execFileSync(process.execPath, ['-e', code], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' }).trim();
}

describe('backend selection', () => {
  afterEach(() => useBackend('auto'));

  test('native by default, every backend available', () => {
    const info = backendInfo();
    expect(info.active).toBe('native');
    expect(info.available).toEqual(['native', 'wasm', 'ts']);
    expect(info.failed).toEqual({});
    expect(info.selectedBy).toBe('auto');
    expect(['avx512', 'avx2', 'baseline']).toContain(info.simd);
  });

  test.each(BACKENDS)('useBackend(%s) forces it', (name) => {
    const info = useBackend(name);
    expect(info.active).toBe(name);
    expect(info.selectedBy).toBe('useBackend');
    expect(bboxOverlaps([[0, 0, 10, 10]], [[5, 5, 15, 15]]).get(0, 0)).toBeCloseTo(0.142857, 5);
  });

  test('wasm runs with SIMD128', () => {
    expect(useBackend('wasm').simd).toBe('simd128');
  });

  test("useBackend('wasm') loads only the wasm backend, not the native addon (fresh process, built dist)", () => {
    const out = runNode(`const s=require('./dist/index.cjs');const i=s.useBackend('wasm');console.log(JSON.stringify({a:i.active,av:i.available,f:i.failed,addon:Object.keys(require.cache).some((k)=>k.endsWith('.node'))}))`);
    expect(JSON.parse(out)).toEqual({ a: 'wasm', av: ['wasm'], f: {}, addon: false });
  });

  test('the entry of the workerd/deno/bun wrappers has no TS backend: E_BACKEND naming the edge entry', async () => {
    await jest.isolateModulesAsync(async () => {
      const edge = await import('../ts/edge-wasm');
      let e: any;
      try {
        edge.useBackend('ts');
      } catch (x) {
        e = x;
      }
      expect([e?.name, e?.code, e?.arg]).toEqual(['SoftSamplingError', 'E_BACKEND', 'name']);
      expect(e.message).toMatch(/pure-TypeScript backend is not in this entry.*soft-sampling\/edge/);
      expect(e.message.match(/E_BACKEND/g)).toHaveLength(1);
      edge.initWasmSync(readFileSync(join(root, 'artifacts', 'soft_sampling.wasm')));
      expect(edge.backendInfo().active).toBe('wasm');
    });
  });

  test('unknown backend name is an E_OPTION error', () => {
    expectError(() => useBackend('gpu' as any), 'E_OPTION', 'name');
  });

  test.each(['native', 'wasm', 'ts'])('SOFT_SAMPLING_BACKEND=%s forces it in a fresh process (built dist, CJS and ESM)', (name) => {
    const cjs = runNode(`const s=require('./dist/index.cjs');const i=s.backendInfo();console.log(i.active+' '+i.selectedBy)`, { SOFT_SAMPLING_BACKEND: name });
    expect(cjs).toBe(`${name} SOFT_SAMPLING_BACKEND`);
    const esm = execFileSync(process.execPath, ['--input-type=module', '-e', `import {backendInfo} from './dist/index.mjs';console.log(backendInfo().active)`], {
      cwd: root, env: { ...process.env, SOFT_SAMPLING_BACKEND: name }, encoding: 'utf8',
    }).trim();
    expect(esm).toBe(name);
  });

  test('a forced backend that cannot load throws one error carrying every cause', () => {
    const out = runNode(
      `const s=require('./dist/index.cjs');try{s.backendInfo();console.log('no error')}catch(e){console.log(JSON.stringify({code:e.code,arg:e.arg,n:e.causes.length,msg:e.message}))}`,
      { SOFT_SAMPLING_BACKEND: 'native', SOFT_SAMPLING_NATIVE_PATH: '/nonexistent/addon.node' },
    );
    const r = JSON.parse(out);
    expect(r.code).toBe('E_BACKEND');
    expect(r.arg).toBe('SOFT_SAMPLING_BACKEND');
    expect(r.n).toBe(1); // an explicit path is the only candidate
    expect(r.msg).toMatch(/nonexistent/);
  });

  test('the error carries every cause when a loader tried several candidates', () => {
    registerLoader('wasm', () => {
      throw new SoftSamplingError('E_BACKEND', 'wasm', 'failed', [new Error('first: missing'), new Error('second: bad magic')]);
    });
    try {
      const err = expectError(() => useBackend('wasm'), 'E_BACKEND', 'name');
      expect(err.causes.map((c) => (c as Error).message)).toEqual(['first: missing', 'second: bad magic']);
      expect(err.message).toMatch(/first: missing; second: bad magic/);
      expect(backendInfo().failed.wasm).toEqual(['first: missing', 'second: bad magic']);
      expect(backendInfo().active).toBe('native');
    } finally {
      registerLoader('wasm', loadWasmFromDisk);
    }
  });

  test('when native fails, auto falls back to wasm and reports why native failed', () => {
    const out = runNode(
      `const s=require('./dist/index.cjs');console.log(JSON.stringify(s.backendInfo()))`,
      { SOFT_SAMPLING_NATIVE_PATH: '/nonexistent/addon.node' },
    );
    const fallback = JSON.parse(out);
    expect(fallback.active).toBe('wasm');
    expect(fallback.failed.native[0]).toMatch(/nonexistent\/addon\.node/);
    const out2 = runNode(
      `const s=require('./dist/index.cjs');console.log(JSON.stringify(s.backendInfo()))`,
      { SOFT_SAMPLING_WASM_PATH: '/nonexistent.wasm', SOFT_SAMPLING_BACKEND: 'ts' },
    );
    const info = JSON.parse(out2);
    expect(info.active).toBe('ts');
    expect(info.failed.wasm[0]).toMatch(/nonexistent\.wasm/);
  });
});

describe('panics become JS errors; the process lives on', () => {
  afterEach(() => useBackend('auto'));
  test.each(['native', 'wasm'] as const)('%s', (name) => {
    useBackend(name);
    const err = expectError(() => getBackend().debugPanic(), 'E_PANIC');
    expect(err).toBeInstanceOf(SoftSamplingError);
    // and the backend still works afterwards
    expect(bboxOverlaps([[0, 0, 10, 10]], [[0, 0, 10, 10]]).get(0, 0)).toBe(1);
  });
});

describe('edge entry', () => {
  afterEach(() => useBackend('auto'));
  const wasmBytes = readFileSync(join(root, 'artifacts', 'soft_sampling.wasm'));

  test('imports no node: module (built bundle)', () => {
    const src = readFileSync(join(root, 'dist', 'edge.mjs'), 'utf8');
    expect(src).not.toMatch(/from\s*['"]node:|require\(|import\(['"]node:/);
    expect(src).not.toMatch(/['"](fs|path|module|child_process)['"]/);
  });

  test('initWasm from a precompiled WebAssembly.Module and from bytes', async () => {
    const edge = await import('../ts/edge');
    const info = await edge.initWasm(new WebAssembly.Module(wasmBytes));
    expect(info.available).toContain('wasm');
    edge.useBackend('wasm');
    expect(edge.bboxOverlaps([[0, 0, 10, 10]], [[5, 5, 15, 15]]).get(0, 0)).toBeCloseTo(0.142857, 5);
    await edge.initWasm(new Uint8Array(wasmBytes));
    edge.useBackend('wasm');
    expect(edge.bboxOverlaps([[0, 0, 10, 10]], [[5, 5, 15, 15]], { mode: 'iof' }).get(0, 0)).toBeCloseTo(0.25, 6);
    await expect(edge.initWasm(new Uint8Array([0, 1, 2]))).rejects.toMatchObject({ code: 'E_BACKEND' });
  });

  test('built edge bundle runs in a fresh process with no node: access needed', () => {
    const code = `import {initWasm,bboxOverlaps,backendInfo} from './dist/edge.mjs';import {readFileSync} from 'node:fs';
      const m=new WebAssembly.Module(readFileSync('artifacts/soft_sampling.wasm'));
      await initWasm(m);console.log(backendInfo().active, bboxOverlaps([[0,0,10,10]],[[5,5,15,15]]).get(0,0).toFixed(6))`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' }).trim();
    expect(out).toBe('wasm 0.142857');
  });
});
