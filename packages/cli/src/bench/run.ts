/**
 * `soft-sampling bench`: every op family (cases.ts) at its standard sizes, on each requested backend
 * and, on native, each thread count, timed with tinybench; then the optional peers (tfjs, PyTorch)
 * on the same inputs. Throughput = units per second from the mean time per call; "× ts" is the
 * ratio to the ts backend on the same op and size (one thread); parallel efficiency at t threads is
 * throughput(t) / (t · throughput(1)) on the same backend.
 */
import { Bench } from 'tinybench';
import { availableParallelism, cpus } from 'node:os';
import { createRequire } from 'node:module';
import * as softSampling from 'soft-sampling';
import type { BackendName, BackendInfo } from 'soft-sampling';
import { OPS, settle, type BenchOp, type BenchSize, type Lib, type PreparedCase } from './cases';
import { runPeers, type PeerName, type PeerRow } from './peers';

/** One timed line of the table. */
export interface BenchRow {
  op: string;
  size: string;
  unit: string;
  /** `native` / `wasm` / `ts`, or a peer: `tfjs (cpu)`, `torch 2.x (cpu)`. */
  impl: string;
  /** Thread count used; `null` when the implementation gives no thread control. */
  threads: number | null;
  threadsLabel: string;
  meanMs: number;
  rme: number;
  samples: number;
  perSecond: number;
  /** perSecond / the ts backend's perSecond (same op and size); null when ts was not run. */
  vsTs: number | null;
  /** perSecond / (threads · perSecond at 1 thread), same implementation; null at 1 thread. */
  efficiency: number | null;
}

export interface BenchOptions {
  ops: BenchOp[];
  /** Size labels to keep (as in `OPS[i].sizes[j].label`); all when undefined. */
  sizes?: string[];
  backends: BackendName[];
  /** Requested thread counts for the native backend. */
  threads: number[];
  quick: boolean;
  peers: PeerName[];
  progress?: { start(total: number): void; tick(label: string): void; stop(): void };
  note: (msg: string) => void;
  /** The library to measure (default: the installed `soft-sampling`). */
  lib?: Lib;
}

export interface BenchReport {
  date: string;
  machine: { cpu: string | undefined; cores: number; node: string; platform: string };
  library: { version: string; backends: BackendName[]; simd: string | undefined; threadControl: boolean };
  quick: boolean;
  rows: BenchRow[];
  notes: string[];
}

const CORES = typeof availableParallelism === 'function' ? availableParallelism() : cpus().length;

/** `setThreads` when this build of the library exports it (the native thread pool), else undefined. */
export function threadControl(lib: Lib = softSampling): ((n: number) => unknown) | undefined {
  const f = (lib as unknown as { setThreads?: (n: number) => unknown }).setThreads;
  return typeof f === 'function' ? f : undefined;
}

/** The default `--threads`: 1 and every core, when the library has thread control; else 1. */
export function defaultThreads(lib: Lib = softSampling): number[] {
  return threadControl(lib) && CORES > 1 ? [1, CORES] : [1];
}

export function sizesOf(op: BenchOp, quick: boolean): BenchSize[] {
  return quick ? op.quickSizes : op.sizes;
}

/** Normalises a size label for matching (`100kx50` = `100k×50`). */
export const normSize = (s: string) => s.trim().toLowerCase().replace(/[x*]/g, '×');

async function time(run: () => unknown, quick: boolean): Promise<{ meanMs: number; rme: number; samples: number }> {
  await settle();
  run(); // warm-up (JIT, first-touch of the outputs), and a failure here beats a wrong number
  const bench = new Bench({ time: quick ? 100 : 1000, warmupTime: quick ? 10 : 100, warmupIterations: 1, iterations: quick ? 2 : 5, throws: true });
  bench.add('case', run);
  await bench.run();
  const r = bench.tasks[0].result!;
  if (r.error) throw r.error;
  return { meanMs: r.latency.mean, rme: r.latency.rme, samples: r.latency.samples.length };
}

export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const notes: string[] = [];
  const note = (m: string) => {
    notes.push(m);
    o.note(m);
  };
  const lib = o.lib ?? softSampling;
  const setThreads = threadControl(lib);
  const startInfo = lib.backendInfo() as BackendInfo & { threads?: number };
  const restore = () => lib.useBackend(startInfo.selectedBy === 'useBackend' ? startInfo.active : 'auto');
  // the native pool's size before the run, put back after it (backendInfo().threads is the active backend's)
  let nativeStartThreads: number | undefined;
  if (setThreads && startInfo.available.includes('native')) {
    nativeStartThreads = (lib.useBackend('native') as BackendInfo & { threads?: number }).threads;
    restore();
  }
  let nativeThreads: (number | null)[] = [null];
  if (o.backends.includes('native')) {
    if (setThreads) nativeThreads = [...new Set(o.threads)];
    else {
      if (o.threads.some((t) => t !== 1)) note(`this soft-sampling build exports no setThreads: native runs at its own thread count, reported as "1 (no thread control)"`);
      nativeThreads = [null];
    }
  }
  const plan: { op: BenchOp; size: BenchSize; backend: BackendName; threads: number | null }[] = [];
  for (const op of o.ops) {
    for (const size of sizesOf(op, o.quick)) {
      if (o.sizes && !o.sizes.includes(normSize(size.label))) continue;
      for (const backend of o.backends) {
        // a single-threaded kernel runs once, at the smallest count asked for (no efficiency to show)
        const counts = backend !== 'native' ? [1] : op.threaded === false ? [nativeThreads.reduce((m, t) => (t === null || m === null ? null : Math.min(m, t)))] : nativeThreads;
        for (const t of counts) plan.push({ op, size, backend, threads: t });
      }
    }
  }
  o.progress?.start(plan.length + (o.peers.length ? 1 : 0));
  const rows: BenchRow[] = [];
  const prepared = new Map<string, PreparedCase>();
  try {
    for (const p of plan) {
      const key = `${p.op.id} ${p.size.label}`;
      lib.useBackend(p.backend);
      if (p.backend === 'native' && setThreads && p.threads !== null) setThreads(p.threads);
      let prep = prepared.get(key);
      if (!prep) {
        prep = p.op.prepare(lib, p.size);
        prepared.clear(); // keep one size's inputs alive at a time
        prepared.set(key, prep);
      }
      const t = await time(prep.run, o.quick);
      rows.push({
        op: p.op.id, size: p.size.label, unit: p.op.unit, impl: p.backend,
        threads: p.threads, threadsLabel: p.threads === null ? '1 (no thread control)' : String(p.threads),
        ...t, perSecond: prep.units / (t.meanMs / 1000), vsTs: null, efficiency: null,
      });
      o.progress?.tick(`${p.op.id} ${p.size.label} ${p.backend}`);
    }
    prepared.clear();
    if (o.peers.length) {
      const peerRows = await runPeers(o.peers, o.ops.flatMap((op) => sizesOf(op, o.quick).filter((s) => !o.sizes || o.sizes.includes(normSize(s.label))).map((size) => ({ op, size }))), {
        lib, threads: setThreads ? [...new Set(o.threads)] : [1], quick: o.quick, note,
      });
      rows.push(...peerRows.map((r: PeerRow): BenchRow => ({ ...r, threadsLabel: String(r.threads), vsTs: null, efficiency: null })));
      o.progress?.tick('peers');
    }
  } finally {
    o.progress?.stop();
    if (setThreads && typeof nativeStartThreads === 'number') setThreads(nativeStartThreads);
    restore();
  }
  // ratios within this run
  for (const r of rows) {
    const ts = rows.find((x) => x.op === r.op && x.size === r.size && x.impl === 'ts');
    r.vsTs = ts && r.impl !== 'ts' ? r.perSecond / ts.perSecond : ts ? 1 : null;
    if (r.threads !== null && r.threads > 1) {
      const one = rows.find((x) => x.op === r.op && x.size === r.size && x.impl === r.impl && x.threads === 1);
      r.efficiency = one ? r.perSecond / (r.threads * one.perSecond) : null;
    }
  }
  const info = lib.backendInfo();
  let simd: string | undefined;
  if (info.available.includes('native')) {
    simd = lib.useBackend('native').simd;
    restore();
  }
  return {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model, cores: CORES, node: process.version, platform: `${process.platform}-${process.arch}` },
    library: { version: libVersion(), backends: info.available as BackendName[], simd, threadControl: !!setThreads },
    quick: o.quick,
    rows,
    notes,
  };
}

function libVersion(): string {
  try {
    return createRequire(__filename)('soft-sampling/package.json').version;
  } catch {
    return '';
  }
}

/** `1.35 G`, `32.0 M`, … */
export function si(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  for (const [d, s] of [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const) if (x >= d) return `${(x / d).toPrecision(3)} ${s}`;
  return x.toPrecision(3);
}

/** The report as an aligned text table (one line per op × size × implementation × threads). */
export function formatTable(rep: BenchReport): string {
  const head = ['op', 'size', 'backend', 'threads', 'time/call', 'throughput', '× ts', 'parallel eff.'];
  const lines = rep.rows.map((r) => [
    r.op, r.size, r.impl, r.threadsLabel,
    r.meanMs >= 100 ? `${r.meanMs.toFixed(0)} ms` : r.meanMs >= 1 ? `${r.meanMs.toFixed(2)} ms` : `${(r.meanMs * 1000).toFixed(1)} µs`,
    `${si(r.perSecond)} ${r.unit}/s`,
    r.vsTs === null ? '—' : `${r.vsTs.toFixed(2)}×`,
    r.efficiency === null ? '—' : `${(r.efficiency * 100).toFixed(0)} %`,
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const right = new Set([4, 5, 6, 7]);
  const fmt = (l: string[]) => l.map((c, i) => (right.has(i) ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd();
  const m = rep.machine;
  const out = [
    `soft-sampling ${rep.library.version} bench${rep.quick ? ' --quick' : ''}: ${m.cpu ?? 'cpu'} (${m.cores} cores), Node ${m.node}, ${m.platform}; native SIMD ${rep.library.simd ?? 'n/a'}; thread control ${rep.library.threadControl ? 'yes (setThreads)' : 'no'}`,
    '',
    fmt(head),
    fmt(w.map((n) => '-'.repeat(n))),
    ...lines.map(fmt),
  ];
  for (const n of rep.notes) out.push(`note: ${n}`);
  return out.join('\n') + '\n';
}
