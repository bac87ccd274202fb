/** TS twin of `crates/core/src/losses/balanced_l1.rs`: Balanced L1 Loss. */
import { checkFinite } from './check';
import type { BalancedL1LossInputs, BalancedL1LossOptions, BalancedL1LossOutputs } from '../../../kernels/modern';

export function balancedL1Loss(i: BalancedL1LossInputs, o: BalancedL1LossOptions, out: BalancedL1LossOutputs): void {
  const { pred, target, weight } = i;
  const { alpha: a, gamma: gm, beta } = o;
  checkFinite('pred', pred);
  checkFinite('target', target);
  const b = Math.exp(gm / a) - 1;
  let total = 0;
  for (let k = 0; k < pred.length; k++) {
    const diff = pred[k] - target[k];
    const x = Math.abs(diff);
    let l: number, slope: number;
    if (x < beta) {
      const lg = Math.log1p((b * x) / beta);
      l = (a / b) * (b * x + 1) * lg - a * x;
      slope = a * lg + a * ((b * x + 1) / (b * x + beta) - 1);
    } else {
      l = gm * x + gm / b - a * beta;
      slope = gm;
    }
    const w = weight.length ? weight[k] : 1;
    out.lossElements[k] = l * w;
    out.grad[k] = slope * Math.sign(diff) * w * o.scale;
    total += l * w;
  }
  out.sum[0] = total;
}
