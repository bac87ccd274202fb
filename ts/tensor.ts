/**
 * Inputs and outputs. Every public function accepts any of
 * - a flat `Float32Array` / `Float64Array` (row-major; the shape is implied by the argument, e.g.
 *   boxes are `[length/4, 4]`), or `{ data, shape }` with an explicit shape;
 * - nested number arrays (`number[][]`);
 * - `ndarray` objects (`{ data, shape, stride, offset }`, any strides).
 * Results are {@link Tensor}s: a flat typed array plus its shape.
 * Validation happens here, once, before any backend is called.
 */
import { SoftSamplingError, valueText } from './errors';

/**
 * Nested plain arrays of unknown depth: what {@link Tensor.toArray} returns when the tensor's rank
 * is not known statically.
 */
export type NestedArray = number | NestedArray[];

/**
 * The plain-array form of a tensor of shape `S`: `number` for `[]`, `number[]` for `[n]`,
 * `number[][]` for `[n, m]`, … up to rank 4; {@link NestedArray} when the rank is not known.
 */
export type ArrayOfShape<S extends readonly number[]> = S extends readonly []
  ? number
  : S extends readonly [number]
    ? number[]
    : S extends readonly [number, number]
      ? number[][]
      : S extends readonly [number, number, number]
        ? number[][][]
        : S extends readonly [number, number, number, number]
          ? number[][][][]
          : NestedArray;

/**
 * A row-major n-d array, the type of every array a function returns: `data` holds
 * `shape.reduce(×)` elements. `T` is the element type (`Float32Array` for values, `Int32Array` for
 * indices and labels); `S` is the shape as a tuple when the rank is fixed (`[number, number]` for an
 * `[N, M]` IoU matrix), so that {@link Tensor.toArray} is typed by rank.
 *
 * @example
 * ```ts
 * const iou = bboxOverlaps([[0, 0, 10, 10]], [[5, 5, 15, 15]]); // Tensor<Float32Array, [number, number]>
 * iou.shape;      // [1, 1]
 * iou.get(0, 0);  // 0.142857…
 * iou.toArray();  // number[][]: [[0.142857…]]
 * ```
 */
export class Tensor<T extends Float32Array | Float64Array | Int32Array = Float32Array, S extends [] | readonly number[] = number[]> {
  /**
   * Wraps `data` (not copied) as a tensor of shape `shape`; the caller guarantees
   * `data.length === shape.reduce((a, b) => a * b, 1)`. Library functions build these; users rarely need to.
   * @param data row-major elements.
   * @param shape dimensions, outermost first.
   */
  constructor(
    /** The elements, row-major (the caller's `out` buffer when one was passed). */
    readonly data: T,
    /** Dimensions, outermost first (`[N, M]`: `N` rows of `M`). */
    readonly shape: S,
  ) {}

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /**
   * Element at a multi-index, row-major (`t.get(i, j)` is `data[i · shape[1] + j]`). Indices are not
   * bounds-checked; missing trailing indices count as 0.
   */
  get(...index: number[]): number {
    let flat = 0;
    for (let k = 0; k < this.shape.length; k++) flat = flat * this.shape[k] + (index[k] ?? 0);
    return this.data[flat];
  }

  /**
   * Nested plain arrays (for JSON, printing, tests): `number[]` for `[N]`, `number[][]` for
   * `[N, M]`, … (see {@link ArrayOfShape}). A 0-d tensor gives a number. Copies the data.
   */
  toArray(): ArrayOfShape<S> {
    const rec = (dim: number, off: number): any => {
      if (dim === this.shape.length) return this.data[off];
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      const out: any[] = [];
      for (let i = 0; i < this.shape[dim]; i++) out.push(rec(dim + 1, off + i * stride));
      return out;
    };
    return rec(0, 0);
  }
}

/**
 * What public functions accept as an array argument (read, never modified; values are converted
 * to float32 once, a `Float32Array` is used without a copy):
 * - a flat `Float32Array` / `Float64Array` / `Int32Array`, row-major, its shape implied by the
 *   argument (boxes: `[length / 4, 4]`);
 * - a plain or nested number array, `readonly` included (`[[x1, y1, x2, y2], …] as const`);
 * - `{ data, shape }` with an explicit shape — also an `ndarray` (`{ data, shape, stride, offset }`,
 *   any strides) or a library {@link Tensor};
 * - an onnxruntime(-web/-node) `Tensor` (`{ data, dims, type }`), read without copying when `data`
 *   is a `Float32Array`.
 *
 * NaN / ±Inf elements are rejected with `E_VALUE` naming the first bad index (unless a function's
 * `nanPolicy` says otherwise); anything else is `E_TYPE` / `E_SHAPE`.
 */
export type ArrayInput =
  | Float32Array
  | Float64Array
  | Int32Array
  | readonly number[]
  | readonly (readonly number[])[]
  | StridedArrayInput
  | OnnxTensorInput;

/** `{ data, shape }` input: an explicit shape, optionally an `ndarray`'s strides and offset. */
export interface StridedArrayInput {
  /** Elements (plain array or typed array). */
  readonly data: ArrayLike<number>;
  /** Dimensions, outermost first; non-negative integers. */
  readonly shape: readonly number[];
  /** Element strides per dimension (`ndarray`); default row-major contiguous. */
  readonly stride?: readonly number[];
  /** Index of the first element in `data` (`ndarray`); default 0. */
  readonly offset?: number;
}

/** An onnxruntime(-web/-node) `Tensor`: read without copying when `data` is a `Float32Array`. */
export interface OnnxTensorInput {
  /** Elements. */
  readonly data: ArrayLike<number>;
  /** Dimensions, outermost first. */
  readonly dims: readonly number[];
  /** onnxruntime dtype name (`'float32'`, …); informational. */
  readonly type?: string;
}

/**
 * How to treat NaN / ±Inf in float inputs: `'error'` (the default everywhere) throws `E_VALUE`
 * naming the first bad element; `'propagate'` lets them through (only {@link bboxOverlaps} offers it).
 */
export type NanPolicy = 'error' | 'propagate';

interface Flat {
  data: Float32Array;
  shape: number[];
}

const toTag = Object.prototype.toString;
const TYPED_TAGS = new Set(['Float32Array', 'Float64Array', 'Int32Array', 'Uint8Array', 'Int16Array', 'Uint16Array', 'Uint32Array', 'Int8Array'].map((n) => `[object ${n}]`));

/**
 * Realm-safe `x instanceof Float32Array`: also true for a Float32Array of another realm (a
 * `node:vm` context, jest's test realm, where the native output pool's results are created in the
 * addon's realm and fail `instanceof`). The tag of a view is its internal type name.
 * @internal
 */
export function isF32(x: unknown): x is Float32Array {
  return x instanceof Float32Array || (ArrayBuffer.isView(x) && toTag.call(x) === '[object Float32Array]');
}

/** Realm-safe `x instanceof Int32Array` (see {@link isF32}). @internal */
export function isI32(x: unknown): x is Int32Array {
  return x instanceof Int32Array || (ArrayBuffer.isView(x) && toTag.call(x) === '[object Int32Array]');
}

function isTyped(x: unknown): x is Float32Array | Float64Array | Int32Array {
  return x instanceof Float32Array || x instanceof Float64Array || x instanceof Int32Array
    || x instanceof Uint8Array || x instanceof Int16Array || x instanceof Uint16Array || x instanceof Uint32Array || x instanceof Int8Array
    || (ArrayBuffer.isView(x) && TYPED_TAGS.has(toTag.call(x)));
}

/** Largest number of elements one input may hold (2^31 − 1: a typed array's index range everywhere). */
export const MAX_INPUT_ELEMENTS = 2 ** 31 - 1;

/**
 * Largest magnitude of any float input element (coordinates, logits, weights, deltas, losses):
 * 1e18. Below it every float32 intermediate stays finite — a box area (2·1e18)² = 4e36, GIoU's
 * enclosing area, a logit times a GHM weight or FL*'s γ — so every backend gives the same finite
 * answer; larger values are refused with `E_VALUE` on every backend (issue 10).
 */
export const MAX_MAGNITUDE = 1e18;

/** Largest |coordinate| a box may have: {@link MAX_MAGNITUDE}. */
export const MAX_BOX_COORD = MAX_MAGNITUDE;

/** Integers read through float32 are exact below 2^24: larger labels / indices are refused. */
export const MAX_EXACT_INTEGER = 2 ** 24 - 1;

/** A view whose `ArrayBuffer` was transferred away (its length reads 0 everywhere). */
function isDetached(v: ArrayBufferView): boolean {
  const buf = v.buffer as ArrayBuffer & { detached?: boolean };
  if (typeof buf.detached === 'boolean') return buf.detached;
  // a SharedArrayBuffer cannot be detached (and V8's slice of an empty one throws)
  if (typeof SharedArrayBuffer !== 'undefined' && Object.prototype.toString.call(buf) === '[object SharedArrayBuffer]') return false;
  // Node 18: a detached buffer reports byteLength 0 and refuses to be sliced
  if (buf.byteLength !== 0) return false;
  try {
    buf.slice(0);
    return false;
  } catch {
    return true;
  }
}

/** Throws `E_VALUE` when `v` is a typed-array view of a detached `ArrayBuffer`. */
export function checkView(arg: string, v: unknown): void {
  if (ArrayBuffer.isView(v) && isDetached(v)) {
    throw new SoftSamplingError('E_VALUE', arg, 'its ArrayBuffer is detached (transferred to a worker or another array)');
  }
}

/** Copies an array-like of numbers to float32, refusing non-number elements (no coercion). */
function numbersToFloat32(arg: string, src: ArrayLike<unknown>, size: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const v = src[i];
    if (typeof v !== 'number') throw new SoftSamplingError('E_TYPE', arg, `element ${i} is ${typeof v}, not a number`);
    out[i] = v;
  }
  return out;
}

/**
 * Float32 integers to `Int32Array`: each must be an integer of magnitude ≤ {@link MAX_EXACT_INTEGER}
 * (beyond it float32 has already rounded the value, e.g. 16777217 → 16777216).
 * @throws SoftSamplingError `E_VALUE` naming `arg`.
 */
export function toIntegers(arg: string, data: Float32Array): Int32Array {
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isInteger(v)) throw new SoftSamplingError('E_VALUE', arg, `element ${i} must be an integer, got ${v}`);
    if (Math.abs(v) > MAX_EXACT_INTEGER) {
      throw new SoftSamplingError('E_VALUE', arg, `element ${i} is ${v}; integers read as numbers must have |v| ≤ 2^24 − 1 (pass an Int32Array for larger ones)`);
    }
    out[i] = v;
  }
  return out;
}

/** Flattens any accepted input to float32 with its shape (shape `null` = as given / implied). */
export function toFloat32(arg: string, input: unknown, nanPolicy: NanPolicy = 'error'): Flat {
  let data: Float32Array;
  let shape: number[];
  if (input === null || input === undefined) {
    throw new SoftSamplingError('E_TYPE', arg, `expected an array, got ${input}`);
  }
  if (ArrayBuffer.isView(input) && !isTyped(input)) {
    throw new SoftSamplingError('E_TYPE', arg, `${Object.prototype.toString.call(input).slice(8, -1)} is not supported; pass a Float32Array, Float64Array or an integer typed array`);
  }
  checkView(arg, input);
  if (isTyped(input)) {
    data = isF32(input) ? input : Float32Array.from(input as ArrayLike<number>);
    shape = [data.length];
  } else if (Array.isArray(input)) {
    ({ data, shape } = fromNested(arg, input));
  } else if (typeof input === 'object' && 'data' in (input as object) && ('shape' in (input as object) || 'dims' in (input as object))) {
    // {data, shape}, ndarray ({data, shape, stride, offset}) or an onnxruntime Tensor ({data, dims, type})
    const o = input as { data: ArrayLike<number>; shape?: readonly number[]; dims?: readonly number[]; stride?: readonly number[]; offset?: number };
    const dims = o.shape ?? o.dims;
    if (!Array.isArray(dims) && !ArrayBuffer.isView(dims)) {
      throw new SoftSamplingError('E_SHAPE', arg, 'shape (or dims) must be an array of non-negative integers');
    }
    checkView(arg, dims);
    shape = Array.from(dims as ArrayLike<number>);
    if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
      // (typeof for a non-number: a symbol, a detached array or a null-prototype object cannot be printed)
      const text = shape.map((d) => (typeof d === 'number' ? String(d) : typeof d)).join(',');
      throw new SoftSamplingError('E_SHAPE', arg, `shape must hold non-negative integers, got [${text}]`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (size > MAX_INPUT_ELEMENTS) {
      throw new SoftSamplingError('E_SHAPE', arg, `shape [${shape}] has ${size} elements, more than the limit of ${MAX_INPUT_ELEMENTS}`);
    }
    const src = o.data;
    if (!src || typeof src !== 'object' || typeof (src as ArrayLike<number>).length !== 'number') {
      throw new SoftSamplingError('E_TYPE', arg, 'data must be an array or typed array');
    }
    if (ArrayBuffer.isView(src) && !isTyped(src)) {
      throw new SoftSamplingError('E_TYPE', arg, `data: ${Object.prototype.toString.call(src).slice(8, -1)} is not supported; pass a Float32Array, Float64Array or an integer typed array`);
    }
    checkView(arg, src);
    const numeric = isTyped(src);
    const contiguousStride = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
    const stride = o.stride ? Array.from(o.stride) : contiguousStride;
    const offset = o.offset ?? 0;
    const contiguous = offset === 0 && stride.every((s, k) => s === contiguousStride[k] || shape[k] <= 1);
    if (contiguous) {
      // a plain {data, shape} must match exactly (extra values are a mistake, not a view); an
      // ndarray (with `stride`) may view the front of a larger buffer
      if (o.stride === undefined ? src.length !== size : src.length < size) {
        throw new SoftSamplingError('E_SHAPE', arg, `data has ${src.length} elements, shape [${shape}] needs ${o.stride === undefined ? 'exactly ' : ''}${size}`);
      }
      if (isF32(src)) data = src.length === size ? src : src.subarray(0, size);
      else data = numeric ? Float32Array.from((src as Float64Array).subarray(0, size)) : numbersToFloat32(arg, src, size);
    } else {
      // strided ndarray view: gather row-major
      data = new Float32Array(size);
      const idx = new Array(shape.length).fill(0);
      for (let i = 0; i < size; i++) {
        let p = offset;
        for (let k = 0; k < shape.length; k++) p += idx[k] * stride[k];
        if (!(p >= 0 && p < src.length)) throw new SoftSamplingError('E_SHAPE', arg, 'ndarray stride/offset point outside its data');
        const v = src[p];
        if (typeof v !== 'number') throw new SoftSamplingError('E_TYPE', arg, `element ${p} is ${typeof v}, not a number`);
        data[i] = v;
        for (let k = shape.length - 1; k >= 0; k--) {
          if (++idx[k] < shape[k]) break;
          idx[k] = 0;
        }
      }
    }
  } else {
    throw new SoftSamplingError('E_TYPE', arg, `expected a typed array, nested number array or ndarray, got ${typeof input}`);
  }
  if (nanPolicy === 'error') checkFinite(arg, data);
  return { data, shape };
}

function fromNested(arg: string, input: unknown[]): Flat {
  if (input.length === 0) return { data: new Float32Array(0), shape: [0] };
  if (Array.isArray(input[0])) {
    const cols = (input[0] as unknown[]).length;
    const data = new Float32Array(input.length * cols);
    for (let i = 0; i < input.length; i++) {
      const row = input[i];
      if (!Array.isArray(row) || row.length !== cols) {
        throw new SoftSamplingError('E_SHAPE', arg, `row ${i} has ${Array.isArray(row) ? row.length : 'no'} elements, row 0 has ${cols}`);
      }
      for (let j = 0; j < cols; j++) {
        const v = row[j];
        if (typeof v !== 'number') throw new SoftSamplingError('E_TYPE', arg, `element [${i}][${j}] is ${typeof v}, not a number`);
        data[i * cols + j] = v;
      }
    }
    return { data, shape: [input.length, cols] };
  }
  const data = new Float32Array(input.length);
  for (let i = 0; i < input.length; i++) {
    const v = input[i];
    if (typeof v !== 'number') throw new SoftSamplingError('E_TYPE', arg, `element [${i}] is ${typeof v}, not a number`);
    data[i] = v;
  }
  return { data, shape: [input.length] };
}

/** Throws `E_VALUE` naming the first NaN/±Inf element, or the first beyond ±{@link MAX_MAGNITUDE}. */
export function checkFinite(arg: string, data: ArrayLike<number>): void {
  if (isF32(data) ? allBoundedF32(data) : allBounded(data)) return;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) {
      throw new SoftSamplingError('E_VALUE', arg, `element ${i} is ${v} (NaN/Inf not allowed; pass nanPolicy: 'propagate' to allow)`);
    }
    if (!(Math.abs(v) <= MAX_MAGNITUDE)) throw new SoftSamplingError('E_VALUE', arg, `element ${i} is ${v}; inputs must have |x| ≤ 1e18 (float32 intermediates overflow beyond)`);
  }
}

/** Bit pattern of the largest float32 ≤ {@link MAX_MAGNITUDE} (an ordered integer for non-negative floats). */
const F32_MAX_BITS = (() => {
  const f = new Float32Array([MAX_MAGNITUDE]);
  const b = new Uint32Array(f.buffer)[0];
  return f[0] > MAX_MAGNITUDE ? b - 1 : b;
})();

/** Fast path for float32 data: every `|x| ≤ MAX_MAGNITUDE` (NaN and ±Inf fail), on the bits. */
function allBoundedF32(data: Float32Array): boolean {
  const u = new Int32Array(data.buffer, data.byteOffset, data.length);
  let bad = 0;
  for (let i = 0; i < u.length; i++) bad |= (u[i] & 0x7fffffff) > F32_MAX_BITS ? 1 : 0;
  return bad === 0;
}

/** The same for any other array (the largest |x|; NaN makes the comparison false). */
function allBounded(data: ArrayLike<number>): boolean {
  let ok = true;
  const n = data.length;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    ok = ok && v <= MAX_MAGNITUDE && v >= -MAX_MAGNITUDE;
  }
  return ok;
}

/**
 * Boxes `[N, 4]`: a flat array of length 4N, an `[N,4]` nested array, or `{data, shape:[N,4]}`.
 * Returns float32 data (the caller's own `Float32Array` when it already is one: no copy).
 */
export function toBoxes(arg: string, input: unknown, nanPolicy: NanPolicy = 'error'): { data: Float32Array; n: number } {
  const b = boxShape(arg, toFloat32(arg, input, nanPolicy));
  checkCoordBound(arg, b.data);
  return b;
}

/**
 * {@link toBoxes} without the value scans (NaN/±Inf, |x| > 1e18): for a kernel that checks the
 * values itself, in parallel chunks, with the same `E_VALUE` (arg, first bad element) on every
 * backend — a serial JS scan of 100k priors capped the native assignment's 2-thread speed-up.
 * @throws SoftSamplingError `E_TYPE` / `E_SHAPE` as {@link toBoxes}.
 */
export function toBoxesShape(arg: string, input: unknown): { data: Float32Array; n: number } {
  return boxShape(arg, toFloat32(arg, input, 'propagate'));
}

function boxShape(arg: string, { data, shape }: { data: Float32Array; shape: number[] }): { data: Float32Array; n: number } {
  if (shape.length === 2) {
    if (shape[1] !== 4 && !(shape[0] === 0)) {
      throw new SoftSamplingError('E_SHAPE', arg, `boxes must have shape [N, 4], got [${shape}]`);
    }
  } else if (shape.length === 1) {
    if (data.length % 4 !== 0) {
      throw new SoftSamplingError('E_SHAPE', arg, `flat boxes need a length that is a multiple of 4, got ${data.length}`);
    }
  } else {
    throw new SoftSamplingError('E_SHAPE', arg, `boxes must have shape [N, 4], got [${shape}]`);
  }
  return { data, n: data.length / 4 };
}

/** Throws `E_VALUE` naming the first finite coordinate with |x| > {@link MAX_BOX_COORD}. */
export function checkCoordBound(arg: string, data: Float32Array): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v > MAX_BOX_COORD || v < -MAX_BOX_COORD) {
      if (!Number.isFinite(v)) continue; // NaN/±Inf: refused or propagated by the nanPolicy
      throw new SoftSamplingError('E_VALUE', arg, `element ${i} is ${v}; box coordinates must have |x| ≤ 1e18 (float32 areas overflow beyond)`);
    }
  }
}

/** A finite number option (with default). */
export function numOpt(arg: string, v: unknown, dflt: number, check?: (x: number) => string | null): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new SoftSamplingError('E_TYPE', arg, `expected a finite number, got ${valueText(v)}`);
  }
  const bad = check?.(v);
  if (bad) throw new SoftSamplingError('E_VALUE', arg, bad);
  return v;
}

/** A boolean option (with default). */
export function boolOpt(arg: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new SoftSamplingError('E_TYPE', arg, `expected a boolean, got ${valueText(v)}`);
  return v;
}

/** One of a fixed set of strings (with default); returns its index too. */
export function enumOpt<T extends string>(arg: string, v: unknown, allowed: readonly T[], dflt: T): T {
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    throw new SoftSamplingError('E_OPTION', arg, `expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${valueText(v)}`);
  }
  return v as T;
}

/** Checks that an options argument is an object (or undefined) and has no unknown keys. */
export function checkOptions(arg: string, opts: unknown, known: readonly string[]): Record<string, unknown> {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== 'object' || Array.isArray(opts)) {
    throw new SoftSamplingError('E_TYPE', arg, `expected an options object, got ${Array.isArray(opts) ? 'array' : typeof opts}`);
  }
  // every enumerable key, inherited ones included (they are read as options too), is checked, and
  // the options are returned as a plain own-key copy so that what is validated is what is used
  const own: Record<string, unknown> = {};
  for (const k in opts) {
    if (!known.includes(k)) {
      throw new SoftSamplingError('E_OPTION', `${arg}.${k}`, `unknown option; known: ${known.join(', ')}`);
    }
    own[k] = (opts as Record<string, unknown>)[k];
  }
  return own;
}

/** Whether two views share any byte of memory. */
export function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/**
 * Output buffers of a call: for each wanted key, the caller's `Float32Array` from `spec` (validated:
 * type, exact length, no overlap with an input or another output) or a fresh one. Reusing buffers
 * across calls avoids allocating (and page-faulting) large outputs every time.
 * @throws SoftSamplingError `E_TYPE` / `E_SHAPE` / `E_VALUE` naming `arg.key`, `E_OPTION` for an unknown key.
 */
export function outputBuffers<K extends string>(
  arg: string, spec: unknown, want: Record<K, number>, inputs: ArrayBufferView[], alloc: (n: number) => Float32Array = (n) => new Float32Array(n),
): Record<K, Float32Array> {
  const keys = Object.keys(want) as K[];
  const given = checkOptions(arg, spec, keys);
  const out = {} as Record<K, Float32Array>;
  const taken: [string, Float32Array][] = [];
  for (const key of keys) {
    const v = given[key];
    const len = want[key];
    if (v === undefined || v === null) {
      out[key] = alloc(len);
      continue;
    }
    const name = `${arg}.${key}`;
    if (!isF32(v)) throw new SoftSamplingError('E_TYPE', name, 'must be a Float32Array');
    if (v.length !== len) throw new SoftSamplingError('E_SHAPE', name, `needs ${len} elements, got ${v.length}`);
    for (const inp of inputs) {
      if (inp.byteLength > 0 && overlaps(v, inp)) throw new SoftSamplingError('E_VALUE', name, 'overlaps an input array');
    }
    for (const [other, buf] of taken) {
      if (len > 0 && overlaps(v, buf)) throw new SoftSamplingError('E_VALUE', name, `overlaps ${arg}.${other}`);
    }
    taken.push([key, v]);
    out[key] = v;
  }
  return out;
}

/** Largest output (elements) a call may ask for: 2^28 float32 = 1 GiB. Larger requests are refused. */
export const MAX_OUTPUT_ELEMENTS = 2 ** 28;

/** Throws `E_VALUE` naming `arg` when a call would produce more than {@link MAX_OUTPUT_ELEMENTS} elements. */
export function checkOutputSize(arg: string, elements: number, what: string): void {
  if (!(elements <= MAX_OUTPUT_ELEMENTS)) {
    throw new SoftSamplingError('E_VALUE', arg, `${what} would have ${elements} elements, more than the limit of ${MAX_OUTPUT_ELEMENTS} (1 GiB of float32); split the call`);
  }
}
