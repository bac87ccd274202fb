/**
 * Box geometry: overlaps, format conversion, the delta-xywh coder, anchors.
 * All boxes are `xyxy` in pixels, `[N, 4]` row-major float32, no `+1` offset unless asked.
 */
import { getBackend } from '../registry';
import type { Backend } from '../kernels';
import { checkAttached, nextTask } from './async';
import { asyncOp, offloadAvailable } from './offload';
import { SoftSamplingError, valueText } from '../errors';
import { MAX_BOX_COORD, isF32, Tensor, toBoxes, toFloat32, numOpt, boolOpt, enumOpt, checkOptions, checkOutputSize, type ArrayInput, type NanPolicy } from '../tensor';

const MODES = ['iou', 'iof', 'giou'] as const;
/** Overlap measure of {@link bboxOverlaps}: `'iou'`, `'iof'` (intersection over the first box's area) or `'giou'`. */
export type OverlapMode = 'iou' | 'iof' | 'giou';

/** Options of {@link bboxOverlaps}; every field is optional. */
export interface BboxOverlapsOptions {
  /** `'iou'` (default), `'iof'` (intersection over the area of the `boxes1` box) or `'giou'`. */
  mode?: OverlapMode;
  /** `true`: box i of `boxes1` against box i of `boxes2` (`[N]` result); default `false` (`[N, M]`). */
  aligned?: boolean;
  /** Floor of the union (and of the GIoU enclosing area); default `1e-6`; must be > 0. */
  eps?: number;
  /** Add the legacy `+1` to widths and heights (mmdet v1, VOC pixel boxes); default `false`. */
  legacyOffset?: boolean;
  /** `'error'` (default) rejects NaN/±Inf coordinates; `'propagate'` gives NaN for every pair involving such a box. */
  nanPolicy?: NanPolicy;
  /**
   * A caller-owned `Float32Array` of exactly `N·M` (or `N` when aligned) elements to write into,
   * so repeated calls reuse one buffer (no allocation); the result's `data` is this array.
   */
  out?: Float32Array;
}

/**
 * Overlaps between two sets of boxes.
 *
 * - pairwise: `boxes1` `[N, 4]` × `boxes2` `[M, 4]` → `Tensor` `[N, M]`;
 * - aligned (`aligned: true`): `[N, 4]` × `[N, 4]` → `[N]`.
 *
 * Boxes are `xyxy` float (any unit, usually pixels). `iou = inter / max(union, eps)`;
 * `iof = inter / max(area1, eps)`; `giou = iou − (enclose − union) / max(enclose, eps)`.
 * Areas are not clamped (as in mmdet); a zero-area box has IoU 0 with every box, itself included.
 * Empty inputs give an empty result of the right shape (`[0, M]`, `[N, 0]`).
 *
 * Source: GIoU from Rezatofighi et al. 2019 (eq. in Alg. 1); matches mmdetection
 * `mmdet/structures/bbox/bbox_overlaps.py` `bbox_overlaps(..., mode, is_aligned, eps=1e-6)`.
 *
 * @throws SoftSamplingError `E_SHAPE` (a length not a multiple of 4, rows not of 4, aligned sets of
 *   different lengths, an `out` of the wrong length), `E_VALUE` (NaN/Inf, `eps` ≤ 0), `E_OPTION` (unknown `mode` or option),
 *   `E_TYPE` (not an array).
 */
export function bboxOverlaps(boxes1: ArrayInput, boxes2: ArrayInput, options?: BboxOverlapsOptions & { aligned?: false }): Tensor<Float32Array, [number, number]>;
/**
 * Overlaps between two sets of boxes.
 *
 * - pairwise: `boxes1` `[N, 4]` × `boxes2` `[M, 4]` → `Tensor` `[N, M]`;
 * - aligned (`aligned: true`): `[N, 4]` × `[N, 4]` → `[N]`.
 *
 * Boxes are `xyxy` float (any unit, usually pixels). `iou = inter / max(union, eps)`;
 * `iof = inter / max(area1, eps)`; `giou = iou − (enclose − union) / max(enclose, eps)`.
 * Areas are not clamped (as in mmdet); a zero-area box has IoU 0 with every box, itself included.
 * Empty inputs give an empty result of the right shape (`[0, M]`, `[N, 0]`).
 *
 * Source: GIoU from Rezatofighi et al. 2019 (eq. in Alg. 1); matches mmdetection
 * `mmdet/structures/bbox/bbox_overlaps.py` `bbox_overlaps(..., mode, is_aligned, eps=1e-6)`.
 *
 * @throws SoftSamplingError `E_SHAPE` (a length not a multiple of 4, rows not of 4, aligned sets of
 *   different lengths, an `out` of the wrong length), `E_VALUE` (NaN/Inf, `eps` ≤ 0), `E_OPTION` (unknown `mode` or option),
 *   `E_TYPE` (not an array).
 */
export function bboxOverlaps(boxes1: ArrayInput, boxes2: ArrayInput, options: BboxOverlapsOptions & { aligned: true }): Tensor<Float32Array, [number]>;
/**
 * Overlaps between two sets of boxes.
 *
 * - pairwise: `boxes1` `[N, 4]` × `boxes2` `[M, 4]` → `Tensor` `[N, M]`;
 * - aligned (`aligned: true`): `[N, 4]` × `[N, 4]` → `[N]`.
 *
 * Boxes are `xyxy` float (any unit, usually pixels). `iou = inter / max(union, eps)`;
 * `iof = inter / max(area1, eps)`; `giou = iou − (enclose − union) / max(enclose, eps)`.
 * Areas are not clamped (as in mmdet); a zero-area box has IoU 0 with every box, itself included.
 * Empty inputs give an empty result of the right shape (`[0, M]`, `[N, 0]`).
 *
 * Source: GIoU from Rezatofighi et al. 2019 (eq. in Alg. 1); matches mmdetection
 * `mmdet/structures/bbox/bbox_overlaps.py` `bbox_overlaps(..., mode, is_aligned, eps=1e-6)`.
 *
 * @throws SoftSamplingError `E_SHAPE` (a length not a multiple of 4, rows not of 4, aligned sets of
 *   different lengths, an `out` of the wrong length), `E_VALUE` (NaN/Inf, `eps` ≤ 0), `E_OPTION` (unknown `mode` or option),
 *   `E_TYPE` (not an array).
 */
export function bboxOverlaps(boxes1: ArrayInput, boxes2: ArrayInput, options?: BboxOverlapsOptions): Tensor<Float32Array, [number, number] | [number]>;
export function bboxOverlaps(boxes1: ArrayInput, boxes2: ArrayInput, options?: BboxOverlapsOptions): Tensor<Float32Array, [number, number] | [number]> {
  const p = prepareOverlaps(boxes1, boxes2, options);
  getBackend().bboxOverlaps(...p.args);
  return finishOverlaps(p);
}

/**
 * {@link bboxOverlaps} without blocking the event loop (issue 12): same arguments, same result,
 * as a promise. Native: the kernel runs on libuv's thread pool with the boxes copied at the call
 * (your arrays may be reused at once; an `options.out` buffer is written on the pool — leave it
 * alone until the promise settles). WebAssembly / TypeScript backends in Node: a worker thread of
 * the async pool (arguments copied at the call, `out` filled when the promise settles); on the edge
 * entry: the calling thread after the current task. Never throws synchronously. Source: as {@link bboxOverlaps} (mmdet `bbox_overlaps`).
 * @returns a promise of the `[N, M]` (or aligned `[N]`) float32 overlap tensor.
 * @throws (rejects) SoftSamplingError as {@link bboxOverlaps}; `E_TYPE` when an input's buffer is
 *   detached before or during the call.
 */
export async function bboxOverlapsAsync(boxes1: ArrayInput, boxes2: ArrayInput, options?: BboxOverlapsOptions): Promise<Tensor<Float32Array, [number, number] | [number]>> {
  const names = ['boxes1', 'boxes2'], inputs = [boxes1, boxes2];
  checkAttached(names, inputs);
  // no native AsyncTask (wasm, ts): Node's worker pool when there is one
  if (!getBackend().bboxOverlapsAsync && offloadAvailable()) return bboxOverlapsPooled(boxes1, boxes2, options);
  const p = prepareOverlaps(boxes1, boxes2, options);
  const be = getBackend();
  if (be.bboxOverlapsAsync) {
    await be.bboxOverlapsAsync(...p.args);
  } else {
    await nextTask();
    checkAttached(names, inputs);
    be.bboxOverlaps(...p.args);
  }
  checkAttached(names, inputs);
  return finishOverlaps(p);
}

const bboxOverlapsPooled = /* @__PURE__ */ asyncOp('bboxOverlaps', bboxOverlaps, ['boxes1', 'boxes2', 'options']);

/** A validated overlap call: the kernel's arguments and what the result needs (shared with the async variant). */
interface PreparedOverlaps {
  args: Parameters<Backend['bboxOverlaps']>;
  shape: [number, number] | [number];
  propagate: boolean;
  /** The output the kernel fills (the caller's `options.out`, or a fresh / pooled array). */
  out: Float32Array;
}

/** Validates a {@link bboxOverlaps} call and allocates its output. */
function prepareOverlaps(boxes1: ArrayInput, boxes2: ArrayInput, options?: BboxOverlapsOptions): PreparedOverlaps {
  const o = checkOptions('options', options, ['mode', 'aligned', 'eps', 'legacyOffset', 'nanPolicy', 'out']);
  const mode = enumOpt('options.mode', o.mode, MODES, 'iou');
  const aligned = boolOpt('options.aligned', o.aligned, false);
  // a float32 kernel floors the union at eps: it must be a normal float32 (> 0 after rounding)
  const eps = numOpt('options.eps', o.eps, 1e-6, (x) => (x >= 1e-30 && x <= 1 ? null : `must be in [1e-30, 1], got ${x}`));
  const legacy = boolOpt('options.legacyOffset', o.legacyOffset, false);
  const nan = enumOpt('options.nanPolicy', o.nanPolicy, ['error', 'propagate'] as const, 'error');
  const a = toBoxes('boxes1', boxes1, nan);
  const b = toBoxes('boxes2', boxes2, nan);
  if (aligned && a.n !== b.n) {
    throw new SoftSamplingError('E_SHAPE', 'boxes2', `aligned overlaps need as many boxes as boxes1 (${a.n}), got ${b.n}`);
  }
  const len = aligned ? a.n : a.n * b.n;
  checkOutputSize('boxes2', len, `the ${a.n}×${b.n} overlap matrix`);
  let out: Float32Array;
  if (o.out !== undefined) {
    if (!isF32(o.out)) throw new SoftSamplingError('E_TYPE', 'options.out', 'must be a Float32Array');
    if (o.out.length !== len) throw new SoftSamplingError('E_SHAPE', 'options.out', `must hold ${len} elements, has ${o.out.length}`);
    if (o.out.buffer === a.data.buffer || o.out.buffer === b.data.buffer) {
      throw new SoftSamplingError('E_VALUE', 'options.out', 'must not share memory with boxes1 or boxes2');
    }
    out = o.out;
  } else {
    out = getBackend().allocOutput?.(len) ?? new Float32Array(len);
  }
  return {
    args: [{ boxes1: a.data, boxes2: b.data }, { mode: MODES.indexOf(mode), aligned, eps, offset: legacy ? 1 : 0 }, { out }],
    shape: aligned ? [a.n] : [a.n, b.n], propagate: nan === 'propagate', out,
  };
}

/** The result of a prepared overlap call whose kernel has run. */
function finishOverlaps(p: PreparedOverlaps): Tensor<Float32Array, [number, number] | [number]> {
  const [{ boxes1, boxes2 }, { aligned }] = p.args;
  if (p.propagate) propagateNonFinite(boxes1, boxes2, aligned, p.out);
  return new Tensor(p.out, p.shape);
}

/** Boxes (by index) with a NaN or ±Inf coordinate. */
function nonFiniteBoxes(data: Float32Array): number[] {
  const bad: number[] = [];
  for (let i = 0; i < data.length; i += 4) {
    if (!(Number.isFinite(data[i]) && Number.isFinite(data[i + 1]) && Number.isFinite(data[i + 2]) && Number.isFinite(data[i + 3]))) bad.push(i / 4);
  }
  return bad;
}

/**
 * `nanPolicy: 'propagate'`: every overlap involving a box with a non-finite coordinate is NaN, on
 * every backend (the kernels' branch-free min/max would otherwise turn NaN into a finite value).
 */
function propagateNonFinite(b1: Float32Array, b2: Float32Array, aligned: boolean, out: Float32Array): void {
  const m = b2.length / 4;
  for (const i of nonFiniteBoxes(b1)) {
    if (aligned) out[i] = NaN;
    else out.fill(NaN, i * m, (i + 1) * m);
  }
  const cols = nonFiniteBoxes(b2);
  if (aligned) {
    for (const j of cols) out[j] = NaN;
  } else if (cols.length) {
    for (let r = 0; r < out.length; r += m) for (const j of cols) out[r + j] = NaN;
  }
}

const FORMATS = ['xyxy', 'xywh', 'cxcywh'] as const;
/**
 * Box layouts {@link boxConvert} converts between: `'xyxy'` (corners `x1, y1, x2, y2`, the library's
 * convention), `'xywh'` (top-left corner + width, height — COCO), `'cxcywh'` (centre + width, height).
 */
export type BoxFormat = 'xyxy' | 'xywh' | 'cxcywh';

/**
 * Converts `[N, 4]` boxes between `xyxy` (corners), `xywh` (top-left corner + width, height, as in
 * COCO) and `cxcywh` (centre + width, height). Never guesses: both formats are explicit.
 * Matches torchvision `ops.box_convert`.
 * @throws SoftSamplingError `E_OPTION` (unknown format), `E_SHAPE`, `E_VALUE` (NaN/Inf), `E_TYPE`.
 */
export function boxConvert(boxes: ArrayInput, from: BoxFormat, to: BoxFormat): Tensor<Float32Array, [number, number]> {
  const f = enumOpt('from', from, FORMATS, 'xyxy');
  const t = enumOpt('to', to, FORMATS, 'xyxy');
  if (from === undefined) throw new SoftSamplingError('E_OPTION', 'from', 'the source format is required');
  if (to === undefined) throw new SoftSamplingError('E_OPTION', 'to', 'the target format is required');
  const b = toBoxes('boxes', boxes);
  return new Tensor(getBackend().boxConvert({ boxes: b.data }, { from: FORMATS.indexOf(f), to: FORMATS.indexOf(t) }).out, [b.n, 4]);
}

/** Delta normalisation of the delta-xywh box coder ({@link bbox2delta}, {@link delta2bbox}). */
export interface CoderOptions {
  /** Delta means, default `[0, 0, 0, 0]`. */
  means?: ArrayInput;
  /** Delta standard deviations, default `[1, 1, 1, 1]` (RetinaNet); R-CNN / SSD use `[0.1, 0.1, 0.2, 0.2]`. */
  stds?: ArrayInput;
}

function coderParams(o: Record<string, unknown>): { means: Float32Array; stds: Float32Array } {
  const means = o.means === undefined ? new Float32Array(4) : toFloat32('options.means', o.means).data;
  const stds = o.stds === undefined ? new Float32Array([1, 1, 1, 1]) : toFloat32('options.stds', o.stds).data;
  if (means.length !== 4) throw new SoftSamplingError('E_SHAPE', 'options.means', `need 4 values, got ${means.length}`);
  if (stds.length !== 4) throw new SoftSamplingError('E_SHAPE', 'options.stds', `need 4 values, got ${stds.length}`);
  stds.forEach((s, i) => {
    if (!(s > 0)) throw new SoftSamplingError('E_VALUE', 'options.stds', `element ${i} must be > 0, got ${s}`);
  });
  return { means, stds };
}

function checkPositiveSize(arg: string, data: Float32Array, allowZero = false): void {
  for (let i = 0; i < data.length; i += 4) {
    const ok = allowZero ? data[i + 2] >= data[i] && data[i + 3] >= data[i + 1] : data[i + 2] > data[i] && data[i + 3] > data[i + 1];
    if (!ok) {
      throw new SoftSamplingError('E_VALUE', arg, `box ${i / 4} has ${allowZero ? 'negative' : 'non-positive'} width or height ([${Array.from(data.subarray(i, i + 4))}])`);
    }
  }
}

/**
 * Largest |delta| (before means/stds) and size ratio bound of `bbox2delta`: a gt more than 1e30
 * prior sizes away, or more than 1e30 times larger or smaller, would overflow float32 (to ±Inf, or
 * log(0)) on some backend; it is refused with `E_VALUE` on every backend.
 */
const MAX_DELTA = 1e30;

function checkEncodable(p: Float32Array, g: Float32Array): void {
  for (let i = 0; i < p.length; i += 4) {
    const pw = p[i + 2] - p[i], ph = p[i + 3] - p[i + 1];
    const gw = g[i + 2] - g[i], gh = g[i + 3] - g[i + 1];
    const dx = ((g[i] + g[i + 2]) * 0.5 - (p[i] + p[i + 2]) * 0.5) / pw;
    const dy = ((g[i + 1] + g[i + 3]) * 0.5 - (p[i + 1] + p[i + 3]) * 0.5) / ph;
    const rw = gw / pw, rh = gh / ph;
    const ok = Math.abs(dx) <= MAX_DELTA && Math.abs(dy) <= MAX_DELTA && rw <= MAX_DELTA && rw >= 1 / MAX_DELTA && rh <= MAX_DELTA && rh >= 1 / MAX_DELTA;
    if (!ok) {
      throw new SoftSamplingError('E_VALUE', 'gt', `box ${i / 4}: the gt is too far from or too different in size from its prior (${Array.from(p.subarray(i, i + 4))}) for float32 deltas (bound 1e30)`);
    }
  }
}

/** Throws `E_VALUE` naming `arg` when a kernel output overflowed float32 (its inputs were finite). */
function checkOutputFinite(arg: string, out: Float32Array, what: string): void {
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) throw new SoftSamplingError('E_VALUE', arg, `${what} ${i >> 2} overflows float32`);
  }
}

/**
 * Delta-xywh encoding of `gt` boxes relative to `priors` (anchors or proposals), both `[N, 4]` xyxy:
 * `d = ((gx−px)/pw, (gy−py)/ph, log(gw/pw), log(gh/ph))`, returned as `(d − means)/stds`, `[N, 4]`.
 *
 * Source: R-CNN box parametrisation (Girshick et al. 2014, eq. 6–9); matches mmdetection
 * `DeltaXYWHBBoxCoder.encode` (`bbox2delta`, no `+1`).
 * @throws SoftSamplingError `E_VALUE` when a prior or gt box has non-positive width/height (which
 *   would give ±Inf/NaN), a gt more than 1e30 prior sizes away or a size ratio beyond [1e-30, 1e30]
 *   (float32 deltas would overflow), or NaN/Inf; `E_SHAPE` when the sets differ in length or means/stds are not 4 values.
 */
export function bbox2delta(priors: ArrayInput, gt: ArrayInput, options?: CoderOptions): Tensor<Float32Array, [number, number]> {
  const o = checkOptions('options', options, ['means', 'stds']);
  const { means, stds } = coderParams(o);
  const p = toBoxes('priors', priors);
  const g = toBoxes('gt', gt);
  if (p.n !== g.n) throw new SoftSamplingError('E_SHAPE', 'gt', `need one gt box per prior (${p.n}), got ${g.n}`);
  checkPositiveSize('priors', p.data);
  checkPositiveSize('gt', g.data);
  checkEncodable(p.data, g.data);
  const out = getBackend().deltaEncode({ priors: p.data, gt: g.data, means, stds }, {}).out;
  checkOutputFinite('options.stds', out, 'delta of box');
  return new Tensor(out, [p.n, 4]);
}

/** Options of {@link delta2bbox}: the coder's `means` / `stds` plus clamping and clipping. */
export interface DecodeOptions extends CoderOptions {
  /** `|dw|, |dh|` are clamped to `|log(whRatioClip)|`; default `16/1000` (±4.135, a 62.5× scale change). */
  whRatioClip?: number;
  /** `[H, W]` of the image: decoded boxes are clipped to `x ∈ [0, W]`, `y ∈ [0, H]` (when `clipBorder`). */
  maxShape?: readonly [number, number];
  /** Clip to `maxShape` when one is given; default `true`. */
  clipBorder?: boolean;
}

/**
 * Decodes deltas against priors: `priors` `[N, 4]` xyxy, `deltas` `[N, 4·K]` (K = 1, or one box per
 * class) → boxes `[N, 4·K]` xyxy. `d = deltas·stds + means`; `dw, dh` clamped to ±|log(whRatioClip)|;
 * centre `p_c + p_wh·d_xy`, size `p_wh·exp(d_wh)`; optional clipping to the image.
 *
 * Source: matches mmdetection `DeltaXYWHBBoxCoder.decode` (`delta2bbox`, `wh_ratio_clip=16/1000`,
 * symmetric clamp; torchvision/detectron2 clamp only from above).
 * A zero-width or zero-height prior (a clipped proposal) is decoded (it stays a point), as in mmdetection.
 * @throws SoftSamplingError `E_SHAPE` (deltas not `N·4·K`), `E_VALUE` (negative prior size, a decoded box beyond float32,
 *   NaN/Inf, `whRatioClip` not in (0, 1], bad `maxShape`), `E_OPTION`, `E_TYPE`.
 */
export function delta2bbox(priors: ArrayInput, deltas: ArrayInput, options?: DecodeOptions): Tensor<Float32Array, [number, number]> {
  const o = checkOptions('options', options, ['means', 'stds', 'whRatioClip', 'maxShape', 'clipBorder']);
  const { means, stds } = coderParams(o);
  const clipRatio = numOpt('options.whRatioClip', o.whRatioClip, 16 / 1000, (x) => (x > 0 && x <= 1 ? null : `must be in (0, 1], got ${x}`));
  const clipBorder = boolOpt('options.clipBorder', o.clipBorder, true);
  let maxShape: Float32Array = new Float32Array(0);
  if (o.maxShape !== undefined && clipBorder) {
    const ms = toFloat32('options.maxShape', o.maxShape).data;
    if (ms.length !== 2 || !(ms[0] > 0 && ms[1] > 0)) {
      throw new SoftSamplingError('E_VALUE', 'options.maxShape', 'must be [H, W] with H, W > 0');
    }
    maxShape = ms;
  }
  const p = toBoxes('priors', priors);
  const d = toFloat32('deltas', deltas);
  if (p.n === 0 ? d.data.length !== 0 : d.data.length % (4 * p.n) !== 0) {
    throw new SoftSamplingError('E_SHAPE', 'deltas', `need [N, 4·K] deltas for N = ${p.n} priors, got ${d.data.length} values`);
  }
  // a zero-size prior (a clipped proposal) decodes to a point, as in mmdetection; only reversed
  // corners are refused
  checkPositiveSize('priors', p.data, true);
  const k4 = p.n === 0 ? 4 : d.data.length / p.n;
  const out = getBackend().deltaDecode({ priors: p.data, deltas: d.data, means, stds, maxShape }, { whRatioClip: clipRatio }).out;
  checkOutputFinite('deltas', out, 'decoded box of row');
  return new Tensor(out, [p.n, k4]);
}

/**
 * Anchor configuration of {@link gridAnchors} (mmdet `AnchorGenerator` arguments, camelCased). Give
 * `scales`, or `octaveBaseScale` + `scalesPerOctave` (RetinaNet); {@link RETINANET_ANCHORS} is a complete set.
 */
export interface AnchorOptions {
  /** Stride of each level in pixels (`number` or `[strideW, strideH]`). RetinaNet: `[8, 16, 32, 64, 128]`. */
  strides: readonly (number | readonly [number, number])[];
  /** Aspect ratios h/w; default `[0.5, 1, 2]`. */
  ratios?: readonly number[];
  /** Anchor scales (multiples of the base size). Give this, or `octaveBaseScale` + `scalesPerOctave`. */
  scales?: readonly number[];
  /** RetinaNet: `4`; scales become `octaveBaseScale · 2^(i/scalesPerOctave)`. */
  octaveBaseScale?: number;
  /** RetinaNet: `3`. */
  scalesPerOctave?: number;
  /** Base size per level; default: the level's stride (min of w/h strides). */
  baseSizes?: readonly number[];
  /** Anchor centre offset within a cell, in units of the base size; default `0` (mmdet). */
  centerOffset?: number;
  /**
   * Order of a cell's base anchors: `true` (default) ratio-major — for each ratio, every scale —
   * as mmdetection `scale_major=True`; `false` scale-major — for each scale (size), every ratio — as
   * detectron2 `DefaultAnchorGenerator` (and mmdetection `scale_major=False`). Same set, other order.
   */
  scaleMajor?: boolean;
}

/** RetinaNet's anchor configuration (Lin et al. 2017, §4; mmdet `retinanet_r50_fpn`). */
export const RETINANET_ANCHORS: Readonly<AnchorOptions> = /* @__PURE__ */ Object.freeze({
  strides: [8, 16, 32, 64, 128],
  ratios: [0.5, 1, 2],
  octaveBaseScale: 4,
  scalesPerOctave: 3,
});

/** Where one FPN level's anchors sit in the concatenated {@link gridAnchors} output. */
export interface AnchorLevel {
  /** Index of the level's first anchor in `anchors`. */
  start: number;
  /** Number of anchors of the level (`featH · featW · A`). */
  count: number;
  /** Feature-map height `H` (rows of cells). */
  featH: number;
  /** Feature-map width `W` (columns of cells). */
  featW: number;
  /** Horizontal stride in pixels (cell width). */
  strideW: number;
  /** Vertical stride in pixels (cell height). */
  strideH: number;
}

function positiveList(arg: string, v: unknown): number[] {
  if (!Array.isArray(v) || v.length === 0) throw new SoftSamplingError('E_SHAPE', arg, 'must be a non-empty array');
  if (v.length > 1024) throw new SoftSamplingError('E_SHAPE', arg, `at most 1024 values, got ${v.length}`);
  // a plain loop, not forEach: forEach skips the holes of a sparse array
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !(x > 0) || !Number.isFinite(x)) {
      throw new SoftSamplingError('E_VALUE', `${arg}[${i}]`, `must be a finite number > 0, got ${valueText(x)}`);
    }
  }
  return v as number[];
}

/**
 * Base anchors `[A, 4]` (xyxy, centred at `centerOffset·baseSize`) for one level, `A = ratios × scales`,
 * ratio-major (mmdet `scale_major=True`; `scaleMajor = false`: scale-major, the detectron2 order): `w = baseSize·scale/√ratio`, `h = baseSize·scale·√ratio`.
 * Matches mmdetection `AnchorGenerator.gen_single_level_base_anchors`.
 * @throws SoftSamplingError `E_VALUE` / `E_SHAPE` for non-positive or empty lists.
 */
export function baseAnchors(baseSize: number, ratios: readonly number[], scales: readonly number[], centerOffset = 0, scaleMajor = true): Tensor<Float32Array, [number, number]> {
  if (baseSize === undefined) throw new SoftSamplingError('E_TYPE', 'baseSize', 'is required');
  numOpt('baseSize', baseSize, 0, (x) => (x > 0 ? null : `must be > 0, got ${x}`));
  positiveList('ratios', ratios);
  positiveList('scales', scales);
  numOpt('centerOffset', centerOffset, 0);
  boolOpt('scaleMajor', scaleMajor, true);
  const out = new Float32Array(ratios.length * scales.length * 4);
  const cx = centerOffset * baseSize, cy = centerOffset * baseSize;
  let k = 0;
  const one = (r: number, s: number) => {
    const hr = Math.sqrt(r), wr = 1 / hr;
    const w = baseSize * wr * s, h = baseSize * hr * s;
    out.set([cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h], 4 * k++);
  };
  if (scaleMajor) for (const r of ratios) for (const s of scales) one(r, s);
  else for (const s of scales) for (const r of ratios) one(r, s);
  checkAnchorRange(out, 'baseSize', baseSize, 'centerOffset', centerOffset, 'scales');
  return new Tensor(out, [k, 4]);
}

/**
 * Base anchors within ±{@link MAX_BOX_COORD} (else E_VALUE naming the option that put them there:
 * the base size itself, the center offset, or else the scales and ratios it was multiplied by),
 * so no anchor is ±Inf in float32 and the boxes stay inside the bound every box op accepts.
 */
function checkAnchorRange(out: Float32Array, sizeArg: string, baseSize: number, offsetArg: string, offset: number, scaleArg: string): void {
  let m = 0;
  for (let i = 0; i < out.length; i++) m = Math.max(m, Math.abs(out[i]));
  if (m <= MAX_BOX_COORD) return;
  const arg = baseSize > MAX_BOX_COORD ? sizeArg : Math.abs(offset * baseSize) > MAX_BOX_COORD ? offsetArg : scaleArg;
  throw new SoftSamplingError('E_VALUE', arg, `the base anchors reach |x| = ${m}, beyond ${MAX_BOX_COORD} (base size × scale × √ratio, centre offset × base size)`);
}

/** Result of {@link gridAnchors}. */
export interface GridAnchors {
  /** `[ΣH·W·A, 4]` float32 anchors, `xyxy` pixels, levels concatenated in order. */
  anchors: Tensor<Float32Array, [number, number]>;
  /** One entry per level: where its anchors start in `anchors`, how many, grid size and stride. */
  levels: AnchorLevel[];
}

/**
 * Anchors over a multi-level feature-map grid, as RetinaNet/FPN configure them.
 *
 * `featmapSizes`: `[H, W]` of each level's feature map. Anchors of a level are ordered row (y),
 * column (x), base anchor — the mmdet order — and levels are concatenated:
 * returns `{ anchors: Tensor [ΣH·W·A, 4] xyxy pixels, levels }`.
 *
 * Source: Lin et al. 2017 (RetinaNet, §4 "Anchors": 3 scales × 3 ratios per level, strides 8–128);
 * matches mmdetection `AnchorGenerator.grid_priors` (`center_offset=0`).
 * @throws SoftSamplingError `E_SHAPE` (empty or mismatched lists), `E_VALUE` (non-positive values),
 *   `E_OPTION` (neither or both of `scales` / `octaveBaseScale`).
 */
export function gridAnchors(featmapSizes: readonly (readonly [number, number])[], options: AnchorOptions): GridAnchors {
  const o = checkOptions('options', options, ['strides', 'ratios', 'scales', 'octaveBaseScale', 'scalesPerOctave', 'baseSizes', 'centerOffset', 'scaleMajor']);
  if (!Array.isArray(featmapSizes) || featmapSizes.length === 0) {
    throw new SoftSamplingError('E_SHAPE', 'featmapSizes', 'must be a non-empty array of [H, W]');
  }
  if (!Array.isArray(o.strides) || o.strides.length !== featmapSizes.length) {
    throw new SoftSamplingError('E_SHAPE', 'options.strides', `need one stride per level (${featmapSizes.length})`);
  }
  const ratios = o.ratios === undefined ? [0.5, 1, 2] : positiveList('options.ratios', o.ratios);
  let scales: number[];
  if (o.scales !== undefined) {
    if (o.octaveBaseScale !== undefined || o.scalesPerOctave !== undefined) {
      throw new SoftSamplingError('E_OPTION', 'options.scales', 'give scales or octaveBaseScale + scalesPerOctave, not both');
    }
    scales = positiveList('options.scales', o.scales);
  } else {
    if (o.octaveBaseScale === undefined || o.scalesPerOctave === undefined) {
      throw new SoftSamplingError('E_OPTION', 'options.scales', 'give scales, or octaveBaseScale and scalesPerOctave');
    }
    const base = numOpt('options.octaveBaseScale', o.octaveBaseScale, 4, (x) => (x > 0 ? null : 'must be > 0'));
    const per = numOpt('options.scalesPerOctave', o.scalesPerOctave, 3, (x) => (Number.isInteger(x) && x > 0 && x <= 64 ? null : 'must be an integer in [1, 64]'));
    scales = Array.from({ length: per }, (_, i) => base * 2 ** (i / per));
  }
  const centerOffset = numOpt('options.centerOffset', o.centerOffset, 0);
  const scaleMajor = boolOpt('options.scaleMajor', o.scaleMajor, true);
  const strides = (o.strides as unknown[]).map((s, i): [number, number] => {
    const pair = Array.isArray(s) ? s : [s, s];
    positiveList(`options.strides[${i}]`, pair);
    return [pair[0] as number, pair[1] as number];
  });
  let baseSizes: number[];
  if (o.baseSizes !== undefined) {
    baseSizes = positiveList('options.baseSizes', o.baseSizes);
    if (baseSizes.length !== featmapSizes.length) throw new SoftSamplingError('E_SHAPE', 'options.baseSizes', 'need one base size per level');
  } else {
    baseSizes = strides.map(([w, h]) => Math.min(w, h));
  }
  const anchorsOf = (l: number): Float32Array => {
    try {
      return baseAnchors(baseSizes[l], ratios, scales, centerOffset, scaleMajor).data;
    } catch (e) {
      // baseAnchors names its own parameters; here they are options
      if (e instanceof SoftSamplingError && e.code === 'E_VALUE') {
        const arg = e.arg === 'baseSize' ? (o.baseSizes !== undefined ? 'options.baseSizes' : `options.strides[${l}]`) : `options.${e.arg}`;
        throw new SoftSamplingError('E_VALUE', arg, e.message.slice(e.message.indexOf(': ') + 2));
      }
      throw e;
    }
  };
  const be = getBackend();
  const parts: Float32Array[] = [];
  const levels: AnchorLevel[] = [];
  let start = 0;
  featmapSizes.forEach((hw, l) => {
    if (!Array.isArray(hw) || hw.length !== 2 || !hw.every((x) => Number.isInteger(x) && x >= 0)) {
      throw new SoftSamplingError('E_VALUE', `featmapSizes[${l}]`, 'must be [H, W] with non-negative integers');
    }
    checkOutputSize(`featmapSizes[${l}]`, start * 4 + hw[0] * hw[1] * ratios.length * scales.length * 4, 'the anchors');
    const base = anchorsOf(l);
    const [sw, sh] = strides[l];
    // the farthest shift (stride × (size − 1)) plus the base anchors' reach stays within the bound
    let reach = 0;
    for (let i = 0; i < base.length; i++) reach = Math.max(reach, Math.abs(base[i]));
    if (hw[0] * hw[1] > 0 && reach + Math.max(sw * (hw[1] - 1), sh * (hw[0] - 1)) > MAX_BOX_COORD) {
      throw new SoftSamplingError('E_VALUE', `options.strides[${l}]`, `the anchors of level ${l} ([${hw}] × stride [${sw}, ${sh}]) reach beyond ${MAX_BOX_COORD}`);
    }
    // an empty level: no kernel call (the TS kernel walks the rows of an H × 0 grid)
    const a = hw[0] * hw[1] === 0 ? new Float32Array(0) : be.gridAnchors({ baseAnchors: base }, { featH: hw[0], featW: hw[1], strideH: sh, strideW: sw }).out;
    parts.push(a);
    levels.push({ start, count: a.length / 4, featH: hw[0], featW: hw[1], strideW: sw, strideH: sh });
    start += a.length / 4;
  });
  const all = new Float32Array(start * 4);
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  return { anchors: new Tensor(all, [start, 4]), levels };
}
