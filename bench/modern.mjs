// Issue 14 methods at the standard sizes, every backend in one run: QFL / VFL / EFL on 100k × 80
// logits (EFL at the first step's state and at a mixed, off-balance one), DFL on 400k rows × 17 bins (100k boxes × 4 sides), Balanced L1 on 100k × 4 deltas,
// GIoU / CIoU on 100k box pairs, and the ATSS / task-aligned assigners on 100k anchors × 50 gts
// against maxIouAssign on the same input. Ratios vs the pure-TS backend (targets: native ≥ 10×,
// wasm ≥ 4×). Run after `npm run build`: `node bench/modern.mjs` (`--quick`: 1/10 sizes;
// `--only EFL,ATSS,tood`: only the cases whose name contains one of the comma-separated words,
// case-insensitive, plus maxIouAssign when an assigner is picked; `--rounds N`: N interleaved rounds,
// default 3, 1 with --quick — see runSuite).
import { runSuite, ratios, machine, here } from './lib.mjs';
import {
  qualityFocalLoss, varifocalLoss, equalizedFocalLoss, createEflState, distributionFocalLoss, balancedL1Loss, giouLoss, ciouLoss,
  atssAssign, taskAlignedAssign, maxIouAssign, useBackend, backendInfo,
} from '../dist/index.mjs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const quick = process.argv.includes('--quick');
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg >= 0 ? (process.argv[onlyArg + 1] ?? '').toLowerCase().split(',').filter(Boolean) : null;
const picked = (name) => !only || only.some((w) => name.toLowerCase().includes(w));
const N = quick ? 10_000 : 100_000, C = 80, NB = quick ? 10_000 : 100_000, NA = quick ? 10_000 : 100_000, G = 50;

let s = 12345;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
// classification: logits around the prior bias, ~1% positives with IoU scores
const logits = Float32Array.from({ length: N * C }, () => -4.6 + (rnd() + rnd() + rnd() - 1.5) * 4);
const labels = new Int32Array(N), scores = new Float32Array(N), vflTarget = new Float32Array(N * C), onehot = new Float32Array(N * C);
let numPos = 0;
for (let i = 0; i < N; i++) {
  labels[i] = C;
  if (rnd() < 0.01) {
    labels[i] = Math.floor(rnd() * C);
    scores[i] = 0.3 + 0.7 * rnd();
    vflTarget[i * C + labels[i]] = scores[i];
    onehot[i * C + labels[i]] = 1;
    numPos++;
  }
}
const x = { data: logits, shape: [N, C] };
const dflPred = { data: Float32Array.from({ length: 4 * N * 17 }, () => rnd() * 4 - 2), shape: [4 * N, 17] };
const dflTarget = Float32Array.from({ length: 4 * N }, () => rnd() * 15.9);
// boxes: pred = jittered target
const box = () => { const x1 = rnd() * 600, y1 = rnd() * 600; return [x1, y1, x1 + 8 + rnd() * 200, y1 + 8 + rnd() * 200]; };
const tgt = new Float32Array(4 * NB), prd = new Float32Array(4 * NB);
for (let i = 0; i < NB; i++) {
  const b = box();
  tgt.set(b, 4 * i);
  prd.set(b.map((v) => v + (rnd() - 0.5) * 20), 4 * i);
}
const deltas = { data: Float32Array.from({ length: 4 * NB }, () => (rnd() - 0.5) * 3), shape: [NB, 4] };
const zeros = { data: new Float32Array(4 * NB), shape: [NB, 4] };
// assigners: one square anchor (8·stride, ATSS-style) per location of a 5-level grid (strides
// 8..128) over a 2240×2240 image, cut at NA anchors; 50 gts spread over the image
const S = quick ? 720 : 2240;
const anchors = [], points = [], levels = [];
for (const stride of [8, 16, 32, 64, 128]) {
  let count = 0;
  for (let y = stride / 2; y < S && anchors.length / 4 < NA; y += stride) {
    for (let xx = stride / 2; xx < S && anchors.length / 4 < NA; xx += stride) {
      const h = 4 * stride;
      anchors.push(xx - h, y - h, xx + h, y + h);
      points.push(xx, y);
      count++;
    }
  }
  levels.push(count);
}
const P = anchors.length / 4;
const priors = Float32Array.from(anchors), anchorPoints = { data: Float32Array.from(points), shape: [P, 2] };
const gts = new Float32Array(4 * G), gtLabels = Int32Array.from({ length: G }, () => Math.floor(rnd() * C));
for (let j = 0; j < G; j++) {
  const x1 = rnd() * (S - 420), y1 = rnd() * (S - 420);
  gts.set([x1, y1, x1 + 16 + rnd() * 400, y1 + 16 + rnd() * 400], 4 * j);
}
const predBoxes = Float32Array.from(anchors, (v) => v + (rnd() - 0.5) * 16);
const predScores = { data: Float32Array.from({ length: P * C }, () => rnd()), shape: [P, C] };
// EFL after some training: every class off balance (g_j in (0, 1), non-integer γ_j); the standard
// case above is the first step's state (g = 1: the focal loss)
const eflMixed = createEflState(C);
for (let j = 0; j < C; j++) eflMixed.posNeg[j] = 0.05 + 0.9 * rnd();

const backends = ['native', 'wasm', 'ts'];
const cases = [];
const add = (name, units, fn, its = [8, 8, 3]) =>
  (picked(name) || (name.startsWith('maxIouAssign') && only.some((w) => /atss|tal|tood|yolo/.test(w)))) &&
  backends.forEach((b, k) => cases.push({ name: `${name} ${b}`, backend: b, units, setup: () => useBackend(b), iterations: its[k], fn }));
add('QFL 100k×80', N * C, () => qualityFocalLoss(x, { labels, scores }, { avgFactor: numPos }));
add('VFL 100k×80', N * C, () => varifocalLoss(x, { data: vflTarget, shape: [N, C] }, { avgFactor: numPos }));
add('EFL 100k×80', N * C, () => equalizedFocalLoss(x, { data: onehot, shape: [N, C] }, { avgFactor: numPos }));
add('EFL 100k×80 mixed state', N * C, () => equalizedFocalLoss(x, { data: onehot, shape: [N, C] }, { avgFactor: numPos, state: eflMixed }));
add('DFL 400k×17', 4 * N * 17, () => distributionFocalLoss(dflPred, dflTarget, { avgFactor: 4 * numPos }));
add('BalancedL1 100k×4', 4 * NB, () => balancedL1Loss(deltas, zeros));
add('GIoU 100k', NB, () => giouLoss(prd, tgt));
add('CIoU 100k', NB, () => ciouLoss(prd, tgt));
add(`maxIouAssign ${P}×${G}`, P * G, () => maxIouAssign(priors, gts, { posIouThr: 0.5, negIouThr: 0.4, gtLabels }), [4, 4, 2]);
add(`ATSS ${P}×${G}`, P * G, () => atssAssign(priors, gts, gtLabels, { numLevelPriors: levels }), [4, 4, 2]);
add(`TAL tood ${P}×${G}`, P * G, () => taskAlignedAssign(priors, predBoxes, predScores, gts, gtLabels), [4, 4, 2]);
add(`TAL yolov8 ${P}×${G}`, P * G, () => taskAlignedAssign(anchorPoints, predBoxes, predScores, gts, gtLabels, { variant: 'yolov8' }), [4, 4, 2]);

const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg >= 0 ? Number(process.argv[roundsArg + 1]) : quick ? 1 : 3;
const rows = await runSuite({ title: `issue 14 methods (${machine().cpu})`, unit: 'units', cases, out: 'modern', time: quick ? 300 : 1000, rounds });
useBackend('auto');
const specs = [];
for (const n of ['QFL 100k×80', 'VFL 100k×80', 'EFL 100k×80', 'EFL 100k×80 mixed state', 'DFL 400k×17', 'BalancedL1 100k×4', 'GIoU 100k', 'CIoU 100k', `ATSS ${P}×${G}`, `TAL tood ${P}×${G}`, `TAL yolov8 ${P}×${G}`]) {
  if (!picked(n)) continue;
  specs.push([`${n}: native / ts`, `${n} native`, `${n} ts`, 10], [`${n}: wasm / ts`, `${n} wasm`, `${n} ts`, 4]);
}
for (const b of backends) {
  for (const a of ['ATSS', 'TAL tood', 'TAL yolov8']) if (picked(a) && cases.some((c) => c.name.startsWith('maxIouAssign'))) specs.push([`${a} / maxIouAssign time (${b})`, `maxIouAssign ${P}×${G} ${b}`, `${a} ${P}×${G} ${b}`]);
}
const r = ratios(rows, specs);
if (!only) writeFileSync(join(here, 'results', 'modern-ratios.json'), JSON.stringify({ date: new Date().toISOString(), machine: machine(), backend: backendInfo(), ratios: r }, null, 2));
