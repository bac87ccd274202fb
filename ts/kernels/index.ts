import type { ModernKernels, AsyncKernels } from './modern';

/** Everything a backend implements: the declared kernels (`crates/decl/kernels.rs` → `./modern`). */
export interface Kernels extends ModernKernels {
  /** Test hook: makes the backend's kernel code panic (native) or trap (wasm). */
  debugPanic(): void;
}

/**
 * A backend: `'native'` (the napi-rs addon, SIMD Rust; Node only), `'wasm'` (WebAssembly + SIMD128;
 * Node, browsers, edge runtimes) or `'ts'` (pure TypeScript, always available).
 */
export type BackendName = 'native' | 'wasm' | 'ts';

export interface Backend extends Kernels, AsyncKernels {
  readonly name: BackendName;
  /** Vector level the kernels run with: `avx512`, `avx2`, `baseline`, `simd128`, `scalar`, or `none` (TS). */
  readonly simd: string;
  /** Sets the worker threads of large calls (native only; validated by the registry). */
  setThreads?(n: number): void;
  /**
   * Allocates a `Float32Array` output that the kernel will overwrite entirely (native: from a
   * page-keeping pool for large outputs, issue 12 item 6; contents unspecified). Absent: `new Float32Array(n)`.
   */
  allocOutput?(n: number): Float32Array;
  /** Worker threads large calls use now (absent: 1, everything on the calling thread). */
  threads?(): number;
}
