/**
 * Kernel-level signatures of the focal-family losses (BCE / α-balanced CE, sigmoid and softmax
 * focal loss, FL*). Validated buffers in; the public API in `ts/api/focal.ts` validates and
 * shapes around them.
 *
 * Loss-kernel contract (`crates/core/src/losses/mod.rs`): the kernel fills the caller-allocated
 * outputs `elements[i] = w_i·ℓ_i` (element loss times the element weight) and
 * `grad[i] = scale·w_i·dℓ_i/dx_i`, and returns `Σ elements` in float64 (not multiplied by
 * `scale`). The caller allocates the outputs so that they live in the JS heap (the GC sees
 * them; no copy out of the native addon).
 */

/** Sigmoid loss kinds: 0 CE, 1 focal (stable), 2 focal (mmcv clamp), 3 FL*. */
export const SIGMOID_KIND = { ce: 0, focal: 1, focalMmcv: 2, flStar: 3 } as const;
