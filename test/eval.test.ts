/** AP evaluator: COCO (pycocotools semantics) and VOC, against the published values shipped in data/. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { evaluateCoco, evaluateVoc, apAllPoint, ap11Point, cocoPrCurve, cocoPerCategory, COCO_STAT_KEYS, SoftSamplingError } from '../ts/index';
import { forEachBackend, onEveryBackend, expectError } from './helpers';

const DATA = join(__dirname, '..', 'data');
const J = (p: string) => JSON.parse(readFileSync(join(DATA, p), 'utf8').replace(/\bNaN\b/g, 'null'));

const cartGt = J('cartucho-map-indoor85/coco/groundtruths_coco.json');
const cartDt = J('cartucho-map-indoor85/coco/detections_coco.json');
const cartDerived = J('cartucho-map-indoor85/expected/derived_by_upstream_tools.json');
const podm = J('cartucho-map-indoor85/expected/podm_expected_voc_iou0.5.json');
const cocoGt = J('coco-val2014-100/instances_val2014_100.json');
const cocoDt = J('coco-val2014-100/instances_val2014_fakebbox100_results.json');
const cocoExpected = J('coco-val2014-100/expected_cocoeval_bbox.json');
const padilla = J('padilla-toy-examples/expected.json');
const cats = [J('padilla-toy-examples/cats10/gts_coco_format/toy_example_coco.JSON'), J('padilla-toy-examples/cats10/dets_coco_format/coco_dets.json')];
const persons = [J('padilla-toy-examples/persons7/coco/groundtruths_coco.json'), J('padilla-toy-examples/persons7/coco/detections_coco.json')];

forEachBackend(() => {
  test('coco-val2014-100: the official pycocotools 12-number bbox summary', () => {
    const r = evaluateCoco(cocoGt, cocoDt);
    const exp = cocoExpected.bbox.full_precision;
    for (const k of COCO_STAT_KEYS) expect(Math.abs(r.stats[k] - exp[k])).toBeLessThan(1e-4);
    // and the 3-decimal printout
    for (const k of COCO_STAT_KEYS) expect(Math.round(r.stats[k] * 1000) / 1000).toBeCloseTo(cocoExpected.bbox.official_3dp[k], 6);
    expect(r.shape).toEqual({ T: 10, R: 101, K: 80, A: 4, M: 3 });
  });

  test('cartucho-map-indoor85: COCO summary of review_object_detection_metrics (pycocotools-equivalent)', () => {
    const r = evaluateCoco(cartGt, cartDt);
    const exp = cartDerived.review_odm_evaluators.coco_summary;
    for (const k of COCO_STAT_KEYS) expect(Math.abs(r.stats[k] - exp[k])).toBeLessThan(1e-4);
    expect(Math.abs(r.stats.AP50 - 0.31195) / 0.31195).toBeLessThan(0.01);
    expect(Math.abs(r.stats.ARlarge - 0.307) / 0.307).toBeLessThan(0.01);
  });

  test('cartucho-map-indoor85: VOC mAP@0.5 = 0.3104772 and every per-class AP/TP/FP (VOC +1 pixel convention)', () => {
    const r = evaluateVoc(cartGt, cartDt, { legacyOffset: true });
    expect(Math.abs(r.mAP - 0.31047718500906324)).toBeLessThan(1e-4);
    expect(r.mAP).toBeCloseTo(podm.mAP, 12);
    const withGt = r.classes.filter((c) => c.nGt > 0);
    expect(withGt).toHaveLength(30);
    for (const c of r.classes) {
      const e = podm[c.name];
      expect(e).toBeDefined();
      expect(c.tp).toBe(e.tp);
      expect(c.fp).toBe(e.fp);
      expect(c.nGt).toBe(e.num_groundtruth);
      expect(c.nDet).toBe(e.num_detection);
      if (e.ap === null) expect(c.ap).toBe(-1);
      else expect(Math.abs(c.ap - e.ap)).toBeLessThan(1e-12);
      expect(c.precision).toHaveLength(e.precision.length);
      c.precision.forEach((p, i) => expect(p).toBeCloseTo(e.precision[i], 12));
    }
    // Cartucho main.py's own printout (percent, 2 decimals)
    for (const [name, ap] of Object.entries(cartDerived.cartucho_main_py.per_class_ap_iou0_5 ?? cartDerived.cartucho_main_py['per_class_ap_iou0.5'])) {
      expect(Math.abs(r.classes.find((c) => c.name === name)!.ap - (ap as number))).toBeLessThan(5e-5 + 1e-9);
    }
    expect(Math.abs(evaluateVoc(cartGt, cartDt, { legacyOffset: true, interpolation: '11-point' }).mAP - cartDerived.review_odm_evaluators['voc_11_point_iou0.5_mAP'])).toBeLessThan(1e-4);
  });

  test('cartucho without the +1 convention: one chair detection at IoU 0.4948 turns FP', () => {
    const r = evaluateVoc(cartGt, cartDt);
    const chair = r.classes.find((c) => c.name === 'chair')!;
    expect(chair.tp).toBe(72);
    expect(Math.abs(r.mAP - 0.3104772)).toBeLessThan(5e-4);
  });

  test('padilla cats10: published 11-point and all-point AP at IoU .5 and .75', () => {
    const exp = padilla.cats10.reproduced_full_precision;
    for (const [thr, key] of [[0.5, 'iou0.5'], [0.75, 'iou0.75']] as const) {
      expect(evaluateVoc(cats[0], cats[1], { iouThreshold: thr }).mAP).toBeCloseTo(exp[key].ap_all_point, 10);
      expect(evaluateVoc(cats[0], cats[1], { iouThreshold: thr, interpolation: '11-point' }).mAP).toBeCloseTo(exp[key].ap_11_point, 10);
      expect(evaluateVoc(cats[0], cats[1], { iouThreshold: thr, legacyOffset: true }).mAP).toBeCloseTo(exp[key].ap_all_point, 10);
    }
  });

  test('padilla persons7: asserted all-point and 11-point AP at IoU .1/.3/.5/.75 (VOC +1 convention)', () => {
    const exp = padilla.persons7.asserted_by_review_odm_tests;
    for (const t of ['0.1', '0.3', '0.5', '0.75']) {
      const r = evaluateVoc(persons[0], persons[1], { iouThreshold: Number(t), legacyOffset: true });
      expect(Math.abs(r.mAP - exp.ap_all_point[t])).toBeLessThan(1e-9);
      const r11 = evaluateVoc(persons[0], persons[1], { iouThreshold: Number(t), legacyOffset: true, interpolation: '11-point' });
      expect(Math.abs(r11.mAP - exp.ap_11_point[t])).toBeLessThan(1e-9);
    }
    // IoU .1, 11-point: recall reaches exactly 9/15 = 0.6, which is below the float recall point
    // 6 · 0.1 = 0.6000000000000001 of every reference (numpy linspace/arange, MATLAB 0:0.1:1): 1/3, not 0.3689
    const r = evaluateVoc(persons[0], persons[1], { iouThreshold: 0.1, legacyOffset: true, interpolation: '11-point' });
    expect(r.mAP).toBeCloseTo(1 / 3, 12);
  });
});

test('backends agree on the COCO summary', () => {
  const r = onEveryBackend(() => evaluateCoco(cartGt, cartDt).stats);
  expect(r.native).toEqual(r.ts);
  expect(r.wasm).toEqual(r.ts);
});

describe('COCO semantics on hand-made cases', () => {
  const gt = (anns: any[], extra: any = {}) => ({
    images: [{ id: 1, width: 100, height: 100 }, { id: 2, width: 100, height: 100 }],
    categories: [{ id: 1, name: 'a' }, { id: 2, name: 'b' }],
    annotations: anns.map((a, i) => ({ id: i + 1, image_id: 1, category_id: 1, iscrowd: 0, ...a })),
    ...extra,
  });

  test('a perfect detector scores AP = AR = 1; no detections score 0', () => {
    const g = gt([{ bbox: [10, 10, 50, 50] }, { bbox: [60, 60, 30, 30] }]);
    const d = [{ image_id: 1, category_id: 1, bbox: [10, 10, 50, 50], score: 0.9 }, { image_id: 1, category_id: 1, bbox: [60, 60, 30, 30], score: 0.8 }];
    const r = evaluateCoco(g, d);
    expect(r.stats.AP).toBeCloseTo(1, 12);
    expect(r.stats.AR100).toBeCloseTo(1, 12);
    expect(r.stats.AR1).toBeCloseTo(0.5, 12);
    expect(r.stats.APsmall).toBeCloseTo(1, 12); // 30×30 < 32²
    expect(r.stats.APlarge).toBe(-1); // no large gt
    expect(evaluateCoco(g, []).stats.AP).toBe(0);
  });

  test('a crowd region absorbs duplicates without false positives and is never a positive', () => {
    const g = gt([{ bbox: [0, 0, 100, 100], iscrowd: 1 }, { bbox: [10, 10, 20, 20] }]);
    const d = [
      { image_id: 1, category_id: 1, bbox: [10, 10, 20, 20], score: 0.9 },
      { image_id: 1, category_id: 1, bbox: [50, 50, 20, 20], score: 0.95 }, // inside the crowd: ignored
      { image_id: 1, category_id: 1, bbox: [60, 60, 20, 20], score: 0.97 }, // inside the crowd: ignored
    ];
    const r = evaluateCoco(g, d);
    expect(r.stats.AP).toBeCloseTo(1, 12);
    // without the crowd flag these are two false positives ranked first: precision 1/3 at recall 1
    const g2 = gt([{ bbox: [0, 0, 100, 100], iscrowd: 0 }, { bbox: [10, 10, 20, 20] }]);
    expect(evaluateCoco(g2, d).stats.AP50).toBeLessThan(0.5);
  });

  test('maxDets: only the top-1 detection counts for AR1', () => {
    const g = gt([{ bbox: [10, 10, 20, 20] }, { bbox: [50, 50, 20, 20] }]);
    const d = [{ image_id: 1, category_id: 1, bbox: [10, 10, 20, 20], score: 0.5 }, { image_id: 1, category_id: 1, bbox: [50, 50, 20, 20], score: 0.6 }];
    const r = evaluateCoco(g, d);
    expect(r.stats.AR1).toBeCloseTo(0.5, 12);
    expect(r.stats.AR10).toBeCloseTo(1, 12);
  });

  test('area ranges use the gt area field; out-of-range unmatched detections are ignored', () => {
    const g = gt([{ bbox: [10, 10, 20, 20], area: 400 }, { bbox: [0, 0, 100, 100], area: 10000 }]);
    const d = [{ image_id: 1, category_id: 1, bbox: [10, 10, 20, 20], score: 0.9 }, { image_id: 1, category_id: 1, bbox: [0, 0, 99, 99], score: 0.8 }];
    const r = evaluateCoco(g, d);
    expect(r.stats.APsmall).toBeCloseTo(1, 12);
    expect(r.stats.APlarge).toBeCloseTo(1, 12);
    expect(r.stats.APmedium).toBe(-1);
  });

  test('PR curve and per-category AP are consistent with the summary', () => {
    const r = evaluateCoco(cartGt, cartDt);
    const pc = cocoPerCategory(r).filter((c) => c.AP > -1);
    expect(pc.reduce((s, c) => s + c.AP, 0) / pc.length).toBeCloseTo(r.stats.AP, 12);
    const curve = cocoPrCurve(r, 0);
    expect(curve.recall).toHaveLength(101);
    expect(curve.precision.reduce((s, x) => s + x, 0) / 101).toBeCloseTo(r.stats.AP50, 12);
  });

  test('property: AP is invariant to the order of the results list when scores are distinct', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 0, max: 80 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 12 }), fc.integer(), (boxes, seed) => {
        const g = gt(boxes.slice(0, Math.ceil(boxes.length / 2)).map((b) => ({ bbox: b })));
        const d = boxes.map((b, i) => ({ image_id: 1, category_id: 1, bbox: [b[0] + (i % 3), b[1], b[2], b[3]], score: (i + 1) / (boxes.length + 1) }));
        const shuffled = d.map((x, i) => [((i + 1) * (seed | 1)) >>> 0, x] as const).sort((a, b) => a[0] - b[0]).map((x) => x[1]);
        const a = evaluateCoco(g, d).stats, b = evaluateCoco(g, shuffled).stats;
        for (const k of COCO_STAT_KEYS) expect(a[k]).toBeCloseTo(b[k], 12);
      }),
      { numRuns: 40 },
    );
  });
});

describe('interpolation', () => {
  test('all-point and 11-point by hand', () => {
    expect(apAllPoint([0.5, 1], [1, 0.5])).toBeCloseTo(0.75, 12);
    expect(ap11Point([0.5, 1], [1, 0.5])).toBeCloseTo((6 * 1 + 5 * 0.5) / 11, 12);
    expect(apAllPoint([], [])).toBe(0);
  });
});

describe('bad input', () => {
  const g = { images: [{ id: 1 }], categories: [{ id: 1, name: 'a' }], annotations: [{ id: 7, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10] }] };
  test('negative box size names the record and the field', () => {
    const bad = { ...g, annotations: [{ id: 7, image_id: 1, category_id: 1, bbox: [0, 0, -1, 10] }] };
    expectError(() => evaluateCoco(bad, []), 'E_VALUE', 'gt.annotations[0] (id 7).bbox');
  });
  test('unknown image / category in the detections', () => {
    expectError(() => evaluateCoco(g, [{ image_id: 2, category_id: 1, bbox: [0, 0, 1, 1], score: 1 }]), 'E_VALUE', 'dets[0].image_id');
    expectError(() => evaluateVoc(g, [{ image_id: 1, category_id: 5, bbox: [0, 0, 1, 1], score: 1 }]), 'E_VALUE', 'dets[0].category_id');
  });
  test('missing and wrongly typed fields', () => {
    expectError(() => evaluateCoco(g, [{ image_id: 1, category_id: 1, bbox: [0, 0, 1, 1] }]), 'E_TYPE', 'dets[0].score');
    expectError(() => evaluateCoco(g, [{ image_id: 1, category_id: 1, bbox: '0,0,1,1', score: 1 }]), 'E_TYPE', 'dets[0].bbox');
    expectError(() => evaluateCoco({ images: [], annotations: [] }, []), 'E_TYPE', 'gt.categories');
    expectError(() => evaluateCoco({ images: [], categories: [] }, []), 'E_TYPE', 'gt.annotations');
    expectError(() => evaluateCoco(g, 'x'), 'E_TYPE', 'dets');
    expectError(() => evaluateCoco(g, [], { iouThrs: [2] } as any), 'E_VALUE', 'options.iouThrs[0]');
    expectError(() => evaluateVoc(g, [], { interpolation: 'x' } as any), 'E_OPTION', 'options.interpolation');
  });
  test('errors are SoftSamplingErrors with messages naming the field', () => {
    try {
      evaluateCoco(g, [{ image_id: 1, category_id: 1, bbox: [0, 0, 1, 1], score: 'high' }]);
      throw new Error('no throw');
    } catch (e) {
      expect(e).toBeInstanceOf(SoftSamplingError);
      expect((e as Error).message).toMatch(/field 'score' must be a finite number, got the string "high"/);
    }
  });
});
