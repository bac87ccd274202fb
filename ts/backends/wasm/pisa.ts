/** wasm glue: PISA: IoU-HLR, ISR-P, ISR-N (Score-HLR), CARL (issue 4). */
import type { PisaKernels } from '../../kernels/pisa';
import type { WasmCtx } from './ctx';

export function wasmPisa(_w: WasmCtx): PisaKernels {
  return {};
}
