/**
 * Per-image stages: what the worker pool (or the main thread with `--workers 0`) runs for each image.
 * Pure functions of their inputs, so a pooled run gives exactly the single-threaded output.
 * (The evaluation no longer runs here: COCO is one `cocoEvaluate` kernel call over the whole set,
 * VOC matching runs in the main thread; only the anchor statistics of `--anchors` are per-image work.)
 */
import type { ImageInput } from 'soft-sampling/internal';
import { anchorImageStage, type AnchorParams, type AnchorImageStats } from './anchors-stage';

export type StageTask = { kind: 'anchors'; images: ImageInput[]; anchors: AnchorParams };

export type StageResult = AnchorImageStats;

/** Runs one task (a chunk of images) and returns one result per image, in order. */
export function runStage(task: StageTask): StageResult[] {
  switch (task.kind) {
    case 'anchors':
      return task.images.map((img) => anchorImageStage(img, task.anchors));
  }
}
