/**
 * Task-aligned assigner (Feng et al., "TOOD: Task-aligned One-stage Object Detection", ICCV 2021,
 * arXiv 2108.07755, Sec. 3.2, eqs. 3–4) in both variants people run: `'tood'` — mmdetection
 * `TaskAlignedAssigner(topk=13)` + `TOODHead._get_targets_single` (v3.x); `'yolov8'` — ultralytics
 * `TaskAlignedAssigner.forward` (`ultralytics/utils/tal.py`) as YOLOv8's detection loss builds it.
 * Spec `modern-methods.md` §7 (where the two differ, and where they differ from the paper).
 */
import { getBackend } from '../registry';
import { SoftSamplingError } from '../errors';
import { Tensor, checkOptions, numOpt, enumOpt, boolOpt, toBoxes, type ArrayInput } from '../tensor';
import type { AssignResult } from './assign';
import { checkRange, toLabels, toMatrix } from './loss-args';

/** Options of {@link taskAlignedAssign}. */
export interface TaskAlignedAssignOptions {
  /** `'tood'` (default; mmdetection) or `'yolov8'` (ultralytics). */
  variant?: 'tood' | 'yolov8';
  /** Anchors each gt takes by alignment metric; default 13 (`tood`) / 10 (`yolov8`, YOLOv8's loss). */
  topk?: number;
  /** α, the exponent of the class score; default 1 (`tood`) / 0.5 (`yolov8`). */
  alpha?: number;
  /** β, the exponent of the overlap; default 6. */
  beta?: number;
  /** eps of the normalisation; default 1e-7 (`tood`, mmdet's 10e-8) / 1e-9 (`yolov8`). */
  normEps?: number;
  /** Also return the full `[P, G]` alignment-metric matrix (for inspection); default false. */
  withMetrics?: boolean;
}

/** What {@link taskAlignedAssign} returns: the {@link AssignResult} of `maxIouAssign` plus the soft targets. */
export interface TaskAlignedAssignResult extends AssignResult {
  /** `[P]` float32 t = s^α·u^β of each positive with its gt (0 for negatives). */
  assignMetrics: Tensor<Float32Array, [number]>;
  /** `[P]` float32 u of the assigned pair: IoU (`tood`) or clamped ultralytics CIoU (`yolov8`); = `maxOverlaps`. */
  assignedIou: Tensor<Float32Array, [number]>;
  /**
   * `[P]` float32 the soft classification target `t / (max t + eps) · max u` over each gt's positives
   * (TOOD trains QFL with it and weights the box loss by it; YOLOv8 multiplies it into the one-hot target).
   */
  normAlignmentMetrics: Tensor<Float32Array, [number]>;
  /** `[P, G]` float32 alignment metric of every pair (only with `withMetrics`). */
  alignmentMetrics?: Tensor<Float32Array, [number, number]>;
}

/**
 * Task-aligned assignment. Alignment metric `t = s^α · u^β` (s: predicted probability of the gt's
 * class, u: overlap of the *predicted* box with the gt); each gt takes its top-`topk` anchors by t.
 * - `'tood'`: u = IoU (union floored at 1e-6); positive if t > 0 and the **prior's** centre is inside
 *   the gt with margin > 0.01; an anchor picked by several gts goes to the one of highest u among them.
 * - `'yolov8'`: anchors are points; u = ultralytics CIoU(gt, pred) clamped at 0, and u, s are 0
 *   unless the point is inside the gt (margin 1e-9); top-k over t including zeros, then the inside
 *   mask (no t > 0 test); an anchor picked by several gts goes to the argmax of u over **all** gts.
 * Ties of t at the top-k boundary go to the lower anchor index, ties of u to the first gt (torch
 * leaves both unspecified). No gt: all negative, targets 0. Computed in float64 on every backend.
 * Source: Feng et al., TOOD (ICCV 2021) Sec. 3.2; matches mmdet `TaskAlignedAssigner` + `TOODHead`
 * (`tood`) and ultralytics `TaskAlignedAssigner` (`yolov8`).
 * Encoding as {@link maxIouAssign} (`gtInds` 0 / j + 1, `labels` −1 unless positive, `maxOverlaps` = u),
 * so the result feeds {@link assignTargets}, and `normAlignmentMetrics` feeds {@link qualityFocalLoss}
 * (`{labels, scores}`) or {@link varifocalLoss}.
 *
 * @param anchors `tood`: `[P, 4]` priors, xyxy (pixels). `yolov8`: `[P, 2]` anchor points (x, y).
 * @param predBboxes `[P, 4]` decoded predicted boxes, xyxy.
 * @param predScores `[P, C]` predicted class probabilities in `[0, 1]` (already sigmoid'ed).
 * @param gt `[G, 4]` gt boxes, xyxy.
 * @param gtLabels `[G]` integer classes in `[0, C)`.
 * @param options `variant`, `topk`, `alpha`, `beta`, `normEps`, `withMetrics` (defaults per variant above).
 * @returns {@link TaskAlignedAssignResult}.
 * @throws SoftSamplingError `E_OPTION` (unknown variant or option), `E_SHAPE` (shapes disagree),
 *   `E_VALUE` (scores outside `[0, 1]`, labels outside `[0, C)`, topk < 1, negative α/β, NaN — with the index), `E_TYPE`.
 */
export function taskAlignedAssign(
  anchors: ArrayInput, predBboxes: ArrayInput, predScores: ArrayInput, gt: ArrayInput, gtLabels: ArrayInput, options?: TaskAlignedAssignOptions,
): TaskAlignedAssignResult {
  const o = checkOptions('options', options, ['variant', 'topk', 'alpha', 'beta', 'normEps', 'withMetrics']);
  const variant = enumOpt('options.variant', o.variant, ['tood', 'yolov8'] as const, 'tood');
  const yolo = variant === 'yolov8';
  const pb = toBoxes('predBboxes', predBboxes);
  const n = pb.n;
  const a = toMatrix('anchors', anchors, yolo ? 2 : 4);
  if (a.n !== n) throw new SoftSamplingError('E_SHAPE', 'anchors', `expected ${n} ${yolo ? 'anchor points [P, 2]' : 'priors [P, 4]'} (predBboxes'), got ${a.n}`);
  // the [0, 1] (and NaN) check of the scores is the kernel's: one vectorised scan, not two JS passes
  const s = toMatrix('predScores', predScores, undefined, false);
  if (s.n !== n || (n > 0 && s.c < 1)) throw new SoftSamplingError('E_SHAPE', 'predScores', `expected [P, C] with P = ${n}, got [${s.n}, ${s.c}]`);
  const g = toBoxes('gt', gt);
  const labels = toLabels('gtLabels', gtLabels, g.n);
  checkRange('gtLabels', labels, 0, s.c - 1);
  const int = (x: number) => (Number.isInteger(x) && x >= 1 && x < 2 ** 31 ? null : `must be a positive integer, got ${x}`);
  const nonneg = (x: number) => (x >= 0 && x <= 100 ? null : `must be in [0, 100], got ${x}`);
  const topk = numOpt('options.topk', o.topk, yolo ? 10 : 13, int);
  const alpha = numOpt('options.alpha', o.alpha, yolo ? 0.5 : 1, nonneg);
  const beta = numOpt('options.beta', o.beta, 6, nonneg);
  const normEps = numOpt('options.normEps', o.normEps, yolo ? 1e-9 : 1e-7, (x) => (x >= 0 ? null : `must be ≥ 0, got ${x}`));
  const withMetrics = boolOpt('options.withMetrics', o.withMetrics, false);
  const r = getBackend().taskAlignedAssign(
    { priors: a.data, predBboxes: pb.data, predScores: s.data, gtBboxes: g.data, gtLabels: labels },
    { variant: yolo ? 1 : 0, numClasses: Math.max(s.c, 1), topk, alpha, beta, normEps, withMetrics },
  );
  const t = <T extends Float32Array | Int32Array>(d: T) => new Tensor(d, [n] as [number]);
  const assignedIou = t(r.assignedIou);
  const res: TaskAlignedAssignResult = {
    gtInds: t(r.gtInds),
    labels: t(r.labels),
    maxOverlaps: assignedIou,
    numGts: g.n,
    assignMetrics: t(r.assignMetrics),
    assignedIou,
    normAlignmentMetrics: t(r.normAlignmentMetrics),
  };
  if (withMetrics) res.alignmentMetrics = new Tensor(r.alignmentMetrics, [n, g.n] as [number, number]);
  return res;
}
