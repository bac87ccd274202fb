/**
 * The generic async convention (issue 12 item 2): `<op>Async` of every op over a millisecond. In
 * Node, ops without a native AsyncTask (every op on wasm and ts) run on the worker-thread pool:
 * the event loop keeps turning during a 20k×2k IoU and a 100k×80 GHM-C step on wasm and ts, results
 * equal the synchronous calls bit for bit, inputs are copied (never detached, never modified),
 * `options.out` is filled, bad input rejects (never throws synchronously), a detached input rejects
 * with E_TYPE, and two concurrent calls on one GHM / EFL state both start from it.
 * The workers load the built `dist/index.cjs` (`npm test` builds first).
 */
import {
  bboxOverlaps, bboxOverlapsAsync, ghmcLoss, ghmcLossAsync, createGhmState, ghmrLoss, ghmrLossAsync, maxIouAssign, maxIouAssignAsync,
  carlLoss, carlLossAsync, sigmoidFocalLossAsync, sigmoidFocalLoss, randomSample, randomSampleAsync, evaluateCoco, evaluateCocoAsync,
  equalizedFocalLoss, equalizedFocalLossAsync, createEflState, qualityFocalLoss, qualityFocalLossAsync, smoothL1Loss, smoothL1LossAsync, useBackend, setThreads, backendInfo,
} from '../ts/index';
import { offloadAvailable, registerOffload } from '../ts/api/offload';
import { installWorkerPool } from '../ts/node/pool';
import { mulberry32 } from '../packages/cli/src/analyze/samples';
import { forEachBackend, randomBoxes, largestGap, randomLogits } from './helpers';

const r = mulberry32(9);
const boxes = (n: number) => randomBoxes(r, n);
const bytes = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
const same = (a: { data: ArrayBufferView }, b: { data: ArrayBufferView }) => expect(bytes(a.data).equals(bytes(b.data))).toBe(true);


// wasm at the sizes; the TypeScript backend is 50–100× slower there (minutes per call under
// jest on the shared machine), so it runs the same test on a tenth of each problem
describe.each([['wasm', 20000, 100000], ['ts', 2000, 10000]] as const)('%s: async calls run on the worker pool and keep the event loop alive', (name, IN, N) => {
  beforeAll(() => useBackend(name));
  afterAll(() => useBackend('auto'));

  test(`${IN}×2000 IoU and a ${N}×80 GHM-C step: the 1 ms timer keeps firing`, async () => {
    expect(offloadAvailable()).toBe(true);
    const b1 = boxes(IN), b2 = boxes(2000);
    const C = 80;
    const { x, labels } = randomLogits(r, N, C);
    const state = createGhmState(10);
    let t0 = performance.now();
    const syncIou = bboxOverlaps(b1, b2);
    const iouMs = performance.now() - t0;
    t0 = performance.now();
    const syncGhm = ghmcLoss(x, labels, { state, momentum: 0.75 });
    const ghmMs = performance.now() - t0;
    const b1Copy = b1.slice(), xCopy = x.data.slice();
    let asyncIou: Awaited<ReturnType<typeof bboxOverlapsAsync>> | undefined;
    const iou = await largestGap(async () => {
      asyncIou = await bboxOverlapsAsync(b1, b2);
    });
    let asyncGhm: Awaited<ReturnType<typeof ghmcLossAsync>> | undefined;
    const ghm = await largestGap(async () => {
      asyncGhm = await ghmcLossAsync(x, labels, { state, momentum: 0.75 });
    });
    if (process.env.SOFT_SAMPLING_TEST_VERBOSE) console.log(`${name} worker-pool timer gaps: IoU ${IN}×2000 sync ${iouMs.toFixed(1)} ms, largest gap during async ${iou.gap.toFixed(1)} ms (${iou.ticks} ticks); GHM-C ${N}×80 sync ${ghmMs.toFixed(1)} ms, largest gap ${ghm.gap.toFixed(1)} ms (${ghm.ticks} ticks)`);
    expect(iou.ticks).toBeGreaterThan(2);
    expect(ghm.ticks).toBeGreaterThan(2);
    // on the calling thread stay only the argument copy (GHM-C: 32 MB of logits) and the result's
    // hand-over (moved, not copied): a call that blocked as long as the synchronous one fails
    expect(iou.gap).toBeLessThan(iouMs);
    expect(ghm.gap).toBeLessThan(ghmMs);
    same(asyncIou!, syncIou);
    expect(asyncGhm!.loss).toBe(syncGhm.loss);
    expect(asyncGhm!.state).toEqual(syncGhm.state);
    same(asyncGhm!.grad, syncGhm.grad);
    same(asyncGhm!.weights, syncGhm.weights);
    // copied, not transferred: the caller's arrays are attached and unchanged
    expect(b1.byteLength).toBe(IN * 16);
    expect(b1).toEqual(b1Copy);
    expect(bytes(x.data).equals(bytes(xCopy))).toBe(true);
  });
});

describe('native: an op without an AsyncTask runs on the worker pool', () => {
  beforeAll(() => useBackend('native'));
  afterAll(() => useBackend('auto'));

  test('MaxIoU assignment 200k×100: the 1 ms timer keeps firing, same result', async () => {
    const priors = boxes(200000), gts = boxes(100), o = { posIouThr: 0.5, negIouThr: 0.4, minPosIou: 0 };
    const t0 = performance.now();
    const s = maxIouAssign(priors, gts, o);
    const syncMs = performance.now() - t0;
    let a: Awaited<ReturnType<typeof maxIouAssignAsync>> | undefined;
    const g = await largestGap(async () => {
      a = await maxIouAssignAsync(priors, gts, o);
    });
    if (process.env.SOFT_SAMPLING_TEST_VERBOSE) console.log(`native worker-pool timer gaps: maxIouAssign 200k×100 sync ${syncMs.toFixed(1)} ms, largest gap during async ${g.gap.toFixed(1)} ms (${g.ticks} ticks)`);
    expect(g.ticks).toBeGreaterThan(2);
    expect(g.gap).toBeLessThan(syncMs);
    same(a!.gtInds, s.gtInds);
    same(a!.maxOverlaps, s.maxOverlaps);
  });
});

describe('generic async variants on every backend', () => {
  forEachBackend((name) => {
    test('same results as the synchronous ops, bit for bit; inputs untouched; out buffers filled', async () => {
      const priors = boxes(3000), gts = boxes(17), gtLabels = Int32Array.from({ length: 17 }, (_, i) => i % 3);
      const keep = priors.slice();
      const ao = { posIouThr: 0.5, negIouThr: 0.4, minPosIou: 0, gtLabels };
      const [aa, as] = [await maxIouAssignAsync(priors, gts, ao), maxIouAssign(priors, gts, ao)];
      same(aa.gtInds, as.gtInds);
      same(aa.maxOverlaps, as.maxOverlaps);
      same(aa.labels, as.labels);
      expect(aa.gtInds.get(0)).toBe(as.gtInds.get(0)); // a Tensor again, methods included
      expect(priors).toEqual(keep);
      // an op taking the result of another (Tensors in the arguments)
      const [ra, rs] = [await randomSampleAsync(as, { num: 256, posFraction: 0.25, seed: 4 }), randomSample(as, { num: 256, posFraction: 0.25, seed: 4 })];
      same(ra.posInds, rs.posInds);
      same(ra.negInds, rs.negInds);
      const pred = Float32Array.from({ length: 4000 }, () => (r() - 0.5) * 2), target = new Float32Array(4000);
      const [ga, gs] = [await ghmrLossAsync(pred, target, { momentum: 0.7 }), ghmrLoss(pred, target, { momentum: 0.7 })];
      expect(ga.loss).toBe(gs.loss);
      same(ga.grad, gs.grad);
      expect(ga.state).toEqual(gs.state);
      const [sa, ss] = [await smoothL1LossAsync(pred, target, { beta: 0.1 }), smoothL1Loss(pred, target, { beta: 0.1 })];
      expect(sa.loss).toBe(ss.loss);
      same(sa.grad, ss.grad);
      const n = 300, cs = { data: Float32Array.from({ length: n * 5 }, () => (r() - 0.5) * 6), shape: [n, 5] };
      const lab = Int32Array.from({ length: n }, (_, i) => i % 5), bp = { data: pred.subarray(0, n * 4), shape: [n, 4] }, bt = { data: pred.subarray(1000, 1000 + n * 4), shape: [n, 4] };
      const [ca, cb] = [await carlLossAsync(cs, lab, bp, bt), carlLoss(cs, lab, bp, bt)];
      expect(ca.loss).toBe(cb.loss);
      same(ca.gradClsScore, cb.gradClsScore);
      const qp = { data: cs.data.subarray(0, 200 * 5), shape: [200, 5] };
      const qt = { labels: Int32Array.from({ length: 200 }, (_, i) => i % 6), scores: Float32Array.from({ length: 200 }, () => r()) };
      const [qa, qs] = [await qualityFocalLossAsync(qp, qt), qualityFocalLoss(qp, qt)];
      expect(qa.loss).toBe(qs.loss);
      same(qa.grad, qs.grad);
      const gt = { images: [{ id: 1 }, { id: 2 }], categories: [{ id: 1 }, { id: 2 }], annotations: [
        { id: 1, image_id: 1, category_id: 1, bbox: [10, 10, 50, 40], area: 2000, iscrowd: 0 },
        { id: 2, image_id: 2, category_id: 2, bbox: [30, 20, 60, 60], area: 3600, iscrowd: 0 },
      ] };
      const dets = [{ image_id: 1, category_id: 1, bbox: [12, 11, 48, 40], score: 0.9 }, { image_id: 2, category_id: 2, bbox: [0, 0, 20, 20], score: 0.8 }, { image_id: 2, category_id: 2, bbox: [31, 22, 58, 60], score: 0.7 }];
      expect((await evaluateCocoAsync(gt, dets)).stats).toEqual(evaluateCoco(gt, dets).stats);
      // options.out: filled, and the result's tensors are the caller's buffers
      const b1 = boxes(50), b2 = boxes(30), out = new Float32Array(1500);
      const io = await bboxOverlapsAsync(b1, b2, { out });
      expect(io.data).toBe(out);
      same(io, bboxOverlaps(b1, b2));
      const x = { data: Float32Array.from({ length: 60 * 4 }, () => (r() - 0.5) * 6), shape: [60, 4] }, fl = Int32Array.from({ length: 60 }, (_, i) => i % 5);
      const fo = { lossElements: new Float32Array(240), grad: new Float32Array(240) };
      const f = await sigmoidFocalLossAsync(x, fl, { out: fo });
      expect(f.grad.data).toBe(fo.grad);
      expect(f.lossElements.data).toBe(fo.lossElements);
      same(f.grad, sigmoidFocalLoss(x, fl, {}).grad);
      if (name !== 'native') expect(offloadAvailable()).toBe(true);
    });

    test('caller-owned state: two concurrent calls on one GHM-R or EFL state both start from it', async () => {
      const pred = Float32Array.from({ length: 800 }, () => (r() - 0.5) * 2), target = new Float32Array(800);
      const st = createGhmState(10);
      const [g1, g2] = await Promise.all([ghmrLossAsync(pred, target, { state: st, momentum: 0.7 }), ghmrLossAsync(pred, target, { state: st, momentum: 0.7 })]);
      const gs = ghmrLoss(pred, target, { state: st, momentum: 0.7 });
      expect(g1.state).toEqual(gs.state);
      expect(g2.state).toEqual(gs.state);
      expect(st).toEqual(createGhmState(10));
      // chained: the second call starts from the first's successor
      const g3 = await ghmrLossAsync(pred, target, { state: g1.state, momentum: 0.7 });
      expect(g3.state.steps).toBe(2);
      expect(g3.state).toEqual(ghmrLoss(pred, target, { state: gs.state, momentum: 0.7 }).state);
      const logits = [[1, -1, 0.5], [-2, 0.3, 1]], targets = [[1, 0, 0], [0, 0, 1]];
      const s0 = createEflState(3);
      const [e1, e2] = await Promise.all([equalizedFocalLossAsync(logits, targets, { state: s0 }), equalizedFocalLossAsync(logits, targets, { state: s0 })]);
      expect(e1.state).toEqual(e2.state);
      expect(e1.state).toEqual(equalizedFocalLoss(logits, targets, { state: s0 }).state);
      expect(s0).toEqual(createEflState(3));
    });

    test('bad input rejects, never throws synchronously; a detached input rejects with E_TYPE', async () => {
      let p: Promise<unknown> | undefined;
      expect(() => {
        p = maxIouAssignAsync(new Float32Array(7), boxes(3), { posIouThr: 0.5, negIouThr: 0.4 });
      }).not.toThrow();
      await expect(p).rejects.toMatchObject({ name: 'SoftSamplingError', code: 'E_SHAPE', arg: 'priors' });
      await expect(ghmrLossAsync([1, 2], [1, 2], { mu: -1 })).rejects.toMatchObject({ code: 'E_VALUE', arg: 'options.mu' });
      const gone = Float32Array.from([1, 2, 3]);
      structuredClone(gone.buffer, { transfer: [gone.buffer] });
      await expect(smoothL1LossAsync(gone, [1, 2, 3])).rejects.toMatchObject({ code: 'E_TYPE', arg: 'pred' });
      await expect(smoothL1LossAsync([1, 2, 3], [1, 2, 3], { weight: gone })).rejects.toMatchObject({ code: 'E_TYPE', arg: 'options.weight' });
      // detached while the call is pending
      const live = boxes(2000), other = boxes(20);
      const pending = maxIouAssignAsync(live, other, { posIouThr: 0.5, negIouThr: 0.4 });
      structuredClone(other.buffer, { transfer: [other.buffer] });
      await expect(pending).rejects.toMatchObject({ code: 'E_TYPE', arg: 'gt' });
    });
  });
});

describe('worker pool size follows setThreads', () => {
  const before = backendInfo().threads;
  afterAll(() => {
    setThreads(Math.max(1, before));
    useBackend('auto');
  });
  test('one worker: concurrent calls queue and all resolve with the right results', async () => {
    useBackend('wasm');
    setThreads(1);
    const sets = Array.from({ length: 5 }, () => [boxes(300), boxes(40)] as const);
    const res = await Promise.all(sets.map(([a, b]) => bboxOverlapsAsync(a, b, { mode: 'giou' })));
    res.forEach((v, i) => same(v, bboxOverlaps(sets[i][0], sets[i][1], { mode: 'giou' })));
    // arguments of queued calls are copied at the call: changing them afterwards changes nothing
    const a = boxes(300), b = boxes(40), ref = bboxOverlaps(a, b);
    const q = [bboxOverlapsAsync(boxes(300), boxes(40)), bboxOverlapsAsync(a, b)];
    a.fill(0);
    same((await Promise.all(q))[1], ref);
  });
});

describe('without the worker pool (what the edge entry does): same thread, after the current task', () => {
  afterAll(() => {
    installWorkerPool();
    useBackend('auto');
  });
  test('the op runs after the current task, with the same result and the same errors', async () => {
    useBackend('wasm');
    registerOffload(undefined);
    expect(offloadAvailable()).toBe(false);
    const priors = boxes(500), gts = boxes(9), o = { posIouThr: 0.5, negIouThr: 0.4 };
    let order = 'call';
    const p = maxIouAssignAsync(priors, gts, o).then((v) => {
      order += ' settled';
      return v;
    });
    order += ' returned';
    const a = await p;
    expect(order).toBe('call returned settled');
    same(a.gtInds, maxIouAssign(priors, gts, o).gtInds);
    await expect(maxIouAssignAsync(priors, boxes(2).subarray(0, 7), o)).rejects.toMatchObject({ code: 'E_SHAPE', arg: 'gt' });
  });
});
