/**
 * Pure TypeScript kernels of the focal-family losses: the float64 reference the Rust kernels
 * (`crates/core/src/losses/focal.rs`) are checked against. Same formulas, same log-space forms:
 * `log p_t = −softplus(−x_t)`, `(1−p_t)^γ = exp(−γ·softplus(x_t))`, closed-form gradients
 * (Lin et al. 2017, Appendix B). The mmcv-compatible mode emulates float32 with `Math.fround`.
 */
import type { FocalKernels, LossKernelOut } from '../../kernels/focal';
import { SoftSamplingError } from '../../errors';
import { softplus, sigmoid } from './math';

const K_CE = 0, K_FOCAL = 1, K_MMCV = 2, K_STAR = 3;
const FLT_MIN = 1.1754943508222875e-38;
const f = Math.fround;

type Elem = [number, number];

/** Binary target `y ∈ {0,1}`: `[loss, dloss/dx]`. */
function binaryElem(kind: number, x: number, y: number, aPos: number, aNeg: number, gamma: number, beta: number): Elem {
  const ys = 2 * y - 1;
  const at = y > 0.5 ? aPos : aNeg;
  if (kind === K_STAR) {
    const z = gamma * ys * x + beta;
    return [(at * softplus(-z)) / gamma, -at * ys * sigmoid(-z)];
  }
  const xt = ys * x;
  const ce = softplus(-xt);
  if (kind === K_CE) return [at * ce, -at * ys * sigmoid(-xt)];
  const q = Math.exp(-gamma * softplus(xt));
  const fw = at * q;
  return [fw * ce, ys * fw * (-gamma * sigmoid(xt) * ce - sigmoid(-xt))];
}

/** mmcv CUDA op, float32 arithmetic: `log` clamped at FLT_MIN. */
function mmcvElem(x: number, y: number, aPos: number, aNeg: number, gamma: number): Elem {
  const p = f(1 / f(1 + f(Math.exp(f(-x)))));
  const pow = (b: number) => (b > 0 ? f(Math.pow(b, gamma)) : gamma === 0 ? 1 : 0);
  const omp = f(1 - p);
  if (y > 0.5) {
    const lg = f(Math.log(Math.max(p, FLT_MIN)));
    const w = f(aPos * pow(omp));
    return [f(-w * lg), f(-w * f(omp - f(f(gamma * p) * lg)))];
  }
  const lg = f(Math.log(Math.max(omp, FLT_MIN)));
  const w = f(aNeg * pow(p));
  return [f(-w * lg), f(-w * f(f(f(gamma * omp) * lg) - p))];
}

function logaddexp(a: number, b: number): number {
  const m = a > b ? a : b;
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/** Soft target `y ∈ [0,1]` (exact for 0/1 too): see `soft_elem` in the Rust core. */
function softElem(kind: number, x: number, y: number, hasAlpha: boolean, alpha: number, gamma: number, beta: number): Elem {
  const at = hasAlpha ? alpha * y + (1 - alpha) * (1 - y) : 1;
  if (kind === K_STAR) {
    const ys = 2 * y - 1;
    const z = gamma * ys * x + beta;
    return [(at * softplus(-z)) / gamma, -at * ys * sigmoid(-z)];
  }
  const l = Math.log1p(Math.exp(-Math.abs(x)));
  const ce = Math.max(x, 0) - x * y + l;
  const spPos = Math.max(x, 0) + l;
  const spNeg = Math.max(-x, 0) + l;
  const dce = (1 - y) * sigmoid(x) - y * sigmoid(-x);
  if (kind === K_CE) return [at * ce, at * dce];
  const lq = logaddexp(Math.log(y) - spPos, Math.log(1 - y) - spNeg);
  const q = Math.exp(gamma * lq);
  const r = (1 - 2 * y) * Math.exp(-spNeg - spPos - lq);
  const fw = at * q;
  return [fw * ce, fw * (gamma * r * ce + dce)];
}

/**
 * One sigmoid-family element in float64: `[loss, d loss / dx]` for kind 0 CE, 1 focal,
 * 2 focal (mmcv clamp, float32-emulated), 3 FL*. Exported for the finite-difference tests.
 */
export function sigmoidElem(kind: number, x: number, y: number, alpha: number | null, gamma: number, beta: number): Elem {
  const aPos = alpha === null ? 1 : alpha, aNeg = alpha === null ? 1 : 1 - alpha;
  if (kind === K_MMCV) return mmcvElem(x, y, aPos, aNeg, gamma);
  if (y === 0 || y === 1) return binaryElem(kind, x, y, aPos, aNeg, gamma, beta);
  return softElem(kind, x, y, alpha !== null, alpha ?? 0, gamma, beta);
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
  const q = Math.exp(-gamma * softplus(z));
  const g = alpha * q * (-gamma * sigmoid(z) * ce - sigmoid(-z));
  const grad = new Array<number>(k);
  for (let j = 0; j < k; j++) grad[j] = j === y ? g : -g * Math.exp(x[j] - lse);
  return [alpha * q * ce, grad];
}

function weightAt(w: Float32Array, n: number, c: number, i: number, j: number): number {
  if (w.length === 0) return 1;
  if (w.length === n * c) return w[i * c + j];
  return w[i];
}

export const focalKernels: FocalKernels = {
  sigmoidLoss(logits, n, c, targets, useLabels, labels, weight, labelWeights, kind, hasAlpha, alpha, gamma, beta, scale): LossKernelOut {
    if (kind < 0 || kind > 3) throw new SoftSamplingError('E_VALUE', 'kind', `unknown sigmoid loss kind ${kind}`);
    const aPos = hasAlpha ? alpha : 1, aNeg = hasAlpha ? 1 - alpha : 1;
    const elements = new Float32Array(n * c);
    const grad = new Float32Array(n * c);
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
        let e: Elem;
        if (kind === K_MMCV) e = mmcvElem(x, y, aPos, aNeg, gamma);
        else if (binary) e = binaryElem(kind, x, y, aPos, aNeg, gamma, beta);
        else e = softElem(kind, x, y, hasAlpha, alpha, gamma, beta);
        const w = weightAt(weight, n, c, i, j) * weightAt(labelWeights, n, c, i, j);
        const le = f(w * e[0]);
        elements[k] = le;
        grad[k] = s32 * w * e[1];
        sum += le;
      }
    }
    return { loss: sum, elements, grad };
  },

  softmaxFocal(logits, n, k, labels, alpha, gamma, weight, labelWeights, scale): LossKernelOut {
    const elements = new Float32Array(n);
    const grad = new Float32Array(n * k);
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
    return { loss: sum, elements, grad };
  },
};
