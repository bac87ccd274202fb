/**
 * soft-sampling — Node.js entry (ESM and CommonJS). Backends: the napi-rs addon, then the
 * WebAssembly module read from disk, then pure TypeScript; force one with `useBackend()` or
 * `SOFT_SAMPLING_BACKEND=native|wasm|ts`.
 *
 * Guides per method family: `docs/*.md` in the repository; conventions: boxes `xyxy` pixels,
 * background label = number of classes, `avgFactor = max(#pos, 1)`, errors are {@link SoftSamplingError}s.
 * @module soft-sampling
 */
import { registerLoader } from './registry';
import { loadNative, loadWasmFromDisk } from './node/load';

registerLoader('native', loadNative);
registerLoader('wasm', loadWasmFromDisk);

export * from './api';
