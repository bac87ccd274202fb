/** Kernel-level signatures of assignment, samplers and PISA (issue 4). Same contract as `GeometryKernels`. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface AssignKernels {}
