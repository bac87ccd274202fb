/**
 * The reduction contract shared by every loss (mmdet `weight_reduce_loss`, reference-semantics §0.2):
 * `none | mean | sum`, `avgFactor` (mean = Σ / (avgFactor + ε), ε = 2^-23; `sum` with `avgFactor`
 * is an error), `lossWeight` multiplies after reduction.
 */
import { SoftSamplingError } from '../errors';
import { enumOpt, numOpt } from '../tensor';

export const REDUCTIONS = ['none', 'mean', 'sum'] as const;
export type Reduction = (typeof REDUCTIONS)[number];
export const AVG_EPS = 2 ** -23;

export interface ReduceOptions {
  /** `'none'`, `'mean'` (default) or `'sum'`. */
  reduction?: Reduction;
  /** Divide the sum by `avgFactor + 2^-23` instead of the element count (only with `'mean'`). */
  avgFactor?: number;
  /** Multiplies the reduced loss (and its gradient); default 1. */
  lossWeight?: number;
}

export interface Reducer {
  reduction: Reduction;
  lossWeight: number;
  /** Factor from Σ per-element loss to the reported loss (and of every gradient element). */
  scale: number;
}

/**
 * Validates the reduction options and returns the scale for `count` elements.
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
