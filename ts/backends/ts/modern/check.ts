/**
 * Input checks the issue-14 Rust kernels do themselves (one vectorised scan instead of a JS pass in
 * the facade), repeated by their TS twins with the same errors (Rust `losses::focal::check_finite`).
 */
import { SoftSamplingError } from '../../../errors';

/** `E_VALUE` naming the first NaN / ±Inf element, or the first finite one beyond ±1e18. */
export function checkFinite(arg: string, v: Float32Array): void {
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x <= 1e18 && x >= -1e18) continue;
    if (!Number.isFinite(x)) throw new SoftSamplingError('E_VALUE', arg, `element ${i} is ${x} (NaN/Inf not allowed)`);
    throw new SoftSamplingError('E_VALUE', arg, `element ${i} is ${x}; inputs must have |x| ≤ 1e18 (float32 intermediates overflow beyond)`);
  }
}
