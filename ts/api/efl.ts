/**
 * Equalized Focal Loss (Li et al., "Equalized Focal Loss for Dense Long-Tailed Object Detection",
 * CVPR 2022, arXiv 2201.02593, eqs. 7–8) for long-tailed data, with its per-class accumulated
 * gradient state kept by the caller as a plain, JSON-serialisable object (as GHM's is).
 * Reference implementation: ModelTC/United-Perception `EqualizedFocalLoss(focal_gamma=2,
 * focal_alpha=0.25, scale_factor=8)`; spec `modern-methods.md` §8.
 */
import { getBackend } from '../registry';
import { SoftSamplingError, valueText } from '../errors';
import { checkOptions, numOpt, boolOpt } from '../tensor';
import { reducer, type ReduceOptions } from './reduce';
import type { LossResult } from './focal';
import { checkRange, lossResult, toMatrix, toWeight } from './loss-args';

/**
 * The accumulated gradient statistics of one EFL (per class): a plain JSON-serialisable object owned
 * by the caller. Start from {@link createEflState} and replace it by each result's `state`.
 */
export interface EflState {
  /** Number of classes C. */
  numClasses: number;
  /** `[C]` Σ |∂L/∂x| over positive entries, accumulated over every step (no decay). */
  posGrad: number[];
  /** `[C]` Σ |∂L/∂x| over negative entries. */
  negGrad: number[];
  /** `[C]` g_j = clamp(posGrad / (negGrad + 1e-10), 0, 1); starts at 1 (first step = plain focal loss). */
  posNeg: number[];
}

/** Most classes an EFL state holds (2^20: three arrays of C numbers; 2^31 crashed the process out of memory filling them). */
const MAX_EFL_CLASSES = 2 ** 20;

/**
 * A fresh state: `posGrad = negGrad = 0`, `posNeg = 1` (Source: United-Perception `EqualizedFocalLoss`'s initial buffers).
 * @param numClasses C, a positive integer, at most 2^20 (1,048,576).
 * @throws SoftSamplingError `E_VALUE` when `numClasses` is not an integer in [1, 2^20].
 */
export function createEflState(numClasses: number): EflState {
  if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > MAX_EFL_CLASSES) {
    throw new SoftSamplingError('E_VALUE', 'numClasses', `must be an integer in [1, 2^20], got ${valueText(numClasses)}`);
  }
  return { numClasses, posGrad: new Array(numClasses).fill(0), negGrad: new Array(numClasses).fill(0), posNeg: new Array(numClasses).fill(1) };
}

/** Options of {@link equalizedFocalLoss}. */
export interface EqualizedFocalLossOptions extends ReduceOptions {
  /** The state from the previous step; default {@link createEflState}(C). */
  state?: EflState;
  /** γ_b, the base focusing factor; default `2`. */
  gammaB?: number;
  /** s, the scale of the category-relevant factor; default `8`. */
  scaleFactor?: number;
  /** α-balance of the positives (negatives `1 − α`); default `0.25`. In `[0, 1]`. */
  alpha?: number;
  /** Element weights `[N]` or `[N, C]` (≥ 0; 0 = ignored, not counted in the state). */
  weight?: unknown;
  /** Accumulate this step's |gradient| into the returned state; default `true` (`false`: evaluation). */
  update?: boolean;
}

/** What {@link equalizedFocalLoss} returns: the {@link LossResult} and the state after this step. */
export interface EqualizedFocalLossResult extends LossResult {
  /** The state after the step (a new object; the input state is not modified). */
  state: EflState;
}

function readState(v: unknown, c: number): EflState {
  if (v === undefined) {
    if (c > MAX_EFL_CLASSES) throw new SoftSamplingError('E_SHAPE', 'logits', `EFL keeps a state of C classes: at most 2^20, got C = ${c}`);
    return createEflState(c);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new SoftSamplingError('E_TYPE', 'options.state', 'expected an EFL state object ({ numClasses, posGrad, negGrad, posNeg })');
  const s = v as Record<string, unknown>;
  if (s.numClasses !== c) throw new SoftSamplingError('E_SHAPE', 'options.state.numClasses', `state has ${valueText(s.numClasses)} classes, the logits ${c}`);
  for (const key of ['posGrad', 'negGrad', 'posNeg'] as const) {
    const a = s[key];
    if (!Array.isArray(a)) throw new SoftSamplingError('E_TYPE', `options.state.${key}`, 'expected an array of numbers');
    if (a.length !== c) throw new SoftSamplingError('E_SHAPE', `options.state.${key}`, `expected ${c} values, got ${a.length}`);
    a.forEach((x, i) => {
      if (typeof x !== 'number' || !(x >= 0) || !Number.isFinite(x) || (key === 'posNeg' && x > 1)) {
        throw new SoftSamplingError('E_VALUE', `options.state.${key}`, `element ${i} must be a finite number ${key === 'posNeg' ? 'in [0, 1]' : '≥ 0'}, got ${valueText(x)}`);
      }
    });
  }
  return s as unknown as EflState;
}

/**
 * Equalized Focal Loss: a sigmoid focal loss whose focusing factor and weight depend on the class,
 * `EFL = Σ_j α_t (γ_j/γ_b) (1 − p_t)^{γ_j} · BCE(x, t)` with `γ_j = γ_b + s(1 − g_j)` (eq. 7–8); rare
 * classes (small g_j) get a larger γ and a larger weight. γ_j and the weight are constants of the
 * step (no gradient). After the step, with G = |∂loss/∂x| of the valid entries, the state
 * accumulates `posGrad_j += Σ G t`, `negGrad_j += Σ G (1 − t)` and `posNeg_j = clamp(posGrad/(negGrad + 1e-10), 0, 1)`.
 *
 * @param logits `[N, C]` float32 logits.
 * @param targets `[N, C]` one-hot 0/1 (United-Perception expands labels 1..C the same way).
 * @param options `state`, `gammaB` (2), `scaleFactor` (8), `alpha` (0.25), `weight`, `update` (true),
 *   `reduction` (`'mean'` over N·C), `avgFactor` (#positives), `lossWeight`.
 * @returns {@link EqualizedFocalLossResult}: `lossElements` and `grad` `[N, C]`, the new `state`.
 * @throws SoftSamplingError `E_VALUE` (targets not 0/1, negative weights, bad state values — with the
 *   index; α outside [0, 1]), `E_SHAPE` (shapes, a state for another class count, more than 2^20 classes without a state), `E_TYPE`, `E_OPTION`.
 * Numerics: the stable softplus form (UP's `−log p` is +inf once p underflows; this stays finite).
 */
export function equalizedFocalLoss(logits: unknown, targets: unknown, options?: EqualizedFocalLossOptions): EqualizedFocalLossResult {
  const o = checkOptions('options', options, ['state', 'gammaB', 'scaleFactor', 'alpha', 'weight', 'update', 'reduction', 'avgFactor', 'lossWeight']);
  const p = toMatrix('logits', logits, undefined, false); // NaN / ±Inf: the kernel's check
  const { n, c } = p;
  if (c < 1) throw new SoftSamplingError('E_SHAPE', 'logits', 'needs at least one class column');
  // the 0/1 (and NaN) check of the targets is the kernel's: one vectorised scan, not a JS pass
  const t = toMatrix('targets', targets, undefined, false);
  if (t.data.length !== n * c) throw new SoftSamplingError('E_SHAPE', 'targets', `expected one-hot [N, C] = [${n}, ${c}], got ${t.data.length} values`);
  const state = readState(o.state, c);
  const gammaB = numOpt('options.gammaB', o.gammaB, 2, (x) => (x > 0 && x <= 100 ? null : `must be in (0, 100], got ${x}`));
  const scaleFactor = numOpt('options.scaleFactor', o.scaleFactor, 8, (x) => (x >= 0 && x <= 100 ? null : `must be in [0, 100], got ${x}`));
  const alpha = numOpt('options.alpha', o.alpha, 0.25, (x) => (x >= 0 && x <= 1 ? null : `must be in [0, 1], got ${x}`));
  const update = boolOpt('options.update', o.update, true);
  const weight = toWeight('options.weight', o.weight, [n, n * c], `[N] = [${n}] or [N, C] = [${n}, ${c}]`);
  checkRange('options.state.posNeg', state.posNeg, 0, 1);
  const r = reducer(o, n * c);
  const out = getBackend().equalizedFocalLoss(
    { pred: p.data, target: t.data, weight, posGrad: Float64Array.from(state.posGrad), negGrad: Float64Array.from(state.negGrad), posNeg: Float64Array.from(state.posNeg) },
    { numClasses: c, gammaB, scaleFactor, alpha, scale: r.scale, update },
  );
  const res = lossResult(out.sum[0], r.scale, out.lossElements, [n, c], out.grad, [n, c]);
  return { ...res, state: { numClasses: c, posGrad: Array.from(out.posGradOut), negGrad: Array.from(out.negGradOut), posNeg: Array.from(out.posNegOut) } };
}
