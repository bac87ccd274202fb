/** MaxIoU assignment and the hard samplers on every backend: golden vectors, spec values, properties, bad input. */
import fc from 'fast-check';
import {
  maxIouAssign, assignTargets, sigmoidFocalLoss, randomSample, ohemSample, iouBalancedNegSample, hardNegativeMining, Tensor,
  type AssignLike, type SampleResult,
} from '../ts/index';
import { Rng } from '../ts/backends/ts/assign';
import { forEachBackend, onEveryBackend, vectors, expectClose, expectError, flat } from './helpers';

const arr = (t: Tensor<any>): number[] => Array.from(t.data as ArrayLike<number>);

/** Integer-coordinate boxes: IoUs come out bit-identical in float32 and float64 arithmetic. */
const ibox = fc
  .tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }))
  .map(([x, y, w, h]) => [x, y, x + w, y + h]);

const gtIndsArb = fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 120 });

function checkSample(r: SampleResult, gtInds: ArrayLike<number>, numAdded: number): void {
  const pos = arr(r.posInds), neg = arr(r.negInds);
  const all = [...pos, ...neg];
  expect(new Set(all).size).toBe(all.length); // never an index twice
  for (let i = 1; i < pos.length; i++) expect(pos[i]).toBeGreaterThan(pos[i - 1]);
  for (let i = 1; i < neg.length; i++) expect(neg[i]).toBeGreaterThan(neg[i - 1]);
  for (const c of pos) expect(c < numAdded || gtInds[c - numAdded] > 0).toBe(true);
  for (const c of neg) expect(c >= numAdded && gtInds[c - numAdded] === 0).toBe(true);
  arr(r.posAssignedGtInds).forEach((g, i) => expect(g).toBe(pos[i] < numAdded ? pos[i] : gtInds[pos[i] - numAdded] - 1));
}

function expectedCounts(gtInds: number[], numAdded: number, num: number, posFraction: number, negPosUb: number): [number, number] {
  const npool = gtInds.filter((a) => a > 0).length + numAdded;
  const nneg = gtInds.filter((a) => a === 0).length;
  const np = Math.min(npool, Math.floor(num * posFraction));
  let en = num - np;
  if (negPosUb >= 0) en = Math.min(en, Math.floor(negPosUb * Math.max(1, np)));
  return [np, Math.min(nneg, en)];
}

test('generator: pinned xoshiro128**/splitmix32 stream, the same numbers as the Rust unit test', () => {
  const pinned: [number, number[], number[]][] = [
    [0, [3809008728, 1133695204, 53579671, 2891528803], [1, 8, 9, 13, 14]],
    [1, [2442144158, 3238099751, 3819917871, 2104621829], [4, 6, 11, 14, 18]],
    [12345, [518667457, 440444462, 4232892992, 3757857622], [0, 9, 10, 16, 17]],
    [0xffffffff, [835879718, 1921286648, 2356205009, 1885780724], [0, 1, 7, 16, 18]],
  ];
  for (const [seed, stream, chosen] of pinned) {
    const r = new Rng(seed);
    expect([0, 1, 2, 3].map(() => r.nextU32())).toEqual(stream);
    expect(new Rng(seed).choose(Array.from({ length: 20 }, (_, i) => i), 5)).toEqual(chosen);
  }
  // below(n) is uniform enough and in range
  const r = new Rng(42);
  const counts = new Array(7).fill(0);
  for (let i = 0; i < 7000; i++) counts[r.below(7)]++;
  counts.forEach((c) => expect(c > 800 && c < 1200).toBe(true));
  expect(new Rng(3).below(1)).toBe(0);
});

forEachBackend((backend) => {
  describe('maxIouAssign golden vectors', () => {
    for (const c of vectors('max_iou_assign')) {
      test(c.name, () => {
        const p = c.params;
        const opts = {
          posIouThr: p.pos_iou_thr, negIouThr: p.neg_iou_thr, minPosIou: p.min_pos_iou, gtMaxAssignAll: p.gt_max_assign_all,
          matchLowQuality: p.match_low_quality, ignoreIofThr: p.ignore_iof_thr, ignoreWrtCandidates: p.ignore_wrt_candidates,
          gtLabels: flat(c.inputs.gt_labels),
          gtIgnore: c.inputs.gt_bboxes_ignore ? { data: flat(c.inputs.gt_bboxes_ignore), shape: c.shapes['inputs.gt_bboxes_ignore'] } : undefined,
          lowQualityZeroIou: 'mmdet' as const, // the vectors are mmdetection's behaviour
        };
        const bb = { data: flat(c.inputs.bboxes), shape: c.shapes['inputs.bboxes'] };
        const gt = { data: flat(c.inputs.gt_bboxes), shape: c.shapes['inputs.gt_bboxes'] };
        const r = maxIouAssign(bb, gt, opts);
        expect(Object.prototype.toString.call(r.gtInds.data)).toBe('[object Int32Array]');
        expect(arr(r.gtInds)).toEqual(c.expected.gt_inds);
        expect(arr(r.labels)).toEqual(c.expected.labels);
        expectClose(r.maxOverlaps.data, c.expected.max_overlaps, c.tolerance, c.name);
        expect(r.numGts).toBe(c.shapes['inputs.gt_bboxes'][0]);
        expect(r.gtInds.shape).toEqual(c.shapes['expected.gt_inds']);
        // our default differs only where a gt's best IoU is 0
        const ours = maxIouAssign(bb, gt, { ...opts, lowQualityZeroIou: undefined });
        if (c.name === 'assign_ties_far_gt_ignore') {
          // gt 1 overlaps nothing: it claims nothing, anchors 1 and 2 (max IoU 0.047) stay negative
          expect(arr(ours.gtInds)).toEqual([3, 0, 0, 3, 3, -1]);
          expect(arr(ours.labels)).toEqual([2, -1, -1, 2, 2, -1]);
        } else {
          expect(arr(ours.gtInds)).toEqual(c.expected.gt_inds);
        }
      });
    }
  });

  test('spec §13 "Assigner": a gt overlapping no prior — mmdet [1,1], ours [0,0]', () => {
    const gt = [[0, 0, 10, 10]], priors = [[20, 20, 30, 30], [40, 40, 50, 50]];
    const o = { posIouThr: 0.5, negIouThr: 0.4, minPosIou: 0, gtLabels: [5] };
    const mm = maxIouAssign(priors, gt, { ...o, lowQualityZeroIou: 'mmdet' });
    expect(arr(mm.gtInds)).toEqual([1, 1]);
    expect(arr(mm.labels)).toEqual([5, 5]);
    const ours = maxIouAssign(priors, gt, o);
    expect(arr(ours.gtInds)).toEqual([0, 0]);
    expect(arr(ours.labels)).toEqual([-1, -1]);
    expect(arr(ours.maxOverlaps)).toEqual([0, 0]);
    // minPosIou > 0 blocks it in both modes
    expect(arr(maxIouAssign(priors, gt, { ...o, minPosIou: 0.1, lowQualityZeroIou: 'mmdet' }).gtInds)).toEqual([0, 0]);
  });

  test('edge cases: no gt (all background), no priors, default labels, neg range, single low-quality match, low quality off', () => {
    const priors = [[0, 0, 10, 10], [0, 0, 10, 10], [5, 5, 15, 15], [12, 12, 22, 22], [40, 40, 50, 50]];
    const noGt = maxIouAssign(priors, [], { posIouThr: 0.5, negIouThr: 0.4, gtIgnore: [[0, 0, 100, 100]], ignoreIofThr: 0.5 });
    expect(arr(noGt.gtInds)).toEqual([0, 0, 0, 0, 0]);
    expect(arr(noGt.maxOverlaps)).toEqual([0, 0, 0, 0, 0]);
    expect(arr(noGt.labels)).toEqual([-1, -1, -1, -1, -1]);
    expect(noGt.numGts).toBe(0);
    const noPriors = maxIouAssign([], [[0, 0, 1, 1]], { posIouThr: 0.5, negIouThr: 0.4 });
    expect(noPriors.gtInds.shape).toEqual([0]);
    expect(noPriors.maxOverlaps.shape).toEqual([0]);
    const gts = [[0, 0, 10, 10], [10, 10, 20, 20]];
    // no gtLabels: class-agnostic, every gt is class 0
    expect(arr(maxIouAssign(priors, gts, { posIouThr: 0.5, negIouThr: 0.4 }).labels)).toEqual([0, 0, -1, 0, -1]);
    expect(arr(maxIouAssign(priors, gts, { posIouThr: 0.5, negIouThr: 0.4, gtMaxAssignAll: false }).gtInds)).toEqual([1, 1, 0, 2, 0]);
    expect(arr(maxIouAssign(priors, gts, { posIouThr: 0.5, negIouThr: 0.4, matchLowQuality: false }).gtInds)).toEqual([1, 1, 0, -1, 0]);
    // negative range [0.1, 0.3): IoU 1/7 negative, IoU 0 ignored
    const rng = maxIouAssign([[0, 0, 10, 10], [5, 5, 15, 15], [40, 40, 50, 50]], [[0, 0, 10, 10]], { posIouThr: 0.5, negIouThr: [0.1, 0.3], matchLowQuality: false });
    expect(arr(rng.gtInds)).toEqual([1, 0, -1]);
    // thresholds compared in float32: IoU exactly 1/2 is positive at posIouThr 0.5
    expect(arr(maxIouAssign([[0, 0, 10, 10]], [[0, 0, 10, 20]], { posIouThr: 0.5, negIouThr: 0.4, matchLowQuality: false }).gtInds)).toEqual([1]);
  });

  test('ignore regions: IoF w.r.t. the candidate (default) or the ignore box', () => {
    const priors = [[0, 0, 10, 10], [30, 30, 40, 40]];
    const gt = [[0, 0, 10, 10]];
    const base = { posIouThr: 0.5, negIouThr: 0.4, ignoreIofThr: 0.5 };
    const r = maxIouAssign(priors, gt, { ...base, gtIgnore: [[29, 29, 41, 41]] });
    expect(arr(r.gtInds)).toEqual([1, -1]);
    expect(arr(r.maxOverlaps)).toEqual([1, -1]);
    const big = [[-1000, -1000, 1000, 1000]];
    expect(arr(maxIouAssign(priors, gt, { ...base, gtIgnore: big }).gtInds)).toEqual([-1, -1]);
    expect(arr(maxIouAssign(priors, gt, { ...base, gtIgnore: big, ignoreWrtCandidates: false }).gtInds)).toEqual([1, 0]);
    // ignoreIofThr ≤ 0 disables ignoring
    expect(arr(maxIouAssign(priors, gt, { ...base, ignoreIofThr: -1, gtIgnore: big }).gtInds)).toEqual([1, 0]);
  });

  describe('ohemSample golden vectors', () => {
    for (const c of vectors('ohem_sample')) {
      test(c.name, () => {
        const p = c.params;
        // the vectors give num_gts = 0 when gts are not added: it only matters with add_gt_as_proposals
        const assign: AssignLike = { gtInds: c.inputs.gt_inds, numGts: p.add_gt_as_proposals ? p.num_gts : undefined };
        const r = ohemSample(assign, c.inputs.losses, { num: p.num, posFraction: p.pos_fraction, negPosUb: p.neg_pos_ub, addGtAsProposals: p.add_gt_as_proposals });
        expect(arr(r.posInds)).toEqual(c.expected.pos_inds);
        expect(arr(r.negInds)).toEqual(c.expected.neg_inds);
        checkSample(r, c.inputs.gt_inds, p.add_gt_as_proposals ? p.num_gts : 0);
      });
    }
  });

  describe('randomSample golden vectors (counts and pools)', () => {
    for (const c of vectors('random_sample')) {
      test(c.name, () => {
        const p = c.params;
        for (const seed of [0, 1, 2, 99, 0xffffffff]) {
          const r = randomSample({ gtInds: c.inputs.gt_inds, numGts: p.add_gt_as_proposals ? p.num_gts : undefined }, {
            num: p.num, posFraction: p.pos_fraction, negPosUb: p.neg_pos_ub, addGtAsProposals: p.add_gt_as_proposals, seed,
          });
          expect(r.posInds.size).toBe(c.expected.num_pos);
          expect(r.negInds.size).toBe(c.expected.num_neg);
          arr(r.posInds).forEach((i) => expect(c.expected.pos_pool).toContain(i));
          arr(r.negInds).forEach((i) => expect(c.expected.neg_pool).toContain(i));
          checkSample(r, c.inputs.gt_inds, 0);
        }
      });
    }
  });

  test('randomSample: gts as proposals, no gt, no positives, seeds differ', () => {
    const gtInds = [0, 2, 0, -1, 1, 0, 0, 1, 0, 0];
    const r = randomSample({ gtInds, numGts: 2 }, { num: 8, posFraction: 0.5, seed: 7 });
    expect(r.numAddedGts).toBe(2);
    expect(r.numCandidates).toBe(12);
    expect(r.posInds.size).toBe(4);
    expect(r.negInds.size).toBe(4);
    checkSample(r, gtInds, 2);
    // no added gts: pool of 3 positives, all taken without drawing
    const r2 = randomSample({ gtInds, numGts: 2 }, { num: 8, posFraction: 0.5, seed: 7, addGtAsProposals: false });
    expect(arr(r2.posInds)).toEqual([1, 4, 7]);
    expect(arr(r2.posAssignedGtInds)).toEqual([1, 0, 0]);
    expect(r2.negInds.size).toBe(5);
    // image without gt: everything negative
    const r3 = randomSample({ gtInds: new Int32Array(20), numGts: 0 }, { num: 8, posFraction: 0.25, negPosUb: 3, seed: 1 });
    expect(r3.posInds.size).toBe(0);
    expect(r3.negInds.size).toBe(3); // negPosUb · max(1, 0)
    // different seeds give different draws (on this pool)
    const pool = new Int32Array(200);
    const a = arr(randomSample({ gtInds: pool }, { num: 10, posFraction: 0, seed: 1, addGtAsProposals: false }).negInds);
    const b = arr(randomSample({ gtInds: pool }, { num: 10, posFraction: 0, seed: 2, addGtAsProposals: false }).negInds);
    expect(a).not.toEqual(b);
    // an assignment straight from maxIouAssign
    const as = maxIouAssign([[0, 0, 10, 10], [0, 0, 10, 9], [50, 50, 60, 60], [70, 70, 80, 80]], [[0, 0, 10, 10]], { posIouThr: 0.5, negIouThr: 0.4 });
    const r4 = randomSample(as, { num: 4, posFraction: 0.5, seed: 3 });
    // candidates: 0 = the gt itself, 1, 2 = priors 0, 1 (positive), 3, 4 = priors 2, 3 (negative)
    expect(r4.numAddedGts).toBe(1);
    expect(r4.posInds.size).toBe(2);
    arr(r4.posInds).forEach((c) => expect(c).toBeLessThan(3));
    expect(arr(r4.posAssignedGtInds)).toEqual([0, 0]);
    expect(arr(r4.negInds)).toEqual([3, 4]);
  });

  test('ohemSample: the hardest of each pool, ties to the smaller index', () => {
    const gtInds = [1, 1, 1, 0, 0, 0, 0, -1];
    const losses = [0.1, 0.5, 0.5, 0.2, 0.9, 0.2, 0.3, 5];
    const r = ohemSample({ gtInds }, losses, { num: 4, posFraction: 0.5, addGtAsProposals: false });
    expect(arr(r.posInds)).toEqual([1, 2]);
    expect(arr(r.negInds)).toEqual([4, 6]);
    const t = ohemSample({ gtInds }, losses, { num: 5, posFraction: 0.2, addGtAsProposals: false });
    expect(arr(t.posInds)).toEqual([1]);
    expect(arr(t.negInds)).toEqual([3, 4, 5, 6]);
    const tie = ohemSample({ gtInds: [0, 0, 0, 0] }, [1, 1, 1, 1], { num: 2, posFraction: 0, addGtAsProposals: false });
    expect(arr(tie.negInds)).toEqual([0, 1]);
  });

  test('iouBalancedNegSample: counts, pools, per-bin quotas, floor set', () => {
    const n = 300;
    const gtInds = Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 1 : i % 7 === 0 ? -1 : 0));
    // IoUs k/100 + 0.005 keep every value away from the bin edges; the best (a positive) is 0.905
    const maxOverlaps = Array.from({ length: n }, (_, i) => ((i * 37) % 50) / 100 + 0.005 + (gtInds[i] > 0 ? 0.5 : 0));
    const assign = { gtInds, maxOverlaps, numGts: 1 };
    for (const [floorThr, floorFraction, numBins] of [[-1, 0, 3], [0, 0.5, 3], [0.1, 0.3, 2], [-1, 0, 1]]) {
      const r = iouBalancedNegSample(assign, { num: 64, posFraction: 0.25, seed: 11, floorThr, floorFraction, numBins, addGtAsProposals: false });
      expect(r.posInds.size).toBe(16);
      expect(r.negInds.size).toBe(48);
      checkSample(r, gtInds, 0);
    }
    // bins over [0, max IoU 0.905): each third holds ≥ floor(48/3) = 16 of the sampled negatives
    const r = iouBalancedNegSample(assign, { num: 64, posFraction: 0.25, seed: 5, addGtAsProposals: false });
    const width = 0.905 / 3;
    const perBin = [0, 0, 0];
    for (const c of arr(r.negInds)) perBin[Math.min(2, Math.floor(maxOverlaps[c] / width))]++;
    // negatives have IoU < 0.5, so bin 2 ([0.60, 0.905)) is empty and bins 0, 1 get 16 each, the rest a top-up
    expect(perBin[0]).toBeGreaterThanOrEqual(16);
    expect(perBin[1]).toBeGreaterThanOrEqual(16);
    // floorThr 0.2, floorFraction 1: every IoU-set slot goes to the floor set [0, 0.2) first
    const f = iouBalancedNegSample(assign, { num: 40, posFraction: 0, seed: 5, floorThr: 0.2, floorFraction: 1, addGtAsProposals: false });
    expect(f.negInds.size).toBe(40);
    arr(f.negInds).forEach((c) => expect(maxOverlaps[c]).toBeLessThan(0.2 + 1e-6));
    // stateless: the same call twice gives the same result (mmdet mutates floor_thr on the first call)
    const o = { num: 64, posFraction: 0.25, seed: 5, addGtAsProposals: false };
    expect(arr(iouBalancedNegSample(assign, o).negInds)).toEqual(arr(r.negInds));
    // fewer negatives than wanted: all of them
    const few = iouBalancedNegSample({ gtInds: [0, 0, 1], maxOverlaps: [0.1, 0.2, 0.9] }, { num: 10, posFraction: 0.5, seed: 0, addGtAsProposals: false });
    expect(arr(few.negInds)).toEqual([0, 1]);
  });

  test('hardNegativeMining: per image, ratio, ties, sums', () => {
    // 2 images × 5 anchors, C = 2 (background label 2)
    const losses = [[0.1, 0.9, 0.5, 0.7, 0.3], [1, 2, 3, 4, 5]];
    const labels = [[0, 2, 2, 2, 2], [2, 2, 2, 2, -1]];
    const r = hardNegativeMining(losses, labels, { numClasses: 2 });
    expect(arr(r.posInds)).toEqual([0]);
    expect(arr(r.negInds)).toEqual([1, 2, 3]); // image 2 has no positives: no negatives
    expect(r.posLossSum).toBeCloseTo(0.1, 6);
    expect(r.negLossSum).toBeCloseTo(2.1, 6);
    expect(r.lossSum).toBeCloseTo(2.2, 6);
    const r1 = hardNegativeMining(losses, labels, { numClasses: 2, negPosRatio: 1 });
    expect(arr(r1.negInds)).toEqual([1]);
    const one = hardNegativeMining([0.5, 0.5, 0.5, 0.5, 1], [2, 2, 2, 2, 0], { numClasses: 2, negPosRatio: 2 });
    expect(arr(one.negInds)).toEqual([0, 1]);
    expect(arr(one.posInds)).toEqual([4]);
    const empty = hardNegativeMining([], [], { numClasses: 3 });
    expect(empty.negInds.size).toBe(0);
    expect(empty.lossSum).toBe(0);
  });

  test(`bad input gets typed errors naming the argument (${backend})`, () => {
    const pr = [[0, 0, 10, 10]], gt = [[0, 0, 10, 10]];
    expectError(() => maxIouAssign(pr, gt, { negIouThr: 0.4 } as any), 'E_OPTION', 'options.posIouThr');
    expectError(() => maxIouAssign(pr, gt, { posIouThr: 0.5 } as any), 'E_OPTION', 'options.negIouThr');
    expectError(() => maxIouAssign(pr, gt, undefined as any), 'E_OPTION', 'options.posIouThr');
    expectError(() => maxIouAssign(pr, gt, { posIouThr: 0.5, negIouThr: [0.4, 0.3] }), 'E_VALUE', 'options.negIouThr[1]');
    expectError(() => maxIouAssign(pr, gt, { posIouThr: 0.5, negIouThr: [-1, 0.3] }), 'E_VALUE', 'options.negIouThr[0]');
    expectError(() => maxIouAssign(pr, gt, { posIouThr: 0.5, negIouThr: [0.1, 0.2, 0.3] as any }), 'E_SHAPE', 'options.negIouThr');
    expectError(() => maxIouAssign(pr, gt, { posIouThr: NaN, negIouThr: 0.4 }), 'E_TYPE', 'options.posIouThr');
    expectError(() => maxIouAssign(pr, gt, { posIouThr: 0.5, negIouThr: 0.4, gtLabels: [1, 2] }), 'E_SHAPE', 'options.gtLabels');
    expectError(() => maxIouAssign(pr, gt, { posIouThr: 0.5, negIouThr: 0.4, gtLabels: [1.5] }), 'E_VALUE', 'options.gtLabels');
    expectError(() => maxIouAssign(pr, gt, { posIouThr: 0.5, negIouThr: 0.4, lowQualityZeroIou: 'torch' as any }), 'E_OPTION', 'options.lowQualityZeroIou');
    expectError(() => maxIouAssign(pr, gt, { posIouThr: 0.5, negIouThr: 0.4, gtIgnore: [[0, 0, 1]] }), 'E_SHAPE', 'options.gtIgnore');
    expectError(() => maxIouAssign(pr, gt, { posIouThr: 0.5, negIouThr: 0.4, posIou: 1 } as any), 'E_OPTION', 'options.posIou');
    expectError(() => maxIouAssign([[0, 0, NaN, 1]], gt, { posIouThr: 0.5, negIouThr: 0.4 }), 'E_VALUE', 'priors');
    expectError(() => maxIouAssign(pr, [[0, 0, 1]], { posIouThr: 0.5, negIouThr: 0.4 }), 'E_SHAPE', 'gt');
    const as = { gtInds: [0, 1, -1], numGts: 1 };
    expectError(() => randomSample(as, { num: 4, posFraction: 0.5 } as any), 'E_OPTION', 'options.seed');
    expectError(() => randomSample(as, { num: 4, posFraction: 0.5, seed: -1 }), 'E_VALUE', 'options.seed');
    expectError(() => randomSample(as, { num: 4, posFraction: 0.5, seed: 2 ** 32 }), 'E_VALUE', 'options.seed');
    expectError(() => randomSample(as, { num: 4.5, posFraction: 0.5, seed: 1 }), 'E_VALUE', 'options.num');
    expectError(() => randomSample(as, { num: 4, posFraction: 1.5, seed: 1 }), 'E_VALUE', 'options.posFraction');
    expectError(() => randomSample(as, { posFraction: 0.5, seed: 1 } as any), 'E_OPTION', 'options.num');
    expectError(() => randomSample({ gtInds: [0, 2] }, { num: 4, posFraction: 0.5, seed: 1 }), 'E_VALUE', 'assign.numGts');
    expectError(() => randomSample({ gtInds: [0, 2], numGts: 1 }, { num: 4, posFraction: 0.5, seed: 1 }), 'E_VALUE', 'assign.gtInds');
    expectError(() => randomSample({ gtInds: [0, -2], numGts: 1 }, { num: 4, posFraction: 0.5, seed: 1 }), 'E_VALUE', 'assign.gtInds');
    expectError(() => randomSample({ gtInds: [0, 0.5], numGts: 1 }, { num: 4, posFraction: 0.5, seed: 1 }), 'E_VALUE', 'assign.gtInds');
    expectError(() => randomSample(null as any, { num: 4, posFraction: 0.5, seed: 1 }), 'E_TYPE', 'assign');
    expectError(() => ohemSample(as, [1, 2, 3], { num: 4, posFraction: 0.5 }), 'E_SHAPE', 'losses');
    expectError(() => ohemSample(as, [1, 2, NaN, 4], { num: 4, posFraction: 0.5 }), 'E_VALUE', 'losses');
    expectError(() => iouBalancedNegSample(as, { num: 4, posFraction: 0.5, seed: 1 }), 'E_VALUE', 'assign.maxOverlaps');
    expectError(() => iouBalancedNegSample({ ...as, maxOverlaps: [0, 1] }, { num: 4, posFraction: 0.5, seed: 1 }), 'E_SHAPE', 'assign.maxOverlaps');
    expectError(() => iouBalancedNegSample({ ...as, maxOverlaps: [0, 1, 0] }, { num: 4, posFraction: 0.5, seed: 1, numBins: 0 }), 'E_VALUE', 'options.numBins');
    expectError(() => iouBalancedNegSample({ ...as, maxOverlaps: [0, 1, 0] }, { num: 4, posFraction: 0.5, seed: 1, floorFraction: 2 }), 'E_VALUE', 'options.floorFraction');
    expectError(() => hardNegativeMining([1, 2], [0, 1], {} as any), 'E_OPTION', 'options.numClasses');
    expectError(() => hardNegativeMining([1, 2], [0], { numClasses: 1 }), 'E_SHAPE', 'labels');
    expectError(() => hardNegativeMining([1, 2], [0, 1], { numClasses: 1, negPosRatio: -1 }), 'E_VALUE', 'options.negPosRatio');
    expectError(() => hardNegativeMining([1, Infinity], [0, 1], { numClasses: 1 }), 'E_VALUE', 'losses');
  });
});

describe('properties and agreement across backends', () => {
  test('maxIouAssign: identical on every backend; encoding invariants', () => {
    fc.assert(fc.property(
      fc.array(ibox, { maxLength: 40 }), fc.array(ibox, { maxLength: 6 }), fc.array(ibox, { maxLength: 2 }),
      fc.record({
        pos: fc.constantFrom(0.3, 0.5, 0.7), neg: fc.constantFrom(0.1, 0.3, 0.4), all: fc.boolean(), lq: fc.boolean(),
        zero: fc.constantFrom('skip' as const, 'mmdet' as const), minPos: fc.constantFrom(0, 0.2), ign: fc.constantFrom(-1, 0.5), wrt: fc.boolean(),
      }),
      (priors, gts, ignore, o) => {
        const opts = {
          posIouThr: o.pos, negIouThr: Math.min(o.neg, o.pos), gtMaxAssignAll: o.all, matchLowQuality: o.lq, lowQualityZeroIou: o.zero,
          minPosIou: o.minPos, ignoreIofThr: o.ign, gtIgnore: ignore, ignoreWrtCandidates: o.wrt, gtLabels: gts.map((_, j) => 10 + j),
        };
        const r = onEveryBackend(() => {
          const a = maxIouAssign(priors, gts, opts);
          return { g: arr(a.gtInds), m: arr(a.maxOverlaps), l: arr(a.labels) };
        });
        expect(r.native).toEqual(r.ts);
        expect(r.wasm).toEqual(r.ts);
        const { g, m, l } = r.ts;
        g.forEach((a, i) => {
          expect(a).toBeGreaterThanOrEqual(-1);
          expect(a).toBeLessThanOrEqual(gts.length);
          expect(l[i]).toBe(a > 0 ? 10 + a - 1 : -1);
          if (gts.length === 0) expect(a).toBe(0);
          if (!o.lq && a > 0) expect(m[i]).toBeGreaterThanOrEqual(Math.fround(o.pos));
          if (a === 0) expect(m[i]).toBeLessThan(Math.fround(opts.negIouThr));
          if (o.zero === 'skip' && a > 0) expect(m[i]).toBeGreaterThan(0);
        });
      },
    ), { numRuns: 80 });
  });

  test('maxIouAssign on 5000+ priors (several Rust blocks, > 64 ties per gt, ignore blocks): identical on every backend', () => {
    // 2500 copies of [0,0,10,10], a grid of other boxes, one far box; gt 1 overlaps nothing
    const priors: number[][] = [];
    for (let i = 0; i < 2500; i++) priors.push([0, 0, 10, 10]);
    for (let i = 0; i < 2600; i++) priors.push([(i % 50) * 12, Math.floor(i / 50) * 12, (i % 50) * 12 + 11, Math.floor(i / 50) * 12 + 11]);
    priors.push([2000, 2000, 2010, 2010]);
    const gts = [[0, 0, 10, 10], [5000, 5000, 5010, 5010], [2000, 2000, 2010, 2006], [300, 300, 330, 330]];
    const P = priors.length;
    for (const zero of ['skip', 'mmdet'] as const) {
      for (const all of [true, false]) {
        const opts = {
          posIouThr: 0.7, negIouThr: 0.3, gtMaxAssignAll: all, lowQualityZeroIou: zero, gtLabels: [7, 8, 9, 6],
          gtIgnore: [[100, 100, 200, 200]], ignoreIofThr: 0.5,
        };
        const r = onEveryBackend(() => {
          const a = maxIouAssign(priors, gts, opts);
          return { g: arr(a.gtInds), m: arr(a.maxOverlaps) };
        });
        expect(r.native).toEqual(r.ts);
        expect(r.wasm).toEqual(r.ts);
        const g = r.ts.g;
        expect(g[P - 1]).toBe(3); // IoU 0.6 < 0.7: low-quality match of gt 2
        if (zero === 'skip') {
          expect(g.slice(0, 2500).every((v) => v === 1)).toBe(true);
          expect(g.includes(2)).toBe(false);
        } else if (all) {
          // gt 1 claims every non-ignored prior (all tie at IoU 0), later gts overwrite their best
          expect(g.slice(0, 2500).every((v) => v === 2)).toBe(true);
          expect(g.filter((v) => v === -1).length).toBeGreaterThan(0); // the ignore region stays ignored
        } else {
          expect(g[0]).toBe(2); // only gt 1's first argmax
          expect(g.slice(1, 2500).every((v) => v === 1)).toBe(true);
        }
      }
    }
  });

  const samplerArb = fc.record({
    gtInds: gtIndsArb,
    numGts: fc.integer({ min: 0, max: 4 }),
    addGt: fc.boolean(),
    num: fc.integer({ min: 0, max: 60 }),
    posFraction: fc.constantFrom(0, 0.25, 0.5, 1),
    negPosUb: fc.constantFrom(-1, 0, 1, 3),
    seed: fc.integer({ min: 0, max: 0xffffffff }),
  }).map((r) => ({ ...r, numGts: Math.max(r.numGts, ...r.gtInds, 0) }));

  test('randomSample: unique, exact counts, right pools, same seed ⇒ same indices on every backend', () => {
    fc.assert(fc.property(samplerArb, (s) => {
      const opts = { num: s.num, posFraction: s.posFraction, negPosUb: s.negPosUb, addGtAsProposals: s.addGt, seed: s.seed };
      const r = onEveryBackend(() => randomSample({ gtInds: s.gtInds, numGts: s.numGts }, opts));
      const added = s.addGt ? s.numGts : 0;
      const [np, nn] = expectedCounts(s.gtInds, added, s.num, s.posFraction, s.negPosUb);
      for (const b of ['native', 'wasm', 'ts'] as const) {
        checkSample(r[b], s.gtInds, added);
        expect(r[b].posInds.size).toBe(np);
        expect(r[b].negInds.size).toBe(nn);
        expect(r[b].numCandidates).toBe(added + s.gtInds.length);
      }
      expect(arr(r.native.posInds)).toEqual(arr(r.ts.posInds));
      expect(arr(r.native.negInds)).toEqual(arr(r.ts.negInds));
      expect(arr(r.wasm.posInds)).toEqual(arr(r.ts.posInds));
      expect(arr(r.wasm.negInds)).toEqual(arr(r.ts.negInds));
      expect(arr(r.wasm.posAssignedGtInds)).toEqual(arr(r.ts.posAssignedGtInds));
    }), { numRuns: 150 });
  });

  test('ohemSample: unique, exact counts, the kept are at least as hard as the dropped, identical on every backend', () => {
    fc.assert(fc.property(samplerArb, fc.array(fc.float({ min: 0, max: 10, noNaN: true }), { minLength: 130, maxLength: 130 }), (s, pool) => {
      const added = s.addGt ? s.numGts : 0;
      const losses = pool.slice(0, added + s.gtInds.length);
      const opts = { num: s.num, posFraction: s.posFraction, negPosUb: s.negPosUb, addGtAsProposals: s.addGt };
      const r = onEveryBackend(() => ohemSample({ gtInds: s.gtInds, numGts: s.numGts }, losses, opts));
      const [np, nn] = expectedCounts(s.gtInds, added, s.num, s.posFraction, s.negPosUb);
      checkSample(r.ts, s.gtInds, added);
      expect(r.ts.posInds.size).toBe(np);
      expect(r.ts.negInds.size).toBe(nn);
      const lf = Float32Array.from(losses);
      const neg = new Set(arr(r.ts.negInds));
      const minKept = Math.min(...arr(r.ts.negInds).map((i) => lf[i]));
      s.gtInds.forEach((a, p) => {
        if (a === 0 && !neg.has(added + p)) expect(lf[added + p]).toBeLessThanOrEqual(minKept);
      });
      for (const b of ['native', 'wasm'] as const) {
        expect(arr(r[b].posInds)).toEqual(arr(r.ts.posInds));
        expect(arr(r[b].negInds)).toEqual(arr(r.ts.negInds));
      }
    }), { numRuns: 100 });
  });

  test('iouBalancedNegSample: unique, exact counts, right pools, identical on every backend', () => {
    fc.assert(fc.property(
      samplerArb, fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 120, maxLength: 120 }),
      fc.record({ floorThr: fc.constantFrom(-1, 0, 0.1, 0.3), floorFraction: fc.constantFrom(0, 0.25, 1), numBins: fc.integer({ min: 1, max: 5 }) }),
      (s, ious, io) => {
        const maxOverlaps = s.gtInds.map((a, i) => (a === -1 ? -1 : ious[i] / 100));
        const added = s.addGt ? s.numGts : 0;
        const opts = { num: s.num, posFraction: s.posFraction, negPosUb: s.negPosUb, addGtAsProposals: s.addGt, seed: s.seed, ...io };
        const r = onEveryBackend(() => iouBalancedNegSample({ gtInds: s.gtInds, numGts: s.numGts, maxOverlaps }, opts));
        const [np, nn] = expectedCounts(s.gtInds, added, s.num, s.posFraction, s.negPosUb);
        checkSample(r.ts, s.gtInds, added);
        expect(r.ts.posInds.size).toBe(np);
        expect(r.ts.negInds.size).toBe(nn);
        for (const b of ['native', 'wasm'] as const) {
          expect(arr(r[b].posInds)).toEqual(arr(r.ts.posInds));
          expect(arr(r[b].negInds)).toEqual(arr(r.ts.negInds));
        }
      },
    ), { numRuns: 120 });
  });

  test('hardNegativeMining: per-image counts, hardest kept, identical on every backend', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 3 }), fc.constantFrom(0, 1, 3, 2.5),
      fc.array(fc.tuple(fc.float({ min: 0, max: 5, noNaN: true }), fc.integer({ min: -1, max: 3 })), { minLength: 120, maxLength: 120 }),
      (n, p, c, ratio, cells) => {
        const losses = cells.slice(0, n * p).map((x) => x[0]);
        const labels = cells.slice(0, n * p).map((x) => Math.min(x[1], c));
        const shaped = { data: losses, shape: [n, p] }, shapedL = { data: labels, shape: [n, p] };
        const r = onEveryBackend(() => hardNegativeMining(shaped, shapedL, { numClasses: c, negPosRatio: ratio }));
        const neg = arr(r.ts.negInds);
        expect(new Set(neg).size).toBe(neg.length);
        const lf = Float32Array.from(losses);
        for (let img = 0; img < n; img++) {
          const idx = Array.from({ length: p }, (_, i) => img * p + i);
          const npos = idx.filter((i) => labels[i] >= 0 && labels[i] < c).length;
          const negs = idx.filter((i) => labels[i] === c);
          const kept = neg.filter((i) => i >= img * p && i < (img + 1) * p);
          expect(kept.length).toBe(Math.min(Math.floor(ratio * npos), negs.length));
          kept.forEach((i) => expect(labels[i]).toBe(c));
          const minKept = Math.min(...kept.map((i) => lf[i]));
          negs.filter((i) => !kept.includes(i)).forEach((i) => expect(lf[i]).toBeLessThanOrEqual(minKept));
        }
        for (const b of ['native', 'wasm'] as const) {
          expect(arr(r[b].negInds)).toEqual(neg);
          expect(arr(r[b].posInds)).toEqual(arr(r.ts.posInds));
          expect(r[b].lossSum).toBe(r.ts.lossSum);
        }
      },
    ), { numRuns: 80 });
  });
});

describe('assignTargets: assignment → loss / PISA encodings', () => {
  forEachBackend(() => {
    test('labels with background = C, ignore mask, positives with 0-based gt indices', () => {
      const priors = [[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60], [0, 0, 6, 10], [100, 100, 110, 110]];
      const gt = [[0, 0, 10, 10], [50, 50, 60, 60]];
      const a = maxIouAssign(priors, gt, { gtLabels: [3, 1], posIouThr: 0.5, negIouThr: 0.4, minPosIou: 0 });
      const t = assignTargets(a, { numClasses: 4 });
      // prior 3 (IoU 0.6 with gt 0) is positive too; prior 4 overlaps nothing: negative
      expect(Array.from(a.gtInds.data)).toEqual([1, 1, 2, 1, 0]);
      expect(Array.from(t.labels.data)).toEqual([3, 3, 1, 3, 4]);
      expect(Array.from(t.labelWeights.data)).toEqual([1, 1, 1, 1, 1]);
      expect(Array.from(t.posInds.data)).toEqual([0, 1, 2, 3]);
      expect(Array.from(t.posGtInds.data)).toEqual([0, 0, 1, 0]);
      expect(Array.from(t.negInds.data)).toEqual([4]);
      expect(t.avgFactor).toBe(4);
      // the labels feed the focal loss directly
      const logits = { data: new Float32Array(5 * 4), shape: [5, 4] };
      expect(Number.isFinite(sigmoidFocalLoss(logits, t.labels, { labelWeights: t.labelWeights, avgFactor: t.avgFactor }).loss)).toBe(true);
    });
    test('ignored priors get weight 0; no positives gives avgFactor 1; bad input', () => {
      const t = assignTargets({ gtInds: [-1, 0, 0], labels: [-1, -1, -1] }, { numClasses: 2 });
      expect(Array.from(t.labelWeights.data)).toEqual([0, 1, 1]);
      expect(Array.from(t.labels.data)).toEqual([2, 2, 2]);
      expect(t.avgFactor).toBe(1);
      expectError(() => assignTargets({ gtInds: [1], labels: [5] }, { numClasses: 2 }), 'E_VALUE', 'assign.labels');
      expectError(() => assignTargets({ gtInds: [1, 0], labels: [0] }, { numClasses: 2 }), 'E_SHAPE', 'assign.labels');
      expectError(() => assignTargets({ gtInds: [1], labels: [0] }, { numClasses: 0 }), 'E_VALUE', 'options.numClasses');
    });
  });
});
