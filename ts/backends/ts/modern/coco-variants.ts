/**
 * TS twin of `crates/core/src/eval/coco.rs` `coco_evaluate_variants_flat`: the COCO evaluation of
 * `numVariants` score variants of one set, one TS `cocoEvaluate` per variant (the Rust kernel reuses
 * the unchanged cells; the tables are the same, bit for bit).
 */
import { SoftSamplingError } from '../../../errors';
import type { CocoEvaluateVariantsInputs, CocoEvaluateVariantsOptions, CocoEvaluateVariantsOutputs } from '../../../kernels/modern';
import { cocoEvaluate } from '../eval';

function toU32(arg: string, v: Int32Array): Uint32Array {
  for (let i = 0; i < v.length; i++) if (v[i] < 0) throw new SoftSamplingError('E_VALUE', arg, `element ${i} is ${v[i]}, must not be negative`);
  return new Uint32Array(v.buffer, v.byteOffset, v.length);
}

export function cocoEvaluateVariants(i: CocoEvaluateVariantsInputs, o: CocoEvaluateVariantsOptions, out: CocoEvaluateVariantsOutputs): void {
  const V = o.numVariants, D = i.dtImage.length;
  if (!(V >= 1)) throw new SoftSamplingError('E_VALUE', 'num_variants', 'must be at least 1');
  if (i.dtScores.length !== V * D) throw new SoftSamplingError('E_SHAPE', 'dt_scores', `length ${i.dtScores.length}, expected ${V * D}`);
  const base = {
    numImages: o.numImages, numCats: o.numCats, gtImage: toU32('gt_image', i.gtImage), gtCat: toU32('gt_cat', i.gtCat), gtBox: i.gtBox, gtArea: i.gtArea,
    gtCrowd: Uint8Array.from(i.gtCrowd, (c) => (c !== 0 ? 1 : 0)), dtImage: toU32('dt_image', i.dtImage), dtCat: toU32('dt_cat', i.dtCat), dtBox: i.dtBox,
    iouThrs: i.iouThrs, recThrs: i.recThrs, maxDets: toU32('max_dets', i.maxDets), areaRanges: i.areaRng, useCats: o.useCats, offset: o.offset,
  };
  const pl = out.precision.length / V, rl = out.recall.length / V;
  for (let v = 0; v < V; v++) {
    const r = cocoEvaluate({ ...base, dtScore: i.dtScores.subarray(v * D, (v + 1) * D) });
    out.precision.set(r.precision, v * pl);
    out.recall.set(r.recall, v * rl);
  }
}
