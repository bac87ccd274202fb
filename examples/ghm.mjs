// GHM-C and GHM-R with a moving average: the state is caller-owned — each call returns a new
// `result.state` and never mutates the one passed in, so thread it into the next call yourself.
import assert from 'node:assert/strict';
import { ghmcLoss, ghmrLoss, createGhmState } from 'soft-sampling';

/** A seeded batch of logits [N, C] and labels [N] (background = C). */
function batch(step, n = 64, C = 4) {
  let s = 12345 + step;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const logits = new Float32Array(n * C).map(() => 6 * rand() - 4);
  const labels = Array.from({ length: n }, () => (rand() < 0.1 ? Math.floor(rand() * C) : C));
  return { logits: { data: logits, shape: [n, C] }, labels };
}

const bins = 30, momentum = 0.75; // the GHM paper's GHM-C setting (mmdetection's defaults are 10 bins, no momentum)
let state = createGhmState(bins); // one state per FPN level
for (let step = 0; step < 3; step++) {
  const { logits, labels } = batch(step);
  const before = JSON.stringify(state);
  const r = ghmcLoss(logits, labels, { bins, momentum, state });
  assert.equal(JSON.stringify(state), before); // the state passed in is untouched …
  state = r.state; // … so keep the returned one for the next call
  console.log(`step ${step}: loss ${r.loss.toFixed(5)}, non-empty bins ${r.nonEmptyBins}, steps ${state.steps}`);
}
// The state is plain JSON: save it with a checkpoint, restore it with JSON.parse.
const restored = JSON.parse(JSON.stringify(state));
const { logits, labels } = batch(3);
const a = ghmcLoss(logits, labels, { bins, momentum, state: restored });
const b = ghmcLoss(logits, labels, { bins, momentum, state });
assert.equal(a.loss, b.loss);

// Forgetting to thread the state = every call starts from zeros. With momentum m the first call's
// weights are then 1/(1 − m) too large (mmdetection behaves the same); biasCorrection removes that.
const fresh = ghmcLoss(logits, labels, { bins, momentum });
const corrected = ghmcLoss(logits, labels, { bins, momentum, biasCorrection: true });
console.log(`fresh state: ${fresh.loss.toFixed(5)} (4× too large), bias-corrected: ${corrected.loss.toFixed(5)}`);
assert.ok(Math.abs(fresh.loss / corrected.loss - 1 / (1 - momentum)) < 1e-3);

// GHM-R on box deltas [n, 4] of the positives: ASL1 with μ = 0.02, loss weight 10 (mmdetection's config).
const pred = [[0.1, -0.2, 0.05, 0.3], [0.0, 0.0, 0.0, 0.0], [1.2, -0.7, 0.4, 0.1]];
const target = [[0.12, -0.1, 0.0, 0.25], [0.5, 0.5, -0.5, 0.0], [0.0, 0.0, 0.0, 0.0]];
let rState = createGhmState(10);
const gr = ghmrLoss(pred, target, { mu: 0.02, bins: 10, momentum: 0.7, state: rState, lossWeight: 10 });
rState = gr.state;
console.log('GHM-R loss', gr.loss.toFixed(5), 'weights row 0', Array.from(gr.weights.data.subarray(0, 4), (v) => +v.toFixed(3)));
