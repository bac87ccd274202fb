/**
 * Node only: the worker-thread pool behind `<op>Async` for ops without a native AsyncTask
 * (every op on the wasm and ts backends; on native the ops whose addon has no `…Async` task).
 *
 * - Started lazily at the first such call; its size is the thread count of {@link setThreads} /
 *   `SOFT_SAMPLING_THREADS`, else `os.availableParallelism()`. Idle workers are `unref`'d (they
 *   never keep the process alive); a worker above the size is stopped when it goes idle.
 * - Each worker loads this package's CommonJS build (`dist/index.cjs`) and runs the synchronous op
 *   on the backend the caller has active (by name: the native addon, the packaged wasm module read
 *   from disk — a module given to `initWasm` is not seen by the workers — or TypeScript).
 * - Arguments are copied when the call is made (structured clone; a call waiting for a free worker
 *   is cloned at once and its copy moved later), never transferred: the caller's arrays stay
 *   attached, unmodified, and may be reused at once. Results are transferred back (no copy) when
 *   their buffers allow it, else copied.
 */
import type { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { configuredThreads } from '../registry';
import { registerOffload, TENSOR_KEY, OUT_KEY, type OffloadReply, type OffloadRequest } from '../api/offload';

/** The worker's program (CommonJS, evaluated): load the library, run ops, pack results. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const lib = require(workerData.entry);
const T = ${JSON.stringify(TENSOR_KEY)}, O = ${JSON.stringify(OUT_KEY)}, MAX = 8;
const plain = (v) => Object.getPrototypeOf(v) === Object.prototype;
function revive(v, d) {
  if (d > MAX || v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return v;
  if (Array.isArray(v)) return v.map((x) => revive(x, d + 1));
  if (T in v) return new lib.Tensor(v[T][0], v[T][1]);
  if (!plain(v)) return v;
  const o = {};
  for (const k of Object.keys(v)) o[k] = revive(v[k], d + 1);
  return o;
}
function outViews(v, path, map, d) {
  if (d > MAX || v === null || typeof v !== 'object') return;
  if (ArrayBuffer.isView(v)) { if (path.includes('out')) map.set(v, path); return; }
  if (v instanceof lib.Tensor) return outViews(v.data, path, map, d + 1);
  if (Array.isArray(v)) { if (v.length > 64 && typeof v[0] !== 'object') return; v.forEach((x, i) => outViews(x, [...path, i], map, d + 1)); return; }
  if (!plain(v)) return;
  for (const k of Object.keys(v)) outViews(v[k], [...path, k], map, d + 1);
}
function pack(v, outs, buffers, d, copy) {
  if (d > MAX || v === null || typeof v !== 'object') return v;
  if (ArrayBuffer.isView(v)) {
    // copy: a fresh, transferable buffer (the worker pays the copy, the caller's thread does not)
    const w = copy && typeof v.slice === 'function' ? v.slice() : v;
    buffers.add(w.buffer);
    return outs.has(v) ? { [O]: [outs.get(v), w] } : w;
  }
  if (v instanceof lib.Tensor) return { [T]: [pack(v.data, outs, buffers, d + 1, copy), v.shape] };
  if (Array.isArray(v)) return v.map((x) => pack(x, outs, buffers, d + 1, copy));
  if (v instanceof Map || v instanceof Set || !plain(v)) return v;
  const o = {};
  for (const k of Object.keys(v)) o[k] = pack(v[k], outs, buffers, d + 1, copy);
  return o;
}
const transferable = (buffers) => [...buffers].filter((b) => b instanceof ArrayBuffer && b.byteLength > 0);
parentPort.on('message', ({ id, op, args, backend, threads }) => {
  let result, outs = new Map();
  try {
    if (threads) lib.setThreads(threads);
    if (lib.backendInfo().active !== backend) lib.useBackend(backend);
    const fn = lib[op];
    if (typeof fn !== 'function') throw new Error('no such op: ' + op);
    const a = revive(args, 0);
    outViews(a, [], outs, 0);
    result = fn(...a);
  } catch (e) {
    parentPort.postMessage({ id, ok: false, error: e && typeof e === 'object' && 'code' in e && 'arg' in e ? { code: e.code, arg: e.arg, message: e.message } : { message: String(e && e.stack || e) } });
    return;
  }
  // results move to the caller without a copy; buffers that cannot be transferred (wasm memory,
  // native external memory) are copied here first, so the caller's thread never deserialises them
  let buffers = new Set();
  let reply = { id, ok: true, result: pack(result, outs, buffers, 0, false) };
  try { parentPort.postMessage(reply, transferable(buffers)); return; } catch {}
  buffers = new Set();
  reply = { id, ok: true, result: pack(result, outs, buffers, 0, true) };
  parentPort.postMessage(reply, transferable(buffers));
});
`;

/** The CommonJS build the workers load: `index.cjs` beside this file (dist/), else the package's `dist/index.cjs`. */
function workerEntry(): string | undefined {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    for (const cand of [join(dir, 'index.cjs'), join(dir, 'dist', 'index.cjs')]) if (existsSync(cand)) return cand;
    dir = dirname(dir);
  }
  return undefined;
}

interface Task {
  req: OffloadRequest;
  /** the arguments cloned at the call, when the task had to wait for a worker */
  cloned: boolean;
  resolve: (r: OffloadReply) => void;
}

interface Slot {
  worker: Worker;
  task?: Task;
}

const defaultSize = (): number => (typeof availableParallelism === 'function' ? availableParallelism() : cpus().length) || 1;

/** The pool (one per process, started on first use). */
class Pool {
  private slots: Slot[] = [];
  private queue: Task[] = [];
  private nextId = 1;
  private pending = new Map<number, Slot>();

  constructor(private readonly entry: string) {}

  /** Workers the pool may run: the configured thread count, else the machine's parallelism. */
  size(): number {
    return Math.max(1, configuredThreads() ?? defaultSize());
  }

  run(req: OffloadRequest): Promise<OffloadReply> {
    return new Promise((resolve) => {
      const task: Task = { req, cloned: false, resolve };
      const slot = this.slots.find((s) => !s.task) ?? (this.slots.length < this.size() ? this.spawn() : undefined);
      if (slot) this.start(slot, task);
      else {
        // copy now: the caller may change its arrays as soon as this call returns
        task.req = { ...req, args: structuredClone(req.args) };
        task.cloned = true;
        this.queue.push(task);
      }
    });
  }

  private spawn(): Slot {
    // node:worker_threads is required here, at the first spawn, not imported with the entry: it is
    // not in Node's startup snapshot, and compiling it is ~2.5 ms of every cold start
    const { Worker: WorkerThread } = createRequire(__filename)('node:worker_threads') as typeof import('node:worker_threads');
    const worker = new WorkerThread(WORKER_SOURCE, { eval: true, workerData: { entry: this.entry } });
    const slot: Slot = { worker };
    worker.on('message', (m: { id: number } & OffloadReply) => this.done(slot, m));
    const fail = (why: string) => {
      this.slots = this.slots.filter((s) => s !== slot);
      const t = slot.task;
      slot.task = undefined;
      t?.resolve({ ok: false, error: { message: why } });
      this.drain();
    };
    worker.on('error', (e) => fail(e instanceof Error ? e.message : String(e)));
    worker.on('exit', (code) => fail(`worker exited with code ${code}`));
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  private start(slot: Slot, task: Task): void {
    slot.task = task;
    slot.worker.ref();
    const msg = { id: this.nextId++, ...task.req, threads: configuredThreads() };
    this.pending.set(msg.id, slot);
    if (task.cloned) {
      // move the copy made at the call (its buffers are ours alone)
      const buffers = new Set<ArrayBuffer>();
      collectBuffers(msg.args, buffers, 0);
      try {
        slot.worker.postMessage(msg, [...buffers]);
        return;
      } catch {
        /* fall through: copy */
      }
    }
    try {
      slot.worker.postMessage(msg);
    } catch (e) {
      slot.task = undefined;
      this.pending.delete(msg.id);
      task.resolve({ ok: false, error: { code: 'E_TYPE', arg: '-', message: `E_TYPE -: an argument cannot be copied to a worker thread (${e instanceof Error ? e.message : String(e)})` } });
      this.drain();
    }
  }

  private done(slot: Slot, m: { id: number } & OffloadReply): void {
    this.pending.delete(m.id);
    const t = slot.task;
    slot.task = undefined;
    slot.worker.unref();
    if (this.slots.length > this.size()) {
      this.slots = this.slots.filter((s) => s !== slot);
      slot.worker.removeAllListeners('exit');
      void slot.worker.terminate();
    }
    t?.resolve(m);
    this.drain();
  }

  private drain(): void {
    while (this.queue.length) {
      const slot = this.slots.find((s) => !s.task) ?? (this.slots.length < this.size() ? this.spawn() : undefined);
      if (!slot) return;
      this.start(slot, this.queue.shift()!);
    }
  }
}

function collectBuffers(v: unknown, out: Set<ArrayBuffer>, depth: number): void {
  if (depth > 8 || v === null || typeof v !== 'object') return;
  if (ArrayBuffer.isView(v)) {
    if (v.buffer instanceof ArrayBuffer && v.buffer.byteLength > 0) out.add(v.buffer);
    return;
  }
  for (const x of Array.isArray(v) ? v : Object.values(v)) collectBuffers(x, out, depth + 1);
}

let pool: Pool | undefined;

/** Registers the worker pool as the runner of `<op>Async` (the Node entry calls this once). */
export function installWorkerPool(): void {
  const entry = workerEntry();
  if (!entry) return; // no CommonJS build beside the sources: same-thread fallback
  registerOffload((req) => (pool ??= new Pool(entry)).run(req));
}
