/** The one-page report: report.md (GitHub-renderable, PNG charts) and report.html (self-contained, inline SVG). */
import type { AnalysisOutput } from './types';
import type { CocoEvalResult } from 'soft-sampling/internal';
import { COCO_STAT_KEYS } from 'soft-sampling/internal';
import type { VocEvalResult } from 'soft-sampling/internal';

export interface ReportInput {
  title: string;
  inputs: { gt: string; dets: string; bundled: boolean };
  counts?: { images: number; gtBoxes: number; crowd: number; detections: number; categories: number; positives: number; negatives: number; ignored: number };
  backend: string;
  /** Likely mistakes in the inputs (also printed on stderr). */
  warnings?: string[];
  /** What the inputs lack (empty lists, classes without gt or detections). */
  notes?: string[];
  settingsLines: string[];
  /** Absent in dense mode (no detections to evaluate). */
  coco?: CocoEvalResult;
  voc?: VocEvalResult;
  /** Replaces the detections' counts line and method notes (dense mode). */
  countsLine?: string;
  methodNotes?: string[];
  analyses: AnalysisOutput[];
  svgs: Map<string, string>;
  png: boolean;
}

const COCO_LABELS: Record<string, string> = {
  AP: 'AP @[.50:.95] all, maxDets 100',
  AP50: 'AP @.50',
  AP75: 'AP @.75',
  APsmall: 'AP small',
  APmedium: 'AP medium',
  APlarge: 'AP large',
  AR1: 'AR maxDets 1',
  AR10: 'AR maxDets 10',
  AR100: 'AR maxDets 100',
  ARsmall: 'AR small',
  ARmedium: 'AR medium',
  ARlarge: 'AR large',
};

const f4 = (x: number) => (x < 0 ? '−1 (undefined)' : x.toFixed(4));

export const METHOD_NOTES = [
  'Samples are the detections. A detection matched to a gt box of its class at IoU ≥ 0.5 — greedily, in descending score order within each image, each gt box matched at most once (VOC rule) — is a positive, with that IoU; every other detection is a negative (its IoU with the best gt box of its class is kept for plots only). A detection whose best box is a crowd region is neither.',
  'A sample’s logit is log(s / (1 − s)) of its score s (clamped to [1e-6, 1 − 1e-6]); its target is 1 for a positive, 0 for a negative — one binary (sigmoid) column per sample, the class being the detection’s own.',
  'Losses, gradients and weights come from the soft-sampling library itself (sigmoidFocalLoss, sigmoidCrossEntropy, ghmcLoss, iouHlr, isrP, carlLoss, maxIouAssign) on the backend named above.',
  'Detections are a detector’s output after its score threshold and NMS, not the dense anchor set a loss sees in training: the figures show what each method would do to *these* samples, not a retraced training run. Anchors mode (`--anchors`) looks at the dense side.',
];

export function reportMarkdown(r: ReportInput): string {
  const L: string[] = [];
  L.push(`# ${r.title}`, '');
  L.push(`Ground truth: \`${r.inputs.gt}\`  `, `Detections: \`${r.inputs.dets}\`${r.inputs.bundled ? ' (bundled data, see data/cartucho-map-indoor85/SOURCE.md)' : ''}  `, `Backend: ${r.backend}`, '');
  const c = r.counts!;
  if (r.countsLine) L.push(r.countsLine, '');
  else L.push(`${c.images} images, ${c.categories} categories, ${c.gtBoxes} gt boxes (${c.crowd} crowd), ${c.detections} detections → ${c.positives} positives, ${c.negatives} negatives${c.ignored ? `, ${c.ignored} on crowd regions` : ''}.`, '');
  if (r.warnings?.length) L.push('**Warnings about the inputs:**', '', ...r.warnings.map((w) => `- ⚠ ${w}`), '');
  if (r.notes?.length) L.push('**Notes:**', '', ...r.notes.map((w) => `- ${w}`), '');
  if (r.coco && r.voc) {
  L.push('## Evaluation', '');
  L.push(`VOC mAP@${r.voc.iouThreshold} (${r.voc.interpolation}): **${r.voc.mAP.toFixed(4)}** over ${r.voc.classes.filter((x) => x.nGt > 0).length} classes with gt.`, '');
  L.push('| COCO metric | value |', '|---|---|');
  for (const k of COCO_STAT_KEYS) L.push(`| ${COCO_LABELS[k]} | ${f4(r.coco.stats[k])} |`);
  L.push('', 'Per-class VOC AP: `eval_voc.csv`; COCO per category: `eval_coco.csv`.', '');
  }
  L.push('## How the samples are defined', '');
  for (const m of r.methodNotes ?? METHOD_NOTES) L.push(`- ${m}`);
  L.push('', 'Settings:', '');
  for (const s of r.settingsLines) L.push(`- ${s}`);
  L.push('');
  for (const a of r.analyses) {
    L.push(`## ${a.title}`, '', `*${a.figure}*`, '');
    if (r.svgs.has(a.id)) L.push(`![${a.title}](${a.id}.${r.png ? 'png' : 'svg'})`, '');
    else if (a.status === 'empty') L.push(`**Not drawn:** ${a.missing ?? 'no data'}.`, '');
    L.push(a.caption, '');
    if (a.drawn && r.svgs.has(a.id)) L.push(a.drawn, '');
    for (const s of a.summary ?? []) L.push(`- ${s}`);
    if (a.summary?.length) L.push('');
    const mdChart = r.svgs.has(a.id) ? `; chart: [\`${a.id}.svg\`](${a.id}.svg)${r.png ? `, [\`${a.id}.png\`](${a.id}.png)` : ''}` : '';
    L.push(`Data: [\`${a.id}.json\`](${a.id}.json)${a.hasCsv ? `, [\`${a.id}.csv\`](${a.id}.csv)` : ''}${mdChart}.`, '');
  }
  return L.join('\n');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const inline = (s: string) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>').replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>').replace(/\*([^*]+)\*/g, '<i>$1</i>');

export function reportHtml(r: ReportInput): string {
  const H: string[] = [];
  H.push('<!doctype html>', '<html lang="en"><head><meta charset="utf-8">', `<title>${esc(r.title)}</title>`);
  H.push('<style>body{font-family:system-ui,-apple-system,"DejaVu Sans",sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}figure{margin:1em 0}figure svg{max-width:100%;height:auto}.missing{color:#a33}code{background:#f4f4f4;padding:0 3px}</style>');
  H.push('</head><body>', `<h1>${esc(r.title)}</h1>`);
  H.push(`<p>Ground truth: <code>${esc(r.inputs.gt)}</code><br>Detections: <code>${esc(r.inputs.dets)}</code>${r.inputs.bundled ? ' (bundled data)' : ''}<br>Backend: ${esc(r.backend)}</p>`);
  const c = r.counts!;
  if (r.countsLine) H.push(`<p>${inline(r.countsLine)}</p>`);
  else H.push(`<p>${c.images} images, ${c.categories} categories, ${c.gtBoxes} gt boxes (${c.crowd} crowd), ${c.detections} detections → ${c.positives} positives, ${c.negatives} negatives${c.ignored ? `, ${c.ignored} on crowd regions` : ''}.</p>`);
  if (r.warnings?.length) H.push('<p class="missing"><b>Warnings about the inputs:</b></p><ul class="missing">', ...r.warnings.map((w) => `<li>⚠ ${esc(w)}</li>`), '</ul>');
  if (r.notes?.length) H.push('<p><b>Notes:</b></p><ul>', ...r.notes.map((w) => `<li>${esc(w)}</li>`), '</ul>');
  if (r.coco && r.voc) H.push('<h2>Evaluation</h2>', `<p>VOC mAP@${r.voc.iouThreshold} (${r.voc.interpolation}): <b>${r.voc.mAP.toFixed(4)}</b></p>`);
  if (r.coco) {
    H.push('<table><tr><th>COCO metric</th><th>value</th></tr>');
    for (const k of COCO_STAT_KEYS) H.push(`<tr><td>${esc(COCO_LABELS[k])}</td><td class="n">${f4(r.coco.stats[k])}</td></tr>`);
    H.push('</table>');
  }
  H.push('<h2>How the samples are defined</h2><ul>', ...(r.methodNotes ?? METHOD_NOTES).map((m) => `<li>${inline(m)}</li>`), '</ul><p>Settings:</p><ul>', ...r.settingsLines.map((s) => `<li>${inline(s)}</li>`), '</ul>');
  for (const a of r.analyses) {
    H.push(`<h2 id="${a.id}">${esc(a.title)}</h2>`, `<p><i>${esc(a.figure)}</i></p>`);
    const svg = r.svgs.get(a.id);
    if (svg) H.push(`<figure>${svg.replace(/^<\?xml[^>]*>\s*/, '')}</figure>`);
    else if (a.status === 'empty') H.push(`<p class="missing"><b>Not drawn:</b> ${esc(a.missing ?? 'no data')}.</p>`);
    H.push(`<p>${inline(a.caption)}</p>`);
    if (a.drawn && svg) H.push(`<p>${inline(a.drawn)}</p>`);
    if (a.summary?.length) H.push('<ul>', ...a.summary.map((s) => `<li>${inline(s)}</li>`), '</ul>');
    const chart = svg ? `; chart: <a href="${a.id}.svg">svg</a>${r.png ? `, <a href="${a.id}.png">png</a>` : ''}` : '';
    H.push(`<p>Data: <a href="${a.id}.json">${a.id}.json</a>${a.hasCsv ? `, <a href="${a.id}.csv">${a.id}.csv</a>` : ''}${chart}</p>`);
  }
  H.push('</body></html>', '');
  return H.join('\n');
}
