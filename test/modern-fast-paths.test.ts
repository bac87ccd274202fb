/**
 * The fast paths of the issue-14 kernels give the answers of their plain definitions:
 * - ATSS's block search (a level's priors in blocks of 32, most blocks skipped on a distance
 *   bound) against the TS twin's full scan, on priors out of grid order, with shared centres and
 *   distance ties, topk above and below the block size;
 * - the sparse tood pass of the task-aligned assigner (only overlapping anchor blocks, scores read
 *   only when u^β can beat the k-th) against the dense pass the same kernel runs when the N·K
 *   metrics are asked for, and against the TS twin;
 * - the sparse yolov8 pass (only the anchor points inside each gt) against the dense pass and the TS twin;
 * - EFL at the balanced state (every g_j = 1, spec §8: the focal loss), which the Rust kernel
 *   computes in the focal kernel's product form, against sigmoidFocalLoss.
 */
import { atssAssign, taskAlignedAssign, equalizedFocalLoss, createEflState, sigmoidFocalLoss } from '../ts/index';
import { forEachBackend, onEveryBackend, expectClose } from './helpers';

let seed = 7;
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const ints = (a: ArrayLike<number>) => Array.from(a);

/** Priors of `levels` square grids (cells of `stride`), each level shuffled when `shuffle`, plus duplicates of some priors. */
function atssInput(shuffle: boolean) {
  const priors: number[] = [];
  const numLevelPriors: number[] = [];
  for (const [side, stride] of [[40, 8], [20, 16], [10, 32]] as const) {
    const level: number[][] = [];
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const cx = x * stride + stride / 2, cy = y * stride + stride / 2, h = 2 * stride;
        level.push([cx - h, cy - h, cx + h, cy + h]);
        // a second anchor shape on some centres (the atss_ties_boundary situation)
        if ((x + y) % 7 === 0) level.push([cx - h / 2, cy - h, cx + h / 2, cy + h]);
      }
    }
    if (shuffle) {
      for (let i = level.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [level[i], level[j]] = [level[j], level[i]];
      }
    }
    numLevelPriors.push(level.length);
    for (const b of level) priors.push(...b);
  }
  const gts: number[] = [];
  for (let j = 0; j < 14; j++) {
    // integer corners: gt centres on cell corners and centres, equidistant from several priors
    const x1 = Math.floor(rnd() * 280), y1 = Math.floor(rnd() * 280);
    gts.push(x1, y1, x1 + 8 * (1 + Math.floor(rnd() * 12)), y1 + 8 * (1 + Math.floor(rnd() * 12)));
  }
  gts.push(...gts.slice(0, 4)); // an identical gt: the first keeps the shared positives
  const labels = Array.from({ length: gts.length / 4 }, (_, j) => j % 5);
  return { priors: { data: Float32Array.from(priors), shape: [priors.length / 4, 4] }, gts: { data: Float32Array.from(gts), shape: [gts.length / 4, 4] }, labels, numLevelPriors };
}

describe('ATSS block search = full scan (TS twin)', () => {
  for (const shuffle of [false, true]) {
    for (const topk of [9, 1, 45]) {
      test(`${shuffle ? 'shuffled' : 'grid-order'} priors, topk ${topk}`, () => {
        const inp = atssInput(shuffle);
        const r = onEveryBackend(() => atssAssign(inp.priors, inp.gts, inp.labels, { topk, numLevelPriors: inp.numLevelPriors }));
        expect(r.ts.gtInds.data.some((g) => g > 0)).toBe(true);
        for (const b of ['native', 'wasm'] as const) {
          expect({ b, v: ints(r[b].candidates.data) }).toEqual({ b, v: ints(r.ts.candidates.data) });
          expect({ b, v: ints(r[b].gtInds.data) }).toEqual({ b, v: ints(r.ts.gtInds.data) });
          expect({ b, v: ints(r[b].labels.data) }).toEqual({ b, v: ints(r.ts.labels.data) });
          expectClose(r[b].iouThr.data, r.ts.iouThr.data, { abs: 1e-12, rel: 1e-12 }, `${b} iouThr`);
          expectClose(r[b].assignedIou.data, r.ts.assignedIou.data, { abs: 0, rel: 0 }, `${b} assignedIou`);
        }
      });
    }
  }
});

/** Anchors on a grid, predicted boxes = anchors (some shifted, some repeated), scores on a coarse grid of values (ties). */
function talInput() {
  const priors: number[] = [], pred: number[] = [];
  for (let y = 0; y < 48; y++) {
    for (let x = 0; x < 48; x++) {
      const cx = x * 6 + 3, cy = y * 6 + 3, h = 6 + 6 * ((x + y) % 3);
      priors.push(cx - h, cy - h, cx + h, cy + h);
      const s = (x * y) % 4 === 0 ? 0 : Math.round((rnd() - 0.5) * 8);
      pred.push(cx - h + s, cy - h, cx + h + s, cy + h);
    }
  }
  const n = priors.length / 4, c = 4;
  const scores = Float32Array.from({ length: n * c }, () => Math.floor(rnd() * 5) / 4);
  for (let i = 0; i < n; i++) scores[i * c + 3] = 0; // class 3 never scores: its gt gets no positive
  const gts: number[] = [];
  for (let j = 0; j < 10; j++) {
    const x1 = Math.floor(rnd() * 250), y1 = Math.floor(rnd() * 250);
    gts.push(x1, y1, x1 + 6 + Math.floor(rnd() * 60), y1 + 6 + Math.floor(rnd() * 60));
  }
  gts.push(500, 500, 520, 520); // overlaps nothing
  gts.push(...gts.slice(4, 8)); // identical to gt 1
  const labels = Array.from({ length: gts.length / 4 }, (_, j) => j % c);
  return { priors: Float32Array.from(priors), pred: Float32Array.from(pred), scores: { data: scores, shape: [n, c] }, gts: Float32Array.from(gts), labels };
}

describe('task-aligned tood: sparse pass = dense pass = TS twin', () => {
  for (const [topk, alpha, beta] of [[13, 1, 6], [4, 0.5, 2.5], [40, 2, 1]] as const) {
    test(`topk ${topk}, alpha ${alpha}, beta ${beta}`, () => {
      const t = talInput();
      const run = (withMetrics: boolean) => taskAlignedAssign(t.priors, t.pred, t.scores, t.gts, t.labels, { topk, alpha, beta, withMetrics });
      const sparse = onEveryBackend(() => run(false));
      const dense = onEveryBackend(() => run(true));
      expect(sparse.ts.gtInds.data.some((g) => g > 0)).toBe(true);
      for (const b of ['native', 'wasm', 'ts'] as const) {
        // the kernel's own two passes: the same bits
        for (const k of ['gtInds', 'labels', 'assignMetrics', 'assignedIou', 'normAlignmentMetrics'] as const) {
          expect({ b, k, v: ints(sparse[b][k].data) }).toEqual({ b, k, v: ints(dense[b][k].data) });
        }
        // and the TS twin's decisions
        expect({ b, v: ints(sparse[b].gtInds.data) }).toEqual({ b, v: ints(sparse.ts.gtInds.data) });
        expectClose(sparse[b].normAlignmentMetrics.data, sparse.ts.normAlignmentMetrics.data, { abs: 1e-7, rel: 1e-6 }, `${b} normAlignmentMetrics`);
      }
    });
  }
});

/**
 * yolov8 input: anchor points (the centres of {@link talInput}'s priors; a stretch of them shuffled,
 * so index order is not grid order), some on gt edges; gts that overlap (anchors picked twice), one
 * duplicated, one of a class that never scores (every inside t = 0: the picks are the first anchors
 * in index order, inside or not), ones holding fewer points than topk (two, 25) and one holding none.
 */
function yoloInput() {
  const t = talInput();
  const n = t.priors.length / 4;
  const pts = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    pts[2 * i] = (t.priors[4 * i] + t.priors[4 * i + 2]) / 2;
    pts[2 * i + 1] = (t.priors[4 * i + 1] + t.priors[4 * i + 3]) / 2;
  }
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 1200; i > 600; i--) {
    const j = 600 + Math.floor(rnd() * (i - 599));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const perm = <T extends Float32Array>(a: T, w: number) => {
    const b = new (a.constructor as new (n: number) => T)(a.length);
    order.forEach((o, i) => b.set(a.subarray(w * o, w * o + w), w * i));
    return b;
  };
  const gts = Array.from(t.gts);
  const labels = [...t.labels];
  const gt = (box: number[], label: number) => (gts.push(...box), labels.push(label));
  gt([3, 3, 21, 21], 0); // corners on cell centres: points on its edges (margin 1e-9: not inside)
  gt([100, 100, 104, 105], 1); // no point inside
  gt([40, 40, 52, 47], 2); // two points inside
  gt([0, 0, 40, 20], 3); // class 3 never scores: every t = 0, the picks are the first anchors (0..6 inside)
  gt([0, 0, 30, 30], 0); // 25 points: with topk 40 the rest of its picks are the first t = 0 anchors
  gt(gts.slice(8, 12), labels[2]); // identical to gt 2
  return { points: { data: perm(pts, 2), shape: [n, 2] }, pred: perm(t.pred, 4), scores: { data: perm(t.scores.data, 4), shape: [n, 4] }, gts: Float32Array.from(gts), labels };
}

describe('task-aligned yolov8: sparse pass = dense pass = TS twin', () => {
  for (const [topk, alpha, beta] of [[10, 0.5, 6], [3, 1, 2.5], [40, 0, 1], [13, 2, 0.5]] as const) {
    test(`topk ${topk}, alpha ${alpha}, beta ${beta}`, () => {
      const y = yoloInput();
      const run = (withMetrics: boolean) => taskAlignedAssign(y.points, y.pred, y.scores, y.gts, y.labels, { variant: 'yolov8', topk, alpha, beta, withMetrics });
      const sparse = onEveryBackend(() => run(false));
      const dense = onEveryBackend(() => run(true));
      const g = ints(sparse.ts.gtInds.data);
      expect(g.some((v) => v > 0)).toBe(true);
      // the never-scoring gt takes the inside points among the first topk anchors (t = 0 fill)
      expect(g.slice(0, 7).some((v) => v === 16)).toBe(true);
      for (const b of ['native', 'wasm', 'ts'] as const) {
        for (const k of ['gtInds', 'labels', 'assignMetrics', 'assignedIou', 'normAlignmentMetrics'] as const) {
          expect({ b, k, v: ints(sparse[b][k].data) }).toEqual({ b, k, v: ints(dense[b][k].data) });
        }
        expect({ b, v: ints(sparse[b].gtInds.data) }).toEqual({ b, v: g });
        expectClose(sparse[b].normAlignmentMetrics.data, sparse.ts.normAlignmentMetrics.data, { abs: 1e-7, rel: 1e-6 }, `${b} normAlignmentMetrics`);
      }
    });
  }
});

forEachBackend(() => {
  test('EFL at the balanced state (g = 1) is the sigmoid focal loss (spec §8), γ_b = 2 and 1', () => {
    const n = 300, c = 7;
    const logits = Float32Array.from({ length: n * c }, (_, k) => (k % 11 === 0 ? (rnd() - 0.5) * 160 : (rnd() - 0.5) * 12));
    const onehot = new Float32Array(n * c);
    for (let i = 0; i < n; i++) if (i % 3 !== 0) onehot[i * c + (i % c)] = 1;
    const x = { data: logits, shape: [n, c] }, y = { data: onehot, shape: [n, c] };
    for (const gamma of [2, 1]) {
      const e = equalizedFocalLoss(x, y, { gammaB: gamma, reduction: 'sum', state: createEflState(c) });
      const f = sigmoidFocalLoss(x, y, { alpha: 0.25, gamma, reduction: 'sum' });
      expectClose(e.lossElements.data, f.lossElements.data, { abs: 1e-30, rel: 2e-6 }, `loss γ=${gamma}`);
      expectClose(e.grad.data, f.grad.data, { abs: 1e-30, rel: 2e-6 }, `grad γ=${gamma}`);
      expectClose(e.loss, f.loss, { abs: 0, rel: 1e-6 }, `sum γ=${gamma}`);
      // the state moves off balance after the step: the next call takes the general path
      expect(e.state.posNeg.some((g) => g < 1)).toBe(true);
    }
  });
});
