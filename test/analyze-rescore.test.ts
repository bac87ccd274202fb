/**
 * PISA fig. 2 (`pisa_pr_rescored`): the analyze job evaluates the rescored sets as flat arrays in one
 * `cocoEvaluate` kernel call each (`cocoColumnsOfImages` + `cocoEvaluateColumns` with the raised
 * scores); before, it rebuilt per-image objects (`rescore`) and ran the per-image TypeScript path
 * (`cocoEvaluateImage` + `cocoAccumulate`). On the bundled data both give the same arrays, bit for
 * bit, on every backend, for the baseline and each top-k variant.
 */
import { join } from 'node:path';
import { readGroundTruth, readDetections } from '../packages/cli/src/analyze/read';
import { groupByImage } from '../ts/eval/images';
import { vocMatchImage } from '../ts/eval/voc';
import { resolveCocoParams, cocoEvaluateImage, cocoAccumulate, cocoColumnsOfImages, cocoEvaluateColumns, type CocoEvalResult } from '../ts/eval/coco';
import { buildSamples } from '../packages/cli/src/analyze/samples';
import { perImageHlrOrder, raisedScores, rescore } from '../packages/cli/src/analyze/pisa';
import type { AnalysisContext } from '../packages/cli/src/analyze/types';
import { forEachBackend } from './helpers';

const DATA = join(__dirname, '..', 'data', 'cartucho-map-indoor85', 'coco');
const gt = readGroundTruth(join(DATA, 'groundtruths_coco.json'));
const dets = readDetections(join(DATA, 'detections_coco.json'), gt);

function expectSame(a: CocoEvalResult, b: CocoEvalResult): void {
  expect(a.shape).toEqual(b.shape);
  expect(a.catIds).toEqual(b.catIds);
  expect(Buffer.from(a.precision.buffer).equals(Buffer.from(b.precision.buffer))).toBe(true);
  expect(Buffer.from(a.recall.buffer).equals(Buffer.from(b.recall.buffer))).toBe(true);
  expect(a.stats).toEqual(b.stats);
}

forEachBackend((name) => {
  test(`rescored PR: one kernel call over flat arrays = per-image objects + cocoAccumulate, baseline and top-5/25 [${name}]`, () => {
    const images = groupByImage(gt, dets);
    const p = resolveCocoParams();
    const catIds = gt.categories.map((c) => c.id).sort((a, b) => a - b);
    const samples = buildSamples(images.map((im) => vocMatchImage(im, 0.5, true)));
    const ctx = { samples, images, gt, settings: {} } as unknown as AnalysisContext;
    const order = perImageHlrOrder(ctx);
    const cols = cocoColumnsOfImages(images, catIds);
    expect(cols.dtIndex.length).toBe(494);

    const oldBase = cocoAccumulate(images.map((im) => cocoEvaluateImage(im, p)), catIds, p);
    const newBase = cocoEvaluateColumns(cols, p);
    expectSame(newBase, oldBase);

    for (const k of [5, 25]) {
      const raised = raisedScores(order, k);
      expect(raised.size).toBeGreaterThan(0);
      const scores = cols.dtScore.slice();
      for (let q = 0; q < scores.length; q++) scores[q] = raised.get(cols.dtIndex[q]) ?? scores[q];
      const oldK = cocoAccumulate(rescore(images, order, k).map((im) => cocoEvaluateImage(im, p)), catIds, p);
      const newK = cocoEvaluateColumns(cols, p, scores);
      expectSame(newK, oldK);
      // the variant is a different evaluation (the comparison above is not of two baselines)
      expect(newK.stats.AP).not.toBe(newBase.stats.AP);
    }
  });
});
