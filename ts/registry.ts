/**
 * Backend selection: native → wasm → ts, unless forced by `useBackend()` or (Node entry only) the
 * `SOFT_SAMPLING_BACKEND` environment variable (`native` | `wasm` | `ts`). This module reads no
 * environment itself: the Node entry hands it a reader with {@link setEnvReader}; the edge entry
 * does not, so it needs no permission in Deno and touches no `process` anywhere. It registers no
 * backend itself: each entry registers the loaders it has ({@link registerLoader}).
 */
import type { Backend, BackendName } from './kernels';
import { SoftSamplingError, valueText } from './errors';

export const BACKEND_NAMES: readonly BackendName[] = ['native', 'wasm', 'ts'];

/** A loader returns the backend or throws; a `SoftSamplingError` with `causes` lists every attempt. */
export type Loader = () => Backend;

// every loader comes from the entry point (the pure-TS backend too: the edge entries that
// instantiate the wasm at import leave it out, ~18 KiB gzipped of a Worker bundle)
const loaders: Partial<Record<BackendName, Loader>> = {};
const loaded: Partial<Record<BackendName, Backend>> = {};
const failures: Partial<Record<BackendName, unknown[]>> = {};
let active: Backend | undefined;
let forced: BackendName | undefined;

/** Registers (or replaces) the loader of a backend; used by the entry points. */
export function registerLoader(name: BackendName, loader: Loader): void {
  loaders[name] = loader;
  delete loaded[name];
  delete failures[name];
  if (active?.name === name || !forced) active = undefined;
}

function tryLoad(name: BackendName): Backend | undefined {
  if (loaded[name]) return loaded[name];
  if (failures[name]) return undefined;
  const loader = loaders[name];
  if (!loader) {
    failures[name] = [new Error(`the ${name} backend is not available in this runtime (no loader registered)`)];
    return undefined;
  }
  let b: Backend;
  try {
    b = loader();
  } catch (e) {
    failures[name] = e instanceof SoftSamplingError && e.causes.length ? e.causes : [e];
    return undefined;
  }
  const n = wantedThreads();
  if (n !== undefined) b.setThreads?.(n);
  return (loaded[name] = b);
}

/** Most worker threads {@link setThreads} accepts. */
export const MAX_THREADS = 1024;

let threadsSet: number | undefined;
let threadsEnvReader: () => string | undefined = () => undefined;

function checkThreads(n: unknown, arg: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    const shown = typeof n === 'string' ? `'${n}'` : valueText(n);
    throw new SoftSamplingError('E_OPTION', arg, `threads must be an integer in [1, ${MAX_THREADS}], got ${shown}`);
  }
  return n;
}

/** The thread count to apply: `setThreads`, else `SOFT_SAMPLING_THREADS`, else the backend's default. */
function wantedThreads(): number | undefined {
  if (threadsSet !== undefined) return threadsSet;
  const v = threadsEnvReader();
  if (v === undefined || v === '' || v === 'auto') return undefined;
  return checkThreads(/^\s*\d+\s*$/.test(v) ? Number(v) : v, 'SOFT_SAMPLING_THREADS');
}

/**
 * The thread count set by {@link setThreads} or `SOFT_SAMPLING_THREADS`, or `undefined` for the
 * default (the Node worker pool of the async variants sizes itself by it). Internal.
 */
export function configuredThreads(): number | undefined {
  return wantedThreads();
}

/** Sets where `SOFT_SAMPLING_THREADS` is read from (the Node entry: `process.env`). */
export function setThreadsEnvReader(reader: () => string | undefined): void {
  threadsEnvReader = reader;
}

/**
 * Sets how many worker threads the native backend splits large calls over (default: the
 * machine's available parallelism, or `SOFT_SAMPLING_THREADS` in Node). Small calls always run on
 * the calling thread. Results are bit-identical for every thread count: the work is cut into
 * chunks that depend only on the problem size and float64 partial sums are merged in chunk order.
 * The WebAssembly and TypeScript backends are single-threaded and ignore it (the count is kept and
 * applied if the native backend loads later). Reported by {@link backendInfo} as `threads`. In
 * Node it also sizes the worker-thread pool of the `…Async` functions (see `maxIouAssignAsync`).
 * Library infrastructure: no reference implementation.
 * @param n integer in `[1, 1024]`.
 * @throws SoftSamplingError `E_OPTION` (arg `n`) for 0, a negative, non-integer or > 1024 value.
 */
export function setThreads(n: number): void {
  threadsSet = checkThreads(n, 'n');
  for (const b of Object.values(loaded)) b?.setThreads?.(threadsSet);
}

let envReader: () => string | undefined = () => undefined;

/** Sets where `SOFT_SAMPLING_BACKEND` is read from (the Node entry: `process.env`). */
export function setEnvReader(reader: () => string | undefined): void {
  envReader = reader;
  if (!forced) active = undefined;
}

function envBackend(): string | undefined {
  const v = envReader();
  return v && v !== 'auto' ? v : undefined;
}

function loadForced(name: string, arg: string): Backend {
  if (!BACKEND_NAMES.includes(name as BackendName)) {
    throw new SoftSamplingError('E_OPTION', arg, `unknown backend ${typeof name === 'string' ? `'${name}'` : valueText(name)}; expected native, wasm, ts or auto`);
  }
  const b = tryLoad(name as BackendName);
  if (!b) {
    const causes = failures[name as BackendName] ?? [];
    const why = causes.map((c) => (c instanceof Error ? c.message : String(c))).join('; ');
    throw new SoftSamplingError('E_BACKEND', arg, `backend '${name}' cannot be loaded: ${why}`, causes);
  }
  return b;
}

/** The backend every public function runs on (resolved on first use). */
export function getBackend(): Backend {
  if (active) return active;
  if (forced) return (active = loadForced(forced, 'useBackend'));
  const env = envBackend();
  if (env) return (active = loadForced(env, 'SOFT_SAMPLING_BACKEND'));
  for (const name of BACKEND_NAMES) {
    const b = tryLoad(name);
    if (b) return (active = b);
  }
  // say why, per backend (the wasm-only entries: "call initWasm() first")
  const causes = BACKEND_NAMES.flatMap((n) => failures[n] ?? []);
  const why = BACKEND_NAMES.map((n) => `${n}: ${(failures[n] ?? []).map((c) => (c instanceof Error ? c.message : String(c))).join('; ')}`).join(' | ');
  throw new SoftSamplingError('E_BACKEND', '-', `no backend could be loaded (${why})`, causes);
}

/**
 * Forces a backend (`'native' | 'wasm' | 'ts'`), or returns to automatic choice with `'auto'`.
 * Throws `E_BACKEND` (with `causes`) when the forced backend cannot load, `E_OPTION` for an
 * unknown name. Takes precedence over `SOFT_SAMPLING_BACKEND`. Forcing a backend loads that one
 * only (in Node, `useBackend('wasm')` does not load the native addon).
 * (Library infrastructure: no reference implementation.)
 * @returns the new {@link backendInfo}; after forcing a backend, its `available` and `failed` list
 *   only the backends tried so far (call `backendInfo()` to try every one).
 * @throws SoftSamplingError `E_BACKEND` (with `causes`) when the backend cannot load, `E_OPTION` for an unknown name.
 */
export function useBackend(name: BackendName | 'auto'): BackendInfo {
  if (name === 'auto') {
    forced = undefined;
    active = undefined;
    return backendInfo();
  }
  active = loadForced(name, 'name');
  forced = name;
  return info(false);
}

/** What {@link backendInfo} and {@link useBackend} report. */
export interface BackendInfo {
  /** The backend calls run on now. */
  active: BackendName;
  /** Vector level of the active backend's kernels (`avx512`, `avx2`, `simd128`, `none`, ...). */
  simd: string;
  /** Every backend that loads in this runtime, in preference order. */
  available: BackendName[];
  /** For each backend that failed to load: the reasons, one per attempt. */
  failed: Partial<Record<BackendName, string[]>>;
  /** Worker threads large calls of the active backend use (1 on wasm and ts). */
  threads: number;
  /** How the active backend was chosen. */
  selectedBy: 'auto' | 'useBackend' | 'SOFT_SAMPLING_BACKEND';
}

/**
 * Reports the active backend, the available ones, and why the others failed to load (loading them
 * on first use). Library infrastructure: no reference implementation.
 * @throws SoftSamplingError `E_BACKEND` when `SOFT_SAMPLING_BACKEND` forces a backend that cannot load
 *   (or, never in practice, when not even the TypeScript backend loads).
 */
export function backendInfo(): BackendInfo {
  return info(true);
}

/** `probe`: load every backend not tried yet; otherwise report the ones tried so far. */
function info(probe: boolean): BackendInfo {
  const b = getBackend();
  const available: BackendName[] = [];
  const failed: Partial<Record<BackendName, string[]>> = {};
  for (const name of BACKEND_NAMES) {
    if (probe ? tryLoad(name) : loaded[name]) available.push(name);
    else if (probe || failures[name]) failed[name] = (failures[name] ?? []).map((c) => (c instanceof Error ? c.message : String(c)));
  }
  return {
    active: b.name,
    simd: b.simd,
    available,
    failed,
    threads: b.threads?.() ?? 1,
    selectedBy: forced ? 'useBackend' : envBackend() ? 'SOFT_SAMPLING_BACKEND' : 'auto',
  };
}
