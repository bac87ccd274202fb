/**
 * The analyze job's whole-set paths on flat arrays equal the per-image paths they replace, bit for
 * bit, on every backend:
 * - `vocMatchColumns` + `vocAccumulateColumns` + `buildSamplesFromColumns` = `vocMatchImage` per
 *   image + `vocAccumulate` + `buildSamples` (bundled data; with the VOC +1 convention and without;
 *   with crowd and difficult boxes);
 * - `cocoEvaluateColumnsVariants` (one `cocoEvaluateVariants` kernel call for several score arrays)
 *   = one `cocoEvaluateColumns` call per score array;
 * - CSV written from columns = `toCsv` of the same rows; columns marked `float32` as the shortest
 *   decimal that reads back as the same float32 (numtext.ts, against a `toPrecision` search).
 */
import { join } from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readGroundTruth, readDetections } from '../packages/cli/src/analyze/read';
import { groupByImage } from '../ts/eval/images';
import { vocMatchImage, vocAccumulate, vocMatchColumns, vocAccumulateColumns } from '../ts/eval/voc';
import { resolveCocoParams, cocoColumnsOfImages, cocoEvaluateColumns, cocoEvaluateColumnsVariants, type CocoEvalResult } from '../ts/eval/coco';
import { buildSamples, buildSamplesFromColumns } from '../packages/cli/src/analyze/samples';
import { perImageHlrOrder, raisedScores } from '../packages/cli/src/analyze/pisa';
import { Artifacts, toCsv } from '../packages/cli/src/analyze/artifacts';
import { writeFloat32, float32Text } from '../packages/cli/src/analyze/numtext';
import type { AnalysisContext } from '../packages/cli/src/analyze/types';
import { forEachBackend, onEveryBackend } from './helpers';
import { backendInfo, setThreads, useBackend } from '../ts';

const DATA = join(__dirname, '..', 'data', 'cartucho-map-indoor85', 'coco');
const gt = readGroundTruth(join(DATA, 'groundtruths_coco.json'));
const dets = readDetections(join(DATA, 'detections_coco.json'), gt);
const catIds = gt.categories.map((c) => c.id).sort((a, b) => a - b);

function expectSame(a: CocoEvalResult, b: CocoEvalResult): void {
  expect(a.shape).toEqual(b.shape);
  expect(Buffer.from(a.precision.buffer, a.precision.byteOffset, a.precision.byteLength).equals(Buffer.from(b.precision.buffer, b.precision.byteOffset, b.precision.byteLength))).toBe(true);
  expect(Buffer.from(a.recall.buffer, a.recall.byteOffset, a.recall.byteLength).equals(Buffer.from(b.recall.buffer, b.recall.byteOffset, b.recall.byteLength))).toBe(true);
  expect(a.stats).toEqual(b.stats);
}

forEachBackend((name) => {
  test(`VOC matches, AP and samples from flat arrays = the per-image path [${name}]`, () => {
    // some gt boxes difficult, some crowd: every branch of the matching
    const images = groupByImage(gt, dets).map((im) => ({
      ...im,
      gts: im.gts.map((g, j) => ({ ...g, difficult: (g.xywh[2] + 1) * (g.xywh[3] + 1) < 1024, crowd: j === 3 })),
    }));
    const cols = cocoColumnsOfImages(images, catIds);
    const difficult = Uint8Array.from(images.flatMap((im) => im.gts.map((g) => (g.difficult ? 1 : 0))));
    for (const legacy of [true, false]) {
      const per = images.map((im) => vocMatchImage(im, 0.5, legacy));
      const m = vocMatchColumns(cols, difficult, 0.5, legacy);
      expect([...m.tp].filter((t) => t === -1).length).toBeGreaterThan(0);
      for (const interpolation of ['all-point', '11-point'] as const) {
        const o = { iouThreshold: 0.5, interpolation };
        expect(vocAccumulateColumns(cols, cols.dtIndex, m, gt.categories, o)).toEqual(vocAccumulate(per, gt.categories, o));
      }
      const a = buildSamplesFromColumns(cols, cols.dtIndex, m, images.map((im) => im.imageId));
      const b = buildSamples(per);
      expect(a.length).toBe(b.length);
      expect(a.positives.length).toBeGreaterThan(100);
      for (const k of ['index', 'imageId', 'categoryId', 'score', 'logit', 'target', 'iou', 'gt', 'posIdx'] as const) expect(Array.from(a[k])).toEqual(Array.from(b[k]));
      expect(a.positives).toEqual(b.positives);
    }
  });

  test(`one cocoEvaluateVariants call = one cocoEvaluateColumns call per score array [${name}]`, () => {
    const images = groupByImage(gt, dets);
    const p = resolveCocoParams();
    const cols = cocoColumnsOfImages(images, catIds);
    const samples = buildSamples(images.map((im) => vocMatchImage(im, 0.5, true)));
    const order = perImageHlrOrder({ samples, images, gt, settings: {} } as unknown as AnalysisContext);
    const variants = [cols.dtScore];
    for (const k of [5, 25]) {
      const raised = raisedScores(order, k);
      variants.push(cols.dtScore.map((s, q) => raised.get(cols.dtIndex[q]) ?? s));
    }
    variants.push(cols.dtScore.map((s) => s * 0.5)); // every cell changed
    variants.push(cols.dtScore.slice()); // none changed
    const all = cocoEvaluateColumnsVariants(cols, p, variants);
    expect(all.length).toBe(5);
    variants.forEach((v, i) => expectSame(all[i], cocoEvaluateColumns(cols, p, v)));
    expect(all[1].stats.AP).not.toBe(all[0].stats.AP);
    // useCats = 0 and the VOC offset go through as well
    const p2 = { ...p, useCats: false, legacyOffset: true };
    const two = cocoEvaluateColumnsVariants(cols, p2, variants.slice(0, 2));
    two.forEach((r, i) => expectSame(r, cocoEvaluateColumns(cols, p2, variants[i])));
    expect(() => cocoEvaluateColumnsVariants(cols, p, [])).toThrow(expect.objectContaining({ code: 'E_VALUE', arg: 'variants' }));
    expect(() => cocoEvaluateColumnsVariants(cols, p, [cols.dtScore, new Float64Array(3)])).toThrow(expect.objectContaining({ code: 'E_SHAPE', arg: 'variants[1]' }));
  });
});

test('cocoEvaluateVariants on a set big enough for the native pool: the same bits for 1 and 2 threads, each variant = its own call, every backend', () => {
  // 150 images × 50 detections (D·A·T = 300k ≥ the pool's threshold), 12 categories, ties in scores
  let seed = 17;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const NI = 150, NC = 12;
  const gtImage: number[] = [], gtCat: number[] = [], gtBox: number[] = [], gtArea: number[] = [], gtCrowd: number[] = [];
  const dtImage: number[] = [], dtCat: number[] = [], dtBox: number[] = [], dtScore: number[] = [];
  for (let i = 0; i < NI; i++) {
    for (let j = 0; j < 5; j++) {
      const [x, y, w, h] = [rnd() * 400, rnd() * 400, 8 + rnd() * 150, 8 + rnd() * 150];
      const c = Math.floor(rnd() * NC);
      gtImage.push(i); gtCat.push(c); gtBox.push(x, y, w, h); gtArea.push(w * h); gtCrowd.push(rnd() < 0.03 ? 1 : 0);
      for (let q = 0; q < 10; q++) {
        dtImage.push(i); dtCat.push(rnd() < 0.8 ? c : Math.floor(rnd() * NC));
        dtBox.push(x + (rnd() - 0.5) * w * 0.4, y + (rnd() - 0.5) * h * 0.4, w * (0.7 + rnd() * 0.6), h * (0.7 + rnd() * 0.6));
        dtScore.push(Math.round(rnd() * 100) / 100);
      }
    }
  }
  const cols = {
    numImages: NI, catIds: Array.from({ length: NC }, (_, k) => k + 1), gtImage: Uint32Array.from(gtImage), gtCat: Uint32Array.from(gtCat), gtBox: Float64Array.from(gtBox),
    gtArea: Float64Array.from(gtArea), gtCrowd: Uint8Array.from(gtCrowd), dtImage: Uint32Array.from(dtImage), dtCat: Uint32Array.from(dtCat), dtBox: Float64Array.from(dtBox), dtScore: Float64Array.from(dtScore),
  };
  const p = resolveCocoParams();
  const raised = cols.dtScore.map((s, q) => (q % 9 === 0 ? 1 + (q % 5) / 5 : s)); // some cells re-ordered
  const scaled = cols.dtScore.map((s) => s * 0.5); // every cell's order kept
  const variants = [cols.dtScore, raised, scaled];
  const runs = onEveryBackend(() => cocoEvaluateColumnsVariants(cols, p, variants));
  const before = backendInfo().threads;
  try {
    useBackend('native');
    setThreads(1);
    const one = cocoEvaluateColumnsVariants(cols, p, variants);
    setThreads(2);
    const two = cocoEvaluateColumnsVariants(cols, p, variants);
    variants.forEach((v, i) => {
      expectSame(one[i], two[i]);
      expectSame(two[i], cocoEvaluateColumns(cols, p, v));
      expectSame(runs.wasm[i], two[i]);
      expectSame(runs.ts[i], two[i]);
    });
    expect(two[1].stats.AP).not.toBe(two[0].stats.AP);
  } finally {
    setThreads(before);
    useBackend('auto');
  }
});

test('CSV from columns = toCsv of the same rows (whole numbers, repeated values, non-finite cells, float32 values)', () => {
  const n = 3000;
  const index = new Uint32Array(n), target = new Uint8Array(n), g = new Float32Array(n), x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    index[i] = i * 7919;
    target[i] = i % 3 === 0 ? 1 : 0;
    g[i] = Math.fround(Math.sin(i) ** 2);
    x[i] = i % 10 === 0 ? [NaN, Infinity, -0, -3, 2 ** 32, 1e21, 1e-7][(i / 10) % 7] : i % 4 === 0 ? 0.5 : Math.cos(i) * 1e3;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ss-csv-'));
  try {
    const art = new Artifacts(join(dir, 'out'));
    art.addCsv('cols.csv', { length: n, columns: [{ name: 'index', values: index }, { name: 'target', values: target }, { name: 'g', values: g }, { name: 'g2', values: g }, { name: 'x', values: x }] });
    art.addCsv('rows.csv', (function* () {
      for (let i = 0; i < n; i++) yield { name: i % 5 === 0 ? '=cmd' : `näme ${i}`, x: x[i], ok: i % 2 === 0, none: null };
    })());
    art.commit();
    const rows = Array.from({ length: n }, (_, i) => ({ index: index[i], target: target[i], g: g[i], g2: g[i], x: x[i] }));
    expect(readFileSync(join(dir, 'out', 'cols.csv'), 'utf8')).toBe(toCsv(rows));
    const rows2 = Array.from({ length: n }, (_, i) => ({ name: i % 5 === 0 ? '=cmd' : `näme ${i}`, x: x[i], ok: i % 2 === 0, none: null }));
    expect(readFileSync(join(dir, 'out', 'rows.csv'), 'utf8')).toBe(toCsv(rows2));
    expect(toCsv(rows).split('\n')[11]).toBe(`79190,0,${String(g[10])},${String(g[10])},`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Reference of the float32 text: the fewest significant digits p ≤ 9 for which a p-digit decimal
 * reads back as the float32 `v` — the nearest (toExponential's rounding), else its other neighbour —
 * in String(number)'s layout.
 */
function float32Shortest(v: number): string {
  if (v === 0) return '0';
  for (let p = 1; p <= 9; p++) {
    const [m, ex] = v.toExponential(p - 1).split('e');
    const c = Number(m.replace('.', '')), exp = Number(ex) - (p - 1);
    const near = Number(`${c}e${exp}`);
    if (Math.fround(near) === v) return String(near);
    const far = Number(`${Math.abs(near) < Math.abs(v) === c > 0 ? c + 1 : c - 1}e${exp}`);
    if (Math.fround(far) === v) return String(far);
  }
  throw new Error(`${v} is not a float32 value`);
}

test('float32 text: the shortest decimal that reads back as the same float32, in String(number) layout', () => {
  const out = new Uint8Array(64);
  const text = (v: number) => Buffer.from(out.subarray(0, writeFloat32(out, 0, v))).toString('latin1');
  const values: number[] = [0, -0, 1, -1, 0.5, 123456789, 3e38, -1e-7, 1e-45, 2 ** -149, 3.4028234663852886e38, 1.1754943508222875e-38, 1e21, 1e22, 0.1, 0.3];
  for (let e = -45; e < 39; e++) for (const m of [1, 1.5, 2, 9.99999]) values.push(m * 10 ** e);
  for (let e = -149; e < 128; e++) values.push(2 ** e, 2 ** e * (1 + 2 ** -23), 2 ** e * (1 - 2 ** -24));
  let seed = 12345;
  const bits = new Uint32Array(1), f = new Float32Array(bits.buffer);
  for (let i = 0; i < 20000; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    bits[0] = seed;
    if (Number.isFinite(f[0])) values.push(f[0]);
    values.push(Math.sin(i) ** 2, -Math.exp(-i / 500), i / 8);
  }
  for (const x of values) {
    const v = Math.fround(x);
    if (!Number.isFinite(v)) continue;
    const t = text(v);
    expect(Math.fround(Number(t)) === v).toBe(true); // (-0 reads back as 0, as String(-0) is '0')
    expect(t).toBe(float32Shortest(v));
    expect(float32Text(v)).toBe(t);
  }
  expect(text(Math.fround(0.44371))).toBe('0.44371');
  expect(String(Math.fround(0.44371))).toBe('0.44370999932289124');
  expect(text(Math.fround(1e-7))).toBe('1e-7');
  expect(text(Math.fround(-2.5e-7))).toBe('-2.5e-7');
  expect(text(Math.fround(123456789))).toBe('123456790');
  expect(text(Math.fround(3e38))).toBe('3e+38');
});

test('CSV from columns: float32 columns as float32 text, the others as String(v); non-float32 values in a float32 column as String(v)', () => {
  const n = 2000;
  const g = new Float32Array(n), x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    g[i] = Math.fround(Math.cos(i) ** 2 * 10 ** ((i % 13) - 6));
    x[i] = i % 7 === 0 ? [NaN, 0.1, -0][(i / 7) % 3] : Math.fround(Math.sin(i));
  }
  const dir = mkdtempSync(join(tmpdir(), 'ss-csv32-'));
  try {
    const art = new Artifacts(join(dir, 'out'));
    art.addCsv('f32.csv', { length: n, columns: [{ name: 'g', values: g, float32: true }, { name: 'g64', values: g }, { name: 'x', values: x, float32: true }] });
    art.commit();
    const want = ['g,g64,x', ...Array.from({ length: n }, (_, i) => `${float32Shortest(g[i])},${String(g[i])},${Number.isNaN(x[i]) ? '' : Math.fround(x[i]) === x[i] ? float32Shortest(x[i]) : String(x[i])}`)].join('\n') + '\n';
    expect(readFileSync(join(dir, 'out', 'f32.csv'), 'utf8')).toBe(want);
    expect(want).toMatch(/,0\.1\n/); // (x[7] = 0.1 is not a float32: String(0.1))
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
