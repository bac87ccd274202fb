/**
 * soft-sampling/lite — the smallest edge bundle: the methods of the three seed papers and the
 * geometry under them, over a lean WebAssembly module (`soft_sampling_lite.wasm`, ~71 KiB gzipped
 * against ~122 KiB for the full one): CE/α-CE, Focal Loss, FL*, softmax focal loss; GHM-C, GHM-R,
 * smooth L1 and ASL1; PISA (IoU-HLR, ISR-P, ISR-N, CARL); the random, OHEM, IoU-balanced and
 * hard-negative-mining samplers; IoU/IoF/GIoU matrices, box conversion, delta coding, anchors,
 * max-IoU assignment and `assignTargets`. Same functions, options, results and errors as the full
 * entry (`soft-sampling`), computed by the same kernels (bit-identical to the full wasm). Not here:
 * the COCO/VOC evaluator, QFL/DFL/VFL/EFL, Balanced L1, the IoU-family losses, ATSS, task-aligned
 * assignment, the tfjs adapters — import `soft-sampling` for those.
 *
 * Runs on WebAssembly only (no pure-TypeScript backend: that is what keeps it small). The
 * `workerd`, `deno`, `bun` and Node (`import`) export conditions resolve to wrappers that
 * instantiate the lean module at import; in browsers and bundlers call `await initWasm()` before
 * the first op (an op before it throws `E_BACKEND`). Reads no environment variable; the browser
 * entry imports no `node:` module.
 * @module soft-sampling/lite
 */
import { registerLoader, type BackendInfo } from './registry';
import { initWasmWith, initWasmSyncWith, type WasmKernelSet } from './backends/wasm/init';
import { fetchPlatform, type WasmSource } from './backends/wasm/load';
import { wasmBesideEntry } from './backends/wasm/beside-lite';
import { LITE_KERNELS } from './lite-kernels';

// The loaders throw plain Errors: the registry wraps them into one E_BACKEND (a SoftSamplingError
// here would print its code twice). Lite has no pure-TypeScript backend in any runtime, so
// `useBackend('ts')` names the entry that has one rather than advising initWasm(); the wasm loader
// below stands until initWasm() replaces it (browsers, bundlers: the first op before it says so;
// the Node, Bun, Deno and workerd wrappers instantiate the module at import, so it never shows).
registerLoader('ts', () => {
  throw new Error(
    "soft-sampling/lite has no pure-TypeScript backend (it runs on WebAssembly only, which keeps it small); the full entry 'soft-sampling' has one (in Workers, Deno and Bun: 'soft-sampling/edge')",
  );
});
registerLoader('wasm', () => {
  throw new Error('the lean wasm module is not instantiated yet: await initWasm() (or call initWasmSync(module)) before the first op');
});

export { SoftSamplingError, type ErrorCode } from './errors';
export { Tensor, type ArrayInput, type NanPolicy, type StridedArrayInput, type OnnxTensorInput, type ArrayOfShape, type NestedArray } from './tensor';
export { backendInfo, useBackend, setThreads, type BackendInfo } from './registry';
export type { BackendName } from './kernels';
export type { WasmSource } from './backends/wasm/load';
export * from './api/geometry';
export * from './api/reduce';
export * from './api/focal';
export * from './api/ghm';
export * from './api/assign';
export * from './api/pisa';
export {
  boxConvertAsync,
  bbox2deltaAsync,
  delta2bboxAsync,
  maxIouAssignAsync,
  randomSampleAsync,
  ohemSampleAsync,
  iouBalancedNegSampleAsync,
  hardNegativeMiningAsync,
  assignTargetsAsync,
  focalLossStarAsync,
  softmaxFocalLossAsync,
  ghmrLossAsync,
  smoothL1LossAsync,
  asl1LossAsync,
  iouHlrAsync,
  isrPAsync,
  carlLossAsync,
  isrNAsync,
} from './api/async-ops';

const LITE: WasmKernelSet = {
  kernels: LITE_KERNELS,
  hint: 'soft-sampling/lite needs soft_sampling_lite.wasm or the full soft_sampling.wasm (a superset)',
};

const platform = fetchPlatform(wasmBesideEntry);

/**
 * Instantiates the lean WebAssembly module and makes it the active backend; until then every op
 * throws `E_BACKEND`.
 *
 * `source`:
 * - omitted: `soft_sampling_lite.wasm` beside this entry (`new URL('./soft_sampling_lite.wasm',
 *   import.meta.url)`), with `fetch` (http(s); `file:` in Deno with read access and in Bun; in Node
 *   the `import` condition's wrapper has already read it from disk); webpack 5 and Vite emit the
 *   file and rewrite the URL on their own;
 * - a `WebAssembly.Module`, the module bytes (`ArrayBuffer` or a typed array), a `Response` or a
 *   `Promise<Response>`, a `URL` or a URL string (esbuild's `--loader:.wasm=file`, Vite's `?url`).
 *
 * The full `soft_sampling.wasm` is accepted too (it exports every lite kernel; same results, larger
 * download), e.g. on a page that already ships it. Calling it again replaces the module; on failure
 * the previously active backend stays active.
 * @returns the new {@link backendInfo}. Library infrastructure: no reference implementation.
 * @throws SoftSamplingError `E_BACKEND` (arg `source`) naming what was given and what is accepted:
 *   bytes that are not wasm, a non-2xx response, a failed fetch or read, a module that is not this
 *   package's build, or one that lacks a lite kernel (named in the message).
 */
export function initWasm(source?: WasmSource): Promise<BackendInfo> {
  return initWasmWith(source, platform, LITE);
}

/**
 * Synchronous {@link initWasm} for a compiled `WebAssembly.Module` (what Workers and Deno's
 * `import source` hand over at import time) or the module's bytes (compiled here — Workers refuse
 * that; pass the module there). Library infrastructure: no reference implementation.
 * @returns the new {@link backendInfo}.
 * @throws SoftSamplingError `E_BACKEND` as {@link initWasm}; the active backend is kept.
 */
export function initWasmSync(source: WebAssembly.Module | BufferSource): BackendInfo {
  return initWasmSyncWith(source, LITE);
}
