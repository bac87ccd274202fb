/** Node-only loaders: the napi addon and the wasm module read from disk. */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import type { Backend } from '../kernels';
import { SoftSamplingError } from '../errors';
import { wrapNativeAddon } from '../backends/native';
import { createWasmBackend } from '../backends/wasm';
import { KERNEL_DECLS } from '../kernels/modern';

/** The package's `artifacts/` folder (found upwards from this file, so it works from `dist/` and `ts/`). */
export function artifactsDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const cand = join(dir, 'artifacts');
    if (existsSync(cand)) return cand;
    dir = dirname(dir);
  }
  return join(__dirname, '..', 'artifacts');
}

/**
 * The C library on Linux, the way napi-rs' generated loaders find it: the text of `/usr/bin/ldd`
 * first (~0.5 ms), the process report only where there is no ldd (the report costs ~7 ms of CPU
 * and more of wall time — most of a cold start's addon load).
 */
function linuxLibc(): 'gnu' | 'musl' {
  try {
    return readFileSync('/usr/bin/ldd', 'utf8').includes('musl') ? 'musl' : 'gnu';
  } catch {
    // no ldd (a distroless image): ask the process report
  }
  const report = (process.report?.getReport?.() ?? {}) as { header?: { glibcVersionRuntime?: string } };
  return report.header?.glibcVersionRuntime ? 'gnu' : 'musl';
}

function platformTriple(): string {
  const { platform, arch } = process;
  if (platform === 'linux') return `linux-${arch}-${linuxLibc()}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

export function loadNative(): Backend {
  const req = createRequire(__filename);
  const causes: unknown[] = [];
  const candidates: string[] = [];
  const triple = platformTriple();
  if (process.env.SOFT_SAMPLING_NATIVE_PATH) {
    // an explicit path is the only candidate (like napi-rs' NAPI_RS_NATIVE_LIBRARY_PATH)
    candidates.push(process.env.SOFT_SAMPLING_NATIVE_PATH);
  } else {
    // the addon built into this package, then a per-platform npm package
    candidates.push(join(artifactsDir(), `soft_sampling.${triple}.node`), `soft-sampling-${triple}`);
  }
  for (const path of candidates) {
    try {
      return wrapNativeAddon(req(path));
    } catch (e) {
      causes.push(new Error(`${path}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`));
    }
  }
  throw new SoftSamplingError('E_BACKEND', 'native', 'no native addon could be loaded', causes);
}

/**
 * The wasm the Node entry loads: `SOFT_SAMPLING_WASM_PATH`, else `soft_sampling.wasm` beside the
 * built entry (`dist/`, the one copy the package ships, which the edge entry loads too), else (the
 * sources, under jest) `artifacts/soft_sampling.wasm`.
 */
export function wasmPath(): string {
  if (process.env.SOFT_SAMPLING_WASM_PATH) return process.env.SOFT_SAMPLING_WASM_PATH;
  const beside = join(__dirname, 'soft_sampling.wasm');
  return existsSync(beside) ? beside : join(artifactsDir(), 'soft_sampling.wasm');
}

export function loadWasmFromDisk(): Backend {
  const path = wasmPath();
  try {
    const module = new WebAssembly.Module(readFileSync(path));
    // every declared kernel, as initWasm checks (the lean lite module lacks most: its ops would
    // otherwise fail one by one at their first call)
    const have = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
    const missing = Object.values(KERNEL_DECLS).map((d) => d.wasm).filter((k) => !have.has(k));
    if (missing.length) throw new Error(`the wasm module lacks the kernels ${missing.join(', ')}; this entry needs the full soft_sampling.wasm (soft_sampling_lite.wasm carries only the kernels of 'soft-sampling/lite')`);
    return createWasmBackend(module);
  } catch (e) {
    throw new SoftSamplingError('E_BACKEND', 'wasm', 'wasm module could not be loaded', [
      new Error(`${path}: ${e instanceof Error ? e.message : String(e)}`),
    ]);
  }
}
