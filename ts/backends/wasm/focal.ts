/** wasm glue: focal-family losses: BCE / α-balanced CE, sigmoid and softmax focal loss, FL* (issue 3). */
import type { FocalKernels } from '../../kernels/focal';
import type { WasmCtx } from './ctx';

export function wasmFocal(_w: WasmCtx): FocalKernels {
  return {};
}
