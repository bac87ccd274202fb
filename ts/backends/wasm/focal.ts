/** wasm glue: focal-family losses: BCE / α-balanced CE, sigmoid and softmax focal loss, FL* (issue 3). */
import type { FocalKernels } from '../../kernels/focal';
import { type WasmCtx, out } from './ctx';

export function wasmFocal(w: WasmCtx): FocalKernels {
  return {
    sigmoidLoss(logits, n, c, targets, useLabels, labels, weight, labelWeights, kind, hasAlpha, alpha, gamma, beta, scale, elements, grad) {
      const [, , sum] = w.call('ss_sigmoid_loss', [
        logits, n, c, useLabels ? new Float32Array(0) : targets, useLabels, useLabels ? labels : new Int32Array(0),
        weight, weight.length, labelWeights, labelWeights.length,
        kind, hasAlpha, alpha, gamma, beta, scale,
        out('f32', elements.length, elements), out('f32', grad.length, grad), out('f64', 1),
      ]);
      return sum[0];
    },
    softmaxFocal(logits, n, k, labels, alpha, gamma, weight, labelWeights, scale, elements, grad) {
      const [, , sum] = w.call('ss_softmax_focal', [
        logits, n, k, labels, alpha, alpha.length, gamma, weight, weight.length, labelWeights, labelWeights.length, scale,
        out('f32', elements.length, elements), out('f32', grad.length, grad), out('f64', 1),
      ]);
      return sum[0];
    },
  };
}
