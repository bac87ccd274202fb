/**
 * Pure TypeScript kernels of the focal-family losses: the float64 reference the Rust kernels
 * (`crates/core/src/losses/focal.rs`) are checked against. Same formulas, same log-space forms:
 * `log p_t = −softplus(−x_t)`, `(1−p_t)^γ = exp(−γ·softplus(x_t))`, closed-form gradients
 * (Lin et al. 2017, Appendix B). The mmcv-compatible mode emulates float32 with `Math.fround`.
 */
import type { SoftmaxFocalInputs, SoftmaxFocalOptions, SoftmaxFocalOutputs } from '../../kernels/modern';
import { SoftSamplingError } from '../../errors';
import { softplus, sigmoid } from './math';

/** Positional signature of the sigmoid-family twin (wrapped as the declared `sigmoidLoss` in `./modern`). */
export interface FocalKernels {
  /**
   * Sigmoid-family loss over `[n, c]` logits. `useLabels`: `labels` (`[n]`, in `[0, c]`, `c` =
   * background) are the targets, else `targets` (`[n, c]`, in `[0, 1]`). `weight`,
   * `labelWeights`: empty, `[n]` or `[n, c]`. `hasAlpha = false` disables α.
   */
  sigmoidLoss(
    logits: Float32Array, n: number, c: number, targets: Float32Array, useLabels: boolean, labels: Int32Array,
    weight: Float32Array, labelWeights: Float32Array, kind: number, hasAlpha: boolean, alpha: number,
    gamma: number, beta: number, scale: number, elements: Float32Array, grad: Float32Array,
  ): number;
}


const K_CE = 0, K_FOCAL = 1, K_MMCV = 2, K_STAR = 3;
const FLT_MIN = 1.1754943508222875e-38;
const f = Math.fround;

type Elem = [number, number];

/** Scratch for the allocation-free element functions: `[loss, dloss/dx]`. */
const R = new Float64Array(2);

/**
 * Binary target `y ∈ {0,1}`, into `R`. One `exp(−|x_t|)` and one `log1p` give
 * `CE = softplus(−x_t)`, `softplus(x_t)`, `p_t` and `1 − p_t`; `(1−p_t)^γ = exp(−γ·softplus(x_t))`.
 */
function binaryElem(kind: number, x: number, y: number, aPos: number, aNeg: number, gamma: number, beta: number): void {
  const ys = 2 * y - 1;
  const at = y > 0.5 ? aPos : aNeg;
  const xt = kind === K_STAR ? gamma * ys * x + beta : ys * x;
  const e = Math.exp(-Math.abs(xt));
  const l = Math.log1p(e);
  const ce = (xt < 0 ? -xt : 0) + l;
  const inv = 1 / (1 + e);
  const omp = xt >= 0 ? e * inv : inv; // 1 − p_t = σ(−x_t)
  if (kind === K_STAR) {
    R[0] = (at * ce) / gamma;
    R[1] = -at * ys * omp;
    return;
  }
  if (kind === K_CE) {
    R[0] = at * ce;
    R[1] = -at * ys * omp;
    return;
  }
  const pt = xt >= 0 ? inv : e * inv;
  const sp = (xt > 0 ? xt : 0) + l; // softplus(x_t)
  // (1−p_t)^γ = exp(−γ·softplus(x_t)) = σ(−x_t)^γ: a product for the common γ = 2 and γ = 1
  const fw = at * (gamma === 2 ? omp * omp : gamma === 1 ? omp : Math.exp(-gamma * sp));
  R[0] = fw * ce;
  R[1] = ys * fw * (-gamma * pt * ce - omp);
}

/** mmcv CUDA op, float32 arithmetic: `log` clamped at FLT_MIN. */
function mmcvElem(x: number, y: number, aPos: number, aNeg: number, gamma: number): void {
  const p = f(1 / f(1 + f(Math.exp(f(-x)))));
  const pow = (b: number) => (b > 0 ? f(Math.pow(b, gamma)) : gamma === 0 ? 1 : 0);
  const omp = f(1 - p);
  if (y > 0.5) {
    const lg = f(Math.log(Math.max(p, FLT_MIN)));
    const w = f(aPos * pow(omp));
    R[0] = f(-w * lg);
    R[1] = f(-w * f(omp - f(f(gamma * p) * lg)));
    return;
  }
  const lg = f(Math.log(Math.max(omp, FLT_MIN)));
  const w = f(aNeg * pow(p));
  R[0] = f(-w * lg);
  R[1] = f(-w * f(f(f(gamma * omp) * lg) - p));
}

function logaddexp(a: number, b: number): number {
  const m = a > b ? a : b;
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/** Soft target `y ∈ [0,1]` (exact for 0/1 too): see `soft_elem` in the Rust core. */
function softElem(kind: number, x: number, y: number, hasAlpha: boolean, alpha: number, gamma: number, beta: number): void {
  const at = hasAlpha ? alpha * y + (1 - alpha) * (1 - y) : 1;
  if (kind === K_STAR) {
    const ys = 2 * y - 1;
    const z = gamma * ys * x + beta;
    R[0] = (at * softplus(-z)) / gamma;
    R[1] = -at * ys * sigmoid(-z);
    return;
  }
  const l = Math.log1p(Math.exp(-Math.abs(x)));
  const ce = Math.max(x, 0) - x * y + l;
  const spPos = Math.max(x, 0) + l;
  const spNeg = Math.max(-x, 0) + l;
  const dce = (1 - y) * sigmoid(x) - y * sigmoid(-x);
  if (kind === K_CE) {
    R[0] = at * ce;
    R[1] = at * dce;
    return;
  }
  const lq = logaddexp(Math.log(y) - spPos, Math.log(1 - y) - spNeg);
  const q = Math.exp(gamma * lq);
  const r = (1 - 2 * y) * Math.exp(-spNeg - spPos - lq);
  const fw = at * q;
  R[0] = fw * ce;
  R[1] = fw * (gamma * r * ce + dce);
}

/**
 * One sigmoid-family element in float64: `[loss, d loss / dx]` for kind 0 CE, 1 focal,
 * 2 focal (mmcv clamp, float32-emulated), 3 FL*. Exported for the finite-difference tests.
 */
export function sigmoidElem(kind: number, x: number, y: number, alpha: number | null, gamma: number, beta: number): Elem {
  const aPos = alpha === null ? 1 : alpha, aNeg = alpha === null ? 1 : 1 - alpha;
  if (kind === K_MMCV) mmcvElem(x, y, aPos, aNeg, gamma);
  else if (y === 0 || y === 1) binaryElem(kind, x, y, aPos, aNeg, gamma, beta);
  else softElem(kind, x, y, alpha !== null, alpha ?? 0, gamma, beta);
  return [R[0], R[1]];
}

/**
 * Softmax focal loss of one row in float64: `[loss, gradient row]` (unweighted, unscaled).
 * Exported for the finite-difference tests; the kernel below uses it.
 */
export function softmaxFocalRow(x: ArrayLike<number>, y: number, alpha: number, gamma: number): [number, number[]] {
  const k = x.length;
  let m = -Infinity;
  for (let j = 0; j < k; j++) if (j !== y && x[j] > m) m = x[j];
  let s = 0;
  for (let j = 0; j < k; j++) if (j !== y) s += Math.exp(x[j] - m);
  const lse = m + Math.log(s); // log-sum-exp over the classes other than y
  const z = x[y] - lse; // p_y = σ(z)
  const ce = softplus(-z);
  const omp = sigmoid(-z); // 1 − p_y
  const q = gamma === 2 ? omp * omp : gamma === 1 ? omp : Math.exp(-gamma * softplus(z));
  const g = alpha * q * (-gamma * sigmoid(z) * ce - omp);
  const grad = new Array<number>(k);
  for (let j = 0; j < k; j++) grad[j] = j === y ? g : -g * Math.exp(x[j] - lse);
  return [alpha * q * ce, grad];
}

/** NaN / ±Inf check with the same error as the Rust kernels (see `check_finite` there). */
export function checkFinite(arg: string, v: Float32Array): void {
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) throw new SoftSamplingError('E_VALUE', arg, `element ${i} is ${v[i]} (NaN/Inf not allowed)`);
    if (!(Math.abs(v[i]) <= 1e18)) throw new SoftSamplingError('E_VALUE', arg, `element ${i} is ${v[i]}; inputs must have |x| ≤ 1e18 (float32 intermediates overflow beyond)`);
  }
}

function weightAt(w: Float32Array, n: number, c: number, i: number, j: number): number {
  if (w.length === 0) return 1;
  if (w.length === n * c) return w[i * c + j];
  return w[i];
}

export const focalKernels: FocalKernels = {
  sigmoidLoss(logits, n, c, targets, useLabels, labels, weight, labelWeights, kind, hasAlpha, alpha, gamma, beta, scale, elements, grad): number {
    if (kind < 0 || kind > 3) throw new SoftSamplingError('E_VALUE', 'kind', `unknown sigmoid loss kind ${kind}`);
    checkFinite('logits', logits);
    checkFinite('options.weight', weight);
    checkFinite('options.labelWeights', labelWeights);
    const aPos = hasAlpha ? alpha : 1, aNeg = hasAlpha ? 1 - alpha : 1;
    let sum = 0;
    const s32 = f(scale);
    for (let i = 0; i < n; i++) {
      let binary = true;
      if (!useLabels) {
        for (let j = 0; j < c; j++) {
          const v = targets[i * c + j];
          if (v !== 0 && v !== 1) binary = false;
        }
      }
      const lab = useLabels ? labels[i] : -1;
      for (let j = 0; j < c; j++) {
        const k = i * c + j;
        const x = logits[k];
        const y = useLabels ? (j === lab ? 1 : 0) : targets[k];
        if (kind === K_MMCV) mmcvElem(x, y, aPos, aNeg, gamma);
        else if (binary) binaryElem(kind, x, y, aPos, aNeg, gamma, beta);
        else softElem(kind, x, y, hasAlpha, alpha, gamma, beta);
        const w = weightAt(weight, n, c, i, j) * weightAt(labelWeights, n, c, i, j);
        const le = f(w * R[0]);
        elements[k] = le;
        grad[k] = s32 * w * R[1];
        sum += le;
      }
    }
    return sum;
  },

};

/** TS twin of `focal::softmax_focal` (declared as `softmaxFocal`, through `decl_shim::softmax_focal`). */
export function softmaxFocal(
  { logits, labels, alpha, weight, labelWeights }: SoftmaxFocalInputs, { n, k, gamma, scale }: SoftmaxFocalOptions, out: SoftmaxFocalOutputs,
): void {
  const { lossElements: elements, grad } = out;
  checkFinite('logits', logits);
  const s32 = f(scale);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    const y = labels[i];
    const a = alpha.length === 0 ? 1 : alpha.length === 1 ? alpha[0] : alpha[y];
    const [l, g] = softmaxFocalRow(logits.subarray(o, o + k), y, a, gamma);
    const w = (weight.length ? weight[i] : 1) * (labelWeights.length ? labelWeights[i] : 1);
    const le = f(w * l);
    elements[i] = le;
    sum += le;
    for (let j = 0; j < k; j++) grad[o + j] = s32 * w * g[j];
  }
  out.sum[0] = sum;
}
