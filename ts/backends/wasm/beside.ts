/**
 * Where the edge entry's wasm lies: `soft_sampling.wasm` beside the built entry (`dist/`). Written
 * as the literal `new URL('./…', import.meta.url)` so that webpack 5 and Vite see it and emit the
 * file as an asset. (Jest, which runs the sources as CommonJS, maps this file to a stub.)
 */
export const wasmBesideEntry = (): URL => new URL('./soft_sampling.wasm', import.meta.url);
