/** TS twin of `pisa::cls_loss_rows` (through `decl_shim::pisa_cls_loss`). */
import { SoftSamplingError } from '../../../errors';
import type { PisaClsLossInputs, PisaClsLossOptions, PisaClsLossOutputs } from '../../../kernels/modern';
import { softplus } from '../math';

export function pisaClsLoss({ clsScore: score, labels }: PisaClsLossInputs, { cols, kind, alpha, gamma }: PisaClsLossOptions, { out }: PisaClsLossOutputs): void {
  const n = labels.length;
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    if (l < 0 || l >= cols) throw new SoftSamplingError('E_VALUE', 'labels', `element ${i} (${l}) is not a column of clsScore`);
    const o = i * cols;
    if (kind === 0) {
      let m = -Infinity;
      for (let c = 0; c < cols; c++) m = Math.max(m, score[o + c]);
      let s = 0;
      for (let c = 0; c < cols; c++) s += Math.exp(score[o + c] - m);
      out[i] = m + Math.log(s) - score[o + l];
    } else {
      let s = 0;
      for (let c = 0; c < cols; c++) {
        const x = score[o + c];
        const xt = c === l ? x : -x;
        const at = alpha < 0 ? 1 : c === l ? alpha : 1 - alpha;
        const mod = gamma === 0 ? 1 : Math.exp(-gamma * softplus(xt));
        s += at * mod * softplus(-xt);
      }
      out[i] = s;
    }
  }
}
