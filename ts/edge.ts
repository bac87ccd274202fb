/**
 * soft-sampling — entry for edge runtimes and browsers (Cloudflare Workers, Deno, Bun, web).
 * Imports no `node:` module. Until {@link initWasm} resolves, calls run on the pure TypeScript
 * backend; afterwards on WebAssembly (unless `useBackend('ts')`). Exports everything `soft-sampling`
 * exports, plus {@link initWasm}.
 * @module soft-sampling/edge
 */
import { registerLoader, backendInfo, type BackendInfo } from './registry';
import { createWasmBackend } from './backends/wasm';
import { SoftSamplingError } from './errors';

export * from './api';

/**
 * Instantiates the WebAssembly backend from
 * - a precompiled `WebAssembly.Module` (what Cloudflare Workers give for `import wasm from './soft_sampling.wasm'`;
 *   such runtimes refuse to compile from bytes),
 * - the module's bytes (`ArrayBuffer` / typed array), or
 * - a `Response` / `Promise<Response>` (`fetch(new URL('soft_sampling.wasm', import.meta.url))`).
 * @returns the new backend info (active: `'wasm'`). Library infrastructure: no reference implementation.
 * @throws SoftSamplingError `E_BACKEND` when the module cannot be compiled or instantiated.
 */
export async function initWasm(source: WebAssembly.Module | BufferSource | Response | Promise<Response>): Promise<BackendInfo> {
  let module: WebAssembly.Module;
  try {
    const s = await source;
    if (s instanceof WebAssembly.Module) module = s;
    else if (typeof Response !== 'undefined' && s instanceof Response) module = await WebAssembly.compile(await s.arrayBuffer());
    else module = await WebAssembly.compile(s as BufferSource);
    const backend = createWasmBackend(module);
    registerLoader('wasm', () => backend);
  } catch (e) {
    throw new SoftSamplingError('E_BACKEND', 'source', `cannot instantiate the wasm module: ${e instanceof Error ? e.message : String(e)}`, [e]);
  }
  return backendInfo();
}
