/** The pure TypeScript backend: every kernel, no native code; the reference for the others. */
import type { Backend } from '../../kernels';
import { SoftSamplingError } from '../../errors';
import { geometryKernels } from './geometry';
import { lossKernels } from './losses';
import { assignKernels } from './assign';

export function createTsBackend(): Backend {
  return {
    name: 'ts',
    simd: 'none',
    ...geometryKernels,
    ...lossKernels,
    ...assignKernels,
    debugPanic() {
      throw new SoftSamplingError('E_PANIC', '-', 'deliberate failure (debug hook, ts backend)');
    },
  };
}
