/**
 * The async convention (issue 12 item 2), shared by every `…Async` function: `fooAsync(...)` takes
 * the arguments of `foo(...)` and returns `Promise<ReturnType<foo>>`; it never throws
 * synchronously (bad input rejects with the same `SoftSamplingError`). Native: the kernel runs on
 * libuv's thread pool (napi-rs `AsyncTask`), with the inputs copied when the call is made, so the
 * caller's arrays are neither mutated nor detached and may be reused at once; a caller's
 * `options.out` buffer is written on the pool and must not be touched until the promise settles.
 * WebAssembly and TypeScript backends: in Node on the worker-thread pool (`ts/node/pool.ts`, see
 * `./offload.ts`), on the edge entry on the calling thread after the current task (the promise
 * only defers it; the inputs are read then, not copied, so changes made to them before the promise
 * settles are seen by the kernel). An input buffer detached while the call is pending rejects
 * with `E_TYPE` (the result would describe data the caller no longer has).
 */
import { SoftSamplingError } from '../errors';

/** True for a view whose `ArrayBuffer` is detached (transferred). */
function isDetached(v: unknown): boolean {
  const view = ArrayBuffer.isView(v) ? v : v !== null && typeof v === 'object' && ArrayBuffer.isView((v as { data?: unknown }).data) ? (v as { data: ArrayBufferView }).data : undefined;
  if (!view) return false;
  try {
    new Uint8Array(view.buffer as ArrayBuffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/** Rejects with `E_TYPE` when one of `inputs` (named by `names`) is detached. */
export function checkAttached(names: readonly string[], inputs: readonly unknown[]): void {
  inputs.forEach((v, i) => {
    if (isDetached(v)) throw new SoftSamplingError('E_TYPE', names[i], 'its ArrayBuffer is detached (transferred); pass a live array and keep it attached until the promise settles');
  });
}

/** Lets the current task finish before a same-thread kernel runs (wasm / ts backends). */
export const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
