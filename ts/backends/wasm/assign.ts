/** wasm glue for assignment / sampler / PISA kernels (issue 4). */
import type { AssignKernels } from '../../kernels/assign';
import type { WasmCtx } from './ctx';

export function wasmAssign(_w: WasmCtx): AssignKernels {
  return {};
}
