// Per-call overhead of the wasm backend's binding (issue 11 item 0): small calls, where the glue
// (copies in and out of linear memory, boundary crossings, error plumbing) rather than the kernel
// dominates — bboxOverlaps 10×10 and sigmoidFocalLoss 64×8 — on this build and, side by side in
// the same process, on another build given on the command line (e.g. the build before the move to
// wasm-bindgen: a folder holding its dist/ and artifacts/). With --large, also VFL and EFL at
// 100k × 80 (issue 14's size), where copying the arrays in and out of linear memory is a large
// part of a call (a few calls per round instead of --calls).
// Usage: node bench/wasm-overhead.mjs [--old <package folder>] [--rounds 15] [--calls 20000] [--large]
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { here } from './lib.mjs';
import { randomBoxes } from '../packages/cli/dist/bench-cases.mjs';

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
// issue 14's classification size: logits around the prior bias, ~1% positives (bench/modern.mjs)
const NL = 100_000, CL = 80;
const big = {};
if (large) {
  big.x = { data: Float32Array.from({ length: NL * CL }, () => -4.6 + (r() + r() + r() - 1.5) * 4), shape: [NL, CL] };
  big.q = new Float32Array(NL * CL);
  big.onehot = new Float32Array(NL * CL);
  for (let i = 0; i < NL; i++) {
    if (r() < 0.01) {
      const l = Math.floor(r() * CL);
      big.q[i * CL + l] = 0.3 + 0.7 * r();
      big.onehot[i * CL + l] = 1;
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
      const n = name.includes('100k') ? 3 : calls;
      for (let i = 0; i < (n === calls ? 200 : 1); i++) fn();
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) fn();
      const ns = Number(process.hrtime.bigint() - t0) / n;
      ((times[name] ??= {})[im.label] ??= []).push(ns);
    }
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(`wasm per-call time over ${rounds} rounds × ${calls} calls (100k cases: 3 calls), builds interleaved (ns/call; public API, validation included): median and min of the rounds`);
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
