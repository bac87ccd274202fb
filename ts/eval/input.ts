/**
 * COCO-format inputs: validation and normalisation, with errors that name the record and field.
 *
 * Ground truth: a COCO dataset object `{ images, annotations, categories }`; detections: a COCO
 * results list `[{ image_id, category_id, bbox: [x, y, w, h], score }]` (also accepted: an object
 * with such a list under `annotations`, as some tools write). Boxes are COCO `[x, y, w, h]` in pixels.
 */
import { SoftSamplingError } from '../errors';

/** One entry of a COCO dataset's `images`; other fields are allowed and ignored. */
export interface CocoImageIn {
  /** Image id (an integer, unique in the dataset), referenced by annotations and detections. */
  id: number;
  /** Width in pixels (informational). */
  width?: number;
  /** Height in pixels (informational). */
  height?: number;
  /** File name (informational; the CLI's reports show it). */
  file_name?: string;
  [k: string]: unknown;
}
/** One ground-truth box of a COCO dataset's `annotations`; other fields (`segmentation`, …) are ignored. */
export interface CocoAnnotationIn {
  /** Annotation id; default: its position in the list. */
  id?: number;
  /** Id of an image of `images`. */
  image_id: number;
  /** Id of a category of `categories`. */
  category_id: number;
  /** `[x, y, w, h]`, pixels (COCO: top-left corner, width, height; `w, h ≥ 0`). */
  bbox: readonly number[];
  /** Area used for the COCO small/medium/large ranges; default `w·h`. */
  area?: number;
  /** `1`/`true`: a crowd region (its matches are ignored, IoU is inter / det area). */
  iscrowd?: number | boolean;
  /** `1`/`true`: a VOC "difficult" object (matched by IoU; a detection matched to it is ignored; not counted in npos). */
  difficult?: number | boolean;
  [k: string]: unknown;
}
/** One entry of a COCO dataset's `categories`. */
export interface CocoCategoryIn {
  /** Category id, referenced by annotations and detections. */
  id: number;
  /** Display name; default the id as text. */
  name?: string;
  [k: string]: unknown;
}
/** A COCO dataset (ground truth). */
export interface CocoGroundTruth {
  /** Every image, including those without boxes (they still count for false positives). */
  images: readonly CocoImageIn[];
  /** Ground-truth boxes. */
  annotations: readonly CocoAnnotationIn[];
  /** Categories; detections of other ids are rejected. */
  categories: readonly CocoCategoryIn[];
  [k: string]: unknown;
}
/** One COCO result (a detection). */
export interface CocoDetectionIn {
  /** Id of an image of the ground truth. */
  image_id: number;
  /** Id of a category of the ground truth. */
  category_id: number;
  /** `[x, y, w, h]`, pixels (COCO results format). */
  bbox: readonly number[];
  /** Confidence; detections are ranked by it (higher first). */
  score: number;
  /** Optional id; default: its position in the list. */
  id?: number;
  [k: string]: unknown;
}
/** A COCO results list, or an object holding it under `annotations`. */
export type CocoDetections = readonly CocoDetectionIn[] | CocoDetectionsObject;

/** Detections held under `annotations` (as some tools write results). */
export interface CocoDetectionsObject {
  /** The results list. */
  annotations: readonly CocoDetectionIn[];
  [k: string]: unknown;
}

/** Normalised ground truth: plain arrays, boxes in `xyxy` (float64) and `xywh`. */
export interface GtSet {
  /** Images in input order (`width`/`height` 0 and `fileName` '' when absent). */
  images: GtImage[];
  /** Categories in input order (`name` defaults to the id). */
  categories: GtCategory[];
  /** Ground-truth boxes in input order. */
  boxes: GtBox[];
}

/** An image of a {@link GtSet}. */
export interface GtImage {
  /** COCO image id. */
  id: number;
  /** Width in pixels, 0 when unknown. */
  width: number;
  /** Height in pixels, 0 when unknown. */
  height: number;
  /** File name, '' when unknown. */
  fileName: string;
}

/** A category of a {@link GtSet}. */
export interface GtCategory {
  /** COCO category id. */
  id: number;
  /** Display name. */
  name: string;
}

/** A ground-truth box of a {@link GtSet}. */
export interface GtBox {
  /** Annotation id (its list position when the input had none). */
  id: number;
  /** Image id. */
  imageId: number;
  /** Category id. */
  categoryId: number;
  /** `[x, y, w, h]` pixels. */
  xywh: [number, number, number, number];
  /** Area for the COCO area ranges (the input `area`, else `w·h`). */
  area: number;
  /** `iscrowd`: a crowd region. */
  crowd: boolean;
  /** VOC `difficult`: matched by IoU, a detection matched to it is ignored, not counted in npos. */
  difficult: boolean;
  /** Position in the input list. */
  index: number;
}

/** Normalised detections (the output of {@link parseDetections}), validated against a {@link GtSet}. */
export interface DetSet {
  /** Detections in input order. */
  dets: DetBox[];
}

/** A detection of a {@link DetSet}. */
export interface DetBox {
  /** Detection id (its list position when the input had none). */
  id: number;
  /** Image id. */
  imageId: number;
  /** Category id. */
  categoryId: number;
  /** `[x, y, w, h]` pixels. */
  xywh: [number, number, number, number];
  /** `w·h`. */
  area: number;
  /** Confidence. */
  score: number;
  /** Position in the input list. */
  index: number;
}

function fail(code: 'E_TYPE' | 'E_VALUE' | 'E_SHAPE', arg: string, msg: string): never {
  throw new SoftSamplingError(code, arg, msg);
}

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${typeof v === 'object' ? '' : String(v)}`.trim();
}

function recName(src: string, list: string, i: number, rec: Record<string, unknown>): string {
  const id = rec && typeof rec === 'object' && (typeof rec.id === 'number' || typeof rec.id === 'string') ? ` (id ${rec.id})` : '';
  return `${src}${list ? '.' + list : ''}[${i}]${id}`;
}

function num(where: string, field: string, v: unknown, opts: { integer?: boolean; min?: number } = {}): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail('E_TYPE', `${where}.${field}`, `field '${field}' must be a finite number, got ${describe(v)}`);
  if (opts.integer && !Number.isInteger(v)) fail('E_TYPE', `${where}.${field}`, `field '${field}' must be an integer, got ${v}`);
  if (opts.min !== undefined && v < opts.min) fail('E_VALUE', `${where}.${field}`, `field '${field}' must be ≥ ${opts.min}, got ${v}`);
  return v;
}

const MAX_F32 = 3.4028234663852886e38;

function bbox(where: string, v: unknown): [number, number, number, number] {
  if (!Array.isArray(v) || v.length !== 4) fail('E_TYPE', `${where}.bbox`, `field 'bbox' must be [x, y, w, h] (4 numbers), got ${describe(v)}`);
  for (let k = 0; k < 4; k++) {
    if (typeof v[k] !== 'number' || !Number.isFinite(v[k])) fail('E_TYPE', `${where}.bbox`, `field 'bbox' element ${k} must be a finite number, got ${describe(v[k])}`);
  }
  if (v[2] < 0 || v[3] < 0) fail('E_VALUE', `${where}.bbox`, `field 'bbox' has a negative size (w = ${v[2]}, h = ${v[3]}); COCO boxes are [x, y, w, h]`);
  // the kernels compute in float32: every corner must be representable there (|v| ≤ 3.4e38)
  for (const c of [v[0], v[1], v[0] + v[2], v[1] + v[3]]) {
    if (!Number.isFinite(Math.fround(c))) fail('E_VALUE', `${where}.bbox`, `field 'bbox' = [${v.join(', ')}] has a corner beyond the float32 range (±${MAX_F32.toExponential(2)}); the boxes are computed in float32`);
  }
  return [v[0], v[1], v[2], v[3]];
}


/**
 * Incremental ground-truth validation: records are fed one at a time (from an in-memory dataset or
 * a streaming reader); references between lists are checked in {@link GtBuilder.finish}, so the
 * lists may come in any order.
 */
export class GtBuilder {
  private images: GtSet['images'] = [];
  private categories: GtSet['categories'] = [];
  private boxes: GtSet['boxes'] = [];
  private imgIds = new Set<number>();
  private catIds = new Set<number>();
  private annIds = new Set<number>();
  private lists = new Set<string>();

  constructor(readonly src = 'gt') {}

  private obj(list: string, r: unknown, i: number): Record<string, unknown> {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) fail('E_TYPE', `${this.src}.${list}[${i}]`, `record must be an object, got ${describe(r)}`);
    return r as Record<string, unknown>;
  }

  /** Marks a top-level list as present (an empty list is valid). */
  sawList(list: 'images' | 'annotations' | 'categories'): void {
    this.lists.add(list);
  }

  image(r0: unknown, i: number): void {
    this.lists.add('images');
    const r = this.obj('images', r0, i);
    const w = recName(this.src, 'images', i, r);
    const id = num(w, 'id', r.id, { integer: true });
    if (this.imgIds.has(id)) fail('E_VALUE', `${w}.id`, `duplicate image id ${id}`);
    this.imgIds.add(id);
    const width = r.width === undefined ? 0 : num(w, 'width', r.width, { min: 0 });
    const height = r.height === undefined ? 0 : num(w, 'height', r.height, { min: 0 });
    if (r.file_name !== undefined && typeof r.file_name !== 'string') fail('E_TYPE', `${w}.file_name`, `field 'file_name' must be a string, got ${describe(r.file_name)}`);
    this.images.push({ id, width, height, fileName: (r.file_name as string | undefined) ?? String(id) });
  }

  category(r0: unknown, i: number): void {
    this.lists.add('categories');
    const r = this.obj('categories', r0, i);
    const w = recName(this.src, 'categories', i, r);
    const id = num(w, 'id', r.id, { integer: true });
    if (this.catIds.has(id)) fail('E_VALUE', `${w}.id`, `duplicate category id ${id}`);
    this.catIds.add(id);
    if (r.name !== undefined && typeof r.name !== 'string') fail('E_TYPE', `${w}.name`, `field 'name' must be a string, got ${describe(r.name)}`);
    this.categories.push({ id, name: (r.name as string | undefined) ?? String(id) });
  }

  annotation(r0: unknown, i: number): void {
    this.lists.add('annotations');
    const r = this.obj('annotations', r0, i);
    const w = recName(this.src, 'annotations', i, r);
    const imageId = num(w, 'image_id', r.image_id, { integer: true });
    const categoryId = num(w, 'category_id', r.category_id, { integer: true });
    const xywh = bbox(w, r.bbox);
    const area = r.area === undefined ? xywh[2] * xywh[3] : num(w, 'area', r.area, { min: 0 });
    let crowd = false;
    if (r.iscrowd !== undefined) {
      if (typeof r.iscrowd === 'boolean') crowd = r.iscrowd;
      else if (r.iscrowd === 0 || r.iscrowd === 1) crowd = r.iscrowd === 1;
      else fail('E_TYPE', `${w}.iscrowd`, `field 'iscrowd' must be 0, 1 or a boolean, got ${describe(r.iscrowd)}`);
    }
    let difficult = false;
    if (r.difficult !== undefined) {
      if (typeof r.difficult === 'boolean') difficult = r.difficult;
      else if (r.difficult === 0 || r.difficult === 1) difficult = r.difficult === 1;
      else fail('E_TYPE', `${w}.difficult`, `field 'difficult' must be 0, 1 or a boolean, got ${describe(r.difficult)}`);
    }
    const id = r.id === undefined ? i + 1 : num(w, 'id', r.id);
    if (r.id !== undefined) {
      if (this.annIds.has(id)) fail('E_VALUE', `${w}.id`, `duplicate annotation id ${id}`);
      this.annIds.add(id);
    }
    this.boxes.push({ id, imageId, categoryId, xywh, area, crowd, difficult, index: i });
  }

  /** Checks that the three lists were present and that annotations name known images and categories. */
  finish(missing: (list: string) => unknown = () => undefined): GtSet {
    for (const list of ['images', 'annotations', 'categories']) {
      if (!this.lists.has(list)) fail('E_TYPE', `${this.src}.${list}`, `field '${list}' must be an array, got ${describe(missing(list))}`);
    }
    for (const b of this.boxes) {
      const w = `${this.src}.annotations[${b.index}] (id ${b.id})`;
      if (!this.imgIds.has(b.imageId)) fail('E_VALUE', `${w}.image_id`, `field 'image_id' = ${b.imageId} is not in images`);
      if (!this.catIds.has(b.categoryId)) fail('E_VALUE', `${w}.category_id`, `field 'category_id' = ${b.categoryId} is not in categories`);
    }
    return { images: this.images, categories: this.categories, boxes: this.boxes };
  }
}

/** Incremental validation of a COCO results list against its ground truth. */
export class DetBuilder {
  private dets: DetSet['dets'] = [];
  private imgIds: Set<number>;
  private catIds: Set<number>;

  constructor(gt: GtSet, readonly prefix = 'dets') {
    this.imgIds = new Set(gt.images.map((x) => x.id));
    this.catIds = new Set(gt.categories.map((x) => x.id));
  }

  add(r0: unknown, i: number): void {
    if (r0 === null || typeof r0 !== 'object' || Array.isArray(r0)) fail('E_TYPE', `${this.prefix}[${i}]`, `record must be an object, got ${describe(r0)}`);
    const r = r0 as Record<string, unknown>;
    const w = recName(this.prefix, '', i, r);
    const imageId = num(w, 'image_id', r.image_id, { integer: true });
    if (!this.imgIds.has(imageId)) fail('E_VALUE', `${w}.image_id`, `field 'image_id' = ${imageId} is not an image of the ground truth`);
    const categoryId = num(w, 'category_id', r.category_id, { integer: true });
    if (!this.catIds.has(categoryId)) fail('E_VALUE', `${w}.category_id`, `field 'category_id' = ${categoryId} is not a category of the ground truth`);
    const xywh = bbox(w, r.bbox);
    const score = num(w, 'score', r.score);
    this.dets.push({ id: i + 1, imageId, categoryId, xywh, area: xywh[2] * xywh[3], score, index: i });
  }

  finish(): DetSet {
    return { dets: this.dets };
  }
}

/** The message of a top-level value that is not a results list. */
export function notAResultsList(src: string, v: unknown): never {
  fail('E_TYPE', src, `detections must be a COCO results list [{ image_id, category_id, bbox, score }], got ${describe(v)}`);
}

/** The message of a top-level value that is not a COCO dataset. */
export function notADataset(src: string, v: unknown): never {
  fail('E_TYPE', src, `ground truth must be a COCO dataset object { images, annotations, categories }, got ${describe(v)}`);
}

/**
 * Validates a COCO ground-truth dataset (cocodataset.org "Data format", as pycocotools `COCO()` reads it) and normalises it.
 * `src` names the input in error messages (`'gt'`).
 * @throws SoftSamplingError `E_TYPE` (not an object, a missing or wrongly typed field), `E_VALUE`
 *   (negative box size, a corner beyond the float32 range, duplicate image/category/annotation id, an annotation for an unknown image or category);
 *   `arg` is `<src>.<list>[<index>] (id <id>).<field>`.
 */
export function parseGroundTruth(gt: unknown, src = 'gt'): GtSet {
  if (gt === null || typeof gt !== 'object' || Array.isArray(gt)) notADataset(src, gt);
  const o = gt as Record<string, unknown>;
  const b = new GtBuilder(src);
  for (const [key, add] of [['images', (r: unknown, i: number) => b.image(r, i)], ['categories', (r: unknown, i: number) => b.category(r, i)], ['annotations', (r: unknown, i: number) => b.annotation(r, i)]] as const) {
    const v = o[key];
    if (!Array.isArray(v)) continue;
    b.sawList(key);
    v.forEach(add);
  }
  return b.finish((list) => o[list]);
}

/**
 * Validates a COCO results list against the ground truth it will be compared with.
 * Detection areas are `w·h` (as pycocotools `loadRes` sets them); ids default to `index + 1`.
 * @throws SoftSamplingError `E_TYPE` (not a list, missing/wrongly typed field), `E_VALUE` (negative
 *   box size, an image or category absent from the ground truth); `arg` names `<src>[<index>].<field>`.
 */
export function parseDetections(dets: unknown, gt: GtSet, src = 'dets'): DetSet {
  let arr: unknown = dets;
  let prefix = src;
  if (dets && typeof dets === 'object' && !Array.isArray(dets) && Array.isArray((dets as Record<string, unknown>).annotations)) {
    arr = (dets as Record<string, unknown>).annotations;
    prefix = `${src}.annotations`;
  }
  if (!Array.isArray(arr)) notAResultsList(src, dets);
  const b = new DetBuilder(gt, prefix);
  (arr as unknown[]).forEach((r, i) => b.add(r, i));
  return b.finish();
}
