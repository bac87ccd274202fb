/** wasm glue for the loss kernels (issue 3). */
import type { LossKernels } from '../../kernels/losses';
import type { WasmCtx } from './ctx';

export function wasmLosses(_w: WasmCtx): LossKernels {
  return {};
}
