/** Issue 14 losses (QFL, DFL, VFL, Balanced L1, IoU family): golden vectors on every backend, bad input. */
import {
  qualityFocalLoss, distributionFocalLoss, equalizedFocalLoss, createEflState, type EflState, varifocalLoss, balancedL1Loss, iouLoss, giouLoss, diouLoss, ciouLoss,
  type LossResult, type BoxLossResult,
} from '../ts/index';
import { forEachBackend, vectors, expectClose, expectError, type VectorCase } from './helpers';

function reduceOpts(p: Record<string, any>): Record<string, unknown> {
  const o: Record<string, unknown> = { reduction: p.reduction, lossWeight: p.loss_weight };
  if (p.avg_factor !== undefined && p.avg_factor !== null) o.avgFactor = p.avg_factor;
  return o;
}

function check(c: VectorCase, r: LossResult): void {
  const e = c.expected;
  const lw = c.params.loss_weight ?? 1;
  if (c.params.reduction === 'none') expectClose(Array.from(r.lossElements.data, (v) => v * lw), e.loss, c.tolerance, `${c.name} loss`);
  else expectClose(r.loss, e.loss, c.tolerance, `${c.name} loss`);
  if (e.grad !== undefined) expectClose(r.grad.data, e.grad, c.tolerance, `${c.name} grad`);
}

const RUN: Record<string, (c: VectorCase, variant?: number) => LossResult> = {
  quality_focal_loss: (c, variant) => {
    const { pred, labels, scores, soft_target, weight } = c.inputs;
    const target = variant === 1 ? soft_target : { labels, scores };
    return qualityFocalLoss(pred, target, { beta: c.params.beta, activated: c.params.activated, weight, ...reduceOpts(c.params) });
  },
  distribution_focal_loss: (c) => distributionFocalLoss(c.inputs.pred, c.inputs.target, { weight: c.inputs.weight, ...reduceOpts(c.params) }),
  varifocal_loss: (c) =>
    varifocalLoss(c.inputs.pred, c.inputs.target, {
      alpha: c.params.alpha, gamma: c.params.gamma, iouWeighted: c.params.iou_weighted, weight: c.inputs.weight, ...reduceOpts(c.params),
    }),
  balanced_l1_loss: (c) =>
    balancedL1Loss(c.inputs.pred, c.inputs.target, {
      alpha: c.params.alpha, gamma: c.params.gamma, beta: c.params.beta, weight: c.inputs.weight, ...reduceOpts(c.params),
    }),
  iou_loss: (c) => iouLoss(c.inputs.pred, c.inputs.target, { mode: c.params.mode, eps: c.params.eps, weight: c.inputs.weight, ...reduceOpts(c.params) }),
  giou_loss: (c) => giouLoss(c.inputs.pred, c.inputs.target, { eps: c.params.eps, weight: c.inputs.weight, ...reduceOpts(c.params) }),
  diou_loss: (c) => diouLoss(c.inputs.pred, c.inputs.target, { eps: c.params.eps, weight: c.inputs.weight, ...reduceOpts(c.params) }),
  ciou_loss: (c) => ciouLoss(c.inputs.pred, c.inputs.target, { eps: c.params.eps, weight: c.inputs.weight, ...reduceOpts(c.params) }),
};

forEachBackend(() => {
  for (const op of Object.keys(RUN)) {
    const cases = vectors(op);
    test(`${op}: ${cases.length} vectors present`, () => expect(cases.length).toBeGreaterThan(0));
    for (const c of cases) {
      test(`${op} vector ${c.name}`, () => {
        const r = RUN[op](c);
        check(c, r);
        const e = c.expected;
        if (e.pair_iou !== undefined) expectClose((r as BoxLossResult).iou.data, e.pair_iou, c.tolerance, `${c.name} pair_iou`);
        if (e.ciou_alpha !== undefined) expectClose((r as BoxLossResult).ciouAlpha!.data, e.ciou_alpha, c.tolerance, `${c.name} ciou_alpha`);
        if (e.ciou_v !== undefined) expectClose((r as BoxLossResult).ciouV!.data, e.ciou_v, c.tolerance, `${c.name} ciou_v`);
        if (op === 'quality_focal_loss') check(c, RUN[op](c, 1)); // the dense soft-target form gives the same numbers
      });
    }
  }

  const efl = vectors('equalized_focal_loss');
  test(`equalized_focal_loss: ${efl.length} vectors present`, () => expect(efl.length).toBe(3));
  for (const c of efl) {
    test(`equalized_focal_loss vector ${c.name} (state carried between steps)`, () => {
      const si = c.inputs.state_init;
      let state: EflState = { numClasses: si.pos_neg.length, posGrad: si.pos_grad, negGrad: si.neg_grad, posNeg: si.pos_neg };
      c.inputs.steps.forEach((st: any, k: number) => {
        const e = c.expected.steps[k];
        const r = equalizedFocalLoss(st.pred, st.target, {
          state, gammaB: c.params.gamma_b, scaleFactor: c.params.scale, alpha: c.params.alpha, weight: st.weight, ...reduceOpts(c.params),
        });
        const lw = c.params.loss_weight ?? 1;
        if (c.params.reduction === 'none') expectClose(Array.from(r.lossElements.data, (v) => v * lw), e.loss, c.tolerance, `step ${k} loss`);
        else expectClose(r.loss, e.loss, c.tolerance, `step ${k} loss`);
        expectClose(r.grad.data, e.grad, c.tolerance, `step ${k} grad`);
        expectClose(r.state.posGrad, e.pos_grad, c.tolerance, `step ${k} pos_grad`);
        expectClose(r.state.negGrad, e.neg_grad, c.tolerance, `step ${k} neg_grad`);
        expectClose(r.state.posNeg, e.pos_neg, c.tolerance, `step ${k} pos_neg`);
        expect(JSON.parse(JSON.stringify(r.state))).toEqual(r.state); // serialisable
        state = r.state;
      });
    });
  }

  test('EFL state: caller-owned, validated, not mutated', () => {
    const s0 = createEflState(2);
    const r = equalizedFocalLoss([[1, -1]], [[1, 0]], { state: s0 });
    expect(s0).toEqual(createEflState(2));
    expect(r.state.posGrad[0]).toBeGreaterThan(0);
    expectError(() => equalizedFocalLoss([[1, -1]], [[1, 0]], { state: createEflState(3) }), 'E_SHAPE', 'options.state.numClasses');
    expectError(() => equalizedFocalLoss([[1, -1]], [[1, 0]], { state: { ...s0, posNeg: [2, 1] } }), 'E_VALUE', 'options.state.posNeg');
    expectError(() => equalizedFocalLoss([[1, -1]], [[0.5, 0]]), 'E_VALUE', 'targets');
    expectError(() => createEflState(0), 'E_VALUE', 'numClasses');
    const frozen = equalizedFocalLoss([[1, -1]], [[1, 0]], { state: r.state, update: false });
    expect(frozen.state).toEqual(r.state);
  });

  test('extreme inputs found by the fuzz: DFL at logits 1e18, GIoU of reversed boxes 1e18 apart', () => {
    // softmax of [1e18, 1e18, 0, …] is [½, ½, 0, …]; target 0 puts all weight on bin 0 → d/dx0 = ½ − 1
    const d = distributionFocalLoss([[1e18, 1e18, 0, 0, 0, 0]], [0], { reduction: 'sum' });
    expectClose(Array.from(d.grad.data).slice(0, 3), [-0.5, 0.5, 0], { abs: 1e-6, rel: 0 });
    expectClose([d.loss as number], [Math.LN2], { abs: 0, rel: 1e-6 });
    // the f32 lane kernel overflows here; the pair goes through the float64 formulas on every backend
    const g = giouLoss([200, 0, 0, 5], [1e18, 1e15, 0, 116], { weight: [0.25], reduction: 'sum' });
    expect(Number.isFinite(g.loss as number)).toBe(true);
    expectClose([(g.loss as number) / -2.5e38], [1], { abs: 0, rel: 1e-6 });
    expectClose(Array.from(g.grad.data), [1250000, -50000000, -1250000, 50000000], { abs: 0, rel: 1e-6 });
  });

  test('bad input: E_VALUE naming the argument and first bad index', () => {
    const pred = [[0, 0, 0, 0, 0]];
    expect(expectError(() => distributionFocalLoss(pred, [4]), 'E_VALUE', 'target').message).toMatch(/element 0 is 4/);
    expect(expectError(() => distributionFocalLoss([...pred, ...pred], [1, -0.5]), 'E_VALUE', 'target').message).toMatch(/element 1/);
    expect(expectError(() => qualityFocalLoss([[0, 1], [1, 0]], { labels: [0, 1], scores: [0.5, 1.5] }), 'E_VALUE', 'target.scores').message).toMatch(/element 1/);
    expectError(() => qualityFocalLoss([[0, 1]], [[0, -0.1]]), 'E_VALUE', 'target');
    expectError(() => qualityFocalLoss([[0.5, 1.2]], [[0, 1]], { activated: true }), 'E_VALUE', 'pred');
    expect(expectError(() => varifocalLoss([[0, 1]], [[0.2, -0.3]]), 'E_VALUE', 'target').message).toMatch(/element 1/);
    expectError(() => varifocalLoss([[0, 1]], [[0.2, 0.3]], { weight: [-1] }), 'E_VALUE', 'options.weight');
    expectError(() => giouLoss([[0, 0, 1, 1]], [[0, 0, 1, 1]], { weight: [-2] }), 'E_VALUE', 'options.weight');
    expectError(() => balancedL1Loss([1, 2], [1, 2], { beta: 0 }), 'E_VALUE', 'options.beta');
    expectError(() => qualityFocalLoss([[0, NaN]], { labels: [0], scores: [1] }), 'E_VALUE', 'pred');
  });

  test('bad input: shapes and options', () => {
    expectError(() => varifocalLoss([[0, 1]], [[0.2]]), 'E_SHAPE', 'target');
    expectError(() => iouLoss([[0, 0, 1, 1]], [[0, 0, 1, 1], [0, 0, 1, 1]]), 'E_SHAPE', 'target');
    expectError(() => iouLoss([[0, 0, 1]], [[0, 0, 1]]), 'E_SHAPE', 'pred');
    expectError(() => iouLoss([[0, 0, 1, 1]], [[0, 0, 1, 1]], { mode: 'cube' as never }), 'E_OPTION', 'options.mode');
    expectError(() => giouLoss([[0, 0, 1, 1]], [[0, 0, 1, 1]], { nope: 1 } as never), 'E_OPTION', 'options.nope');
    expectError(() => distributionFocalLoss([[0, 0]], [0.5], { reduction: 'sum', avgFactor: 2 }), 'E_OPTION', 'options.avgFactor');
    expectError(() => qualityFocalLoss([[0, 1]], { labels: [0.5], scores: [1] }), 'E_VALUE', 'target.labels');
  });

  test('saturated logits stay finite and exact', () => {
    const r = qualityFocalLoss([[50, -50], [-50, 50]], { labels: [0, 1], scores: [1, 1] }, { reduction: 'none' });
    for (const v of [...r.lossElements.data, ...r.grad.data]) expect(Number.isFinite(v)).toBe(true);
    expect(r.lossElements.data[0]).toBeCloseTo(0, 12);
    const v = varifocalLoss([[50, -50]], [[0, 0]], { reduction: 'none' });
    expectClose(v.lossElements.data, [37.5, 0], { abs: 1e-5, rel: 1e-6 });
  });
});
