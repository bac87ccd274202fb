/** PISA on every backend: IoU-HLR, ISR-P, CARL (golden vectors, spec examples, properties, edge cases, bad input). */
import fc from 'fast-check';
import { iouHlr, isrP, isrN, carlLoss, bbox2delta, delta2bbox, bboxOverlaps } from '../ts/index';
import { createTsBackend } from '../ts/backends/ts';
import { forEachBackend, onEveryBackend, vectors, expectClose, expectError, flat, type VectorCase } from './helpers';

const arr = (c: VectorCase, key: string) => ({ data: flat(c.inputs[key]), shape: c.shapes[`inputs.${key}`] });
const TOL = { abs: 1e-5, rel: 1e-5 };

/** A random batch of positives: class, gt (within a few gts per class), IoU. */
const positivesArb = fc.integer({ min: 1, max: 40 }).chain((n) =>
  fc.record({
    labels: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
    gts: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: n, maxLength: n }),
    ious: fc.array(fc.double({ min: 0.3, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
    loss: fc.array(fc.double({ min: 1e-3, max: 5, noNaN: true }), { minLength: n, maxLength: n }),
    lw: fc.array(fc.double({ min: 0.1, max: 2, noNaN: true }), { minLength: n, maxLength: n }),
  }),
);

function checkPermutationPerClass(labels: number[], ranks: ArrayLike<number>): void {
  const byClass = new Map<number, number[]>();
  labels.forEach((l, i) => byClass.set(l, [...(byClass.get(l) ?? []), ranks[i]]));
  for (const rs of byClass.values()) {
    expect([...rs].sort((a, b) => a - b)).toEqual(rs.map((_, i) => i));
  }
}

forEachBackend(() => {
  describe('golden vectors', () => {
    for (const c of vectors('isr_p_weights')) {
      test(c.name, () => {
        const r = isrP(
          { labels: c.inputs.labels, gtInds: c.inputs.gt_inds, ious: c.inputs.ious, posLoss: c.inputs.pos_loss, labelWeights: c.inputs.label_weights },
          { k: c.params.k, bias: c.params.bias },
        );
        expect(Array.from(r.ranks.data)).toEqual(c.expected.hlr_rank);
        expect(r.maxLNum).toBe(c.expected.max_l_num);
        expectClose(r.weights.data, c.expected.weights, c.tolerance, c.name);
        const h = iouHlr({ labels: c.inputs.labels, gtInds: c.inputs.gt_inds, ious: c.inputs.ious });
        expect(Array.from(h.ranks.data)).toEqual(c.expected.hlr_rank);
        expect(h.maxLNum).toBe(c.expected.max_l_num);
      });
    }
    for (const c of vectors('isr_p')) {
      test(c.name, () => {
        const r = isrP(
          {
            labels: c.inputs.labels, labelWeights: c.inputs.label_weights, gtInds: c.inputs.gt_inds,
            predBoxes: arr(c, 'pred_boxes'), targetBoxes: arr(c, 'target_boxes'), clsScore: arr(c, 'cls_score'),
          },
          {
            numClasses: c.params.num_classes, k: c.params.k, bias: c.params.bias, clsLoss: c.params.cls_loss,
            alpha: c.params.alpha < 0 ? null : c.params.alpha, gamma: c.params.gamma,
          },
        );
        expectClose(r.labelWeights!.data, c.expected.label_weights, c.tolerance, `${c.name} label_weights`);
        expectClose(r.ious.data, c.expected.pos_ious, c.tolerance, `${c.name} pos_ious`);
      });
    }
    for (const c of vectors('carl_loss')) {
      test(c.name, () => {
        const r = carlLoss(arr(c, 'cls_score'), c.inputs.labels, arr(c, 'bbox_pred'), arr(c, 'bbox_targets'), {
          numClasses: c.params.num_classes, k: c.params.k, bias: c.params.bias, beta: c.params.beta,
          avgFactor: c.params.avg_factor, sigmoid: c.params.sigmoid,
        });
        expectClose(r.loss, c.expected.loss, c.tolerance, `${c.name} loss`);
        expect(r.gradClsScore.shape).toEqual(c.shapes['expected.grad_cls_score']);
        expect(r.gradBboxPred.shape).toEqual(c.shapes['expected.grad_bbox_pred']);
        expectClose(r.gradClsScore.data, c.expected.grad_cls_score, c.tolerance, `${c.name} grad_cls_score`);
        expectClose(r.gradBboxPred.data, c.expected.grad_bbox_pred, c.tolerance, `${c.name} grad_bbox_pred`);
      });
    }
  });

  describe('spec examples (reference-semantics §3.1, §3.3, §13)', () => {
    const ex = { labels: [0, 0, 0, 1, 1], gtInds: [0, 0, 1, 2, 2], ious: [0.9, 0.6, 0.7, 0.8, 0.5] };
    test('IoU-HLR ranks and maxLNum', () => {
      const h = iouHlr(ex);
      expect(Array.from(h.ranks.data)).toEqual([0, 2, 1, 0, 1]);
      expect(h.maxLNum).toBe(3);
      expectClose(h.importance.data, [1, 1 / 3, 2 / 3, 1, 2 / 3], TOL, 'u');
      expectClose(iouHlr(ex, { rankDenominator: 'perClass' }).importance.data, [1, 1 / 3, 2 / 3, 1, 1 / 2], TOL, 'u perClass');
    });
    test('ISR-P with L = 1 and with L = [0.5, 1, 0.2, 0.4, 2]', () => {
      const r1 = isrP({ ...ex, posLoss: [1, 1, 1, 1, 1] });
      expectClose(r1.weights.data, [1.6666667, 0.1851852, 0.7407407, 1.6666667, 0.7407407], TOL, 'L=1');
      expect(r1.ratio).toBeCloseTo(5 / 3, 6);
      const r2 = isrP({ ...ex, posLoss: [0.5, 1, 0.2, 0.4, 2] });
      expectClose(r2.weights.data, [2.06145, 0.22905, 0.9162, 2.06145, 0.9162], { abs: 1e-5, rel: 1e-5 }, 'L varied');
    });
    test('ISR-P ratio blow-up (≈ 9672.8) and the maxRatio bound', () => {
      // 100 positives of one class, one gt each; 99 easy top-ranked (L = 1e-6), one hard last (L = 10)
      const n = 100;
      const input = {
        labels: new Array(n).fill(0),
        gtInds: Array.from({ length: n }, (_, i) => i),
        ious: Array.from({ length: n }, (_, i) => 0.99 - i * 0.005),
        posLoss: Array.from({ length: n }, (_, i) => (i === n - 1 ? 10 : 1e-6)),
      };
      const r = isrP(input);
      expect(r.maxLNum).toBe(100);
      expect(r.ratio).toBeCloseTo(9672.8, 1);
      expect(r.weights.data[0]).toBeCloseTo(9672.8, 1);
      const b = isrP(input, { maxRatio: 10 });
      expect(b.ratio).toBe(10);
      expectClose([b.weights.data[0], b.weights.data[99]], [10, 10 * 1e-4], TOL, 'bounded');
    });
    test('CARL: s = [0.9, 0.5, 0.1], reg sums [0.1, 0.2, 0.3], avgFactor 3 → 0.1644444', () => {
      const logit = (s: number) => Math.log(s / (1 - s));
      const pred = [0.1, 0.2, 0.3].map((r) => [Math.sqrt(2 * r), 0, 0, 0]);
      const r = carlLoss([[logit(0.9)], [logit(0.5)], [logit(0.1)]], [0, 0, 0], pred, [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], { sigmoid: true, avgFactor: 3 });
      expect(r.loss).toBeCloseTo(0.1644444, 6);
      expectClose(r.weights.data, [1.5333333, 1.0, 0.4666667], TOL, 'c');
    });
  });

  describe('CARL edge cases', () => {
    test('extreme logits give finite loss and gradients (sigmoid and softmax, k = 0.5, bias = 0)', () => {
      const tgt = [[0, 0, 0, 0], [0, 0, 0, 0]];
      const pred = [[1, -2, 0.5, 3], [0.2, 0, 0, -4]];
      for (const sigmoid of [true, false]) {
        const cls = sigmoid ? [[-1e4, 1e4], [1e4, -1e4]] : [[-1e4, 1e4, 0], [1e4, -1e4, 0]];
        const r = carlLoss(cls, [0, 1], pred, tgt, { sigmoid, k: 0.5, bias: 0 });
        expect(Number.isFinite(r.loss)).toBe(true);
        for (const g of [...r.gradClsScore.data, ...r.gradBboxPred.data]) expect(Number.isFinite(g)).toBe(true);
      }
    });
    test('weights sum to the number of positives; background rows get weight 0 and zero gradients', () => {
      const r = carlLoss([[0.5, -1, 0], [2, 0.1, 0], [0, 0, 3]], [0, 1, 2], [[1, 1, 1, 1], [0, 0, 0, 0.5], [9, 9, 9, 9]], [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
      expect(r.weights.data[2]).toBe(0);
      expect(r.weights.data[0] + r.weights.data[1]).toBeCloseTo(2, 5);
      expect(Array.from(r.gradClsScore.data.slice(6))).toEqual([0, 0, 0]);
      expect(Array.from(r.gradBboxPred.data.slice(8))).toEqual([0, 0, 0, 0]);
    });
  });

  describe('IoU-HLR / ISR-P options and edge cases', () => {
    test('no positives: empty ranks, weights unchanged in full-batch mode', () => {
      const h = iouHlr({ labels: [], gtInds: [], ious: [] });
      expect(h.ranks.shape).toEqual([0]);
      expect(h.maxLNum).toBe(0);
      const r = isrP({ labels: [2, 2], gtInds: [-1, -1], ious: [0, 0], posLoss: [1, 1], labelWeights: [1, 0.5] }, { numClasses: 2 });
      expect(Array.from(r.labelWeights!.data)).toEqual([1, 0.5]);
      expect(r.weights.shape).toEqual([0]);
      expect(r.ratio).toBe(1);
    });
    test('every label ignored (labelWeights 0): the weights stay 0, with or without bias', () => {
      const input = { labels: [0, 0, 1], gtInds: [0, 0, 1], ious: [0.9, 0.5, 0.7], posLoss: [1, 2, 3], labelWeights: [0, 0, 0] };
      const a = isrP(input);
      expect(a.guarded).toBe(true);
      expect(Array.from(a.weights.data)).toEqual([0, 0, 0]);
      const b = isrP(input, { bias: 0.3 });
      expect(b.ratio).toBe(0);
      expect(Array.from(b.weights.data)).toEqual([0, 0, 0]);
    });
    test('labels need not be dense: class 1e6 with perClass', () => {
      const r = isrP({ labels: [1e6, 1e6, 3], gtInds: [0, 0, 1], ious: [0.9, 0.8, 0.7], posLoss: [1, 1, 1] }, { rankDenominator: 'perClass', k: 1, maxRatio: 1 });
      expect(Array.from(r.ranks.data)).toEqual([0, 1, 0]);
      expectClose(r.weights.data, [1, 0.5, 1], TOL, 'w');
    });
    test('every loss zero: the 0/0 guard keeps the original weights', () => {
      const r = isrP({ labels: [0, 0, 1], gtInds: [0, 0, 1], ious: [0.9, 0.5, 0.7], posLoss: [0, 0, 0], labelWeights: [1, 0.5, 2] });
      expect(r.guarded).toBe(true);
      expect(r.ratio).toBe(1);
      expect(Array.from(r.weights.data)).toEqual([1, 0.5, 2]);
      for (const v of r.weights.data) expect(Number.isFinite(v)).toBe(true);
    });
    test('a gt with a single positive: local rank 0; alone in its class it gets u = 1', () => {
      const r = isrP({ labels: [0, 0, 0, 1], gtInds: [0, 0, 0, 1], ious: [0.9, 0.8, 0.7, 0.55], posLoss: [1, 1, 1, 1] }, { k: 1 });
      expect(Array.from(r.ranks.data)).toEqual([0, 1, 2, 0]);
      // w before renorm: [1, 2/3, 1/3, 1]; ratio = 4 / 3
      expectClose(r.weights.data, [4 / 3, 8 / 9, 4 / 9, 4 / 3], TOL, 'w');
    });
    test('three images: cumulative offsets vs the mmdet collision', () => {
      // raw gt indices [0,4] | [0,1] | [0,3] (reference-semantics §3.1 step 2); one class
      const input = {
        labels: [0, 0, 0, 0, 0, 0],
        gtInds: [0, 4, 0, 1, 0, 3],
        imageIds: [0, 0, 1, 1, 2, 2],
        ious: [0.9, 0.8, 0.7, 0.6, 0.5, 0.4],
      };
      // cumulative: six distinct gts → all local rank 0 → ranks by IoU
      expect(Array.from(iouHlr(input).ranks.data)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(Array.from(iouHlr({ ...input, numGtsPerImage: [5, 2, 4] }).ranks.data)).toEqual([0, 1, 2, 3, 4, 5]);
      // mmdet: ids [0,4] | [5,6] | [2,5]: image-1 gt0 (row 2) and image-2 gt3 (row 5) share id 5.
      // Give row 5 the highest IoU: it pushes row 2 to local rank 1, i.e. behind every other sample.
      const hi = { ...input, ious: [0.9, 0.8, 0.7, 0.6, 0.5, 0.95] };
      expect(Array.from(iouHlr(hi).ranks.data)).toEqual([1, 2, 3, 4, 5, 0]);
      expect(Array.from(iouHlr(hi, { gtOffset: 'mmdet' }).ranks.data)).toEqual([1, 2, 5, 3, 4, 0]);
      // an image without positives keeps the previous offset (mmdet v2 guard): ids [0,4] | - | [5,6]
      const gap = { labels: [0, 0, 0, 0], gtInds: [0, 4, 0, 1], imageIds: [0, 0, 2, 2], ious: [0.9, 0.8, 0.7, 0.6] };
      expect(Array.from(iouHlr(gap, { gtOffset: 'mmdet' }).ranks.data)).toEqual([0, 1, 2, 3]);
    });
    test('rankDenominator perClass uses n_j', () => {
      const input = { labels: [0, 0, 0, 1, 1], gtInds: [0, 1, 2, 3, 3], ious: [0.9, 0.8, 0.7, 0.9, 0.8], posLoss: [1, 1, 1, 1, 1] };
      const a = isrP(input, { k: 1, maxRatio: 1 });
      const b = isrP(input, { k: 1, maxRatio: 1, rankDenominator: 'perClass' });
      expectClose(a.weights.data, [1, 2 / 3, 1 / 3, 1, 2 / 3], TOL, 'nMax');
      expectClose(b.weights.data, [1, 2 / 3, 1 / 3, 1, 1 / 2], TOL, 'perClass');
    });
    test('IoU from decoded deltas equals IoU of the decoded boxes; class-specific deltas use the label slice', () => {
      const priors = [[0, 0, 10, 10], [5, 5, 25, 15], [0, 0, 10, 10]];
      const gts = [[1, 1, 11, 12], [6, 4, 24, 16], [0, 0, 1000, 10]];
      const stds = [0.1, 0.1, 0.2, 0.2];
      const targets = bbox2delta(priors, gts, { stds }).toArray();
      const pred = [[0.1, -0.2, 0.05, 0.1], [0.3, 0.1, -0.2, 0], [0, 0, 0, 0]];
      const labels = [0, 1, 1];
      const fromDeltas = iouHlr({ labels, gtInds: [0, 1, 2], priors, bboxPred: pred, bboxTargets: targets }, { stds });
      // class-specific [n, 4·2]: put the real deltas in the label's slice, garbage in the other
      const cs = pred.map((d, i) => (labels[i] === 0 ? [...d, 9, 9, 9, 9] : [9, 9, 9, 9, ...d]));
      const fromCs = iouHlr({ labels, gtInds: [0, 1, 2], priors, bboxPred: cs, bboxTargets: targets }, { stds });
      expectClose(fromCs.ious.data, fromDeltas.ious.data, { abs: 1e-6, rel: 0 }, 'class-specific');
      // the third target decodes to [187.5, 0, 812.5, 10], not the gt: IoU with the prior-sized prediction is 0
      expect(fromDeltas.ious.data[2]).toBe(0);
      const dp = delta2bbox(priors, pred, { stds }), dt = delta2bbox(priors, targets, { stds });
      expectClose(fromDeltas.ious.data, bboxOverlaps(dp, dt, { aligned: true }).data, { abs: 1e-6, rel: 0 }, 'decoded');
      const fromBoxes = iouHlr({ labels, gtInds: [0, 1, 2], predBoxes: dp, targetBoxes: dt });
      expect(Array.from(fromBoxes.ranks.data)).toEqual(Array.from(fromDeltas.ranks.data));
    });
  });

  describe('full batch and per-row classification losses', () => {
    test("clsLoss 'focal' (sigmoid over C, summed per row) and 'ce' (softmax over C + 1) feed the renormalisation", () => {
      // focal(0,1) + focal(0,0) = 0.0433216988 + 0.1299650964; focal(2,1) + focal(-2,0) = 4.50890709e-4 + 1.35267213e-3
      const LA = 0.0433216988 + 0.1299650964, LB = 4.50890709e-4 + 1.35267213e-3;
      const base = { labels: [0, 0, 2], gtInds: [0, 1, -1], ious: [0.9, 0.8, 0], labelWeights: [1, 1, 0.7] };
      const f = isrP({ ...base, clsScore: [[0, 0], [2, -2], [5, 5]] }, { numClasses: 2, clsLoss: 'focal' });
      const ratio = (LA + LB) / (LA + 0.25 * LB);
      expect(f.ratio).toBeCloseTo(ratio, 5);
      expectClose(f.labelWeights!.data, [ratio, 0.25 * ratio, 0.7], TOL, 'focal');
      expect(Array.from(f.posInds.data)).toEqual([0, 1]);
      // CE over 3 columns: row [0,0,0] → ln 3; row [3,0,0] label 0 → ln(1 + 2e^-3)
      const LC = Math.log(3), LD = Math.log(1 + 2 * Math.exp(-3));
      const c = isrP({ ...base, clsScore: [[0, 0, 0], [3, 0, 0], [0, 0, 9]] }, { numClasses: 2 });
      expect(c.ratio).toBeCloseTo((LC + LD) / (LC + 0.25 * LD), 5);
      expectError(() => isrP({ ...base, clsScore: [[0, 0], [3, 0], [0, 0]] }, { numClasses: 2 }), 'E_SHAPE', 'input.clsScore');
    });
    test('full batch with priors + deltas equals the positives-only call', () => {
      const priors = [[0, 0, 10, 10], [5, 5, 25, 15], [0, 0, 10, 10], [30, 30, 50, 60]];
      const gts = [[1, 1, 11, 12], [6, 4, 24, 16], [0, 0, 0, 0], [31, 29, 52, 58]];
      const stds = [0.1, 0.1, 0.2, 0.2];
      const targets = bbox2delta([priors[0], priors[1], priors[3]], [gts[0], gts[1], gts[3]], { stds }).toArray();
      const tAll = [targets[0], targets[1], [0, 0, 0, 0], targets[2]];
      const pred = [[0.1, -0.2, 0.05, 0.1], [0.3, 0.1, -0.2, 0], [1, 1, 1, 1], [0.2, 0.2, 0.1, -0.1]];
      const full = isrP(
        { labels: [1, 1, 3, 1], gtInds: [0, 1, -1, 2], priors, bboxPred: pred, bboxTargets: tAll, posLoss: [1, 2, 7, 3] },
        { numClasses: 3, stds },
      );
      const pos = isrP(
        { labels: [1, 1, 1], gtInds: [0, 1, 2], priors: [priors[0], priors[1], priors[3]], bboxPred: [pred[0], pred[1], pred[3]], bboxTargets: targets, posLoss: [1, 2, 3] },
        { stds },
      );
      expect(Array.from(full.posInds.data)).toEqual([0, 1, 3]);
      expectClose(full.weights.data, pos.weights.data, { abs: 1e-6, rel: 1e-6 }, 'weights');
      expectClose(full.labelWeights!.data, [pos.weights.data[0], pos.weights.data[1], 1, pos.weights.data[2]], { abs: 1e-6, rel: 1e-6 }, 'lw');
    });
  });

  describe('effectivePrime (our own option)', () => {
    const gtBoxes = [[0, 0, 10, 10], [0, 0, 10, 10]];
    const outside = [20, 20, 30, 30], inside = [0, 0, 10, 10];
    test('tieBreak: among equal IoUs the sample whose prior centre is inside its gt comes first', () => {
      const input = { labels: [0, 0], gtInds: [0, 0], ious: [0.5, 0.5], priors: [outside, inside], gtBoxes };
      expect(Array.from(iouHlr(input).ranks.data)).toEqual([0, 1]);
      expect(Array.from(iouHlr(input, { effectivePrime: false }).ranks.data)).toEqual([0, 1]);
      expect(Array.from(iouHlr(input, { effectivePrime: 'tieBreak' }).ranks.data)).toEqual([1, 0]);
      // unequal IoUs: tie-break changes nothing
      expect(Array.from(iouHlr({ ...input, ious: [0.6, 0.5] }, { effectivePrime: 'tieBreak' }).ranks.data)).toEqual([0, 1]);
    });
    test('rerank: inside the gt group, centre-inside samples come before higher-IoU outside ones', () => {
      const input = { labels: [0, 0, 0], gtInds: [0, 0, 1], ious: [0.9, 0.5, 0.7], priors: [outside, inside, inside], gtBoxes: [...gtBoxes, inside] };
      expect(Array.from(iouHlr(input).ranks.data)).toEqual([0, 2, 1]);
      expect(Array.from(iouHlr(input, { effectivePrime: 'rerank' }).ranks.data)).toEqual([2, 1, 0]);
    });
    test("primeCenter 'pred' tests the decoded predicted box's centre; gt boxes default to the targets", () => {
      const input = { labels: [0, 0], gtInds: [0, 0], predBoxes: [inside, outside], targetBoxes: gtBoxes };
      // IoUs 1 and 0: rank by IoU whatever the flags
      expect(Array.from(iouHlr(input, { effectivePrime: 'rerank' }).ranks.data)).toEqual([0, 1]);
      const tie = { labels: [0, 0], gtInds: [0, 0], ious: [0.5, 0.5], predBoxes: [outside, inside], gtBoxes };
      expect(Array.from(iouHlr(tie, { effectivePrime: 'tieBreak', primeCenter: 'pred' }).ranks.data)).toEqual([1, 0]);
      expectError(() => iouHlr({ labels: [0], gtInds: [0], ious: [0.5] }, { effectivePrime: 'tieBreak' }), 'E_TYPE', 'input.gtBoxes');
      expectError(() => iouHlr({ labels: [0], gtInds: [0], ious: [0.5], gtBoxes: [inside] }, { effectivePrime: 'tieBreak', primeCenter: 'prior' }), 'E_TYPE', 'input.priors');
      expectError(() => iouHlr({ labels: [0], gtInds: [0], ious: [0.5] }, { effectivePrime: 'yes' as never }), 'E_OPTION', 'options.effectivePrime');
    });
    test('ISR-P with effectivePrime: still a permutation per class, loss sum kept', () => {
      const r = isrP({ labels: [0, 0, 0, 1], gtInds: [0, 0, 1, 2], ious: [0.5, 0.5, 0.5, 0.9], priors: [outside, inside, inside, inside], gtBoxes: [inside, inside, inside, inside], posLoss: [1, 2, 3, 4] }, { effectivePrime: 'tieBreak' });
      expect(Array.from(r.ranks.data)).toEqual([2, 0, 1, 0]);
      const kept = r.weights.data.reduce((a, w, i) => a + w * [1, 2, 3, 4][i], 0);
      expect(kept).toBeCloseTo(10, 5);
    });
  });

  describe('properties', () => {
    test('ranks form a permutation within each class; weights positive; positive loss sum kept', () => {
      fc.assert(
        fc.property(positivesArb, ({ labels, gts, ious, loss, lw }) => {
          const r = isrP({ labels, gtInds: gts, ious, posLoss: loss, labelWeights: lw });
          checkPermutationPerClass(labels, r.ranks.data);
          const counts = new Map<number, number>();
          labels.forEach((l) => counts.set(l, (counts.get(l) ?? 0) + 1));
          expect(r.maxLNum).toBe(Math.max(...counts.values()));
          let ori = 0, now = 0;
          r.weights.data.forEach((w, i) => {
            expect(w).toBeGreaterThan(0);
            ori += loss[i] * Math.fround(lw[i]);
            now += loss[i] * w;
          });
          expect(Math.abs(now - ori)).toBeLessThanOrEqual(1e-5 * ori);
          // local ranks: inside a (class, gt) group, higher IoU → smaller rank
          for (let i = 0; i < labels.length; i++) {
            for (let j = 0; j < labels.length; j++) {
              if (labels[i] === labels[j] && gts[i] === gts[j] && Math.fround(ious[i]) > Math.fround(ious[j])) {
                expect(r.ranks.data[i]).toBeLessThan(r.ranks.data[j]);
              }
            }
          }
        }),
        { numRuns: 80 },
      );
    });
    test('perClass: ranks still a permutation, weights positive, sum kept', () => {
      fc.assert(
        fc.property(positivesArb, ({ labels, gts, ious, loss }) => {
          const r = isrP({ labels, gtInds: gts, ious, posLoss: loss }, { rankDenominator: 'perClass', bias: 0.1, k: 1.5 });
          checkPermutationPerClass(labels, r.ranks.data);
          const s = r.weights.data.reduce((a, w, i) => a + w * loss[i], 0);
          const t = loss.reduce((a, b) => a + b, 0);
          expect(Math.abs(s - t)).toBeLessThanOrEqual(1e-5 * t);
        }),
        { numRuns: 40 },
      );
    });
  });

  describe('ISR-N (Score-HLR)', () => {
    // groups [[0, 1, 4], [3, 2]] at IoU 0.5 (reference-semantics §3.2 example)
    const exBoxes = [[0, 0, 10, 10], [0, 0, 10, 11], [100, 100, 110, 111], [100, 100, 110, 110], [1, 0, 10, 10]];
    const exScores = [0.9, 0.8, 0.3, 0.6, 0.2];
    test('spec example: selected [0, 3, 1, 2], weights [1, 0.8944, 0.7746, 0.6325]', () => {
      const r = isrN({ scores: exScores, boxes: exBoxes }, { numExpected: 4 });
      expect(Array.from(r.indices.data)).toEqual([0, 3, 1, 2]);
      expectClose(r.weights.data, [1, 0.8944272, 0.7745967, 0.6324555], TOL, 'w');
      expect(r.numHlr).toBe(4);
      expect(r.numValid).toBe(5);
    });
    test('renormalisation keeps Σ L over the selected; 0/0 guard; bound', () => {
      const loss = [0.5, 1, 2, 0.3, 0.1];
      const r = isrN({ scores: exScores, boxes: exBoxes, loss }, { numExpected: 4 });
      const sel = Array.from(r.indices.data);
      const kept = sel.reduce((a, j, q) => a + loss[j] * r.weights.data[q], 0);
      expect(kept).toBeCloseTo(sel.reduce((a, j) => a + loss[j], 0), 5);
      const z = isrN({ scores: exScores, boxes: exBoxes, loss: [0, 0, 0, 0, 0] }, { numExpected: 4 });
      expect(z.guarded).toBe(true);
      expect(Array.from(z.weights.data)).toEqual([1, 1, 1, 1]);
      const b = isrN({ scores: exScores, boxes: exBoxes, loss }, { numExpected: 4, maxRatio: 1 });
      expect(b.ratio).toBe(1);
    });
    test('random fill-ins come from the invalid negatives and get the smallest HLR weight', () => {
      const scores = [0.9, 0.01, 0.02, 0.6, 0.03, 0.04, 0.0];
      const boxes = scores.map((_, i) => [i * 50, 0, i * 50 + 10, 10]);
      const r = isrN({ scores, boxes }, { numExpected: 5, seed: 7, k: 1 });
      const idx = Array.from(r.indices.data);
      expect(r.numHlr).toBe(2);
      expect(idx.slice(0, 2)).toEqual([0, 3]);
      for (const j of idx.slice(2)) expect(scores[j]).toBeLessThanOrEqual(0.05);
      expect(new Set(idx).size).toBe(5);
      // up = max(5, 2) = 5: HLR weights 1, 0.8; fill-ins 0.8
      expectClose(r.weights.data, [1, 0.8, 0.8, 0.8, 0.8], TOL, 'w');
    });
    test('no valid negative: uniform draw with weights 1; empty input', () => {
      const scores = new Array(20).fill(0.01);
      const boxes = scores.map((_, i) => [i, 0, i + 1, 1]);
      const r = isrN({ scores, boxes }, { numExpected: 5, seed: 12345 });
      // the samplers' generator: seed 12345 chooses [0, 9, 10, 16, 17] of 20
      expect(Array.from(r.indices.data)).toEqual([0, 9, 10, 16, 17]);
      expect(Array.from(r.weights.data)).toEqual([1, 1, 1, 1, 1]);
      const e = isrN({ scores: [], boxes: [] }, { numExpected: 3 });
      expect(e.indices.shape).toEqual([0]);
    });
    test('property: unique indices, exact count, weights positive', () => {
      const arb = fc.integer({ min: 0, max: 40 }).chain((m) =>
        fc.record({
          scores: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: m, maxLength: m }),
          xy: fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 })), { minLength: m, maxLength: m }),
          numExpected: fc.integer({ min: 0, max: 50 }),
          seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        }),
      );
      fc.assert(fc.property(arb, ({ scores, xy, numExpected, seed }) => {
        const boxes = xy.map(([x, y]) => [x, y, x + 20, y + 20]);
        const r = isrN({ scores, boxes }, { numExpected, seed });
        const idx = Array.from(r.indices.data);
        expect(idx.length).toBe(Math.min(scores.length, numExpected));
        expect(new Set(idx).size).toBe(idx.length);
        for (const j of idx) expect(j >= 0 && j < scores.length).toBe(true);
        for (const w of r.weights.data) expect(w).toBeGreaterThan(0);
      }), { numRuns: 60 });
    });
    test('bad input', () => {
      expectError(() => isrN({ scores: [0.5], boxes: [] }, { numExpected: 1 }), 'E_SHAPE', 'input.boxes');
      expectError(() => isrN({ scores: [0.5], boxes: [[0, 0, 1, 1]] }, {} as never), 'E_TYPE', 'options.numExpected');
      expectError(() => isrN({ scores: [0.5], boxes: [[0, 0, 1, 1]] }, { numExpected: 1.5 }), 'E_VALUE', 'options.numExpected');
      expectError(() => isrN({ scores: [0.5], boxes: [[0, 0, 1, 1]], loss: [-1] }, { numExpected: 1 }), 'E_VALUE', 'input.loss');
      expectError(() => isrN({ scores: [0.5], boxes: [[0, 0, 1, 1]] }, { numExpected: 1, seed: -1 }), 'E_VALUE', 'options.seed');
    });
  });

  describe('bad input', () => {
    test('typed errors', () => {
      expectError(() => iouHlr({ labels: [0, 1], gtInds: [0], ious: [0.5, 0.5] }), 'E_SHAPE', 'input.gtInds');
      expectError(() => iouHlr({ labels: [0, -1], gtInds: [0, 0], ious: [0.5, 0.5] }), 'E_VALUE', 'input.labels');
      expectError(() => iouHlr({ labels: [0.5], gtInds: [0], ious: [0.5] }), 'E_VALUE', 'input.labels');
      expectError(() => iouHlr({ labels: [0], gtInds: [0], ious: [NaN] }), 'E_VALUE', 'input.ious');
      expectError(() => iouHlr({ labels: [0], gtInds: [0] }), 'E_TYPE', 'input.ious');
      expectError(() => iouHlr({ labels: [0], gtInds: [0], ious: [1] }, { gtOffset: 'x' as never }), 'E_OPTION', 'options.gtOffset');
      expectError(() => iouHlr({ labels: [0], gtInds: [3], ious: [1], imageIds: [0], numGtsPerImage: [2] }), 'E_VALUE', 'input.gtInds');
      expectError(() => iouHlr({ labels: [0], gtInds: [0], ious: [1], bogus: 1 } as never), 'E_OPTION', 'input.bogus');
      expectError(() => isrP({ labels: [0], gtInds: [0], ious: [1] }), 'E_TYPE', 'input.posLoss');
      expectError(() => isrP({ labels: [0], gtInds: [0], ious: [1], posLoss: [1] }, { bias: 2 }), 'E_VALUE', 'options.bias');
      expectError(() => isrP({ labels: [0], gtInds: [0], ious: [1], posLoss: [1] }, { maxRatio: 0 }), 'E_VALUE', 'options.maxRatio');
      expectError(() => isrP({ labels: [0], gtInds: [0], ious: [1], posLoss: [-1] }), 'E_VALUE', 'input.posLoss');
      expectError(() => isrP({ labels: [0, 3], gtInds: [0, -1], ious: [1, 0], posLoss: [1, 1] }, { numClasses: 2 }), 'E_VALUE', 'input.labels');
      expectError(() => carlLoss([[0, 0, 0]], [3], [[0, 0, 0, 0]], [[0, 0, 0, 0]]), 'E_VALUE', 'labels');
      expectError(() => carlLoss([[0, 0, 0]], [0], [[0, 0, 0]], [[0, 0, 0, 0]]), 'E_SHAPE', 'bboxPred');
      expectError(() => carlLoss([[0, 0, 0]], [0], [[0, 0, 0, 0]], [[0, 0, 0, 0]], { avgFactor: 0 }), 'E_VALUE', 'options.avgFactor');
      expectError(() => carlLoss([[0, 0, 0]], [0], [[0, 0, 0, 0]], [[0, 0, 0, 0]], { numClasses: 3 }), 'E_SHAPE', 'clsScore');
    });
  });
});

describe('backend agreement', () => {
  test('IoU-HLR / ISR-P: identical ranks, weights within float32 rounding', () => {
    fc.assert(
      fc.property(positivesArb, fc.boolean(), ({ labels, gts, ious, loss, lw }, perClass) => {
        const res = onEveryBackend(() => isrP({ labels, gtInds: gts, ious, posLoss: loss, labelWeights: lw },
          { bias: 0.05, rankDenominator: perClass ? 'perClass' : 'nMax' }));
        for (const b of ['native', 'wasm'] as const) {
          expect(Array.from(res[b].ranks.data)).toEqual(Array.from(res.ts.ranks.data));
          expect(res[b].maxLNum).toBe(res.ts.maxLNum);
          expectClose(res[b].weights.data, res.ts.weights.data, { abs: 1e-6, rel: 1e-5 }, b);
        }
      }),
      { numRuns: 40 },
    );
  });
  test('IoU-HLR with effectivePrime and coarse IoUs (many ties): identical ranks on every backend', () => {
    const arb = fc.integer({ min: 1, max: 40 }).chain((n) =>
      fc.record({
        labels: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }),
        gts: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n, maxLength: n }),
        ious: fc.array(fc.integer({ min: 0, max: 4 }).map((k) => k / 4), { minLength: n, maxLength: n }),
        inside: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        mode: fc.constantFrom('tieBreak' as const, 'rerank' as const, false as const),
      }),
    );
    fc.assert(fc.property(arb, ({ labels, gts, ious, inside, mode }) => {
      const priors = inside.map((f) => (f ? [0, 0, 10, 10] : [20, 20, 30, 30]));
      const gtBoxes = labels.map(() => [0, 0, 10, 10]);
      const res = onEveryBackend(() => iouHlr({ labels, gtInds: gts, ious, priors, gtBoxes }, { effectivePrime: mode }));
      for (const b of ['native', 'wasm'] as const) expect(Array.from(res[b].ranks.data)).toEqual(Array.from(res.ts.ranks.data));
    }), { numRuns: 60 });
  });
  test('ISR-N: same seed, same indices and weights on every backend', () => {
    const arb = fc.integer({ min: 1, max: 60 }).chain((m) =>
      fc.record({
        scores: fc.array(fc.double({ min: 0, max: 0.3, noNaN: true }), { minLength: m, maxLength: m }),
        xy: fc.array(fc.tuple(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 0, max: 80 })), { minLength: m, maxLength: m }),
        loss: fc.array(fc.double({ min: 0.01, max: 3, noNaN: true }), { minLength: m, maxLength: m }),
        numExpected: fc.integer({ min: 1, max: 60 }),
        seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      }),
    );
    fc.assert(fc.property(arb, ({ scores, xy, loss, numExpected, seed }) => {
      const boxes = xy.map(([x, y]) => [x, y, x + 17, y + 23]);
      const res = onEveryBackend(() => isrN({ scores, boxes, loss }, { numExpected, seed }));
      for (const b of ['native', 'wasm'] as const) {
        expect(Array.from(res[b].indices.data)).toEqual(Array.from(res.ts.indices.data));
        expect(res[b].numHlr).toBe(res.ts.numHlr);
        expectClose(res[b].weights.data, res.ts.weights.data, { abs: 1e-6, rel: 1e-5 }, b);
      }
    }), { numRuns: 40 });
  });
  test('CARL: loss and gradients agree', () => {
    const arb = fc.integer({ min: 1, max: 12 }).chain((n) =>
      fc.record({
        score: fc.array(fc.double({ min: -6, max: 6, noNaN: true }), { minLength: n * 4, maxLength: n * 4 }),
        labels: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
        pred: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: n * 12, maxLength: n * 12 }),
        tgt: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: n * 4, maxLength: n * 4 }),
        sigmoid: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(arb, ({ score, labels, pred, tgt, sigmoid }) => {
        const n = labels.length;
        const cols = sigmoid ? 3 : 4;
        const sc = { data: score.slice(0, n * cols), shape: [n, cols] };
        const res = onEveryBackend(() => carlLoss(sc, labels, { data: pred, shape: [n, 12] }, { data: tgt, shape: [n, 4] }, { sigmoid, numClasses: 3, beta: 0.11 }));
        for (const b of ['native', 'wasm'] as const) {
          expectClose(res[b].loss, res.ts.loss, { abs: 1e-6, rel: 1e-5 }, `${b} loss`);
          expectClose(res[b].gradClsScore.data, res.ts.gradClsScore.data, { abs: 1e-6, rel: 1e-4 }, `${b} dcls`);
          expectClose(res[b].gradBboxPred.data, res.ts.gradBboxPred.data, { abs: 1e-6, rel: 1e-4 }, `${b} dbox`);
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('CARL gradient vs central finite differences (TS backend kernel, float64)', () => {
  const ts = createTsBackend();
  const arb = fc.integer({ min: 1, max: 6 }).chain((n) =>
    fc.record({
      score: fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: n * 4, maxLength: n * 4 }),
      labels: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
      pred: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n * 4, maxLength: n * 4 }),
      tgt: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n * 4, maxLength: n * 4 }),
      sigmoid: fc.boolean(),
      k: fc.constantFrom(1, 2, 0.5),
    }),
  );
  test('d loss / d clsScore and d loss / d bboxPred', () => {
    fc.assert(
      fc.property(arb, ({ score, labels, pred, tgt, sigmoid, k }) => {
        const n = labels.length, C = 3, cols = sigmoid ? C : C + 1;
        const beta = 0.5;
        const s = Float32Array.from(score.slice(0, n * cols));
        const p = Float32Array.from(pred), t = Float32Array.from(tgt), l = Int32Array.from(labels);
        const carl = (ss: Float32Array, pp: Float32Array) =>
          ts.pisaCarl({ clsScore: ss, labels: l, bboxPred: pp, bboxTargets: t }, { numClasses: C, sigmoid, k, bias: 0.2, beta, avgFactor: n, lossWeight: 1 });
        const f = (ss: Float32Array, pp: Float32Array) => carl(ss, pp).loss[0];
        const g = carl(s, p);
        const h = 1e-3;
        for (let i = 0; i < s.length; i++) {
          const sp = Float32Array.from(s), sm = Float32Array.from(s);
          sp[i] += h;
          sm[i] -= h;
          const fd = (f(sp, p) - f(sm, p)) / (sp[i] - sm[i]);
          expect(Math.abs(fd - g.gradClsScore[i])).toBeLessThanOrEqual(1e-4 + 1e-3 * Math.abs(fd));
        }
        for (let i = 0; i < p.length; i++) {
          const d = p[i] - t[i];
          if (Math.abs(Math.abs(d) - beta) < 2 * h || Math.abs(d) < 2 * h) continue; // smooth-L1 kinks
          const pp = Float32Array.from(p), pm = Float32Array.from(p);
          pp[i] += h;
          pm[i] -= h;
          const fd = (f(s, pp) - f(s, pm)) / (pp[i] - pm[i]);
          expect(Math.abs(fd - g.gradBboxPred[i])).toBeLessThanOrEqual(1e-4 + 1e-3 * Math.abs(fd));
        }
      }),
      { numRuns: 40 },
    );
  });
});
