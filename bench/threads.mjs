// Native worker threads (issue 12): 2 threads vs 1 thread, and the default call (fresh outputs)
// vs the tuned one (reused `out`), for IoU 20k×2k, focal fwd+bwd 100k×80, GHM-C 100k×80 and
// MaxIoU assignment 100k×50, in one run. Targets: 2T/1T ≥ 1.7× (on a quiet 2-core machine),
// fresh/reused ≥ 0.7×. Run after `npm run build`: `node bench/threads.mjs [--quick] [--rounds N]`
// (N interleaved rounds of every case, default 3, 1 with --quick; see runSuite in lib.mjs).
// Note: on a shared machine other processes load the cores, which caps the 2T/1T ratio.
import { readdirSync, readFileSync } from 'node:fs';
import { runSuite, ratios } from './lib.mjs';
import { bboxOverlaps, sigmoidFocalLoss, ghmcLoss, ghmrLoss, smoothL1Loss, carlLoss, maxIouAssign, createGhmState, setThreads, useBackend, backendInfo } from '../dist/index.mjs';

const quick = process.argv.includes('--quick');
const turn = () => new Promise((resolve) => setImmediate(resolve));
let s = 7;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const boxes = (n) => {
  const b = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const w = 8 + rnd() * 200, h = 8 + rnd() * 200, x = rnd() * 1333, y = rnd() * 800;
    b.set([x, y, x + w, y + h], 4 * i);
  }
  return b;
};
const [IN, IM] = quick ? [5000, 2000] : [20_000, 2000];
const b1 = boxes(IN), b2 = boxes(IM);
const N = quick ? 25_000 : 100_000, C = 80;
const logits = Float32Array.from({ length: N * C }, () => -4.6 + (rnd() + rnd() + rnd() - 1.5) * 4);
const labels = Int32Array.from({ length: N }, () => (rnd() < 0.01 ? Math.floor(rnd() * C) : C));
const x = { data: logits, shape: [N, C] };
const P = quick ? 25_000 : 100_000, G = 50;
const priors = boxes(P), gts = boxes(G), gtLabels = Int32Array.from({ length: G }, (_, i) => i % C);

useBackend('native');
const iouOut = new Float32Array(IN * IM);
const focalOut = { lossElements: new Float32Array(N * C), grad: new Float32Array(N * C) };
const ghmOut = { lossElements: new Float32Array(N * C), grad: new Float32Array(N * C), weights: new Float32Array(N * C), g: new Float32Array(N * C) };
const state = createGhmState(30);
const R = quick ? 100_000 : 400_000; // GHM-R / smooth L1 deltas [R, 4]
const deltas = { data: Float32Array.from({ length: R * 4 }, () => (rnd() - 0.5) * 0.4), shape: [R, 4] }, zeros = { data: new Float32Array(R * 4), shape: [R, 4] };
const K = quick ? 5000 : 20_000, KC = 81; // CARL positives, softmax over 81 columns
const carlIn = [{ data: Float32Array.from({ length: K * KC }, () => (rnd() - 0.5) * 8), shape: [K, KC] }, Int32Array.from({ length: K }, (_, i) => i % (KC - 1)), { data: deltas.data.subarray(0, K * 4), shape: [K, 4] }, { data: zeros.data.subarray(0, K * 4), shape: [K, 4] }];
const ops = {
  [`IoU ${IN}×${IM}`]: { units: IN * IM, fresh: () => bboxOverlaps(b1, b2), reused: () => bboxOverlaps(b1, b2, { out: iouOut }) },
  [`focal fwd+bwd ${N}×${C}`]: { units: N * C, fresh: () => sigmoidFocalLoss(x, labels, {}), reused: () => sigmoidFocalLoss(x, labels, { out: focalOut }) },
  [`GHM-C ${N}×${C}`]: { units: N * C, fresh: () => ghmcLoss(x, labels, { bins: 30, momentum: 0.75, state }), reused: () => ghmcLoss(x, labels, { bins: 30, momentum: 0.75, state, out: ghmOut }) },
  [`GHM-R ${R}×4`]: { units: R * 4, reused: () => ghmrLoss(deltas, zeros, { momentum: 0.7, state: createGhmState(10) }) },
  [`smooth L1 ${R}×4`]: { units: R * 4, reused: () => smoothL1Loss(deltas, zeros, { beta: 1 / 9 }) },
  [`CARL ${K}×${KC}`]: { units: K * KC, reused: () => carlLoss(...carlIn) },
  [`assign ${P}×${G}`]: { units: P * G, reused: () => maxIouAssign(priors, gts, { posIouThr: 0.5, negIouThr: 0.4, gtLabels }) },
};
const cases = [];
for (const [op, o] of Object.entries(ops)) {
  for (const t of [1, 2]) {
    cases.push({ name: `${op} ${t}T`, units: o.units, setup: () => setThreads(t), fn: o.reused, iterations: 10 });
    if (o.fresh) {
      // fresh outputs in a loop that never yields (the runner awaits only a microtask) and in one
      // that lets the event loop turn after each call (as a server or data pipeline does)
      cases.push({ name: `${op} ${t}T fresh output`, units: o.units, setup: () => setThreads(t), fn: o.fresh, iterations: 10 });
      cases.push({ name: `${op} ${t}T fresh output, yielding`, units: o.units, setup: () => setThreads(t), fn: async () => { o.fresh(); await turn(); }, iterations: 10 });
    }
  }
}
const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg >= 0 ? Number(process.argv[roundsArg + 1]) : quick ? 1 : 3;
const rows = await runSuite({ title: `native threads (machine: ${backendInfo().threads} threads by default)`, unit: 'units', cases, out: 'threads', time: quick ? 300 : 1500, rounds });
const specs = [];
for (const [op, o] of Object.entries(ops)) {
  specs.push([`${op}: 2 threads / 1 thread`, `${op} 2T`, `${op} 1T`, 1.7]);
  if (o.fresh) {
    for (const t of [1, 2]) {
      specs.push([`${op}: fresh / reused output, ${t}T`, `${op} ${t}T fresh output`, `${op} ${t}T`, 0.7]);
      specs.push([`${op}: fresh (yielding) / reused output, ${t}T`, `${op} ${t}T fresh output, yielding`, `${op} ${t}T`, 0.7]);
    }
  }
}
ratios(rows, specs);

// CPU time per thread (Linux /proc, 10 ms ticks summed over many calls): the calling thread's serial
// share at 2 threads and the speed-up it allows, 1T CPU / (calling thread + busiest worker at 2T).
// Unlike the wall-clock ratios above this holds on a loaded machine (other processes stretch the
// wall time, not the CPU time a thread spends).
function threadCpu() {
  const o = {};
  for (const t of readdirSync('/proc/self/task')) {
    try {
      const st = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      const comm = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'));
      const k = t === String(process.pid) ? 'calling' : comm.startsWith('soft-sampling-') ? comm : 'other';
      o[k] = (o[k] ?? 0) + (Number(f[11]) + Number(f[12])) * 10;
    } catch {}
  }
  return o;
}
if (process.platform === 'linux') {
  const calls = quick ? 20 : 100;
  console.log(`\nCPU ms per call by thread (${calls} calls, reused outputs):`);
  console.log('op'.padEnd(34), '1T calling', '2T calling', '2T workers', 'CPU bound 2T/1T');
  for (const [op, o] of Object.entries(ops)) {
    const per = {};
    for (const t of [1, 2]) {
      setThreads(t);
      for (let i = 0; i < 3; i++) o.reused();
      const a = threadCpu();
      for (let i = 0; i < calls; i++) o.reused();
      const b = threadCpu();
      per[t] = Object.fromEntries(Object.keys(b).map((k) => [k, (b[k] - (a[k] ?? 0)) / calls]));
    }
    const one = per[1].calling;
    const workers = Object.entries(per[2]).filter(([k]) => k.startsWith('soft-sampling-')).map(([, v]) => v);
    const busiest = workers.length ? Math.max(...workers) : 0;
    console.log(op.padEnd(34), per[1].calling.toFixed(2).padStart(10), per[2].calling.toFixed(2).padStart(10), workers.map((v) => v.toFixed(2)).join('/').padStart(10), (one / (per[2].calling + busiest)).toFixed(2).padStart(15));
  }
}
