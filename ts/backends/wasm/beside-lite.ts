/**
 * Where `soft-sampling/lite`'s wasm lies: `soft_sampling_lite.wasm` beside the built entry
 * (`dist/`), written as the literal `new URL('./…', import.meta.url)` so that webpack 5 and Vite
 * emit the file as an asset. (Jest maps this file to a stub, as `beside.ts`.)
 */
export const wasmBesideEntry = (): URL => new URL('./soft_sampling_lite.wasm', import.meta.url);
