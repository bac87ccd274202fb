/**
 * Varifocal Loss (Zhang et al., "VarifocalNet: An IoU-aware Dense Object Detector", CVPR 2021,
 * arXiv 2008.13367, eq. 2) with its analytic gradient. Reference implementation: mmdetection
 * `VarifocalLoss(use_sigmoid=True)` (`mmdet/models/losses/varifocal_loss.py`); spec `modern-methods.md` §3.
 */
import { getBackend } from '../registry';
import { SoftSamplingError } from '../errors';
import { checkOptions, numOpt, boolOpt } from '../tensor';
import { reducer, type ReduceOptions } from './reduce';
import type { LossResult } from './focal';
import { lossResult, toMatrix, toWeight } from './loss-args';

/** Options of {@link varifocalLoss}. */
export interface VarifocalLossOptions extends ReduceOptions {
  /** α of the negatives' weight `α σ^γ`; default `0.75`. In `[0, 1]`... any value ≥ 0 is accepted. */
  alpha?: number;
  /** γ ≥ 0; default `2`. */
  gamma?: number;
  /** Positives weighted by their target q (default `true`), else by 1. */
  iouWeighted?: boolean;
  /** Weights `[N]` (per row) or `[N, C]` (per element), ≥ 0. */
  weight?: unknown;
}

/**
 * Varifocal Loss: elementwise on `[N, C]`, `BCE(x, q)·q` where the IoU-aware target q > 0 (q = IoU of
 * the predicted box with its gt at the gt's class, 0 elsewhere) and `α·σ(x)^γ·BCE(x, 0)` where q = 0
 * — positives weighted by their own quality, negatives focal-down-weighted. The negative weight is
 * kept in the graph: `d/dx = α σ^γ (σ + γ(1 − σ) softplus(x))` for q = 0, `w (σ − q)` for q > 0.
 *
 * Source: Zhang et al., VarifocalNet (CVPR 2021) eq. 2; matches mmdet `VarifocalLoss(use_sigmoid=True)`.
 *
 * @param pred `[N, C]` float32 logits.
 * @param target `[N, C]` IoU-aware scores in `[0, 1]` (0 = negative).
 * @param options `alpha` (0.75), `gamma` (2), `iouWeighted` (true), `weight` `[N]` or `[N, C]`,
 *   `reduction` (`'mean'` over N·C), `avgFactor` (VFNet: #positives), `lossWeight`.
 * @returns `loss`; `lossElements` `[N, C]`; `grad` `[N, C]`.
 * @throws SoftSamplingError `E_VALUE` (a target outside `[0, 1]` or a negative weight, naming the
 *   first bad index; NaN), `E_SHAPE`, `E_TYPE`, `E_OPTION`.
 */
export function varifocalLoss(pred: unknown, target: unknown, options?: VarifocalLossOptions): LossResult {
  const o = checkOptions('options', options, ['alpha', 'gamma', 'iouWeighted', 'weight', 'reduction', 'avgFactor', 'lossWeight']);
  const p = toMatrix('pred', pred, undefined, false); // NaN / ±Inf: the kernel's check
  const { n, c } = p;
  // the range (and NaN) check of the targets is the kernel's: one vectorised scan, not a JS pass
  const t = toMatrix('target', target, undefined, false);
  if (t.data.length !== n * c) throw new SoftSamplingError('E_SHAPE', 'target', `expected [N, C] = [${n}, ${c}], got ${t.data.length} values`);
  const alpha = numOpt('options.alpha', o.alpha, 0.75, (x) => (x >= 0 ? null : `must be ≥ 0, got ${x}`));
  const gamma = numOpt('options.gamma', o.gamma, 2, (x) => (x >= 0 && x <= 1000 ? null : `must be in [0, 1000], got ${x}`));
  const iouWeighted = boolOpt('options.iouWeighted', o.iouWeighted, true);
  const weight = toWeight('options.weight', o.weight, [n, n * c], `[N] = [${n}] or [N, C] = [${n}, ${c}]`);
  const r = reducer(o, n * c);
  const out = getBackend().varifocalLoss({ pred: p.data, target: t.data, weight }, { numClasses: c, alpha, gamma, iouWeighted, scale: r.scale });
  return lossResult(out.sum[0], r.scale, out.lossElements, [n, c], out.grad, [n, c]);
}
