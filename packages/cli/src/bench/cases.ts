/**
 * The benchmark cases of `soft-sampling bench`, shared with the repository's bench/*.mjs (which
 * import the built packages/cli/dist/bench-cases.mjs): seeded input builders and, per op family, its
 * standard sizes and one call on those inputs. Every builder is deterministic (fixed seeds), so two
 * runs, two backends and the peers (tfjs, PyTorch) see the same numbers.
 *
 * A case never imports the library itself: `prepare(lib, size)` gets the loaded `soft-sampling`
 * module, builds the inputs once and returns a call that runs on whichever backend is active.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type * as SoftSampling from 'soft-sampling';

/** The `soft-sampling` module (as imported by the caller). */
export type Lib = typeof SoftSampling;

let fullGc: (() => void) | undefined;
/**
 * A full collection, one event-loop turn (Node runs the finalizers it queued, e.g. the native output
 * pool's) and another collection, so a benchmark case does not pay for the garbage the case before
 * it left: on a 2-core machine V8's background marking and sweeping otherwise compete with the next
 * case's worker threads (focal fwd+bwd at 2 threads, reused outputs: 13.4 ms right after a
 * fresh-output case, 9.3 ms in a loop of its own). `gc` comes from `--expose-gc` when given, else
 * it is enabled at run time. Used by `soft-sampling bench` and the repository's bench/*.mjs.
 */
export async function settle(): Promise<void> {
  if (!fullGc) {
    const g = (globalThis as { gc?: () => void }).gc;
    if (typeof g === 'function') fullGc = g;
    else {
      setFlagsFromString('--expose-gc');
      fullGc = runInNewContext('gc') as () => void;
    }
  }
  fullGc();
  await new Promise((resolve) => setImmediate(resolve));
  fullGc();
}

/** LCG over uint32 (Numerical Recipes constants), uniform in [0, 1). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

/** mulberry32, uniform in [0, 1) (the PRNG of examples/shapes-data.mjs). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` xyxy boxes, corners in [0, 1000) × [0, 800), sides 4–304 px (the IoU benchmark's boxes). */
export function randomBoxes(n: number, seed: number): Float32Array {
  const rnd = lcg(seed);
  const b = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const x = rnd() * 1000, y = rnd() * 800, w = 4 + rnd() * 300, h = 4 + rnd() * 300;
    b[4 * i] = x;
    b[4 * i + 1] = y;
    b[4 * i + 2] = x + w;
    b[4 * i + 3] = y + h;
  }
  return b;
}

/** `n` anchor-like xyxy boxes (square-ish, sides minSize–maxSize px, aspect 0.5–2) over a 1333×800 image. */
export function anchorBoxes(n: number, seed: number, minSize: number, maxSize: number): Float32Array {
  const rnd = lcg(seed);
  const b = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const s = minSize + rnd() * (maxSize - minSize), r = 0.5 + rnd() * 1.5;
    const w = s * Math.sqrt(r), h = s / Math.sqrt(r);
    const cx = rnd() * 1333, cy = rnd() * 800;
    b[4 * i] = cx - w / 2;
    b[4 * i + 1] = cy - h / 2;
    b[4 * i + 2] = cx + w / 2;
    b[4 * i + 3] = cy + h / 2;
  }
  return b;
}

/** Classification-head inputs: logits [n, c] around the RetinaNet prior (−4.6), ~1 % positives (labels, background = c), 1 anchor in 50 ignored. */
export function focalInputs(n: number, c: number, seed = 12345) {
  const rnd = lcg(seed);
  const logits = new Float32Array(n * c);
  for (let i = 0; i < logits.length; i++) logits[i] = -4.6 + (rnd() + rnd() + rnd() - 1.5) * 4;
  const labels = new Int32Array(n);
  let numPos = 0;
  for (let i = 0; i < n; i++) {
    if (rnd() < 0.01) {
      labels[i] = Math.floor(rnd() * c);
      numPos++;
    } else labels[i] = c;
  }
  const labelWeights = new Float32Array(n).fill(1);
  for (let i = 0; i < n; i += 50) labelWeights[i] = 0;
  return { logits, labels, labelWeights, numPos, n, c };
}

/** GHM inputs: logits [n, c] (prior ± 5), ~1 % positives, ~5 % ignored; regression deltas [n, 4] in ±1 with zero targets. */
export function ghmInputs(n: number, c: number, seed = 42) {
  const r = mulberry32(seed);
  const logits = new Float32Array(n * c);
  for (let i = 0; i < logits.length; i++) logits[i] = -4.6 + (r() - 0.5) * 10;
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = r() < 0.01 ? Math.floor(r() * c) : c;
  const labelWeights = new Float32Array(n);
  for (let i = 0; i < n; i++) labelWeights[i] = r() < 0.05 ? 0 : 1;
  const deltas = new Float32Array(n * 4);
  for (let i = 0; i < deltas.length; i++) deltas[i] = (r() - 0.5) * 2;
  const zeros = new Float32Array(n * 4);
  return { logits, labels, labelWeights, deltas, zeros, n, c };
}

/** Assignment inputs: `p` anchors (16–256 px) and `g` gts (24–400 px, labels j mod 80), 3 ignore boxes. */
export function assignInputs(p: number, g: number) {
  return {
    anchors: anchorBoxes(p, 1, 16, 256),
    gts: anchorBoxes(g, 2, 24, 400),
    gtLabels: Int32Array.from({ length: g }, (_, j) => j % 80),
    ignore: anchorBoxes(3, 3, 50, 150),
    p,
    g,
  };
}

/** PISA inputs: `n` positives over 100 gts of 20 classes in two images, predicted boxes near their gt, per-positive losses; CARL's softmax scores [n, 21] and deltas; ISR-N's 2000 negatives. */
export function pisaInputs(n: number) {
  const numGts = 100, numClasses = 20;
  const rnd = lcg(12345);
  const gtBoxes: number[][] = [], gtLabel: number[] = [];
  for (let g = 0; g < numGts; g++) {
    const x = rnd() * 900, y = rnd() * 700, w = 20 + rnd() * 200, h = 20 + rnd() * 200;
    gtBoxes.push([x, y, x + w, y + h]);
    gtLabel.push(Math.floor(rnd() * numClasses));
  }
  const labels = new Int32Array(n), gtInds = new Int32Array(n), imageIds = new Int32Array(n);
  const pred = new Float32Array(4 * n), target = new Float32Array(4 * n), posLoss = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const g = Math.floor(rnd() * numGts);
    labels[i] = gtLabel[g];
    gtInds[i] = g % 50; // two images of 50 gts each
    imageIds[i] = g < 50 ? 0 : 1;
    const b = gtBoxes[g], w = b[2] - b[0], h = b[3] - b[1];
    for (let k = 0; k < 4; k++) {
      target[4 * i + k] = b[k];
      pred[4 * i + k] = b[k] + (rnd() - 0.5) * 0.4 * (k % 2 ? h : w);
    }
    posLoss[i] = 0.01 + rnd() * 3;
  }
  const cls = new Float32Array(n * (numClasses + 1)).map(() => (rnd() - 0.5) * 8);
  const dPred = new Float32Array(4 * n).map(() => rnd() - 0.5), dTgt = new Float32Array(4 * n).map(() => rnd() - 0.5);
  const m = 2000;
  const negScores = new Float32Array(m).map(() => rnd() * 0.4), negLoss = new Float32Array(m).map(() => rnd());
  const negBoxes = new Float32Array(4 * m);
  for (let j = 0; j < m; j++) {
    const x = rnd() * 600, y = rnd() * 400;
    negBoxes.set([x, y, x + 30 + rnd() * 100, y + 30 + rnd() * 100], 4 * j);
  }
  return { n, numGts, numClasses, labels, gtInds, imageIds, pred, target, posLoss, cls, dPred, dTgt, m, negScores, negBoxes, negLoss };
}

/** A synthetic COCO set: `images` images of 640×480, 1–15 gt boxes of 20 classes each, `detsPerImage` detections per image (half jittered gts, half background). */
export function cocoSynthetic(images = 500, detsPerImage = 100, seed = 1) {
  const rnd = mulberry32(seed);
  const imgs: { id: number; width: number; height: number }[] = [];
  const annotations: { id: number; image_id: number; category_id: number; bbox: number[]; iscrowd: number }[] = [];
  const dets: { image_id: number; category_id: number; bbox: number[]; score: number }[] = [];
  for (let i = 1; i <= images; i++) {
    imgs.push({ id: i, width: 640, height: 480 });
    const gts: number[][] = [];
    const n = 1 + Math.floor(rnd() * 15);
    for (let k = 0; k < n; k++) {
      const w = 10 + rnd() * 290, h = 10 + rnd() * 290, x = rnd() * (640 - w), y = rnd() * (480 - h), c = 1 + Math.floor(rnd() * 20);
      gts.push([x, y, w, h, c]);
      annotations.push({ id: annotations.length + 1, image_id: i, category_id: c, bbox: [x, y, w, h], iscrowd: 0 });
    }
    for (let k = 0; k < detsPerImage; k++) {
      if (rnd() < 0.5) {
        const [x, y, w, h, c] = gts[Math.floor(rnd() * gts.length)];
        const j = () => (rnd() - 0.5) * 0.2 * Math.max(w, h);
        dets.push({ image_id: i, category_id: c, bbox: [x + j(), y + j(), Math.max(1, w + j()), Math.max(1, h + j())], score: rnd() });
      } else {
        const w = 10 + rnd() * 190, h = 10 + rnd() * 190;
        dets.push({ image_id: i, category_id: 1 + Math.floor(rnd() * 20), bbox: [rnd() * (640 - w), rnd() * (480 - h), w, h], score: rnd() * 0.5 });
      }
    }
  }
  const gt = { images: imgs, annotations, categories: Array.from({ length: 20 }, (_, i) => ({ id: i + 1, name: `c${i + 1}` })) };
  return { gt, dets };
}

/** One standard size of an op: a label (`100k×50`) and its dimensions. */
export interface BenchSize {
  label: string;
  dims: number[];
}

/** Inputs prepared for one size: `units` work items per call (pairs, elements, anchors, …) and the call. */
export interface PreparedCase {
  units: number;
  run: () => unknown;
  /** The raw inputs, for the peers (tfjs, PyTorch): named float32 / int32 arrays with their shapes. */
  peerInputs?: Record<string, { data: Float32Array | Int32Array; shape: number[] }>;
}

/** An op family at its standard sizes. */
export interface BenchOp {
  /** `--ops` name. */
  id: string;
  /** What one call does. */
  title: string;
  family: 'geometry' | 'focal' | 'ghm' | 'assign' | 'samplers' | 'pisa' | 'eval';
  /** What `units` counts. */
  unit: string;
  sizes: BenchSize[];
  /** Smaller sizes for `--quick`, same labels' shape. */
  quickSizes: BenchSize[];
  /** `false`: the kernel never splits over threads (a seeded generator, a sort), so native runs at one thread count only. */
  threaded?: false;
  prepare(lib: Lib, size: BenchSize): PreparedCase;
}

const k = (x: number) => (x >= 1000 && x % 1000 === 0 ? `${x / 1000}k` : String(x));
const sz = (...dims: number[]): BenchSize => ({ label: dims.map(k).join('×'), dims });

function focalPrepared(lib: Lib, [n, c]: number[], which: 'focal' | 'ce'): PreparedCase {
  const f = focalInputs(n, c);
  const x = { data: f.logits, shape: [n, c] };
  const run = which === 'focal'
    ? () => lib.sigmoidFocalLoss(x, f.labels, { labelWeights: f.labelWeights, avgFactor: Math.max(f.numPos, 1) })
    : () => lib.sigmoidCrossEntropy(x, f.labels, { labelWeights: f.labelWeights, avgFactor: Math.max(f.numPos, 1) });
  return { units: n * c, run, peerInputs: { logits: { data: f.logits, shape: [n, c] }, labels: { data: f.labels, shape: [n] }, labelWeights: { data: f.labelWeights, shape: [n] } } };
}

/** Every op family of `soft-sampling bench`, in table order. */
export const OPS: BenchOp[] = [
  {
    id: 'iou', title: 'bboxOverlaps, pairwise IoU matrix [N,M]', family: 'geometry', unit: 'pairs',
    sizes: [sz(100_000, 50), sz(20_000, 2_000)], quickSizes: [sz(10_000, 50), sz(2_000, 500)],
    prepare(lib, { dims: [n, m] }) {
      const b1 = randomBoxes(n, 1), b2 = randomBoxes(m, 2);
      return { units: n * m, run: () => lib.bboxOverlaps(b1, b2), peerInputs: { boxes1: { data: b1, shape: [n, 4] }, boxes2: { data: b2, shape: [m, 4] } } };
    },
  },
  {
    id: 'focal', title: 'sigmoidFocalLoss forward + backward, labels [N], C classes', family: 'focal', unit: 'elements',
    sizes: [sz(100_000, 80)], quickSizes: [sz(10_000, 80)],
    prepare: (lib, { dims }) => focalPrepared(lib, dims, 'focal'),
  },
  {
    id: 'ce', title: 'sigmoidCrossEntropy forward + backward', family: 'focal', unit: 'elements',
    sizes: [sz(100_000, 80)], quickSizes: [sz(10_000, 80)],
    prepare: (lib, { dims }) => focalPrepared(lib, dims, 'ce'),
  },
  {
    id: 'ghmc', title: 'ghmcLoss forward + backward, 30 bins, momentum 0.75', family: 'ghm', unit: 'elements',
    sizes: [sz(100_000, 80)], quickSizes: [sz(10_000, 80)],
    prepare(lib, { dims: [n, c] }) {
      const g = ghmInputs(n, c);
      const x = { data: g.logits, shape: [n, c] };
      const state = { bins: 30, accSum: new Array(30).fill(1000), steps: 10 };
      return {
        units: n * c,
        run: () => lib.ghmcLoss(x, g.labels, { labelWeights: g.labelWeights, bins: 30, momentum: 0.75, state }),
        peerInputs: { logits: { data: g.logits, shape: [n, c] }, labels: { data: g.labels, shape: [n] }, labelWeights: { data: g.labelWeights, shape: [n] } },
      };
    },
  },
  {
    id: 'ghmr', title: 'ghmrLoss (ASL1, μ 0.02, 10 bins, momentum 0.7) forward + backward, deltas [N,4]', family: 'ghm', unit: 'elements',
    sizes: [sz(100_000, 4)], quickSizes: [sz(10_000, 4)],
    prepare(lib, { dims: [n] }) {
      const g = ghmInputs(n, 1);
      const p = { data: g.deltas, shape: [n, 4] }, t = { data: g.zeros, shape: [n, 4] };
      return { units: n * 4, run: () => lib.ghmrLoss(p, t, { momentum: 0.7 }) };
    },
  },
  {
    id: 'assign', title: 'maxIouAssign, RetinaNet thresholds 0.5 / 0.4', family: 'assign', unit: 'anchors',
    sizes: [sz(100_000, 50)], quickSizes: [sz(20_000, 50)],
    prepare(lib, { dims: [p, g] }) {
      const a = assignInputs(p, g);
      const opts = { posIouThr: 0.5, negIouThr: 0.4, minPosIou: 0, gtLabels: a.gtLabels };
      return { units: p, run: () => lib.maxIouAssign(a.anchors, a.gts, opts), peerInputs: { anchors: { data: a.anchors, shape: [p, 4] }, gts: { data: a.gts, shape: [g, 4] } } };
    },
  },
  ...(['random', 'ohem', 'iouBalanced'] as const).map((s): BenchOp => ({
    id: { random: 'random-sample', ohem: 'ohem-sample', iouBalanced: 'iou-balanced-sample' }[s],
    title: { random: 'randomSample 512 (pos fraction 0.25) of a MaxIoU assignment', ohem: 'ohemSample 512 of a MaxIoU assignment by loss', iouBalanced: 'iouBalancedNegSample 512 of a MaxIoU assignment' }[s],
    family: 'samplers', unit: 'anchors', threaded: false,
    sizes: [sz(100_000, 50)], quickSizes: [sz(20_000, 50)],
    prepare(lib, { dims: [p, g] }) {
      const a = assignInputs(p, g);
      // the same assignment on every backend (the kernels agree exactly), computed once per size
      const assign = lib.maxIouAssign(a.anchors, a.gts, { posIouThr: 0.5, negIouThr: 0.4, minPosIou: 0, gtLabels: a.gtLabels });
      const losses = Float32Array.from({ length: g + p }, lcg(4));
      let seed = 0;
      const run = s === 'random'
        ? () => lib.randomSample(assign, { num: 512, posFraction: 0.25, seed: seed++ })
        : s === 'ohem'
          ? () => lib.ohemSample(assign, losses, { num: 512, posFraction: 0.25 })
          : () => lib.iouBalancedNegSample(assign, { num: 512, posFraction: 0.25, seed: seed++ });
      return { units: p, run };
    },
  })),
  {
    id: 'hard-negative-mining', title: 'hardNegativeMining, SSD300 (8732 anchors per image, 81 classes, 3:1)', family: 'samplers', unit: 'anchors', threaded: false,
    sizes: [sz(8, 8732)], quickSizes: [sz(2, 8732)],
    prepare(lib, { dims: [n, p] }) {
      const loss = Float32Array.from({ length: n * p }, lcg(5));
      const r = lcg(6);
      const labels = Int32Array.from({ length: n * p }, () => (r() < 0.01 ? Math.floor(r() * 80) : 80));
      return { units: n * p, run: () => lib.hardNegativeMining({ data: loss, shape: [n, p] }, { data: labels, shape: [n, p] }, { numClasses: 80 }) };
    },
  },
  {
    id: 'iou-hlr', title: 'iouHlr, positives over 100 gts in 2 images, 20 classes', family: 'pisa', unit: 'positives', threaded: false,
    sizes: [sz(10_000)], quickSizes: [sz(2_000)],
    prepare(lib, { dims: [n] }) {
      const q = pisaInputs(n);
      const ious = lib.bboxOverlaps(q.pred, q.target, { aligned: true }).data as Float32Array;
      const input = { labels: q.labels, gtInds: q.gtInds, imageIds: q.imageIds, numGtsPerImage: [50, 50], ious };
      return { units: n, run: () => lib.iouHlr(input) };
    },
  },
  {
    id: 'isr-p', title: 'isrP (boxes → IoU → IoU-HLR → weights)', family: 'pisa', unit: 'positives',
    sizes: [sz(10_000)], quickSizes: [sz(2_000)],
    prepare(lib, { dims: [n] }) {
      const q = pisaInputs(n);
      const input = { labels: q.labels, gtInds: q.gtInds, imageIds: q.imageIds, numGtsPerImage: [50, 50], predBoxes: q.pred, targetBoxes: q.target, posLoss: q.posLoss };
      return { units: n, run: () => lib.isrP(input) };
    },
  },
  {
    id: 'carl', title: 'carlLoss forward + backward, softmax scores [N,21]', family: 'pisa', unit: 'positives',
    sizes: [sz(10_000)], quickSizes: [sz(2_000)],
    prepare(lib, { dims: [n] }) {
      const q = pisaInputs(n);
      return { units: n, run: () => lib.carlLoss({ data: q.cls, shape: [n, q.numClasses + 1] }, q.labels, q.dPred, q.dTgt) };
    },
  },
  {
    id: 'coco-eval', title: 'evaluateCoco (pycocotools semantics), synthetic images × 100 detections', family: 'eval', unit: 'detections',
    sizes: [sz(500, 100)], quickSizes: [sz(50, 100)],
    prepare(lib, { dims: [images, per] }) {
      const { gt, dets } = cocoSynthetic(images, per, 1);
      return { units: dets.length, run: () => lib.evaluateCoco(gt, dets) };
    },
  },
];

/** The op of an `--ops` name. */
export function opById(id: string): BenchOp | undefined {
  return OPS.find((o) => o.id === id);
}
