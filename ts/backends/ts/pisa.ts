/** Pure TypeScript kernels: PISA: IoU-HLR, ISR-P, ISR-N (Score-HLR), CARL (issue 4). */
import type { PisaKernels } from '../../kernels/pisa';

export const pisaKernels: PisaKernels = {};
