/**
 * ATSS assigner (Zhang et al., "Bridging the Gap Between Anchor-based and Anchor-free Detection
 * via Adaptive Training Sample Selection", CVPR 2020, arXiv 1912.02424, Algorithm 1). Reference
 * implementation: mmdetection `ATSSAssigner(topk=9)` (`mmdet/models/task_modules/assigners/
 * atss_assigner.py`, v3.x, `alpha=None`, `ignore_iof_thr=-1`); spec `modern-methods.md` §6.
 */
import { getBackend } from '../registry';
import { SoftSamplingError } from '../errors';
import { Tensor, checkOptions, numOpt, toBoxes, type ArrayInput } from '../tensor';
import type { AssignResult } from './assign';
import { toLabels } from './loss-args';

/** Options of {@link atssAssign}. */
export interface AtssAssignOptions {
  /** Candidates per pyramid level and gt (nearest centres); default `9`. Positive integer. */
  topk?: number;
  /** Priors per pyramid level `[L]` (Σ = P), in the order of `priors`; default: one level. */
  numLevelPriors?: ArrayLike<number>;
}

/** What {@link atssAssign} returns: the {@link AssignResult} of `maxIouAssign` plus ATSS's statistics. */
export interface AtssAssignResult extends AssignResult {
  /** `[P]` float32: IoU of each positive with its gt, 0 for negatives (= `maxOverlaps` here; mmdet stores −1e8 for negatives). */
  assignedIou: Tensor<Float32Array, [number]>;
  /** `[G]` float64 mean of each gt's candidate IoUs (NaN when M = 0: no priors). */
  iouMean: Tensor<Float64Array, [number]>;
  /** `[G]` float64 std of the candidate IoUs with Bessel's correction (NaN when M = 1: nothing passes). */
  iouStd: Tensor<Float64Array, [number]>;
  /** `[G]` float64 threshold `mean + std`. */
  iouThr: Tensor<Float64Array, [number]>;
  /** `[M, G]` int32: column j = gt j's M = Σ_l min(topk, n_l) candidate prior indices, ascending. */
  candidates: Tensor<Int32Array, [number, number]>;
}

/**
 * ATSS: for every gt and pyramid level, the `min(topk, n_l)` priors whose centres are nearest the
 * gt's centre (Euclidean) are candidates; a candidate is positive if its IoU ≥ mean + std of the
 * gt's candidate IoUs (std with Bessel's correction) **and** its centre lies inside the gt with
 * margin > 0.01; a prior positive for several gts goes to the one of highest IoU. No gt: all
 * negative. Ties in distance go to the lower prior index, IoU ties to the first gt (the spec's
 * rule; torch leaves them unspecified). Computed in float64 on every backend.
 * Source: Zhang et al., ATSS (CVPR 2020) Algorithm 1; matches mmdet `ATSSAssigner(topk=9)`.
 *
 * Encoding as {@link maxIouAssign}: `gtInds` `[P]` (0 negative, j + 1 gt j; ATSS never ignores),
 * `labels` `[P]` (the gt's class, −1 unless positive), `maxOverlaps` = `assignedIou`; feeds
 * {@link assignTargets} directly. The soft target GFL trains QFL with is the IoU of the *predicted*
 * box with the assigned gt, computed by the head after decoding (e.g. `bboxOverlaps(..., {aligned: true})`).
 *
 * @param priors `[P, 4]` anchors, xyxy (pixels), grouped by level as `numLevelPriors` says.
 * @param gt `[G, 4]` gt boxes, xyxy.
 * @param gtLabels `[G]` integer classes.
 * @param options `topk` (9), `numLevelPriors` (`[P]`: one level).
 * @returns {@link AtssAssignResult}.
 * @throws SoftSamplingError `E_SHAPE` (boxes not `[N, 4]`, `gtLabels` not `[G]`, `numLevelPriors`
 *   not summing to P), `E_VALUE` (non-integer or negative counts/labels, topk < 1, NaN), `E_OPTION`
 *   (unknown option), `E_TYPE`.
 */
export function atssAssign(priors: ArrayInput, gt: ArrayInput, gtLabels: ArrayInput, options?: AtssAssignOptions): AtssAssignResult {
  const o = checkOptions('options', options, ['topk', 'numLevelPriors']);
  const p = toBoxes('priors', priors);
  const g = toBoxes('gt', gt);
  const labels = toLabels('gtLabels', gtLabels, g.n);
  for (let j = 0; j < labels.length; j++) if (labels[j] < 0) throw new SoftSamplingError('E_VALUE', 'gtLabels', `element ${j} is ${labels[j]}; classes must be ≥ 0`);
  const topk = numOpt('options.topk', o.topk, 9, (x) => (Number.isInteger(x) && x >= 1 && x < 2 ** 31 ? null : `must be a positive integer, got ${x}`));
  let levels: Int32Array;
  if (o.numLevelPriors === undefined) levels = Int32Array.of(p.n);
  else {
    levels = toLabels('options.numLevelPriors', o.numLevelPriors, (o.numLevelPriors as ArrayLike<number>).length ?? -1);
    let s = 0;
    for (let l = 0; l < levels.length; l++) {
      if (levels[l] < 0) throw new SoftSamplingError('E_VALUE', 'options.numLevelPriors', `element ${l} is ${levels[l]}; counts must be ≥ 0`);
      s += levels[l];
    }
    if (s !== p.n) throw new SoftSamplingError('E_SHAPE', 'options.numLevelPriors', `sums to ${s}, but there are ${p.n} priors`);
  }
  let m = 0;
  for (const nl of levels) m += Math.min(topk, nl);
  const r = getBackend().atssAssign({ priors: p.data, numLevelPriors: levels, gtBboxes: g.data, gtLabels: labels }, { topk, numCandidates: m });
  const assignedIou = new Tensor(r.assignedIou, [p.n] as [number]);
  return {
    gtInds: new Tensor(r.gtInds, [p.n] as [number]),
    labels: new Tensor(r.labels, [p.n] as [number]),
    maxOverlaps: assignedIou,
    numGts: g.n,
    assignedIou,
    iouMean: new Tensor(r.iouMean, [g.n] as [number]),
    iouStd: new Tensor(r.iouStd, [g.n] as [number]),
    iouThr: new Tensor(r.iouThr, [g.n] as [number]),
    candidates: new Tensor(r.candidates, [m, g.n] as [number, number]),
  };
}
