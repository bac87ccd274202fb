/** Stable scalar primitives of the TS backend (twins of `crates/core/src/losses/mod.rs`). */

/** `log(1 + e^x)` without overflow or cancellation. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** `log σ(x) = −softplus(−x)`. */
export function logSigmoid(x: number): number {
  return -softplus(-x);
}

/** `σ(x)` without overflow. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Smooth L1 with β (β = 0 → L1): `[loss, dloss/dd]`. */
export function smoothL1(d: number, beta: number): [number, number] {
  const a = Math.abs(d);
  return a < beta ? [(0.5 * d * d) / beta, d / beta] : [a - 0.5 * beta, Math.sign(d)];
}

/** GHM's authentic smooth L1 `sqrt(d² + μ²) − μ = d² / (sqrt(d² + μ²) + μ)` (no cancellation for |d| ≪ μ): `[loss, d / sqrt(d² + μ²)]`. */
export function asl1(d: number, mu: number): [number, number] {
  const r = Math.sqrt(d * d + mu * mu);
  return [(d * d) / (r + mu), d / r];
}

/** `σ(x) − y` as `(1−y)·σ(x) − y·σ(−x)`: exact for y ∈ {0, 1} where `σ(x) − 1` would cancel. */
export function sigmoidMinus(x: number, y: number): number {
  const p = sigmoid(x), q = sigmoid(-x);
  return y === 1 ? -q : y === 0 ? p : (1 - y) * p - y * q;
}
