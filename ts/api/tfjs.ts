/**
 * TensorFlow.js adapter (issue 6): the library's losses as functions on `tf.Tensor`s whose gradient
 * is ours (`tf.customGrad`), computed by the active soft-sampling backend (native, wasm or ts).
 *
 * tfjs is an optional peer dependency and is never imported here: pass your `tf` namespace
 * (`@tensorflow/tfjs`, `@tensorflow/tfjs-core` with any backend) to {@link createTfLosses}. Each call
 * reads the input tensors once (`dataSync`), runs the kernel, and hands tfjs a scalar loss whose
 * backward pass multiplies our analytic gradient by the upstream `dy`.
 */
import { SoftSamplingError } from '../errors';
import { isF32, type ArrayInput } from '../tensor';
import { sigmoidCrossEntropy, sigmoidFocalLoss, focalLossStar, softmaxFocalLoss, type LossResult, type SigmoidCrossEntropyOptions, type SigmoidFocalLossOptions, type FocalLossStarOptions, type SoftmaxFocalLossOptions } from './focal';
import { carlLoss, type CarlOptions } from './pisa';
import { modernTfLosses, type TfModernLosses } from './tfjs-modern';
import { ghmcLoss, ghmrLoss, smoothL1Loss, asl1Loss, type GhmState, type GhmcOptions, type GhmrOptions, type SmoothL1Options, type Asl1Options } from './ghm';

/** The part of a tfjs tensor the adapter uses. */
export interface TfTensorLike {
  /** Dimensions. */
  shape: number[];
  /** The values, synchronously (tfjs copies them from the GPU/wasm backend if needed). */
  dataSync(): ArrayLike<number>;
}

/** The part of the tfjs namespace the adapter uses (`import * as tf from '@tensorflow/tfjs'` fits). */
export interface TfLike {
  /** `tf.customGrad`: an op with a user-defined gradient. */
  customGrad(f: (...args: any[]) => { value: any; gradFunc: (dy: any, saved: any[]) => any }): (...args: any[]) => any;
  /** `tf.tensor`. */
  tensor(values: Float32Array, shape: number[], dtype?: 'float32'): any;
  /** `tf.scalar`. */
  scalar(value: number): any;
  /** `tf.mul`. */
  mul(a: any, b: any): any;
  /** `tf.Tensor`, to recognise tfjs tensors among the arguments. */
  Tensor: TfTensorClass;
}

/** The `tf.Tensor` class (only used with `instanceof`). */
export interface TfTensorClass {
  /** Any constructor signature; the adapter never constructs tensors through it. */
  new (...args: any[]): any;
}

/**
 * A loss for {@link TfLosses.fromLibrary}: reads the input's float32 values and shape, returns the
 * reduced loss and its gradient w.r.t. that input (same length as `x.data`).
 */
export type ScalarLoss = (x: { data: Float32Array; shape: number[] }) => ScalarLossResult;

/** What a {@link ScalarLoss} returns. */
export interface ScalarLossResult {
  /** The reduced loss. */
  loss: number;
  /** d loss / d x, one value per element of `x.data`. */
  grad: Float32Array;
}

/** A tensor's values as float32 without a copy when tfjs already holds float32 (the CPU backend does). */
function read(t: TfTensorLike): { data: Float32Array; shape: number[] } {
  const d = t.dataSync();
  return { data: isF32(d) ? d : Float32Array.from(d), shape: t.shape };
}

function asInput(tf: TfLike, x: unknown): ArrayInput {
  return x instanceof tf.Tensor ? read(x as TfTensorLike) : (x as ArrayInput);
}

function checkReduction(o: { reduction?: string } | undefined): void {
  if (o?.reduction === 'none') {
    throw new SoftSamplingError('E_OPTION', 'options.reduction', "the tfjs adapter returns a scalar loss: use 'mean' or 'sum'");
  }
}

/**
 * A tfjs tensor, as the adapter returns it: `tf.Scalar` for the losses. Typed `any` so that the
 * package does not depend on tfjs' types (tfjs is an optional peer dependency).
 */
export type TfScalar = any;

/** Targets, labels and weights for the adapter: a tfjs tensor (read with `dataSync`) or any {@link ArrayInput}. */
export type TfInput = TfTensorLike | ArrayInput;

/** A stateful GHM loss of {@link TfLosses.ghmc} / {@link TfLosses.ghmr}. */
export interface TfGhmLoss {
  /**
   * The loss of one call, `tf.Scalar`; updates {@link TfGhmLoss.state}.
   * @param x logits `[N, C]` (GHM-C) or predicted deltas (GHM-R), a tfjs tensor (the gradient flows into it).
   * @param targets as {@link ghmcLoss} / {@link ghmrLoss}.
   * @param labelWeights overrides the `labelWeights` given at creation.
   */
  (x: TfTensorLike, targets: TfInput, labelWeights?: TfInput): TfScalar;
  /** The moving-average state after the last call (`undefined` before the first); plain JSON, pass it as `options.state` to resume. */
  readonly state: GhmState | undefined;
}

/**
 * The losses as TensorFlow.js ops, made by {@link createTfLosses}. Each returns a `tf.Scalar` whose
 * gradient is the library's analytic gradient (`tf.customGrad`); options are those of the library
 * function of the same name, except that `reduction: 'none'` is refused (a tfjs loss is a scalar)
 * and `out` buffers are ignored.
 */
export interface TfLosses extends TfModernLosses {
  /**
   * Wraps any library loss of one differentiable input as a tfjs op.
   * @param x the differentiable tensor.
   * @param fn computes `{ loss, grad }` from `x`'s values (see {@link ScalarLoss}).
   */
  fromLibrary(x: TfTensorLike, fn: ScalarLoss): TfScalar;
  /** {@link smoothL1Loss}: `pred` a tfjs tensor (gradient flows into it), `target` `[N, 4]`. */
  smoothL1Loss(pred: TfTensorLike, target: TfInput, options?: SmoothL1Options): TfScalar;
  /** {@link asl1Loss}: as `smoothL1Loss`, with `mu`. */
  asl1Loss(pred: TfTensorLike, target: TfInput, options?: Asl1Options): TfScalar;
  /** A GHM-C loss that keeps its moving-average state between calls (make one per FPN level). */
  ghmc(options?: GhmcOptions): TfGhmLoss;
  /** A GHM-R loss that keeps its moving-average state between calls. */
  ghmr(options?: GhmrOptions): TfGhmLoss;
  /** {@link sigmoidCrossEntropy}: `logits` `[N, C]` a tfjs tensor, `targets` labels `[N]` or one-hot `[N, C]`. */
  sigmoidCrossEntropy(logits: TfTensorLike, targets: TfInput, options?: SigmoidCrossEntropyOptions): TfScalar;
  /** {@link sigmoidFocalLoss}: `logits` `[N, C]` a tfjs tensor, `targets` labels `[N]` (background = C) or one-hot `[N, C]`. */
  sigmoidFocalLoss(logits: TfTensorLike, targets: TfInput, options?: SigmoidFocalLossOptions): TfScalar;
  /** {@link focalLossStar}: as `sigmoidFocalLoss`. */
  focalLossStar(logits: TfTensorLike, targets: TfInput, options?: FocalLossStarOptions): TfScalar;
  /** {@link softmaxFocalLoss}: `logits` `[N, K]` a tfjs tensor, `labels` `[N]` in `[0, K)`. */
  softmaxFocalLoss(logits: TfTensorLike, labels: TfInput, options?: SoftmaxFocalLossOptions): TfScalar;
  /**
   * {@link carlLoss} with gradients into both `clsScore` and `bboxPred` (two tfjs tensors).
   * @param clsScore `[N, C]` (sigmoid) or `[N, C + 1]` (softmax) scores, a tfjs tensor.
   * @param labels `[N]` integers in `[0, C]`.
   * @param bboxPred `[N, 4]` or `[N, 4·C]` deltas, a tfjs tensor.
   * @param bboxTargets `[N, 4]` target deltas.
   * @param options as {@link carlLoss}.
   */
  carlLoss(clsScore: TfTensorLike, labels: TfInput, bboxPred: TfTensorLike, bboxTargets: TfInput, options?: CarlOptions): TfScalar;
}

/**
 * Builds tfjs versions of the losses.
 *
 * - `sigmoidCrossEntropy`, `sigmoidFocalLoss`, `focalLossStar`, `softmaxFocalLoss`:
 *   `(logits: tf.Tensor [N, C], targets: tf.Tensor | ArrayInput, options?) → tf.Scalar`; same
 *   options as the library functions (reduction `'mean'` or `'sum'`; `'none'` is refused).
 * - `smoothL1Loss`, `asl1Loss`: `(pred: tf.Tensor, target, options?) → tf.Scalar`.
 * - `ghmc(options?)` / `ghmr(options?)`: a stateful GHM-C / GHM-R loss — `(x: tf.Tensor, targets,
 *   labelWeights?) → tf.Scalar` — that keeps its moving-average state between calls (one per FPN
 *   level, as decisions.md asks) and exposes it as `.state` (plain, serialisable; pass
 *   `options.state` to resume). The gradient holds the GHM weights constant, as the reference does.
 * - `carlLoss(clsScore: tf.Tensor, labels, bboxPred: tf.Tensor, bboxTargets, options?) → tf.Scalar`,
 *   with gradients into both `clsScore` and `bboxPred` (PISA §3.3). ISR-P weights (not
 *   differentiable) come from the library's `isrP` and go in as the losses' `labelWeights`.
 * - `fromLibrary(x, fn)`: wraps any `(x) → {loss, grad}` of your own making (e.g. GHM-C with a state
 *   you keep) as a tfjs op with that gradient.
 *
 * Gradients are exactly the library's analytic gradients (see each function's docs); they are
 * checked against tfjs autograd of the same formula in `test/tfjs.test.ts` (an adapter: no reference
 * implementation; the losses' sources are in their own docs).
 * @throws SoftSamplingError as the wrapped functions, and `E_OPTION` for `reduction: 'none'`.
 */
export function createTfLosses(tf: TfLike): TfLosses {
  if (!tf || typeof tf.customGrad !== 'function' || typeof tf.tensor !== 'function') {
    throw new SoftSamplingError('E_TYPE', 'tf', 'pass the tfjs namespace (import * as tf from "@tensorflow/tfjs")');
  }
  /** Wraps a library loss of one differentiable input as a tfjs op. */
  const fromLibrary = (x: TfTensorLike, fn: ScalarLoss): any =>
    tf.customGrad((xt: TfTensorLike) => {
      const shape = xt.shape;
      const r = fn(read(xt));
      return { value: tf.scalar(r.loss), gradFunc: (dy: unknown) => tf.mul(tf.tensor(r.grad, shape, 'float32'), dy) };
    })(x);
  const unary = (f: (l: ArrayInput, t: ArrayInput, o?: any) => Pick<LossResult, 'loss' | 'grad'>) =>
    (logits: TfTensorLike, targets: unknown, options?: Record<string, unknown>) => {
      checkReduction(options as { reduction?: string });
      const t = asInput(tf, targets);
      // `out` buffers are dropped: the backward pass reads the gradient later, and a buffer reused
      // by the next call would have been overwritten by then
      const { out: _out, ...opts } = options ?? {};
      return fromLibrary(logits, (x) => {
        const r = f(x, t, opts);
        return { loss: r.loss, grad: r.grad.data };
      });
    };
  /** A GHM loss that keeps its state across calls. */
  const stateful = <O extends { state?: GhmState; labelWeights?: ArrayInput }>(
    run: (x: ArrayInput, t: ArrayInput, o: O) => { loss: number; grad: { data: Float32Array }; state: GhmState },
    given?: O | null,
  ) => {
    const options = (given ?? {}) as O;
    let state = options.state;
    const fn = (x: TfTensorLike, targets: unknown, labelWeights?: unknown) => {
      const t = asInput(tf, targets);
      const lw = labelWeights === undefined ? options.labelWeights : asInput(tf, labelWeights);
      const { out: _out, ...opts } = options as O & { out?: unknown };
      return fromLibrary(x, (xs) => {
        const r = run(xs, t, { ...(opts as O), state, labelWeights: lw });
        state = r.state;
        return { loss: r.loss, grad: r.grad.data };
      });
    };
    Object.defineProperty(fn, 'state', { get: () => state, enumerable: true });
    return fn as typeof fn & { readonly state: GhmState | undefined };
  };
  return {
    ...modernTfLosses(tf, fromLibrary),
    fromLibrary,
    smoothL1Loss: unary(smoothL1Loss),
    asl1Loss: unary(asl1Loss),
    ghmc: (options?: GhmcOptions) => stateful<GhmcOptions>(ghmcLoss, options),
    ghmr: (options?: GhmrOptions) => stateful<GhmrOptions>(ghmrLoss, options),
    sigmoidCrossEntropy: unary(sigmoidCrossEntropy),
    sigmoidFocalLoss: unary(sigmoidFocalLoss),
    focalLossStar: unary(focalLossStar),
    softmaxFocalLoss: unary(softmaxFocalLoss),
    carlLoss(clsScore: TfTensorLike, labels: unknown, bboxPred: TfTensorLike, bboxTargets: unknown, options?: CarlOptions): any {
      const lab = asInput(tf, labels);
      const tgt = asInput(tf, bboxTargets);
      return tf.customGrad((c: TfTensorLike, b: TfTensorLike) => {
        const r = carlLoss(read(c), lab, read(b), tgt, options);
        return {
          value: tf.scalar(r.loss),
          gradFunc: (dy: unknown) => [
            tf.mul(tf.tensor(r.gradClsScore.data, c.shape, 'float32'), dy),
            tf.mul(tf.tensor(r.gradBboxPred.data, b.shape, 'float32'), dy),
          ],
        };
      })(clsScore, bboxPred);
    },
  };
}
