/** `soft-sampling analyze`: inputs → per-image stages (pool) → evaluation → analyses → charts → report. */
import { groupByImage } from 'soft-sampling/internal';
import { resolveCocoParams, cocoPerCategory, cocoColumnsOfImages, cocoEvaluateColumns, cocoEvaluateColumnsVariants, COCO_STAT_KEYS, type CocoEvalResult } from 'soft-sampling/internal';
import { vocMatchColumns, vocAccumulateColumns } from 'soft-sampling/internal';
import { backendInfo } from 'soft-sampling';
import { readdirSync, readFileSync } from 'node:fs';
import { Artifacts, toCsv, toJson, isCsvColumns, type Row } from './artifacts';
import { BackgroundCharts, WARM_UP } from './chart-worker';
import { readGroundTruth, readDetections } from './read';
import { readGtAs, readDetsAs, type Format, type FormatOptions } from './formats';
import { StageRunner } from './pool';
import { buildSamplesFromColumns, sampleColumns } from './samples';
import type { AnalysisContext, AnalysisOutput, AnalyzeSettings } from './types';
import { focalCdf } from './focal-cdf';
import { ghmDensity, ghmReweighted } from './ghm';
import { pisaPrimeSamples, pisaPrRescored, perImageHlrOrder, raisedScores } from './pisa';
import { weightsVsIou } from './weights-iou';
import { anchorsReport } from './anchors';
import type { AnchorImageStats, AnchorParams } from './anchors-stage';
import { reportHtml, reportMarkdown } from './report';
import { checkInputs } from './warnings';
import { readDense, denseAnalyses } from './dense';
import { BackgroundWriter, buffersOf, isRowTable, rowsOfTable, toRowTable, tableBuffers, threadCpuMs, type WriteJob } from './writer';

export interface AnalyzeOptions extends AnalyzeSettings {
  gt: string;
  dets: string;
  /** Input formats (default coco) and the options of the yolo / txt readers. */
  gtFormat?: Format;
  detsFormat?: Format;
  formatOptions?: FormatOptions;
  /** Label shown for the inputs (the bundled data's relative path). */
  gtLabel?: string;
  detsLabel?: string;
  bundled: boolean;
  out: string;
  workers: number;
  backend: string;
  anchors: boolean;
  png: boolean;
  workerFile?: string | URL;
  /**
   * Draw the charts on a thread of their own (see chart-worker.ts; needs `workerFile`); default
   * false: on the writer thread (see {@link BackgroundWriter.chart}), or in this thread without `workerFile`.
   */
  chartThread?: boolean;
  /** Progress callbacks (the CLI's bar). */
  progress?: { start(total: number, label: string): void; update(done: number): void; stop(): void };
  log?: (line: string) => void;
  /** Called once per warning about the inputs (the CLI prints them on stderr); they are also in the report. */
  warn?: (line: string) => void;
  /** Called with each note about an empty input (also in the report). */
  note?: (line: string) => void;
}

export interface AnalyzeSummary {
  out: string;
  files: string[];
  coco: CocoEvalResult['stats'];
  vocMAP: number;
  positives: number;
  negatives: number;
}

function cocoRows(res: CocoEvalResult, names: Map<number, string>): Row[] {
  return cocoPerCategory(res).map((c) => ({ category_id: c.categoryId, name: names.get(c.categoryId) ?? '', AP: c.AP, AP50: c.AP50, AP75: c.AP75, AR100: c.AR }));
}

/** Number of inline data rows of a Vega-Lite spec (0: nothing to draw; vega cannot size an empty chart). */
function chartRows(spec: Record<string, unknown>): number {
  const d = spec.data as { values?: unknown[] } | undefined;
  return Array.isArray(d?.values) ? d!.values.length : 1;
}

/** SOFT_SAMPLING_MEMLOG=1: elapsed and CPU time, resident and heap memory at each stage, on stderr (for bench/analyze-scale.mjs). */
const memlog = (stage: string) => {
  if (!process.env.SOFT_SAMPLING_MEMLOG) return;
  (globalThis as { gc?: () => void }).gc?.(); // live memory when run with --expose-gc
  const m = process.memoryUsage();
  const u = process.cpuUsage();
  process.stderr.write(`[mem] ${stage.padEnd(22)} ${(performance.now() / 1000).toFixed(1).padStart(6)} s  cpu ${((u.user + u.system) / 1e6).toFixed(2).padStart(6)} s (main thread ${(threadCpuMs() / 1e3).toFixed(2)} s)  rss ${(m.rss / 2 ** 20).toFixed(0).padStart(5)} MiB (peak ${(process.resourceUsage().maxRSS / 1024).toFixed(0).padStart(4)})  heap ${(m.heapUsed / 2 ** 20).toFixed(0).padStart(5)} MiB  external ${((m.external + m.arrayBuffers) / 2 ** 20).toFixed(0).padStart(4)} MiB\n`);
};

/** SOFT_SAMPLING_MEMLOG=1: CPU time of every thread of the process so far, by thread name (Linux /proc), on stderr. */
function threadsCpuLog(): void {
  try {
    const byName = new Map<string, number>();
    for (const tid of readdirSync('/proc/self/task')) {
      const name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      byName.set(name, (byName.get(name) ?? 0) + ns / 1e9);
    }
    process.stderr.write(`[threads] ${[...byName].sort((a, b) => b[1] - a[1]).map(([n, s]) => `${n} ${s.toFixed(2)} s`).join(', ')}\n`);
    const each = readdirSync('/proc/self/task').map((tid) => [readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim(), Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e9] as const);
    process.stderr.write(`[threads] each (main first): ${each.filter(([, t]) => t >= 0.05).map(([n, t]) => `${n} ${t.toFixed(2)} s`).join(', ')}\n`);
  } catch {
    // not Linux
  }
}

/** SOFT_SAMPLING_MEMLOG=1: the CPU time of one step (a file written, a chart drawn), on stderr: this thread's (Linux), else the whole process's. */
async function timed<T>(label: string, f: () => T | Promise<T>): Promise<T> {
  if (!process.env.SOFT_SAMPLING_MEMLOG) return f();
  const t0 = threadCpuMs();
  const u0 = process.cpuUsage();
  const r = await f();
  const u = process.cpuUsage(u0);
  const own = threadCpuMs() - t0;
  process.stderr.write(`[cpu]   ${label.padEnd(36)} ${(Number.isNaN(own) ? (u.user + u.system) / 1e3 : own).toFixed(0).padStart(6)} ms${Number.isNaN(own) ? ' (process)' : ''}, process ${((u.user + u.system) / 1e3).toFixed(0).padStart(6)} ms\n`);
  return r;
}

/** An analysis's CSV columns when its rows are an empty array (its header then comes from them). */
const emptyCsvColumns = (a: AnalysisOutput): string[] | undefined => (Array.isArray(a.csv) && a.csv.length === 0 ? a.csvColumns : undefined);

export async function runAnalyze(o: AnalyzeOptions): Promise<AnalyzeSummary> {
  memlog('start');
  // the big per-sample files are formatted and written by a worker thread while this one goes on;
  // the charts are drawn there too (by default), and it starts now: it loads and warms up vega while
  // the inputs are read. (A chart thread of its own, `chartThread`, costs the heap of a third
  // isolate: +33 MiB of peak RSS on the 500k-detection set, 40–90 MiB in earlier runs; the writer's
  // thread has the time: ~1.6 s of writes against the main thread's ~4.5 s.)
  const writer = new BackgroundWriter(o.workerFile, process.env.SOFT_SAMPLING_MEMLOG ? (l) => process.stderr.write(l + '\n') : undefined);
  const charts = o.chartThread ? new BackgroundCharts(o.workerFile, o.png) : null;
  if (!charts && o.workerFile) writer.chart(WARM_UP, 'warm-up', o.png); // (its result and any error are ignored)
  const render = (spec: Record<string, unknown>, id: string) => (charts ? charts.render(spec, id) : writer.chart(spec, id, o.png));
  try {
    return await analyzeWith(o, writer, render, async () => {
      await charts?.close();
    });
  } finally {
    await writer.close();
    await charts?.close();
  }
}

async function analyzeWith(
  o: AnalyzeOptions,
  writer: BackgroundWriter,
  render: (spec: Record<string, unknown>, id: string) => Promise<{ svg: string; png?: Uint8Array; heapMiB?: number; cpuMs?: number }>,
  chartsDone: () => Promise<void>,
): Promise<AnalyzeSummary> {
  const files = { gt: o.gtLabel ?? o.gt, dets: o.detsLabel ?? o.dets };
  const gtSet = readGtAs(o.gtFormat ?? 'coco', o.gt, o.formatOptions ?? {}, readGroundTruth);
  // the normalised detections live on only inside the per-image groups
  const images = (() => {
    const detSet = readDetsAs(o.detsFormat ?? 'coco', o.dets, gtSet, o.formatOptions ?? {}, readDetections);
    return groupByImage(gtSet, detSet);
  })();
  memlog('inputs read');
  const nDets = images.reduce((a, im) => a + im.dets.length, 0);
  const checks = checkInputs(gtSet, images);
  for (const w of checks.warnings) o.warn?.(w);
  for (const n of checks.emptyInputs) o.note?.(n);
  const cocoParams = resolveCocoParams();
  const catIds = gtSet.categories.map((c) => c.id).sort((a, b) => a - b);
  const names = new Map(gtSet.categories.map((c) => [c.id, c.name] as [number, string]));
  const runner = new StageRunner({ workers: o.workers, backend: o.backend, workerFile: o.workerFile, onProgress: (d) => o.progress?.update(d) });
  const art = new Artifacts(o.out);
  let ok = false;
  try {
    // 1. evaluation, on the whole set in flat arrays (no per-image objects). VOC: greedy matching in
    // this thread (the samples come from it). COCO: one call of the backend's cocoEvaluateVariants
    // kernel for the baseline and the PISA fig. 2 variants (the same boxes with the top-k IoU-HLR
    // positives of each image raised, which need the samples): the cells a variant leaves unchanged
    // are matched once.
    // (released after the PISA fig. 2 variants, the last use: the flat arrays are the run's biggest)
    let cols: ReturnType<typeof cocoColumnsOfImages> | null = cocoColumnsOfImages(images, catIds);
    // from here on the detections live in these flat arrays (≈ 60 bytes each); the per-detection
    // objects are dropped (kept only for the anchor statistics, which need them for image sizes)
    if (!o.anchors) for (const im of images) im.dets = [];
    const gtDifficult = new Uint8Array(cols.gtImage.length);
    let gq = 0;
    for (const im of images) for (const g of im.gts) gtDifficult[gq++] = g.difficult ? 1 : 0;
    let match: ReturnType<typeof vocMatchColumns> | null = vocMatchColumns(cols, gtDifficult, 0.5, o.legacyOffset);
    memlog('matched');
    const samples = buildSamplesFromColumns(cols, cols.dtIndex, match, images.map((im) => im.imageId));
    const ignored = nDets - samples.length;
    // the samples and then the VOC evaluation go to the writer as soon as each is made (samples.csv,
    // the longer to write, first: the writer thread starts on it while this one accumulates the VOC
    // evaluation; it works through both during the COCO evaluation). The samples' columns are copied
    // (the analyses still need them); the PR arrays move there (as float64 arrays: the same numbers,
    // the same JSON)
    {
      // the analyses read only index and target (copied) and the logits as float32 (made now);
      // the other columns move to the writer (transferred: they are empty here from now on)
      sampleColumns(samples);
      const columns = [
        { name: 'index', values: samples.index.slice() }, { name: 'image_id', values: samples.imageId }, { name: 'category_id', values: samples.categoryId },
        { name: 'score', values: samples.score }, { name: 'logit', values: samples.logit }, { name: 'target', values: samples.target.slice() }, { name: 'iou', values: samples.iou },
      ];
      writer.submit('samples.csv', [{ kind: 'csv', path: art.reserve('samples.csv'), rows: { length: samples.length, columns } }], buffersOf(...columns.map((c) => c.values)));
    }
    const voc = vocAccumulateColumns(cols, cols.dtIndex, match, gtSet.categories, { iouThreshold: 0.5, interpolation: 'all-point' });
    match = null;
    {
      const classes = voc.classes.map((c) => ({ ...c, precision: Float64Array.from(c.precision), recall: Float64Array.from(c.recall) }));
      writer.submit('eval_voc.json', [{ kind: 'json', path: art.reserve('eval_voc.json'), value: { mAP: voc.mAP, iouThreshold: voc.iouThreshold, interpolation: voc.interpolation, legacyOffset: o.legacyOffset, classes } }], buffersOf(...classes.flatMap((c) => [c.precision, c.recall])));
      for (const c of voc.classes) {
        // the per-class PR arrays are in eval_voc.json; the report needs the APs only
        (c as { precision?: unknown }).precision = [];
        (c as { recall?: unknown }).recall = [];
      }
    }
    memlog('evaluated, samples');
    const settings: AnalyzeSettings = { gammas: o.gammas, alpha: o.alpha, ghmBins: o.ghmBins, pisaK: o.pisaK, topK: o.topK, seed: o.seed, legacyOffset: o.legacyOffset };
    // an analysis's data files go to the writer (one message: rows shared by the JSON and the CSV are copied once)
    const sent = new WeakSet<AnalysisOutput>();
    const sendData = (a: AnalysisOutput) => {
      // big arrays of row objects travel as columns (RowTable: moved, not cloned object by object)
      const csvTable = isRowTable(a.csv) ? a.csv : toRowTable(a.csv);
      const doc: Record<string, unknown> = { id: a.id, title: a.title, figure: a.figure, caption: a.caption, ...(a.json as object) };
      const tables = csvTable ? [csvTable] : [];
      for (const k of Object.keys(doc)) {
        const v = doc[k];
        const t = v === a.csv ? csvTable : isRowTable(v) ? v : toRowTable(v);
        if (t) {
          doc[k] = t;
          if (t !== csvTable) tables.push(t);
        }
      }
      const jobs: WriteJob[] = [{ kind: 'json', path: art.reserve(`${a.id}.json`), value: doc }];
      if (a.csv) jobs.push({ kind: 'csv', path: art.reserve(`${a.id}.csv`), rows: csvTable ?? (isCsvColumns(a.csv) || Array.isArray(a.csv) ? a.csv : [...(a.csv as Iterable<Row>)]), columns: emptyCsvColumns(a) });
      const owned = [...(isCsvColumns(a.csv) ? buffersOf(...a.csv.columns.filter((c) => c.owned).map((c) => c.values)) : []), ...tables.flatMap(tableBuffers)];
      writer.submit(`${a.id}.json/.csv`, jobs, owned);
      sent.add(a);
      a.json = undefined;
      a.hasCsv = !!a.csv;
      a.csv = undefined;
    };
    // 3. analyses (all but PISA fig. 2 need only the samples)
    const needs: [typeof focalCdf, string | null][] = [];
    const analyses: AnalysisOutput[] = [];
    const nPos = samples.positives.length;
    const noSamples = nDets === 0 ? 'no detections (the detections list is empty)' : samples.length === 0 ? 'no samples (every detection lies on a crowd region)' : null;
    const noPositives = noSamples ?? (nPos > 0 ? null : gtSet.boxes.length === 0 ? 'no positives (the ground truth has no annotations)' : 'no positives (no detection matched a gt box of its class at IoU ≥ 0.5)');
    const noGt = gtSet.boxes.length === 0 ? 'no gt boxes (precision and recall are undefined)' : null;
    needs.push([focalCdf, noSamples], [ghmDensity, noSamples], [ghmReweighted, noSamples], [pisaPrimeSamples, noPositives], [pisaPrRescored, noGt], [weightsVsIou, noPositives]);
    // each analysis's files are written as soon as it is computed, and its data dropped; its chart
    // is drawn on the chart thread meanwhile (all of them are awaited before the report)
    const svgs = new Map<string, string>();
    const drawn: Promise<{ id: string; svg: string; png?: Uint8Array }>[] = [];
    const emit = async (a: AnalysisOutput, slot = analyses.length) => {
      if (a.status === 'ok' && a.spec && chartRows(a.spec) === 0) {
        a.status = 'empty';
        a.missing ??= 'no data points to draw';
      }
      if (!sent.has(a)) await timed(`${a.id} data (to the writer)`, () => sendData(a));
      if (a.spec && a.status === 'ok') {
        const id = a.id;
        const t0 = performance.now();
        // (the files are written once every chart is back, never after a failed run has cleaned up)
        const done = render(a.spec, id).then((r) => {
          if (process.env.SOFT_SAMPLING_MEMLOG) process.stderr.write(`[chart]  ${id.padEnd(36)} ${(performance.now() - t0).toFixed(0).padStart(6)} ms wall from request${r.cpuMs === undefined ? '' : `, ${r.cpuMs.toFixed(0).padStart(6)} ms CPU`} (${r.heapMiB === undefined ? 'this thread' : `${o.chartThread ? 'chart' : 'writer'} thread; its heap ${r.heapMiB.toFixed(0)} MiB`})\n`);
          return { id, ...r };
        });
        done.catch(() => undefined); // awaited below
        drawn.push(done);
        art.add(`${a.id}.vl.json`, toJson(a.spec));
      }
      a.spec = undefined;
      analyses[slot] = a;
      memlog(a.id);
      // one turn of the event loop: the writer thread's "done" messages are seen here, so it is handed
      // its next queued job now rather than after the last analysis
      await new Promise((r) => setImmediate(r));
    };
    const finish = async (fn: typeof focalCdf, a: AnalysisOutput) => {
      const i = needs.findIndex(([f]) => f === fn);
      const missing = needs[i][1];
      if (missing) {
        a.status = 'empty';
        a.missing = missing;
      }
      await emit(a, i);
    };
    // GHM fig. 3 needs the samples only: its per-sample file, the longest to format, goes to the
    // writer now, so that it is written during the COCO evaluation (reported in its place)
    const samplesCtx = { samples, images, gt: gtSet, settings } as AnalysisContext;
    await finish(ghmReweighted, await timed('ghmReweighted (compute)', () => ghmReweighted(samplesCtx)));
    // the scores of each variant: detection index → column position, then the raised scores put in
    const slotOf = new Int32Array(cols.dtIndex.reduce((m, x) => Math.max(m, x + 1), 0)).fill(-1);
    cols.dtIndex.forEach((x, q) => (slotOf[x] = q));
    const scoresWith = (raised: ReadonlyMap<number, number>) => {
      const scores = cols!.dtScore.slice();
      for (const [index, v] of raised) if (index < slotOf.length && slotOf[index] >= 0) scores[slotOf[index]] = v;
      return scores;
    };
    const order = await timed('perImageHlrOrder', () => perImageHlrOrder({ samples, images, gt: gtSet, settings } as AnalysisContext));
    const raisedKs = await timed('raisedScores', () => o.topK.map((k) => ({ k, raised: raisedScores(order, k) })));
    const variantKs = raisedKs.filter((v) => v.raised.size > 0);
    const evals = await timed(`cocoEvaluateColumnsVariants (${1 + variantKs.length} variants)`, () => cocoEvaluateColumnsVariants(cols!, cocoParams, [cols!.dtScore, ...variantKs.map((v) => scoresWith(v.raised))]));
    const coco = evals[0];
    const rescored = new Map<number, CocoEvalResult>(raisedKs.map((v) => [v.k, v.raised.size > 0 ? evals[1 + variantKs.indexOf(v)] : coco]));
    memlog('coco evaluated');
    // from here on the writer thread is handed one file at a time (it has the charts to draw in
    // between): the files of the last analyses stay in the queue, for this thread to write once it has
    // nothing left to compute (writer.help below) while the writer thread draws the last charts
    writer.inFlight = 1;
    // COCO evaluation of the same detections with other raised scores: one more kernel call
    const evaluateRaised = async (raised: ReadonlyMap<number, number>) => (raised.size === 0 ? coco : cocoEvaluateColumns(cols!, cocoParams, scoresWith(raised)));
    const ctx: AnalysisContext = { samples, images, gt: gtSet, settings, cocoBaseline: coco, evaluateRaised, rescored };

    // 2. evaluation outputs
    art.add('eval_coco.json', toJson({ stats: coco.stats, params: { iouThrs: coco.params.iouThrs, maxDets: coco.params.maxDets, areaRanges: coco.params.areaRanges }, perCategory: cocoRows(coco, names) }));
    art.add('eval_coco.csv', toCsv([...COCO_STAT_KEYS.map((k) => ({ category_id: 'all', name: k, AP: coco.stats[k], AP50: '', AP75: '', AR100: '' } as Row)), ...cocoRows(coco, names)]));
    const vocRows: Row[] = voc.classes.map((c) => ({ category_id: c.categoryId, name: c.name, ap: c.ap, n_gt: c.nGt, n_det: c.nDet, tp: c.tp, fp: c.fp }));
    art.add('eval_voc.csv', toCsv(vocRows));

    // the other analyses, in the report's order; each chart is drawn on the chart thread while
    // the next analysis is computed
    for (const [fn] of needs) {
      if (fn === ghmReweighted) continue;
      const a = await timed(`${fn.name} (compute)`, () => fn(ctx));
      if (fn === pisaPrRescored) {
        // the variants' tables and the flat arrays are no longer needed (tens of MB)
        ctx.rescored = undefined;
        rescored.clear();
        evals.length = 1; // the baseline stays (the report's tables)
        cols = null;
      }
      await finish(fn, a);
    }
    const anchorParams: AnchorParams = { posIouThr: 0.5, negIouThr: 0.4, minPosIou: 0, bins: 20 };
    if (o.anchors) {
      o.progress?.start(images.length, 'anchors');
      const st = await runner.run<AnchorImageStats>({ kind: 'anchors', anchors: anchorParams }, images, 4);
      o.progress?.stop();
      for (const a of anchorsReport(st, anchorParams)) await emit(a);
    }

    // nothing left to compute here: this thread writes the files still queued for the writer thread
    // (the last first) while that thread draws the charts and works through the front of the queue
    await timed('queued files (in this thread)', () => writer.help());
    const drawnCharts = await timed('waiting for the charts', () => Promise.all(drawn));
    await chartsDone(); // a chart thread's heap goes before the report is put together (the run's peak RSS)
    for (const { id, svg, png } of drawnCharts) {
      svgs.set(id, svg);
      art.add(`${id}.svg`, svg);
      if (png) art.add(`${id}.png`, png);
    }
    memlog('charts');
    // 5. report and summary
    const info = backendInfo();
    const backend = `${info.active} (${info.simd})`;
    const counts = {
      images: images.length,
      gtBoxes: gtSet.boxes.length,
      crowd: gtSet.boxes.filter((b) => b.crowd).length,
      detections: nDets,
      categories: gtSet.categories.length,
      positives: samples.positives.length,
      negatives: samples.length - samples.positives.length,
      ignored,
    };
    const settingsLines = [
      `focal γ ∈ {${o.gammas.join(', ')}}, α = ${o.alpha}; GHM-C ${o.ghmBins} bins, momentum 0; PISA fig. 4: ${o.pisaK} samples per set, seed ${o.seed}; PISA fig. 2: top-${o.topK.join(' / top-')} per image`,
      `VOC matching IoU ${o.legacyOffset ? 'with the VOC +1 pixel convention (inclusive integer corners, as the bundled Cartucho boxes are)' : 'without a +1 pixel offset (COCO convention)'}; COCO evaluation: pycocotools semantics, no offset`,
      'COCO evaluation: one call of the backend’s cocoEvaluateVariants kernel over the whole set for the baseline and the PISA fig. 2 variants (the same boxes with the raised scores; the image–category cells a variant leaves unchanged are matched once); VOC matching over the whole set in flat arrays in the main thread; the anchor statistics (`--anchors`) run on a worker pool (`--workers`), byte-identical for any number of workers',
    ];
    const rin = { title: 'soft-sampling analyze — report', inputs: { gt: files.gt, dets: files.dets, bundled: o.bundled }, counts, warnings: checks.warnings, notes: checks.notes, backend, settingsLines, coco, voc, analyses, svgs, png: o.png };
    art.add('report.md', reportMarkdown(rin));
    art.add('report.html', reportHtml(rin));
    art.add('summary.json', toJson({ inputs: o.bundled ? { ...files, bundled: true } : files, backend: info.active, counts, warnings: checks.warnings, notes: checks.notes, coco: coco.stats, vocMAP: voc.mAP, analyses: analyses.map((a) => ({ id: a.id, status: a.status, ...(a.missing ? { missing: a.missing } : {}), summary: a.summary ?? [] })) }));
    await timed('waiting for the writer', () => writer.drain());
    art.commit();
    ok = true;
    memlog('written');
    if (process.env.SOFT_SAMPLING_MEMLOG) threadsCpuLog();
    return { out: o.out, files: [...art.files].sort(), coco: coco.stats, vocMAP: voc.mAP, positives: counts.positives, negatives: counts.negatives };
  } finally {
    await writer.close(); // before the temporary directory may be removed
    if (!ok) art.abort();
    o.progress?.stop();
    await runner.close();
  }
}

export interface DenseOptions extends AnalyzeSettings {
  dense: string;
  denseLabel?: string;
  out: string;
  png: boolean;
}

/** `analyze --dense FILE`: a dense head's per-anchor outputs → the papers' figures over all anchors (see dense.ts). */
export async function runDenseAnalyze(o: DenseOptions): Promise<{ out: string; files: string[]; counts: Record<string, number>; summary: string[] }> {
  const d = readDense(o.dense);
  const settings: AnalyzeSettings = { gammas: o.gammas, alpha: o.alpha, ghmBins: o.ghmBins, pisaK: o.pisaK, topK: o.topK, seed: o.seed, legacyOffset: o.legacyOffset };
  const { analyses, counts } = await denseAnalyses(d, settings);
  const art = new Artifacts(o.out);
  let ok = false;
  try {
    const svgs = new Map<string, string>();
    for (const a of analyses) {
      if (a.status === 'ok' && a.spec && chartRows(a.spec) === 0) {
        a.status = 'empty';
        a.missing ??= 'no data points to draw';
      }
      art.add(`${a.id}.json`, toJson({ id: a.id, title: a.title, figure: a.figure, caption: a.caption, ...(a.json as object) }));
      a.hasCsv = !!a.csv;
      if (a.csv) art.addCsv(`${a.id}.csv`, isRowTable(a.csv) ? rowsOfTable(a.csv) : a.csv, emptyCsvColumns(a));
      if (a.spec && a.status === 'ok') {
        const { renderChart } = await import('./chart');
        const { svg, png } = await renderChart(a.spec, { png: o.png });
        svgs.set(a.id, svg);
        art.add(`${a.id}.svg`, svg);
        art.add(`${a.id}.vl.json`, toJson(a.spec));
        if (png) art.add(`${a.id}.png`, png);
      }
      a.json = a.csv = a.spec = undefined;
    }
    const info = backendInfo();
    const label = o.denseLabel ?? o.dense;
    const countsLine = `${counts.images} images × ${counts.anchorsPerImage} anchors × ${counts.classes} classes, ${counts.gtBoxes} gt boxes → ${counts.positiveAnchors} positive, ${counts.negativeAnchors} negative, ${counts.ignoredAnchors} ignored anchors; ${counts.samples} binary samples, ${counts.positiveSamples} positive.`;
    const methodNotes = [
      'Samples are every (anchor, class) element of the dense classification head, as RetinaNet’s sigmoid loss sees them — not post-NMS detections.',
      'Anchors are assigned to the gt boxes of their image with the library’s maxIouAssign (positive at IoU ≥ 0.5, negative below 0.4, ignored in between, minPosIou 0, best-anchor rule); an element’s target is 1 for its positive anchor’s gt class, else 0; ignored anchors are left out.',
      'Losses, gradients and weights come from the soft-sampling library itself (sigmoidFocalLoss, sigmoidCrossEntropy, ghmcLoss, iouHlr, delta2bbox) on the backend named above.',
    ];
    const settingsLines = [`focal γ ∈ {${o.gammas.join(', ')}}, α = ${o.alpha}; GHM-C ${o.ghmBins} bins, momentum 0; easy negatives: σ(x) < 0.1`];
    const rin = { title: 'soft-sampling analyze --dense — report', inputs: { gt: label, dets: label, bundled: false }, countsLine, methodNotes, backend: `${info.active} (${info.simd})`, settingsLines, analyses, svgs, png: o.png, counts: undefined as never };
    art.add('report.md', reportMarkdown(rin).replace(/Ground truth: `[^`]*`  \nDetections: `[^`]*`  /, `Dense head outputs: \`${label}\`  `));
    art.add('report.html', reportHtml(rin).replace(/<p>Ground truth: <code>[^<]*<\/code><br>Detections: <code>[^<]*<\/code>/, `<p>Dense head outputs: <code>${label.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</code>`));
    const summary = analyses.flatMap((a) => a.summary ?? []);
    art.add('summary.json', toJson({ mode: 'dense', inputs: { dense: label }, backend: info.active, counts, analyses: analyses.map((a) => ({ id: a.id, status: a.status, ...(a.missing ? { missing: a.missing } : {}), summary: a.summary ?? [] })) }));
    art.commit();
    ok = true;
    return { out: o.out, files: [...art.files].sort(), counts, summary };
  } finally {
    if (!ok) art.abort();
  }
}
