/**
 * `soft-sampling analyze --dense FILE`: the papers' figures over ALL anchors of a dense detection head,
 * not over post-NMS detections — the easy-negative mass that Focal Loss fig. 4 and GHM figs. 2–3 are about.
 *
 * Input (NumPy `.npz`, a directory of `.npy` files, or JSON with the same names; float arrays any
 * float dtype, integer arrays any integer dtype):
 * - `anchors` `[A, 4]` xyxy pixels, shared by every image — or, JSON only, `grid`:
 *   `{ featmapSizes: [[h, w], …], strides, ratios?, scales? | octaveBaseScale + scalesPerOctave, baseSizes?, centerOffset? }`
 *   (the library's `gridAnchors`);
 * - `logits` `[N, A, C]` (or `[N·A, C]`): the classification head's sigmoid logits per image, anchor, class;
 * - `deltas` `[N, A, 4]` (optional): box regression deltas (`delta2bbox`, stds `delta_stds` `[4]`
 *   default `[0.1, 0.1, 0.2, 0.2]`, means `delta_means` default 0); with them a positive's IoU is that
 *   of its decoded box with its gt, else the anchor's;
 * - `gt_boxes` `[M, 4]` xyxy, `gt_labels` `[M]` class indices `0…C−1`, `gt_counts` `[N]` (boxes per
 *   image, in order; Σ = M). JSON may give `gt: [{ boxes: [[x1,y1,x2,y2], …], labels: [k, …] }, …]` instead.
 *
 * Samples: anchors are assigned per image with the library's `maxIouAssign` (RetinaNet: positive at
 * IoU ≥ 0.5, negative below 0.4, ignored between; `minPosIou` 0); every (anchor, class) element of
 * a non-ignored anchor is one binary sample — target 1 for the positive anchor's gt class, else 0 —
 * as in RetinaNet's sigmoid classification loss.
 */
import { readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { parse as parseNpy } from 'npyjs';
import { maxIouAssign, gridAnchors, delta2bbox, bboxOverlaps, sigmoidCrossEntropy, sigmoidFocalLoss, ghmcLoss, iouHlr } from 'soft-sampling';
import { InputError, shown, fsReason } from './read';
import type { AnalysisContext, AnalysisOutput, AnalyzeSettings } from './types';
import type { Row } from './artifacts';
import { sampleSetOf, type Sample } from './samples';
import { focalCdf } from './focal-cdf';
import { ghmReweighted } from './ghm';

export interface DenseInput {
  anchors: Float32Array;
  A: number;
  N: number;
  C: number;
  logits: Float32Array;
  deltas?: Float32Array;
  stds: number[];
  means: number[];
  /** Per image: gt boxes `[G, 4]` xyxy and labels `[G]`. */
  gts: { boxes: Float32Array; labels: Int32Array }[];
}

interface Arr {
  data: ArrayLike<number>;
  shape: number[];
}

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** The arrays a dense file may hold (JSON keys, `.npz` members or `.npy` files, without `.npy`). */
const DENSE_ARRAYS = ['anchors', 'logits', 'deltas', 'gt_boxes', 'gt_labels', 'gt_counts', 'delta_stds', 'delta_means'];

/** What a dense file must hold, as README and `--help` say (for the errors). */
export const DENSE_EXPECTED = 'anchors [A,4] (or grid), logits [N,A,C], gt_boxes [M,4], gt_labels [M], gt_counts [N] (or gt), deltas [N,A,4] optional';

/** A file that holds none of the dense arrays: say so, what it looks like, and what was expected. */
function notDense(file: string, found: string): InputError {
  return new InputError(file, '', `not a dense head output file (${found}); --dense wants ${DENSE_EXPECTED}`);
}

/** Names for a message: the first few, then how many more. */
const someNames = (names: string[]) => (names.length ? (names.length > 6 ? `${names.slice(0, 6).join(', ')}, … (${names.length})` : names.join(', ')) : 'nothing');

/** Reads the named arrays of a `.npz`, a directory of `.npy`, or a JSON file. */
function readArrays(file: string): { arrays: Map<string, Arr>; grid?: unknown } {
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    throw new InputError(file, '', `cannot read the dense file (${fsReason(e)})`);
  }
  const arrays = new Map<string, Arr>();
  const npy = (name: string, bytes: Uint8Array) => {
    try {
      const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      const r = parseNpy(ab);
      if (r.fortranOrder) throw new Error('Fortran-order arrays are not supported (save with np.ascontiguousarray)');
      const d = r.data as unknown as ArrayLike<number | bigint>;
      const data = typeof d[0] === 'bigint' ? Float64Array.from(d as ArrayLike<bigint>, (x) => Number(x)) : (d as ArrayLike<number>);
      arrays.set(name.replace(/\.npy$/, ''), { data, shape: r.shape });
    } catch (e) {
      throw new InputError(file, `array ${name}`, `not a readable .npy array (${(e as Error).message})`);
    }
  };
  if (st.isDirectory()) {
    for (const n of DENSE_ARRAYS) {
      const p = join(file, `${n}.npy`);
      if (existsSync(p)) npy(`${n}.npy`, readFileSync(p));
    }
    if (!arrays.size) throw notDense(file, 'a directory without anchors.npy, logits.npy, …');
    return { arrays };
  }
  const buf = readFileSync(file);
  if (file.toLowerCase().endsWith('.json')) {
    let j: Record<string, unknown>;
    try {
      j = JSON.parse(buf.toString('utf8'));
    } catch (e) {
      throw new InputError(file, '', `malformed JSON: ${(e as Error).message}`);
    }
    if (Array.isArray(j)) throw notDense(file, 'a JSON array, like a COCO results list: that goes to --dets');
    if (!j || typeof j !== 'object') throw notDense(file, `the JSON value ${shown(j)}`);
    const keys = Object.keys(j);
    if (![...DENSE_ARRAYS, 'grid', 'gt'].some((k) => k in j)) {
      const coco = ['images', 'annotations', 'categories'].some((k) => k in j);
      throw notDense(file, coco ? 'it looks like a COCO dataset: that goes to --gt' : `a JSON object with ${someNames(keys)}`);
    }
    // only the dense arrays are read: other keys (metadata, a COCO part) are not ours to check
    for (const k of DENSE_ARRAYS) {
      const v = j[k];
      if (v === undefined) continue;
      if (!Array.isArray(v)) throw new InputError(file, k, `must be a nested array of numbers, got ${shown(v)}`);
      arrays.set(k, nested(file, k, v));
    }
    if (Array.isArray(j.gt)) {
      const boxes: number[] = [], labels: number[] = [], counts: number[] = [];
      (j.gt as { boxes?: unknown; labels?: unknown }[]).forEach((g, i) => {
        const b = nested(file, `gt[${i}].boxes`, (g?.boxes as unknown[]) ?? []);
        const l = nested(file, `gt[${i}].labels`, (g?.labels as unknown[]) ?? []);
        if (l.data.length * 4 !== b.data.length) throw new InputError(file, `gt[${i}]`, `${b.data.length / 4} boxes but ${l.data.length} labels`);
        boxes.push(...Array.from(b.data));
        labels.push(...Array.from(l.data));
        counts.push(l.data.length);
      });
      arrays.set('gt_boxes', { data: boxes, shape: [boxes.length / 4, 4] });
      arrays.set('gt_labels', { data: labels, shape: [labels.length] });
      arrays.set('gt_counts', { data: counts, shape: [counts.length] });
    }
    return { arrays, grid: j.grid };
  }
  if (!file.toLowerCase().endsWith('.npz')) throw new InputError(file, '', 'the dense file must be .npz, .json, or a directory of .npy files');
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
  } catch (e) {
    throw new InputError(file, '', `not a readable .npz (zip) file (${(e as Error).message})`);
  }
  const names = Object.keys(entries);
  if (!names.some((n) => DENSE_ARRAYS.includes(n.replace(/\.npy$/, '')))) throw notDense(file, `an .npz with ${someNames(names)}`);
  for (const [name, bytes] of Object.entries(entries)) if (name.endsWith('.npy')) npy(name, bytes);
  return { arrays };
}

/** A nested JSON number array → flat data and shape (rectangular, finite numbers). */
function nested(file: string, name: string, v: unknown[]): Arr {
  const shape: number[] = [];
  let x: unknown = v;
  while (Array.isArray(x)) {
    shape.push(x.length);
    x = x[0];
  }
  const data: number[] = [];
  const walk = (a: unknown, d: number, path: string) => {
    if (d === shape.length) {
      if (typeof a !== 'number' || !Number.isFinite(a)) throw new InputError(file, `${name}${path}`, `must be a finite number, got ${shown(a)}`);
      data.push(a);
      return;
    }
    if (!Array.isArray(a) || a.length !== shape[d]) throw new InputError(file, `${name}${path}`, `ragged array: expected ${shape[d]} elements`);
    a.forEach((y, i) => walk(y, d + 1, `${path}[${i}]`));
  };
  walk(v, 0, '');
  return { data, shape: shape.length ? shape : [0] };
}

/** Reads and checks a dense-head file; see the module comment. Errors name the file and the array. */
export function readDense(file: string): DenseInput {
  const { arrays, grid } = readArrays(file);
  const get = (name: string, required = true): Arr | undefined => {
    const a = arrays.get(name);
    if (!a && required) throw new InputError(file, '', `missing array '${name}' (--dense wants ${DENSE_EXPECTED})`);
    if (a) for (let i = 0; i < a.data.length; i++) if (!Number.isFinite(a.data[i])) throw new InputError(file, `array ${name}`, `element ${i} is ${a.data[i]} (NaN/Inf)`);
    return a;
  };
  let anchors: Float32Array;
  const an = get('anchors', !grid);
  if (an) {
    if (an.shape.length !== 2 || an.shape[1] !== 4) throw new InputError(file, 'array anchors', `must be [A, 4] xyxy, got [${an.shape}]`);
    anchors = Float32Array.from(an.data);
  } else {
    try {
      const g = grid as { featmapSizes: [number, number][] } & Record<string, unknown>;
      const { featmapSizes, ...opts } = g;
      anchors = Float32Array.from(gridAnchors(featmapSizes, opts as never).anchors.data as ArrayLike<number>);
    } catch (e) {
      throw new InputError(file, 'grid', (e as Error).message);
    }
  }
  const A = anchors.length / 4;
  const lg = get('logits')!;
  const C = lg.shape[lg.shape.length - 1];
  if (!(lg.shape.length === 3 && lg.shape[1] === A) && !(lg.shape.length === 2 && lg.shape[0] % A === 0)) {
    throw new InputError(file, 'array logits', `must be [N, A, C] with A = ${A} anchors (or [N·A, C]), got [${lg.shape}]`);
  }
  const N = lg.shape.length === 3 ? lg.shape[0] : lg.shape[0] / A;
  const dl = get('deltas', false);
  if (dl && prod(dl.shape) !== N * A * 4) throw new InputError(file, 'array deltas', `must be [N, A, 4] = [${N}, ${A}, 4], got [${dl.shape}]`);
  const gb = get('gt_boxes')!, gl = get('gt_labels')!, gc = get('gt_counts')!;
  const M = gl.data.length;
  if (prod(gb.shape) !== 4 * M || (gb.shape.length === 2 && gb.shape[1] !== 4)) throw new InputError(file, 'array gt_boxes', `must be [M, 4] with M = ${M} (gt_labels), got [${gb.shape}]`);
  if (gc.data.length !== N) throw new InputError(file, 'array gt_counts', `must have N = ${N} entries (one per image of logits), got ${gc.data.length}`);
  let sum = 0;
  for (let i = 0; i < N; i++) {
    const c = gc.data[i];
    if (!Number.isInteger(c) || c < 0) throw new InputError(file, 'array gt_counts', `element ${i} must be an integer ≥ 0, got ${c}`);
    sum += c;
  }
  if (sum !== M) throw new InputError(file, 'array gt_counts', `sums to ${sum}, but there are ${M} gt boxes`);
  for (let j = 0; j < M; j++) {
    const l = gl.data[j];
    if (!Number.isInteger(l) || l < 0 || l >= C) throw new InputError(file, 'array gt_labels', `element ${j} must be a class index 0…${C - 1}, got ${l}`);
  }
  const gts: DenseInput['gts'] = [];
  let off = 0;
  for (let i = 0; i < N; i++) {
    const c = gc.data[i];
    gts.push({ boxes: Float32Array.from(Array.prototype.slice.call(gb.data, 4 * off, 4 * (off + c))), labels: Int32Array.from(Array.prototype.slice.call(gl.data, off, off + c)) });
    off += c;
  }
  const vec4 = (name: string, dflt: number[]) => {
    const a = get(name, false);
    if (!a) return dflt;
    if (a.data.length !== 4) throw new InputError(file, `array ${name}`, `must have 4 elements, got ${a.data.length}`);
    return Array.from(a.data);
  };
  return { anchors, A, N, C, logits: Float32Array.from(lg.data), deltas: dl ? Float32Array.from(dl.data) : undefined, stds: vec4('delta_stds', [0.1, 0.1, 0.2, 0.2]), means: vec4('delta_means', [0, 0, 0, 0]), gts };
}

export interface DenseSamples {
  samples: Sample[];
  anchors: { total: number; positive: number; negative: number; ignored: number };
  /** Positives (one per positive anchor): image, gt index within the image, class, IoU, score. */
  positives: { image: number; gt: number; label: number; iou: number; score: number }[];
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Assigns every image's anchors (maxIouAssign, 0.5 / 0.4) and lays out the binary samples. */
export function denseSamples(d: DenseInput): DenseSamples {
  const samples: Sample[] = [];
  const positives: DenseSamples['positives'] = [];
  const count = { total: d.N * d.A, positive: 0, negative: 0, ignored: 0 };
  for (let i = 0; i < d.N; i++) {
    const g = d.gts[i];
    const as = maxIouAssign(d.anchors, g.boxes, { gtLabels: g.labels, posIouThr: 0.5, negIouThr: 0.4, minPosIou: 0 });
    const gtInds = as.gtInds.data as Int32Array, ovl = as.maxOverlaps.data as Float32Array;
    const pos: number[] = [];
    for (let p = 0; p < d.A; p++) {
      const a = gtInds[p];
      if (a < 0) {
        count.ignored++;
        continue;
      }
      if (a > 0) {
        count.positive++;
        pos.push(p);
      } else count.negative++;
      const label = a > 0 ? g.labels[a - 1] : -1;
      for (let k = 0; k < d.C; k++) {
        const idx = (i * d.A + p) * d.C + k;
        const logit = d.logits[idx];
        samples.push({ index: idx, imageId: i, categoryId: k, score: sigmoid(logit), logit, target: k === label ? 1 : 0, iou: a > 0 ? ovl[p] : 0, gt: a - 1 });
      }
    }
    // positives' IoU: decoded box vs its gt (with deltas), else the anchor's IoU
    let ious = pos.map((p) => ovl[p]);
    if (d.deltas && pos.length) {
      const pri = new Float32Array(pos.length * 4), del = new Float32Array(pos.length * 4), tgt = new Float32Array(pos.length * 4);
      pos.forEach((p, k) => {
        pri.set(d.anchors.subarray(4 * p, 4 * p + 4), 4 * k);
        del.set(d.deltas!.subarray(4 * (i * d.A + p), 4 * (i * d.A + p) + 4), 4 * k);
        tgt.set(g.boxes.subarray(4 * (gtInds[p] - 1), 4 * gtInds[p]), 4 * k);
      });
      const boxes = delta2bbox({ data: pri, shape: [pos.length, 4] }, { data: del, shape: [pos.length, 4] }, { stds: d.stds, means: d.means });
      ious = Array.from(bboxOverlaps(boxes, { data: tgt, shape: [pos.length, 4] }, { aligned: true }).data as ArrayLike<number>);
    }
    pos.forEach((p, k) => {
      const label = g.labels[gtInds[p] - 1];
      positives.push({ image: i, gt: gtInds[p] - 1, label, iou: ious[k], score: sigmoid(d.logits[(i * d.A + p) * d.C + label]) });
    });
  }
  return { samples, anchors: count, positives };
}

const arr = (t: { data: ArrayLike<number> }) => t.data;

/** Share of the total loss carried by positives, hard negatives and easy negatives (σ(x) < 0.1) under CE, FL and GHM-C. */
export function lossShares(samples: Sample[], settings: AnalyzeSettings): { method: string; positives: number; hardNegatives: number; easyNegatives: number; easyNegativeCount: number; n: number }[] {
  const n = samples.length;
  const logits = Float32Array.from(samples, (s) => s.logit), targets = Float32Array.from(samples, (s) => s.target);
  const x = { data: logits, shape: [n, 1] }, y = { data: targets, shape: [n, 1] };
  const losses: [string, ArrayLike<number>][] = [
    ['CE', arr(sigmoidCrossEntropy(x, y, { reduction: 'none', targetType: 'onehot' }).lossElements)],
    [`FL (γ=2, α=${settings.alpha})`, arr(sigmoidFocalLoss(x, y, { alpha: settings.alpha, gamma: 2, reduction: 'none', targetType: 'onehot' }).lossElements)],
    [`GHM-C (${settings.ghmBins} bins)`, arr(ghmcLoss(x, y, { bins: settings.ghmBins, momentum: 0, reduction: 'none', targetType: 'onehot' }).lossElements)],
  ];
  let easyCount = 0;
  for (const s of samples) if (s.target === 0 && s.score < 0.1) easyCount++;
  return losses.map(([method, l]) => {
    let pos = 0, hard = 0, easy = 0;
    samples.forEach((s, i) => {
      if (s.target === 1) pos += l[i];
      else if (s.score < 0.1) easy += l[i];
      else hard += l[i];
    });
    const tot = pos + hard + easy || 1;
    return { method, positives: pos / tot, hardNegatives: hard / tot, easyNegatives: easy / tot, easyNegativeCount: easyCount, n };
  });
}

/** The dense analyses: FL fig. 4, GHM figs. 2–3, loss shares, IoU-HLR vs score. */
export async function denseAnalyses(d: DenseInput, settings: AnalyzeSettings): Promise<{ analyses: AnalysisOutput[]; counts: Record<string, number> }> {
  const ds = denseSamples(d);
  const { samples } = ds;
  const ctx = { samples: sampleSetOf(samples), images: [], gt: { images: [], categories: [], boxes: [] }, settings } as unknown as AnalysisContext;
  const out: AnalysisOutput[] = [];
  const nPos = samples.filter((s) => s.target === 1).length;
  const where = `${d.N} images × ${d.A} anchors × ${d.C} classes: ${samples.length} samples (${nPos} positive) from ${ds.anchors.positive} positive, ${ds.anchors.negative} negative anchors (the ${ds.anchors.ignored} ignored anchors, IoU between the thresholds, give no samples)`;

  // 1. FL fig. 4
  const f = await focalCdf(ctx);
  (f.spec as { title: { subtitle: string } }).title.subtitle = 'all anchors × classes of the dense head (FL fig. 4 setting)';
  out.push({ ...f, id: 'dense_focal_loss_cdf', caption: `Over every (anchor, class) element — ${where}. ` + f.caption.replace('γ = 0 is the (α-balanced) cross-entropy.', 'With γ = 0 most of the negatives’ loss comes from the mass of easy negatives (the curve rises steadily); with γ = 2 it concentrates in the hardest few (the curve stays flat, then jumps) — Focal Loss fig. 4.') });

  // 2. GHM fig. 2: gradient-norm density, log axis
  const B = settings.ghmBins;
  const hist = { positive: new Float64Array(B), negative: new Float64Array(B) };
  for (const s of samples) hist[s.target ? 'positive' : 'negative'][Math.min(B - 1, Math.floor(Math.abs(s.score - s.target) * B))]++;
  const dRows: Row[] = [];
  for (let b = 0; b < B; b++) for (const kind of ['positive', 'negative'] as const) dRows.push({ g_lo: b / B, g_hi: (b + 1) / B, g_mid: (b + 0.5) / B, kind, count: hist[kind][b], fraction: hist[kind][b] / samples.length });
  const below = samples.filter((s) => Math.abs(s.score - s.target) < 1 / B).length;
  out.push({
    id: 'dense_ghm_gradient_density',
    title: 'Gradient-norm density over all anchors',
    figure: 'GHM (Li et al. 2019), fig. 2',
    caption: `Fraction of the (anchor, class) samples per bin of the gradient norm g = |σ(x) − y| (${B} bins), log scale — ${where}. GHM’s observation: a huge mass at g ≈ 0 (easy, mostly negatives) and a smaller bump of very hard samples near g = 1.`,
    status: 'ok',
    json: { bins: B, rows: dRows },
    csv: dRows,
    spec: {
      title: { text: 'Gradient-norm density over all anchors', subtitle: 'fraction of samples per g bin, log scale' },
      data: { values: dRows.filter((r) => (r.count as number) > 0) },
      width: 420,
      height: 260,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'g_mid', type: 'quantitative', title: 'gradient norm g', scale: { domain: [0, 1] } },
        y: { field: 'fraction', type: 'quantitative', title: 'fraction of samples', scale: { type: 'log' } },
        color: { field: 'kind', type: 'nominal', title: null, scale: { domain: ['positive', 'negative'], range: ['#2a9d8f', '#e76f51'] } },
      },
    },
    summary: [`${below} of ${samples.length} samples (${((100 * below) / samples.length).toFixed(1)} %) have g < ${(1 / B).toFixed(3)} (the first bin)`],
  });

  // 3. GHM fig. 3: reweighted gradient norm
  const r = await ghmReweighted(ctx);
  out.push({ ...r, id: 'dense_ghm_reweighted_gradient', caption: `Over all anchors — ${where}. ` + r.caption });

  // 4. share of the loss from easy negatives
  const shares = lossShares(samples, settings);
  const sRows: Row[] = shares.flatMap((s) => [
    { method: s.method, part: 'easy negatives (σ < 0.1)', share: s.easyNegatives },
    { method: s.method, part: 'hard negatives', share: s.hardNegatives },
    { method: s.method, part: 'positives', share: s.positives },
  ]);
  out.push({
    id: 'dense_easy_negative_share',
    title: 'Share of the total loss from easy negatives',
    figure: 'Focal Loss (Lin et al. 2017) §3.2–3.3; GHM (Li et al. 2019) §3',
    caption: `Total classification loss over all anchors split into positives, hard negatives and easy negatives (negatives with σ(x) < 0.1; ${shares[0].easyNegativeCount} of ${samples.length} samples), per loss: CE (library sigmoidCrossEntropy), FL (sigmoidFocalLoss) and GHM-C (ghmcLoss, momentum 0). Under CE the many easy negatives carry a large part of the loss even though each is small; FL and GHM-C down-weight them.`,
    status: 'ok',
    json: { shares },
    csv: sRows,
    spec: {
      title: { text: 'Share of the total loss', subtitle: 'positives, hard negatives and easy negatives (σ < 0.1)' },
      data: { values: sRows },
      width: 380,
      height: 140,
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'method', type: 'nominal', title: null, sort: shares.map((s) => s.method) },
        x: { field: 'share', type: 'quantitative', title: 'share of the total loss', stack: 'zero', scale: { domain: [0, 1] }, axis: { format: '%' } },
        color: { field: 'part', type: 'nominal', title: null, legend: { labelLimit: 400 }, scale: { domain: ['easy negatives (σ < 0.1)', 'hard negatives', 'positives'], range: ['#e9c46a', '#e76f51', '#2a9d8f'] } },
        order: { field: 'part', sort: 'ascending' },
      },
    },
    summary: shares.map((s) => `${s.method}: easy negatives carry ${(100 * s.easyNegatives).toFixed(1)} % of the loss, hard negatives ${(100 * s.hardNegatives).toFixed(1)} %, positives ${(100 * s.positives).toFixed(1)} %`),
  });

  // 5. IoU-HLR vs score for the positives
  const P = ds.positives;
  if (P.length) {
    const ranks = arr(iouHlr({ labels: Int32Array.from(P, (p) => p.label), gtInds: Int32Array.from(P, (p) => p.gt), imageIds: Int32Array.from(P, (p) => p.image), numGtsPerImage: Int32Array.from(d.gts, (g) => g.labels.length), ious: Float32Array.from(P, (p) => p.iou) }).ranks);
    const hRows: Row[] = P.map((p, k) => ({ image: p.image, gt: p.gt, class: p.label, iou: p.iou, hlr_rank: ranks[k], score: p.score }));
    const rho = spearman(Array.from(ranks), P.map((p) => p.score));
    out.push({
      id: 'dense_iou_hlr_score',
      title: 'Score vs IoU-HLR rank of the positive anchors',
      figure: 'PISA (Cao et al. 2020), §3.1 (IoU-HLR) and fig. 3',
      caption: `Each positive anchor: its IoU-HLR rank (library iouHlr over the set: rank by IoU within its gt, then across gts of its class; 0 = most prime) against its classification score σ(x) for its gt class. IoU is ${d.deltas ? 'that of the decoded box (delta2bbox) with its gt' : 'the anchor’s IoU with its gt (no deltas given)'}. PISA’s point: a detector that ranks prime samples first has scores falling with the rank.`,
      status: 'ok',
      json: { spearman: rho, rows: hRows },
      csv: hRows,
      spec: {
        title: { text: 'Score vs IoU-HLR rank (positives)', subtitle: `${P.length} positive anchors; Spearman ρ(rank, score) = ${rho.toFixed(3)}` },
        data: { values: hRows },
        width: 420,
        height: 260,
        mark: { type: 'point', filled: true, opacity: 0.6, size: 18 },
        encoding: {
          x: { field: 'hlr_rank', type: 'quantitative', title: 'IoU-HLR rank (0 = prime)' },
          y: { field: 'score', type: 'quantitative', title: 'score σ(x)', scale: { domain: [0, 1] } },
          color: { field: 'iou', type: 'quantitative', title: 'IoU', scale: { scheme: 'viridis' } },
        },
      },
      summary: [`Spearman ρ(IoU-HLR rank, score) = ${rho.toFixed(3)} over ${P.length} positive anchors`],
    });
  } else out.push({ id: 'dense_iou_hlr_score', title: 'Score vs IoU-HLR rank of the positive anchors', figure: 'PISA (Cao et al. 2020)', caption: '', status: 'empty', missing: 'no positive anchors (no anchor reaches IoU 0.5 with a gt box)' });
  return { analyses: out, counts: { images: d.N, anchorsPerImage: d.A, classes: d.C, samples: samples.length, positiveSamples: nPos, positiveAnchors: ds.anchors.positive, negativeAnchors: ds.anchors.negative, ignoredAnchors: ds.anchors.ignored, gtBoxes: d.gts.reduce((a, g) => a + g.labels.length, 0) } };
}

/** Spearman rank correlation (average ranks for ties). */
export function spearman(a: number[], b: number[]): number {
  const rank = (x: number[]) => {
    const idx = x.map((_, i) => i).sort((i, j) => x[i] - x[j]);
    const r = new Array<number>(x.length);
    for (let i = 0; i < idx.length; ) {
      let j = i;
      while (j + 1 < idx.length && x[idx[j + 1]] === x[idx[i]]) j++;
      for (let k = i; k <= j; k++) r[idx[k]] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const ra = rank(a), rb = rank(b), n = a.length;
  const ma = ra.reduce((s, v) => s + v, 0) / n, mb = rb.reduce((s, v) => s + v, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (ra[i] - ma) * (rb[i] - mb);
    saa += (ra[i] - ma) ** 2;
    sbb += (rb[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}
