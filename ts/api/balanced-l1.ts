/**
 * Balanced L1 Loss (Pang et al., "Libra R-CNN: Towards Balanced Learning for Object Detection",
 * CVPR 2019, arXiv 1904.02701, eqs. 7–9) — the companion of the IoU-balanced sampler — with
 * mmdetection's β generalisation. Reference implementation: mmdetection `BalancedL1Loss`
 * (`mmdet/models/losses/balanced_l1_loss.py`); spec `modern-methods.md` §4.
 */
import { getBackend } from '../registry';
import { SoftSamplingError } from '../errors';
import { checkOptions, numOpt, toFloat32 } from '../tensor';
import { reducer, type ReduceOptions } from './reduce';
import type { LossResult } from './focal';
import { lossResult, toWeight } from './loss-args';

/** Options of {@link balancedL1Loss}. */
export interface BalancedL1LossOptions extends ReduceOptions {
  /** α > 0 (gradient boost of inliers); default `0.5`. */
  alpha?: number;
  /** γ > 0 (the outlier slope); default `1.5`. */
  gamma?: number;
  /** β > 0, the inlier/outlier threshold on |x| (1 in the paper); default `1`. */
  beta?: number;
  /** Elementwise weights, same shape as `pred` (Libra: `bbox_weights` `[N, 4]`), ≥ 0. */
  weight?: unknown;
}

/**
 * Balanced L1: with `b = e^{γ/α} − 1` and x = |pred − target|,
 * `L = α/b (b x + 1) ln(b x/β + 1) − α x` for x < β, `γ x + γ/b − αβ` otherwise (x = β takes the
 * outside branch). Gradient inside `α ln(b x/β + 1) + α((b x + 1)/(b x + β) − 1)` (for β = 1:
 * `α ln(b x + 1)`), outside γ, times sign(pred − target) (0 at x = 0).
 *
 * Source: Pang et al., Libra R-CNN (CVPR 2019) eqs. 7–9; matches mmdet `BalancedL1Loss` (β generalisation).
 *
 * @param pred `[N, 4]` (any shape) float32 regression deltas.
 * @param target same shape as `pred`.
 * @param options `alpha` (0.5), `gamma` (1.5), `beta` (1), `weight` (elementwise), `reduction`
 *   (`'mean'` over every element), `avgFactor` (Libra: #sampled RoIs), `lossWeight`.
 * @returns `loss`; `lossElements` and `grad` of `pred`'s length, shaped `[N, 4]` when divisible by 4, else `[len]`.
 * @throws SoftSamplingError `E_SHAPE` (lengths disagree), `E_VALUE` (α, γ, β ≤ 0, negative weight, NaN), `E_TYPE`, `E_OPTION`.
 */
export function balancedL1Loss(pred: unknown, target: unknown, options?: BalancedL1LossOptions): LossResult {
  const o = checkOptions('options', options, ['alpha', 'gamma', 'beta', 'weight', 'reduction', 'avgFactor', 'lossWeight']);
  // NaN / ±Inf: refused by the kernel (one vectorised scan; the TS backend does the same check)
  const p = toFloat32('pred', pred, 'propagate');
  const t = toFloat32('target', target, 'propagate');
  const len = p.data.length;
  if (t.data.length !== len) throw new SoftSamplingError('E_SHAPE', 'target', `expected ${len} values (pred's), got ${t.data.length}`);
  const pos = (x: number) => (x > 0 ? null : `must be > 0, got ${x}`);
  const alpha = numOpt('options.alpha', o.alpha, 0.5, pos);
  const gamma = numOpt('options.gamma', o.gamma, 1.5, pos);
  const beta = numOpt('options.beta', o.beta, 1, pos);
  if (!Number.isFinite(Math.exp(gamma / alpha))) throw new SoftSamplingError('E_VALUE', 'options.gamma', `gamma/alpha = ${gamma / alpha} overflows e^(γ/α)`);
  const weight = toWeight('options.weight', o.weight, [len], `${len} values (pred's shape)`);
  const r = reducer(o, len);
  const out = getBackend().balancedL1Loss({ pred: p.data, target: t.data, weight }, { alpha, gamma, beta, scale: r.scale });
  const shape = p.shape.length === 2 ? p.shape : len % 4 === 0 ? [len / 4, 4] : [len];
  return lossResult(out.sum[0], r.scale, out.lossElements, shape, out.grad, shape);
}
