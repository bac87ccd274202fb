/**
 * `soft-sampling/internal`: the evaluator's building blocks (per-image COCO/VOC matching,
 * accumulation, the streaming gt/detection builders) for the `soft-sampling` command line
 * (packages/cli, `soft-sampling-cli`), which runs them per image in a worker pool. ESM only,
 * Node only, not part of the documented API and not covered by semver: use `evaluateCoco` /
 * `evaluateVoc` from `soft-sampling` instead. It shares its chunk with the main entry, so
 * `useBackend()` there selects the backend used here.
 * @internal
 * @module
 */
export * from './eval/coco';
export * from './eval/voc';
export * from './eval/images';
export * from './eval/input';
export { radixPasses } from './eval/order';
