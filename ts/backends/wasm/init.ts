/**
 * `initWasm` / `initWasmSync` behind every entry: compile and check the source (./load), check that
 * the module exports the kernels the entry offers, build the backend, and only then register it, so
 * a failure leaves the active backend as it was.
 */
import { registerLoader, backendInfo, type BackendInfo } from '../../registry';
import { SoftSamplingError } from '../../errors';
import { KERNEL_DECLS } from '../../kernels/modern';
import { createWasmBackend } from '.';
import { compileWasmSource, compileWasmSourceSync, describeSource, ACCEPTED_SOURCES, type WasmPlatform, type WasmSource } from './load';

/** What an entry needs of a module: the kernel exports its ops call, and what to say when some are missing. */
export interface WasmKernelSet {
  /** wasm export names of the kernels the entry's ops call. */
  readonly kernels: readonly string[];
  /** Appended to the error when some are missing (which module has them). */
  readonly hint: string;
}

/** The full entries (`soft-sampling`, `soft-sampling/edge`): every declared kernel. */
export const FULL_KERNELS: WasmKernelSet = {
  kernels: Object.values(KERNEL_DECLS).map((d) => d.wasm),
  hint: "this entry needs the full soft_sampling.wasm (soft_sampling_lite.wasm carries only the kernels of 'soft-sampling/lite')",
};

function checkKernels(module: WebAssembly.Module, given: string, who: string, set: WasmKernelSet): void {
  const have = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = set.kernels.filter((k) => !have.has(k));
  if (missing.length) {
    const accepted = who === 'initWasm' ? ACCEPTED_SOURCES : 'accepted by initWasmSync: a WebAssembly.Module or the module bytes';
    throw new SoftSamplingError('E_BACKEND', 'source', `${who} cannot use ${given}: the wasm module lacks the kernels ${missing.join(', ')}; ${set.hint}; ${accepted}`);
  }
}

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

export async function initWasmWith(source: WasmSource | undefined, platform: WasmPlatform, set: WasmKernelSet = FULL_KERNELS): Promise<BackendInfo> {
  const module = await compileWasmSource(source, platform);
  checkKernels(module, source === undefined ? 'no argument (the wasm beside the entry)' : describeSource(source), 'initWasm', set);
  return install(module, 'initWasm');
}

export function initWasmSyncWith(source: WebAssembly.Module | BufferSource, set: WasmKernelSet = FULL_KERNELS): BackendInfo {
  const module = compileWasmSourceSync(source);
  checkKernels(module, describeSource(source), 'initWasmSync', set);
  return install(module, 'initWasmSync');
}
