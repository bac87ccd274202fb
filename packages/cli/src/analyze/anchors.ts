/**
 * Anchors mode report: RetinaNet anchors (3 scales × 3 ratios, strides 8–128) over each image,
 * MaxIoU assignment to the gt boxes (pos ≥ 0.5, neg < 0.4, minPosIou 0: every gt keeps its best
 * anchor), positives per gt, the IoU distribution, and IoU-HLR over the positive anchors.
 */
import type { AnalysisOutput } from './types';
import type { Row } from './artifacts';
import type { AnchorImageStats, AnchorParams } from './anchors-stage';

export function anchorsReport(stats: AnchorImageStats[], p: AnchorParams): AnalysisOutput[] {
  const bins = p.bins;
  const tot = stats.reduce((a, s) => ({ anchors: a.anchors + s.nAnchors, pos: a.pos + s.nPos, neg: a.neg + s.nNeg, ign: a.ign + s.nIgnored }), { anchors: 0, pos: 0, neg: 0, ign: 0 });
  const perGt = stats.flatMap((s) => s.posPerGt);
  const maxPer = perGt.length ? Math.max(...perGt) : 0;
  const perGtRows: Row[] = [];
  for (let k = 0; k <= maxPer; k++) {
    const c = perGt.filter((x) => x === k).length;
    if (c) perGtRows.push({ positives_per_gt: k, gt_boxes: c });
  }
  const iouRows: Row[] = [];
  for (let b = 0; b < bins; b++) {
    iouRows.push({
      iou_lo: b / bins,
      iou_hi: (b + 1) / bins,
      anchors: stats.reduce((a, s) => a + s.iouHist[b], 0),
      positive_anchors: stats.reduce((a, s) => a + s.posIouHist[b], 0),
    });
  }
  const hlrRows: Row[] = stats.flatMap((s) => s.posIous.map((iou, i) => ({ image_id: s.imageId, gt: s.posGt[i], iou, hlr_rank: s.hlrRanks[i] })));
  // mean IoU per HLR rank (the first ranks are the best anchor of each gt)
  const byRank = new Map<number, number[]>();
  for (const r of hlrRows) (byRank.get(r.hlr_rank as number) ?? byRank.set(r.hlr_rank as number, []).get(r.hlr_rank as number)!).push(r.iou as number);
  const rankRows: Row[] = [...byRank.entries()].sort((a, b) => a[0] - b[0]).map(([rank, v]) => ({ hlr_rank: rank, anchors: v.length, mean_iou: v.reduce((a, b) => a + b, 0) / v.length, min_iou: Math.min(...v), max_iou: Math.max(...v) }));
  const sizeFromBoxes = stats.filter((s) => s.sizeFrom === 'boxes').length;
  const zeroPos = perGt.filter((x) => x === 0).length;
  const below = stats.reduce((a, s) => a + s.posIous.filter((x) => x < p.posIouThr).length, 0);
  const common = `${stats.length} images, ${tot.anchors} anchors (${tot.pos} positive, ${tot.neg} negative, ${tot.ign} ignored between ${p.negIouThr} and ${p.posIouThr}); image size from the boxes' extent for ${sizeFromBoxes} images whose COCO width/height is 0.`;
  return [
    {
      id: 'anchors_positives_per_gt',
      title: 'Positive anchors per gt box',
      figure: 'RetinaNet anchors + MaxIoU assignment',
      caption: `Library gridAnchors(RETINANET_ANCHORS) and maxIouAssign (posIouThr ${p.posIouThr}, negIouThr ${p.negIouThr}, minPosIou ${p.minPosIou}). ${common} ${below} positive anchors are below ${p.posIouThr} IoU: the low-quality matches that give every gt its best anchor.`,
      status: 'ok',
      json: { totals: tot, gtBoxes: perGt.length, gtWithoutPositive: zeroPos, lowQualityPositives: below, rows: perGtRows, images: stats.map((s) => ({ imageId: s.imageId, width: s.width, height: s.height, sizeFrom: s.sizeFrom, nAnchors: s.nAnchors, nPos: s.nPos, posPerGt: s.posPerGt })) },
      csv: perGtRows,
      spec: {
        title: { text: 'Positive anchors per gt box', subtitle: `${perGt.length} gt boxes` },
        data: { values: perGtRows },
        width: 420,
        height: 220,
        mark: 'bar',
        encoding: {
          x: { field: 'positives_per_gt', type: 'ordinal', title: 'positive anchors of a gt box' },
          y: { field: 'gt_boxes', type: 'quantitative', title: 'gt boxes' },
        },
      },
      summary: [`median positives per gt box: ${perGt.length ? [...perGt].sort((a, b) => a - b)[Math.floor(perGt.length / 2)] : 0}; gt boxes whose best anchor is their only positive: ${perGt.filter((x) => x === 1).length}`],
    },
    {
      id: 'anchors_iou_distribution',
      title: 'IoU of the anchors with their best gt box',
      figure: 'RetinaNet anchors + MaxIoU assignment',
      caption: `Histogram (${bins} bins) of each anchor's max IoU over the gt boxes, for all anchors and for the positives (log scale). The first bin of all anchors, [0, ${1 / bins}) — the vast majority, mostly IoU 0 — is left out of the chart and kept in the data.`,
      status: 'ok',
      json: { bins, rows: iouRows },
      csv: iouRows,
      spec: {
        title: { text: 'IoU of the anchors with their best gt box', subtitle: `log scale; all anchors below IoU ${1 / bins} left out` },
        data: { values: iouRows.flatMap((r) => [
          { iou_lo: r.iou_lo, iou_hi: r.iou_hi, set: 'all anchors', count: r.iou_lo === 0 ? null : r.anchors },
          { iou_lo: r.iou_lo, iou_hi: r.iou_hi, set: 'positives', count: r.positive_anchors },
        ]).filter((r) => (r.count as number) > 0) },
        width: 420,
        height: 220,
        mark: { type: 'bar', opacity: 0.7 },
        encoding: {
          x: { field: 'iou_lo', type: 'quantitative', bin: { binned: true, step: 1 / bins }, title: 'max IoU with a gt box', scale: { domain: [0, 1] }, axis: { values: [0, 0.2, 0.4, 0.6, 0.8, 1], format: '.1f' } },
          x2: { field: 'iou_hi' },
          y: { field: 'count', type: 'quantitative', title: 'anchors', scale: { type: 'log' }, stack: null },
          color: { field: 'set', type: 'nominal', title: null },
        },
      },
    },
    {
      id: 'anchors_iou_hlr',
      title: 'IoU-HLR over the positive anchors',
      figure: 'PISA (Cao et al. 2020), §3.1 on anchors',
      caption: 'Library iouHlr per image over the positive anchors (grouped by class and gt, ranked by IoU, then by local rank within the class). Rank 0 … (#gt of the class − 1) are the best anchors of each gt: the prime samples.',
      status: 'ok',
      json: { positives: hlrRows.length, byRank: rankRows },
      csv: hlrRows,
      spec: {
        title: { text: 'IoU-HLR over the positive anchors', subtitle: 'mean IoU (line) and range (band) per rank' },
        data: { values: rankRows },
        width: 420,
        height: 220,
        layer: [
          { mark: { type: 'area', opacity: 0.25 }, encoding: { x: { field: 'hlr_rank', type: 'quantitative', title: 'IoU-HLR rank (within class, per image)' }, y: { field: 'min_iou', type: 'quantitative', title: 'IoU', scale: { domain: [0, 1] } }, y2: { field: 'max_iou' } } },
          { mark: 'line', encoding: { x: { field: 'hlr_rank', type: 'quantitative' }, y: { field: 'mean_iou', type: 'quantitative' } } },
        ],
      },
    },
  ];
}
