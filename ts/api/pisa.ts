/**
 * PISA — Prime Sample Attention (Cao, Chen, Loy, Lin, "Prime Sample Attention in Object Detection",
 * CVPR 2020, arXiv 1904.04821): IoU-HLR ranking of positives, ISR-P positive reweighting,
 * ISR-N (Score-HLR) negative selection and weighting, and the CARL loss.
 *
 * Semantics follow mmdetection (`mmdet/models/losses/pisa_loss.py` `isr_p` / `carl_loss`,
 * `mmdet/models/task_modules/samplers/score_hlr_sampler.py`), restated in
 * `reference-semantics.md` §3, with the corrected defaults of `decisions.md`: cumulative gt offsets
 * across images (option `gtOffset: 'mmdet'` reproduces mmdetection's collision), a 0/0 guard and a
 * `maxRatio` bound on the ISR-P renormalisation, an optional per-class rank denominator.
 */
import { getBackend } from '../registry';
import { SoftSamplingError } from '../errors';
import { Tensor, isI32, toFloat32, toBoxes, numOpt, boolOpt, enumOpt, checkOptions, checkView, toIntegers, type ArrayInput } from '../tensor';

// ---------------------------------------------------------------------------------------------
// shared input handling

/** Integer array (labels, indices): any accepted array input whose elements are integers. */
function toInts(arg: string, input: unknown): { data: Int32Array; shape: number[] } {
  checkView(arg, input);
  if (isI32(input)) return { data: input, shape: [input.length] };
  const { data, shape } = toFloat32(arg, input);
  return { data: toIntegers(arg, data), shape };
}

function expectLen(arg: string, got: number, n: number, what = 'elements'): void {
  if (got !== n) throw new SoftSamplingError('E_SHAPE', arg, `expected ${n} ${what}, got ${got}`);
}

/** Box coder options (delta-xywh; mmdet `DeltaXYWHBBoxCoder`) used when deltas are given. */
export interface PisaCoderOptions {
  /** Delta means, default `[0, 0, 0, 0]`. */
  means?: ArrayInput;
  /** Delta stds, default `[1, 1, 1, 1]` (RetinaNet); R-CNN / SSD use `[0.1, 0.1, 0.2, 0.2]`. */
  stds?: ArrayInput;
  /** `|dw|, |dh|` clamp of the decoder, default `16/1000` (mmdet). */
  whRatioClip?: number;
}

function coder(o: Record<string, unknown>): { means: Float32Array; stds: Float32Array; clip: number } {
  const means = o.means === undefined ? new Float32Array(4) : toFloat32('options.means', o.means).data;
  const stds = o.stds === undefined ? new Float32Array([1, 1, 1, 1]) : toFloat32('options.stds', o.stds).data;
  expectLen('options.means', means.length, 4, 'values');
  expectLen('options.stds', stds.length, 4, 'values');
  stds.forEach((s, i) => {
    if (!(s > 0)) throw new SoftSamplingError('E_VALUE', 'options.stds', `element ${i} must be > 0, got ${s}`);
  });
  const clip = numOpt('options.whRatioClip', o.whRatioClip, 16 / 1000, (x) => (x > 0 && x <= 1 ? null : `must be in (0, 1], got ${x}`));
  return { means, stds, clip };
}

/** The positives of an IoU-HLR / ISR-P call: labels, gt indices, and how to measure the IoU. */
export interface IouHlrInput {
  /** `[n]` class index of each positive, ≥ 0 (ISR-P with `numClasses`: `[N]` rows, background = C). */
  labels: ArrayInput;
  /** `[n]` index of each positive's gt within its image (mmdet `pos_assigned_gt_inds`); ignored for negatives. */
  gtInds: ArrayInput;
  /** `[n]` image of each positive (integers ≥ 0). Without it `gtInds` are taken as batch-global ids. */
  imageIds?: ArrayInput;
  /** Number of gts of each image, for exact cumulative offsets `Σ_{j<i} numGts_j` (needs `imageIds`). */
  numGtsPerImage?: ArrayInput;
  /** `[n]` IoU of each positive (used as is). */
  ious?: ArrayInput;
  /** `[n, 4]` decoded predicted boxes (xyxy), with `targetBoxes`: IoU = aligned IoU(pred, target). */
  predBoxes?: ArrayInput;
  /** `[n, 4]` decoded regression targets (xyxy). */
  targetBoxes?: ArrayInput;
  /** `[n, 4]` priors (anchors / RoIs, xyxy), with `bboxPred` and `bboxTargets` deltas. */
  priors?: ArrayInput;
  /** `[n, 4]` or class-specific `[n, 4·C]` predicted deltas (the positive's label slice is used). */
  bboxPred?: ArrayInput;
  /** `[n, 4]` target deltas; decoded with the same coder on the same prior (mmdet). */
  bboxTargets?: ArrayInput;
  /** `[n, 4]` gt box of each positive — only for `effectivePrime` (default: the decoded target). */
  gtBoxes?: ArrayInput;
}

/** Options of {@link iouHlr}. */
export interface IouHlrOptions extends PisaCoderOptions {
  /**
   * How gt indices of different images are made distinct. `'cumulative'` (default, corrected):
   * offset of image i = Σ_{j<i} numGts_j (or, without `numGtsPerImage`, Σ_{j<i} (max gt index among
   * image j's positives + 1)). `'mmdet'`: offset = (max gt index among image i−1's positives) + 1,
   * not cumulative — reproduces mmdetection's collision with ≥ 3 images.
   */
  gtOffset?: 'cumulative' | 'mmdet';
  /**
   * **Our own extension** ("effective prime samples", decisions.md), off by default (`false`):
   * `'tieBreak'`: among equal IoUs a positive whose centre lies inside its gt box ranks first;
   * `'rerank'`: inside each gt group, positives whose centre lies inside the gt box come first
   * (then IoU), and the class-wide order is (local rank, inside first, IoU).
   * Needs gt boxes (`gtBoxes`, or the decoded targets) and centres (see `primeCenter`). Where decoded
   * boxes take part, the centre-in-box test is made from the deltas in float64, not from the boxes'
   * float32 corners (the same on every backend, at any magnitude).
   */
  effectivePrime?: false | 'tieBreak' | 'rerank';
  /**
   * Denominator of the importance `u = (d − r)/d` returned as `importance`: `'nMax'` (default,
   * mmdet: d = `maxLNum` for every class) or `'perClass'` (the paper's n_j, the class's own count).
   */
  rankDenominator?: 'nMax' | 'perClass';
  /**
   * Which centre `effectivePrime` tests: `'prior'` (the anchor/RoI centre, i.e. where the sample
   * sits; default when `priors` are given) or `'pred'` (the decoded predicted box's centre).
   */
  primeCenter?: 'prior' | 'pred';
}

interface Positives {
  labels: Int32Array;
  gtIds: Int32Array;
  ious: Float32Array;
  prime: Uint8Array;
  primeMode: number;
  /** indices of the positives in the input rows (all rows when not in full-batch mode) */
  posInds: Int32Array;
  n: number;
  N: number;
}

const HLR_INPUT_KEYS = ['labels', 'gtInds', 'imageIds', 'numGtsPerImage', 'ious', 'predBoxes', 'targetBoxes', 'priors', 'bboxPred', 'bboxTargets', 'gtBoxes'];
const HLR_OPTION_KEYS = ['means', 'stds', 'whRatioClip', 'gtOffset', 'effectivePrime', 'primeCenter', 'rankDenominator'];

function gather(src: Float32Array, idx: Int32Array, cols: number): Float32Array {
  const out = new Float32Array(idx.length * cols);
  for (let q = 0; q < idx.length; q++) out.set(src.subarray(idx[q] * cols, idx[q] * cols + cols), q * cols);
  return out;
}

function rowsOf(arg: string, input: unknown, N: number): { data: Float32Array; cols: number } {
  const { data, shape } = toFloat32(arg, input);
  if (N === 0) {
    // no rows: the input must be empty too (every backend refuses a non-empty one the same way)
    if (data.length !== 0) throw new SoftSamplingError('E_SHAPE', arg, `expected 0 rows (as labels), got shape [${shape}]`);
    return { data, cols: shape.length === 2 ? shape[1] : 4 };
  }
  if (data.length % N !== 0 || (shape.length === 2 && shape[0] !== N)) {
    throw new SoftSamplingError('E_SHAPE', arg, `expected ${N} rows, got shape [${shape}]`);
  }
  return { data, cols: data.length / N };
}

/**
 * Resolves the positives: selects them (full batch when `numClasses` is given), builds global gt
 * ids, measures the IoU, computes the effective-prime flags.
 */
function positives(inp: Record<string, unknown>, o: Record<string, unknown>, numClasses: number | undefined): Positives {
  coder(o); // validate the coder options whichever way the IoUs are given (issue 10: 'garbage' stds were accepted unread)
  const lab = toInts('input.labels', inp.labels).data;
  const N = lab.length;
  let posInds: Int32Array;
  if (numClasses === undefined) {
    lab.forEach((l, i) => {
      if (l < 0) throw new SoftSamplingError('E_VALUE', 'input.labels', `element ${i} is negative (${l}); every row is a positive unless numClasses is given`);
    });
    posInds = new Int32Array(N);
    for (let i = 0; i < N; i++) posInds[i] = i;
  } else {
    const p: number[] = [];
    lab.forEach((l, i) => {
      if (l < 0 || l > numClasses) throw new SoftSamplingError('E_VALUE', 'input.labels', `element ${i} (${l}) is outside [0, ${numClasses}] (background = ${numClasses})`);
      if (l < numClasses) p.push(i);
    });
    posInds = Int32Array.from(p);
  }
  const n = posInds.length;
  const full = numClasses !== undefined;
  const pick = (a: Int32Array) => (full ? posInds.map((i) => a[i]) : a);
  const labels = pick(lab);
  if (inp.gtInds === undefined) throw new SoftSamplingError('E_TYPE', 'input.gtInds', 'is required');
  const gtAll = toInts('input.gtInds', inp.gtInds).data;
  expectLen('input.gtInds', gtAll.length, N);
  const gt = pick(gtAll);
  gt.forEach((g, q) => {
    if (g < 0) throw new SoftSamplingError('E_VALUE', 'input.gtInds', `positive at row ${posInds[q]} has a negative gt index (${g})`);
  });

  // global gt ids (decisions.md: cumulative offsets; 'mmdet' reproduces the reference's collision)
  const gtOffset = enumOpt('options.gtOffset', o.gtOffset, ['cumulative', 'mmdet'] as const, 'cumulative');
  let gtIds = gt;
  if (inp.imageIds !== undefined) {
    const imgAll = toInts('input.imageIds', inp.imageIds).data;
    expectLen('input.imageIds', imgAll.length, N);
    const img = pick(imgAll);
    let nImg = 0;
    img.forEach((v, q) => {
      if (v < 0) throw new SoftSamplingError('E_VALUE', 'input.imageIds', `element ${posInds[q]} is negative (${v})`);
      nImg = Math.max(nImg, v + 1);
    });
    let numGts: Int32Array | undefined;
    if (inp.numGtsPerImage !== undefined) {
      numGts = toInts('input.numGtsPerImage', inp.numGtsPerImage).data;
      if (numGts.length < nImg) throw new SoftSamplingError('E_SHAPE', 'input.numGtsPerImage', `need one count per image (at least ${nImg}), got ${numGts.length}`);
      nImg = numGts.length;
      numGts.forEach((c, i) => {
        if (c < 0) throw new SoftSamplingError('E_VALUE', 'input.numGtsPerImage', `element ${i} is negative`);
      });
      gt.forEach((g, q) => {
        if (g >= numGts![img[q]]) {
          throw new SoftSamplingError('E_VALUE', 'input.gtInds', `positive at row ${posInds[q]} has gt index ${g} but its image ${img[q]} has ${numGts![img[q]]} gts`);
        }
      });
    }
    const maxGt = new Int32Array(nImg).fill(-1);
    gt.forEach((g, q) => (maxGt[img[q]] = Math.max(maxGt[img[q]], g)));
    const offset = new Int32Array(nImg);
    if (gtOffset === 'cumulative') {
      let acc = 0;
      for (let i = 0; i < nImg; i++) {
        offset[i] = acc;
        acc += numGts ? numGts[i] : maxGt[i] + 1;
      }
    } else {
      // mmdet isr_p: offset = (max gt index of the previous image's positives) + 1, kept over empty images
      let last = 0;
      for (let i = 0; i < nImg; i++) {
        offset[i] = last;
        if (maxGt[i] >= 0) last = maxGt[i] + 1;
      }
    }
    gtIds = gt.map((g, q) => g + offset[img[q]]);
  } else if (inp.numGtsPerImage !== undefined) {
    throw new SoftSamplingError('E_OPTION', 'input.numGtsPerImage', 'needs input.imageIds');
  }

  // IoU: given, from decoded boxes, or from deltas decoded on the priors (mmdet isr_p step 5)
  const be = getBackend();
  let ious: Float32Array;
  let pred: Float32Array | undefined;
  let target: Float32Array | undefined;
  let priors: Float32Array | undefined;
  // decode path: the deltas of the positives and the coder, for the centre-in-gt test below
  let coded: { deltas: Float32Array; tdeltas: Float32Array; c: ReturnType<typeof coder> } | undefined;
  const boxesArg = (arg: string, v: unknown) => {
    const b = toBoxes(arg, v);
    expectLen(arg, b.n, N, 'boxes');
    return full ? gather(b.data, posInds, 4) : b.data;
  };
  if (inp.priors !== undefined) priors = boxesArg('input.priors', inp.priors);
  if (inp.ious !== undefined) {
    const all = toFloat32('input.ious', inp.ious).data;
    expectLen('input.ious', all.length, N);
    ious = full ? gather(all, posInds, 1) : all;
    if (inp.predBoxes !== undefined) pred = boxesArg('input.predBoxes', inp.predBoxes);
    if (inp.targetBoxes !== undefined) target = boxesArg('input.targetBoxes', inp.targetBoxes);
  } else if (inp.predBoxes !== undefined || inp.targetBoxes !== undefined) {
    if (inp.predBoxes === undefined || inp.targetBoxes === undefined) {
      throw new SoftSamplingError('E_TYPE', inp.predBoxes === undefined ? 'input.predBoxes' : 'input.targetBoxes', 'predBoxes and targetBoxes go together');
    }
    pred = boxesArg('input.predBoxes', inp.predBoxes);
    target = boxesArg('input.targetBoxes', inp.targetBoxes);
    ious = be.bboxOverlaps({ boxes1: pred, boxes2: target }, { mode: 0, aligned: true, eps: 1e-6, offset: 0 }).out;
  } else if (inp.bboxPred !== undefined || inp.bboxTargets !== undefined) {
    for (const k of ['priors', 'bboxPred', 'bboxTargets']) {
      if (inp[k] === undefined) throw new SoftSamplingError('E_TYPE', `input.${k}`, 'priors, bboxPred and bboxTargets go together');
    }
    const c = coder(o);
    const bp = rowsOf('input.bboxPred', inp.bboxPred, N);
    if (bp.cols % 4 !== 0) throw new SoftSamplingError('E_SHAPE', 'input.bboxPred', `expected [N, 4] or [N, 4·C], got ${bp.cols} columns`);
    const bt = toBoxes('input.bboxTargets', inp.bboxTargets);
    expectLen('input.bboxTargets', bt.n, N, 'rows');
    for (let i = 0; i < priors!.length; i += 4) {
      // a zero-size prior decodes to a point (IoU 0), as delta2bbox and mmdetection; reversed corners are refused
      if (!(priors![i + 2] >= priors![i]) || !(priors![i + 3] >= priors![i + 1])) {
        throw new SoftSamplingError('E_VALUE', 'input.priors', `prior ${i / 4} has negative width or height`);
      }
    }
    // class-specific regressor: the positive's label slice (mmdet isr_p step 4)
    const deltas = new Float32Array(n * 4);
    for (let q = 0; q < n; q++) {
      const row = posInds[q];
      const slot = bp.cols === 4 ? 0 : labels[q];
      if (4 * slot + 4 > bp.cols) throw new SoftSamplingError('E_VALUE', 'input.labels', `label ${labels[q]} has no slice in the [N, ${bp.cols}] bboxPred`);
      deltas.set(bp.data.subarray(row * bp.cols + 4 * slot, row * bp.cols + 4 * slot + 4), 4 * q);
    }
    const tdeltas = full ? gather(bt.data, posInds, 4) : bt.data;
    const none = new Float32Array(0);
    pred = be.deltaDecode({ priors: priors!, deltas, means: c.means, stds: c.stds, maxShape: none }, { whRatioClip: c.clip }).out;
    target = be.deltaDecode({ priors: priors!, deltas: tdeltas, means: c.means, stds: c.stds, maxShape: none }, { whRatioClip: c.clip }).out;
    for (const [arg, boxes] of [['input.bboxPred', pred], ['input.bboxTargets', target]] as const) {
      const bad = boxes.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new SoftSamplingError('E_VALUE', arg, `the box decoded for positive ${bad >> 2} overflows float32`);
    }
    // the IoU from the deltas in prior-relative float64 units, not from the float32 corners: a box
    // decoded far from the origin (14 px at y = 1.4e7) is a few float32 steps high, and the last
    // bit of the backends' exp moved a corner by a pixel (issue 10)
    ious = be.decodedIou({ priors: priors!, deltas1: deltas, deltas2: tdeltas, means: c.means, stds: c.stds }, { whRatioClip: c.clip, eps: 1e-6 }).out;
    coded = { deltas, tdeltas, c };
  } else {
    throw new SoftSamplingError('E_TYPE', 'input.ious', 'give ious, predBoxes + targetBoxes, or priors + bboxPred + bboxTargets');
  }

  // effective prime samples (our own option)
  const ep = o.effectivePrime === false ? 'off' : enumOpt('options.effectivePrime', o.effectivePrime, ['off', 'tieBreak', 'rerank'] as const, 'off');
  const primeMode = ep === 'off' ? 0 : ep === 'tieBreak' ? 1 : 2;
  let prime: Uint8Array = new Uint8Array(0);
  if (primeMode !== 0) {
    const gtBoxes = inp.gtBoxes !== undefined ? boxesArg('input.gtBoxes', inp.gtBoxes) : target;
    if (!gtBoxes) throw new SoftSamplingError('E_TYPE', 'input.gtBoxes', 'effectivePrime needs gt boxes (gtBoxes, targetBoxes, or priors + bboxTargets)');
    const centerKind = enumOpt('options.primeCenter', o.primeCenter, ['prior', 'pred'] as const, priors ? 'prior' : 'pred');
    const centers = centerKind === 'prior' ? priors : pred;
    if (!centers) throw new SoftSamplingError('E_TYPE', centerKind === 'prior' ? 'input.priors' : 'input.predBoxes', `primeCenter '${centerKind}' needs these boxes`);
    prime = new Uint8Array(n);
    if (coded && (inp.gtBoxes === undefined || centerKind === 'pred')) {
      // decoded boxes take part: test from the deltas in float64 (here, the same on every backend),
      // not from the float32 corners, which a box far from the origin rounds by whole pixels
      const { deltas, tdeltas, c } = coded;
      const maxRatio = Math.abs(Math.log(c.clip));
      const ctr = (d: Float32Array, i: number) => d[i] * c.stds[i & 3] + c.means[i & 3];
      prime.fill(1);
      for (let q = 0; q < n; q++) {
        for (let k = 0; k < 2; k++) {
          const i = 4 * q + k;
          const size = priors![i + 2] - priors![i];
          let inside: boolean;
          if (inp.gtBoxes === undefined) {
            // gt = the decoded target: in prior-relative units, centred on the target (a zero-size
            // prior decodes every box to its centre: inside)
            const half = 0.5 * Math.exp(Math.min(Math.max(ctr(tdeltas, i + 2), -maxRatio), maxRatio));
            const off = centerKind === 'prior' ? -ctr(tdeltas, i) : (deltas[i] - tdeltas[i]) * c.stds[k];
            inside = size === 0 || Math.abs(off) <= half;
          } else {
            // the decoded prediction's centre in pixels, against the given gt
            const x = (priors![i] + priors![i + 2]) * 0.5 + size * ctr(deltas, i);
            inside = x >= gtBoxes[i] && x <= gtBoxes[i + 2];
          }
          if (!inside) prime[q] = 0;
        }
      }
    } else {
      for (let q = 0; q < n; q++) {
        const cx = 0.5 * (centers[4 * q] + centers[4 * q + 2]);
        const cy = 0.5 * (centers[4 * q + 1] + centers[4 * q + 3]);
        const g = 4 * q;
        prime[q] = cx >= gtBoxes[g] && cx <= gtBoxes[g + 2] && cy >= gtBoxes[g + 1] && cy <= gtBoxes[g + 3] ? 1 : 0;
      }
    }
  } else if (o.primeCenter !== undefined) {
    enumOpt('options.primeCenter', o.primeCenter, ['prior', 'pred'] as const, 'prior');
  }
  return { labels, gtIds, ious, prime, primeMode, posInds, n, N };
}

function checkInput(input: unknown, extra: string[]): Record<string, unknown> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new SoftSamplingError('E_TYPE', 'input', 'expected an object of arrays ({ labels, gtInds, ious | boxes, ... })');
  }
  return checkOptions('input', input, [...HLR_INPUT_KEYS, ...extra]);
}

// ---------------------------------------------------------------------------------------------
// IoU-HLR

/** Result of {@link iouHlr}: the IoU-HLR rank and importance of each positive. */
export interface IouHlrResult {
  /** `[n]` int32 rank of each positive within its class; 0 = most important. */
  ranks: Tensor<Int32Array, [number]>;
  /** Largest number of positives of one class in the batch (mmdet `max_l_num`). */
  maxLNum: number;
  /** `[n]` the IoU each positive was ranked by (given or measured). */
  ious: Tensor<Float32Array, [number]>;
  /** `[n]` importance `u = (d − r)/d` ∈ (0, 1] (`d` per `rankDenominator`), before bias, power and label weight. */
  importance: Tensor<Float32Array, [number]>;
}

/** `u = (d − r)/d` with d = maxLNum, or the class's count (= 1 + its largest rank) with perClass. */
function importance(labels: Int32Array, ranks: Int32Array, maxLNum: number, perClass: boolean): Float32Array {
  const n = labels.length;
  const u = new Float32Array(n);
  let count: Map<number, number> | undefined;
  if (perClass) {
    count = new Map();
    for (let i = 0; i < n; i++) count.set(labels[i], Math.max(count.get(labels[i]) ?? 0, ranks[i] + 1));
  }
  for (let i = 0; i < n; i++) {
    const d = count ? count.get(labels[i])! : maxLNum;
    u[i] = (d - ranks[i]) / d;
  }
  return u;
}

/**
 * IoU-HLR — IoU Hierarchical Local Rank of the positives of a batch (PISA paper §3.1, Fig. 3).
 *
 * Positives are grouped by (class, gt); inside a group they are ranked by IoU, highest first
 * (local rank); then, inside each class, ordered by (local rank ascending, IoU descending). The
 * result is each positive's rank within its class (0 = most important), `maxLNum`, and the
 * importance `u = (d − r)/d` ISR-P starts from (`d` = `maxLNum`, or n_j with `rankDenominator: 'perClass'`).
 *
 * The IoU is `input.ious`, or the aligned IoU of `predBoxes`/`targetBoxes`, or — as mmdetection
 * does — the aligned IoU between the predicted box and the **decoded target** (not the gt: they
 * differ when the target's scale change exceeds the coder clamp), both decoded with the delta-xywh
 * coder (`means`, `stds`, `whRatioClip`, no border clip) on the positive's prior. Class-specific
 * `bboxPred` `[n, 4·C]` uses the positive's label slice. That IoU is computed from the deltas in
 * prior-relative float64 units (the IoU of two boxes decoded on one prior does not depend on the
 * prior's position or size), so it is exact to float32 at any magnitude and the same on every
 * backend — mmdetection's float32 corners lose a box decoded far from the origin (14 px at
 * y = 1.4e7 is 14 float32 steps). A zero-size prior decodes to a point (IoU 0).
 *
 * Many images: give `imageIds` (and optionally `numGtsPerImage`); gt indices are made global with
 * cumulative offsets (see `gtOffset`). Ties (equal IoU in a group) are ordered by input index — the
 * reference sorts unstably; mmdetection's additive key `IoU + (n_max − r_loc)` can also tie an IoU
 * of exactly 1 with the next local rank, which our lexicographic order does not.
 *
 * Source: Cao et al. 2020 (arXiv 1904.04821) §3.1; matches mmdetection `isr_p`
 * (`mmdet/models/losses/pisa_loss.py`) steps 2–7, except the gt offset (corrected by default).
 * @throws SoftSamplingError `E_TYPE` (missing inputs), `E_SHAPE` (lengths differ), `E_VALUE`
 *   (negative label/gt/image index, non-integer index, NaN/Inf, a prior with negative width or height,
 *   a decoded box beyond float32's range), `E_OPTION`.
 */
export function iouHlr(input: IouHlrInput, options?: IouHlrOptions): IouHlrResult {
  const inp = checkInput(input, []);
  const o = checkOptions('options', options, HLR_OPTION_KEYS);
  const perClass = enumOpt('options.rankDenominator', o.rankDenominator, ['nMax', 'perClass'] as const, 'nMax') === 'perClass';
  const p = positives(inp, o, undefined);
  const r = getBackend().pisaIouHlr({ labels: p.labels, gtIds: p.gtIds, ious: p.ious, prime: p.prime }, { primeMode: p.primeMode });
  const maxLNum = r.maxLNum[0];
  return {
    ranks: new Tensor(r.ranks, [p.n]),
    maxLNum,
    ious: new Tensor(p.ious, [p.n]),
    importance: new Tensor(importance(p.labels, r.ranks, maxLNum, perClass), [p.n]),
  };
}

// ---------------------------------------------------------------------------------------------
// ISR-P

/** The positives of an {@link isrP} call: {@link IouHlrInput} plus their classification loss (or logits) and label weights. */
export interface IsrPInput extends IouHlrInput {
  /** `[n]` (or `[N]`) per-sample classification loss L (reduction 'none', summed over classes). */
  posLoss?: ArrayInput;
  /** `[n, cols]` (or `[N, cols]`) classification logits; L is computed with `options.clsLoss`. */
  clsScore?: ArrayInput;
  /** `[n]` (or `[N]`) label weights; default 1. */
  labelWeights?: ArrayInput;
}

/** Options of {@link isrP}: the IoU-HLR options plus the weighting parameters. */
export interface IsrPOptions extends IouHlrOptions {
  /** Exponent k (paper γ); default 2. */
  k?: number;
  /** Bias (paper β), in [0, 1]; default 0. */
  bias?: number;
  /**
   * Upper bound of the renormalisation ratio Σ L·lw / Σ L·w; default `Infinity` (unbounded, mmdet
   * parity). With n_max = 100, k = 2, a batch of easy top-ranked positives and one hard last-ranked
   * one gives ratio ≈ 9.7e3 (reference-semantics §3.1 step 9) — set e.g. `maxRatio: 10` to cap it.
   */
  maxRatio?: number;
  /**
   * Full-batch mode: rows with label `numClasses` are negatives (background) and keep their label
   * weight; the result then also holds the new `labelWeights` `[N]`.
   */
  numClasses?: number;
  /** Loss computed from `clsScore`: `'ce'` (default; softmax over C + 1 columns) or `'focal'` (sigmoid focal over C columns, summed per row). */
  clsLoss?: 'ce' | 'focal';
  /** Focal α (`null` = no α-balancing); default 0.25. */
  alpha?: number | null;
  /** Focal γ; default 2. */
  gamma?: number;
}

/** Result of {@link isrP}: the IoU-HLR ranks plus the new label weights. */
export interface IsrPResult extends IouHlrResult {
  /** `[n]` new label weights of the positives. */
  weights: Tensor<Float32Array, [number]>;
  /** The factor applied (1 when the 0/0 guard fired or there are no positives). */
  ratio: number;
  /** `true` when Σ L·w was 0: the weights are the original label weights (decisions.md guard). */
  guarded: boolean;
  /** `[n]` int32 rows of the positives in the input (identity unless `numClasses` is given). */
  posInds: Tensor<Int32Array, [number]>;
  /** With `numClasses`: `[N]` label weights of the whole batch (negatives unchanged). */
  labelWeights?: Tensor<Float32Array, [number]>;
}

/**
 * ISR-P — Importance-based Sample Reweighting of the positives (PISA paper §3.2, eq. 2–3).
 *
 * Rank r from {@link iouHlr} → importance `u = (d − r)/d` (`d` = `maxLNum`, or the class count with
 * `rankDenominator: 'perClass'`) → `w = (bias + (1 − bias)·lw·u)^k` (the label weight is folded in
 * before the power, as mmdetection does) → renormalised `w ← w · min(Σ L·lw / Σ L·w, maxRatio)`
 * so the positive classification loss sum is kept, L being `posLoss` or the per-row loss of
 * `clsScore` (`'ce'`: softmax CE over C + 1 columns; `'focal'`: sigmoid focal loss over C columns
 * with α, γ, summed per row). Weights carry no gradient. Guard (decisions.md): Σ L·w = 0 (e.g. every
 * loss 0) keeps the original label weights instead of mmdetection's NaN.
 *
 * Returns the positives' weights, ranks, `maxLNum`, `ratio`; with `numClasses` (full batch) also
 * the whole `labelWeights` `[N]` with the negatives unchanged. No positives → weights unchanged.
 *
 * Source: Cao et al. 2020 §3.2; matches mmdetection `isr_p` (`pisa_loss.py`, k = 2, bias = 0) except
 * the corrected gt offset, the 0/0 guard and the optional `maxRatio` / `perClass` (decisions.md).
 * @throws SoftSamplingError as {@link iouHlr}, plus `E_TYPE` (neither `posLoss` nor `clsScore`),
 *   `E_VALUE` (negative loss, `bias` outside [0, 1], `k` < 0, `maxRatio` ≤ 0), `E_OPTION`.
 */
export function isrP(input: IsrPInput, options?: IsrPOptions): IsrPResult {
  const inp = checkInput(input, ['posLoss', 'clsScore', 'labelWeights']);
  const o = checkOptions('options', options, [...HLR_OPTION_KEYS, 'k', 'bias', 'maxRatio', 'numClasses', 'clsLoss', 'alpha', 'gamma']);
  const k = numOpt('options.k', o.k, 2, (x) => (x >= 0 ? null : `must be ≥ 0, got ${x}`));
  const bias = numOpt('options.bias', o.bias, 0, (x) => (x >= 0 && x <= 1 ? null : `must be in [0, 1], got ${x}`));
  const perClass = enumOpt('options.rankDenominator', o.rankDenominator, ['nMax', 'perClass'] as const, 'nMax') === 'perClass';
  const maxRatio = o.maxRatio === undefined || o.maxRatio === null || o.maxRatio === Infinity
    ? Infinity
    : numOpt('options.maxRatio', o.maxRatio, Infinity, (x) => (x > 0 ? null : `must be > 0, got ${x}`));
  const numClasses = o.numClasses === undefined ? undefined
    : numOpt('options.numClasses', o.numClasses, 0, (x) => (Number.isInteger(x) && x > 0 ? null : `must be a positive integer, got ${x}`));
  const clsLoss = enumOpt('options.clsLoss', o.clsLoss, ['ce', 'focal'] as const, 'ce');
  const alpha = o.alpha === null ? -1 : numOpt('options.alpha', o.alpha, 0.25, (x) => (x >= 0 && x <= 1 ? null : `must be in [0, 1] or null, got ${x}`));
  const gamma = numOpt('options.gamma', o.gamma, 2, (x) => (x >= 0 && x <= 1000 ? null : `must be in [0, 1000], got ${x}`));
  const p = positives(inp, o, numClasses);
  const full = numClasses !== undefined;
  const be = getBackend();

  let lwAll: Float32Array;
  if (inp.labelWeights !== undefined) {
    lwAll = toFloat32('input.labelWeights', inp.labelWeights).data;
    expectLen('input.labelWeights', lwAll.length, p.N);
  } else lwAll = new Float32Array(p.N).fill(1);
  const lw = full ? gather(lwAll, p.posInds, 1) : lwAll;

  let posLoss: Float32Array;
  if (inp.posLoss !== undefined) {
    if (inp.clsScore !== undefined) throw new SoftSamplingError('E_OPTION', 'input.clsScore', 'give posLoss or clsScore, not both');
    const all = toFloat32('input.posLoss', inp.posLoss).data;
    expectLen('input.posLoss', all.length, p.N);
    posLoss = full ? gather(all, p.posInds, 1) : all;
    posLoss.forEach((v, q) => {
      if (v < 0) throw new SoftSamplingError('E_VALUE', 'input.posLoss', `element ${p.posInds[q]} is negative (${v})`);
    });
  } else if (inp.clsScore !== undefined) {
    const cs = rowsOf('input.clsScore', inp.clsScore, p.N);
    const need = numClasses === undefined ? undefined : clsLoss === 'ce' ? numClasses + 1 : numClasses;
    if (need !== undefined && cs.cols !== need) {
      throw new SoftSamplingError('E_SHAPE', 'input.clsScore', `'${clsLoss}' with ${numClasses} classes needs ${need} columns, got ${cs.cols}`);
    }
    p.labels.forEach((l, q) => {
      if (l >= cs.cols) throw new SoftSamplingError('E_VALUE', 'input.labels', `row ${p.posInds[q]}: label ${l} has no column in clsScore (${cs.cols} columns)`);
    });
    const rows = full ? gather(cs.data, p.posInds, cs.cols) : cs.data;
    posLoss = be.pisaClsLoss({ clsScore: rows, labels: p.labels }, { cols: cs.cols, kind: clsLoss === 'ce' ? 0 : 1, alpha, gamma }).out;
  } else {
    throw new SoftSamplingError('E_TYPE', 'input.posLoss', 'give posLoss (per-positive loss) or clsScore');
  }

  const isr = be.pisaIsrP({ labels: p.labels, gtIds: p.gtIds, ious: p.ious, posLoss, labelWeights: lw, prime: p.prime }, { primeMode: p.primeMode, k, bias, perClass, maxRatio });
  const r = { weights: isr.weights, ranks: isr.ranks, maxLNum: isr.stats[0], ratio: isr.stats[1], guarded: isr.stats[2] !== 0 };
  const res: IsrPResult = {
    weights: new Tensor(r.weights, [p.n]),
    ranks: new Tensor(r.ranks, [p.n]),
    maxLNum: r.maxLNum,
    ious: new Tensor(p.ious, [p.n]),
    importance: new Tensor(importance(p.labels, r.ranks, r.maxLNum, perClass), [p.n]),
    ratio: r.ratio,
    guarded: r.guarded,
    posInds: new Tensor(p.posInds, [p.n]),
  };
  if (full) {
    const out = Float32Array.from(lwAll);
    p.posInds.forEach((row, q) => (out[row] = r.weights[q]));
    res.labelWeights = new Tensor(out, [p.N]);
  }
  return res;
}

// ---------------------------------------------------------------------------------------------
// CARL

/** Options of {@link carlLoss}. */
export interface CarlOptions {
  /** Number of foreground classes C; default inferred (`sigmoid`: columns, softmax: columns − 1). */
  numClasses?: number;
  /** `true`: score = sigmoid of the label column over C columns (RetinaNet); default `false`: softmax over C + 1 (R-CNN, SSD). */
  sigmoid?: boolean;
  /** Exponent k; default 1. */
  k?: number;
  /** Bias in [0, 1]; default 0.2. */
  bias?: number;
  /** Smooth-L1 β; default 1.0 (R-CNN/SSD; PISA RetinaNet uses 0.11). 0 gives L1. */
  beta?: number;
  /** Divisor of the summed loss, > 0; default N (all rows, mmdet `bbox_targets.size(0)`). */
  avgFactor?: number | null;
  /** Multiplies the loss (mmdet: the regression loss's `loss_weight`); default 1. */
  lossWeight?: number;
}

/** Result of {@link carlLoss}: the loss and its gradients into both heads. */
export interface CarlResult {
  /** The CARL loss (scalar). */
  loss: number;
  /** d loss / d clsScore, same shape as `clsScore` (zero rows for non-positives). */
  gradClsScore: Tensor<Float32Array, [number, number]>;
  /** d loss / d bboxPred, same shape as `bboxPred` (only the label slice is non-zero). */
  gradBboxPred: Tensor<Float32Array, [number, number]>;
  /** `[N]` CARL weights c_i (0 for non-positives); they sum to the number of positives. */
  weights: Tensor<Float32Array, [number]>;
}

/**
 * CARL — Classification-Aware Regression Loss (PISA paper §3.3, eq. 5–6).
 *
 * For each positive (label in [0, C); background = C): `s` = probability of the true class
 * (sigmoid of its column, or softmax over the C + 1 columns), `v = (bias + (1 − bias)·s)^k`,
 * `c = v · n_pos / Σ v` (mean 1), and
 * `loss = lossWeight · Σ_i c_i · Σ_4 smoothL1_β(bboxPred_i − bboxTargets_i) / avgFactor`.
 * The weights are **not** detached: the gradient w.r.t. `clsScore` flows through s and through the
 * normaliser Σ v (the classification-aware coupling); the gradient w.r.t. `bboxPred` is
 * `lossWeight · c_i · smoothL1'(d) / avgFactor` — the gradient of the CARL term only (a head adds its
 * own regression loss on top, as mmdetection does). `bbox_weights` are not applied (mmdet).
 * Class-specific `bboxPred` `[N, 4·C]` uses the positive's label slice. Deltas in, not boxes.
 * No positives → loss 0, zero gradients.
 *
 * Shapes: `clsScore` `[N, C]` (sigmoid) or `[N, C + 1]` (softmax), `labels` `[N]` int in [0, C],
 * `bboxPred` `[N, 4]` or `[N, 4·C]`, `bboxTargets` `[N, 4]`.
 *
 * Source: Cao et al. 2020 §3.3; matches mmdetection `carl_loss` (`pisa_loss.py`, k = 1, bias = 0.2,
 * `avg_factor = None ⇒ N`) with `loss_bbox` = SmoothL1(β).
 * @throws SoftSamplingError `E_SHAPE`, `E_VALUE` (labels outside [0, C], NaN/Inf, avgFactor ≤ 0,
 *   bias outside [0, 1], k < 0, β < 0), `E_OPTION`, `E_TYPE`.
 */
export function carlLoss(clsScore: ArrayInput, labels: ArrayInput, bboxPred: ArrayInput, bboxTargets: ArrayInput, options?: CarlOptions): CarlResult {
  const o = checkOptions('options', options, ['numClasses', 'sigmoid', 'k', 'bias', 'beta', 'avgFactor', 'lossWeight']);
  const sig = boolOpt('options.sigmoid', o.sigmoid, false);
  const k = numOpt('options.k', o.k, 1, (x) => (x >= 0 ? null : `must be ≥ 0, got ${x}`));
  const bias = numOpt('options.bias', o.bias, 0.2, (x) => (x >= 0 && x <= 1 ? null : `must be in [0, 1], got ${x}`));
  const beta = numOpt('options.beta', o.beta, 1, (x) => (x >= 0 ? null : `must be ≥ 0, got ${x}`));
  const lossWeight = numOpt('options.lossWeight', o.lossWeight, 1);
  const lab = toInts('labels', labels).data;
  const N = lab.length;
  const cs = rowsOf('clsScore', clsScore, N);
  let C: number;
  if (o.numClasses !== undefined) {
    C = numOpt('options.numClasses', o.numClasses, 1, (x) => (Number.isInteger(x) && x > 0 ? null : `must be a positive integer, got ${x}`));
    const need = sig ? C : C + 1;
    if (N > 0 && cs.cols !== need) throw new SoftSamplingError('E_SHAPE', 'clsScore', `${sig ? 'sigmoid' : 'softmax'} with ${C} classes needs ${need} columns, got ${cs.cols}`);
    if (N === 0) cs.cols = need;
  } else {
    C = sig ? cs.cols : cs.cols - 1;
    if (C < 1) throw new SoftSamplingError('E_SHAPE', 'clsScore', `too few columns (${cs.cols}) for ${sig ? 'sigmoid' : 'softmax'} scores`);
  }
  lab.forEach((l, i) => {
    if (l < 0 || l > C) throw new SoftSamplingError('E_VALUE', 'labels', `element ${i} (${l}) is outside [0, ${C}] (background = ${C})`);
  });
  const bp = rowsOf('bboxPred', bboxPred, N);
  if (N > 0 && bp.cols !== 4 && bp.cols !== 4 * C) throw new SoftSamplingError('E_SHAPE', 'bboxPred', `expected [N, 4] or [N, ${4 * C}], got ${bp.cols} columns`);
  const bt = rowsOf('bboxTargets', bboxTargets, N);
  if (N > 0 && bt.cols !== 4) throw new SoftSamplingError('E_SHAPE', 'bboxTargets', `expected [N, 4], got ${bt.cols} columns`);
  const avgFactor = o.avgFactor === undefined || o.avgFactor === null ? Math.max(N, 1)
    : numOpt('options.avgFactor', o.avgFactor, N, (x) => (x >= 1e-6 ? null : `must be ≥ 1e-6, got ${x}`));
  const r = getBackend().pisaCarl(
    { clsScore: cs.data, labels: lab, bboxPred: bp.data, bboxTargets: bt.data },
    { numClasses: C, sigmoid: sig, k, bias, beta, avgFactor, lossWeight },
  );
  return {
    loss: r.loss[0],
    gradClsScore: new Tensor(r.gradClsScore, [N, cs.cols]),
    gradBboxPred: new Tensor(r.gradBboxPred, [N, bp.cols]),
    weights: new Tensor(r.weights, [N]),
  };
}

// ---------------------------------------------------------------------------------------------
// ISR-N (Score-HLR)

/** The negatives of one image for {@link isrN}. */
export interface IsrNInput {
  /**
   * `[m]` score of each negative of one image — the pluggable scorer. mmdetection's
   * `ScoreHLRSampler` uses the largest foreground softmax probability of the RoI head.
   */
  scores: ArrayInput;
  /** `[m, 4]` boxes of the negatives (xyxy; mmdet: the RoI decoded with its argmax class's deltas). */
  boxes: ArrayInput;
  /**
   * `[m]` classification loss of each negative (mmdet: CE against background), ≥ 0. When given,
   * the weights are renormalised so Σ L·w over the selected equals Σ L; without it they are not.
   */
  loss?: ArrayInput;
}

/** Options of {@link isrN}. */
export interface IsrNOptions {
  /** Number of negatives to select (mmdet `num − #positives sampled`); capped by m. Required. */
  numExpected: number;
  /** Exponent k; default 0.5 (mmdet `ScoreHLRSampler`). */
  k?: number;
  /** Bias in [0, 1]; default 0. */
  bias?: number;
  /** A negative takes part in the ranking when its score is > `scoreThr`; default 0.05. */
  scoreThr?: number;
  /** NMS-match grouping threshold (IoU ≥ `iouThr`); default 0.5. */
  iouThr?: number;
  /** Bound of the renormalisation ratio; default `Infinity` (mmdet parity). */
  maxRatio?: number;
  /** u32 seed of the generator for the random fill-ins; default 0. */
  seed?: number;
}

/** Result of {@link isrN}: the selected negatives and their label weights. */
export interface IsrNResult {
  /** `[min(m, numExpected)]` int32 indices into the negatives: HLR-selected (rank order) then random fill-ins (ascending). */
  indices: Tensor<Int32Array, [number]>;
  /** `[min(m, numExpected)]` the label weight of each selected negative. */
  weights: Tensor<Float32Array, [number]>;
  /** How many of `indices` were selected by Score-HLR (the rest are random fill-ins). */
  numHlr: number;
  /** Number of negatives with score > `scoreThr`. */
  numValid: number;
  /** Renormalisation factor applied (1 without `loss`, when guarded, or with no valid negative). */
  ratio: number;
  /** `true` when Σ L·w was 0 and the weights were set to 1 (decisions.md guard; mmdet gives NaN). */
  guarded: boolean;
}

/**
 * ISR-N — importance-based reweighting of negatives with Score-HLR (PISA paper §3.2), for the
 * negatives of **one image** (call once per image; mmdetection's `ScoreHLRSampler` is per image too).
 *
 * Negatives with `score > scoreThr` are "valid": they are grouped by NMS-match (score order, ties by
 * index; a keeper takes every remaining box with IoU ≥ `iouThr`, mmcv `nms_match`), `r` = position
 * in the group, importance `#valid − r + score`, and the `min(#valid, numExpected)` most important are
 * selected in rank order; the remainder are drawn uniformly without replacement from the invalid
 * negatives with the seeded generator (xoshiro128** seeded by splitmix32, the samplers' generator:
 * same seed, same draw on every backend). Weights: `(up − rank)/up`, `up = max(numExpected, #valid)`,
 * fill-ins get the smallest of those, then `(bias + (1 − bias)·w)^k`, then (with `loss`)
 * `w ← w · min(Σ L / Σ L·w, maxRatio)`. No valid negative: a uniform random draw with weights 1.
 *
 * Deviations (deliberate): the scorer is pluggable (no RoI-head coupling, no extra head forward);
 * randomness is an explicit seed; ties are broken by index; 0/0 in the renormalisation gives weights 1.
 *
 * Source: Cao et al. 2020 §3.2; matches mmdetection `ScoreHLRSampler._sample_neg` (k = 0.5, bias = 0,
 * score_thr = 0.05, iou_thr = 0.5), reference-semantics §3.2.
 * @throws SoftSamplingError `E_SHAPE` (lengths), `E_VALUE` (NaN/Inf, negative loss, bad numbers),
 *   `E_TYPE` (missing `numExpected`), `E_OPTION`.
 */
export function isrN(input: IsrNInput, options: IsrNOptions): IsrNResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new SoftSamplingError('E_TYPE', 'input', 'expected { scores, boxes, loss? }');
  }
  const inp = checkOptions('input', input, ['scores', 'boxes', 'loss']);
  const o = checkOptions('options', options, ['numExpected', 'k', 'bias', 'scoreThr', 'iouThr', 'maxRatio', 'seed']);
  if (o.numExpected === undefined) throw new SoftSamplingError('E_TYPE', 'options.numExpected', 'is required');
  const numExpected = numOpt('options.numExpected', o.numExpected, 0, (x) => (Number.isInteger(x) && x >= 0 && x < 2 ** 31 ? null : `must be an integer in [0, 2^31), got ${x}`));
  const k = numOpt('options.k', o.k, 0.5, (x) => (x >= 0 ? null : `must be ≥ 0, got ${x}`));
  const bias = numOpt('options.bias', o.bias, 0, (x) => (x >= 0 && x <= 1 ? null : `must be in [0, 1], got ${x}`));
  const scoreThr = numOpt('options.scoreThr', o.scoreThr, 0.05);
  const iouThr = numOpt('options.iouThr', o.iouThr, 0.5, (x) => (x >= 0 && x <= 1 ? null : `must be in [0, 1], got ${x}`));
  const maxRatio = o.maxRatio === undefined || o.maxRatio === null || o.maxRatio === Infinity
    ? Infinity
    : numOpt('options.maxRatio', o.maxRatio, Infinity, (x) => (x > 0 ? null : `must be > 0, got ${x}`));
  const seed = numOpt('options.seed', o.seed, 0, (x) => (Number.isInteger(x) && x >= 0 && x <= 0xffffffff ? null : `must be a u32, got ${x}`));
  if (inp.scores === undefined) throw new SoftSamplingError('E_TYPE', 'input.scores', 'is required');
  if (inp.boxes === undefined) throw new SoftSamplingError('E_TYPE', 'input.boxes', 'is required');
  const scores = toFloat32('input.scores', inp.scores).data;
  const m = scores.length;
  const boxes = toBoxes('input.boxes', inp.boxes);
  expectLen('input.boxes', boxes.n, m, 'boxes');
  let loss: Float32Array = new Float32Array(0);
  if (inp.loss !== undefined) {
    loss = toFloat32('input.loss', inp.loss).data;
    expectLen('input.loss', loss.length, m);
    loss.forEach((v, i) => {
      if (v < 0) throw new SoftSamplingError('E_VALUE', 'input.loss', `element ${i} is negative (${v})`);
    });
  }
  const isr = getBackend().pisaIsrN({ scores, boxes: boxes.data, loss }, { numExpected, k, bias, scoreThr, iouThr, maxRatio, seed });
  const r = { selected: isr.selected, weights: isr.weights, numHlr: isr.stats[0], numValid: isr.stats[1], ratio: isr.stats[2], guarded: isr.stats[3] !== 0 };
  return {
    indices: new Tensor(r.selected, [r.selected.length]),
    weights: new Tensor(r.weights, [r.weights.length]),
    numHlr: r.numHlr,
    numValid: r.numValid,
    ratio: r.ratio,
    guarded: r.guarded,
  };
}
