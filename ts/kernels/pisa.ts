/** Kernel-level signatures: PISA: IoU-HLR, ISR-P, ISR-N (Score-HLR), CARL (issue 4). Same contract as `GeometryKernels`. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface PisaKernels {}
