/** The pure TypeScript backend: every kernel, no native code; the reference for the others. */
import type { Backend } from '../../kernels';
import { SoftSamplingError } from '../../errors';
import { modernKernels } from './modern';

export function createTsBackend(): Backend {
  return {
    name: 'ts',
    simd: 'none',
    ...modernKernels,
    debugPanic() {
      throw new SoftSamplingError('E_PANIC', '-', 'deliberate failure (debug hook, ts backend)');
    },
  };
}
