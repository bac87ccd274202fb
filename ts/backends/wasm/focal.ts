/** wasm glue: focal-family losses: BCE / α-balanced CE, sigmoid and softmax focal loss, FL* (issue 3). */
import type { FocalKernels } from '../../kernels/focal';
import type { WasmCtx } from './bindgen';

const NO_F32 = new Float32Array(0);
const NO_I32 = new Int32Array(0);

export function wasmFocal(w: WasmCtx): FocalKernels {
  const g = w.g;
  return {
    sigmoidLoss(logits, n, c, targets, useLabels, labels, weight, labelWeights, kind, hasAlpha, alpha, gamma, beta, scale, elements, grad) {
      const sum = new Float64Array(1);
      w.run('sigmoidLoss', () => g.ss_sigmoid_loss(
        logits, n, c, useLabels ? NO_F32 : targets, useLabels, useLabels ? labels : NO_I32, weight, labelWeights,
        kind, hasAlpha, alpha, gamma, beta, scale, elements, grad, sum,
      ));
      return sum[0];
    },
  };
}
