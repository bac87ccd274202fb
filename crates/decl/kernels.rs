// One declaration per kernel (issue 14; docs/design-bindings.md). This file is `include!`d by the
// napi binding (`src/decl.rs`) and by the wasm binding (`crates/wasm/src/decl.rs`), each of which
// defines its own `declare_kernels!` emitter; `scripts/gen-kernels.mjs` reads the same file and
// writes the TypeScript table `ts/kernels/modern.ts`. Grammar, per kernel:
//
//   /// doc
//   kernel <snake_name> = <core fn path>;
//   opts <OptionsStruct> => <core options struct path> { field: f64|f32|u32|usize|i32|bool, ... };  ({} when none)
//   inputs { name: f32|i32|f64|u8, ... };
//   outputs { name: f32|i32|f64|u8 = "<JS size rule over L.<input length> and o.<option>>", ... };
//   async <snake_name>_async;   (optional: also a native AsyncTask on libuv's pool, JS `<name>Async`)
//
// The core fn is called as `f(&in0, .., &opts, &mut out0, ..) -> Result<(), CoreError>`; the
// options struct has exactly the declared fields. Names are snake_case here and camelCase in JS.

// Ops written before the declaration, moved onto it through the adapters in
// `soft_sampling_core::decl_shim` (their core kernels keep their own signatures).
declare_kernels! {
    /// Pairwise overlaps (mmdet `bbox_overlaps`): mode 0 IoU, 1 IoF, 2 GIoU of `xyxy` boxes, `[N, M]` row-major or `[N]` when aligned.
    kernel bbox_overlaps = soft_sampling_core::decl_shim::bbox_overlaps;
    opts BboxOverlapsOptions => soft_sampling_core::decl_shim::BboxOverlapsOpts { mode: u32, aligned: bool, eps: f64, offset: f64 };
    inputs { boxes1: f32, boxes2: f32 };
    outputs { out: f32 = "o.aligned ? Math.floor(L.boxes1 / 4) : Math.floor(L.boxes1 / 4) * Math.floor(L.boxes2 / 4)" };
    async bbox_overlaps_async;

    /// Sigmoid-family losses over `[n, c]` logits (Lin et al. 2017 eqs. 1-5, FL* appendix A): kind 0 CE, 1 focal, 2 focal (mmcv clamp), 3 FL*; element losses, gradient, Σ in `sum[0]`.
    kernel sigmoid_loss = soft_sampling_core::decl_shim::sigmoid_loss;
    opts SigmoidLossOptions => soft_sampling_core::decl_shim::SigmoidLossOpts { n: u32, c: u32, use_labels: bool, kind: u32, has_alpha: bool, alpha: f64, gamma: f64, beta: f64, scale: f64 };
    inputs { logits: f32, targets: f32, labels: i32, weight: f32, label_weights: f32 };
    outputs { loss_elements: f32 = "L.logits", grad: f32 = "L.logits", sum: f64 = "1" };
    async sigmoid_loss_async;

    /// GHM-C (arXiv 1811.05181 eqs. 7-9; mmdet `GHMC`): element losses, gradient, harmonizing weights and `g` (not written when `lean`), the updated state copy; `stats` = [loss_sum, loss, tot, non_empty, scale, updated].
    kernel ghm_c = soft_sampling_core::decl_shim::ghm_c;
    opts GhmCOptions => soft_sampling_core::decl_shim::GhmCOpts { num_classes: u32, use_labels: bool, bins: u32, momentum: f64, all_bins: bool, bias_correction: bool, steps: f64, loss_weight: f64, mean: bool, lean: bool };
    inputs { logits: f32, targets: f32, labels: i32, label_weights: f32, acc_sum: f64 };
    outputs { loss_elements: f32 = "L.logits", grad: f32 = "L.logits", weights: f32 = "o.lean ? 0 : L.logits", g: f32 = "o.lean ? 0 : L.logits", counts: f64 = "o.bins", acc_sum_out: f64 = "L.accSum", stats: f64 = "6" };
    async ghm_c_async;

    /// Box format conversion (torchvision `ops.box_convert`): codes 0 xyxy, 1 xywh, 2 cxcywh.
    kernel box_convert = soft_sampling_core::decl_shim::box_convert;
    opts BoxConvertOptions => soft_sampling_core::decl_shim::BoxConvertOpts { from: u32, to: u32 };
    inputs { boxes: f32 };
    outputs { out: f32 = "L.boxes" };

    /// Anchors of one feature map (mmdet `AnchorGenerator.single_level_grid_priors`): the base anchors shifted to every cell, row-major.
    kernel grid_anchors = soft_sampling_core::decl_shim::grid_anchors;
    opts GridAnchorsOptions => soft_sampling_core::decl_shim::GridAnchorsOpts { feat_h: u32, feat_w: u32, stride_h: f64, stride_w: f64 };
    inputs { base_anchors: f32 };
    outputs { out: f32 = "o.featH * o.featW * L.baseAnchors" };

    /// PISA's per-positive classification loss (mmdet `isr_p` `loss_cls.loss_weight=None` path): kind 0 CE over `cols`, 1 sigmoid focal.
    kernel pisa_cls_loss = soft_sampling_core::decl_shim::pisa_cls_loss;
    opts PisaClsLossOptions => soft_sampling_core::decl_shim::PisaClsLossOpts { cols: u32, kind: u32, alpha: f64, gamma: f64 };
    inputs { cls_score: f32, labels: i32 };
    outputs { out: f32 = "L.labels" };

    /// Box → delta encoding (mmdet `DeltaXYWHBBoxCoder.encode`, Faster R-CNN eq. 2), normalised by `means`/`stds` (4 each).
    kernel delta_encode = soft_sampling_core::decl_shim::delta_encode;
    opts DeltaEncodeOptions => soft_sampling_core::decl_shim::DeltaEncodeOpts {};
    inputs { priors: f32, gt: f32, means: f32, stds: f32 };
    outputs { out: f32 = "L.priors" };

    /// Delta → box decoding (mmdet `DeltaXYWHBBoxCoder.decode`): `dw`/`dh` clipped to ±|log wh_ratio_clip|, boxes clipped to `max_shape` `[H, W]` when given.
    kernel delta_decode = soft_sampling_core::decl_shim::delta_decode;
    opts DeltaDecodeOptions => soft_sampling_core::decl_shim::DeltaDecodeOpts { wh_ratio_clip: f64 };
    inputs { priors: f32, deltas: f32, means: f32, stds: f32, max_shape: f32 };
    outputs { out: f32 = "L.deltas" };

    /// Aligned IoU of the boxes two delta sets decode to on the same priors, in prior-relative f64 units; `eps` floors the union (pixel²).
    kernel decoded_iou = soft_sampling_core::decl_shim::decoded_iou;
    opts DecodedIouOptions => soft_sampling_core::decl_shim::DecodedIouOpts { wh_ratio_clip: f64, eps: f64 };
    inputs { priors: f32, deltas1: f32, deltas2: f32, means: f32, stds: f32 };
    outputs { out: f32 = "L.priors / 4" };

    /// PISA IoU-HLR ranks (arXiv 1904.04821 Alg. 1; mmdet `isr_p`): per positive its rank within its gt's group then across groups; `max_l_num` = the largest group count.
    kernel pisa_iou_hlr = soft_sampling_core::decl_shim::pisa_iou_hlr;
    opts PisaIouHlrOptions => soft_sampling_core::decl_shim::PisaIouHlrOpts { prime_mode: u32 };
    inputs { labels: i32, gt_ids: i32, ious: f32, prime: u8 };
    outputs { ranks: i32 = "L.labels", max_l_num: f64 = "1" };

    /// Smooth L1 (Fast R-CNN eq. 3; kind 0, `param` β, β = 0: L1) or ASL1 (kind 1, `param` μ) elementwise; `weight` empty, per element or per row of `cols`; Σ in `sum[0]`.
    kernel regression_loss = soft_sampling_core::decl_shim::regression_loss;
    opts RegressionLossOptions => soft_sampling_core::decl_shim::RegressionLossOpts { kind: u32, cols: u32, param: f64, scale: f64 };
    inputs { pred: f32, target: f32, weight: f32 };
    outputs { loss_elements: f32 = "L.pred", grad: f32 = "L.pred", sum: f64 = "1" };

    /// Softmax focal loss (Lin et al. 2017 eq. 5, multi-class) over `[n, k]` logits, labels in `[0, k)`; `alpha` empty, 1 or `k` values; `weight`/`label_weights` empty or `[n]`; Σ in `sum[0]`.
    kernel softmax_focal = soft_sampling_core::decl_shim::softmax_focal;
    opts SoftmaxFocalOptions => soft_sampling_core::decl_shim::SoftmaxFocalOpts { n: u32, k: u32, gamma: f64, scale: f64 };
    inputs { logits: f32, labels: i32, alpha: f32, weight: f32, label_weights: f32 };
    outputs { loss_elements: f32 = "o.n", grad: f32 = "L.logits", sum: f64 = "1" };

    /// MaxIoU assignment (mmdet `MaxIoUAssigner`): per prior the best gt (`gt_inds` 1-based, 0 negative, -1 ignored), its IoU and label; `gt_ignore` boxes (IoF ≥ `ignore_iof_thr`) ignored.
    kernel max_iou_assign = soft_sampling_core::decl_shim::max_iou_assign;
    opts MaxIouAssignOptions => soft_sampling_core::decl_shim::MaxIouAssignOpts { pos_iou_thr: f64, neg_lo: f64, neg_hi: f64, min_pos_iou: f64, gt_max_assign_all: bool, match_low_quality: bool, ignore_iof_thr: f64, ignore_wrt_candidates: bool, zero_iou_mmdet: bool };
    inputs { priors: f32, gts: f32, gt_labels: i32, gt_ignore: f32 };
    outputs { gt_inds: i32 = "L.priors / 4", max_overlaps: f32 = "L.priors / 4", labels: i32 = "L.priors / 4" };

    /// PISA's Classification-Aware Regression Loss (arXiv 1904.04821 eq. 5; mmdet `carl_loss`): loss in `loss[0]`, gradients w.r.t. the scores and the box predictions, the per-positive CARL weights.
    kernel pisa_carl = soft_sampling_core::decl_shim::pisa_carl;
    opts PisaCarlOptions => soft_sampling_core::decl_shim::PisaCarlOpts { num_classes: u32, sigmoid: bool, k: f64, bias: f64, beta: f64, avg_factor: f64, loss_weight: f64 };
    inputs { cls_score: f32, labels: i32, bbox_pred: f32, bbox_targets: f32 };
    outputs { grad_cls_score: f32 = "L.clsScore", grad_bbox_pred: f32 = "L.bboxPred", weights: f32 = "L.labels", loss: f64 = "1" };

    /// PISA ISR-P (arXiv 1904.04821 eqs. 2-3; mmdet `isr_p`): IoU-HLR ranks, then weights `(bias + (1 − bias)·u)^k` renormalised so Σ L·w keeps its value; `stats` = [max_l_num, ratio, guarded].
    kernel pisa_isr_p = soft_sampling_core::decl_shim::pisa_isr_p;
    opts PisaIsrPOptions => soft_sampling_core::decl_shim::PisaIsrPOpts { prime_mode: u32, k: f64, bias: f64, per_class: bool, max_ratio: f64 };
    inputs { labels: i32, gt_ids: i32, ious: f32, pos_loss: f32, label_weights: f32, prime: u8 };
    outputs { weights: f32 = "L.labels", ranks: i32 = "L.labels", stats: f64 = "3" };

    /// PISA ISR-N with Score-HLR (arXiv 1904.04821 Sec. 3.2; mmdet `ScoreHLRSampler`) over one image's negatives; `stats` = [num_hlr, num_valid, ratio, guarded].
    kernel pisa_isr_n = soft_sampling_core::decl_shim::pisa_isr_n;
    opts PisaIsrNOptions => soft_sampling_core::decl_shim::PisaIsrNOpts { num_expected: u32, k: f64, bias: f64, score_thr: f64, iou_thr: f64, max_ratio: f64, seed: u32 };
    inputs { scores: f32, boxes: f32, loss: f32 };
    outputs { selected: i32 = "Math.min(L.scores, o.numExpected)", weights: f32 = "Math.min(L.scores, o.numExpected)", stats: f64 = "4" };

    /// Evaluator overlaps in f64 (pycocotools `bbIou`): detections [D, 4] × gts [G, 4] `[x, y, w, h]`, `inter / det area` where `crowd[g]` is 1 (`crowd` may be empty).
    kernel eval_overlaps = soft_sampling_core::decl_shim::eval_overlaps;
    opts EvalOverlapsOptions => soft_sampling_core::decl_shim::EvalOverlapsOpts { offset: f64 };
    inputs { dets: f64, gts: f64, crowd: u8 };
    outputs { out: f64 = "Math.floor(L.dets / 4) * Math.floor(L.gts / 4)" };

    /// GHM-R (arXiv 1811.05181 eq. 12-13; mmdet `GHMR`) over ASL1 of `pred − target`; `acc_sum_out` is the updated copy of the caller's `acc_sum`; `stats` = [loss_sum, loss, tot, non_empty, scale, updated].
    kernel ghm_r = soft_sampling_core::decl_shim::ghm_r;
    opts GhmROptions => soft_sampling_core::losses::ghm::GhmOpts { bins: usize, momentum: f64, all_bins: bool, bias_correction: bool, steps: f64, loss_weight: f64, mean: bool, mu: f32 };
    inputs { pred: f32, target: f32, label_weights: f32, acc_sum: f64 };
    outputs { loss_elements: f32 = "L.pred", grad: f32 = "L.pred", weights: f32 = "L.pred", g: f32 = "L.pred", counts: f64 = "o.bins", acc_sum_out: f64 = "L.accSum", stats: f64 = "6" };

    /// Random sampler (mmdet `RandomSampler`, seeded): packed `[numPos, numNeg, pos.., neg.., posGt..]` in the first `len[0]` slots of `packed`.
    kernel random_sample = soft_sampling_core::decl_shim::random_sample;
    opts RandomSampleOptions => soft_sampling_core::decl_shim::RandomSampleOpts { num_added: u32, num: u32, num_expected_pos: u32, neg_pos_ub: f64, seed: u32 };
    inputs { gt_inds: i32 };
    outputs { packed: i32 = "2 + 2 * (o.numAdded + L.gtInds)", len: f64 = "1" };

    /// OHEM sampler (Shrivastava et al. 2016; mmdet `OHEMSampler`): the highest-loss positives and negatives, packed as `random_sample`.
    kernel ohem_sample = soft_sampling_core::decl_shim::ohem_sample;
    opts OhemSampleOptions => soft_sampling_core::decl_shim::OhemSampleOpts { num_added: u32, num: u32, num_expected_pos: u32, neg_pos_ub: f64 };
    inputs { gt_inds: i32, losses: f32 };
    outputs { packed: i32 = "2 + 2 * (o.numAdded + L.gtInds)", len: f64 = "1" };

    /// IoU-balanced negative sampler (Libra R-CNN arXiv 1904.02701 eq. 1; mmdet `IoUBalancedNegSampler`, seeded), packed as `random_sample`.
    kernel iou_balanced_sample = soft_sampling_core::decl_shim::iou_balanced_sample;
    opts IouBalancedSampleOptions => soft_sampling_core::decl_shim::IouBalancedSampleOpts { num_added: u32, num: u32, num_expected_pos: u32, neg_pos_ub: f64, seed: u32, floor_thr: f64, floor_fraction: f64, num_bins: u32 };
    inputs { gt_inds: i32, max_overlaps: f32 };
    outputs { packed: i32 = "2 + 2 * (o.numAdded + L.gtInds)", len: f64 = "1" };

    /// Hard negative mining (SSD, Liu et al. 2016 Sec. 2.2): per image the negatives of highest loss, at most `neg_pos_ratio` per positive; packed `[numPos, numNeg, pos.., neg..]` (flat indices).
    kernel hard_negative_mining = soft_sampling_core::decl_shim::hard_negative_mining;
    opts HardNegativeMiningOptions => soft_sampling_core::decl_shim::HardNegativeMiningOpts { num_images: u32, num_classes: i32, neg_pos_ratio: f64 };
    inputs { losses: f32, labels: i32 };
    outputs { packed: i32 = "2 + L.losses", len: f64 = "1" };
}

declare_kernels! {
    /// Quality Focal Loss (GFL eq. 5): per-row loss, gradient w.r.t. `pred` (logits or σ), Σ in `sum[0]`; targets `labels` + `scores`, or a dense `soft_target` when that is non-empty.
    kernel quality_focal_loss = soft_sampling_core::losses::qfl::quality_focal_loss;
    opts QflOptions => soft_sampling_core::losses::qfl::QflOpts { num_classes: u32, beta: f64, activated: bool, scale: f64 };
    inputs { pred: f32, labels: i32, scores: f32, soft_target: f32, weight: f32 };
    outputs { loss_elements: f32 = "o.numClasses > 0 ? L.pred / o.numClasses : 0", grad: f32 = "L.pred", sum: f64 = "1" };

    /// Distribution Focal Loss (GFL eq. 6) over `bins` = n + 1 logits per row.
    kernel distribution_focal_loss = soft_sampling_core::losses::qfl::distribution_focal_loss;
    opts DflOptions => soft_sampling_core::losses::qfl::DflOpts { bins: u32, scale: f64 };
    inputs { pred: f32, target: f32, weight: f32 };
    outputs { loss_elements: f32 = "L.target", grad: f32 = "L.pred", sum: f64 = "1" };

    /// Varifocal Loss (VarifocalNet eq. 2), elementwise over (N, C).
    kernel varifocal_loss = soft_sampling_core::losses::vfl::varifocal_loss;
    opts VflOptions => soft_sampling_core::losses::vfl::VflOpts { num_classes: u32, alpha: f64, gamma: f64, iou_weighted: bool, scale: f64 };
    inputs { pred: f32, target: f32, weight: f32 };
    outputs { loss_elements: f32 = "L.pred", grad: f32 = "L.pred", sum: f64 = "1" };

    /// Balanced L1 Loss (Libra R-CNN eqs. 7-9, mmdet's β generalisation), elementwise.
    kernel balanced_l1_loss = soft_sampling_core::losses::balanced_l1::balanced_l1_loss;
    opts BalancedL1Options => soft_sampling_core::losses::balanced_l1::BalancedL1Opts { alpha: f64, gamma: f64, beta: f64, scale: f64 };
    inputs { pred: f32, target: f32, weight: f32 };
    outputs { loss_elements: f32 = "L.pred", grad: f32 = "L.pred", sum: f64 = "1" };

    /// IoU-family losses on aligned boxes: kind 0 IoU (mode 0 log, 1 linear, 2 square), 1 GIoU, 2 DIoU, 3 CIoU.
    kernel iou_family_loss = soft_sampling_core::losses::iou_loss::iou_family_loss;
    opts IouLossOptions => soft_sampling_core::losses::iou_loss::IouLossOpts { kind: u32, mode: u32, eps: f64, scale: f64 };
    inputs { pred: f32, target: f32, weight: f32 };
    outputs { loss_elements: f32 = "L.pred / 4", grad: f32 = "L.pred", pair_iou: f32 = "L.pred / 4", ciou_alpha: f32 = "o.kind === 3 ? L.pred / 4 : 0", ciou_v: f32 = "o.kind === 3 ? L.pred / 4 : 0", sum: f64 = "1" };

    /// ATSS assigner (arXiv 1912.02424, Alg. 1; mmdet ATSSAssigner): per-level top-k by centre distance, IoU ≥ mean + std, centre inside.
    kernel atss_assign = soft_sampling_core::assign::atss::atss_assign;
    opts AtssOptions => soft_sampling_core::assign::atss::AtssOpts { topk: u32, num_candidates: u32 };
    inputs { priors: f32, num_level_priors: i32, gt_bboxes: f32, gt_labels: i32 };
    outputs { gt_inds: i32 = "L.priors / 4", labels: i32 = "L.priors / 4", assigned_iou: f32 = "L.priors / 4", iou_mean: f64 = "L.gtLabels", iou_std: f64 = "L.gtLabels", iou_thr: f64 = "L.gtLabels", candidates: i32 = "o.numCandidates * L.gtLabels" };

    /// Task-aligned assigner (TOOD arXiv 2108.07755 Sec. 3.2): variant 0 `tood` (mmdet), 1 `yolov8` (ultralytics).
    kernel task_aligned_assign = soft_sampling_core::assign::task_aligned::task_aligned_assign;
    opts TaskAlignedOptions => soft_sampling_core::assign::task_aligned::TaskAlignedOpts { variant: u32, num_classes: u32, topk: u32, alpha: f64, beta: f64, norm_eps: f64, with_metrics: bool };
    inputs { priors: f32, pred_bboxes: f32, pred_scores: f32, gt_bboxes: f32, gt_labels: i32 };
    outputs { gt_inds: i32 = "L.predBboxes / 4", labels: i32 = "L.predBboxes / 4", assign_metrics: f32 = "L.predBboxes / 4", assigned_iou: f32 = "L.predBboxes / 4", norm_alignment_metrics: f32 = "L.predBboxes / 4", alignment_metrics: f32 = "o.withMetrics ? (L.predBboxes / 4) * L.gtLabels : 0" };

    /// Equalized Focal Loss (arXiv 2201.02593 eqs. 7-8; United-Perception): per-class γ_j from the caller's gradient state, updated copy out.
    kernel equalized_focal_loss = soft_sampling_core::losses::efl::equalized_focal_loss;
    opts EflOptions => soft_sampling_core::losses::efl::EflOpts { num_classes: u32, gamma_b: f64, scale_factor: f64, alpha: f64, scale: f64, update: bool };
    inputs { pred: f32, target: f32, weight: f32, pos_grad: f64, neg_grad: f64, pos_neg: f64 };
    outputs { loss_elements: f32 = "L.pred", grad: f32 = "L.pred", sum: f64 = "1", pos_grad_out: f64 = "o.numClasses", neg_grad_out: f64 = "o.numClasses", pos_neg_out: f64 = "o.numClasses" };

    /// COCO bbox evaluation (pycocotools evaluate + accumulate) of `num_variants` score variants of the same boxes in one call: `dt_scores` [V, D], outputs [V, T, R, K, A, M] / [V, T, K, A, M]; cells whose scores equal variant 0's are matched once.
    kernel coco_evaluate_variants = soft_sampling_core::eval::coco::coco_evaluate_variants_flat;
    opts CocoVariantsOptions => soft_sampling_core::eval::coco::CocoVariantsOpts { num_images: u32, num_cats: u32, num_variants: u32, use_cats: bool, offset: f64 };
    inputs { gt_image: i32, gt_cat: i32, gt_box: f64, gt_area: f64, gt_crowd: i32, dt_image: i32, dt_cat: i32, dt_box: f64, dt_scores: f64, iou_thrs: f64, rec_thrs: f64, max_dets: i32, area_rng: f64 };
    outputs { precision: f64 = "o.numVariants * L.iouThrs * L.recThrs * (o.useCats ? o.numCats : 1) * Math.floor(L.areaRng / 2) * L.maxDets", recall: f64 = "o.numVariants * L.iouThrs * (o.useCats ? o.numCats : 1) * Math.floor(L.areaRng / 2) * L.maxDets" };
}
