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
import type { ArrayInput } from '../tensor';
import { sigmoidCrossEntropy, sigmoidFocalLoss, focalLossStar, softmaxFocalLoss, type LossResult } from './focal';
import { carlLoss, type CarlOptions } from './pisa';
import { ghmcLoss, ghmrLoss, smoothL1Loss, asl1Loss, type GhmState, type GhmcOptions, type GhmrOptions } from './ghm';

/** The part of a tfjs tensor the adapter uses. */
export interface TfTensorLike {
  shape: number[];
  dataSync(): ArrayLike<number>;
}

/** The part of the tfjs namespace the adapter uses (`import * as tf from '@tensorflow/tfjs'` fits). */
export interface TfLike {
  customGrad(f: (...args: any[]) => { value: any; gradFunc: (dy: any, saved: any[]) => any }): (...args: any[]) => any;
  tensor(values: Float32Array, shape: number[], dtype?: 'float32'): any;
  scalar(value: number): any;
  mul(a: any, b: any): any;
  Tensor: new (...args: any[]) => any;
}

/** A loss of the library: reads float data, returns the reduced loss and its gradient w.r.t. the first input. */
type ScalarLoss = (x: { data: Float32Array; shape: number[] }) => { loss: number; grad: Float32Array };

/** A tensor's values as float32 without a copy when tfjs already holds float32 (the CPU backend does). */
function read(t: TfTensorLike): { data: Float32Array; shape: number[] } {
  const d = t.dataSync();
  return { data: d instanceof Float32Array ? d : Float32Array.from(d), shape: t.shape };
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
 * - `fromLibrary(fn)`: wraps any `(x) → {loss, grad}` of your own making (e.g. GHM-C with a state
 *   you keep) as a tfjs op with that gradient.
 *
 * Gradients are exactly the library's analytic gradients (see each function's docs); they are
 * checked against tfjs autograd of the same formula in `test/tfjs.test.ts`.
 * @throws SoftSamplingError as the wrapped functions, and `E_OPTION` for `reduction: 'none'`.
 */
export function createTfLosses(tf: TfLike) {
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
