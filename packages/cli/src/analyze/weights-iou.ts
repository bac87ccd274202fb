/**
 * Weights given to the positives against their IoU: ISR-P (PISA §3.2), CARL (PISA §3.3), GHM-C
 * (GHM §4), the focal-loss modulating factor α_t(1 − p_t)^γ (= FL / CE), and the two quality-aware
 * losses with the positive's IoU as its soft target y: QFL's |y − σ|^β (= QFL / BCE(x, y), GFL
 * eq. 5) and VFL's IoU weight q (= VFL / BCE(x, q), VarifocalNet eq. 2). Each from the library, each
 * normalised to mean 1 over the positives so they share one axis.
 */
import type { AnalysisContext, AnalysisOutput } from './types';
import type { Row } from './artifacts';
import { isrP, carlLoss, qualityFocalLoss, varifocalLoss } from 'soft-sampling';
import { ceLoss, classIndex } from './pisa';
import { thinIndices, drawnLine, POINTS_PER_LAYER, sampleColumns } from './samples';
import type { RowTable } from './writer';
import { runGhmc } from './ghm';
import { focalLossPerSample } from './focal-cdf';

const ID = 'weights_vs_iou';
const TITLE = 'Sample weights of the positives against IoU';
const FIGURE = 'ISR-P, CARL (PISA), GHM-C (GHM), focal loss, QFL (GFL), VFL (VarifocalNet)';
const data = (t: any): ArrayLike<number> => (t && t.data ? t.data : t);

export async function weightsVsIou(ctx: AnalysisContext): Promise<AnalysisOutput> {
  const { samples, settings } = ctx;
  const posIdx = samples.posIdx;
  const pos = samples.positives;
  const n = pos.length;
  const methods: Record<string, Float32Array> = {};
  const notes: string[] = [];
  const cls = classIndex(ctx);
  const imgPos = new Map(ctx.images.map((im, i) => [im.imageId, i] as [number, number]));
  if (n) {
    const r = isrP({
      labels: Int32Array.from(pos.map((s) => cls.get(s.categoryId)!)),
      gtInds: Int32Array.from(pos.map((s) => s.gt)),
      imageIds: Int32Array.from(pos.map((s) => imgPos.get(s.imageId)!)),
      numGtsPerImage: Int32Array.from(ctx.images.map((im) => im.gts.length)),
      ious: Float32Array.from(pos.map((s) => s.iou)),
      posLoss: ceLoss(pos),
    });
    methods['ISR-P'] = Float32Array.from(data(r.weights));
  }
  if (n) {
    const r = carlLoss({ data: Float32Array.from(pos.map((s) => s.logit)), shape: [n, 1] }, new Int32Array(n), { data: new Float32Array(4 * n), shape: [n, 4] }, { data: new Float32Array(4 * n), shape: [n, 4] }, { sigmoid: true });
    methods.CARL = Float32Array.from(data(r.weights));
  }
  if (n) {
    const g = runGhmc(sampleColumns(samples).logits, sampleColumns(samples).targets, settings.ghmBins);
    methods['GHM-C'] = Float32Array.from(posIdx, (i) => g.weights[i]);
  }
  if (n) {
    const logits = Float32Array.from(pos.map((s) => s.logit));
    const t = new Float32Array(n).fill(1);
    const fl = focalLossPerSample(logits, t, 2, settings.alpha);
    const ce = ceLoss(pos);
    methods['focal (γ=2)'] = Float32Array.from(fl.map((v, i) => (ce[i] > 0 ? v / ce[i] : 0)));
  }
  if (n) {
    // QFL and VFL with the positive's IoU as its quality target, one class column; the weight is
    // each loss over the plain BCE(x, y) it modulates (QFL with β = 0, VFL without IoU weighting)
    const x = { data: Float32Array.from(pos.map((s) => s.logit)), shape: [n, 1] };
    const y = Float32Array.from(pos.map((s) => Math.min(1, Math.max(0, s.iou))));
    const target = { labels: new Int32Array(n), scores: y };
    const q = qualityFocalLoss(x, target, { reduction: 'none' }).lossElements.data;
    const bceQ = qualityFocalLoss(x, target, { beta: 0, reduction: 'none' }).lossElements.data;
    methods['QFL (β=2)'] = Float32Array.from(q, (v, i) => (bceQ[i] > 0 ? v / bceQ[i] : 0));
    const yt = { data: y, shape: [n, 1] };
    const v = varifocalLoss(x, yt, { reduction: 'none' }).lossElements.data;
    const bceV = varifocalLoss(x, yt, { iouWeighted: false, reduction: 'none' }).lossElements.data;
    methods.VFL = Float32Array.from(v, (w, i) => (bceV[i] > 0 ? w / bceV[i] : 0));
  }
  // the rows (method, index, iou, score, weight, normalised_weight), one per method and positive, as
  // columns: they go to the writer as a RowTable (no row objects: 6 × the positives) and are written
  // to <id>.csv only; the JSON holds the summary and names the CSV (perSampleFile). The IoU and the
  // score, the same on each method's row of a positive, are codes (the positive) into its numbers
  const names = Object.keys(methods);
  const N = names.length * n;
  const iou = Float64Array.from(pos, (s) => s.iou), score = Float64Array.from(pos, (s) => s.score);
  const col = { code: new Int32Array(N), pos: new Int32Array(N), index: new Float64Array(N), weight: new Float64Array(N), normalised: new Float64Array(N) };
  const means: Record<string, number> = {};
  names.forEach((m, j) => {
    const w = methods[m];
    const mean = w.length ? w.reduce((a, b) => a + b, 0) / w.length : 1;
    means[m] = mean;
    for (let i = 0, r = j * n; i < n; i++, r++) {
      const s = pos[i];
      col.code[r] = j;
      col.index[r] = s.index;
      col.pos[r] = i;
      col.weight[r] = w[i];
      col.normalised[r] = mean > 0 ? w[i] / mean : 0;
    }
  });
  const row = (r: number): Row => ({ method: names[col.code[r]], index: col.index[r], iou: iou[col.pos[r]], score: score[col.pos[r]], weight: col.weight[r], normalised_weight: col.normalised[r] });
  const KEYS = ['method', 'index', 'iou', 'score', 'weight', 'normalised_weight'];
  const rows: RowTable = { rowTable: true, length: N, keys: KEYS, cols: [{ dict: names, codes: col.code }, col.index, { numbers: iou, codes: col.pos }, { numbers: score, codes: col.pos }, col.weight, col.normalised] };
  // correlation of each method's weight with IoU
  const corr: Record<string, number> = {};
  for (const m of Object.keys(methods)) {
    const xs = pos.map((s) => s.iou), ys = Array.from(methods[m]);
    const mx = xs.reduce((a, b) => a + b, 0) / n, my = ys.reduce((a, b) => a + b, 0) / n;
    let sxy = 0, sxx = 0, syy = 0;
    for (let i = 0; i < n; i++) {
      sxy += (xs[i] - mx) * (ys[i] - my);
      sxx += (xs[i] - mx) ** 2;
      syy += (ys[i] - my) ** 2;
    }
    corr[m] = sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
  }
  // at most POINTS_PER_LAYER points in the chart's one (faceted) layer, stratified by IoU; the data files keep all
  const perMethod = Math.floor(POINTS_PER_LAYER / Math.max(1, Object.keys(methods).length));
  const drawn = Math.min(n, perMethod);
  const spec = {
    title: { text: TITLE, subtitle: `${n} positives${drawn < n ? ` (${drawn} drawn per panel)` : ''}; each method's weights divided by their mean; own y-scale per panel` },
    data: { values: names.flatMap((_, j) => thinIndices(iou, col.normalised.subarray(j * n, (j + 1) * n), perMethod).map((i) => row(j * n + i))) },
    facet: { column: { field: 'method', type: 'nominal', title: null, sort: ['focal (γ=2)', 'GHM-C', 'QFL (β=2)', 'VFL', 'ISR-P', 'CARL'] } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 130,
      height: 200,
      mark: { type: 'point', filled: true, size: 16, opacity: 0.6 },
      encoding: {
        x: { field: 'iou', type: 'quantitative', title: 'IoU', scale: { domain: [0.5, 1] } },
        y: { field: 'normalised_weight', type: 'quantitative', title: 'weight / mean weight' },
        color: { field: 'method', type: 'nominal', legend: null },
      },
    },
  };
  return {
    id: ID,
    title: TITLE,
    figure: FIGURE,
    caption:
      'Positives only. ISR-P: library isrP (k = 2, bias 0, IoU-HLR over the whole set, cumulative gt offsets, renormalised so the CE loss sum is kept). ' +
      'CARL: library carlLoss weights with sigmoid scores (k = 1, bias 0.2; they depend on the score only). GHM-C: library ghmcLoss weights (' +
      settings.ghmBins +
      ' bins, momentum 0) computed over all samples. Focal: FL/CE = α(1 − p)^γ from the library losses. ' +
      'QFL: qualityFocalLoss / its β = 0 value = |IoU − p|² (the positive\'s IoU as the soft target, one class column). ' +
      'VFL: varifocalLoss / its iouWeighted: false value = the IoU target q. ' +
      'ISR-P, CARL and VFL favour high-IoU (prime) positives; GHM-C and FL favour hard (low-score) ones; QFL favours positives whose score is far from their IoU. ' +
      `${ID}.csv has one row per method and positive (method, index, iou, score, weight, normalised_weight); ${ID}.json holds the summary (the mean weight of each method and its correlation with IoU).` +
      (notes.length ? ' ' + notes.join('; ') + '.' : ''),
    status: 'ok',
    json: { positives: n, means, correlationWithIou: corr, perSampleFile: `${ID}.csv` },
    csv: rows,
    spec,
    drawn: drawnLine(drawn, n, 'positives per panel'),
    summary: Object.entries(corr).map(([m, c]) => `${m}: correlation of the weight with IoU ${c.toFixed(3)}`),
  };
}
