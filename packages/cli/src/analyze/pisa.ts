/**
 * PISA (Cao et al., CVPR 2020) analyses on the detections:
 * - fig. 4: random vs hard (highest loss) vs prime (top IoU-HLR) positives in the IoU–loss plane;
 * - fig. 2: precision–recall at IoU 0.5…0.95 before and after raising the scores of the top-k
 *   IoU-HLR positives of each image (k = 5, 25), with the AP change.
 */
import type { AnalysisContext, AnalysisOutput } from './types';
import type { Row } from './artifacts';
import { sigmoidCrossEntropy, iouHlr } from 'soft-sampling';
import { mulberry32, thinPoints, drawnLine, POINTS_PER_LAYER, type Sample } from './samples';
import { cocoPrCurve } from 'soft-sampling/internal';
import type { ImageInput } from 'soft-sampling/internal';

const data = (t: any): ArrayLike<number> => (t && t.data ? t.data : t);

/** Per-sample sigmoid cross-entropy (reduction none) from the library. */
export function ceLoss(samples: Sample[]): Float32Array {
  const n = samples.length;
  const logits = new Float32Array(n), targets = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    logits[i] = samples[i].logit;
    targets[i] = samples[i].target;
  }
  return Float32Array.from(data(sigmoidCrossEntropy({ data: logits, shape: [n, 1] }, { data: targets, shape: [n, 1] }, { reduction: 'none', targetType: 'onehot' }).lossElements));
}

/** Dense class index of each category id (IoU-HLR ranks within a class). */
export function classIndex(ctx: AnalysisContext): Map<number, number> {
  return new Map(ctx.gt.categories.map((c, i) => [c.id, i] as [number, number]));
}

/** IoU-HLR ranks of the positives over the whole set (cumulative gt offsets per image). */
export function hlrRanks(ctx: AnalysisContext, pos: Sample[]): Int32Array {
  if (pos.length === 0) return new Int32Array(0);
  const imgPos = new Map(ctx.images.map((im, i) => [im.imageId, i] as [number, number]));
  const cls = classIndex(ctx);
  const r = iouHlr({
    labels: Int32Array.from(pos.map((s) => cls.get(s.categoryId)!)),
    gtInds: Int32Array.from(pos.map((s) => s.gt)),
    imageIds: Int32Array.from(pos.map((s) => imgPos.get(s.imageId)!)),
    numGtsPerImage: Int32Array.from(ctx.images.map((im) => im.gts.length)),
    ious: Float32Array.from(pos.map((s) => s.iou)),
  });
  return Int32Array.from(data(r.ranks));
}

const F4_ID = 'pisa_prime_samples';
const F4_TITLE = 'Random, hard and prime positives in the IoU–loss plane';
const F4_FIG = 'PISA (Cao et al. 2020), fig. 4';

export async function pisaPrimeSamples(ctx: AnalysisContext): Promise<AnalysisOutput> {
  const pos = ctx.samples.positives;
  const loss = ceLoss(pos);
  const ranks = hlrRanks(ctx, pos);
  const k = Math.min(ctx.settings.pisaK, pos.length);
  const idx = pos.map((_, i) => i);
  const hard = new Set([...idx].sort((a, b) => loss[b] - loss[a] || a - b).slice(0, k));
  const prime = new Set([...idx].sort((a, b) => ranks[a] - ranks[b] || pos[b].iou - pos[a].iou || a - b).slice(0, k));
  const rnd = mulberry32(ctx.settings.seed);
  const shuffled = [...idx];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  const random = new Set(shuffled.slice(0, k));
  const rows: Row[] = pos.map((s, i) => ({
    index: s.index,
    image_id: s.imageId,
    category_id: s.categoryId,
    score: s.score,
    iou: s.iou,
    loss: loss[i],
    hlr_rank: ranks[i],
    random: random.has(i),
    hard: hard.has(i),
    prime: prime.has(i),
  }));
  const mean = (set: Set<number>, f: (i: number) => number) => (set.size ? [...set].reduce((a, i) => a + f(i), 0) / set.size : NaN);
  const stats = Object.fromEntries(
    ([['random', random], ['hard', hard], ['prime', prime]] as const).map(([name, set]) => [name, { n: set.size, meanIou: mean(set, (i) => pos[i].iou), meanLoss: mean(set, (i) => loss[i]) }]),
  );
  // chart: every selected sample, and of the others as many as keep the (faceted) layer within
  // POINTS_PER_LAYER points, stratified by IoU (the data files keep all)
  const others = Math.max(4, Math.floor((POINTS_PER_LAYER - 3 * k) / 3));
  const drawnOthers = Math.min(pos.length - k, others);
  const plot = (['random', 'hard', 'prime'] as const).flatMap((set) => [
    ...thinPoints(rows.filter((r) => !r[set]), others, 'iou', 'loss').map((r) => ({ set, iou: r.iou, loss: r.loss, selected: 'other positives' })),
    ...rows.filter((r) => r[set]).map((r) => ({ set, iou: r.iou, loss: r.loss, selected: set })),
  ]);
  const spec = {
    title: { text: F4_TITLE, subtitle: `${k} samples per panel, out of ${pos.length} positives${pos.length - k > others ? ` (${others} of the others drawn)` : ''}` },
    data: { values: plot },
    facet: { column: { field: 'set', type: 'nominal', title: null, sort: ['random', 'hard', 'prime'] } },
    spec: {
      width: 220,
      height: 220,
      mark: { type: 'point', filled: true, opacity: 0.8 },
      encoding: {
        x: { field: 'iou', type: 'quantitative', title: 'IoU with the matched gt', scale: { domain: [0.5, 1] } },
        y: { field: 'loss', type: 'quantitative', title: 'classification loss (CE)' },
        color: { field: 'selected', type: 'nominal', title: null, scale: { domain: ['random', 'hard', 'prime', 'other positives'], range: ['#4c78a8', '#e45756', '#54a24b', '#d0d0d0'] } },
        size: { condition: { test: "datum.selected !== 'other positives'", value: 45 }, value: 14 },
        order: { condition: { test: "datum.selected !== 'other positives'", value: 1 }, value: 0 },
      },
    },
  };
  const f = (x: number) => x.toFixed(3);
  return {
    id: F4_ID,
    title: F4_TITLE,
    figure: F4_FIG,
    caption:
      (pos.length === 0 ? 'No detection is a positive here, so there is nothing to select or draw. The three sets would be: ' : `Each panel shows all ${pos.length} positives (grey) and ${k} selected ones: `) +
      `random (seed ${ctx.settings.seed}), hard (highest cross-entropy loss, library sigmoidCrossEntropy) and prime (best IoU-HLR rank, library iouHlr; ties by IoU). ` +
      'PISA’s point: prime samples have high IoU and, in a trained detector, low loss — the opposite of the hard samples OHEM would pick. ' +
      `${F4_ID}.csv has every positive (index, image_id, category_id, score, iou, loss, hlr_rank and whether it is in the random, hard and prime sets); ${F4_ID}.json holds each set's size, mean IoU and mean loss.`,
    status: 'ok',
    json: { k, positives: pos.length, stats, perSampleFile: `${F4_ID}.csv` },
    csv: rows,
    csvColumns: ['index', 'image_id', 'category_id', 'score', 'iou', 'loss', 'hlr_rank', 'random', 'hard', 'prime'],
    spec,
    drawn: drawnLine(k + drawnOthers, pos.length, 'positives per panel'),
    summary: (['random', 'hard', 'prime'] as const).map((n) => `${n}: mean IoU ${f(stats[n].meanIou)}, mean loss ${f(stats[n].meanLoss)}`),
  };
}

const F2_ID = 'pisa_pr_rescored';
/** Tableau-10 colours (distinct for the usual 3 variants) and dash patterns (solid, dashed, dotted, dash-dot). */
const PALETTE = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#b279a2', '#72b7b2'];
const DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4], [1, 3]];
const F2_TITLE = 'Precision–recall before and after raising the top IoU-HLR positives';
const F2_FIG = 'PISA (Cao et al. 2020), fig. 2';

/**
 * IoU-HLR ranks (PISA §3.1, no prime flags) of one small group of positives: the library's
 * `iouHlr` ranks (the TypeScript reference `pisaIouHlr` with prime mode 0, step for step — float32
 * IoUs, input position as the last key), without a kernel call per image (5,000 images: 0.4 s of
 * call overhead for ~7 positives each).
 */
export function hlrRanksSmall(labels: Int32Array, gt: Int32Array, ious: Float32Array): Int32Array {
  const n = labels.length;
  const ranks = new Int32Array(n);
  const idx = Array.from({ length: n }, (_, i) => i);
  const desc = (a: number, b: number) => (ious[a] > ious[b] ? -1 : ious[a] < ious[b] ? 1 : 0);
  idx.sort((a, b) => labels[a] - labels[b] || gt[a] - gt[b] || desc(a, b) || a - b);
  const local = new Int32Array(n);
  let start = 0;
  for (let p = 0; p < n; p++) {
    const i = idx[p];
    if (p > 0 && (labels[i] !== labels[idx[p - 1]] || gt[i] !== gt[idx[p - 1]])) start = p;
    local[i] = p - start;
  }
  idx.sort((a, b) => labels[a] - labels[b] || local[a] - local[b] || desc(a, b) || a - b);
  start = 0;
  for (let p = 0; p < n; p++) {
    const i = idx[p];
    if (p > 0 && labels[i] !== labels[idx[p - 1]]) start = p;
    ranks[i] = p - start;
  }
  return ranks;
}

/** Per image, the positives ordered by IoU-HLR (rank within class in the image, then IoU). */
export function perImageHlrOrder(ctx: AnalysisContext): Map<number, Sample[]> {
  const cls = classIndex(ctx);
  const byImg = new Map<number, Sample[]>();
  for (const s of ctx.samples.positives) (byImg.get(s.imageId) ?? byImg.set(s.imageId, []).get(s.imageId)!).push(s);
  const out = new Map<number, Sample[]>();
  for (const [img, pos] of byImg) {
    const r = hlrRanksSmall(Int32Array.from(pos, (s) => cls.get(s.categoryId)!), Int32Array.from(pos, (s) => s.gt), Float32Array.from(pos, (s) => s.iou));
    const order = pos.map((_, i) => i).sort((a, b) => r[a] - r[b] || pos[b].iou - pos[a].iou || pos[a].index - pos[b].index);
    out.set(img, order.map((i) => pos[i]));
  }
  return out;
}

/**
 * The raised scores of PISA fig. 2: for the top-k HLR positives of each image (`order`, from
 * {@link perImageHlrOrder}), detection index → `1 + (k − j)/k` for the j-th (above every original
 * score, keeping their HLR order). Every other detection keeps its score.
 */
export function raisedScores(order: Map<number, Sample[]>, k: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const pos of order.values()) pos.slice(0, k).forEach((s, j) => out.set(s.index, 1 + (k - j) / k));
  return out;
}

/**
 * Images with the scores of the top-k HLR positives of each image raised ({@link raisedScores}), as
 * per-image objects: the per-image evaluation path, kept to check the one-kernel-call path against.
 */
export function rescore(images: ImageInput[], order: Map<number, Sample[]>, k: number): ImageInput[] {
  const newScore = raisedScores(order, k);
  return images.map((im) => {
    if (!im.dets.some((d) => newScore.has(d.index))) return im;
    return { ...im, dets: im.dets.map((d) => (newScore.has(d.index) ? { ...d, score: newScore.get(d.index)! } : d)) };
  });
}

export async function pisaPrRescored(ctx: AnalysisContext): Promise<AnalysisOutput> {
  const variants: { name: string; res: typeof ctx.cocoBaseline }[] = [{ name: 'baseline', res: ctx.cocoBaseline }];
  let order: Map<number, Sample[]> | undefined;
  for (const k of ctx.settings.topK) {
    const res = ctx.rescored?.get(k) ?? (await ctx.evaluateRaised(raisedScores((order ??= perImageHlrOrder(ctx)), k)));
    variants.push({ name: `top-${k} raised`, res });
  }
  const thr = ctx.cocoBaseline.params.iouThrs;
  const rows: Row[] = [];
  const apRows: Row[] = [];
  for (const v of variants) {
    thr.forEach((t, ti) => {
      const c = cocoPrCurve(v.res, ti);
      const valid = c.precision.filter((p) => p > -1);
      apRows.push({ variant: v.name, iou: Number(t.toFixed(2)), AP: valid.length ? valid.reduce((a, b) => a + b, 0) / valid.length : -1 });
      c.recall.forEach((r, i) => rows.push({ variant: v.name, iou: Number(t.toFixed(2)), recall: r, precision: c.precision[i] }));
    });
  }
  const base = variants[0].res.stats;
  const summary = variants.slice(1).map((v) => {
    const d = (k: 'AP' | 'AP50' | 'AP75') => `${k} ${(v.res.stats[k] - base[k] >= 0 ? '+' : '') + ((v.res.stats[k] - base[k]) * 100).toFixed(2)}`;
    return `${v.name}: ${d('AP')}, ${d('AP50')}, ${d('AP75')} points (baseline AP ${(base.AP * 100).toFixed(2)})`;
  });
  const variantNames = variants.map((v) => v.name);
  const spec = {
    title: { text: F2_TITLE, subtitle: 'COCO 101-point interpolated precision, averaged over classes, one panel per IoU threshold' },
    data: { values: rows.filter((r) => (r.precision as number) >= 0) },
    // small multiples: 5 panels per row (vega-lite's `columns` sits beside `facet`, not inside it)
    facet: { field: 'iou', type: 'ordinal', title: 'IoU threshold', header: { labelFontSize: 11 } },
    columns: 5,
    spec: {
      width: 140,
      height: 120,
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x: { field: 'recall', type: 'quantitative', scale: { domain: [0, 1] } },
        y: { field: 'precision', type: 'quantitative', scale: { domain: [0, 1] } },
        // each variant has its own colour AND dash pattern (readable in grey print and for colour-blind readers)
        color: { field: 'variant', type: 'nominal', title: null, scale: { domain: variantNames, range: variantNames.map((_, i) => PALETTE[i % PALETTE.length]) } },
        strokeDash: { field: 'variant', type: 'nominal', title: null, scale: { domain: variantNames, range: variantNames.map((_, i) => DASHES[i % DASHES.length]) } },
      },
    },
  };
  return {
    id: F2_ID,
    title: F2_TITLE,
    figure: F2_FIG,
    caption:
      'Baseline: the COCO evaluation of the detections as given. Variants: in each image the positives are ranked by IoU-HLR (library iouHlr over that image: rank within the class, ties by IoU) ' +
      'and the scores of the top k are set above every original score (1 + (k − j)/k for the j-th), keeping their HLR order; the set is then evaluated again. ' +
      'Raising prime samples helps most at high IoU thresholds, as in PISA fig. 2.',
    status: 'ok',
    json: { topK: ctx.settings.topK, stats: Object.fromEntries(variants.map((v) => [v.name, v.res.stats])), apPerThreshold: apRows, curves: rows },
    csv: rows,
    spec,
    summary,
  };
}
