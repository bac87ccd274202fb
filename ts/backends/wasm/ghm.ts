/** wasm glue: GHM-C, GHM-R, smooth L1 and ASL1 losses (issue 3). */
import type { GhmKernels } from '../../kernels/ghm';
import type { WasmCtx } from './ctx';

export function wasmGhm(_w: WasmCtx): GhmKernels {
  return {};
}
