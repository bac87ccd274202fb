/** Pure-TS twins of the declared kernels (`crates/decl/kernels.rs`), bound through the table. */
import { tsModern } from '../decl';
import { qualityFocalLoss, distributionFocalLoss } from './modern/qfl';
import { varifocalLoss } from './modern/vfl';
import { balancedL1Loss } from './modern/balanced-l1';
import { iouFamilyLoss } from './modern/iou-loss';
import { atssAssign, taskAlignedAssign } from './modern/assign';
import { equalizedFocalLoss } from './modern/efl';
import { cocoEvaluateVariants } from './modern/coco-variants';
import { boxConvert } from './modern/box-convert';
import { gridAnchors } from './modern/grid-anchors';
import { pisaClsLoss } from './modern/pisa-cls-loss';
import { deltaEncode, deltaDecode, decodedIou } from './modern/coder';
import { pisaIouHlr } from './modern/pisa-iou-hlr';
import { regressionLoss } from './ghm';
import { softmaxFocal } from './focal';
import { maxIouAssign } from './assign';
import { pisaCarl } from './pisa';
import { bboxOverlapsKernel, sigmoidLossKernel, ghmCKernel, pisaIsrPKernel, pisaIsrNKernel, evalOverlapsKernel, ghmRKernel, randomSampleKernel, ohemSampleKernel, iouBalancedSampleKernel, hardNegativeMiningKernel } from './modern/moved';

export const modernKernels = tsModern({ qualityFocalLoss, distributionFocalLoss, varifocalLoss, balancedL1Loss, iouFamilyLoss, atssAssign, taskAlignedAssign, equalizedFocalLoss, cocoEvaluateVariants, boxConvert, gridAnchors, pisaClsLoss, deltaEncode, deltaDecode, decodedIou, pisaIouHlr, regressionLoss, softmaxFocal, maxIouAssign, pisaCarl,
  bboxOverlaps: bboxOverlapsKernel, sigmoidLoss: sigmoidLossKernel, ghmC: ghmCKernel, pisaIsrP: pisaIsrPKernel, pisaIsrN: pisaIsrNKernel, evalOverlaps: evalOverlapsKernel, ghmR: ghmRKernel, randomSample: randomSampleKernel, ohemSample: ohemSampleKernel, iouBalancedSample: iouBalancedSampleKernel, hardNegativeMining: hardNegativeMiningKernel });
