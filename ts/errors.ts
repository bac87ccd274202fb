/**
 * The library's one error type. Every failure the library reports — bad input, a backend that
 * cannot load, a panic inside a kernel — is a `SoftSamplingError` with a stable `code`.
 *
 * | code | meaning |
 * |---|---|
 * | `E_TYPE` | an argument has the wrong type (not an array, not a number, ...) |
 * | `E_SHAPE` | wrong length / shape, or shapes that do not match each other |
 * | `E_VALUE` | a value is out of its domain: NaN/±Inf, negative size, a threshold outside [0,1], ... |
 * | `E_OPTION` | an unknown option value (mode, reduction, format, backend name) |
 * | `E_BACKEND` | a backend could not be loaded; `causes` lists every underlying error |
 * | `E_PANIC` | a kernel panicked (native) or trapped (wasm); the process keeps running |
 */
export type ErrorCode = 'E_TYPE' | 'E_SHAPE' | 'E_VALUE' | 'E_OPTION' | 'E_BACKEND' | 'E_PANIC';

/**
 * The error every function throws. Test `err.code` (stable) rather than the message; `err.arg`
 * names the argument or option at fault (`'boxes1'`, `'options.mode'`, `'gt.annotations[3] (id 17).bbox'`).
 * The message reads `"<code> <arg>: <explanation>"`.
 *
 * @example
 * ```ts
 * try { bboxOverlaps([[0, 0, 1]], []); }
 * catch (e) { if (e instanceof SoftSamplingError && e.code === 'E_SHAPE') console.log(e.arg); } // 'boxes1'
 * ```
 */
export class SoftSamplingError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** Name of the offending argument or option (`'boxes1'`, `'options.mode'`), or `'-'`. */
  readonly arg: string;
  /** For `E_BACKEND`: every cause, in the order the candidates were tried. */
  readonly causes: unknown[];

  /**
   * Made by the library; users catch these rather than construct them.
   * @param code the {@link ErrorCode}.
   * @param arg name of the offending argument or option, or `'-'`.
   * @param message what is wrong and, where possible, how to fix it.
   * @param causes underlying errors (`E_BACKEND`: one per load attempt); the first is also `cause`.
   */
  constructor(code: ErrorCode, arg: string, message: string, causes: unknown[] = []) {
    super(`${code} ${arg}: ${message}`, causes.length ? { cause: causes[0] } : undefined);
    this.name = 'SoftSamplingError';
    this.code = code;
    this.arg = arg;
    this.causes = causes;
  }
}

/**
 * Rust's `Display` text of a float (shortest round-trip digits, no exponent: `0.1`, `-0`, `1e-7` as
 * `0.0000001`, `NaN`, `inf`), for the numbers the wasm core writes into its messages as bits (see
 * `num` in crates/core/src/error.rs: the wasm leaves out core::fmt's float printing). `single`: the
 * value is an f32 (its shortest digits are those that round-trip through float32).
 */
export function rustFloatText(x: number, single: boolean): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  let e = x.toExponential(); // shortest digits for a float64
  if (single) {
    for (let p = 0; p < 9; p++) {
      const t = x.toExponential(p);
      if (Math.fround(Number(t)) === x) {
        e = t;
        break;
      }
    }
  }
  const [mant, ex] = e.split('e');
  const sign = mant.startsWith('-') ? '-' : '';
  const digits = mant.replace(/^-/, '').replace('.', '');
  const k = Number(ex); // value = 0.d1d2... × 10^(k + 1)
  if (k < 0) return `${sign}0.${'0'.repeat(-k - 1)}${digits}`;
  if (digits.length <= k + 1) return sign + digits + '0'.repeat(k + 1 - digits.length);
  return `${sign}${digits.slice(0, k + 1)}.${digits.slice(k + 1)}`;
}

/**
 * A short text of any value for an error message, that never throws (`String(v)` throws on a
 * symbol inside a template, on an object without `toString` and on a detached typed array;
 * `JSON.stringify` on a bigint): numbers and booleans as `String`, strings quoted, others by kind.
 * @internal
 */
export function valueText(v: unknown): string {
  switch (typeof v) {
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(v);
    case 'string':
      return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
    case 'bigint':
      return `${v}n (a bigint)`;
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default:
      if (v === null) return 'null';
      if (Array.isArray(v)) return `an array of ${v.length}`;
      return Object.prototype.toString.call(v).slice(8, -1).replace(/^[AEIOU]/, 'an $&').replace(/^(?!an )/, 'a ');
  }
}

const BITS_VIEW = new DataView(new ArrayBuffer(8));

/** Replaces the wasm core's float markers (`\u0001` `s`|`d` hex-bits `\u0001`) by the number's text. */
function formatFloatMarkers(msg: string): string {
  // eslint-disable-next-line no-control-regex
  return msg.replace(/\u0001([sd])([0-9a-f]{8}|[0-9a-f]{16})\u0001/g, (_, tag: string, hex: string) => {
    if (tag === 's') {
      BITS_VIEW.setUint32(0, parseInt(hex, 16));
      return rustFloatText(BITS_VIEW.getFloat32(0), true);
    }
    BITS_VIEW.setUint32(0, parseInt(hex.slice(0, 8), 16));
    BITS_VIEW.setUint32(4, parseInt(hex.slice(8), 16));
    return rustFloatText(BITS_VIEW.getFloat64(0), false);
  });
}

/** Builds a typed error from a binding's `"CODE\targ\tmessage"` string (or passes others through). */
export function fromBindingError(e: unknown): SoftSamplingError {
  if (e instanceof SoftSamplingError) return e;
  // duck-typed: an addon's Error can come from another realm (vm contexts, jest), where
  // `instanceof Error` is false and String(e) would prefix "Error: " to the code
  const m = typeof e === 'object' && e !== null ? (e as { message?: unknown }).message : undefined;
  const msg = formatFloatMarkers(typeof m === 'string' ? m : String(e));
  const parts = msg.split('\t');
  if (parts.length >= 3 && /^E_[A-Z]+$/.test(parts[0])) {
    return new SoftSamplingError(parts[0] as ErrorCode, parts[1], parts.slice(2).join('\t'), [e]);
  }
  return new SoftSamplingError('E_PANIC', '-', msg, [e]);
}
