// The script every runtime runs (issue 11): sigmoid focal loss and its gradient, an IoU matrix,
// two GHM-C steps carrying the moving-average state, ISR-P, and a seeded randomSample. Inputs come
// from a fixed LCG, so every runtime computes the same numbers; results are plain JSON arrays.
export function compute(ss) {
  let s = 12345;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const box = () => {
    const x = rnd() * 80, y = rnd() * 80;
    return [x, y, x + 4 + rnd() * 30, y + 4 + rnd() * 30];
  };
  const N = 96, C = 5;
  const logits = Float32Array.from({ length: N * C }, () => (rnd() - 0.5) * 8);
  const targets = Float32Array.from({ length: N * C }, () => (rnd() < 0.15 ? 1 : 0));
  const focal = ss.sigmoidFocalLoss({ data: logits, shape: [N, C] }, { data: targets, shape: [N, C] }, { alpha: 0.25, gamma: 2 });
  const b1 = Array.from({ length: 24 }, box), b2 = Array.from({ length: 11 }, box);
  const iou = ss.bboxOverlaps(b1, b2);
  const state = ss.createGhmState(10); // step 1 starts from it, step 2 from step 1's state
  const g1 = ss.ghmcLoss({ data: logits, shape: [N, C] }, { data: targets, shape: [N, C] }, { bins: 10, momentum: 0.75, state });
  const logits2 = logits.map((x) => x * 0.7 + 0.3);
  const g2 = ss.ghmcLoss({ data: logits2, shape: [N, C] }, { data: targets, shape: [N, C] }, { bins: 10, momentum: 0.75, state: g1.state });
  const n = 20;
  const isr = ss.isrP({
    labels: Int32Array.from({ length: n }, () => Math.floor(rnd() * C)),
    gtInds: Int32Array.from({ length: n }, () => Math.floor(rnd() * 4)),
    ious: Float32Array.from({ length: n }, () => 0.5 + rnd() * 0.5),
    posLoss: Float32Array.from({ length: n }, () => 0.05 + rnd() * 2),
  });
  const gtInds = Int32Array.from({ length: 400 }, () => { const r = rnd(); return r < 0.1 ? 1 + Math.floor(rnd() * 5) : r < 0.15 ? -1 : 0; });
  const sample = ss.randomSample({ gtInds, numGts: 5 }, { num: 64, posFraction: 0.25, seed: 7 });
  const arr = (t) => Array.from(t.data ?? t);
  return {
    backend: ss.backendInfo().active,
    floats: {
      focalLoss: [focal.loss], focalGrad: arr(focal.grad), iou: arr(iou),
      ghm1Loss: [g1.loss], ghm1Grad: arr(g1.grad), ghm2Loss: [g2.loss], ghm2Weights: arr(g2.weights), ghmAccSum: g2.state.accSum.slice(),
      isrWeights: arr(isr.weights), isrRatio: [isr.ratio],
    },
    ints: { iouShape: iou.shape, ghmSteps: [g2.state.steps], isrRanks: arr(isr.ranks), posInds: arr(sample.posInds), negInds: arr(sample.negInds), posGt: arr(sample.posAssignedGtInds) },
  };
}
