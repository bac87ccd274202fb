/**
 * The soft-sampling WebAssembly module (wasm32 + SIMD128, no imports), `dist/soft_sampling.wasm`.
 * What an import of it yields depends on the tool: Cloudflare Workers (wrangler) and webpack's
 * `asyncWebAssembly` give a compiled `WebAssembly.Module`; esbuild's `--loader:.wasm=file` and Vite's
 * `?url` give a URL string. `initWasm` from `soft-sampling` accepts both.
 */
declare const module: WebAssembly.Module | string;
export default module;
