/**
 * Focal Loss fig. 4 (Lin et al. 2017): cumulative distribution of the normalised loss of the positive
 * and of the negative samples, for γ ∈ {0, 0.5, 1, 2}. Samples sorted by loss (ascending); x = fraction
 * of the samples, y = share of the group's total loss. α only scales a whole group, so it drops out.
 */
import type { AnalysisContext, AnalysisOutput } from './types';
import type { Row } from './artifacts';
import { sigmoidFocalLoss } from 'soft-sampling';
import { thin, sampleColumns } from './samples';
import { argsortFloat64, sortFloat64, sortFloat64Along } from './sort';

const ID = 'focal_loss_cdf';
const TITLE = 'Cumulative distribution of the normalised focal loss';
const FIGURE = 'Focal Loss (Lin et al. 2017), fig. 4';

/** Per-sample focal loss (reduction 'none') of binary targets, from the library. */
export function focalLossPerSample(logits: Float32Array, targets: Float32Array, gamma: number, alpha: number): Float32Array {
  const n = logits.length;
  const r = sigmoidFocalLoss({ data: logits, shape: [n, 1] }, { data: targets, shape: [n, 1] }, { alpha, gamma, reduction: 'none', targetType: 'onehot' });
  return Float32Array.from(r.lossElements.data as ArrayLike<number>);
}

/** `[fraction, cumulative share]` points of one group's sorted losses. */
export function cdf(losses: number[]): { fraction: number; cumulative: number }[] {
  const s = [...losses].sort((a, b) => a - b);
  const total = s.reduce((a, b) => a + b, 0);
  let acc = 0;
  const pts = [{ fraction: 0, cumulative: 0 }];
  s.forEach((v, i) => {
    acc += v;
    pts.push({ fraction: (i + 1) / s.length, cumulative: total > 0 ? acc / total : (i + 1) / s.length });
  });
  return pts;
}

/**
 * The thinned CDF of one group without per-sample objects: the points `cdf(losses)` would give,
 * thinned to at most `max` (the same indices `thin` keeps), and the share of the hardest 20 %.
 * `order` (optional): positions that likely sort `vals` (see {@link sortFloat64Along}); the result
 * is the same with or without it. `vals` is overwritten.
 */
export function cdfThinned(vals: Float64Array, max: number, order?: Uint32Array): { points: { fraction: number; cumulative: number }[]; hardest20Share: number } {
  const n = vals.length;
  if (order) sortFloat64Along(vals, order);
  else sortFloat64(vals);
  let total = 0;
  for (let i = 0; i < n; i++) total += vals[i];
  // cumulative in place: vals[i] = share after i + 1 samples
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += vals[i];
    vals[i] = total > 0 ? acc / total : (i + 1) / n;
  }
  const at = (j: number) => (j === 0 ? { fraction: 0, cumulative: 0 } : { fraction: j / n, cumulative: vals[j - 1] });
  const len = n + 1;
  const points: { fraction: number; cumulative: number }[] = [];
  if (len <= max) for (let j = 0; j < len; j++) points.push(at(j));
  else for (let k = 0; k < max; k++) points.push(at(Math.round((k * (len - 1)) / (max - 1))));
  let j80 = 0;
  while (j80 < n && !(j80 / n >= 0.8 - 1e-12)) j80++;
  return { points, hardest20Share: 1 - at(j80).cumulative };
}

export async function focalCdf(ctx: AnalysisContext): Promise<AnalysisOutput> {
  const { samples, settings } = ctx;
  const { logits, targets } = sampleColumns(samples);
  const rows: Row[] = [];
  const summary: string[] = [];
  const json: Record<string, unknown> = { gammas: settings.gammas, alpha: settings.alpha, positives: 0, negatives: 0, curves: [] as unknown[] };
  const curves: unknown[] = [];
  // the focal loss of a sample is monotone in its logit within each group (rising for the negatives,
  // falling for the positives, for every γ), so the logits' order sorts each γ's losses: one argsort
  // per group rather than a sort per curve (cdfThinned checks the order and sorts when it fails)
  // each group's sample positions (in sample order), found once for every γ
  const members = new Map<number, Uint32Array>();
  const groupMembers = (want: number) => {
    let idx = members.get(want);
    if (!idx) {
      const tg = samples.target;
      let m = 0;
      for (let i = 0; i < tg.length; i++) if (tg[i] === want) m++;
      idx = new Uint32Array(m);
      m = 0;
      for (let i = 0; i < tg.length; i++) if (tg[i] === want) idx[m++] = i;
      members.set(want, idx);
    }
    return idx;
  };
  const orders = new Map<number, Uint32Array>();
  const groupOrder = (want: number) => {
    let o = orders.get(want);
    if (!o) {
      const idx = groupMembers(want);
      const x = new Float64Array(idx.length);
      for (let j = 0; j < idx.length; j++) x[j] = logits[idx[j]];
      orders.set(want, (o = argsortFloat64(x)));
    }
    return o;
  };
  for (const gamma of settings.gammas) {
    const loss = focalLossPerSample(logits, targets, gamma, settings.alpha);
    for (const group of ['positive', 'negative'] as const) {
      const want = group === 'positive' ? 1 : 0;
      const idx = groupMembers(want);
      const m = idx.length;
      if (group === 'positive') json.positives = m;
      else json.negatives = m;
      if (m === 0) continue;
      const vals = new Float64Array(m);
      for (let j = 0; j < m; j++) vals[j] = loss[idx[j]];
      // data files keep at most 1001 points per curve (evenly spaced in sample order, ends included)
      const { points: kept, hardest20Share } = cdfThinned(vals, 1001, groupOrder(want));
      // share of the group's loss carried by its hardest 20 %
      summary.push(`γ = ${gamma}, ${group}s: the hardest 20 % carry ${(100 * hardest20Share).toFixed(1)} % of the loss`);
      curves.push({ gamma, group, n: vals.length, hardest20Share, points: kept });
      for (const p of kept) rows.push({ gamma, group, fraction: p.fraction, cumulative_loss: p.cumulative });
    }
  }
  json.curves = curves;
  const plotRows = ([] as Row[]).concat(
    ...settings.gammas.flatMap((g) => ['positive', 'negative'].map((grp) => thin(rows.filter((r) => r.gamma === g && r.group === grp), 200))),
  );
  const spec = {
    title: { text: TITLE, subtitle: 'samples sorted by loss; detections as samples' },
    data: { values: plotRows },
    facet: { column: { field: 'group', type: 'nominal', title: null, sort: ['positive', 'negative'] } },
    spec: {
      width: 260,
      height: 220,
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: {
        x: { field: 'fraction', type: 'quantitative', title: 'fraction of samples', scale: { domain: [0, 1] } },
        y: { field: 'cumulative_loss', type: 'quantitative', title: 'cumulative normalised loss', scale: { domain: [0, 1] } },
        color: { field: 'gamma', type: 'ordinal', title: 'γ', scale: { scheme: 'viridis' } },
      },
    },
  };
  return {
    id: ID,
    title: TITLE,
    figure: FIGURE,
    caption:
      'For each γ the per-sample sigmoid focal loss (library `sigmoidFocalLoss`, reduction none, α = ' +
      settings.alpha +
      ') is sorted ascending within the positives and within the negatives and accumulated; each curve ends at 1. ' +
      'A curve that stays low and rises late means the loss is concentrated in a few hard samples. γ = 0 is the (α-balanced) cross-entropy.',
    status: 'ok',
    json,
    csv: rows,
    csvColumns: ['gamma', 'group', 'fraction', 'cumulative_loss'],
    spec,
    summary,
  };
}
