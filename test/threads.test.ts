/**
 * Native worker threads (issue 12 item 1): every op gives bit-identical results with 1, 2 and N
 * threads (fixed chunking, float64 partial sums merged in chunk order), `setThreads` validation,
 * and `backendInfo().threads`. Sizes are above the parallel threshold and not multiples of a chunk.
 */
import {
  backendInfo, bboxOverlaps, carlLoss, ghmcLoss, ghmrLoss, isrP, maxIouAssign, setThreads, sigmoidCrossEntropy,
  sigmoidFocalLoss, focalLossStar, softmaxFocalLoss, smoothL1Loss, asl1Loss, useBackend, createGhmState, ohemSample, randomSample,
} from '../ts/index';
import { mulberry32 } from '../packages/cli/src/analyze/samples';
import { expectError } from './helpers';

const r = mulberry32(12);
const boxes = (n: number, span = 800) => {
  const b = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const x = r() * span, y = r() * span, w = 4 + r() * 120, h = 4 + r() * 120;
    b.set([x, y, x + w, y + h], 4 * i);
  }
  return b;
};
const logits = (len: number) => Float32Array.from({ length: len }, () => (r() - 0.5) * 12);
const labels = (n: number, c: number) => Int32Array.from({ length: n }, () => Math.floor(r() * (c + 1)));

const N = 8001, C = 37; // 296 037 elements: above the threshold, chunks of unequal length
const b1 = boxes(1213), b2 = boxes(227), priors = boxes(20011), gts = boxes(23);
const x = logits(N * C), lab = labels(N, C), lw = Float32Array.from({ length: N }, () => (r() < 0.1 ? 0 : 1));
const soft = Float32Array.from({ length: N * C }, () => (r() < 0.9 ? Math.round(r()) : r()));
const softLab = Int32Array.from(lab, (v) => v % C);
const pred = logits(300001), target = logits(300001); // GHM-R, smooth L1, ASL1: above the threshold
const n = 5000, cols = 9;
const pl = Int32Array.from({ length: n }, (_, i) => i % (cols - 1));
const isrIn = { labels: pl, gtInds: Int32Array.from({ length: n }, (_, i) => i % 300), ious: Float32Array.from({ length: n }, () => r()), clsScore: { data: logits(n * cols), shape: [n, cols] } };
const cs = logits(n * cols), bp = logits(n * 4), bt = logits(n * 4);
const ohemLoss = logits(20034).map(Math.abs);

/** Every op, its result flattened to the typed arrays and scalars that must match bit for bit. */
function runAll(): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  const t = (v: { data: ArrayLike<number> }) => v.data;
  for (const mode of ['iou', 'iof', 'giou'] as const) out[`bboxOverlaps ${mode}`] = [t(bboxOverlaps(b1, b2, { mode }))];
  out.bboxOverlapsAligned = [t(bboxOverlaps(priors, priors.slice().reverse(), { aligned: true }))];
  const a = maxIouAssign(priors, gts, { posIouThr: 0.5, negIouThr: 0.4, minPosIou: 0, gtLabels: Int32Array.from({ length: 23 }, (_, i) => i % 5) });
  out.maxIouAssign = [t(a.gtInds), t(a.maxOverlaps), t(a.labels)];
  const sh = { data: x, shape: [N, C] };
  for (const [name, f] of [['sigmoidFocalLoss', sigmoidFocalLoss], ['sigmoidCrossEntropy', sigmoidCrossEntropy], ['focalLossStar', focalLossStar]] as const) {
    const l = (f as typeof sigmoidFocalLoss)(sh, lab, { labelWeights: lw });
    out[name] = [l.loss, t(l.lossElements), t(l.grad)];
  }
  const fs = sigmoidFocalLoss(sh, { data: soft, shape: [N, C] }, { gamma: 1.5, alpha: 0.3 });
  out['sigmoidFocalLoss soft'] = [fs.loss, t(fs.lossElements), t(fs.grad)];
  const sm = softmaxFocalLoss(sh, softLab, {});
  out.softmaxFocalLoss = [sm.loss, t(sm.lossElements), t(sm.grad)];
  const st = createGhmState(10);
  for (let step = 0; step < 2; step++) {
    const g = ghmcLoss(sh, lab, { labelWeights: lw, state: st, momentum: 0.75 });
    out[`ghmcLoss ${step}`] = [g.loss, t(g.lossElements), t(g.grad), t(g.weights), t(g.g), ...st.accSum];
  }
  const gr = ghmrLoss(pred, target, { momentum: 0 });
  out.ghmrLoss = [gr.loss, t(gr.lossElements), t(gr.grad)];
  const grw = ghmrLoss(pred, target, { labelWeights: Float32Array.from(pred, (_, i) => (i % 7 === 0 ? 0 : 1)), momentum: 0.5, state: createGhmState(10) });
  out['ghmrLoss labelWeights'] = [grw.loss, t(grw.lossElements), t(grw.grad), t(grw.weights), ...grw.state!.accSum];
  const s1 = smoothL1Loss(pred, target, { beta: 0.5 });
  out.smoothL1Loss = [s1.loss, t(s1.grad)];
  const s2 = smoothL1Loss({ data: pred.subarray(0, 300000), shape: [75000, 4] }, { data: target.subarray(0, 300000), shape: [75000, 4] }, { beta: 0, weight: Float32Array.from({ length: 75000 }, (_, i) => i % 3) });
  out['smoothL1Loss L1, row weights'] = [s2.loss, t(s2.grad)];
  const a1 = asl1Loss(pred, target, { mu: 0.02 });
  out.asl1Loss = [a1.loss, t(a1.grad)];
  const isr = isrP(isrIn, { numClasses: cols - 1 });
  out.isrP = [t(isr.weights)];
  const isrF = isrP({ ...isrIn, clsScore: { data: isrIn.clsScore.data, shape: [n, cols] } }, { numClasses: cols, clsLoss: 'focal' });
  out['isrP focal'] = [t(isrF.weights)];
  const carl = carlLoss({ data: cs, shape: [n, cols] }, pl, { data: bp, shape: [n, 4] }, { data: bt, shape: [n, 4] }, {});
  out.carlLoss = [carl.loss, t(carl.gradClsScore), t(carl.gradBboxPred)];
  const carlS = carlLoss({ data: cs, shape: [n, cols] }, Int32Array.from(pl, (v, i) => (i % 4 === 0 ? cols : v)), { data: bp, shape: [n, 4] }, { data: bt, shape: [n, 4] }, { sigmoid: true });
  out['carlLoss sigmoid'] = [carlS.loss, t(carlS.gradClsScore), t(carlS.gradBboxPred), t(carlS.weights)];
  out.randomSample = [t(randomSample(a, { num: 512, posFraction: 0.25, seed: 3 }).posInds)];
  out.ohemSample = [t(ohemSample(a, ohemLoss, { num: 512, posFraction: 0.25 }).negInds)];
  return out;
}

/** Compares two results bit for bit (NaN-aware), naming the op and index on failure. */
function expectSameBits(a: Record<string, unknown[]>, b: Record<string, unknown[]>, label: string): void {
  expect(Object.keys(b)).toEqual(Object.keys(a));
  for (const op of Object.keys(a)) {
    a[op].forEach((va, k) => {
      const vb = b[op][k];
      if (typeof va === 'number') {
        expect([`${label} ${op}[${k}]`, Object.is(va, vb) ? 'same' : `${va} vs ${vb}`]).toEqual([`${label} ${op}[${k}]`, 'same']);
        return;
      }
      const ua = new Uint8Array((va as Float32Array).buffer, (va as Float32Array).byteOffset, (va as Float32Array).byteLength);
      const ub = new Uint8Array((vb as Float32Array).buffer, (vb as Float32Array).byteOffset, (vb as Float32Array).byteLength);
      expect(ua.length).toBe(ub.length);
      expect(ua.length).toBeGreaterThan(0);
      const bad = ua.findIndex((v, i) => v !== ub[i]);
      expect([`${label} ${op}[${k}]`, bad]).toEqual([`${label} ${op}[${k}]`, -1]);
    });
  }
}

describe('native threads', () => {
  const before = backendInfo().threads;
  beforeAll(() => useBackend('native'));
  afterAll(() => {
    setThreads(Math.max(1, before));
    useBackend('auto');
  });

  test('1, 2 and N threads give bit-identical results on every op', () => {
    setThreads(1);
    expect(backendInfo().threads).toBe(1);
    const one = runAll();
    for (const n of [2, 3, 8]) {
      setThreads(n);
      expect(backendInfo().threads).toBe(n);
      expectSameBits(one, runAll(), `${n} threads`);
    }
  });

  test('the results are those of the wasm backend (single-threaded) within float32 kernel tolerance', () => {
    setThreads(4);
    const nat = sigmoidFocalLoss({ data: x, shape: [N, C] }, lab, {});
    useBackend('wasm');
    const w = sigmoidFocalLoss({ data: x, shape: [N, C] }, lab, {});
    useBackend('native');
    expect(Math.abs(nat.loss - w.loss)).toBeLessThan(1e-6 * Math.abs(w.loss));
    expect(backendInfo().threads).toBe(4);
  });

  test('setThreads rejects 0, negative, non-integer and > 1024 with E_OPTION', () => {
    for (const bad of [0, -1, 1.5, 1025, NaN, Infinity, '2' as unknown as number]) expectError(() => setThreads(bad), 'E_OPTION', 'n');
    setThreads(1024);
    expect(backendInfo().threads).toBe(1024);
    setThreads(2);
  });

  test('a bad prior in a later parallel block of maxIouAssign names its first element, on every thread count and backend', () => {
    // the priors are checked inside the assignment's parallel blocks (2048 priors each): the error
    // must still be the first bad element, and the priors' before the gts'
    const pr = priors.slice();
    pr[4 * 15000 + 2] = NaN;
    pr[4 * 19000] = Infinity;
    const g = gts.slice();
    const msgs: string[] = [];
    for (const be of ['native', 'wasm', 'ts'] as const) {
      useBackend(be);
      for (const t of be === 'native' ? [1, 2, 3] : [1]) {
        if (be === 'native') setThreads(t);
        msgs.push(expectError(() => maxIouAssign(pr, g, { posIouThr: 0.5, negIouThr: 0.4 }), 'E_VALUE', 'priors').message);
        g[5] = NaN;
        expectError(() => maxIouAssign(pr, g, { posIouThr: 0.5, negIouThr: 0.4 }), 'E_VALUE', 'priors');
        expectError(() => maxIouAssign(priors, g, { posIouThr: 0.5, negIouThr: 0.4 }), 'E_VALUE', 'gt');
        g[5] = gts[5];
      }
    }
    useBackend('native');
    expect(msgs[0]).toMatch(/element 60002 is NaN/);
    for (const m of msgs) expect(m).toBe(msgs[0]);
  });

  test('wasm and ts report one thread', () => {
    useBackend('wasm');
    expect(backendInfo().threads).toBe(1);
    useBackend('ts');
    expect(backendInfo().threads).toBe(1);
    useBackend('native');
  });
});

describe('native default outputs from the page-keeping pool (issue 12 item 6)', () => {
  beforeAll(() => useBackend('native'));
  afterAll(() => useBackend('auto'));

  test('large default outputs are distinct, exact, and survive later calls', async () => {
    const big1 = boxes(700), big2 = boxes(500); // 350k pairs: 1.4 MB, served by the pool
    const ref = bboxOverlaps(big1, big2, { out: new Float32Array(700 * 500) }).data.slice();
    const a = bboxOverlaps(big1, big2).data;
    const b = bboxOverlaps(big2, big1).data;
    expect(a.buffer).not.toBe(b.buffer);
    expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(ref.buffer))).toBe(true);
    // results dropped and collected go back to the pool; a new call reuses the block and is exact
    for (let i = 0; i < 6; i++) {
      bboxOverlaps(big1, big2);
      await new Promise((r) => setImmediate(r));
    }
    const c = bboxOverlaps(big1, big2).data;
    expect(Buffer.from(c.buffer, c.byteOffset, c.byteLength).equals(Buffer.from(ref.buffer))).toBe(true);
    expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(ref.buffer))).toBe(true);
    const big = { data: x, shape: [N, C] };
    const f1 = sigmoidFocalLoss(big, lab, {}), f2 = sigmoidFocalLoss(big, lab, { out: { lossElements: new Float32Array(N * C), grad: new Float32Array(N * C) } });
    expect(Array.from(f1.grad.data)).toEqual(Array.from(f2.grad.data));
    expect(f1.loss).toBe(f2.loss);
  });
});
