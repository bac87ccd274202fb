/**
 * The edge entry without the pure-TypeScript backend, for the wrappers that instantiate the wasm
 * at import time (`ts/entries/*.mjs`: the `workerd`, `deno` and `bun` export conditions): there
 * the wasm backend is always active, and leaving the TS twins out makes a Worker bundle ~18 KiB
 * (gzipped) smaller. `useBackend('ts')` throws `E_BACKEND` naming the entry that has it.
 * Same API and types as `soft-sampling/edge`.
 * @internal
 */
import { registerLoader } from './registry';

// a plain Error: the registry wraps it into one E_BACKEND (a SoftSamplingError would print its code twice)
registerLoader('ts', () => {
  throw new Error(
    "the pure-TypeScript backend is not in this entry (the workerd, deno and bun exports run on wasm, instantiated at import); import 'soft-sampling/edge' for it",
  );
});

export * from './edge-core';
