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

/** Builds a typed error from a binding's `"CODE\targ\tmessage"` string (or passes others through). */
export function fromBindingError(e: unknown): SoftSamplingError {
  if (e instanceof SoftSamplingError) return e;
  // duck-typed: an addon's Error can come from another realm (vm contexts, jest), where
  // `instanceof Error` is false and String(e) would prefix "Error: " to the code
  const m = typeof e === 'object' && e !== null ? (e as { message?: unknown }).message : undefined;
  const msg = typeof m === 'string' ? m : String(e);
  const parts = msg.split('\t');
  if (parts.length >= 3 && /^E_[A-Z]+$/.test(parts[0])) {
    return new SoftSamplingError(parts[0] as ErrorCode, parts[1], parts.slice(2).join('\t'), [e]);
  }
  return new SoftSamplingError('E_PANIC', '-', msg, [e]);
}
