/**
 * Checks for likely mistakes in otherwise valid inputs (issue 9, item 5). Each is a warning, not an
 * error: the run goes on, the CLI prints the warnings on stderr and the report lists them.
 *
 * - more than {@link OUT_OF_BOUNDS_SHARE} of the detections (on images whose width and height are
 *   known) reach outside their image by more than {@link BOUNDS_TOLERANCE_PX} pixels — the usual sign
 *   of `[x1, y1, x2, y2]` boxes written where COCO results use `[x, y, w, h]`;
 * - scores outside `[0, 1]` (logits or unnormalised scores: the analyses read scores as probabilities);
 * - detections for categories that have no gt box (all of them are false positives).
 *
 * Notes (not warnings) describe what is missing: an empty detections list, a ground truth without
 * annotations, categories with gt boxes but no detections.
 */
import type { GtSet } from 'soft-sampling/internal';
import type { ImageInput } from 'soft-sampling/internal';

export const OUT_OF_BOUNDS_SHARE = 0.05;
export const BOUNDS_TOLERANCE_PX = 1;

export interface InputChecks {
  warnings: string[];
  notes: string[];
  /** The notes about an empty input (no detections, no gt boxes), which the CLI also prints on stderr. */
  emptyInputs: string[];
}

/** Warnings and notes about the grouped inputs; see the module comment. */
export function checkInputs(gt: GtSet, images: ImageInput[]): InputChecks {
  const warnings: string[] = [];
  const notes: string[] = [];
  let nDets = 0, sized = 0, outside = 0, badScore = 0, minScore = Infinity, maxScore = -Infinity;
  const detsPerCat = new Map<number, number>();
  const gtPerCat = new Map<number, number>();
  for (const im of images) {
    for (const g of im.gts) gtPerCat.set(g.categoryId, (gtPerCat.get(g.categoryId) ?? 0) + 1);
    const known = im.width > 0 && im.height > 0;
    for (const d of im.dets) {
      nDets++;
      detsPerCat.set(d.categoryId, (detsPerCat.get(d.categoryId) ?? 0) + 1);
      if (!(d.score >= 0 && d.score <= 1)) badScore++;
      if (d.score < minScore) minScore = d.score;
      if (d.score > maxScore) maxScore = d.score;
      if (known) {
        sized++;
        const [x, y, w, h] = d.xywh;
        const t = BOUNDS_TOLERANCE_PX;
        if (x < -t || y < -t || x + w > im.width + t || y + h > im.height + t) outside++;
      }
    }
  }
  if (sized > 0 && outside / sized > OUT_OF_BOUNDS_SHARE) {
    warnings.push(
      `${outside} of ${sized} detections on images of known size (${((100 * outside) / sized).toFixed(1)} %) reach outside their image: these boxes look like [x1,y1,x2,y2]; COCO results use [x,y,w,h]`,
    );
  }
  if (badScore > 0) {
    warnings.push(`${badScore} of ${nDets} detection scores lie outside [0, 1] (range ${minScore} … ${maxScore}): the analyses read scores as probabilities (logits? apply a sigmoid first)`);
  }
  const name = new Map(gt.categories.map((c) => [c.id, c.name] as [number, string]));
  const list = (ids: number[]) => {
    const s = ids.slice(0, 10).map((id) => `${name.get(id)} (id ${id})`).join(', ');
    return ids.length > 10 ? `${s}, … (${ids.length} in all)` : s;
  };
  const noGt = [...detsPerCat.keys()].filter((c) => !gtPerCat.has(c)).sort((a, b) => a - b);
  if (noGt.length && gt.boxes.length > 0) {
    const n = noGt.reduce((a, c) => a + detsPerCat.get(c)!, 0);
    warnings.push(`${n} detections are for ${noGt.length} categories absent from the gt (no gt box): ${list(noGt)}; all of them count as false positives`);
  }
  const emptyInputs: string[] = [];
  if (nDets === 0) emptyInputs.push('the detections list is empty: the evaluation is all zeros and the analyses of detections have nothing to draw');
  if (gt.boxes.length === 0) emptyInputs.push('the ground truth has no annotations: no detection can be a positive, COCO AP is undefined (−1)');
  notes.push(...emptyInputs);
  const noDets = [...gtPerCat.keys()].filter((c) => !detsPerCat.has(c)).sort((a, b) => a - b);
  if (noDets.length && nDets > 0) notes.push(`${noDets.length} categories have gt boxes but no detections (AP 0): ${list(noDets)}`);
  const empty = gt.categories.filter((c) => !gtPerCat.has(c.id) && !detsPerCat.has(c.id)).map((c) => c.id);
  if (empty.length && gt.categories.length > 1) notes.push(`${empty.length} categories have neither gt boxes nor detections (left out of the means): ${list(empty)}`);
  return { warnings, notes, emptyInputs };
}
