/**
 * Per-image stages: what the worker pool (or the main thread with `--workers 0`) runs for each image.
 * Pure functions of their inputs, so a pooled run gives exactly the single-threaded output.
 */
import { cocoEvaluateImage, type CocoParams, type CocoImageEval } from 'soft-sampling/internal';
import { vocMatchImage, type VocImageEval } from 'soft-sampling/internal';
import type { ImageInput } from 'soft-sampling/internal';
import { anchorImageStage, type AnchorParams, type AnchorImageStats } from './anchors-stage';

export type StageTask =
  | { kind: 'match'; images: ImageInput[]; coco: CocoParams; vocThr: number; legacyOffset: boolean }
  | { kind: 'coco'; images: ImageInput[]; coco: CocoParams }
  | { kind: 'anchors'; images: ImageInput[]; anchors: AnchorParams };

export interface MatchResult {
  coco: CocoImageEval;
  voc: VocImageEval;
}

export type StageResult = MatchResult | CocoImageEval | AnchorImageStats;

/** Runs one task (a chunk of images) and returns one result per image, in order. */
export function runStage(task: StageTask): StageResult[] {
  switch (task.kind) {
    case 'match':
      return task.images.map((img) => ({ coco: cocoEvaluateImage(img, task.coco), voc: vocMatchImage(img, task.vocThr, task.legacyOffset) }));
    case 'coco':
      return task.images.map((img) => cocoEvaluateImage(img, task.coco));
    case 'anchors':
      return task.images.map((img) => anchorImageStage(img, task.anchors));
  }
}
