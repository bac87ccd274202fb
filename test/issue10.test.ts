/**
 * Issue 10 regression tests: every input the differential fuzz and the reference projects' tests
 * reported, with its right value (or typed error) on every backend.
 */
import {
  bboxOverlaps, boxConvert, bbox2delta, delta2bbox, gridAnchors, baseAnchors, maxIouAssign, ghmcLoss, ghmrLoss,
  asl1Loss, smoothL1Loss, sigmoidFocalLoss, focalLossStar, softmaxFocalLoss, carlLoss, iouHlr, isrP, isrN, SoftSamplingError,
} from '../ts/index';
import { forEachBackend, onEveryBackend } from './helpers';

function expectError(fn: () => unknown, code: string, arg: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SoftSamplingError);
  expect({ code: (err as SoftSamplingError).code, arg: (err as SoftSamplingError).arg }).toEqual({ code, arg });
}

forEachBackend(() => {
  describe('class 2: coordinates beyond 1e18 are refused, not NaN', () => {
    test('bboxOverlaps at 2e19 → E_VALUE; at the bound 1e18 exact', () => {
      expectError(() => bboxOverlaps([[0, 0, 2e19, 2e19]], [[0, 0, 2e19, 2e19]]), 'E_VALUE', 'boxes1');
      expect(Array.from(bboxOverlaps([[0, 0, 1e18, 1e18]], [[0, 0, 1e18, 1e18]]).data)).toEqual([1]);
      expect(Array.from(bboxOverlaps([[0, 0, 1e18, 1e18]], [[0, 0, 1e18, 1e18]], { mode: 'giou' }).data)).toEqual([1]);
      expect(bboxOverlaps([[-1e18, -1e18, 1e18, 1e18]], [[0, 0, 1e18, 1e18]]).data[0]).toBeCloseTo(0.25, 6);
    });
    test('maxIouAssign at 2e19 → E_VALUE (was NaN maxOverlaps)', () => {
      expectError(() => maxIouAssign([[0, 0, 2e19, 2e19]], [[0, 0, 2e19, 2e19]], { posIouThr: 0.5, negIouThr: 0.4 }), 'E_VALUE', 'priors');
    });
    test('reversed corners at 1e20 with GIoU → E_VALUE', () => {
      expectError(() => bboxOverlaps([[1e20, 1e20, 0, 0]], [[0, 0, 1, 1]], { mode: 'giou' }), 'E_VALUE', 'boxes1');
    });
  });

  test('class 3: GIoU never exceeds IoU (reversed corners)', () => {
    const a = [[15, 20, 5, 10]], b = [[5, 10, 15, 20]];
    expect(Array.from(bboxOverlaps(a, b).data)).toEqual([0]);
    expect(Array.from(bboxOverlaps(a, b, { mode: 'giou' }).data)).toEqual([0]);
    expect(Array.from(bboxOverlaps(a, b, { mode: 'giou', aligned: true }).data)).toEqual([0]);
    // well-formed boxes keep the textbook value: IoU 1/7, enclose 225, union 175 → 1/7 − 50/225
    expect(bboxOverlaps([[0, 0, 10, 10]], [[5, 5, 15, 15]], { mode: 'giou' }).data[0]).toBeCloseTo(1 / 7 - 50 / 225, 6);
  });

  test('class 4: bbox2delta refuses a prior so thin the deltas overflow', () => {
    expectError(() => bbox2delta([[0, 0, 1e-40, 1]], [[0, 0, 1, 1]]), 'E_VALUE', 'gt');
    expectError(() => bbox2delta([[0, 0, 1, 1]], [[0, 0, 1e-35, 1]]), 'E_VALUE', 'gt');
  });

  describe('class 5: precision the formula can keep', () => {
    test('boxConvert xywh → cxcywh beside a large coordinate keeps the height', () => {
      expect(Array.from(boxConvert([[10, 1e8, 5, 3]], 'xywh', 'cxcywh').data)).toEqual([12.5, Math.fround(1e8 + 1.5), 5, 3]);
      expect(Array.from(boxConvert([[12.5, 1e8, 5, 3]], 'cxcywh', 'xywh').data)).toEqual([10, Math.fround(1e8 - 1.5), 5, 3]);
    });
    test('GHM-C g at logit 16.6, target 1 is σ(−16.6) = 6.18e-8', () => {
      const r = ghmcLoss({ data: [16.6], shape: [1, 1] }, { data: [1], shape: [1, 1] }, { targetType: 'onehot' });
      const want = 1 / (1 + Math.exp(Math.fround(16.6)));
      expect(Math.abs(r.g.data[0] - want) / want).toBeLessThan(1e-5);
    });
    test('ASL1 and GHM-R at d = 1e-4, μ = 1: 5e-9, not 0', () => {
      const want = Math.sqrt(Math.fround(1e-4) ** 2 + 1) - 1; // ≈ 5e-9
      expect(Math.abs(asl1Loss([1e-4], [0], { mu: 1 }).loss - want) / want).toBeLessThan(1e-5);
      expect(Math.abs(ghmrLoss([1e-4], [0], { mu: 1 }).lossElements.data[0] - want) / want).toBeLessThan(1e-5);
    });
  });

  describe('found by the fuzz: the PISA decode path far from the origin (seed 20261130)', () => {
    // prior [38, 77, 102, 91] (64 × 14), dy = 1e6 → y ≈ 1.4e7, where float32 steps in whole pixels:
    // the prediction (dh clamped to ln(1000/16)) is 875 px high, the target 14 px inside it.
    // From float32 corners the IoU was 0.016017 on native/wasm and 0.015980 on ts.
    const input = { labels: [2], gtInds: [3], priors: [[38, 77, 102, 91]], bboxPred: [[1e-4, 1e6, 0, 50]], bboxTargets: [[0, 1e6, 0, 0]] };
    // float64 reference: decode both boxes (mmdet delta2bbox) and take their IoU
    const decode = (p: number[], d: number[]) => {
      const clip = Math.abs(Math.log(16 / 1000));
      const [pw, ph, px, py] = [p[2] - p[0], p[3] - p[1], (p[0] + p[2]) / 2, (p[1] + p[3]) / 2];
      const [gx, gy] = [px + pw * Math.fround(d[0]), py + ph * Math.fround(d[1])];
      const [gw, gh] = [pw * Math.exp(Math.min(Math.max(d[2], -clip), clip)), ph * Math.exp(Math.min(Math.max(d[3], -clip), clip))];
      return [gx - gw / 2, gy - gh / 2, gx + gw / 2, gy + gh / 2];
    };
    const a = decode(input.priors[0], input.bboxPred[0]), b = decode(input.priors[0], input.bboxTargets[0]);
    const inter = Math.max(Math.min(a[2], b[2]) - Math.max(a[0], b[0]), 0) * Math.max(Math.min(a[3], b[3]) - Math.max(a[1], b[1]), 0);
    const want = inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
    test('iouHlr and isrP: the IoU of the decoded boxes, exact to float32', () => {
      expect(want).toBeCloseTo(0.016, 4);
      const got = iouHlr(input).ious.data[0];
      expect(Math.abs(got - want) / want).toBeLessThan(1e-7);
      expect(isrP({ ...input, posLoss: [1] }).ious.data[0]).toBe(got);
    });
    test('effectivePrime tests the centre against the decoded target in float64, not its float32 corners', () => {
      // positive 0: the target's top edge decodes to y = 16777005.3, which float32 rounds to 16777005
      // (the prior's centre): outside, not inside; positive 1 (lower IoU) is inside, so it ranks first
      const inp = {
        labels: [0, 0], gtInds: [0, 0], priors: [[0, 16777000, 16, 16777010], [0, 0, 10, 10]],
        bboxPred: [[0, 0.53, 0, 0], [0, 0, 0, 0.5]], bboxTargets: [[0, 0.53, 0, 0], [0, 0, 0, 0]],
      };
      expect(Array.from(iouHlr(inp).ranks.data)).toEqual([0, 1]);
      expect(Array.from(iouHlr(inp, { effectivePrime: 'rerank' }).ranks.data)).toEqual([1, 0]);
      // the predicted centre of positive 0 is its target's centre: inside, and it keeps its IoU rank
      expect(Array.from(iouHlr(inp, { effectivePrime: 'rerank', primeCenter: 'pred' }).ranks.data)).toEqual([0, 1]);
    });
    test('near the origin it is the IoU of the decoded float32 boxes', () => {
      const priors = [[0, 0, 10, 20], [3, 4, 40, 9]], bboxPred = [[0.3, -0.2, 0.1, -0.4], [0.5, 0.5, 0, 0]], bboxTargets = [[-0.1, 0.25, -0.3, 0.2], [0, 0, 0, 0]];
      const viaBoxes = bboxOverlaps(delta2bbox(priors, bboxPred), delta2bbox(priors, bboxTargets), { aligned: true }).data;
      const got = iouHlr({ labels: [0, 0], gtInds: [0, 1], priors, bboxPred, bboxTargets }).ious.data;
      got.forEach((v, i) => expect(v).toBeCloseTo(viaBoxes[i], 6));
    });
  });

  describe('found by the fuzz: the 1e18 bound on every float input, corner-offset encoding', () => {
    test('a logit of 3e38 → E_VALUE (FL* and GHM-C element losses overflowed to +Inf)', () => {
      expectError(() => focalLossStar([[-3e38]], [0]), 'E_VALUE', 'logits');
      expectError(() => sigmoidFocalLoss([[3e38]], [[1]]), 'E_VALUE', 'logits');
      expectError(() => ghmcLoss({ data: [3e38, 0], shape: [1, 2] }, [0]), 'E_VALUE', 'logits');
      expect(Number.isFinite(focalLossStar([[-1e18]], [0]).loss)).toBe(true);
    });
    test('bbox2delta of nearby boxes at y = 1e8 keeps the offset', () => {
      const d = bbox2delta([[100000000, 77, 100000088, 89]], [[100000000, 0, 100000008, 76]]).data;
      expect(d[0]).toBeCloseTo(-40 / 88, 6);
    });
  });

  describe('class 6: foreign errors become SoftSamplingError', () => {
    test('BigInt64Array data → E_TYPE', () => {
      expectError(() => bboxOverlaps({ data: BigInt64Array.from([0n, 0n, 1n, 1n]) as never, shape: [1, 4] }, [[0, 0, 1, 1]]), 'E_TYPE', 'boxes1');
    });
    test('a shape of 2^33 elements → E_SHAPE', () => {
      expectError(() => bboxOverlaps({ data: { length: 2 ** 33 } as never, shape: [2 ** 31, 4] }, [[0, 0, 1, 1]]), 'E_SHAPE', 'boxes1');
    });
  });

  describe('class 7: the same verdict on every backend', () => {
    test('a detached ArrayBuffer → E_VALUE', () => {
      const a = new Float32Array([0, 0, 1, 1]);
      structuredClone(a.buffer, { transfer: [a.buffer] });
      expectError(() => bboxOverlaps(a, [[0, 0, 1, 1]]), 'E_VALUE', 'boxes1');
      expectError(() => bboxOverlaps({ data: a, shape: [0, 4] }, [[0, 0, 1, 1]]), 'E_VALUE', 'boxes1');
    });
    test('carlLoss with rows of scores but no labels → E_SHAPE', () => {
      expectError(() => carlLoss({ data: [1, 2, 0, 0.5, -1, 0], shape: [2, 3] }, [], [], []), 'E_SHAPE', 'clsScore');
    });
  });

  describe('class 8: inputs refused rather than reinterpreted', () => {
    test('{data} with extra values → E_SHAPE', () => {
      expectError(() => bboxOverlaps({ data: [0, 0, 10, 10, 99, 99], shape: [1, 4] }, [[0, 0, 1, 1]]), 'E_SHAPE', 'boxes1');
    });
    test('strings inside {data} → E_TYPE', () => {
      expectError(() => bboxOverlaps({ data: ['0', '0', '1', '1'] as never, shape: [1, 4] }, [[0, 0, 1, 1]]), 'E_TYPE', 'boxes1');
    });
    test('labels ≥ 2^24 → E_VALUE (float32 would round 16777217 to 16777216)', () => {
      const k = 2 ** 24 + 2;
      expectError(() => softmaxFocalLoss({ data: new Float32Array(k), shape: [1, k] }, [16777217]), 'E_VALUE', 'labels');
    });
    test('negative weight / labelWeights → E_VALUE', () => {
      expectError(() => sigmoidFocalLoss([[0.5]], [[1]], { weight: [-1] }), 'E_VALUE', 'options.weight');
      expectError(() => sigmoidFocalLoss([[0.5]], [[1]], { labelWeights: [-1] }), 'E_VALUE', 'options.labelWeights');
      expectError(() => smoothL1Loss([1], [0], { weight: [-1] }), 'E_VALUE', 'options.weight');
    });
  });

  describe('class 9: options checked', () => {
    test("avgFactor with reduction 'none' → E_OPTION", () => {
      expectError(() => smoothL1Loss([1, 2], [0, 0], { reduction: 'none', avgFactor: 5 }), 'E_OPTION', 'options.avgFactor');
    });
    test('iouHlr coder options are validated even when IoUs are given', () => {
      const inp = { labels: [0, 0], gtInds: [0, 1], ious: [0.6, 0.7] };
      expectError(() => iouHlr(inp, { stds: 'garbage' } as never), 'E_TYPE', 'options.stds');
      expectError(() => iouHlr(inp, { whRatioClip: NaN } as never), 'E_TYPE', 'options.whRatioClip');
    });
    test('maxIouAssign posIouThr outside [0, 1] → E_VALUE', () => {
      for (const posIouThr of [-1, 1.5]) {
        expectError(() => maxIouAssign([[0, 0, 1, 1]], [[0, 0, 1, 1]], { posIouThr, negIouThr: 0.4 }), 'E_VALUE', 'options.posIouThr');
      }
    });
    test('inherited option keys are validated and used', () => {
      const x = [[0.3, -2]], y = [[1, 0]];
      expect(sigmoidFocalLoss(x, y, Object.create({ gamma: 0 })).loss).toBeCloseTo(sigmoidFocalLoss(x, y, { gamma: 0 }).loss, 7);
      expectError(() => sigmoidFocalLoss(x, y, Object.create({ gama: 1 })), 'E_OPTION', 'options.gama');
    });
  });

  test('class 10: isrN with a 1e37 coordinate → E_VALUE (was a different stream on native and ts)', () => {
    const boxes = [[0, 0, 10, 10], [0, 0, 1e37, 10], [5, 5, 15, 15]];
    expectError(() => isrN({ scores: [0.9, 0.8, 0.7], boxes }, { numExpected: 2, seed: 1 }), 'E_VALUE', 'input.boxes');
  });

  test('class 11: a zero-size prior decodes to a point (mmdetection delta-coder test)', () => {
    const r = delta2bbox([[5, 5, 5, 5]], [[0.7, -1.9, -0.5, 0.3]], { maxShape: [32, 32] });
    expect(Array.from(r.data)).toEqual([5, 5, 5, 5]);
    // and the rest of the batch is decoded as usual
    const two = delta2bbox([[5, 5, 5, 5], [0, 0, 10, 10]], [[0.7, -1.9, -0.5, 0.3], [0, 0, 0, 0]]);
    expect(Array.from(two.data)).toEqual([5, 5, 5, 5, 0, 0, 10, 10]);
    expectError(() => delta2bbox([[5, 5, 4, 6]], [[0, 0, 0, 0]]), 'E_VALUE', 'priors');
    // PISA's decode path too: the zero-size prior's positive gets IoU 0, the others their own
    const pr = iouHlr({ labels: [0, 0], gtInds: [0, 1], priors: [[5, 5, 5, 5], [0, 0, 10, 10]], bboxPred: [[0, 0, 0, 0], [0, 0, 0, 0]], bboxTargets: [[0, 0, 0, 0], [0, 0, 0, 0]] });
    expect(Array.from(pr.ious.data)).toEqual([0, 1]);
  });

  describe('class 12: detectron2 anchor order (scaleMajor: false)', () => {
    // detectron2 tests/modeling/test_anchor_generator.py: sizes [32, 64], ratios [0.25, 1, 4], stride 4, 1×2 map
    const cell = [[-32, -8, 32, 8], [-16, -16, 16, 16], [-8, -32, 8, 32], [-64, -16, 64, 16], [-32, -32, 32, 32], [-16, -64, 16, 64]];
    const opts = { strides: [4], baseSizes: [4], scales: [8, 16], ratios: [0.25, 1, 4], scaleMajor: false };
    test('offset 0', () => {
      const want = [...cell, ...cell.map(([a, b, c, d]) => [a + 4, b, c + 4, d])];
      expect(gridAnchors([[1, 2]], opts).anchors.toArray()).toEqual(want);
    });
    test('offset 0.5', () => {
      const want = [...cell.map(([a, b, c, d]) => [a + 2, b + 2, c + 2, d + 2]), ...cell.map(([a, b, c, d]) => [a + 6, b + 2, c + 6, d + 2])];
      expect(gridAnchors([[1, 2]], { ...opts, centerOffset: 0.5 }).anchors.toArray()).toEqual(want);
    });
    test('default stays ratio-major (mmdetection scale_major=True)', () => {
      expect(baseAnchors(4, [0.25, 1, 4], [8, 16]).toArray()).toEqual([cell[0], cell[3], cell[1], cell[4], cell[2], cell[5]]);
    });
  });
});

describe('cross-backend agreement on the precision cases (class 5)', () => {
  test('CARL gradient with avgFactor 1e-6', () => {
    const r = onEveryBackend(() => carlLoss({ data: [2, -1, 0.5, 0.1, 3, -2], shape: [2, 3] }, [0, 1], { data: [0.1, 0.2, -0.3, 0.4, 1, 2, 3, 4], shape: [2, 4] }, { data: new Float32Array(8), shape: [2, 4] }, { avgFactor: 1e-6 }));
    for (const b of ['native', 'wasm'] as const) {
      expect(Math.abs(r[b].loss - r.ts.loss) / r.ts.loss).toBeLessThan(1e-5);
      const scale = Math.max(...Array.from(r.ts.gradClsScore.data, Math.abs));
      r[b].gradClsScore.data.forEach((v, i) => expect(Math.abs(v - r.ts.gradClsScore.data[i])).toBeLessThan(1e-4 * scale));
    }
  });
  test('IoU-HLR decode path far from the origin: bit-identical IoUs', () => {
    const input = { labels: [2, 0], gtInds: [3, 1], priors: [[38, 77, 102, 91], [0, 1e8, 16, 1e8 + 16]], bboxPred: [[1e-4, 1e6, 0, 50], [0.1, -0.2, 0.3, 50]], bboxTargets: [[0, 1e6, 0, 0], [0, 0, 0, 0]] };
    const r = onEveryBackend(() => Array.from(iouHlr(input).ious.data));
    expect(r.native).toEqual(r.ts);
    expect(r.wasm).toEqual(r.ts);
  });
  test('IoU-HLR on thin priors (1e-3 wide) ranks alike', () => {
    const pred = [[0, 0, 0.001, 10], [0, 0, 0.0011, 10], [0, 0, 0.0009, 10]], target = [[0, 0, 0.001, 10], [0, 0, 0.001, 10], [0, 0, 0.001, 10]];
    const r = onEveryBackend(() => iouHlr({ labels: [0, 0, 0], gtInds: [0, 1, 2], predBoxes: pred, targetBoxes: target }));
    expect(Array.from(r.native.ranks.data)).toEqual(Array.from(r.ts.ranks.data));
    expect(Array.from(r.wasm.ranks.data)).toEqual(Array.from(r.ts.ranks.data));
  });
});
