// Per-call overhead of the wasm backend's binding (issue 11 item 0): small calls, where the glue
// (copies in and out of linear memory, boundary crossings, error plumbing) rather than the kernel
// dominates — bboxOverlaps 10×10 and sigmoidFocalLoss 64×8 — on this build and, side by side in
// the same process, on another build given on the command line (e.g. the build before the move to
// wasm-bindgen: a folder holding its dist/ and artifacts/). With --large, also the wasm rows of
// bench/modern.mjs, focal.mjs and iou.mjs at their standard sizes (VFL / EFL / QFL at 100k × 80,
// …), where copying the arrays in and out of linear memory is a large part of a call (3 calls per
// round instead of --calls; the builds alternate within each round, min and median over rounds).
// --cpu: time the process's CPU time (user + system) instead of the wall clock, for a machine
// shared with other work (waiting for a core is then not counted; V8's helper threads are).
// Usage: node bench/wasm-overhead.mjs [--old <package folder>] [--rounds 15] [--calls 20000] [--large] [--cpu]
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { here } from './lib.mjs';
import { randomBoxes, focalInputs } from '../packages/cli/dist/bench-cases.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const rounds = Number(arg('--rounds', 15));
const calls = Number(arg('--calls', 20000));
const builds = [['this build', join(here, '..')]];
if (arg('--old')) builds.push(['old build', resolve(arg('--old'))]);

// a tiny mulberry32 so the inputs do not depend on either build
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const b1 = randomBoxes(10, 1), b2 = randomBoxes(10, 2);
const out10 = new Float32Array(100);
const r = rng(7);
const N = 64, C = 8;
const logits = { data: Float32Array.from({ length: N * C }, () => 4 * r() - 2), shape: [N, C] };
const labels = Int32Array.from({ length: N }, () => Math.floor(r() * (C + 1)));
const large = process.argv.includes('--large');
const cpu = process.argv.includes('--cpu');
/** Nanoseconds since `t0` (from `now()`), wall clock or process CPU time (--cpu). */
const now = () => (cpu ? process.cpuUsage() : process.hrtime.bigint());
const since = (t0) => (cpu ? (({ user, system }) => (user + system) * 1000)(process.cpuUsage(t0)) : Number(process.hrtime.bigint() - t0));
// issue 14's classification size: logits around the prior bias, ~1% positives (bench/modern.mjs)
const NL = 100_000, CL = 80;
const big = {};
if (large) {
  // focal.mjs / iou.mjs inputs
  Object.assign(big, focalInputs(NL, CL));
  big.fx = { data: big.logits, shape: [NL, CL] };
  big.sx = { data: big.logits.subarray(0, NL * 10), shape: [NL, 10] };
  big.slabels = Int32Array.from(big.labels, (l) => l % 10);
  big.focalOut = { lossElements: new Float32Array(NL * CL), grad: new Float32Array(NL * CL) };
  big.i1 = randomBoxes(100_000, 1);
  big.i2 = randomBoxes(50, 2);
  big.iouOut = new Float32Array(100_000 * 50);
  big.j1 = randomBoxes(20_000, 1);
  big.j2 = randomBoxes(2_000, 2);
  // modern.mjs-like inputs: box pairs (pred = jittered target), deltas, DFL bins
  const box = () => { const x1 = r() * 600, y1 = r() * 600; return [x1, y1, x1 + 8 + r() * 200, y1 + 8 + r() * 200]; };
  big.tgt = new Float32Array(4 * NL);
  big.prd = new Float32Array(4 * NL);
  for (let i = 0; i < NL; i++) {
    const b = box();
    big.tgt.set(b, 4 * i);
    big.prd.set(b.map((v) => v + (r() - 0.5) * 20), 4 * i);
  }
  big.deltas = { data: Float32Array.from({ length: 4 * NL }, () => (r() - 0.5) * 3), shape: [NL, 4] };
  big.zeros = { data: new Float32Array(4 * NL), shape: [NL, 4] };
  big.dflPred = { data: Float32Array.from({ length: 4 * NL * 17 }, () => r() * 4 - 2), shape: [4 * NL, 17] };
  big.dflTarget = Float32Array.from({ length: 4 * NL }, () => r() * 15.9);
  big.scores = new Float32Array(NL);
  big.qlabels = new Int32Array(NL).fill(CL);
  big.x = { data: Float32Array.from({ length: NL * CL }, () => -4.6 + (r() + r() + r() - 1.5) * 4), shape: [NL, CL] };
  big.q = new Float32Array(NL * CL);
  big.onehot = new Float32Array(NL * CL);
  for (let i = 0; i < NL; i++) {
    if (r() < 0.01) {
      const l = Math.floor(r() * CL);
      big.q[i * CL + l] = 0.3 + 0.7 * r();
      big.onehot[i * CL + l] = 1;
      big.qlabels[i] = l;
      big.scores[i] = big.q[i * CL + l];
    }
  }
}

const impls = [];
for (const [label, dir] of builds) {
  const ss = await import(pathToFileURL(join(dir, 'dist', 'index.mjs')).href);
  ss.useBackend('wasm');
  if (ss.backendInfo().active !== 'wasm') throw new Error(`${label}: wasm backend not active`);
  impls.push({
    label,
    cases: {
      'bboxOverlaps 10×10 (out reused)': () => ss.bboxOverlaps(b1, b2, { out: out10 }),
      'bboxOverlaps 10×10 (fresh output)': () => ss.bboxOverlaps(b1, b2),
      'sigmoidFocalLoss 64×8 (labels)': () => ss.sigmoidFocalLoss(logits, labels),
      ...(large
        ? {
            'varifocalLoss 100k×80': () => ss.varifocalLoss(big.x, { data: big.q, shape: [NL, CL] }),
            'equalizedFocalLoss 100k×80': () => ss.equalizedFocalLoss(big.x, { data: big.onehot, shape: [NL, CL] }),
            'qualityFocalLoss 100k×80': () => ss.qualityFocalLoss(big.x, { labels: big.qlabels, scores: big.scores }),
            'distributionFocalLoss 400k×17': () => ss.distributionFocalLoss(big.dflPred, big.dflTarget),
            'balancedL1Loss 100k×4': () => ss.balancedL1Loss(big.deltas, big.zeros),
            'giouLoss 100k': () => ss.giouLoss(big.prd, big.tgt),
            'ciouLoss 100k': () => ss.ciouLoss(big.prd, big.tgt),
            'sigmoidFocalLoss 100k×80 (labels)': () => ss.sigmoidFocalLoss(big.fx, big.labels, { labelWeights: big.labelWeights, avgFactor: big.numPos }),
            'sigmoidFocalLoss 100k×80 (reused out)': () => ss.sigmoidFocalLoss(big.fx, big.labels, { labelWeights: big.labelWeights, avgFactor: big.numPos, out: big.focalOut }),
            'softmaxFocalLoss 100k×10': () => ss.softmaxFocalLoss(big.sx, big.slabels),
            'bboxOverlaps 100k×50 (out reused)': () => ss.bboxOverlaps(big.i1, big.i2, { out: big.iouOut }),
            'bboxOverlaps 20k×2k (fresh output)': () => ss.bboxOverlaps(big.j1, big.j2),
            'maxIouAssign 100k×50': () => ss.maxIouAssign(big.i1, big.i2, { posIouThr: 0.5, negIouThr: 0.4 }),
          }
        : {}),
    },
  });
}
// same answers from both builds
for (const name of Object.keys(impls[0].cases)) {
  const a = impls.map((i) => i.cases[name]());
  const flat = (x) => (typeof x === 'number' ? [x] : Array.from(x.data ?? [x.loss ?? x]));
  if (a.length > 1 && JSON.stringify(flat(a[0])) !== JSON.stringify(flat(a[1]))) console.warn(`warning: ${name}: builds disagree`);
}

const times = {}; // name -> label -> ns/call per round
for (let round = 0; round < rounds; round++) {
  for (const name of Object.keys(impls[0].cases)) {
    // alternate which build goes first
    const order = round % 2 ? [...impls].reverse() : impls;
    for (const im of order) {
      const fn = im.cases[name];
      const n = /\d+k/.test(name) ? 3 : calls;
      for (let i = 0; i < (n === calls ? 200 : 1); i++) fn();
      const t0 = now();
      for (let i = 0; i < n; i++) fn();
      const ns = since(t0) / n;
      ((times[name] ??= {})[im.label] ??= []).push(ns);
    }
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(`wasm per-call ${cpu ? 'CPU' : 'wall-clock'} time over ${rounds} rounds × ${calls} calls (100k cases: 3 calls), builds interleaved (ns/call; public API, validation included): median and min of the rounds`);
const rows = [];
for (const [name, by] of Object.entries(times)) {
  const row = { case: name };
  for (const [label, ts] of Object.entries(by)) {
    row[`${label} median`] = Math.round(median(ts));
    row[`${label} min`] = Math.round(Math.min(...ts));
  }
  if (impls.length > 1) {
    row['this / old (median)'] = (row['this build median'] / row['old build median']).toFixed(2);
    row['this / old (min)'] = (row['this build min'] / row['old build min']).toFixed(2);
  }
  rows.push(row);
}
console.table(rows);
