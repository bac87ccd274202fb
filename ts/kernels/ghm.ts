/** Kernel-level signatures: GHM-C, GHM-R, smooth L1 and ASL1 losses (issue 3). Same contract as `GeometryKernels`. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface GhmKernels {}
