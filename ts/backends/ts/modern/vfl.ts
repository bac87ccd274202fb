/** TS twin of `crates/core/src/losses/vfl.rs`: Varifocal Loss. */
import { SoftSamplingError } from '../../../errors';
import { checkFinite } from './check';
import type { VarifocalLossInputs, VarifocalLossOptions, VarifocalLossOutputs } from '../../../kernels/modern';

export function varifocalLoss(i: VarifocalLossInputs, o: VarifocalLossOptions, out: VarifocalLossOutputs): void {
  const { pred, target, weight } = i;
  const len = pred.length, c = Math.max(o.numClasses, 1);
  const perRow = weight.length > 0 && weight.length !== len;
  for (let k = 0; k < target.length; k++) {
    if (!(target[k] >= 0 && target[k] <= 1)) throw new SoftSamplingError('E_VALUE', 'target', `element ${k} is ${target[k]}; must lie in [0, 1]`);
  }
  checkFinite('pred', pred);
  let total = 0;
  for (let k = 0; k < len; k++) {
    const x = pred[k], q = target[k];
    const e = Math.exp(-Math.abs(x));
    const p = x >= 0 ? 1 / (1 + e) : e / (1 + e);
    const pn = x >= 0 ? e / (1 + e) : 1 / (1 + e);
    const w = weight.length === 0 ? 1 : perRow ? weight[Math.floor(k / c)] : weight[k];
    let l: number, g: number;
    if (q > 0) {
      const bce = Math.log1p(e) + (x >= 0 ? x * (1 - q) : -x * q);
      const d = x >= 0 ? 1 - q - pn : p - q;
      const f = o.iouWeighted ? q : 1;
      l = bce * f;
      g = d * f;
    } else {
      const sp = Math.log1p(e) + Math.max(x, 0);
      const pg = o.gamma === 2 ? p * p : p ** o.gamma;
      l = o.alpha * pg * sp;
      g = o.alpha * pg * (p + o.gamma * pn * sp);
    }
    out.lossElements[k] = l * w;
    out.grad[k] = g * w * o.scale;
    total += l * w;
  }
  out.sum[0] = total;
}
