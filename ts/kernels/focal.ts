/** Kernel-level signatures: focal-family losses: BCE / α-balanced CE, sigmoid and softmax focal loss, FL* (issue 3). Same contract as `GeometryKernels`. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface FocalKernels {}
