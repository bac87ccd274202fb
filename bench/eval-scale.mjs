// COCO evaluator at scale, side by side with its peers (issue 15, issue 9 item 8): a seeded synthetic
// set (bench/synth-coco.mjs; default 5,000 images / ~37k gt / 500,000 detections) evaluated by
// pycocotools, faster-coco-eval (both from PyPI, run through bench/coco_peers.py) and evaluateCoco on
// every backend, in one run. Reports the 12 numbers' largest difference to pycocotools and the time
// ratios. Timed: the peers' evaluate() + accumulate() + summarize() (their file loading and index
// building excluded); ours: evaluateCoco(gt, dets) on the parsed JSON objects (validation,
// conversion, matching, accumulation and summary included; JSON.parse excluded), median of --runs.
//
//   node bench/eval-scale.mjs [--images 5000] [--dets 500000] [--seed 1] [--grid] [--runs 3] [--quick]
//
// --quick: the CI-sized tie set instead (500 images, 50k detections, --grid). The peers need
// `pip install pycocotools faster-coco-eval` in the Python named by $PYTHON (default python3);
// without them only our numbers are printed. Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ss from '../dist/index.mjs';
import { here, machine } from './lib.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const quick = argv.includes('--quick');
const images = opt('--images', quick ? 500 : 5000);
const dets = opt('--dets', quick ? 50000 : 500000);
const seed = opt('--seed', 1);
const grid = quick || argv.includes('--grid');
const runs = opt('--runs', 3);
const python = process.env.PYTHON || 'python3';

const dir = mkdtempSync(join(tmpdir(), 'ss-eval-scale-'));
try {
  const genArgs = ['--images', String(images), '--dets', String(dets), '--seed', String(seed), '--out', dir, ...(grid ? ['--grid'] : [])];
  console.log(execFileSync(process.execPath, [join(here, 'synth-coco.mjs'), ...genArgs], { encoding: 'utf8' }).trim());
  const gtText = readFileSync(join(dir, 'gt.json'), 'utf8');
  const dtText = readFileSync(join(dir, 'dets.json'), 'utf8');
  const inputMB = (gtText.length + dtText.length) / 1e6;

  // peers first (one process, pycocotools then faster-coco-eval)
  let peers = null;
  try {
    const outText = execFileSync(python, [join(here, 'coco_peers.py'), join(dir, 'gt.json'), join(dir, 'dets.json')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 24 });
    peers = JSON.parse(outText);
  } catch (e) {
    console.log(`peers not run (${python}: ${String(e.stderr || e.message).trim().split('\n').pop()}); pip install pycocotools faster-coco-eval, or set PYTHON`);
  }

  const gt = JSON.parse(gtText), dt = JSON.parse(dtText);
  const keys = ss.COCO_STAT_KEYS;
  const ours = {};
  for (const b of ss.backendInfo().available) {
    ss.useBackend(b);
    const times = [], cpus = [];
    let stats;
    for (let r = 0; r < runs; r++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      stats = ss.evaluateCoco(gt, dt).stats;
      times.push((performance.now() - t0) / 1000);
      const c = process.cpuUsage(c0);
      cpus.push((c.user + c.system) / 1e6);
    }
    const med = (v) => v.slice().sort((a, b) => a - b)[Math.floor(v.length / 2)];
    ours[b] = { seconds: med(times), cpuSeconds: med(cpus), all: times, stats: keys.map((k) => stats[k]) };
  }
  ss.useBackend('auto');

  const ref = peers?.pycocotools?.stats;
  const maxDiff = (s) => (ref ? Math.max(...s.map((v, i) => Math.abs(v - ref[i]))) : null);
  console.log(`\n## COCO evaluation at scale: ${images} images, ${gt.annotations.length} gt, ${dets} detections${grid ? ' (grid: IoUs on the thresholds)' : ''}, ${inputMB.toFixed(1)} MB JSON\n`);
  console.log('| evaluator | wall (s) | CPU (s) | max abs diff of the 12 numbers to pycocotools | pycocotools / this (wall, CPU) | faster-coco-eval / this (wall, CPU) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  const rows = [];
  const row = (name, sec, cpu, stats) => {
    const d = maxDiff(stats);
    const r1 = peers ? [peers.pycocotools.eval_s / sec, peers.pycocotools.eval_cpu_s / cpu] : null;
    const r2 = peers ? [peers.faster.eval_s / sec, peers.faster.eval_cpu_s / cpu] : null;
    rows.push({ name, seconds: sec, cpuSeconds: cpu, maxAbsDiff: d, vsPycocotools: r1, vsFasterCocoEval: r2, stats });
    const f = (x) => (x === null ? '–' : `${x[0].toFixed(2)}×, ${x[1].toFixed(2)}×`);
    console.log(`| ${name} | ${sec.toFixed(3)} | ${cpu.toFixed(3)} | ${d === null ? '–' : d === 0 ? '0 (bit-identical)' : d.toExponential(2)} | ${f(r1)} | ${f(r2)} |`);
  };
  if (peers) {
    row(`pycocotools ${peers.pycocotools.version} (evaluate+accumulate+summarize)`, peers.pycocotools.eval_s, peers.pycocotools.eval_cpu_s, peers.pycocotools.stats);
    row(`faster-coco-eval ${peers.faster.version} (evaluate+accumulate+summarize)`, peers.faster.eval_s, peers.faster.eval_cpu_s, peers.faster.stats);
  }
  for (const [b, o] of Object.entries(ours)) row(`soft-sampling evaluateCoco [${b}]`, o.seconds, o.cpuSeconds, o.stats);
  if (peers) {
    const nat = ours.native ?? ours.wasm ?? ours.ts;
    const target = peers.faster.eval_s / nat.seconds;
    console.log(`\nevaluateCoco [${ours.native ? 'native' : Object.keys(ours)[0]}] vs faster-coco-eval: ${target.toFixed(2)}× wall (target ≥ 1.5×: ${target >= 1.5 ? 'met' : 'NOT met'}), ${(peers.faster.eval_cpu_s / nat.cpuSeconds).toFixed(2)}× CPU`);
  }
  const file = join(here, 'results', `eval-scale${quick ? '-quick' : ''}.json`);
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), machine: machine(), set: { images, gt: gt.annotations.length, dets, seed, grid, inputMB }, peers, rows, runs }, null, 2));
  console.log(`wrote ${file}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
