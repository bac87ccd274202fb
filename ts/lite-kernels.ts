/**
 * The kernels of `soft-sampling/lite` (their wasm export names, as declared in
 * `crates/decl/kernels.rs`): the methods of the three seed papers — Focal Loss (CE/α-CE, FL, FL*,
 * softmax focal), GHM (GHM-C, GHM-R, smooth L1/ASL1), PISA (IoU-HLR, ISR-P, ISR-N, CARL) — the
 * four hard samplers, and the geometry under them (IoU/IoF/GIoU matrices, box conversion, delta
 * coding, anchors, max-IoU assignment). `scripts/build-wasm.sh` reads this list (between the
 * markers) to derive `soft_sampling_lite.wasm` from the full module; the lite entry checks a module
 * against it. Not lite: the COCO/VOC evaluator, QFL/DFL/VFL/EFL, Balanced L1, the IoU-family
 * losses, ATSS, task-aligned assignment.
 * @internal
 */
// lite-kernels:begin
export const LITE_KERNELS = [
  'bbox_overlaps',
  'box_convert',
  'delta_encode',
  'delta_decode',
  'decoded_iou',
  'grid_anchors',
  'max_iou_assign',
  'sigmoid_loss',
  'softmax_focal',
  'ghm_c',
  'ghm_r',
  'regression_loss',
  'pisa_cls_loss',
  'pisa_iou_hlr',
  'pisa_isr_p',
  'pisa_isr_n',
  'pisa_carl',
  'random_sample',
  'ohem_sample',
  'iou_balanced_sample',
  'hard_negative_mining',
] as const;
// lite-kernels:end
