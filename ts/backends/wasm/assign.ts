/** wasm glue: MaxIoU assignment and the hard samplers: random, OHEM, IoU-balanced negatives, SSD hard negative mining (issue 4). */
import type { AssignKernels } from '../../kernels/assign';
import type { WasmCtx } from './ctx';

export function wasmAssign(_w: WasmCtx): AssignKernels {
  return {};
}
