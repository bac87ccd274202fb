/**
 * Detection evaluation: COCO-style AP/AR (pycocotools semantics) and PASCAL-VOC AP, on COCO-format
 * inputs. IoUs are float64 from the input boxes, computed by the active backend (issue 15).
 */
import { SoftSamplingError, valueText } from '../errors';
import { parseGroundTruth, parseDetections, type CocoGroundTruth, type CocoDetections, type GtSet, type DetSet } from '../eval/input';
import { groupByImage } from '../eval/images';
import {
  resolveCocoParams,
  cocoEvaluateSets,
  cocoPrCurve,
  cocoPerCategory,
  type CocoEvalOptions,
  type CocoEvalResult,
} from '../eval/coco';
import { vocMatchImage, vocAccumulate, type VocEvalOptions, type VocEvalResult } from '../eval/voc';

export type { CocoGroundTruth, CocoDetections, CocoDetectionsObject, CocoDetectionIn, CocoAnnotationIn, CocoImageIn, CocoCategoryIn, GtImage, GtCategory, GtBox, DetBox } from '../eval/input';
export type { CocoEvalOptions, CocoEvalResult, CocoEvalShape, CocoStats, AreaRange, CocoParams, PrCurve, CocoCategoryStats } from '../eval/coco';
export type { VocEvalOptions, VocEvalResult, VocClassResult } from '../eval/voc';
export { COCO_STAT_KEYS, cocoPrCurve, cocoPerCategory } from '../eval/coco';
export { apAllPoint, ap11Point } from '../eval/voc';

/**
 * COCO-style bbox evaluation, reproducing pycocotools `COCOeval(gt, dt, 'bbox')` + `evaluate()`,
 * `accumulate()`, `summarize()`.
 *
 * - `gt`: a COCO dataset `{ images, annotations, categories }`; boxes `[x, y, w, h]` pixels; `area`
 *   (used for small/medium/large; default `w·h`) and `iscrowd` (0/1 or boolean) as in COCO.
 * - `dets`: a COCO results list `[{ image_id, category_id, bbox, score }]` (or `{ annotations: [...] }`).
 *   Every detection must name an image and a category of `gt`.
 * - Semantics: IoU thresholds `linspace(.5, .95, 10)`, 101 recall points, maxDets `[1, 10, 100]`,
 *   area ranges all / small (< 32²) / medium / large (≥ 96²) on the gt `area` (detections: `w·h`),
 *   crowd gt: IoU = inter / det area, never "used up", matches ignored; greedy per-image matching by
 *   score (stable ties); precision envelope sampled at the recall points (`searchsorted` left).
 * - Returns `{ stats, params, catIds, precision [T,R,K,A,M], recall [T,K,A,M], shape }`; `stats` holds
 *   the 12 summary numbers (`AP`, `AP50`, …, `ARlarge`), −1 where undefined (as pycocotools).
 *
 * Source: Lin et al. 2014 (COCO) and `cocodataset/cocoapi` PythonAPI/pycocotools/cocoeval.py.
 * Deliberate difference: pycocotools marks "matched" by storing the gt `id`, so a gt box whose id is
 * 0 can never count as a true positive there; here matches are flags, so id 0 is an ordinary id.
 * Overlaps are float64 from the input `[x, y, w, h]`, computed as pycocotools' `bbIou` does, and the
 * matching and accumulation run in the backend's `cocoEvaluate` kernel (Rust on native and wasm, a
 * TypeScript twin on ts): the 12 numbers equal pycocotools' (tested to 1e-12 on a synthetic set with
 * IoUs exactly on the thresholds; summary means use numpy's pairwise summation).
 *
 * @throws SoftSamplingError `E_TYPE` / `E_VALUE` naming the record and field of a malformed input
 *   (`gt.annotations[3] (id 17).bbox`), `E_OPTION` for an unknown option.
 */
export function evaluateCoco(gt: CocoGroundTruth | unknown, dets: CocoDetections | unknown, options?: CocoEvalOptions): CocoEvalResult {
  const p = resolveCocoParams(options);
  const g = parseGroundTruth(gt, 'gt');
  const d = parseDetections(dets, g, 'dets');
  return evaluateCocoParsed(g, d, options);
}

/**
 * {@link evaluateCoco} on inputs already validated by {@link parseGroundTruth} / {@link parseDetections}
 * (the CLI parses once and evaluates twice). Same result as {@link evaluateCoco}; source: pycocotools `COCOeval`.
 * @throws SoftSamplingError `E_OPTION` / `E_VALUE` / `E_TYPE` for bad options (the inputs are not re-validated).
 */
export function evaluateCocoParsed(g: GtSet, d: DetSet, options?: CocoEvalOptions): CocoEvalResult {
  const p = resolveCocoParams(options);
  return cocoEvaluateSets(g, d, p);
}

/**
 * PASCAL-VOC AP per class and mAP at one IoU threshold, on COCO-format inputs (boxes `[x, y, w, h]`,
 * converted to corners `x2 = x + w`; with `legacyOffset` the IoU uses VOC's `+1` widths).
 *
 * Per class: detections sorted by descending score (ties in input order); each takes the same-image,
 * same-class gt box of highest IoU; TP when IoU ≥ `iouThreshold` (default 0.5) and that box is not yet
 * matched, otherwise FP. AP: all-point interpolation (VOC2010+, default) or 11-point (VOC2007).
 * mAP: mean over classes with ground truth (classes with detections only get `ap = −1` and are left
 * out). VOC "difficult" gt (`difficult: 1`/`true` on the gt record) as the VOC devkit: matched by IoU,
 * a detection whose best box is difficult is neither TP nor FP, difficult boxes are not positives.
 * Crowd gt (`iscrowd`) keep COCO's rule: overlap `inter / det area`, likewise ignored and not counted.
 *
 * Source: Everingham et al. 2010 (VOC), `VOCdevkit` `VOCevaldet.m`; matches Cartucho/mAP `main.py`,
 * `yfpeng/object_detection_metrics` (podm) and `rafaelpadilla/review_object_detection_metrics`.
 * Returns `{ mAP, iouThreshold, interpolation, classes: [{ categoryId, name, ap, nGt, nDet, tp, fp,
 * precision[], recall[] }] }`.
 * @throws SoftSamplingError as {@link evaluateCoco}; `E_VALUE` for a threshold outside [0, 1].
 */
export function evaluateVoc(gt: CocoGroundTruth | unknown, dets: CocoDetections | unknown, options?: VocEvalOptions): VocEvalResult {
  resolveVocOptions(options);
  const g = parseGroundTruth(gt, 'gt');
  const d = parseDetections(dets, g, 'dets');
  return evaluateVocParsed(g, d, options);
}

/**
 * Validates {@link VocEvalOptions} and fills the defaults (`iouThreshold` 0.5, `'all-point'`, `legacyOffset` false).
 * @throws SoftSamplingError `E_OPTION` (unknown option or interpolation), `E_VALUE` (threshold outside [0, 1]), `E_TYPE`.
 */
export function resolveVocOptions(options?: VocEvalOptions): Required<VocEvalOptions> {
  const o = (options ?? {}) as Record<string, unknown>;
  if (typeof o !== 'object') throw new SoftSamplingError('E_TYPE', 'options', 'expected an options object');
  for (const k of Object.keys(o)) {
    if (!['iouThreshold', 'interpolation', 'legacyOffset'].includes(k)) throw new SoftSamplingError('E_OPTION', `options.${k}`, 'unknown option; known: iouThreshold, interpolation, legacyOffset');
  }
  const thr = o.iouThreshold ?? 0.5;
  if (typeof thr !== 'number' || !(thr >= 0 && thr <= 1)) throw new SoftSamplingError('E_VALUE', 'options.iouThreshold', `must be a number in [0, 1], got ${valueText(thr)}`);
  const interp = o.interpolation ?? 'all-point';
  if (interp !== 'all-point' && interp !== '11-point') throw new SoftSamplingError('E_OPTION', 'options.interpolation', `expected 'all-point' or '11-point', got ${valueText(interp)}`);
  const lo = o.legacyOffset ?? false;
  if (typeof lo !== 'boolean') throw new SoftSamplingError('E_TYPE', 'options.legacyOffset', 'must be a boolean');
  return { iouThreshold: thr, interpolation: interp, legacyOffset: lo };
}

/**
 * {@link evaluateVoc} on inputs already validated by {@link parseGroundTruth} / {@link parseDetections}.
 * Source: VOC devkit `VOCevaldet.m`, as {@link evaluateVoc}.
 * @throws SoftSamplingError as {@link resolveVocOptions} (the inputs are not re-validated).
 */
export function evaluateVocParsed(g: GtSet, d: DetSet, options?: VocEvalOptions): VocEvalResult {
  const o = resolveVocOptions(options);
  const evals = groupByImage(g, d).map((img) => vocMatchImage(img, o.iouThreshold, o.legacyOffset));
  return vocAccumulate(evals, g.categories, o);
}

export { parseGroundTruth, parseDetections };
export type { GtSet, DetSet };
