/** Pure TypeScript kernels: focal-family losses: BCE / α-balanced CE, sigmoid and softmax focal loss, FL* (issue 3). */
import type { FocalKernels } from '../../kernels/focal';

export const focalKernels: FocalKernels = {};
