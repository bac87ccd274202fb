/**
 * Background writer of the big per-sample files (issue 9 item 8): turning half a million numbers into
 * text is most of what `analyze` does beyond `eval`, and it needs nothing but the data, so one worker
 * thread formats and writes those files while the main thread goes on with the other stages and the
 * charts. A job's typed arrays are transferred (moved, not copied) when the caller lists their buffers;
 * everything else is a structured-clone copy taken when the job is submitted, so the caller may change
 * or drop its data right after. The text is exactly what {@link runWriteJob} gives in the main thread
 * (the same functions run on the same values). Without a built worker module (tests from the sources)
 * the jobs run at once in the main thread.
 */
import { Worker } from 'node:worker_threads';
import { writeJsonFile, writeCsvFile, type CsvColumns, type Row } from './artifacts';

/** One file to write: a JSON document ({@link writeJsonFile}, the text of toJson) or a CSV ({@link writeCsvFile}); `path` is absolute. */
export type WriteJob =
  | { kind: 'json'; path: string; value: unknown }
  | { kind: 'csv'; path: string; rows: Row[] | CsvColumns; columns?: string[] };

/** Writes one job's file (in whichever thread calls it). */
export function runWriteJob(job: WriteJob): void {
  // test hook: a write error (as a full disk would give) for the file of this name
  const fail = process.env.SOFT_SAMPLING_TEST_WRITE_FAIL;
  if (fail && job.path.endsWith(`/${fail}`)) throw Object.assign(new Error(`ENOSPC: no space left on device, write '${job.path}'`), { code: 'ENOSPC', syscall: 'write' });
  if (job.kind === 'json') writeJsonFile(job.path, job.value);
  else writeCsvFile(job.path, job.rows, job.columns);
}

/** The `workerData` marker that makes the CLI's worker module (dist/worker.mjs) serve write jobs. */
export const WRITER_MARKER = 'softSamplingWriter';

/** An error of a write job as it crosses the thread boundary (fs errors keep code and syscall: the CLI prints them as one line). */
interface WireError {
  message: string;
  code?: string;
  syscall?: string;
}

/** The worker side: called by the worker module when started with {@link WRITER_MARKER}. */
export function serveWriteJobs(port: { on(ev: 'message', f: (m: { id: number; jobs: WriteJob[] }) => void): void; postMessage(m: unknown): void }): void {
  port.on('message', ({ id, jobs }) => {
    const t0 = performance.now();
    try {
      for (const j of jobs) runWriteJob(j);
      port.postMessage({ id, ms: performance.now() - t0 });
    } catch (e) {
      const x = e as NodeJS.ErrnoException;
      port.postMessage({ id, error: { message: x?.message ?? String(e), code: x?.code, syscall: x?.syscall } satisfies WireError });
    }
  });
}

export class BackgroundWriter {
  private worker?: Worker;
  private nextId = 0;
  private pending = new Map<number, { label: string; resolve: () => void; reject: (e: Error) => void }>();
  private settled: Promise<void>[] = [];
  private failure: Error | null = null;

  /** `workerFile`: the built worker module (dist/worker.mjs); without it every job runs at once in the calling thread. */
  constructor(private workerFile?: string | URL, private log?: (line: string) => void) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.workerFile!, { workerData: { [WRITER_MARKER]: true }, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    w.on('message', (m: { id: number; ms?: number; error?: WireError }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) w.unref();
      if (m.error) p.reject(Object.assign(new Error(m.error.message), m.error.code ? { code: m.error.code, syscall: m.error.syscall } : {}));
      else {
        this.log?.(`[write]  ${p.label.padEnd(36)} ${m.ms!.toFixed(0).padStart(6)} ms (writer thread, wall)`);
        p.resolve();
      }
    });
    const failAll = (e: Error) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    w.on('error', failAll);
    w.on('exit', (code) => failAll(new Error(`the file writer thread stopped (exit code ${code})`)));
    this.worker = w;
    return w;
  }

  /**
   * Writes `jobs` in the background (in order, after the jobs submitted before). `transfer`: buffers of
   * the jobs' typed arrays that the caller gives up (they are detached here). A failure is reported by
   * {@link drain}.
   */
  submit(label: string, jobs: WriteJob[], transfer: ArrayBuffer[] = []): void {
    if (!this.workerFile) {
      for (const j of jobs) runWriteJob(j);
      return;
    }
    const w = this.start();
    const id = this.nextId++;
    const done = new Promise<void>((resolve, reject) => this.pending.set(id, { label, resolve, reject }));
    this.settled.push(done.catch((e: Error) => void (this.failure ??= e)));
    w.ref();
    w.postMessage({ id, jobs }, transfer);
  }

  /** Waits for every submitted job; throws the first job's error, if any. */
  async drain(): Promise<void> {
    await Promise.all(this.settled);
    this.settled = [];
    if (this.failure) throw this.failure;
  }

  /** Waits for the jobs to end (their errors ignored: the run has failed already) and stops the thread. */
  async close(): Promise<void> {
    await Promise.all(this.settled);
    this.settled = [];
    const w = this.worker;
    this.worker = undefined;
    if (w) {
      w.removeAllListeners('exit');
      await w.terminate();
    }
  }
}

/** The buffers of those of `arrays` that are typed arrays spanning their whole buffer (safe to transfer). */
export function buffersOf(...arrays: unknown[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const a of arrays) {
    if (!ArrayBuffer.isView(a)) continue;
    // (not `instanceof ArrayBuffer`: a buffer made in another realm, a vm context, is one too)
    const buf = a.buffer as ArrayBuffer;
    if (a.byteOffset === 0 && a.byteLength === buf.byteLength && Object.prototype.toString.call(buf) === '[object ArrayBuffer]' && !out.includes(buf)) out.push(buf);
  }
  return out;
}
