/**
 * Evaluation exact to pycocotools (issue 15) and VOC "difficult" as the devkit (issue 9 item 4).
 *
 * - A generated COCO set whose IoUs land exactly on the thresholds (bench/synth-coco.mjs --grid,
 *   500 images, 50k detections): the 12 numbers of pycocotools, computed once and committed in
 *   test/fixtures/eval/synth-grid-500x50k.pycocotools.json (with its version and the command), on
 *   every backend to ≤ 1e-12 — they are in fact equal bit for bit.
 * - VOC difficult on a hand-computed case, and on the Cartucho data against a Python transcription
 *   of the devkit's VOCevaldet.m (test/fixtures/eval/voc_devkit_difficult.py).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateCoco, evaluateVoc, COCO_STAT_KEYS, bboxOverlaps } from '../ts/index';
import { getBackend } from '../ts/registry';
import { parseGroundTruth, parseDetections } from '../ts/eval/input';
import { groupByImage } from '../ts/eval/images';
import { cocoEvaluateImage, cocoAccumulate, cocoEvaluateSets, resolveCocoParams } from '../ts/eval/coco';
import { forEachBackend, onEveryBackend, expectError } from './helpers';

const ROOT = join(__dirname, '..');
const FIX = join(__dirname, 'fixtures', 'eval');
const expected = JSON.parse(readFileSync(join(FIX, 'synth-grid-500x50k.pycocotools.json'), 'utf8'));

// the generated set: the committed command, run once for the whole file
const dir = mkdtempSync(join(tmpdir(), 'ss-synth-'));
const args = expected.generator.replace(/^node /, '').replace('DIR', dir).split(' ');
const gen = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
const raw = { gt: gen.status === 0 ? readFileSync(join(dir, 'gt.json'), 'utf8') : '', dets: gen.status === 0 ? readFileSync(join(dir, 'dets.json'), 'utf8') : '' };
rmSync(dir, { recursive: true, force: true });
const gt = raw.gt ? JSON.parse(raw.gt) : null;
const dets = raw.dets ? JSON.parse(raw.dets) : null;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('synthetic COCO set with IoUs on the thresholds (500 images, 50k detections)', () => {
  test('the generator reproduces the files pycocotools was run on', () => {
    expect(gen.stderr).toBe('');
    expect(gen.status).toBe(0);
    // if this fails, the generator changed: recompute the expected JSON with the commands it names
    expect(sha(raw.gt)).toBe(expected.sha256['gt.json']);
    expect(sha(raw.dets)).toBe(expected.sha256['dets.json']);
    expect(gt.images).toHaveLength(500);
    expect(dets).toHaveLength(50000);
  });

  test('the set does hit the thresholds: thousands of same-class pairs with IoU exactly 0.5 … 0.95', () => {
    const thr = resolveCocoParams().iouThrs;
    const k = getBackend();
    const byImg = new Map<number, { g: number[][]; d: number[][] }>();
    for (const a of gt.annotations) {
      if (!byImg.has(a.image_id)) byImg.set(a.image_id, { g: [], d: [] });
      byImg.get(a.image_id)!.g.push([...a.bbox, a.category_id]);
    }
    for (const d of dets) byImg.get(d.image_id)?.d.push([...d.bbox, d.category_id]);
    let ties = 0;
    const hit = new Set<number>();
    for (const { g, d } of byImg.values()) {
      const o = k.evalOverlaps({ dets: Float64Array.from(d.flatMap((x) => x.slice(0, 4))), gts: Float64Array.from(g.flatMap((x) => x.slice(0, 4))), crowd: new Uint8Array(g.length) }, { offset: 0 }).out;
      for (let i = 0; i < d.length; i++) {
        for (let j = 0; j < g.length; j++) {
          if (d[i][4] !== g[j][4]) continue;
          const t = thr.findIndex((x) => Math.abs(x - o[i * g.length + j]) < 1e-12);
          if (t >= 0) {
            ties++;
            hit.add(t);
          }
        }
      }
    }
    expect(ties).toBeGreaterThan(5000);
    expect(hit.size).toBe(10);
  });

  forEachBackend((name) => {
    test(`evaluateCoco equals pycocotools ${expected.pycocotools} in all 12 numbers (≤ 1e-12) [${name}]`, () => {
      const r = evaluateCoco(gt, dets);
      for (const key of COCO_STAT_KEYS) {
        const d = Math.abs(r.stats[key] - expected.stats[key]);
        if (!(d <= 1e-12)) throw new Error(`${key}: ${r.stats[key]} vs pycocotools ${expected.stats[key]} (|Δ| = ${d})`);
      }
    });

    test(`useCats: false equals pycocotools with params.useCats = 0 [${name}]`, () => {
      const r = evaluateCoco(gt, dets, { useCats: false });
      expect(r.catIds).toEqual([-1]);
      for (const key of COCO_STAT_KEYS) expect(Math.abs(r.stats[key] - expected.stats_useCats0[key])).toBeLessThanOrEqual(1e-12);
    });
  });

  test('every backend gives bit-identical precision and recall tables', () => {
    const res = onEveryBackend(() => evaluateCoco(gt, dets));
    for (const b of ['wasm', 'ts'] as const) {
      expect(Buffer.from(res[b].precision.buffer).equals(Buffer.from(res.native.precision.buffer))).toBe(true);
      expect(Buffer.from(res[b].recall.buffer).equals(Buffer.from(res.native.recall.buffer))).toBe(true);
    }
    // and real content: 10·101·80·4·3 cells, most of them defined
    expect(res.native.precision.length).toBe(10 * 101 * 80 * 4 * 3);
    expect(res.native.precision.filter((v) => v > 0).length).toBeGreaterThan(100000);
  });

  test("the CLI's per-image path (cocoEvaluateImage + cocoAccumulate) gives the same tables as the kernel", () => {
    const g = parseGroundTruth(gt), d = parseDetections(dets, g);
    for (const useCats of [true, false]) {
      const p = resolveCocoParams({ useCats });
      const kernel = cocoEvaluateSets(g, d, p);
      const catIds = useCats ? g.categories.map((c) => c.id).sort((a, b) => a - b) : [-1];
      const perImage = cocoAccumulate(groupByImage(g, d).map((img) => cocoEvaluateImage(img, p)), catIds, p);
      expect(Buffer.from(perImage.precision.buffer).equals(Buffer.from(kernel.precision.buffer))).toBe(true);
      expect(Buffer.from(perImage.recall.buffer).equals(Buffer.from(kernel.recall.buffer))).toBe(true);
      expect(perImage.stats).toEqual(kernel.stats);
    }
  });
});

describe('float64 overlaps (issue 15)', () => {
  // a pair whose float64 IoU, 0.9499999999999964, is below 0.95; from float32 corners it is 0.9500011
  const g = { images: [{ id: 1 }], categories: [{ id: 1 }], annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [606.78, 204.26, 7.4, 4.6] }] };
  const d = [{ image_id: 1, category_id: 1, bbox: [606.78, 204.26, 7.4, 4.37], score: 0.9 }];
  test('the case is real: the float32 kernel puts it on the threshold', () => {
    const xyxy = (b: number[]) => new Float32Array([b[0], b[1], b[0] + b[2], b[1] + b[3]]);
    expect((bboxOverlaps(xyxy(d[0].bbox), xyxy(g.annotations[0].bbox)).data as Float32Array)[0]).toBeGreaterThanOrEqual(0.95);
  });
  forEachBackend((name) => {
    test(`a pair just below 0.95 in float64 is not a match at 0.95, as in pycocotools [${name}]`, () => {
      const o = getBackend().evalOverlaps({ dets: Float64Array.from(d[0].bbox), gts: Float64Array.from(g.annotations[0].bbox), crowd: new Uint8Array(1) }, { offset: 0 }).out;
      expect(o[0]).toBe(0.9499999999999964);
      const r = evaluateCoco(g, d);
      // matched at 0.5 … 0.9 (9 of 10 thresholds), precision 1/(1+ε) at every recall point; the
      // value pycocotools 2.0.11 gives for this pair (its AP and AR100, printed with repr)
      expect(r.stats.AP).toBe(0.8999999999999999);
      expect(r.stats.AR100).toBe(0.9);
      expect(evaluateCoco(g, d, { iouThrs: [0.95] }).stats.AP).toBe(0);
    });
    test(`crowd overlaps are inter / det area; kernel errors are typed [${name}]`, () => {
      const o = getBackend().evalOverlaps({ dets: new Float64Array([0, 0, 10, 10]), gts: new Float64Array([5, 0, 100, 100, 5, 0, 100, 100]), crowd: new Uint8Array([0, 1]) }, { offset: 0 }).out;
      expect(Array.from(o)).toEqual([50 / (100 + 10000 - 50), 0.5]);
      const one = new Int32Array([0]);
      expectError(
        () =>
          getBackend().cocoEvaluateVariants(
            {
              gtImage: one, gtCat: one, gtBox: new Float64Array(4), gtArea: new Float64Array(1), gtCrowd: new Int32Array(1),
              dtImage: new Int32Array([3]), dtCat: one, dtBox: new Float64Array(4), dtScores: new Float64Array(1),
              iouThrs: new Float64Array([0.5]), recThrs: new Float64Array([0]), maxDets: new Int32Array([1]), areaRng: new Float64Array([0, 1e10]),
            },
            { numImages: 1, numCats: 1, numVariants: 1, useCats: true, offset: 0 },
          ),
        'E_VALUE',
        'dt_image',
      );
    });
  });
});

describe('VOC difficult, as the VOC devkit (VOCevaldet.m)', () => {
  // one class; image 1: g1 ordinary, g2 difficult; image 2: g3 ordinary
  const gtVoc = (flag: 'difficult' | 'iscrowd') => ({
    images: [{ id: 1 }, { id: 2 }],
    categories: [{ id: 1, name: 'a' }],
    annotations: [
      { id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10] },
      { id: 2, image_id: 1, category_id: 1, bbox: [20, 0, 10, 10], [flag]: 1 },
      { id: 3, image_id: 2, category_id: 1, bbox: [0, 0, 10, 10] },
    ],
  });
  const detsVoc = [
    { image_id: 1, category_id: 1, bbox: [20, 0, 10, 10], score: 0.9 }, // on g2 (difficult): ignored
    { image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.8 }, // g1: TP
    { image_id: 1, category_id: 1, bbox: [22, 0, 10, 10], score: 0.7 }, // g2 again, IoU 8/12: ignored
    { image_id: 1, category_id: 1, bbox: [1, 0, 10, 10], score: 0.6 }, // g1 again: FP (duplicate)
    { image_id: 2, category_id: 1, bbox: [0, 0, 10, 4], score: 0.5 }, // g3 at IoU 0.4: FP
    { image_id: 1, category_id: 1, bbox: [20, 0, 5, 5], score: 0.45 }, // inside g2: IoU 0.25 → FP (IoF 1 if g2 were crowd)
    { image_id: 2, category_id: 1, bbox: [0, 0, 10, 10], score: 0.4 }, // g3: TP
  ];
  forEachBackend((name) => {
    test(`hand-computed: AP = 0.5·1 + 0.5·(2/5) = 0.7, npos 2, TP 2, FP 3 [${name}]`, () => {
      const r = evaluateVoc(gtVoc('difficult'), detsVoc);
      const c = r.classes[0];
      expect(c.nGt).toBe(2);
      expect(c.tp).toBe(2);
      expect(c.fp).toBe(3);
      expect(c.nDet).toBe(7);
      expect(c.recall).toEqual([0.5, 0.5, 0.5, 0.5, 1]);
      expect(c.precision).toEqual([1, 0.5, 1 / 3, 0.25, 0.4]);
      expect(c.ap).toBeCloseTo(0.7, 15);
      expect(r.mAP).toBeCloseTo(0.7, 15);
      // the same box as a COCO crowd region: IoF, so the small box inside it is ignored too → 0.75
      const crowd = evaluateVoc(gtVoc('iscrowd'), detsVoc).classes[0];
      expect([crowd.nGt, crowd.tp, crowd.fp]).toEqual([2, 2, 2]);
      expect(crowd.ap).toBeCloseTo(0.75, 15);
      // COCO evaluation does not look at `difficult`
      const plain = gtVoc('difficult');
      plain.annotations.forEach((a) => delete (a as Record<string, unknown>).difficult);
      expect(evaluateCoco(gtVoc('difficult'), detsVoc).stats).toEqual(evaluateCoco(plain, detsVoc).stats);
    });

    test(`Cartucho data with its small boxes marked difficult: mAP and every class equal the devkit transcription [${name}]`, () => {
      const exp = JSON.parse(readFileSync(join(FIX, 'voc_difficult_cartucho.json'), 'utf8'));
      const g = JSON.parse(readFileSync(join(ROOT, 'data/cartucho-map-indoor85/coco/groundtruths_coco.json'), 'utf8'));
      const d = JSON.parse(readFileSync(join(ROOT, 'data/cartucho-map-indoor85/coco/detections_coco.json'), 'utf8'));
      let n = 0;
      for (const a of g.annotations) {
        // the fixture's rule on the txt corners (x2 = x + w): (x2 − x1 + 1)(y2 − y1 + 1) < 32²
        if ((a.bbox[2] + 1) * (a.bbox[3] + 1) < 1024) {
          a.difficult = true;
          n++;
        }
      }
      expect(n).toBe(exp.difficult_boxes);
      const r = evaluateVoc(g, d, { legacyOffset: true });
      expect(Math.abs(r.mAP - exp.mAP)).toBeLessThanOrEqual(1e-12);
      expect(r.mAP).not.toBeCloseTo(exp.mAP_without_difficult, 3);
      for (const c of r.classes) {
        const e = exp.classes[c.name];
        expect([c.nGt, c.tp, c.fp, c.nDet]).toEqual([e.npos, e.tp, e.fp, e.ndet]);
        if (e.ap === null) expect(c.ap).toBe(-1);
        else expect(Math.abs(c.ap - e.ap)).toBeLessThanOrEqual(1e-12);
      }
    });
  });

  test('a malformed difficult flag names the record and the field', () => {
    const g = gtVoc('difficult');
    (g.annotations[1] as Record<string, unknown>).difficult = 'yes';
    expectError(() => evaluateVoc(g, detsVoc), 'E_TYPE', 'gt.annotations[1] (id 2).difficult');
  });
});
