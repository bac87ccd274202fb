/**
 * The reduction contract shared by every loss (mmdet `weight_reduce_loss`, reference-semantics §0.2):
 * `none | mean | sum`, `avgFactor` (mean = Σ / (avgFactor + ε), ε = 2^-23; `sum` with `avgFactor`
 * is an error), `lossWeight` multiplies after reduction.
 */
import { SoftSamplingError } from '../errors';
import { enumOpt, numOpt } from '../tensor';

/** The reductions every loss accepts, in the order of {@link Reduction}. */
export const REDUCTIONS = ['none', 'mean', 'sum'] as const;
/**
 * How a loss reduces its per-element values: `'none'` (keep them; `loss` is then their
 * `lossWeight`-scaled sum), `'mean'` (Σ / count, or Σ / (avgFactor + 2⁻²³)) or `'sum'`.
 */
export type Reduction = 'none' | 'mean' | 'sum';
/**
 * ε added to `avgFactor` in `'mean'` reductions: 2⁻²³ (float32 machine epsilon; mmdetection's
 * `torch.finfo(torch.float32).eps`). Pass `avgFactor = max(#pos, 1)`: with `avgFactor: 0` the sum is divided by ε.
 */
export const AVG_EPS = 2 ** -23;

/** The reduction options shared by the focal-family and regression losses (mmdet `weight_reduce_loss`). */
export interface ReduceOptions {
  /** `'none'`, `'mean'` (default) or `'sum'`. */
  reduction?: Reduction;
  /** Divide the sum by `avgFactor + 2^-23` instead of the element count (only with `'mean'`). */
  avgFactor?: number;
  /** Multiplies the reduced loss (and its gradient); default 1. */
  lossWeight?: number;
}

/** A validated reduction, as {@link reducer} returns it (used by the losses; exported for custom losses). */
export interface Reducer {
  /** The reduction in force. */
  reduction: Reduction;
  /** The `lossWeight` multiplier (default 1). */
  lossWeight: number;
  /** Factor from Σ per-element loss to the reported loss (and of every gradient element). */
  scale: number;
}

/**
 * Validates the reduction options and returns the scale for `count` elements (mmdetection
 * `weight_reduce_loss`; use it to give a loss of your own the library's reduction contract).
 * For `'none'` the scale is `lossWeight` (gradients are those of the weighted sum).
 * @throws SoftSamplingError `E_OPTION` (unknown reduction, `avgFactor` with `'sum'`/`'none'`), `E_VALUE` (negative avgFactor).
 */
export function reducer(o: Record<string, unknown>, count: number, defaultReduction: Reduction = 'mean'): Reducer {
  const reduction = enumOpt('options.reduction', o.reduction, REDUCTIONS, defaultReduction);
  const lossWeight = numOpt('options.lossWeight', o.lossWeight, 1);
  let scale = lossWeight;
  if (o.avgFactor !== undefined && o.avgFactor !== null) {
    const af = numOpt('options.avgFactor', o.avgFactor, 0, (x) => (x >= 0 ? null : `must be ≥ 0, got ${x}`));
    if (reduction !== 'mean') throw new SoftSamplingError('E_OPTION', 'options.avgFactor', `avgFactor cannot be used with reduction '${reduction}'`);
    if (reduction === 'mean') scale = lossWeight / (af + AVG_EPS);
  } else if (reduction === 'mean') {
    scale = count > 0 ? lossWeight / count : 0;
  }
  return { reduction, lossWeight, scale };
}
