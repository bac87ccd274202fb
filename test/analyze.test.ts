/**
 * `soft-sampling analyze` end to end (child processes on the built CLI) and the streaming reader.
 * Expected counts were computed independently: the Cartucho positives/negatives are the TP/FP sums of
 * the upstream podm per-class table (data/cartucho-map-indoor85/expected/podm_expected_voc_iou0.5.json).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseGroundTruth, parseDetections } from '../ts/eval/input';
import { readGroundTruth, readDetections } from '../packages/cli/src/analyze/read';
import { scanJsonFile } from '../packages/cli/src/analyze/stream-json';
import { toCsv } from '../packages/cli/src/analyze/artifacts';
import { cdf } from '../packages/cli/src/analyze/focal-cdf';
import { parseCsv } from './helpers';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'packages', 'cli', 'bin', 'soft-sampling.mjs');
const DATA = join(ROOT, 'data');
const J = (p: string) => JSON.parse(readFileSync(p, 'utf8').replace(/\bNaN\b/g, 'null'));

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function readDir(dir: string): Map<string, Buffer> {
  return new Map(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f))]));
}

let tmp: string;
let bundled0: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ss-analyze-'));
  bundled0 = join(tmp, 'bundled-w0');
  const r = run(['analyze', '--out', bundled0, '--workers', '0', '-q']);
  if (r.code !== 0) throw new Error(r.stderr);
}, 240000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('bundled data (cartucho-map-indoor85)', () => {
  test('counts, evaluation and report files', () => {
    const s = J(join(bundled0, 'summary.json'));
    // the bundled inputs are named relative to the package, and flagged as the bundled data
    expect(s.inputs).toEqual({ gt: 'data/cartucho-map-indoor85/coco/groundtruths_coco.json', dets: 'data/cartucho-map-indoor85/coco/detections_coco.json', bundled: true });
    const podm = J(join(DATA, 'cartucho-map-indoor85/expected/podm_expected_voc_iou0.5.json'));
    const classes = Object.values(podm).filter((v: any) => v && typeof v === 'object') as any[];
    const tp = classes.reduce((a, c) => a + c.tp, 0), fp = classes.reduce((a, c) => a + c.fp, 0);
    expect([tp, fp]).toEqual([267, 227]);
    expect(s.counts).toEqual({ images: 85, gtBoxes: 686, crowd: 0, detections: 494, categories: 38, positives: tp, negatives: fp, ignored: 0 });
    expect(Math.abs(s.vocMAP - 0.31047718500906324)).toBeLessThan(1e-4);
    const exp = J(join(DATA, 'cartucho-map-indoor85/expected/derived_by_upstream_tools.json')).review_odm_evaluators.coco_summary;
    for (const k of Object.keys(exp)) expect(Math.abs(s.coco[k] - exp[k])).toBeLessThan(1e-4);
    const files = readdirSync(bundled0);
    for (const f of ['report.html', 'report.md', 'summary.json', 'eval_coco.json', 'eval_coco.csv', 'eval_voc.json', 'eval_voc.csv', 'samples.csv']) expect(files).toContain(f);
    expect(readdirSync(tmp).filter((f) => f.includes('.tmp-'))).toEqual([]);
    // every analysis that ran has its data, chart and report entry
    const md = readFileSync(join(bundled0, 'report.md'), 'utf8');
    const html = readFileSync(join(bundled0, 'report.html'), 'utf8');
    for (const a of s.analyses) {
      if (a.status !== 'ok') {
        expect(md).toMatch(/Not computed/);
        continue;
      }
      for (const ext of ['json', 'csv', 'svg', 'png']) expect(files).toContain(`${a.id}.${ext}`);
      expect(readFileSync(join(bundled0, `${a.id}.png`)).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(readFileSync(join(bundled0, `${a.id}.svg`), 'utf8')).toMatch(/<svg[^>]*>/);
      expect(md).toContain(`](${a.id}.png)`);
      expect(html).toContain(`id="${a.id}"`);
    }
    // the samples table: 494 rows, logits of the scores
    const rows = readFileSync(join(bundled0, 'samples.csv'), 'utf8').trim().split('\n');
    expect(rows).toHaveLength(495);
    const [head, first] = [rows[0].split(','), rows[1].split(',')];
    const score = Number(first[head.indexOf('score')]);
    expect(Number(first[head.indexOf('logit')])).toBeCloseTo(Math.log(score / (1 - score)), 12);
  });

  test('the worker pool writes byte-identical output to an in-process run', () => {
    const out = join(tmp, 'bundled-w2');
    const r = run(['analyze', '--out', out, '--workers', '2', '-q']);
    expect(r.code).toBe(0);
    const a = readDir(bundled0), b = readDir(out);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [f, buf] of a) expect(b.get(f)!.equals(buf)).toBe(true);
  }, 240000);

  test('an existing output directory is replaced only by a complete run', () => {
    const out = join(tmp, 'replace');
    expect(run(['analyze', '--out', out, '--workers', '0', '-q', '--no-png']).code).toBe(0);
    writeFileSync(join(out, 'stale.txt'), 'x');
    expect(run(['analyze', '--out', out, '--workers', '0', '-q', '--no-png']).code).toBe(0);
    expect(existsSync(join(out, 'stale.txt'))).toBe(false);
    expect(readdirSync(out).some((f) => f.endsWith('.png'))).toBe(false);
  }, 240000);
});

test('coco-val2014-100 works the same way from the command line', () => {
  const out = join(tmp, 'coco100');
  const r = run(['analyze', '--gt', join(DATA, 'coco-val2014-100/instances_val2014_100.json'), '--dets', join(DATA, 'coco-val2014-100/instances_val2014_fakebbox100_results.json'), '--out', out, '--workers', '2']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/COCO AP 0\.5046, AP50 0\.6970, AP75 0\.5730/);
  const s = J(join(out, 'summary.json'));
  expect(s.counts.images).toBe(100);
  expect(s.counts.gtBoxes).toBe(839);
  expect(s.counts.crowd).toBe(9);
  expect(s.counts.positives + s.counts.negatives + s.counts.ignored).toBe(734);
  // independent Python count (VOC greedy at 0.5, float64 IoU): 590 / 85 / 59; the 8 detections that
  // move between positive and "on a crowd region" are exact duplicates of a gt box lying inside a crowd
  // box (IoU 1 vs IoF 1: a tie that float64 rounding breaks one way and float32 the other)
  expect(s.counts.negatives).toBe(85);
  expect(s.counts.positives).toBeGreaterThanOrEqual(590);
  expect(s.counts.positives).toBeLessThanOrEqual(598);
  const exp = J(join(DATA, 'coco-val2014-100/expected_cocoeval_bbox.json')).bbox.full_precision;
  for (const k of Object.keys(exp)) expect(Math.abs(s.coco[k] - exp[k])).toBeLessThan(1e-4);
}, 240000);

describe('streaming reader', () => {
  const sets = [
    ['cartucho-map-indoor85/coco/groundtruths_coco.json', 'cartucho-map-indoor85/coco/detections_coco.json'],
    ['coco-val2014-100/instances_val2014_100.json', 'coco-val2014-100/instances_val2014_fakebbox100_results.json'],
    ['padilla-toy-examples/cats10/gts_coco_format/toy_example_coco.JSON', 'padilla-toy-examples/cats10/dets_coco_format/coco_dets.json'],
  ];
  test.each(sets)('%s: same records as JSON.parse of the whole file', (g, d) => {
    const a = parseGroundTruth(J(join(DATA, g)));
    const b = readGroundTruth(join(DATA, g));
    expect(isDeepStrictEqual(a, b)).toBe(true);
    expect(isDeepStrictEqual(parseDetections(J(join(DATA, d)), a), readDetections(join(DATA, d), b))).toBe(true);
  });

  test('chunk boundaries anywhere: strings with brackets, escapes, multi-byte characters', () => {
    const p = join(tmp, 'u.json');
    const doc = { info: { x: ['é"]}{', 1] }, categories: [{ id: 1, name: 'chaise «é» \\"x\\" 😀' }], images: [{ id: 1, file_name: 'ü].jpg' }], annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [1, 2, 3, 4.5e-1], segmentation: [[1, 2, 3]] }] };
    writeFileSync(p, JSON.stringify(doc, null, 2));
    for (const chunk of [1, 2, 3, 5, 7, 64]) {
      const got: Record<string, unknown[]> = { images: [], annotations: [], categories: [] };
      scanJsonFile(p, { keys: { images: (v) => got.images.push(v), annotations: (v) => got.annotations.push(v), categories: (v) => got.categories.push(v) } }, chunk);
      expect(got).toEqual({ images: doc.images, annotations: doc.annotations, categories: doc.categories });
    }
    const q = join(tmp, 'a.json');
    writeFileSync(q, '[1, "x,]", {"a": [1,{"b":"}"}]}, null, -2.5e3 ,true]');
    for (const chunk of [1, 3, 100]) {
      const got: unknown[] = [];
      scanJsonFile(q, { onTopElement: (v) => got.push(v) }, chunk);
      expect(got).toEqual([1, 'x,]', { a: [1, { b: '}' }] }, null, -2500, true]);
    }
  });

  test('malformed documents: line and column', () => {
    const cases: [string, RegExp][] = [
      ['[1 2]', /line 1, column 4: expected ',' or '\]' after list element 0, got '2'/],
      ['{"a":1 "b":2}', /line 1, column 8: expected ',' or '\}' after the value of "a"/],
      ['[{"a":1,}]', /line 1, column 9/],
      ['', /the file is empty/],
      ['[1,2', /unexpected end of file/],
      ['[1] x', /unexpected 'x' after the end of the document/],
      ['{\n "images": [\n  {"id": 1},\n  {"id": }\n ]}', /line 4, column \d+/],
    ];
    for (const [text, re] of cases) {
      const p = join(tmp, 'bad.json');
      writeFileSync(p, text);
      expect(() => scanJsonFile(p, { onTopElement: () => {}, keys: { images: () => {} } }, 2)).toThrow(re);
    }
  });
});

test('helpers: CSV quoting and the loss CDF', () => {
  expect(toCsv([{ a: 1, b: 'x,"y"' }, { a: null, b: 'z' }])).toBe('a,b\n1,"x,""y"""\n,z\n');
  // the tests' CSV reader gives back what the writer was given (formula-escaped text unescaped)
  const rows = [{ a: -1.5, b: '-x', c: true, d: null, e: 'q,"r"\ns', f: '=1+1' }, { a: 2e-7, b: 'ISR-P', c: false, d: 0, e: 'text', f: '+x' }];
  expect(parseCsv(toCsv(rows))).toEqual(rows);
  const c = cdf([3, 1, 0, 4]);
  expect(c.map((p) => p.fraction)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  expect(c.map((p) => p.cumulative)).toEqual([0, 0, 0.125, 0.5, 1]);
});

/** samples.csv of a run, parsed. */
function samplesOf(dir: string): { index: number; image_id: number; category_id: number; score: number; target: number; iou: number }[] {
  return parseCsv(readFileSync(join(dir, 'samples.csv'), 'utf8')) as any;
}
const analysisJson = (dir: string, id: string) => (existsSync(join(dir, `${id}.json`)) ? J(join(dir, `${id}.json`)) : null);
/** The analysis' JSON (it must have been written). */
function analysisOr(dir: string, id: string, _needs: string[]): any {
  const a = analysisJson(dir, id);
  expect(a).not.toBeNull();
  return a;
}
/** The per-sample rows of an analysis whose JSON names its CSV (`perSampleFile`), read from that CSV. */
function perSampleRows(dir: string, a: any): any[] {
  expect(a.perSampleFile).toBe(`${a.id}.csv`);
  return parseCsv(readFileSync(join(dir, a.perSampleFile), 'utf8'));
}

describe('analyses on the bundled data, checked against independent computations', () => {
  test('focal-loss CDF: share of the hardest 20 % for γ = 0 and 2 from the closed form', () => {
    const a = analysisOr(bundled0, 'focal_loss_cdf', ['sigmoidFocalLoss']);
    const s = samplesOf(bundled0);
    expect([a.positives, a.negatives]).toEqual([267, 227]);
    for (const gamma of [0, 2]) {
      for (const group of ['positive', 'negative']) {
        const losses = s.filter((x) => x.target === (group === 'positive' ? 1 : 0)).map((x) => (group === 'positive' ? -0.25 * (1 - x.score) ** gamma * Math.log(x.score) : -0.75 * x.score ** gamma * Math.log(1 - x.score)));
        const sorted = [...losses].sort((p, q) => p - q);
        const total = sorted.reduce((p, q) => p + q, 0);
        const k = Math.ceil(0.8 * sorted.length);
        const share = 1 - sorted.slice(0, k).reduce((p, q) => p + q, 0) / total;
        const curve = a.curves.find((c: any) => c.gamma === gamma && c.group === group);
        expect(Math.abs(curve.hardest20Share - share)).toBeLessThan(1e-5);
        expect(curve.points.at(-1).cumulative).toBeCloseTo(1, 6);
      }
    }
  });

  test('PISA fig. 4: the hard set is the 20 lowest-scored positives; prime = best IoU-HLR ranks', () => {
    const a = analysisOr(bundled0, 'pisa_prime_samples', ['iouHlr']);
    const rows = perSampleRows(bundled0, a);
    const s = samplesOf(bundled0).filter((x) => x.target === 1);
    expect(rows).toHaveLength(s.length);
    const hard = [...s].sort((p, q) => p.score - q.score || p.index - q.index).slice(0, 20).map((x) => x.index).sort((p, q) => p - q);
    expect(rows.filter((r: any) => r.hard).map((r: any) => r.index).sort((p: number, q: number) => p - q)).toEqual(hard);
    // IoU-HLR by hand: local rank within (image, gt) by IoU, then within the class by (local rank, −IoU)
    const gtOf = new Map<number, number>();
    const gt = J(join(DATA, 'cartucho-map-indoor85/coco/groundtruths_coco.json'));
    const det = J(join(DATA, 'cartucho-map-indoor85/coco/detections_coco.json'));
    // the matched gt of a positive = the same-class gt box of its image with the highest IoU (+1 convention)
    const iou = (p: number[], q: number[]) => {
      const w = Math.min(p[0] + p[2], q[0] + q[2]) - Math.max(p[0], q[0]) + 1, h = Math.min(p[1] + p[3], q[1] + q[3]) - Math.max(p[1], q[1]) + 1;
      if (w <= 0 || h <= 0) return 0;
      return (w * h) / ((p[2] + 1) * (p[3] + 1) + (q[2] + 1) * (q[3] + 1) - w * h);
    };
    for (const x of s) {
      const d = det[x.index];
      let best = -1, bi = -1;
      gt.annotations.forEach((g: any) => {
        if (g.image_id !== d.image_id || g.category_id !== d.category_id) return;
        const v = iou(d.bbox, g.bbox);
        if (v > best) [best, bi] = [v, g.id];
      });
      gtOf.set(x.index, bi);
    }
    const local = new Map<number, number>();
    const groups = new Map<number, typeof s>();
    for (const x of s) (groups.get(gtOf.get(x.index)!) ?? groups.set(gtOf.get(x.index)!, []).get(gtOf.get(x.index)!)!).push(x);
    for (const g of groups.values()) [...g].sort((p, q) => q.iou - p.iou || p.index - q.index).forEach((x, r) => local.set(x.index, r));
    const rank = new Map<number, number>();
    const byClass = new Map<number, typeof s>();
    for (const x of s) (byClass.get(x.category_id) ?? byClass.set(x.category_id, []).get(x.category_id)!).push(x);
    for (const c of byClass.values()) [...c].sort((p, q) => local.get(p.index)! - local.get(q.index)! || q.iou - p.iou || p.index - q.index).forEach((x, r) => rank.set(x.index, r));
    for (const r of rows) expect(r.hlr_rank).toBe(rank.get(r.index));
    const prime = [...s].sort((p, q) => rank.get(p.index)! - rank.get(q.index)! || q.iou - p.iou || p.index - q.index).slice(0, 20).map((x) => x.index).sort((p, q) => p - q);
    expect(rows.filter((r: any) => r.prime).map((r: any) => r.index).sort((p: number, q: number) => p - q)).toEqual(prime);
    expect(a.stats.prime.meanIou).toBeGreaterThan(a.stats.random.meanIou);
  });

  test('PISA fig. 2: raising true positives never lowers AP; the baseline is the evaluation', () => {
    const a = analysisOr(bundled0, 'pisa_pr_rescored', ['iouHlr']);
    const s = J(join(bundled0, 'summary.json'));
    expect(a.stats.baseline).toEqual(s.coco);
    for (const v of ['top-5 raised', 'top-25 raised']) for (const k of ['AP', 'AP50', 'AP75']) expect(a.stats[v][k]).toBeGreaterThanOrEqual(a.stats.baseline[k] - 1e-12);
    expect(a.apPerThreshold.filter((r: any) => r.variant === 'baseline')).toHaveLength(10);
    const base50 = a.apPerThreshold.find((r: any) => r.variant === 'baseline' && r.iou === 0.5).AP;
    expect(base50).toBeCloseTo(s.coco.AP50, 10);
  });

  test('weights against IoU: CARL = (0.2 + 0.8 s) normalised; focal = α(1 − s)^γ normalised', () => {
    const a = analysisOr(bundled0, 'weights_vs_iou', ['isrP']);
    const all = perSampleRows(bundled0, a);
    const s = new Map(samplesOf(bundled0).map((x) => [x.index, x]));
    const rows = (m: string) => all.filter((r: any) => r.method === m);
    if (rows('CARL').length) {
      const v = rows('CARL').map((r: any) => 0.2 + 0.8 * s.get(r.index)!.score);
      const mean = v.reduce((p: number, q: number) => p + q, 0) / v.length;
      rows('CARL').forEach((r: any, i: number) => expect(Math.abs(r.normalised_weight - v[i] / mean)).toBeLessThan(1e-5));
      expect(rows('CARL').reduce((p: number, r: any) => p + r.weight, 0)).toBeCloseTo(267, 3);
    }
    if (rows('focal (γ=2)').length) {
      const v = rows('focal (γ=2)').map((r: any) => 0.25 * (1 - s.get(r.index)!.score) ** 2);
      const mean = v.reduce((p: number, q: number) => p + q, 0) / v.length;
      rows('focal (γ=2)').forEach((r: any, i: number) => expect(Math.abs(r.normalised_weight - v[i] / mean)).toBeLessThan(1e-4));
    }
    if (rows('ISR-P').length) expect(rows('ISR-P')).toHaveLength(267);
  });

  test('weights against IoU: QFL = |IoU − s|² and VFL = IoU (normalised), in the report and summary.json', () => {
    const a = analysisOr(bundled0, 'weights_vs_iou', ['qualityFocalLoss', 'varifocalLoss']);
    const all = perSampleRows(bundled0, a);
    const s = new Map(samplesOf(bundled0).map((x) => [x.index, x]));
    const rows = (m: string) => all.filter((r: any) => r.method === m);
    expect(rows('QFL (β=2)')).toHaveLength(267);
    expect(rows('VFL')).toHaveLength(267);
    const q = rows('QFL (β=2)').map((r: any) => (r.iou - s.get(r.index)!.score) ** 2);
    const qm = q.reduce((p: number, x: number) => p + x, 0) / q.length;
    rows('QFL (β=2)').forEach((r: any, i: number) => {
      expect(Math.abs(r.weight - q[i])).toBeLessThan(1e-4);
      expect(Math.abs(r.normalised_weight - q[i] / qm)).toBeLessThan(1e-3);
    });
    const vm = rows('VFL').reduce((p: number, r: any) => p + r.iou, 0) / 267;
    rows('VFL').forEach((r: any) => {
      expect(Math.abs(r.weight - r.iou)).toBeLessThan(1e-5);
      expect(Math.abs(r.normalised_weight - r.iou / vm)).toBeLessThan(1e-4);
    });
    // VFL's weight is its IoU target: correlation 1; QFL's is not monotone in IoU
    expect(a.correlationWithIou.VFL).toBeCloseTo(1, 6);
    expect(Math.abs(a.correlationWithIou['QFL (β=2)'])).toBeLessThan(0.99);
    const summary = J(join(bundled0, 'summary.json')).analyses.find((x: any) => x.id === 'weights_vs_iou').summary.join('\n');
    for (const m of ['QFL (β=2)', 'VFL', 'focal (γ=2)', 'GHM-C', 'ISR-P', 'CARL']) expect(summary).toContain(`${m}: correlation of the weight with IoU`);
    const html = readFileSync(join(bundled0, 'report.html'), 'utf8');
    expect(html).toContain('QFL (β=2): correlation of the weight with IoU');
    expect(html).toContain('VFL: correlation of the weight with IoU');
  });

  test('per-sample tables once: the JSON of PISA fig. 4 and of the weights names its CSV and holds no rows', () => {
    const w = analysisOr(bundled0, 'weights_vs_iou', ['isrP']);
    const p = analysisOr(bundled0, 'pisa_prime_samples', ['iouHlr']);
    expect(Object.keys(w).sort()).toEqual(['caption', 'correlationWithIou', 'figure', 'id', 'means', 'perSampleFile', 'positives', 'title']);
    expect(Object.keys(p).sort()).toEqual(['caption', 'figure', 'id', 'k', 'perSampleFile', 'positives', 'stats', 'title']);
    expect([w.perSampleFile, p.perSampleFile]).toEqual(['weights_vs_iou.csv', 'pisa_prime_samples.csv']);
    expect([w.positives, p.positives, p.k]).toEqual([267, 267, 20]);
    expect(Object.keys(w.means).sort()).toEqual(['CARL', 'GHM-C', 'ISR-P', 'QFL (β=2)', 'VFL', 'focal (γ=2)']);
    // the CSVs: one row per method and positive; one per positive (the same headers as before)
    const head = (f: string) => readFileSync(join(bundled0, f), 'utf8').split('\n', 1)[0];
    expect(head('weights_vs_iou.csv')).toBe('method,index,iou,score,weight,normalised_weight');
    expect(head('pisa_prime_samples.csv')).toBe('index,image_id,category_id,score,iou,loss,hlr_rank,random,hard,prime');
    const wr = perSampleRows(bundled0, w), pr = perSampleRows(bundled0, p);
    expect(wr).toHaveLength(6 * 267);
    expect(pr).toHaveLength(267);
    // the summary in the JSON is that of the rows in the CSV
    for (const m of Object.keys(w.means)) {
      const ws = wr.filter((r) => r.method === m);
      expect(ws).toHaveLength(267);
      expect(ws.reduce((a, r) => a + r.weight, 0) / ws.length).toBeCloseTo(w.means[m], 10);
    }
    for (const set of ['random', 'hard', 'prime']) {
      const sel = pr.filter((r) => r[set] === true);
      expect(sel).toHaveLength(p.stats[set].n);
      expect(sel.reduce((a, r) => a + r.iou, 0) / sel.length).toBeCloseTo(p.stats[set].meanIou, 10);
      expect(sel.reduce((a, r) => a + r.loss, 0) / sel.length).toBeCloseTo(p.stats[set].meanLoss, 10);
    }
    // the captions (report and JSON) say where the rows are
    const md = readFileSync(join(bundled0, 'report.md'), 'utf8');
    expect(md).toContain('weights_vs_iou.csv has one row per method and positive');
    expect(md).toContain('pisa_prime_samples.csv has every positive');
    expect(p.caption).toContain('pisa_prime_samples.csv has every positive');
  });

  test('GHM density: g = |σ(x) − y| = 1 − s (positives) or s (negatives), 30 bins', () => {
    const a = analysisOr(bundled0, 'ghm_gradient_density', ['ghmcLoss']);
    const s = samplesOf(bundled0);
    const counts = new Array(30).fill(0);
    for (const x of s) counts[Math.min(29, Math.floor((x.target ? 1 - x.score : x.score) * 30))]++;
    const got = a.rows.map((r: any) => r.count);
    expect(got.reduce((p: number, q: number) => p + q, 0)).toBe(494);
    expect(got.reduce((p: number, q: number, i: number) => p + Math.abs(q - counts[i]), 0)).toBeLessThanOrEqual(2);
    expect(a.histogram.counts.reduce((p: number, q: number) => p + q, 0)).toBe(494);
  });
});

test('anchors mode: anchor counts from the image extents, positives per gt', () => {
  const out = join(tmp, 'anchors');
  const r = run(['analyze', '--out', out, '--workers', '2', '--anchors', '--no-png', '-q']);
  expect(r.code).toBe(0);
  const s = J(join(out, 'summary.json'));
  const a = analysisJson(out, 'anchors_positives_per_gt');
  expect(a).not.toBeNull();
  const gt = J(join(DATA, 'cartucho-map-indoor85/coco/groundtruths_coco.json'));
  const det = J(join(DATA, 'cartucho-map-indoor85/coco/detections_coco.json'));
  for (const im of a.images) {
    let W = 1, H = 1;
    for (const b of [...gt.annotations, ...det].filter((x: any) => x.image_id === im.imageId)) {
      W = Math.max(W, b.bbox[0] + b.bbox[2]);
      H = Math.max(H, b.bbox[1] + b.bbox[3]);
    }
    expect([im.width, im.height, im.sizeFrom]).toEqual([Math.ceil(W), Math.ceil(H), 'boxes']);
    expect(im.nAnchors).toBe([8, 16, 32, 64, 128].reduce((p, st) => p + Math.ceil(Math.ceil(H) / st) * Math.ceil(Math.ceil(W) / st) * 9, 0));
    expect(im.posPerGt.reduce((p: number, q: number) => p + q, 0)).toBe(im.nPos);
  }
  expect(a.gtBoxes).toBe(686);
  expect(a.rows.reduce((p: number, r: any) => p + r.gt_boxes, 0)).toBe(686);
  expect(a.totals.anchors).toBe(a.totals.pos + a.totals.neg + a.totals.ign);
  const hlr = analysisJson(out, 'anchors_iou_hlr');
  expect(hlr.positives).toBe(a.totals.pos);
}, 240000);

test('--backend: the evaluation and the samples are identical on native, wasm and ts', () => {
  const outs = ['native', 'wasm', 'ts'].map((b) => {
    const out = join(tmp, `be-${b}`);
    const r = run(['analyze', '--out', out, '--backend', b, '--workers', '0', '--no-png', '-q']);
    expect(r.code).toBe(0);
    expect(J(join(out, 'summary.json')).backend).toBe(b);
    return out;
  });
  for (const f of ['eval_coco.json', 'eval_voc.json', 'samples.csv', 'pisa_pr_rescored.csv']) {
    if (!existsSync(join(outs[0], f))) continue;
    const ref = readFileSync(join(outs[0], f));
    for (const o of outs.slice(1)) expect(readFileSync(join(o, f)).equals(ref)).toBe(true);
  }
}, 240000);
