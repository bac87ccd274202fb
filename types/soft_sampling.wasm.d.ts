/**
 * The soft-sampling WebAssembly module (wasm32 + SIMD128, no imports). Bundlers and edge runtimes
 * such as Cloudflare Workers import a `.wasm` file as a compiled `WebAssembly.Module`; pass it to
 * `initWasm` from `soft-sampling/edge`.
 */
declare const module: WebAssembly.Module;
export default module;
