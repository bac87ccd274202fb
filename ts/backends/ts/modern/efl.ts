/** TS twin of `crates/core/src/losses/efl.rs`: Equalized Focal Loss with the caller's gradient state. */
import { SoftSamplingError } from '../../../errors';
import { checkFinite } from './check';
import type { EqualizedFocalLossInputs, EqualizedFocalLossOptions, EqualizedFocalLossOutputs } from '../../../kernels/modern';

export function equalizedFocalLoss(i: EqualizedFocalLossInputs, o: EqualizedFocalLossOptions, out: EqualizedFocalLossOutputs): void {
  const { pred, target, weight, posGrad, negGrad, posNeg } = i;
  const c = o.numClasses, len = pred.length;
  const perRow = weight.length > 0 && weight.length !== len;
  const gammas = Array.from(posNeg, (g) => o.gammaB + o.scaleFactor * (1 - g));
  out.posGradOut.set(posGrad);
  out.negGradOut.set(negGrad);
  for (let k = 0; k < target.length; k++) {
    if (target[k] !== 0 && target[k] !== 1) throw new SoftSamplingError('E_VALUE', 'targets', `element ${k} is ${target[k]}; EFL targets are one-hot 0/1`);
  }
  checkFinite('logits', pred);
  let total = 0;
  for (let k = 0; k < len; k++) {
    const j = k % c, gm = gammas[j], wj = gm / o.gammaB;
    const x = pred[k], t = target[k];
    const e = Math.exp(-Math.abs(x));
    const p = x >= 0 ? 1 / (1 + e) : e / (1 + e);
    const pn = x >= 0 ? e / (1 + e) : 1 / (1 + e);
    const w = weight.length === 0 ? 1 : perRow ? weight[Math.floor(k / c)] : weight[k];
    let l: number, g: number;
    if (t > 0.5) {
      const sp = Math.log1p(e) + Math.max(-x, 0);
      const m = pn ** gm;
      l = o.alpha * wj * m * sp;
      g = o.alpha * wj * m * (-gm * p * sp - pn);
    } else {
      const sp = Math.log1p(e) + Math.max(x, 0);
      const m = p ** gm;
      l = (1 - o.alpha) * wj * m * sp;
      g = (1 - o.alpha) * wj * m * (gm * pn * sp + p);
    }
    out.lossElements[k] = l * w;
    const gk = g * w * o.scale;
    out.grad[k] = gk;
    total += l * w;
    if (o.update && w > 0) {
      if (t > 0.5) out.posGradOut[j] += Math.abs(gk);
      else out.negGradOut[j] += Math.abs(gk);
    }
  }
  for (let j = 0; j < c; j++) {
    out.posNegOut[j] = o.update ? Math.min(Math.max(out.posGradOut[j] / (out.negGradOut[j] + 1e-10), 0), 1) : posNeg[j];
  }
  out.sum[0] = total;
}
