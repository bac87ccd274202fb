// Scale benchmark for the main job (issue 9 item 8): `soft-sampling analyze` vs `soft-sampling eval`
// on the seeded synthetic COCO set of bench/synth-coco.mjs (default 5,000 images / 500k detections),
// wall time and peak RSS of each, as child processes (the CLI as users run it, worker threads
// included in the RSS). Targets: analyze peak RSS ≤ 10× the input size, wall time ≤ 2× eval's.
// Not a test: numbers depend on the machine and its load.
//
//   node bench/analyze-scale.mjs [--images 5000] [--dets 500000] [--seed 1] [--workers N] [--runs 1] [--quick] [--compare DIR]
//
// --runs N: N back-to-back pairs (eval, then analyze), each printed with the machine's 1-minute load
// average before it; the summary line is of the pair with the least analyze wall time.
// --compare DIR: another built checkout of the repository (an A/B of two versions): each run also
// times DIR's `analyze` right after this one's, on the same files (interleaved, so a machine whose
// load drifts shifts both alike), and checks that the two reports are byte-identical.
// CPU time (user + system, all threads) is printed beside wall time: on a shared machine it is the
// steadier comparison. Writes bench/results/analyze-scale.json. Run after `npm run build`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { here } from './lib.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : 'true']);
  return acc;
}, []));
const quick = args.quick === 'true';
const images = Number(args.images ?? (quick ? 500 : 5000));
const dets = Number(args.dets ?? (quick ? 50000 : 500000));
const seed = Number(args.seed ?? 1);
const runs = Math.max(1, Number(args.runs ?? 1));
const BIN = join(here, '..', 'packages', 'cli', 'bin', 'soft-sampling.mjs');
const COMPARE_BIN = args.compare && args.compare !== 'true' ? join(args.compare, 'packages', 'cli', 'bin', 'soft-sampling.mjs') : null;
const dir = mkdtempSync(join(tmpdir(), 'ss-scale-'));

// peak RSS of a child: a preload prints process.resourceUsage().maxRSS (KiB) at exit
const PRELOAD = join(dir, 'maxrss.cjs');
writeFileSync(PRELOAD, "process.on('exit', () => { const u = process.resourceUsage(); process.stderr.write(`\\n[maxrss] ${u.maxRSS} [cpu] ${u.userCPUTime + u.systemCPUTime}\\n`); });\n");

function measure(label, argv, bin = BIN) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', PRELOAD, bin, ...argv], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${label} failed (${r.status}): ${r.stderr}`);
  const m = /\[maxrss\] (\d+) \[cpu\] (\d+)/.exec(r.stderr);
  return { label, seconds, cpuSeconds: m ? Number(m[2]) / 1e6 : NaN, peakRssMiB: m ? Number(m[1]) / 1024 : NaN };
}

/** Whether two directories hold the same files with the same bytes. */
function sameTree(a, b) {
  const list = (d, pre = '') => readdirSync(join(d, pre), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? list(d, join(pre, e.name)) : [join(pre, e.name)])).sort();
  const fa = list(a), fb = list(b);
  return fa.length === fb.length && fa.every((f, i) => f === fb[i] && readFileSync(join(a, f)).equals(readFileSync(join(b, f))));
}

try {
  const g = spawnSync(process.execPath, [join(here, 'synth-coco.mjs'), '--images', String(images), '--dets', String(dets), '--seed', String(seed), '--out', dir], { encoding: 'utf8' });
  if (g.status !== 0) throw new Error(`synth-coco failed: ${g.stderr}`);
  const gt = join(dir, 'gt.json'), dt = join(dir, 'dets.json');
  const inputMiB = (statSync(gt).size + statSync(dt).size) / 2 ** 20;
  const workers = args.workers ? ['--workers', String(args.workers)] : [];
  const pairs = [];
  for (let i = 0; i < runs; i++) {
    const load = loadavg()[0];
    const ev = measure('eval', ['eval', '--gt', gt, '--dets', dt]);
    const an = measure('analyze', ['analyze', '--gt', gt, '--dets', dt, '--out', join(dir, 'report'), '-q', '--no-png', ...workers]);
    const pair = { load, eval: ev, analyze: an };
    if (COMPARE_BIN) {
      pair.compare = measure('analyze (compare)', ['analyze', '--gt', gt, '--dets', dt, '--out', join(dir, 'report-compare'), '-q', '--no-png', ...workers], COMPARE_BIN);
      pair.compare.identical = sameTree(join(dir, 'report'), join(dir, 'report-compare'));
    }
    pairs.push(pair);
  }
  const { eval: ev, analyze: an } = pairs.reduce((a, b) => (b.analyze.seconds < a.analyze.seconds ? b : a));
  const res = {
    images, dets, seed, inputMiB,
    eval: ev, analyze: an, runs: pairs,
    analyzeRssOverInput: an.peakRssMiB / inputMiB,
    analyzeTimeOverEval: an.seconds / ev.seconds,
    analyzeCpuOverEval: an.cpuSeconds / ev.cpuSeconds,
    targets: { rssOverInput: 10, timeOverEval: 2 },
  };
  console.log(`synthetic set: ${images} images, ${dets} detections, ${inputMiB.toFixed(1)} MiB of JSON (seed ${seed})`);
  console.log('| command | wall time | CPU time | peak RSS | RSS / input |');
  console.log('|---|---:|---:|---:|---:|');
  pairs.forEach((p, i) => {
    for (const r of [p.eval, p.analyze, ...(p.compare ? [p.compare] : [])]) console.log(`| ${r.label}${runs > 1 ? ` (run ${i + 1}, load ${p.load.toFixed(1)})` : ''} | ${r.seconds.toFixed(1)} s | ${r.cpuSeconds.toFixed(1)} s | ${r.peakRssMiB.toFixed(0)} MiB | ${(r.peakRssMiB / inputMiB).toFixed(1)}× |`);
  });
  if (COMPARE_BIN) {
    const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
    const wall = med(pairs.map((p) => p.analyze.seconds / p.compare.seconds)), cpu = med(pairs.map((p) => p.analyze.cpuSeconds / p.compare.cpuSeconds));
    res.compare = { dir: args.compare, wallOverCompare: wall, cpuOverCompare: cpu, identical: pairs.every((p) => p.compare.identical) };
    console.log(`analyze / compare (${args.compare}), median of ${runs} interleaved runs: wall time ${wall.toFixed(2)}×, CPU time ${cpu.toFixed(2)}×; reports ${res.compare.identical ? 'byte-identical' : 'DIFFER'}`);
  }
  console.log(`analyze / eval: wall time ${res.analyzeTimeOverEval.toFixed(2)}×, CPU time ${res.analyzeCpuOverEval.toFixed(2)}× (target ≤ 2×); analyze peak RSS / input: ${res.analyzeRssOverInput.toFixed(1)}× (target ≤ 10×)`);
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'analyze-scale.json'), JSON.stringify(res, null, 2) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
