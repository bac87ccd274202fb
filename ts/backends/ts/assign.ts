/** Pure TypeScript assignment / sampler / PISA kernels (issue 4). */
import type { AssignKernels } from '../../kernels/assign';

export const assignKernels: AssignKernels = {};
