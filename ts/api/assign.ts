/**
 * MaxIoU assignment and the hard samplers: random, OHEM, IoU-balanced negatives, SSD hard negative
 * mining (issue 4).
 *
 * Semantics: mmdetection (`MaxIoUAssigner`, `RandomSampler`, `OHEMSampler`,
 * `IoUBalancedNegSampler`, `SSDHead` mining), restated in `reference-semantics.md` §4–5, with the
 * corrections of `decisions.md` (zero-IoU gts get no low-quality match by default; the IoU-balanced
 * sampler is stateless; randomness comes from an explicit seed, identical on every backend).
 *
 * ## Assignment encoding
 * `gtInds[p]` is **`−1` ignored** (inside an ignore region, or max IoU in neither the negative
 * range nor above `posIouThr`), **`0` negative** (background), **`j + 1` positive for gt `j`**.
 * (mmdetection's code uses this encoding; its class docstring wrongly says `−1` = negative.)
 *
 * ## Sampler candidates and indices
 * With `addGtAsProposals` (and at least one gt) the `G = numGts` gt boxes are prepended as
 * candidates, as mmdetection does: candidate `c < G` is gt `c` (a positive for itself, IoU 1), and
 * prior `p` is candidate `G + p`. Without it, candidate `p` is prior `p`. All returned indices are
 * candidate indices, sorted ascending; `numAddedGts` tells which regime applies.
 *
 * ## Random generator (same seed ⇒ same indices on every backend)
 * `seed` is a u32. The generator is xoshiro128** (Blackman & Vigna 2018) whose four state words are
 * four successive splitmix32 outputs of the seed (splitmix32 = add 0x9e3779b9, then the murmur3
 * fmix32 finaliser). A uniform integer in `[0, n)` is drawn by rejection (`x < 2^32 − 2^32 mod n`,
 * then `x mod n`), and k of n without replacement by partial Fisher–Yates over the candidate pool in
 * ascending index order (`j = i + below(n − i)`, swap). When a pool has no more members than wanted,
 * all are taken and nothing is drawn. One generator serves a whole call: positives first, then
 * negatives. Implemented identically in Rust (`crates/core/src/assign/rng.rs`) and TypeScript.
 */
import { getBackend } from '../registry';
import { SoftSamplingError } from '../errors';
import { Tensor, toBoxes, toBoxesShape, toFloat32, numOpt, boolOpt, enumOpt, checkOptions, checkView, toIntegers, type ArrayInput } from '../tensor';

/** Options of {@link maxIouAssign} (mmdet `MaxIoUAssigner` arguments, camelCased). */
export interface MaxIouAssignOptions {
  /** Class label of each gt, `[G]` integers (mmdet: `[0, C)`). Default: every gt is class 0 (class-agnostic, as mmdet's RPN). */
  gtLabels?: ArrayInput;
  /** Required. A prior whose max IoU is `≥ posIouThr` is positive for its best gt. RetinaNet 0.5, RPN 0.7. */
  posIouThr: number;
  /** Required. Negative when `0 ≤ max IoU < negIouThr`, or `lo ≤ max IoU < hi` for `[lo, hi]` (lo ≥ 0). RetinaNet 0.4. */
  negIouThr: number | readonly [number, number];
  /** Low-quality matches need the gt's best IoU `≥ minPosIou`; default `0`. */
  minPosIou?: number;
  /** Low-quality step: every prior tying a gt's best IoU (default `true`), or only the first. */
  gtMaxAssignAll?: boolean;
  /** Give each gt its best prior(s) even below `posIouThr` (default `true`). */
  matchLowQuality?: boolean;
  /** Priors whose IoF with an ignore box exceeds this are ignored (`−1`); `≤ 0` disables (default `−1`). */
  ignoreIofThr?: number;
  /** Ignore boxes `[K, 4]` xyxy (crowd regions). */
  gtIgnore?: ArrayInput;
  /** IoF relative to the prior's area (default `true`, mmdet), or to the ignore box's area. */
  ignoreWrtCandidates?: boolean;
  /**
   * What the low-quality step does with a gt whose best IoU is `≤ 0`: `'skip'` (default, decisions.md:
   * no match) or `'mmdet'` (with `minPosIou = 0`, every prior with IoU 0 to it becomes positive, mmdet #8289).
   */
  lowQualityZeroIou?: 'skip' | 'mmdet';
}

/** Result of {@link maxIouAssign}. */
export interface AssignResult {
  /** `[P]`: `−1` ignored, `0` negative, `j + 1` positive for gt `j`. */
  gtInds: Tensor<Int32Array, [number]>;
  /** `[P]` float32: IoU with the best gt (`0` without gts, `−1` inside an ignore region). */
  maxOverlaps: Tensor<Float32Array, [number]>;
  /** `[P]`: the gt's label for positives, `−1` otherwise. */
  labels: Tensor<Int32Array, [number]>;
  /** Number of gts `G`. */
  numGts: number;
}

/** Realm-safe `instanceof Int32Array` (native results may come from another realm, e.g. under jest). */
function isInt32(x: unknown): x is Int32Array {
  return Object.prototype.toString.call(x) === '[object Int32Array]';
}

/** Integers from any accepted input (an `Int32Array`, or a `Tensor<Int32Array>`, is used as is). */
function toInt32(arg: string, input: unknown): { data: Int32Array; shape: number[] } {
  checkView(arg, input);
  if (isInt32(input)) return { data: input, shape: [input.length] };
  if (input !== null && typeof input === 'object' && 'data' in input && 'shape' in input) {
    // a Tensor<Int32Array> or a contiguous {data: Int32Array, shape}: no copy
    const o = input as { data: unknown; shape: readonly number[]; stride?: unknown; offset?: number };
    checkView(arg, o.data);
    if (isInt32(o.data) && Array.isArray(o.shape) && (o.stride === undefined || input instanceof Tensor) && !o.offset
      && o.shape.every((d) => Number.isInteger(d) && d >= 0) && o.shape.reduce((a, b) => a * b, 1) === o.data.length) {
      return { data: o.data, shape: [...o.shape] };
    }
  }
  const { data, shape } = toFloat32(arg, input);
  return { data: toIntegers(arg, data), shape };
}

function vector(arg: string, shape: number[], n: number): void {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== n || shape.filter((d) => d !== 1).length > 1) {
    throw new SoftSamplingError('E_SHAPE', arg, `expected ${n} values ([${n}]), got shape [${shape}]`);
  }
}

function required(arg: string, v: unknown): void {
  if (v === undefined) throw new SoftSamplingError('E_OPTION', arg, 'is required');
}

/**
 * Max-IoU assignment of priors (anchors / proposals) to ground-truth boxes.
 *
 * `priors` `[P, 4]`, `gt` `[G, 4]`, both `xyxy` float (pixels, no `+1`). In this order (mmdetection):
 * 1. IoU `[G, P]` (the library's `bboxOverlaps`, eps 1e-6); priors whose max IoF with an ignore
 *    box exceeds `ignoreIofThr` get IoU `−1` with every gt (so they stay ignored).
 * 2. Every prior starts ignored (`−1`); max IoU in `[0, negIouThr)` (or `[lo, hi)`) ⇒ negative (`0`);
 *    max IoU `≥ posIouThr` ⇒ its best gt (`j + 1`, the first gt on ties).
 * 3. `matchLowQuality`: each gt in index order whose best IoU is `≥ minPosIou` takes every prior
 *    reaching that best IoU (only the first with `gtMaxAssignAll: false`); later gts overwrite earlier.
 *    **Deliberate difference**: by default a gt whose best IoU is 0 takes nothing (decisions.md);
 *    `lowQualityZeroIou: 'mmdet'` restores mmdetection, where it claims every zero-IoU prior.
 * Thresholds are compared in float32. No gt ⇒ every prior negative (`gtInds` 0, `maxOverlaps` 0);
 * no prior ⇒ empty tensors.
 *
 * Returns `{ gtInds: Int32 [P], maxOverlaps: float32 [P], labels: Int32 [P], numGts }` (see
 * {@link AssignResult}; encoding in the module docs: `−1` ignored, `0` negative, `j + 1` gt `j`).
 *
 * Source: Ren et al. 2015 (Faster R-CNN §3.1.2, the positive/negative IoU rule and the best-anchor
 * rule); matches mmdetection `MaxIoUAssigner.assign` / `assign_wrt_overlaps` (defaults
 * `min_pos_iou=0, gt_max_assign_all=True, match_low_quality=True, ignore_iof_thr=-1,
 * ignore_wrt_candidates=True`), except the zero-IoU case above. Memory (Rust backends): the IoU
 * matrix is streamed in `G × 2048` tiles, never stored whole — O(G·2048 + P); the TS reference builds
 * the full `G×P` matrix.
 *
 * @throws SoftSamplingError `E_SHAPE` (boxes not `[N, 4]`, `gtLabels` not `[G]`), `E_VALUE`
 *   (NaN/Inf, non-integer labels, `negIouThr` range with `lo < 0` or `lo > hi`), `E_OPTION`
 *   (missing `posIouThr`/`negIouThr`, unknown option or `lowQualityZeroIou`), `E_TYPE`.
 */
export function maxIouAssign(priors: ArrayInput, gt: ArrayInput, options: MaxIouAssignOptions): AssignResult {
  const o = checkOptions('options', options, [
    'gtLabels', 'posIouThr', 'negIouThr', 'minPosIou', 'gtMaxAssignAll', 'matchLowQuality', 'ignoreIofThr', 'gtIgnore',
    'ignoreWrtCandidates', 'lowQualityZeroIou',
  ]);
  required('options.posIouThr', o.posIouThr);
  required('options.negIouThr', o.negIouThr);
  const posIouThr = numOpt('options.posIouThr', o.posIouThr, 0.5, (x) => (x >= 0 && x <= 1 ? null : `must be in [0, 1], got ${x}`));
  let negLo: number, negHi: number;
  if (Array.isArray(o.negIouThr)) {
    if (o.negIouThr.length !== 2) throw new SoftSamplingError('E_SHAPE', 'options.negIouThr', 'a range must be [lo, hi]');
    negLo = numOpt('options.negIouThr[0]', o.negIouThr[0], 0, (x) => (x >= 0 ? null : `must be ≥ 0, got ${x}`));
    negHi = numOpt('options.negIouThr[1]', o.negIouThr[1], 0, (x) => (x >= negLo ? null : `must be ≥ lo (${negLo}), got ${x}`));
  } else {
    negLo = 0;
    negHi = numOpt('options.negIouThr', o.negIouThr, 0.4, (x) => (x >= 0 ? null : `must be ≥ 0, got ${x}`));
  }
  const minPosIou = numOpt('options.minPosIou', o.minPosIou, 0, (x) => (x >= 0 && x <= 1 ? null : `must be in [0, 1], got ${x}`));
  const gtMaxAssignAll = boolOpt('options.gtMaxAssignAll', o.gtMaxAssignAll, true);
  const matchLowQuality = boolOpt('options.matchLowQuality', o.matchLowQuality, true);
  const ignoreIofThr = numOpt('options.ignoreIofThr', o.ignoreIofThr, -1);
  const ignoreWrtCandidates = boolOpt('options.ignoreWrtCandidates', o.ignoreWrtCandidates, true);
  const zero = enumOpt('options.lowQualityZeroIou', o.lowQualityZeroIou, ['skip', 'mmdet'] as const, 'skip');
  // NaN/±Inf and |x| > 1e18 are refused by the kernel (parallel chunks, same error on every backend)
  const p = toBoxesShape('priors', priors);
  const g = toBoxesShape('gt', gt);
  let labels: Int32Array;
  if (o.gtLabels === undefined) labels = new Int32Array(g.n);
  else {
    const l = toInt32('options.gtLabels', o.gtLabels);
    vector('options.gtLabels', l.shape, g.n);
    labels = l.data;
  }
  const ign = o.gtIgnore === undefined ? new Float32Array(0) : toBoxes('options.gtIgnore', o.gtIgnore).data;
  const r = getBackend().maxIouAssign(
    { priors: p.data, gts: g.data, gtLabels: labels, gtIgnore: ign },
    { posIouThr, negLo, negHi, minPosIou, gtMaxAssignAll, matchLowQuality, ignoreIofThr, ignoreWrtCandidates, zeroIouMmdet: zero === 'mmdet' },
  );
  return {
    gtInds: new Tensor(r.gtInds, [p.n]),
    maxOverlaps: new Tensor(r.maxOverlaps, [p.n]),
    labels: new Tensor(r.labels, [p.n]),
    numGts: g.n,
  };
}

/**
 * What the samplers read from an assignment: the {@link AssignResult} of {@link maxIouAssign}, or
 * any object with `gtInds` (`[P]` integers, `−1`/`0`/`j+1`), `numGts` (needed with
 * `addGtAsProposals`) and, for {@link iouBalancedNegSample}, `maxOverlaps` `[P]`.
 */
export interface AssignLike {
  /** `[P]` integers: `−1` ignored, `0` negative, `j + 1` positive for gt `j` (an `Int32Array` tensor is used without a copy). */
  gtInds: Tensor<Int32Array> | ArrayInput;
  /** `[P]` max IoU of each prior with any gt; required by {@link iouBalancedNegSample} only. */
  maxOverlaps?: Tensor | ArrayInput;
  /** Number of gts `G`; required when `addGtAsProposals` is on (the default). */
  numGts?: number;
}

/** Budget options shared by every sampler (mmdet `BaseSampler`). */
export interface SamplerOptions {
  /** Required. Total number of samples wanted (positives + negatives), an integer ≥ 0. */
  num: number;
  /** Required. Positives wanted: `floor(num · posFraction)`, `posFraction ∈ [0, 1]`. */
  posFraction: number;
  /** Negatives ≤ `floor(negPosUb · max(1, #pos))` when ≥ 0; default `−1` (no cap). */
  negPosUb?: number;
  /** Prepend the gts as candidates (mmdet default `true`; needs `assign.numGts`). See the module docs. */
  addGtAsProposals?: boolean;
}

/** Options of {@link randomSample}. */
export interface RandomSampleOptions extends SamplerOptions {
  /** Required. u32 seed of the generator (module docs); same seed ⇒ same indices on every backend. */
  seed: number;
}

/** Result of every sampler. */
export interface SampleResult {
  /** Sampled positive candidates, ascending. */
  posInds: Tensor<Int32Array, [number]>;
  /** Sampled negative candidates, ascending. */
  negInds: Tensor<Int32Array, [number]>;
  /** 0-based gt index of each positive (mmdet `pos_assigned_gt_inds`). */
  posAssignedGtInds: Tensor<Int32Array, [number]>;
  /** `G` of the assignment (0 when unknown). */
  numGts: number;
  /** Gts prepended as candidates (`G` with `addGtAsProposals`, else 0): candidates below it are gts. */
  numAddedGts: number;
  /** Candidates in total: `numAddedGts + P`. */
  numCandidates: number;
}

interface Prepared {
  gtInds: Int32Array;
  numGts: number;
  numAdded: number;
  num: number;
  numExpectedPos: number;
  negPosUb: number;
}

function prepare(assign: AssignLike, o: Record<string, unknown>): Prepared {
  if (assign === null || typeof assign !== 'object' || !('gtInds' in assign)) {
    throw new SoftSamplingError('E_TYPE', 'assign', 'expected an assignment object with gtInds (the result of maxIouAssign)');
  }
  const gi = toInt32('assign.gtInds', assign.gtInds);
  vector('assign.gtInds', gi.shape, gi.data.length);
  let numGts = 0;
  if (assign.numGts !== undefined) {
    numGts = numOpt('assign.numGts', assign.numGts, 0, (x) =>
      Number.isInteger(x) && x >= 0 && x <= MAX_GTS ? null : `must be an integer in [0, ${MAX_GTS}], got ${x}`);
  }
  const gtInds = gi.data;
  for (let i = 0; i < gtInds.length; i++) {
    const a = gtInds[i];
    if (a < -1 || (assign.numGts !== undefined && a > numGts)) {
      throw new SoftSamplingError('E_VALUE', 'assign.gtInds', `element ${i} is ${a}; expected −1, 0 or 1..${assign.numGts ?? 'G'}`);
    }
  }
  required('options.num', o.num);
  required('options.posFraction', o.posFraction);
  const num = numOpt('options.num', o.num, 0, (x) => (Number.isInteger(x) && x >= 0 && x < 2 ** 31 ? null : `must be an integer ≥ 0, got ${x}`));
  const posFraction = numOpt('options.posFraction', o.posFraction, 0.5, (x) => (x >= 0 && x <= 1 ? null : `must be in [0, 1], got ${x}`));
  const negPosUb = numOpt('options.negPosUb', o.negPosUb, -1);
  const addGt = boolOpt('options.addGtAsProposals', o.addGtAsProposals, true);
  if (addGt && assign.numGts === undefined) {
    throw new SoftSamplingError('E_VALUE', 'assign.numGts', 'addGtAsProposals needs the number of gts (assign.numGts); pass addGtAsProposals: false otherwise');
  }
  return { gtInds, numGts, numAdded: addGt ? numGts : 0, num, numExpectedPos: Math.floor(num * posFraction), negPosUb };
}

function seedOpt(v: unknown): number {
  required('options.seed', v);
  return numOpt('options.seed', v, 0, (x) => (Number.isInteger(x) && x >= 0 && x <= 0xffffffff ? null : `must be an integer in [0, 2^32), got ${x}`));
}

/** A sampler kernel's packed `[numPos, numNeg, pos..., neg..., posGt...]` (in the first `len[0]` slots) as tensors. */
function unpack({ packed }: { packed: Int32Array; len: Float64Array }, pr: Prepared): SampleResult {
  const np = packed[0], nn = packed[1];
  return {
    posInds: new Tensor(packed.slice(2, 2 + np), [np]),
    negInds: new Tensor(packed.slice(2 + np, 2 + np + nn), [nn]),
    posAssignedGtInds: new Tensor(packed.slice(2 + np + nn, 2 + 2 * np + nn), [np]),
    numGts: pr.numGts,
    numAddedGts: pr.numAdded,
    numCandidates: pr.numAdded + pr.gtInds.length,
  };
}

const SAMPLER_KEYS = ['num', 'posFraction', 'negPosUb', 'addGtAsProposals'];

/**
 * Random positive/negative sampling with an explicit seed.
 *
 * Positives: candidates with `gtInds > 0` (plus the prepended gts); if there are more than
 * `floor(num · posFraction)`, that many are drawn uniformly without replacement. Negatives
 * (`gtInds == 0`; ignored `−1` never): `num − #pos`, capped at `floor(negPosUb · max(1, #pos))` when
 * `negPosUb ≥ 0`, drawn the same way. Indices are unique and the counts exactly
 * `min(#pool, expected)`. Randomness: the seeded generator of the module docs, positives first.
 *
 * Returns {@link SampleResult} (candidate indices ascending; with `addGtAsProposals` they index
 * `[gts; priors]`).
 *
 * Source: matches mmdetection `RandomSampler` / `BaseSampler.sample` (budget rules, gt prepending);
 * differs deliberately in the randomness (mmdet uses the global torch RNG and ignores its `rng`
 * argument) and in returning indices sorted.
 * @throws SoftSamplingError `E_OPTION` (missing `num`/`posFraction`/`seed`, unknown option),
 *   `E_VALUE` (bad values, `gtInds` outside `−1..G`, `addGtAsProposals` without `numGts`), `E_TYPE`, `E_SHAPE`.
 */
export function randomSample(assign: AssignLike, options: RandomSampleOptions): SampleResult {
  const o = checkOptions('options', options, [...SAMPLER_KEYS, 'seed']);
  const pr = prepare(assign, o);
  const seed = seedOpt(o.seed);
  return unpack(getBackend().randomSample({ gtInds: pr.gtInds }, { numAdded: pr.numAdded, num: pr.num, numExpectedPos: pr.numExpectedPos, negPosUb: pr.negPosUb, seed }), pr);
}

/**
 * Online hard example mining: the hardest candidates by a loss the caller computed.
 *
 * `losses` `[numAddedGts + P]`: one loss per candidate (gts first when `addGtAsProposals`), e.g. the
 * per-RoI classification loss with positives scored against their gt label and negatives against
 * background. Budget as {@link randomSample}; positives and negatives are ranked separately and the
 * top `k` of each pool kept (all of it when it has ≤ `k`). Ties go to the smaller index, so the
 * result is deterministic. Returns {@link SampleResult}.
 *
 * Source: Shrivastava et al. 2016 (OHEM, §4: hard RoIs by loss); matches mmdetection `OHEMSampler`
 * except that the loss is an input (mmdet runs the RoI head itself) and ties are broken by index.
 * @throws SoftSamplingError `E_SHAPE` (`losses` length ≠ candidates), `E_VALUE` (NaN/Inf), as {@link randomSample}.
 */
export function ohemSample(assign: AssignLike, losses: ArrayInput, options: SamplerOptions): SampleResult {
  const o = checkOptions('options', options, SAMPLER_KEYS);
  const pr = prepare(assign, o);
  const l = toFloat32('losses', losses);
  const n = pr.numAdded + pr.gtInds.length;
  vector('losses', l.shape, n);
  return unpack(getBackend().ohemSample({ gtInds: pr.gtInds, losses: l.data }, { numAdded: pr.numAdded, num: pr.num, numExpectedPos: pr.numExpectedPos, negPosUb: pr.negPosUb }), pr);
}

/** Options of {@link iouBalancedNegSample}. */
export interface IouBalancedOptions extends RandomSampleOptions {
  /** `< 0` (default `−1`): no floor set, IoU bins start at 0; `0`: floor = negatives with IoU 0; `> 0`: floor = IoU in `[0, floorThr)`. */
  floorThr?: number;
  /** Share of the negatives drawn (uniformly) from the floor set, `[0, 1]`; default `0`. */
  floorFraction?: number;
  /** IoU bins over `[max(floorThr, 0), max IoU)`; `≥ 2` samples evenly per bin, `1` uniformly; default `3`. */
  numBins?: number;
}

/**
 * IoU-balanced negative sampling (Libra R-CNN): random positives, negatives spread evenly over IoU.
 *
 * Negatives: if more than wanted, `floor(expected · (1 − floorFraction))` are drawn from the IoU set
 * — `numBins` equal-width bins over `[max(floorThr, 0), max IoU over all candidates)`, up to
 * `floor(n / numBins)` per bin, topped up uniformly from the rest of the IoU set — and the rest from
 * the floor set, then topped up from any remaining negatives. `assign.maxOverlaps` is required
 * (prepended gts count as IoU 1). Draw order (one seeded stream): positives, bin 0..numBins−1, IoU
 * top-up, floor, final top-up. Returns {@link SampleResult}.
 *
 * Source: Pang et al. 2019 (Libra R-CNN, §3.1 eq. 2, IoU-balanced sampling); matches mmdetection
 * `IoUBalancedNegSampler` with its first-call behaviour every call: **stateless** (mmdet overwrites
 * `floor_thr = −1` with 0 on the first call, decisions.md), seeded, sets replaced by ascending lists.
 * @throws SoftSamplingError as {@link randomSample}; `E_VALUE` without `assign.maxOverlaps` or for bad options.
 */
export function iouBalancedNegSample(assign: AssignLike, options: IouBalancedOptions): SampleResult {
  const o = checkOptions('options', options, [...SAMPLER_KEYS, 'seed', 'floorThr', 'floorFraction', 'numBins']);
  const pr = prepare(assign, o);
  const seed = seedOpt(o.seed);
  const floorThr = numOpt('options.floorThr', o.floorThr, -1);
  const floorFraction = numOpt('options.floorFraction', o.floorFraction, 0, (x) => (x >= 0 && x <= 1 ? null : `must be in [0, 1], got ${x}`));
  const numBins = numOpt('options.numBins', o.numBins, 3, (x) => (Number.isInteger(x) && x >= 1 && x <= 1e6 ? null : `must be an integer ≥ 1, got ${x}`));
  if (assign.maxOverlaps === undefined) throw new SoftSamplingError('E_VALUE', 'assign.maxOverlaps', 'the IoU-balanced sampler needs maxOverlaps');
  const mo = toFloat32('assign.maxOverlaps', assign.maxOverlaps);
  vector('assign.maxOverlaps', mo.shape, pr.gtInds.length);
  return unpack(
    getBackend().iouBalancedSample(
      { gtInds: pr.gtInds, maxOverlaps: mo.data },
      { numAdded: pr.numAdded, num: pr.num, numExpectedPos: pr.numExpectedPos, negPosUb: pr.negPosUb, seed, floorThr, floorFraction, numBins },
    ),
    pr,
  );
}

/** Options of {@link hardNegativeMining}. */
export interface HardNegativeMiningOptions {
  /** Required. Number of foreground classes `C`: labels in `[0, C)` are positive, `C` is background, anything else ignored. */
  numClasses: number;
  /** Negatives kept per image: `min(floor(negPosRatio · #pos), #neg)`; default `3`. */
  negPosRatio?: number;
}

/** Result of {@link hardNegativeMining}. */
export interface HardNegativeMiningResult {
  /** Flat indices (into `[N·P]`) of every positive, ascending. */
  posInds: Tensor<Int32Array, [number]>;
  /** Flat indices of the mined negatives, ascending. */
  negInds: Tensor<Int32Array, [number]>;
  /** Σ loss over the positives (float64 accumulation). */
  posLossSum: number;
  /** Σ loss over the mined negatives. */
  negLossSum: number;
  /** `posLossSum + negLossSum` (SSD divides it by its `avgFactor`). */
  lossSum: number;
}

/**
 * SSD hard negative mining, per image.
 *
 * `losses` `[P]` (one image) or `[N, P]` (N images), e.g. the softmax CE of every anchor; `labels`
 * the same shape in mmdet encoding (`[0, C)` foreground, `C` background; other values such as `−1`
 * are neither). In each image the `k = min(floor(negPosRatio · #pos), #neg)` background anchors with
 * the largest loss are kept (an image without positives keeps none); ties go to the smaller index.
 * From a {@link maxIouAssign} result `a` the labels are
 * `gtInds > 0 ? a.labels : gtInds == 0 ? C : −1` per prior (SSD's assigner, `(0.5, 0.5)` with
 * `gtMaxAssignAll: false`, ignores nothing). Returns {@link HardNegativeMiningResult}.
 *
 * Source: Liu et al. 2016 (SSD §2.2 "Hard negative mining", ratio 3:1); matches mmdetection
 * `SSDHead.loss_by_feat_single` (`neg_pos_ratio=3`) and torchvision `SSD.compute_loss`.
 * @throws SoftSamplingError `E_SHAPE` (shapes differ, not 1-D/2-D), `E_VALUE` (NaN/Inf, non-integer
 *   labels, `negPosRatio < 0`), `E_OPTION` (missing `numClasses`, unknown option), `E_TYPE`.
 */
export function hardNegativeMining(losses: ArrayInput, labels: ArrayInput, options: HardNegativeMiningOptions): HardNegativeMiningResult {
  const o = checkOptions('options', options, ['numClasses', 'negPosRatio']);
  required('options.numClasses', o.numClasses);
  const numClasses = numOpt('options.numClasses', o.numClasses, 1, (x) => (Number.isInteger(x) && x >= 1 && x < 2 ** 31 ? null : `must be an integer ≥ 1, got ${x}`));
  const ratio = numOpt('options.negPosRatio', o.negPosRatio, 3, (x) => (x >= 0 ? null : `must be ≥ 0, got ${x}`));
  const l = toFloat32('losses', losses);
  const lab = toInt32('labels', labels);
  if (l.shape.length > 2) throw new SoftSamplingError('E_SHAPE', 'losses', `expected [P] or [N, P], got [${l.shape}]`);
  if (lab.data.length !== l.data.length || (lab.shape.length === 2 && l.shape.length === 2 && lab.shape[0] !== l.shape[0])) {
    throw new SoftSamplingError('E_SHAPE', 'labels', `expected the shape of losses [${l.shape}], got [${lab.shape}]`);
  }
  // (no priors: no images to walk, however many rows [N, 0] names)
  const numImages = l.data.length === 0 ? 0 : l.shape.length === 2 ? l.shape[0] : 1;
  const { packed } = getBackend().hardNegativeMining({ losses: l.data, labels: lab.data }, { numImages, numClasses, negPosRatio: ratio });
  const np = packed[0], nn = packed[1];
  const pos = packed.slice(2, 2 + np);
  const neg = packed.slice(2 + np, 2 + np + nn);
  let posLossSum = 0, negLossSum = 0;
  for (const i of pos) posLossSum += l.data[i];
  for (const i of neg) negLossSum += l.data[i];
  return { posInds: new Tensor(pos, [np]), negInds: new Tensor(neg, [nn]), posLossSum, negLossSum, lossSum: posLossSum + negLossSum };
}

/** Largest number of gt boxes per image the samplers accept (gts are prepended as candidates). */
const MAX_GTS = 1 << 20;

/** What {@link assignTargets} reads: a {@link maxIouAssign} result, or any object with these two arrays. */
export interface AssignTargetsInput {
  /** `[P]` integers: `−1` ignored, `0` negative, `j + 1` positive for gt `j`. */
  gtInds: Tensor<Int32Array> | ArrayInput;
  /** `[P]` integers: the class of each positive's gt in `[0, numClasses)`; read only where `gtInds > 0`. */
  labels: Tensor<Int32Array> | ArrayInput;
}

/** Options of {@link assignTargets}. */
export interface AssignTargetsOptions {
  /** Required. Number of foreground classes `C`; background label = `C`. */
  numClasses: number;
}

/** What {@link assignTargets} returns: an assignment in the encodings the losses and PISA take. */
export interface AssignTargets {
  /** `[P]` int32 class targets for the losses: the gt's label for positives, `numClasses` (background) otherwise. */
  labels: Tensor<Int32Array, [number]>;
  /** `[P]` float32: 1 for positives and negatives, 0 for ignored priors (the losses' `labelWeights`). */
  labelWeights: Tensor<Float32Array, [number]>;
  /** `[n]` int32 indices of the positive priors, ascending. */
  posInds: Tensor<Int32Array, [number]>;
  /** `[n]` int32 0-based gt index of each positive (what `iouHlr` / `isrP` take as `gtInds`). */
  posGtInds: Tensor<Int32Array, [number]>;
  /** `[k]` int32 indices of the negative priors, ascending. */
  negInds: Tensor<Int32Array, [number]>;
  /** `max(n, 1)`: the RetinaNet normaliser per image (mmdet `avg_factor` with a PseudoSampler). */
  avgFactor: number;
}

/**
 * Converts a {@link maxIouAssign} result (`gtInds`: −1 ignored, 0 negative, j + 1 gt j;
 * `labels`: −1 unless positive) into the encodings the losses and PISA take: labels with
 * background = `numClasses`, a 0/1 ignore mask, positive / negative index lists, 0-based gt index
 * per positive, and `avgFactor = max(#pos, 1)`. O(P); no kernel.
 *
 * Source: mmdetection `AnchorHead._get_targets_single` (labels filled with `num_classes`,
 * `label_weights` 1 for sampled positives and negatives) with a PseudoSampler.
 * @throws SoftSamplingError `E_VALUE` (`numClasses` not a positive integer, a positive whose label is
 *   outside `[0, numClasses)`), `E_SHAPE` (`gtInds` and `labels` of different lengths), `E_TYPE`.
 */
export function assignTargets(assign: AssignTargetsInput, options: AssignTargetsOptions): AssignTargets {
  const o = checkOptions('options', options, ['numClasses']);
  const c = numOpt('options.numClasses', o.numClasses, 0, (x) => (Number.isInteger(x) && x > 0 ? null : `must be a positive integer, got ${x}`));
  if (o.numClasses === undefined) throw new SoftSamplingError('E_VALUE', 'options.numClasses', 'is required');
  if (!assign || typeof assign !== 'object') throw new SoftSamplingError('E_TYPE', 'assign', 'expected the result of maxIouAssign');
  const g = toFloat32('assign.gtInds', assign.gtInds instanceof Tensor ? assign.gtInds.data : assign.gtInds).data;
  const l = toFloat32('assign.labels', assign.labels instanceof Tensor ? assign.labels.data : assign.labels).data;
  if (g.length !== l.length) throw new SoftSamplingError('E_SHAPE', 'assign.labels', `has ${l.length} elements, gtInds ${g.length}`);
  const p = g.length;
  const labels = new Int32Array(p).fill(c);
  const labelWeights = new Float32Array(p);
  const pos: number[] = [], posGt: number[] = [], neg: number[] = [];
  for (let i = 0; i < p; i++) {
    const gi = g[i];
    if (gi > 0) {
      const lab = l[i];
      if (!Number.isInteger(lab) || lab < 0 || lab >= c) {
        throw new SoftSamplingError('E_VALUE', 'assign.labels', `positive prior ${i} has label ${lab}, outside [0, ${c})`);
      }
      labels[i] = lab;
      labelWeights[i] = 1;
      pos.push(i);
      posGt.push(gi - 1);
    } else if (gi === 0) {
      labelWeights[i] = 1;
      neg.push(i);
    }
  }
  return {
    labels: new Tensor(labels, [p]),
    labelWeights: new Tensor(labelWeights, [p]),
    posInds: new Tensor(Int32Array.from(pos), [pos.length]),
    posGtInds: new Tensor(Int32Array.from(posGt), [posGt.length]),
    negInds: new Tensor(Int32Array.from(neg), [neg.length]),
    avgFactor: Math.max(pos.length, 1),
  };
}
