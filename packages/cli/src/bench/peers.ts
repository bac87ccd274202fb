/**
 * The optional peers of `soft-sampling bench`, on the same inputs in the same run:
 * - `tfjs`: @tensorflow/tfjs (its CPU backend) when it resolves from the CLI; IoU matrix, sigmoid
 *   focal loss and sigmoid CE forward + backward (tf.grad), written with tf ops.
 * - `torch`: PyTorch on CPU through `python3` (or `SOFT_SAMPLING_PYTHON`) when `import torch` works;
 *   peers/torch_bench.py reads the inputs from raw float32/int32 files and times IoU, focal, CE,
 *   GHM-C and MaxIoU assignment at each thread count (torch.set_num_threads).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import type { BenchOp, BenchSize, Lib } from './cases';

export type PeerName = 'tfjs' | 'torch';
export const PEERS: PeerName[] = ['tfjs', 'torch'];

export interface PeerRow {
  op: string;
  size: string;
  unit: string;
  impl: string;
  threads: number | null;
  meanMs: number;
  rme: number;
  samples: number;
  perSecond: number;
}

interface PeerCtx {
  lib: Lib;
  threads: number[];
  quick: boolean;
  note: (m: string) => void;
}

const TFJS_OPS = new Set(['iou', 'focal', 'ce']);
const TORCH_OPS = new Set(['iou', 'focal', 'ce', 'ghmc', 'assign']);

export async function runPeers(peers: PeerName[], cases: { op: BenchOp; size: BenchSize }[], ctx: PeerCtx): Promise<PeerRow[]> {
  const rows: PeerRow[] = [];
  if (peers.includes('tfjs')) rows.push(...(await tfjsPeer(cases.filter((c) => TFJS_OPS.has(c.op.id)), ctx)));
  if (peers.includes('torch')) rows.push(...torchPeer(cases.filter((c) => TORCH_OPS.has(c.op.id)), ctx));
  return rows;
}

/** @tensorflow/tfjs from the CLI's own location (an optional peer dependency), or undefined. */
async function loadTfjs(): Promise<any | undefined> {
  try {
    const req = createRequire(__filename); // tsup shims __filename in the ESM build
    const path = req.resolve('@tensorflow/tfjs');
    return await import(pathToFileURL(path).href);
  } catch {
    return undefined;
  }
}

async function tfjsPeer(cases: { op: BenchOp; size: BenchSize }[], ctx: PeerCtx): Promise<PeerRow[]> {
  const tf0 = await loadTfjs();
  if (!tf0) {
    ctx.note('--peers tfjs: @tensorflow/tfjs does not resolve here (npm install @tensorflow/tfjs beside soft-sampling-cli); skipped');
    return [];
  }
  const tf = tf0.default ?? tf0;
  // production mode: no debug checks, and no "install tfjs-node" banner on the first kernel call
  tf.enableProdMode?.();
  await tf.setBackend('cpu');
  await tf.ready();
  const impl = `tfjs ${tf.version?.tfjs ?? tf.version_core ?? ''} (${tf.getBackend()})`.replace('  ', ' ');
  const rows: PeerRow[] = [];
  for (const { op, size } of cases) {
    const prep = op.prepare(ctx.lib, size);
    const pi = prep.peerInputs!;
    let run: () => unknown;
    const keep: any[] = [];
    if (op.id === 'iou') {
      const a = tf.tensor2d(pi.boxes1.data, pi.boxes1.shape), b = tf.tensor2d(pi.boxes2.data, pi.boxes2.shape);
      keep.push(a, b);
      run = () => tf.tidy(() => {
        const [ax1, ay1, ax2, ay2] = tf.split(a, 4, 1); // [N,1]
        const [bx1, by1, bx2, by2] = tf.split(b.transpose(), 4, 0); // [1,M]
        const w = tf.relu(tf.minimum(ax2, bx2).sub(tf.maximum(ax1, bx1)));
        const h = tf.relu(tf.minimum(ay2, by2).sub(tf.maximum(ay1, by1)));
        const inter = w.mul(h);
        const union = ax2.sub(ax1).mul(ay2.sub(ay1)).add(bx2.sub(bx1).mul(by2.sub(by1))).sub(inter);
        return inter.div(tf.maximum(union, 1e-6)).dataSync();
      });
    } else {
      const [n, c] = pi.logits.shape;
      const x = tf.tensor2d(pi.logits.data, [n, c]);
      const labels = pi.labels.data as Int32Array;
      const onehot = new Float32Array(n * c);
      for (let i = 0; i < n; i++) if (labels[i] < c) onehot[i * c + labels[i]] = 1;
      const t = tf.tensor2d(onehot, [n, c]);
      const lw = tf.tensor2d(pi.labelWeights.data, [n, 1]);
      keep.push(x, t, lw);
      const numPos = Math.max(1, onehot.reduce((s, v) => s + v, 0));
      const focal = op.id === 'focal';
      // sigmoid focal loss (torchvision sigmoid_focal_loss, alpha 0.25, gamma 2) / BCE with logits
      const loss = (z: any) => {
        const ce = tf.relu(z).sub(z.mul(t)).add(tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
        if (!focal) return ce.mul(lw).sum().div(numPos);
        const p = tf.sigmoid(z);
        const pt = p.mul(t).add(tf.scalar(1).sub(p).mul(tf.scalar(1).sub(t)));
        const mod = tf.square(tf.scalar(1).sub(pt));
        const alpha = t.mul(0.25).add(tf.scalar(1).sub(t).mul(0.75));
        return ce.mul(mod).mul(alpha).mul(lw).sum().div(numPos);
      };
      const g = tf.valueAndGrad(loss);
      run = () => tf.tidy(() => {
        const { value, grad } = g(x);
        value.dataSync();
        return grad.dataSync();
      });
    }
    try {
      const r = await timeIt(run, ctx.quick);
      rows.push({ op: op.id, size: size.label, unit: op.unit, impl, threads: 1, ...r, perSecond: prep.units / (r.meanMs / 1000) });
    } finally {
      for (const k of keep) k.dispose();
    }
  }
  return rows;
}

async function timeIt(run: () => unknown, quick: boolean) {
  run();
  const bench = new Bench({ time: quick ? 100 : 1000, warmupTime: quick ? 10 : 100, warmupIterations: 1, iterations: quick ? 2 : 5, throws: true });
  bench.add('peer', run);
  await bench.run();
  const r = bench.tasks[0].result!;
  return { meanMs: r.latency.mean, rme: r.latency.rme, samples: r.latency.samples.length };
}

/** The Python script shipped with the CLI (packages/cli/peers/torch_bench.py). */
export function torchScript(): string {
  // dist/bench-*.mjs or dist/cli.mjs → ../peers; from the sources (src/bench/) → ../../peers
  const here = __dirname;
  for (const rel of ['../peers', '../../peers']) {
    const p = join(here, rel, 'torch_bench.py');
    if (existsSync(p)) return p;
  }
  return join(here, '..', 'peers', 'torch_bench.py');
}

function findTorch(): { python: string; version: string } | undefined {
  const cands = process.env.SOFT_SAMPLING_PYTHON ? [process.env.SOFT_SAMPLING_PYTHON] : ['python3', 'python'];
  for (const py of cands) {
    const r = spawnSync(py, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
    if (r.status === 0) return { python: py, version: r.stdout.trim() };
  }
  return undefined;
}

function torchPeer(cases: { op: BenchOp; size: BenchSize }[], ctx: PeerCtx): PeerRow[] {
  const found = findTorch();
  if (!found) {
    ctx.note('--peers torch: no python3 with torch found (pip install torch, or set SOFT_SAMPLING_PYTHON); skipped');
    return [];
  }
  const dir = mkdtempSync(join(tmpdir(), 'ss-bench-torch-'));
  try {
    const jobs: { op: string; size: string; unit: string; units: number; inputs: Record<string, { file: string; dtype: string; shape: number[] }> }[] = [];
    for (const { op, size } of cases) {
      const prep = op.prepare(ctx.lib, size);
      const inputs: Record<string, { file: string; dtype: string; shape: number[] }> = {};
      for (const [name, t] of Object.entries(prep.peerInputs ?? {})) {
        const file = join(dir, `${op.id}-${size.label}-${name}.bin`);
        writeFileSync(file, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
        inputs[name] = { file, dtype: t.data instanceof Int32Array ? 'int32' : 'float32', shape: t.shape };
      }
      jobs.push({ op: op.id, size: size.label, unit: op.unit, units: prep.units, inputs });
    }
    const spec = { jobs, threads: ctx.threads, time: ctx.quick ? 0.1 : 1.0, iterations: ctx.quick ? 2 : 5 };
    const r = spawnSync(found.python, [torchScript()], { input: JSON.stringify(spec), encoding: 'utf8', maxBuffer: 64 << 20, timeout: 3_600_000 });
    if (r.status !== 0) {
      ctx.note(`--peers torch: ${found.python} ${torchScript()} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`);
      return [];
    }
    const out = JSON.parse(r.stdout) as { rows: { op: string; size: string; threads: number; meanMs: number; rme: number; samples: number }[] };
    return out.rows.map((x) => {
      const job = jobs.find((j) => j.op === x.op && j.size === x.size)!;
      return { ...x, unit: job.unit, impl: `torch ${found.version} (cpu)`, perSecond: job.units / (x.meanMs / 1000) };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
