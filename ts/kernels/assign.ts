/** Kernel-level signatures: MaxIoU assignment and the hard samplers: random, OHEM, IoU-balanced negatives, SSD hard negative mining (issue 4). Same contract as `GeometryKernels`. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface AssignKernels {}
