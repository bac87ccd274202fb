/**
 * Native worker threads for the issue-14 losses (QFL, VFL, EFL, DFL, Balanced L1, IoU family) and
 * assigners (ATSS, task-aligned tood / yolov8):
 * bit-identical results with 1, 2, 3 and 8 threads (fixed chunks of `par::CHUNK_WORK` work units,
 * float64 partial sums — and EFL's per-class |grad| sums — merged in chunk order), and the same
 * answer as the single-threaded wasm backend within float32 kernel tolerance. Sizes are above the
 * parallel threshold (256 Ki work units) and not multiples of a chunk.
 */
import {
  backendInfo, setThreads, useBackend, qualityFocalLoss, varifocalLoss, equalizedFocalLoss, createEflState, distributionFocalLoss,
  balancedL1Loss, iouLoss, giouLoss, diouLoss, ciouLoss, atssAssign, taskAlignedAssign,
} from '../ts/index';
import { mulberry32 } from '../packages/cli/src/analyze/samples';

const r = mulberry32(14);
const N = 7001, C = 41; // 287 041 elements
const x = Float32Array.from({ length: N * C }, () => (r() - 0.5) * 14 - 2);
const labels = Int32Array.from({ length: N }, () => (r() < 0.05 ? Math.floor(r() * C) : C));
const scores = Float32Array.from({ length: N }, () => r());
const q = new Float32Array(N * C), onehot = new Float32Array(N * C);
labels.forEach((l, i) => {
  if (l < C) {
    q[i * C + l] = scores[i];
    onehot[i * C + l] = 1;
  }
});
const rowW = Float32Array.from({ length: N }, () => (r() < 0.1 ? 0 : r() * 2));
const B = 17, R = 17011; // DFL: 289 187 logits
const dp = Float32Array.from({ length: R * B }, () => (r() - 0.5) * 8), dt = Float32Array.from({ length: R }, () => r() * (B - 1.01));
const M = 70003; // Balanced L1: elementwise
const bp = Float32Array.from({ length: M * 4 }, () => (r() - 0.5) * 4), bt = Float32Array.from({ length: M * 4 }, () => (r() - 0.5) * 0.5);
const P = 20011; // IoU family: 16 work units a pair
const boxes = new Float32Array(4 * P), pred = new Float32Array(4 * P);
for (let i = 0; i < P; i++) {
  const x1 = r() * 600, y1 = r() * 600, b = [x1, y1, x1 + 4 + r() * 150, y1 + 4 + r() * 150];
  boxes.set(b, 4 * i);
  pred.set(b.map((v) => v + (r() - 0.5) * 30), 4 * i);
}

// assigners: 20 011 anchors × 23 gts (460 253 pairs), 3 classes
const K = 23;
const gts = new Float32Array(4 * K);
for (let j = 0; j < K; j++) {
  const x1 = r() * 500, y1 = r() * 500;
  gts.set([x1, y1, x1 + 20 + r() * 200, y1 + 20 + r() * 200], 4 * j);
}
const gtLabels = Int32Array.from({ length: K }, (_, j) => j % 3);
const talScores = { data: Float32Array.from({ length: P * 3 }, () => r()), shape: [P, 3] };
const points = { data: Float32Array.from({ length: 2 * P }, (_, k) => (boxes[4 * (k >> 1) + (k & 1)] + boxes[4 * (k >> 1) + 2 + (k & 1)]) / 2), shape: [P, 2] };

function runAssigners(): Record<string, ArrayLike<number>[]> {
  const out: Record<string, ArrayLike<number>[]> = {};
  const a = atssAssign(boxes, gts, gtLabels, { numLevelPriors: [12000, 6000, P - 18000] });
  out.atssAssign = [a.gtInds.data, a.labels.data, a.assignedIou.data, a.iouThr.data, a.candidates.data];
  for (const variant of ['tood', 'yolov8'] as const) {
    const t = taskAlignedAssign(variant === 'tood' ? boxes : points, pred, talScores, gts, gtLabels, { variant, withMetrics: true });
    out[`taskAlignedAssign ${variant}`] = [t.gtInds.data, t.labels.data, t.assignMetrics.data, t.assignedIou.data, t.normAlignmentMetrics.data, t.alignmentMetrics!.data];
  }
  return out;
}

function runAll(): Record<string, ArrayLike<number>[]> {
  const out: Record<string, ArrayLike<number>[]> = {};
  const sh = { data: x, shape: [N, C] };
  const qf = qualityFocalLoss(sh, { labels, scores }, { weight: rowW, avgFactor: 350 });
  out.qualityFocalLoss = [[qf.loss], qf.lossElements.data, qf.grad.data];
  const vf = varifocalLoss(sh, { data: q, shape: [N, C] }, { avgFactor: 350 });
  out.varifocalLoss = [[vf.loss], vf.lossElements.data, vf.grad.data];
  let state = createEflState(C);
  for (let s = 0; s < 2; s++) {
    const e = equalizedFocalLoss(sh, { data: onehot, shape: [N, C] }, { state, weight: rowW });
    state = e.state;
    out[`equalizedFocalLoss ${s}`] = [[e.loss], e.lossElements.data, e.grad.data, state.posGrad, state.negGrad, state.posNeg];
  }
  const d = distributionFocalLoss({ data: dp, shape: [R, B] }, dt, { avgFactor: 4000 });
  out.distributionFocalLoss = [[d.loss], d.lossElements.data, d.grad.data];
  const bl = balancedL1Loss({ data: bp, shape: [M, 4] }, { data: bt, shape: [M, 4] }, { beta: 0.5 });
  out.balancedL1Loss = [[bl.loss], bl.lossElements.data, bl.grad.data];
  for (const [name, f] of [['iouLoss', iouLoss], ['giouLoss', giouLoss], ['diouLoss', diouLoss], ['ciouLoss', ciouLoss]] as const) {
    const l = (f as typeof giouLoss)(pred, boxes, {});
    out[name] = [[l.loss], l.lossElements.data, l.grad.data, l.iou.data, ...(l.ciouAlpha ? [l.ciouAlpha.data, l.ciouV!.data] : [])];
  }
  return { ...out, ...runAssigners() };
}

/** Bit-for-bit comparison (Object.is per element), naming the op, output and index on failure. */
function expectSameBits(a: Record<string, ArrayLike<number>[]>, b: Record<string, ArrayLike<number>[]>, label: string): void {
  expect(Object.keys(b)).toEqual(Object.keys(a));
  for (const op of Object.keys(a)) {
    a[op].forEach((va, k) => {
      const vb = b[op][k];
      expect(vb.length).toBe(va.length);
      expect(va.length).toBeGreaterThan(0);
      let bad = -1;
      for (let i = 0; i < va.length && bad < 0; i++) if (!Object.is(va[i], vb[i])) bad = i;
      expect([`${label} ${op}[${k}]`, bad]).toEqual([`${label} ${op}[${k}]`, -1]);
    });
  }
}

describe('native threads: issue-14 losses', () => {
  const before = backendInfo().threads;
  beforeAll(() => useBackend('native'));
  afterAll(() => {
    setThreads(Math.max(1, before));
    useBackend('auto');
  });

  test('1, 2, 3 and 8 threads give bit-identical results', () => {
    setThreads(1);
    const one = runAll();
    for (const n of [2, 3, 8]) {
      setThreads(n);
      expect(backendInfo().threads).toBe(n);
      expectSameBits(one, runAll(), `${n} threads`);
    }
  });

  test('the multi-threaded results are the wasm backend\'s within float32 kernel tolerance', () => {
    setThreads(4);
    const nat = runAll();
    useBackend('wasm');
    const w = runAll();
    useBackend('native');
    for (const op of Object.keys(w)) {
      const [ln] = nat[op], [lw] = w[op];
      expect([op, Math.abs(ln[0] - lw[0]) <= 2e-6 * Math.abs(lw[0]) + 1e-9]).toEqual([op, true]);
    }
  });

  test('the assigners\' chunked top-k (per-chunk lists merged in chunk order) equals the sequential TS twin', () => {
    setThreads(3);
    const nat = runAssigners();
    useBackend('ts');
    const ts = runAssigners();
    useBackend('native');
    for (const op of Object.keys(ts)) {
      expect([op, Array.from(nat[op][0])]).toEqual([op, Array.from(ts[op][0])]); // gtInds exactly
      const pos = Array.from(ts[op][0]).filter((v) => v > 0).length;
      expect(pos).toBeGreaterThan(20);
    }
    expect(Array.from(nat.atssAssign[4])).toEqual(Array.from(ts.atssAssign[4])); // ATSS candidates
  });
});
