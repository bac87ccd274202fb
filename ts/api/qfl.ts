/**
 * Generalized Focal Loss (Li et al., "Generalized Focal Loss: Learning Qualified and Distributed
 * Bounding Boxes for Dense Object Detection", NeurIPS 2020, arXiv 2006.04388): Quality Focal Loss
 * (eq. 5) and Distribution Focal Loss (eq. 6), with analytic gradients. Reference implementation:
 * mmdetection `QualityFocalLoss` / `DistributionFocalLoss` (`mmdet/models/losses/gfocal_loss.py`,
 * v3.x); spec `modern-methods.md` §1–2.
 */
import { getBackend } from '../registry';
import { SoftSamplingError } from '../errors';
import { checkOptions, numOpt, boolOpt, toFloat32 } from '../tensor';
import { reducer, type ReduceOptions } from './reduce';
import type { LossResult } from './focal';
import { EMPTY_F32, checkRange, lossResult, toLabels, toMatrix, toWeight } from './loss-args';

/** QFL's target in mmdetection's pair form: the class of each row and its IoU score. */
export interface QflTarget {
  /** `[N]` integer class per row; anything outside `[0, C)` (background `C`, `−1`) = no positive. */
  labels: ArrayLike<number> | unknown;
  /** `[N]` IoU quality targets in `[0, 1]` (the score at the label's channel). */
  scores: ArrayLike<number> | unknown;
}

/** Options of {@link qualityFocalLoss}. */
export interface QualityFocalLossOptions extends ReduceOptions {
  /** β ≥ 0 of the modulating factor `|y − σ|^β`; default `2`. */
  beta?: number;
  /** `pred` holds probabilities in `[0, 1]` (TOOD), not logits; default `false`. */
  activated?: boolean;
  /** Per-row weights `[N]` (≥ 0; GFL passes `label_weights`). */
  weight?: unknown;
}

/**
 * Quality Focal Loss: `QFL = |y − σ|^β · BCE(x, y)` summed over the C channels of each row, where
 * y is the IoU score at the row's label channel and 0 elsewhere (GFL eq. 5). The modulating factor
 * is differentiated (not detached): `dQFL/dx = |y−σ|^β (σ − y) + BCE · β|y−σ|^(β−1) sign(σ − y) σ(1 − σ)`.
 *
 * @param pred `[N, C]` float32 logits (or probabilities with `activated: true`).
 * @param target `{labels [N], scores [N]}` (mmdet's pair target), or a dense `[N, C]` soft target in `[0, 1]`.
 * @param options `beta` (2), `activated` (false), `weight` `[N]`, `reduction` (`'mean'`: divides by
 *   N rows, not N·C), `avgFactor` (GFL: #positives), `lossWeight` (1).
 * @returns `loss`; `lossElements` `[N]` (per-row, weighted); `grad` `[N, C]` = d loss / d pred
 *   (w.r.t. σ when `activated`, torch's BCE backward `(σ − y)/max(σ(1−σ), 1e-12)`, logs clamped at −100).
 * @throws SoftSamplingError `E_SHAPE` (shapes disagree), `E_VALUE` (scores / soft targets outside
 *   `[0, 1]`, probabilities outside `[0, 1]`, negative weights, NaN — each naming the first bad
 *   index), `E_TYPE`, `E_OPTION` (unknown option or reduction).
 * Numerics: stable logit forms (`1 − σ(x) = σ(−x)`), finite at saturated logits (±50 and beyond).
 */
export function qualityFocalLoss(pred: unknown, target: QflTarget | unknown, options?: QualityFocalLossOptions): LossResult {
  const o = checkOptions('options', options, ['beta', 'activated', 'weight', 'reduction', 'avgFactor', 'lossWeight']);
  // NaN / ±Inf logits: refused by the kernel (one vectorised scan; the TS backend does the same check)
  const p = toMatrix('pred', pred, undefined, false);
  const { n, c } = p;
  if (c < 1) throw new SoftSamplingError('E_SHAPE', 'pred', 'needs at least one class column');
  const beta = numOpt('options.beta', o.beta, 2, (x) => (x >= 0 && x <= 1000 ? null : `must be in [0, 1000], got ${x}`));
  const activated = boolOpt('options.activated', o.activated, false);
  if (activated) checkRange('pred', p.data, 0, 1);
  let labels: Int32Array = new Int32Array(0), scores = EMPTY_F32, soft = EMPTY_F32;
  if (target !== null && typeof target === 'object' && 'labels' in (target as object) && 'scores' in (target as object)) {
    const t = target as QflTarget;
    labels = toLabels('target.labels', t.labels, n);
    scores = toFloat32('target.scores', t.scores).data;
    if (scores.length !== n) throw new SoftSamplingError('E_SHAPE', 'target.scores', `expected [N] = [${n}], got ${scores.length}`);
    checkRange('target.scores', scores, 0, 1);
  } else {
    const t = toMatrix('target', target);
    if (t.data.length !== n * c) throw new SoftSamplingError('E_SHAPE', 'target', `expected {labels, scores} or a dense [N, C] = [${n}, ${c}] soft target, got ${t.data.length} values`);
    checkRange('target', t.data, 0, 1);
    soft = t.data;
  }
  const weight = toWeight('options.weight', o.weight, [n], `[N] = [${n}]`);
  const r = reducer(o, n);
  const out = getBackend().qualityFocalLoss({ pred: p.data, labels, scores, softTarget: soft, weight }, { numClasses: c, beta, activated, scale: r.scale });
  return lossResult(out.sum[0], r.scale, out.lossElements, [n], out.grad, [n, c]);
}

/** Options of {@link distributionFocalLoss}. */
export interface DistributionFocalLossOptions extends ReduceOptions {
  /** Per-row weights `[N]` (≥ 0; GFL: the positive's max class score, repeated for its 4 sides). */
  weight?: unknown;
}

/**
 * Distribution Focal Loss (GFL eq. 6): each row is a softmax over bins `0..n` (`n + 1` logits) and
 * a continuous target `y ∈ [0, n)` in bin units; `DFL = (⌊y⌋+1−y)·CE(z, ⌊y⌋) + (y−⌊y⌋)·CE(z, ⌊y⌋+1)`.
 * Gradient: `softmax(z) − w_left·e_⌊y⌋ − w_right·e_⌊y⌋+1`. The loss does not clamp: heads clamp
 * distances to `n − 0.1` (mmdetection) or `n − 0.01` (ultralytics) first.
 *
 * @param pred `[N, n+1]` float32 logits (one row per box side).
 * @param target `[N]` float targets in `[0, n)` (distances divided by the stride).
 * @param options `weight` `[N]`, `reduction` (`'mean'` over N rows), `avgFactor` (GFL: 4·#pos), `lossWeight`.
 * @returns `loss`; `lossElements` `[N]`; `grad` `[N, n+1]`.
 * @throws SoftSamplingError `E_VALUE` (a target outside `[0, n)`, naming its index; negative
 *   weight; NaN), `E_SHAPE` (fewer than 2 bins, lengths disagree), `E_TYPE`, `E_OPTION`.
 */
export function distributionFocalLoss(pred: unknown, target: unknown, options?: DistributionFocalLossOptions): LossResult {
  const o = checkOptions('options', options, ['weight', 'reduction', 'avgFactor', 'lossWeight']);
  const p = toMatrix('pred', pred, undefined, false); // NaN / ±Inf: the kernel's check
  const { n, c } = p;
  if (c < 2 && n > 0) throw new SoftSamplingError('E_SHAPE', 'pred', `needs at least 2 bins per row, got ${c}`);
  const t = toFloat32('target', target).data;
  if (t.length !== n) throw new SoftSamplingError('E_SHAPE', 'target', `expected [N] = [${n}] targets, got ${t.length}`);
  checkRange('target', t, 0, c - 1, true);
  const weight = toWeight('options.weight', o.weight, [n], `[N] = [${n}]`);
  const r = reducer(o, n);
  const out = getBackend().distributionFocalLoss({ pred: p.data, target: t, weight }, { bins: n > 0 ? c : 2, scale: r.scale }); // (no rows: any bin count, e.g. [0, 2^53], reads nothing)
  return lossResult(out.sum[0], r.scale, out.lossElements, [n], out.grad, [n, c]);
}
