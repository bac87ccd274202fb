/** Kernel-level signatures of the losses (issue 3). Same contract as `GeometryKernels`. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface LossKernels {}
