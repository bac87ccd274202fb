/** The public API shared by every entry point (Node ESM/CJS and edge/browser). */
export { SoftSamplingError, type ErrorCode } from './errors';
export { Tensor, type ArrayInput, type NanPolicy, type StridedArrayInput, type OnnxTensorInput, type ArrayOfShape, type NestedArray } from './tensor';
export { backendInfo, useBackend, setThreads, type BackendInfo } from './registry';
export type { BackendName } from './kernels';
export * from './api/geometry';
export * from './api/reduce';
export * from './api/focal';
export * from './api/ghm';
export * from './api/assign';
export * from './api/pisa';
export * from './api/eval';
export * from './api/tfjs';
