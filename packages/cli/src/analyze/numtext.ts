/**
 * Numbers as text, written straight into a byte buffer (the per-sample CSV files: millions of numbers,
 * where a string per number and the concatenation of the lines was most of the writer thread's time
 * and garbage).
 *
 * - Whole numbers of magnitude below 2^31: their decimal digits (what `String(v)` gives).
 * - float32 values ({@link writeFloat32}): the shortest decimal that reads back as the same float32 —
 *   the fewest significant digits p (at most 9) such that `Math.fround(Number(text)) === v`, of those
 *   the nearest to the value — in the layout of JavaScript's `String(number)` (`0.44371`, `1.5e-7`). Printed through `String(v)`, a
 *   float32 value shows the 17 digits of its float64 expansion (`0.44370999932289124`), which add
 *   nothing: the kernels computed it in float32.
 * - Anything else: `String(v)`'s characters (ASCII).
 */

/** Powers of ten: exact up to 10^22 (the reads-back test divides or multiplies by those); beyond, approximate (only to scale). */
const P10 = Array.from({ length: 61 }, (_, i) => 10 ** i);
const DIGITS = new Uint8Array(24);

/** Whether the decimal c · 10^-k, read as a number and rounded to float32, is `a`. */
function readsBack(c: number, k: number, a: number): boolean {
  // c / 10^k and c · 10^-k with exact operands are correctly rounded, as Number('c e-k') is
  if (k >= 0 && k <= 22) return Math.fround(c / P10[k]) === a;
  if (k < 0 && k >= -22) return Math.fround(c * P10[-k]) === a;
  return Math.fround(Number(`${c}e${-k}`)) === a;
}

/** The p-digit candidate of `a` (> 0, a float32 of decimal exponent `e`) that reads back as `a` (the nearest first), or -1. */
function candidate(a: number, e: number, p: number): number {
  const k = p - 1 - e;
  const s = k >= 0 ? a * P10[k] : a / P10[-k];
  const f = Math.floor(s);
  const near = s - f >= 0.5 ? f + 1 : f;
  if (readsBack(near, k, a)) return near;
  const far = near === f ? f + 1 : f;
  return readsBack(far, k, a) ? far : -1;
}

const TEXT = new Uint8Array(32);

/** {@link writeFloat32}'s text as a string. */
export function float32Text(v: number): string {
  return String.fromCharCode(...TEXT.subarray(0, writeFloat32(TEXT, 0, v)));
}

/**
 * Writes the text of the float32 value `v` at `out[pos]`: the fewest significant digits p (≤ 9) for
 * which a p-digit decimal reads back as `v` (`Math.fround(Number(text)) === v`), of those the one
 * nearest to `v`, in String(number)'s layout. Returns the position after it; `out` needs 25 free
 * bytes. A value that is not a finite float32 number is written as `String(v)`.
 */
export function writeFloat32(out: Uint8Array, pos: number, v: number): number {
  if (v === 0) {
    out[pos] = 48;
    return pos + 1;
  }
  const a = v < 0 ? -v : v;
  let e = Math.floor(Math.log10(a));
  // (log10 may be one off next to a power of ten)
  if (e >= 0 && e <= 22 && a < P10[e]) e--;
  else if (e < 0 && e >= -22 && a * P10[-e] < 1) e--;
  if (!(e >= -46 && e <= 39) || Math.fround(v) !== v) return writeAscii(out, pos, String(v)); // (not a float32 value)
  if (v < 0) out[pos++] = 45;
  // the fewest digits p: most values need 8 or 9, so 8 is tried first, then 7, then the rest by bisection
  let p = 8;
  let c = candidate(a, e, 8);
  if (c < 0) {
    p = 9;
    c = candidate(a, e, 9);
    if (c < 0) return writeAscii(out, v < 0 ? pos - 1 : pos, String(v)); // (unreachable: 9 digits identify any float32)
  } else {
    const c7 = candidate(a, e, 7);
    if (c7 >= 0) {
      p = 7;
      c = c7;
      let lo = 1, hi = 6;
      while (lo <= hi) {
        const m = (lo + hi) >> 1;
        const cm = candidate(a, e, m);
        if (cm >= 0) {
          p = m;
          c = cm;
          hi = m - 1;
        } else lo = m + 1;
      }
    }
  }
  // c < 10^9 < 2^31: int arithmetic; value = c · 10^-k
  let k = p - 1 - e;
  let q = (c / 10) | 0;
  while (c !== 0 && c === q * 10) {
    c = q;
    q = (c / 10) | 0;
    k--;
  }
  let len = 0;
  while (c > 0) {
    q = (c / 10) | 0;
    DIGITS[len++] = 48 + c - q * 10;
    c = q;
  }
  // String(number)'s layout (ECMA-262 Number::toString), n = position of the decimal point
  const n = len - k;
  if (len <= n && n <= 21) {
    for (let i = len - 1; i >= 0; i--) out[pos++] = DIGITS[i];
    for (let i = len; i < n; i++) out[pos++] = 48;
  } else if (0 < n && n <= 21) {
    for (let i = len - 1, j = 0; i >= 0; i--, j++) {
      if (j === n) out[pos++] = 46;
      out[pos++] = DIGITS[i];
    }
  } else if (-6 < n && n <= 0) {
    out[pos++] = 48;
    out[pos++] = 46;
    for (let i = 0; i < -n; i++) out[pos++] = 48;
    for (let i = len - 1; i >= 0; i--) out[pos++] = DIGITS[i];
  } else {
    out[pos++] = DIGITS[len - 1];
    if (len > 1) {
      out[pos++] = 46;
      for (let i = len - 2; i >= 0; i--) out[pos++] = DIGITS[i];
    }
    out[pos++] = 101;
    let x = n - 1;
    out[pos++] = x < 0 ? 45 : 43;
    if (x < 0) x = -x;
    if (x >= 10) out[pos++] = 48 + ((x / 10) | 0);
    out[pos++] = 48 + (x % 10);
  }
  return pos;
}

/** Writes the characters of `s` (ASCII) at `out[pos]`; returns the position after them. */
export function writeAscii(out: Uint8Array, pos: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[pos++] = s.charCodeAt(i);
  return pos;
}

/** Writes `String(v)` of the finite number `v` at `out[pos]` (digits by hand for whole numbers below 2^31 in magnitude); `out` needs 25 free bytes. */
export function writeNumber(out: Uint8Array, pos: number, v: number): number {
  let c = v | 0;
  if (c !== v) return writeAscii(out, pos, String(v));
  if (c < 0) {
    out[pos++] = 45;
    c = -c; // (a double: −(−2^31) is 2^31)
  }
  if (c < 10) {
    out[pos] = 48 + c;
    return pos + 1;
  }
  let len = 0;
  while (c > 0) {
    const q = (c / 10) | 0;
    DIGITS[len++] = 48 + c - q * 10;
    c = q;
  }
  for (let i = len - 1; i >= 0; i--) out[pos++] = DIGITS[i];
  return pos;
}
