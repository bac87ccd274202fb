/**
 * `soft-sampling bench` (packages/cli/src/bench): every case runs on the library, thread counts go
 * through setThreads when the library exports it ("1 (no thread control)" otherwise), the ratios and
 * the parallel efficiency are computed from the rows of one run, and bad options are usage errors.
 * No speed is asserted (tests are not benchmarks); the CLI lines need `npm run build`.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as ss from '../ts/index';
import { OPS, type BenchOp, type Lib } from '../packages/cli/src/bench/cases';
import { runBench, formatTable } from '../packages/cli/src/bench/run';

// tinybench is ESM-only and jest here runs CommonJS: the runner's logic is tested with a minimal
// stand-in (n calls, mean latency); the real tinybench runs in the CLI lines below and in test/pack.
jest.mock('tinybench', () => ({
  Bench: class {
    tasks: { name: string; fn: () => unknown; result?: unknown }[] = [];
    constructor(private opts: { iterations?: number }) {}
    add(name: string, fn: () => unknown) {
      this.tasks.push({ name, fn });
      return this;
    }
    async run() {
      for (const t of this.tasks) {
        const samples: number[] = [];
        for (let i = 0; i < Math.max(2, this.opts.iterations ?? 2); i++) {
          const t0 = performance.now();
          await t.fn();
          samples.push(Math.max(performance.now() - t0, 1e-6));
        }
        t.result = { latency: { mean: samples.reduce((a, b) => a + b, 0) / samples.length, rme: 0, samples } };
      }
    }
  },
}));

const BIN = join(__dirname, '..', 'packages', 'cli', 'bin', 'soft-sampling.mjs');
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });

afterEach(() => ss.useBackend('auto'));

test('every op family is there, each at its standard sizes (issue 12 list)', () => {
  expect(OPS.map((o) => o.id)).toEqual(['iou', 'focal', 'ce', 'ghmc', 'ghmr', 'assign', 'random-sample', 'ohem-sample', 'iou-balanced-sample', 'hard-negative-mining', 'iou-hlr', 'isr-p', 'carl', 'coco-eval']);
  const sizes = Object.fromEntries(OPS.map((o) => [o.id, o.sizes.map((s) => s.label)]));
  expect(sizes.iou).toEqual(['100k×50', '20k×2k']);
  expect(sizes.focal).toEqual(['100k×80']);
  expect(sizes.ghmc).toEqual(['100k×80']);
  expect(sizes.assign).toEqual(['100k×50']);
  expect(sizes['coco-eval']).toEqual(['500×100']);
});

test.each(OPS.map((o) => [o.id, o] as const))('%s: the quick case runs on the native backend', (_id, op) => {
  ss.useBackend('native');
  const size = op.quickSizes[0];
  const prep = op.prepare(ss as unknown as Lib, size);
  expect(prep.units).toBeGreaterThan(0);
  const r = prep.run() as Record<string, unknown>;
  expect(r).toBeTruthy();
  // a scalar loss, where there is one, is finite
  if (typeof r.loss === 'number') expect(Number.isFinite(r.loss)).toBe(true);
});

const tiny: BenchOp = {
  id: 'tiny-iou', title: 'IoU 400×60', family: 'geometry', unit: 'pairs',
  sizes: [{ label: '400×60', dims: [400, 60] }], quickSizes: [{ label: '400×60', dims: [400, 60] }],
  prepare: (lib) => {
    const a = new Float32Array(1600).map((_, i) => (i % 4 < 2 ? i : i + 20));
    const b = new Float32Array(240).map((_, i) => (i % 4 < 2 ? 2 * i : 2 * i + 30));
    return { units: 24000, run: () => lib.bboxOverlaps(a, b) };
  },
};

test('with setThreads: one native row per thread count, efficiency = throughput(t) / (t · throughput(1)), ratios to ts', async () => {
  const calls: number[] = [];
  const lib = { ...ss, setThreads: (n: number) => calls.push(n) } as unknown as Lib;
  // a library with a thread pool reports its size (backendInfo().threads); the run puts it back at the end
  const before = (ss.useBackend('native') as { threads?: number }).threads;
  ss.useBackend('auto');
  const notes: string[] = [];
  const rep = await runBench({ ops: [tiny], backends: ['native', 'ts'], threads: [1, 2, 2], quick: true, peers: [], note: (m) => notes.push(m), lib });
  expect(calls).toEqual(typeof before === 'number' ? [1, 2, before] : [1, 2]);
  expect(rep.library.threadControl).toBe(true);
  expect(rep.rows.map((r) => [r.impl, r.threadsLabel])).toEqual([['native', '1'], ['native', '2'], ['ts', '1']]);
  const [n1, n2, ts] = rep.rows;
  for (const r of rep.rows) {
    expect(r.perSecond).toBeCloseTo(24000 / (r.meanMs / 1000), 0);
    expect(Number.isFinite(r.perSecond) && r.perSecond > 0).toBe(true);
    expect(r.samples).toBeGreaterThanOrEqual(2);
  }
  expect(n1.efficiency).toBeNull();
  expect(n2.efficiency).toBeCloseTo(n2.perSecond / (2 * n1.perSecond), 12);
  expect(n1.vsTs).toBeCloseTo(n1.perSecond / ts.perSecond, 12);
  expect(ts.vsTs).toBe(1);
  expect(notes).toEqual([]);
  const table = formatTable(rep);
  expect(table).toMatch(/^op\s+size\s+backend\s+threads\s+time\/call\s+throughput\s+× ts\s+parallel eff\.$/m);
  expect(table).toMatch(/^tiny-iou\s+400×60\s+native\s+2\s+.*pairs\/s\s+[\d.]+×\s+\d+ %$/m);
});

test('a single-threaded op (samplers, IoU-HLR) runs native once, at the smallest thread count asked for, with no efficiency', async () => {
  const calls: number[] = [];
  const lib = { ...ss, setThreads: (n: number) => calls.push(n) } as unknown as Lib;
  const rep = await runBench({ ops: [{ ...tiny, threaded: false }], backends: ['native', 'ts'], threads: [2, 1], quick: true, peers: [], note: () => {}, lib });
  expect(rep.rows.map((r) => [r.impl, r.threadsLabel, r.efficiency])).toEqual([['native', '1', null], ['ts', '1', null]]);
  expect(calls[0]).toBe(1);
  const ids = (await import('../packages/cli/src/bench/cases')).OPS.filter((o) => o.threaded === false).map((o) => o.id);
  expect(ids).toEqual(['random-sample', 'ohem-sample', 'iou-balanced-sample', 'hard-negative-mining', 'iou-hlr']);
});

test('without setThreads: native runs once, labelled "1 (no thread control)", and a note says why', async () => {
  const lib = { ...ss } as Record<string, unknown>;
  delete lib.setThreads;
  const notes: string[] = [];
  const rep = await runBench({ ops: [tiny], backends: ['native'], threads: [1, 2], quick: true, peers: [], note: (m) => notes.push(m), lib: lib as unknown as Lib });
  expect(rep.rows).toHaveLength(1);
  expect(rep.rows[0].threads).toBeNull();
  expect(rep.rows[0].threadsLabel).toBe('1 (no thread control)');
  expect(rep.rows[0].vsTs).toBeNull(); // no ts row in this run
  expect(notes.join('\n')).toMatch(/no setThreads/);
});

test('the CLI: bench --json on one op, two backends; bad options are usage errors (exit 2)', () => {
  const r = run(['bench', '--quick', '--ops', 'ghmr', '--backends', 'native,ts', '--threads', '1', '--json']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const rep = JSON.parse(r.stdout);
  expect(rep.rows.map((x: { op: string; impl: string }) => `${x.op} ${x.impl}`)).toEqual(['ghmr native', 'ghmr ts']);
  for (const x of rep.rows) expect(x.perSecond).toBeGreaterThan(0);
  expect(rep.rows[1].vsTs).toBe(1);

  for (const [args, msg] of [
    [['--threads', '0'], /--threads must be a comma-separated list of integers in \[1, 1024\]/],
    [['--threads', '1.5'], /--threads/],
    [['--ops', 'iou,nope'], /--ops: unknown nope; choose from iou, focal/],
    [['--backends', 'gpu'], /--backends: unknown gpu/],
    [['--peers', 'jax'], /--peers: unknown jax; choose from tfjs, torch/],
    [['--ops', 'iou', '--sizes', '3x3'], /--sizes 3×3: not a standard size of the chosen ops \(100k×50, 20k×2k\)/],
  ] as [string[], RegExp][]) {
    const bad = run(['bench', ...args]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(msg);
    expect(bad.stdout).toBe('');
  }
});
