/**
 * The issue 14 losses in the TensorFlow.js adapter ({@link createTfLosses}): each wraps the
 * library loss (its analytic gradient) as a `tf.customGrad` op whose gradient flows into the first
 * argument, a tfjs tensor. The other arguments are constants (tfjs tensors or any array input).
 * Gradients are checked against tfjs autograd of the same formulas in `test/tfjs-modern.test.ts`.
 */
import { SoftSamplingError } from '../errors';
import type { ArrayInput } from '../tensor';
import type { TfLike, TfTensorLike, TfInput, TfScalar, ScalarLoss } from './tfjs';
import { qualityFocalLoss, distributionFocalLoss, type QualityFocalLossOptions, type DistributionFocalLossOptions } from './qfl';
import { varifocalLoss, type VarifocalLossOptions } from './vfl';
import { balancedL1Loss, type BalancedL1LossOptions } from './balanced-l1';
import { iouLoss, giouLoss, diouLoss, ciouLoss, type IouLossOptions, type BoxLossOptions } from './iou-loss';
import { equalizedFocalLoss, type EflState, type EqualizedFocalLossOptions } from './efl';

/** A stateful EFL of {@link TfModernLosses.equalizedFocal}: call it like a loss; its state advances. */
export interface TfEflLoss {
  /** `logits` `[N, C]` a tfjs tensor (gradient flows into it), `targets` one-hot `[N, C]`. */
  (logits: TfTensorLike, targets: TfInput): TfScalar;
  /** The state after the last call (`undefined` before the first); plain JSON, pass it as `options.state` to resume. */
  readonly state: EflState | undefined;
}

/** The issue 14 members of {@link TfLosses}. `reduction: 'none'` is refused (`E_OPTION`): the adapter returns a scalar. */
export interface TfModernLosses {
  /** {@link qualityFocalLoss}: `pred` `[N, C]` tensor; `target` `{labels, scores}` or a dense `[N, C]` soft target. */
  qualityFocalLoss(pred: TfTensorLike, target: { labels: TfInput; scores: TfInput } | TfInput, options?: QualityFocalLossOptions): TfScalar;
  /** {@link distributionFocalLoss}: `pred` `[N, n+1]` tensor, `target` `[N]` in `[0, n)`. */
  distributionFocalLoss(pred: TfTensorLike, target: TfInput, options?: DistributionFocalLossOptions): TfScalar;
  /** {@link varifocalLoss}: `pred` `[N, C]` tensor, `target` `[N, C]` IoU-aware scores. */
  varifocalLoss(pred: TfTensorLike, target: TfInput, options?: VarifocalLossOptions): TfScalar;
  /** {@link balancedL1Loss}: `pred` tensor of deltas, `target` same shape. */
  balancedL1Loss(pred: TfTensorLike, target: TfInput, options?: BalancedL1LossOptions): TfScalar;
  /** {@link iouLoss}: `pred` `[N, 4]` boxes tensor (xyxy), `target` `[N, 4]`. */
  iouLoss(pred: TfTensorLike, target: TfInput, options?: IouLossOptions): TfScalar;
  /** {@link giouLoss}. */
  giouLoss(pred: TfTensorLike, target: TfInput, options?: BoxLossOptions): TfScalar;
  /** {@link diouLoss}. */
  diouLoss(pred: TfTensorLike, target: TfInput, options?: BoxLossOptions): TfScalar;
  /** {@link ciouLoss} (α held constant, as mmdetection). */
  ciouLoss(pred: TfTensorLike, target: TfInput, options?: BoxLossOptions): TfScalar;
  /** An {@link equalizedFocalLoss} that keeps its per-class gradient state between calls. */
  equalizedFocal(options?: EqualizedFocalLossOptions): TfEflLoss;
}

/**
 * Builds the issue 14 members from the adapter's `fromLibrary` (used by {@link createTfLosses}); library
 * infrastructure, no reference implementation (each loss cites its own).
 * @throws SoftSamplingError never at build time; each loss throws as its library function, and `E_OPTION` for `reduction: 'none'`.
 */
export function modernTfLosses(tf: TfLike, fromLibrary: (x: TfTensorLike, fn: ScalarLoss) => TfScalar): TfModernLosses {
  const asInput = (x: unknown): ArrayInput => {
    if (x instanceof tf.Tensor) {
      const t = x as TfTensorLike;
      return { data: Float32Array.from(t.dataSync()), shape: t.shape };
    }
    return x as ArrayInput;
  };
  const noNone = (o?: { reduction?: string }) => {
    if (o?.reduction === 'none') throw new SoftSamplingError('E_OPTION', 'options.reduction', "the tfjs adapter returns a scalar loss: use 'mean' or 'sum'");
  };
  const unary = <O extends { reduction?: string }>(f: (x: ArrayInput, t: any, o?: O) => { loss: number; grad: { data: Float32Array } }) =>
    (pred: TfTensorLike, target: unknown, options?: O): TfScalar => {
      noNone(options);
      const t = target !== null && typeof target === 'object' && 'labels' in (target as object) && 'scores' in (target as object)
        ? { labels: asInput((target as { labels: unknown }).labels), scores: asInput((target as { scores: unknown }).scores) }
        : asInput(target);
      return fromLibrary(pred, (x) => {
        const r = f(x, t, options);
        return { loss: r.loss, grad: r.grad.data };
      });
    };
  return {
    qualityFocalLoss: unary(qualityFocalLoss),
    distributionFocalLoss: unary(distributionFocalLoss),
    varifocalLoss: unary(varifocalLoss),
    balancedL1Loss: unary(balancedL1Loss),
    iouLoss: unary(iouLoss),
    giouLoss: unary(giouLoss),
    diouLoss: unary(diouLoss),
    ciouLoss: unary(ciouLoss),
    equalizedFocal(options?: EqualizedFocalLossOptions): TfEflLoss {
      noNone(options);
      let state = options?.state;
      const fn = (logits: TfTensorLike, targets: unknown) => {
        const t = asInput(targets);
        return fromLibrary(logits, (x) => {
          const r = equalizedFocalLoss(x, t, { ...options, state });
          state = r.state;
          return { loss: r.loss, grad: r.grad.data };
        });
      };
      Object.defineProperty(fn, 'state', { get: () => state, enumerable: true });
      return fn as TfEflLoss;
    },
  };
}
