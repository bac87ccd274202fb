/** Pure TypeScript loss kernels (issue 3). */
import type { LossKernels } from '../../kernels/losses';

export const lossKernels: LossKernels = {};
