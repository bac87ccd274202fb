/**
 * The generic half of the async convention (issue 12 item 2): `<op>Async(...args)` for an op that
 * has no native `AsyncTask` runs the synchronous op elsewhere and resolves with its result.
 *
 * - Node (the `soft-sampling` entry): on a worker-thread pool (`ts/node/pool.ts`, registered by the
 *   Node entry). The call's arguments are copied into the worker by the structured-clone algorithm
 *   (never transferred: the caller's arrays stay attached and unmodified); the worker runs the
 *   synchronous op on the same backend as the caller (same name) and transfers the result back.
 *   An `options.out` buffer is filled by copying the worker's result into it when the call settles.
 * - Elsewhere (the edge entry: Workers, Deno, Bun, browsers; or when no pool is registered): on the
 *   calling thread, after the current task. The promise only defers the work; it still blocks that
 *   thread for the op's duration.
 *
 * This module imports nothing from Node, so the edge bundle can carry it; the pool is only ever
 * reached through {@link registerOffload}.
 */
import { SoftSamplingError, type ErrorCode } from '../errors';
import { Tensor } from '../tensor';
import { getBackend } from '../registry';
import { nextTask } from './async';

/** What the worker pool runs: the public op `op` with packed `args` on backend `backend`. */
export interface OffloadRequest {
  op: string;
  args: unknown[];
  backend: string;
}

/** The worker's answer: the packed result, or a serialised error. */
export type OffloadReply =
  | { ok: true; result: unknown }
  | { ok: false; error: { code?: string; arg?: string; message: string } };

/** A runner of {@link OffloadRequest}s off the calling thread (Node: the worker-thread pool). */
export type Offloader = (req: OffloadRequest) => Promise<OffloadReply>;

let offloader: Offloader | undefined;

/** Installs the runner `<op>Async` uses for ops without a native AsyncTask (the Node entry's worker pool). */
export function registerOffload(f: Offloader | undefined): void {
  offloader = f;
}

/** Marker keys of the packed form (a Tensor, a result array that is the caller's `out` buffer). */
export const TENSOR_KEY = '__softSamplingTensor';
export const OUT_KEY = '__softSamplingOut';

const MAX_DEPTH = 8;

/** A plain object (`{}` literal or null prototype) of any realm (messages arrive in the main realm, not a vm context's). */
function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

const TYPED: Record<string, new (b: ArrayBufferLike, o: number, n: number) => ArrayBufferView> = { Float32Array, Float64Array, Int32Array, Uint8Array, Int8Array, Uint16Array, Int16Array, Uint32Array };

/** A view of this realm's typed-array class over the same memory (no copy). */
function ownRealm(v: ArrayBufferView): ArrayBufferView {
  const C = TYPED[v.constructor.name];
  if (!C || (v as object) instanceof C) return v;
  const w = v as ArrayBufferView & { length: number };
  return new C(w.buffer, w.byteOffset, w.length);
}

/** Arguments for the worker: Tensors as `{ [TENSOR_KEY]: [data, shape] }` (class instances do not survive structured cloning). */
export function packArgs(v: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH || v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return v;
  if (v instanceof Tensor) return { [TENSOR_KEY]: [v.data, v.shape] };
  if (Array.isArray(v)) return v.map((x) => packArgs(x, depth + 1));
  if (!isPlain(v)) return v;
  const o: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) o[k] = packArgs(x, depth + 1);
  return o;
}

/** Every typed-array view reachable from `v` (plain objects, arrays, Tensors), with its path. */
function views(v: unknown, path: (string | number)[], out: [string, ArrayBufferView][], depth = 0): void {
  if (depth > MAX_DEPTH || v === null || typeof v !== 'object') return;
  if (ArrayBuffer.isView(v)) {
    out.push([path.map(String).join('.'), v]);
    return;
  }
  if (v instanceof Tensor) return views(v.data, path, out, depth + 1);
  if (Array.isArray(v)) {
    // long number arrays hold no views: do not walk them
    if (v.length > 64 && typeof v[0] !== 'object') return;
    v.forEach((x, i) => views(x, [...path, i], out, depth + 1));
    return;
  }
  if (!isPlain(v)) return;
  for (const [k, x] of Object.entries(v)) views(x, [...path, k], out, depth + 1);
}

/** True for a view whose `ArrayBuffer` is detached. */
function detached(v: ArrayBufferView): boolean {
  try {
    new Uint8Array(v.buffer as ArrayBuffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/** Rejects with `E_TYPE` naming the first detached array among the call's inputs. */
function checkViews(params: readonly string[], args: readonly unknown[]): void {
  args.forEach((a, i) => {
    const found: [string, ArrayBufferView][] = [];
    views(a, [params[i] ?? `argument ${i}`], found);
    for (const [name, v] of found) {
      if (detached(v)) throw new SoftSamplingError('E_TYPE', name, 'its ArrayBuffer is detached (transferred); pass a live array and keep it attached until the promise settles');
    }
  });
}

/** Rebuilds the worker's result: Tensor markers become Tensors, `out` markers the caller's buffer (filled with the result). */
function revive(v: unknown, args: readonly unknown[], depth = 0): unknown {
  if (depth > MAX_DEPTH || v === null || typeof v !== 'object') return v;
  if (ArrayBuffer.isView(v)) return ownRealm(v);
  if (Array.isArray(v)) return v.map((x) => revive(x, args, depth + 1));
  const rec = v as Record<string, unknown>;
  if (TENSOR_KEY in rec) {
    const [data, shape] = rec[TENSOR_KEY] as [unknown, number[]];
    return new Tensor(revive(data, args, depth + 1) as Float32Array, shape);
  }
  if (OUT_KEY in rec) {
    const [path, data] = rec[OUT_KEY] as [(string | number)[], ArrayBufferView & { length: number }];
    let target: unknown = args;
    for (const k of path) target = (target as Record<string | number, unknown>)?.[k];
    if (target instanceof Tensor) target = target.data;
    if (ArrayBuffer.isView(target) && (target as unknown as { length: number }).length === data.length) {
      (target as unknown as { set(a: ArrayLike<number>): void }).set(data as unknown as ArrayLike<number>);
      return target;
    }
    return ownRealm(data);
  }
  if (!isPlain(v)) return v;
  const o: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(rec)) o[k] = revive(x, args, depth + 1);
  return o;
}

/** A rejected worker call as the error the synchronous op threw. */
function errorOf(e: { code?: string; arg?: string; message: string }): Error {
  if (e.code && e.arg !== undefined) {
    const prefix = `${e.code} ${e.arg}: `;
    return new SoftSamplingError(e.code as ErrorCode, e.arg, e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message);
  }
  return new SoftSamplingError('E_PANIC', '-', `the worker thread failed: ${e.message}`);
}

/**
 * The `<op>Async` of a synchronous public op: same arguments, `Promise` of the same result; never
 * throws synchronously. `params` names the op's parameters (for error messages).
 * @param op the op's exported name (the worker looks it up in the library's exports).
 */
export function asyncOp<A extends unknown[], R>(op: string, sync: (...args: A) => R, params: readonly string[]): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    checkViews(params, args);
    const run = offloader;
    if (run) {
      const backend = getBackend().name;
      const reply = await run({ op, args: packArgs(args) as unknown[], backend });
      checkViews(params, args);
      if (!reply.ok) throw errorOf(reply.error);
      return revive(reply.result, args) as R;
    }
    await nextTask();
    checkViews(params, args);
    const r = sync(...args);
    checkViews(params, args);
    return r;
  };
}

/** True when `<op>Async` calls of ops without a native AsyncTask run on worker threads (Node with the pool registered). */
export function offloadAvailable(): boolean {
  return offloader !== undefined;
}
