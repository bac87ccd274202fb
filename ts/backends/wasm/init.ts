/**
 * `initWasm` / `initWasmSync` behind both entries: compile and check the source (./load), build the
 * backend, and only then register it, so a failure leaves the active backend as it was.
 */
import { registerLoader, backendInfo, type BackendInfo } from '../../registry';
import { SoftSamplingError } from '../../errors';
import { createWasmBackend } from '.';
import { compileWasmSource, compileWasmSourceSync, type WasmPlatform, type WasmSource } from './load';

function install(module: WebAssembly.Module, who: string): BackendInfo {
  let backend: ReturnType<typeof createWasmBackend>;
  try {
    backend = createWasmBackend(module);
  } catch (e) {
    throw new SoftSamplingError('E_BACKEND', 'source', `${who} cannot instantiate the wasm module: ${e instanceof Error ? e.message : String(e)}`, [e]);
  }
  registerLoader('wasm', () => backend);
  return backendInfo();
}

export async function initWasmWith(source: WasmSource | undefined, platform: WasmPlatform): Promise<BackendInfo> {
  return install(await compileWasmSource(source, platform), 'initWasm');
}

export function initWasmSyncWith(source: WebAssembly.Module | BufferSource): BackendInfo {
  return install(compileWasmSourceSync(source), 'initWasmSync');
}
