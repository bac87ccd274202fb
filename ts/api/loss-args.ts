/**
 * Argument handling shared by the quality-aware and box losses of issue 14 (QFL, DFL, VFL,
 * Balanced L1, IoU family, EFL): matrices, per-row / per-element weights, range checks with the
 * first bad index, and the {@link LossResult} they return. Uses the validation helpers of
 * `ts/tensor.ts` unchanged.
 */
import { SoftSamplingError } from '../errors';
import { Tensor, toFloat32 } from '../tensor';
import type { LossResult } from './focal';

export const EMPTY_F32: Float32Array = new Float32Array(0);

/** A `[N, C]` float matrix (a 1-D `[M]` is `[M, 1]`; `cols` forces the column count). */
/** `checked: false`: NaN/±Inf are left to the kernel's own range check (which names the index). */
export function toMatrix(arg: string, input: unknown, cols?: number, checked = true): { data: Float32Array; n: number; c: number } {
  const { data, shape } = toFloat32(arg, input, checked ? 'error' : 'propagate');
  if (cols !== undefined) {
    if (shape.length === 2 && shape[1] !== cols && shape[0] !== 0) throw new SoftSamplingError('E_SHAPE', arg, `expected [N, ${cols}], got [${shape}]`);
    if (shape.length > 2 || data.length % cols !== 0) throw new SoftSamplingError('E_SHAPE', arg, `expected [N, ${cols}], got [${shape}]`);
    return { data, n: data.length / cols, c: cols };
  }
  if (shape.length === 1) return { data, n: shape[0], c: 1 };
  if (shape.length !== 2) throw new SoftSamplingError('E_SHAPE', arg, `expected a 2-D [N, C] array, got [${shape}]`);
  return { data, n: shape[0], c: shape[1] };
}

/** Throws `E_VALUE` naming the first element outside `[lo, hi]` (`hiOpen`: `[lo, hi)`). */
export function checkRange(arg: string, data: ArrayLike<number>, lo: number, hi: number, hiOpen = false): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!(v >= lo && (hiOpen ? v < hi : v <= hi))) {
      throw new SoftSamplingError('E_VALUE', arg, `element ${i} is ${v}; must lie in [${lo}, ${hi}${hiOpen ? ')' : ']'}`);
    }
  }
}

/**
 * Optional non-negative weights with one of the allowed lengths (`[N]` per row, `[N·C]` per
 * element, ...). Absent → empty. Negative → `E_VALUE` with the index.
 */
export function toWeight(arg: string, v: unknown, lengths: number[], what: string): Float32Array {
  if (v === undefined || v === null) return EMPTY_F32;
  const { data } = toFloat32(arg, v);
  if (!lengths.includes(data.length)) throw new SoftSamplingError('E_SHAPE', arg, `expected ${what}, got ${data.length} values`);
  checkRange(arg, data, 0, Infinity);
  return data;
}

/** Labels `[N]`: integers; anything outside `[0, C)` (background `C`, `−1`) means no positive class. */
export function toLabels(arg: string, input: unknown, n: number): Int32Array {
  const { data } = toFloat32(arg, input);
  if (data.length !== n) throw new SoftSamplingError('E_SHAPE', arg, `expected [N] = [${n}] labels, got ${data.length}`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(data[i])) throw new SoftSamplingError('E_VALUE', arg, `element ${i} is ${data[i]}; labels must be integers`);
    out[i] = data[i];
  }
  return out;
}

/** Builds the result: `loss = scale · Σ`, or for `'none'` `lossWeight · Σ` (the scale the kernel used). */
export function lossResult(sum: number, scale: number, lossElements: Float32Array, elemShape: number[], grad: Float32Array, gradShape: number[]): LossResult {
  return { loss: sum * scale, lossElements: new Tensor(lossElements, elemShape), grad: new Tensor(grad, gradShape) };
}
