/**
 * Readers for the annotation formats people have, chosen explicitly (`--gt-format`, `--dets-format`;
 * never guessed). Each one streams its files (line by line, or XML events) and feeds COCO-shaped
 * records — `{ id, width, height, file_name }` images, `{ id, name }` categories,
 * `{ id, image_id, category_id, bbox: [x, y, w, h], difficult? }` annotations and
 * `{ image_id, category_id, bbox, score }` results, i.e. the `CocoGroundTruth` / `CocoDetectionIn`
 * shapes of ts/eval/input.ts — into the same validating builders the COCO reader uses, so memory grows
 * with the number of boxes, not the size of the files.
 *
 * Formats:
 * - `coco`: a COCO dataset / results list (JSON), see read.ts.
 * - `voc`: Pascal VOC — gt: a directory of `<image>.xml` annotations (`filename`, `size/width`,
 *   `size/height`, `object/name`, `object/difficult`, `object/truncated`, `object/bndbox/{xmin,ymin,xmax,ymax}`,
 *   parsed with the `saxes` streaming XML parser); dets: the devkit's results directory, one
 *   `comp4_det_<set>_<class>.txt` (or `<class>.txt`) per class, lines `<image> <score> <xmin> <ymin> <xmax> <ymax>`.
 *   Boxes are inclusive 1-based pixel corners: `bbox = [xmin, ymin, xmax − xmin, ymax − ymin]`,
 *   match with `--legacy-offset` (the default for this format) for the devkit's `+1`.
 * - `yolo`: a directory of `<image>.txt`, lines `<class index> <cx> <cy> <w> <h>` (gt) or
 *   `<class index> <cx> <cy> <w> <h> <score>` (dets, as YOLOv5/v8 `--save-conf` write them), all
 *   normalised to [0, 1] by the image size; class names from `--classes` (one per line, line k =
 *   index k); image sizes from `--image-sizes` (lines `<image> <width> <height>`) or read from the
 *   images' headers in `--images` (the `image-size` package).
 * - `txt`: a directory of `<image>.txt`, gt lines `<class> <x1> <y1> <x2> <y2> [difficult]`, dets lines
 *   `<class> <score> <x1> <y1> <x2> <y2>` (the Cartucho/mAP layout); `--box-format xywh` reads the four
 *   numbers as `<x> <y> <w> <h>`; `--coords relative` as fractions of the image size (sizes as for yolo).
 *   Class names may contain spaces (the numbers are the last fields).
 *
 * Images are the gt files (an empty file is an image without objects), in file-name order, ids
 * 1, 2, …; categories are numbered 1, 2, … in order of first appearance (the classes file's order
 * for yolo); detections of a class the gt never names add a category (no gt → all false positives).
 * Every error is an {@link InputError} naming the file, the line and the field.
 */
import { openSync, readSync, closeSync } from 'node:fs';
import { join, basename, extname, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser } from 'saxes';
import { imageSize } from 'image-size';
import { SoftSamplingError } from 'soft-sampling';
import { GtBuilder, DetBuilder, type GtSet, type DetSet } from 'soft-sampling/internal';
import { InputError, shown, fsReason } from './read';
import { forEachLine, listDir, openSource } from './source';

export const FORMATS = ['coco', 'voc', 'yolo', 'txt'] as const;
export type Format = (typeof FORMATS)[number];

export interface FormatOptions {
  /** yolo: the classes file (one name per line). */
  classes?: string;
  /** yolo / txt relative: a file of `<image> <width> <height>` lines. */
  imageSizes?: string;
  /** yolo / txt relative: a directory of the images (sizes read from their headers). */
  images?: string;
  /** txt: the four box numbers are `x1 y1 x2 y2` (default) or `x y w h`. */
  boxFormat?: 'xyxy' | 'xywh';
  /** txt: absolute pixels (default) or fractions of the image size. */
  coords?: 'absolute' | 'relative';
}

const stem = (f: string) => basename(f, extname(f));

/** Rethrows a builder's SoftSamplingError as an InputError naming `file` and `where` (keeps the message's field part). */
function rethrow(e: unknown, file: string, where: string): never {
  if (e instanceof SoftSamplingError) throw new InputError(file, where, e.message.slice(`${e.code} ${e.arg}: `.length));
  throw e;
}

/** A finite number from a text field, or an InputError naming file, line and field. */
function numField(file: string, line: number, field: string, s: string | undefined): number {
  const v = s === undefined || s === '' ? NaN : Number(s);
  if (!Number.isFinite(v)) throw new InputError(file, `line ${line}`, `field '${field}' must be a finite number, got ${s === undefined ? 'nothing (too few fields)' : shown(s)}`);
  return v;
}

/** Image sizes by image name (file stem) from `--image-sizes` or `--images`. */
export class ImageSizes {
  private sizes = new Map<string, { width: number; height: number }>();
  private dir?: string;
  private dirFiles?: Map<string, string>;

  constructor(private o: FormatOptions, private need: string) {
    if (o.imageSizes) {
      forEachLine(o.imageSizes, (text, n) => {
        const t = text.trim();
        if (!t || t.startsWith('#')) return;
        const f = t.split(/\s+/);
        if (f.length !== 3) throw new InputError(o.imageSizes!, `line ${n}`, `expected '<image> <width> <height>', got ${f.length} fields`);
        const width = numField(o.imageSizes!, n, 'width', f[1]);
        const height = numField(o.imageSizes!, n, 'height', f[2]);
        if (width <= 0 || height <= 0) throw new InputError(o.imageSizes!, `line ${n}`, `field '${width <= 0 ? 'width' : 'height'}' must be > 0`);
        this.sizes.set(stem(f[0]), { width, height });
      });
    } else if (o.images) {
      this.dir = o.images;
      this.dirFiles = new Map(listDir(o.images, '', 'images directory').map((f) => [stem(f), f] as [string, string]));
    }
  }

  get known(): boolean {
    return !!(this.o.imageSizes || this.o.images);
  }

  /** The size of image `name`, or an InputError (`file`, `line` name where it was needed). */
  get(name: string, file: string): { width: number; height: number } {
    const s = this.sizes.get(name);
    if (s) return s;
    if (this.dirFiles) {
      const f = this.dirFiles.get(name);
      if (!f) throw new InputError(file, '', `no image named ${name}.* in --images ${this.dir}`);
      const p = join(this.dir!, f);
      const size = headerSize(p);
      this.sizes.set(name, size);
      return size;
    }
    if (!this.known) throw new InputError(file, '', `${this.need} needs the image sizes: give --image-sizes <file> or --images <dir>`);
    throw new InputError(file, '', `image ${name} is not in --image-sizes ${this.o.imageSizes}`);
  }
}

/** Width and height from an image file's header (`image-size`), reading at most the first 1 MiB. */
function headerSize(p: string): { width: number; height: number } {
  let fd: number;
  try {
    fd = openSync(p, 'r');
  } catch (e) {
    throw new InputError(p, '', `cannot read the image (${fsReason(e)})`);
  }
  try {
    for (const n of [64 << 10, 1 << 20]) {
      const buf = Buffer.alloc(n);
      const k = readSync(fd, buf, 0, n, 0);
      try {
        const r = imageSize(buf.subarray(0, k));
        if (r.width && r.height) return { width: r.width, height: r.height };
      } catch {
        if (k < n) break;
      }
    }
  } finally {
    closeSync(fd);
  }
  throw new InputError(p, '', 'cannot read the image size from its header (not an image?)');
}

/** Class names of a yolo classes file (line k = index k; blank lines end nothing, they are names too only if not trailing). */
function readClasses(file: string | undefined): string[] {
  if (!file) throw new InputError('--classes', '', 'the yolo format needs a classes file (--classes <file>, one class name per line)');
  const names: string[] = [];
  forEachLine(file, (t) => names.push(t.trim()));
  while (names.length && names[names.length - 1] === '') names.pop();
  if (!names.length) throw new InputError(file, '', 'the classes file is empty');
  return names;
}

/** Ground truth being assembled: name → id maps over a {@link GtBuilder}. */
class GtAssembly {
  readonly b = new GtBuilder('gt');
  readonly catIds = new Map<string, number>();
  readonly imgIds = new Map<string, number>();
  private ann = 0;
  constructor() {
    this.b.sawList('images');
    this.b.sawList('annotations');
    this.b.sawList('categories');
  }
  category(name: string): number {
    let id = this.catIds.get(name);
    if (id === undefined) {
      id = this.catIds.size + 1;
      this.catIds.set(name, id);
      this.b.category({ id, name }, id - 1);
    }
    return id;
  }
  image(name: string, file: string, width = 0, height = 0, fileName = name): number {
    if (this.imgIds.has(name)) throw new InputError(file, '', `a second annotation file for image ${name}`);
    const id = this.imgIds.size + 1;
    this.imgIds.set(name, id);
    this.b.image({ id, width, height, file_name: fileName }, id - 1);
    return id;
  }
  annotation(file: string, where: string, imageId: number, categoryId: number, bbox: number[], extra: Record<string, unknown> = {}): void {
    this.ann++;
    try {
      this.b.annotation({ id: this.ann, image_id: imageId, category_id: categoryId, bbox, ...extra }, this.ann - 1);
    } catch (e) {
      rethrow(e, file, where);
    }
  }
}

/** Detections being assembled against a gt: image names → ids, class names → ids (new classes become categories). */
class DetAssembly {
  private b: DetBuilder;
  private imgIds: Map<string, number>;
  private catIds: Map<string, number>;
  private n = 0;
  constructor(private gt: GtSet, classNames: string[]) {
    // a results file names its image by the gt's file name, with or without extensions ('a.txt.jpg' → 'a.txt', 'a')
    this.imgIds = new Map();
    for (const im of gt.images) for (const k of [stem(stem(im.fileName)), stem(im.fileName), im.fileName]) this.imgIds.set(k, im.id);
    this.catIds = new Map(gt.categories.map((c) => [c.name, c.id] as [string, number]));
    let next = Math.max(0, ...gt.categories.map((c) => c.id)) + 1;
    for (const name of classNames) {
      if (this.catIds.has(name)) continue;
      gt.categories.push({ id: next, name });
      this.catIds.set(name, next++);
    }
    this.b = new DetBuilder(gt, 'dets');
  }
  imageId(name: string, file: string, where: string): number {
    const id = this.imgIds.get(name);
    if (id === undefined) throw new InputError(file, where, `image ${name} is not in the ground truth`);
    return id;
  }
  imageSize(id: number): { width: number; height: number } {
    const im = this.gt.images.find((x) => x.id === id)!;
    return { width: im.width, height: im.height };
  }
  categoryId(name: string): number {
    return this.catIds.get(name)!;
  }
  add(file: string, where: string, imageId: number, categoryId: number, bbox: number[], score: number): void {
    try {
      this.b.add({ image_id: imageId, category_id: categoryId, bbox, score }, this.n++);
    } catch (e) {
      rethrow(e, file, where);
    }
  }
  finish(): DetSet {
    return this.b.finish();
  }
}

function finishGt(a: GtAssembly, file: string): GtSet {
  try {
    return a.b.finish();
  } catch (e) {
    rethrow(e, file, '');
  }
}

// ---------------------------------------------------------------- txt

/** Splits `<class...> <n1> … <nk> [tail]`: the class name is everything before the last k numeric fields. */
function splitTxt(file: string, line: number, text: string, k: number, fields: string[], optionalTail?: (t: string, f: string[]) => boolean): { name: string; nums: number[]; tail?: string } | null {
  const f = text.trim().split(/\s+/);
  if (f.length === 1 && f[0] === '') return null;
  let tail: string | undefined;
  if (optionalTail && f.length > k + 1 && optionalTail(f[f.length - 1], f)) tail = f.pop();
  if (f.length < k + 1) throw new InputError(file, `line ${line}`, `expected '<class> ${fields.map((x) => `<${x}>`).join(' ')}', got ${f.length} field${f.length === 1 ? '' : 's'}`);
  const numsText = f.slice(f.length - k);
  const nums = numsText.map((s, i) => numField(file, line, fields[i], s));
  return { name: f.slice(0, f.length - k).join(' '), nums, tail };
}

function txtBox(nums: number[], o: FormatOptions, size: (() => { width: number; height: number }) | null): number[] {
  let [a, b, c, d] = nums;
  if (o.coords === 'relative') {
    const { width, height } = size!();
    a *= width;
    c *= width;
    b *= height;
    d *= height;
  }
  return o.boxFormat === 'xywh' ? [a, b, c, d] : [a, b, c - a, d - b];
}

function readTxtGt(dir: string, o: FormatOptions): GtSet {
  const a = new GtAssembly();
  const sizes = o.coords === 'relative' || o.imageSizes || o.images ? new ImageSizes(o, '--coords relative') : null;
  const box = o.boxFormat === 'xywh' ? ['x', 'y', 'w', 'h'] : ['x1', 'y1', 'x2', 'y2'];
  for (const f of listDir(dir, '.txt', 'ground-truth directory')) {
    const file = join(dir, f);
    const name = stem(f);
    const sz = sizes?.known ? sizes.get(name, file) : { width: 0, height: 0 };
    const imageId = a.image(name, file, sz.width, sz.height, name);
    forEachLine(file, (text, n) => {
      // a trailing 'difficult' (Cartucho/mAP) or 0/1 flag — a 0/1 only when the four fields before it are numbers too
      const r = splitTxt(file, n, text, 4, box, (t, f) => t === 'difficult' || ((t === '0' || t === '1') && f.length >= 6 && f.slice(-5, -1).every((x) => x !== '' && Number.isFinite(Number(x)))));
      if (!r) return;
      const difficult = r.tail === 'difficult' || r.tail === '1';
      a.annotation(file, `line ${n}`, imageId, a.category(r.name), txtBox(r.nums, o, () => sz), difficult ? { difficult: true } : {});
    });
  }
  return finishGt(a, dir);
}

/** First pass over a directory of class-first lines: the class names (for categories the gt lacks). */
function txtClassNames(dir: string, files: string[], numericFields: number): string[] {
  const names = new Set<string>();
  for (const f of files) {
    forEachLine(join(dir, f), (text) => {
      const t = text.trim().split(/\s+/);
      if (t.length > numericFields) names.add(t.slice(0, t.length - numericFields).join(' '));
    });
  }
  return [...names];
}

function readTxtDets(dir: string, gt: GtSet, o: FormatOptions): DetSet {
  const files = listDir(dir, '.txt', 'detections directory');
  const d = new DetAssembly(gt, txtClassNames(dir, files, 5));
  const box = o.boxFormat === 'xywh' ? ['x', 'y', 'w', 'h'] : ['x1', 'y1', 'x2', 'y2'];
  for (const f of files) {
    const file = join(dir, f);
    const imageId = d.imageId(stem(f), file, '');
    const size = () => {
      const s = d.imageSize(imageId);
      if (!(s.width > 0 && s.height > 0)) throw new InputError(file, '', '--coords relative needs the image sizes (give --image-sizes or --images)');
      return s;
    };
    forEachLine(file, (text, n) => {
      const r = splitTxt(file, n, text, 5, ['score', ...box]);
      if (!r) return;
      d.add(file, `line ${n}`, imageId, d.categoryId(r.name), txtBox(r.nums.slice(1), o, size), r.nums[0]);
    });
  }
  return d.finish();
}

// ---------------------------------------------------------------- yolo

function yoloClass(file: string, n: number, s: string, classes: string[]): number {
  const k = numField(file, n, 'class', s);
  if (!Number.isInteger(k) || k < 0 || k >= classes.length) throw new InputError(file, `line ${n}`, `field 'class' = ${s} is not a class index 0…${classes.length - 1} of the classes file`);
  return k;
}

function yoloBox(file: string, n: number, f: string[], size: { width: number; height: number }): number[] {
  const [cx, cy, w, h] = ['cx', 'cy', 'w', 'h'].map((name, i) => numField(file, n, name, f[i + 1]));
  return [(cx - w / 2) * size.width, (cy - h / 2) * size.height, w * size.width, h * size.height];
}

function readYoloGt(dir: string, o: FormatOptions): GtSet {
  const classes = readClasses(o.classes);
  const sizes = new ImageSizes(o, 'the yolo format');
  const a = new GtAssembly();
  classes.forEach((c) => a.category(c));
  for (const f of listDir(dir, '.txt', 'labels directory')) {
    const file = join(dir, f);
    if (o.classes && resolve(file) === resolve(o.classes)) continue; // classes.txt kept beside the labels
    const name = stem(f);
    const size = sizes.get(name, file);
    const imageId = a.image(name, file, size.width, size.height, name);
    forEachLine(file, (text, n) => {
      const t = text.trim();
      if (!t) return;
      const fl = t.split(/\s+/);
      if (fl.length !== 5) throw new InputError(file, `line ${n}`, `expected '<class> <cx> <cy> <w> <h>' (5 fields), got ${fl.length}`);
      a.annotation(file, `line ${n}`, imageId, yoloClass(file, n, fl[0], classes) + 1, yoloBox(file, n, fl, size));
    });
  }
  return finishGt(a, dir);
}

function readYoloDets(dir: string, gt: GtSet, o: FormatOptions): DetSet {
  const classes = readClasses(o.classes);
  const d = new DetAssembly(gt, classes);
  for (const f of listDir(dir, '.txt', 'detections directory')) {
    const file = join(dir, f);
    const imageId = d.imageId(stem(f), file, '');
    const size = d.imageSize(imageId);
    forEachLine(file, (text, n) => {
      const t = text.trim();
      if (!t) return;
      const fl = t.split(/\s+/);
      if (fl.length !== 6) throw new InputError(file, `line ${n}`, `expected '<class> <cx> <cy> <w> <h> <score>' (6 fields), got ${fl.length}`);
      const k = yoloClass(file, n, fl[0], classes);
      d.add(file, `line ${n}`, imageId, d.categoryId(classes[k]), yoloBox(file, n, fl, size), numField(file, n, 'score', fl[5]));
    });
  }
  return d.finish();
}

// ---------------------------------------------------------------- voc

interface VocObject {
  name?: string;
  difficult?: string;
  truncated?: string;
  xmin?: string;
  ymin?: string;
  xmax?: string;
  ymax?: string;
  line: number;
}

/** Streams one VOC XML annotation file through saxes; returns its size, filename and objects. */
function parseVocXml(file: string): { filename?: string; width?: string; height?: string; objects: VocObject[] } {
  const p = new SaxesParser({ fileName: file });
  const path: string[] = [];
  const out: { filename?: string; width?: string; height?: string; objects: VocObject[] } = { objects: [] };
  let obj: VocObject | null = null;
  let text = '';
  let err: Error | null = null;
  p.on('error', (e) => {
    err ??= e;
  });
  p.on('opentag', (t) => {
    path.push(t.name);
    text = '';
    if (t.name === 'object' && path.length === 2) obj = { line: p.line };
  });
  p.on('text', (t) => {
    text += t;
  });
  p.on('closetag', (t) => {
    const where = path.join('/');
    const v = text.trim();
    if (where === 'annotation/filename') out.filename = v;
    else if (where === 'annotation/size/width') out.width = v;
    else if (where === 'annotation/size/height') out.height = v;
    else if (obj && path.length === 3 && (t.name === 'name' || t.name === 'difficult' || t.name === 'truncated')) obj[t.name] = v;
    else if (obj && path.length === 4 && path[2] === 'bndbox' && ['xmin', 'ymin', 'xmax', 'ymax'].includes(t.name)) (obj as unknown as Record<string, string>)[t.name] = v;
    else if (obj && where === 'annotation/object') {
      out.objects.push(obj);
      obj = null;
    }
    path.pop();
    text = '';
  });
  const src = openSource(file);
  const buf = Buffer.allocUnsafe(1 << 16);
  const dec = new StringDecoder('utf8');
  try {
    for (;;) {
      const k = src.read(buf);
      if (k === 0) break;
      p.write(dec.write(buf.subarray(0, k)));
      if (err) break;
    }
    if (!err) p.write(dec.end()).close();
  } catch (e) {
    err ??= e as Error;
  } finally {
    src.close();
  }
  if (err) {
    // saxes messages are '<file>:<line>:<col>: <what>'
    const m = /:(\d+):(\d+): (.*)$/s.exec((err as Error).message);
    throw new InputError(file, m ? `line ${m[1]}, column ${m[2]}` : '', `malformed XML: ${m ? m[3] : (err as Error).message}`);
  }
  if (path.length) throw new InputError(file, '', 'malformed XML: unexpected end of file');
  return out;
}

function vocNum(file: string, o: VocObject, field: keyof VocObject): number {
  const s = o[field] as string | undefined;
  const v = s === undefined || s === '' ? NaN : Number(s);
  if (!Number.isFinite(v)) throw new InputError(file, `line ${o.line} (object ${o.name ?? '?'})`, `field '${field === 'xmin' || field === 'ymin' || field === 'xmax' || field === 'ymax' ? 'bndbox/' + field : field}' must be a finite number, got ${s === undefined ? 'missing' : shown(s)}`);
  return v;
}

function readVocGt(dir: string): GtSet {
  const a = new GtAssembly();
  for (const f of listDir(dir, '.xml', 'annotations directory')) {
    const file = join(dir, f);
    const x = parseVocXml(file);
    const name = stem(f);
    const num = (s: string | undefined, field: string) => {
      if (s === undefined) return 0;
      const v = Number(s);
      if (!Number.isFinite(v) || v < 0) throw new InputError(file, '', `field 'size/${field}' must be a number ≥ 0, got ${shown(s)}`);
      return v;
    };
    const imageId = a.image(name, file, num(x.width, 'width'), num(x.height, 'height'), x.filename || name);
    for (const o of x.objects) {
      if (!o.name) throw new InputError(file, `line ${o.line}`, "field 'name' of an object is missing");
      const flag = (field: 'difficult' | 'truncated') => {
        const s = o[field];
        if (s === undefined || s === '') return false;
        if (s !== '0' && s !== '1') throw new InputError(file, `line ${o.line} (object ${o.name})`, `field '${field}' must be 0 or 1, got ${shown(s)}`);
        return s === '1';
      };
      const [x1, y1, x2, y2] = (['xmin', 'ymin', 'xmax', 'ymax'] as const).map((k) => vocNum(file, o, k));
      const difficult = flag('difficult'), truncated = flag('truncated');
      a.annotation(file, `line ${o.line} (object ${o.name})`, imageId, a.category(o.name), [x1, y1, x2 - x1, y2 - y1], { ...(difficult ? { difficult: true } : {}), ...(truncated ? { truncated: true } : {}) });
    }
  }
  return finishGt(a, dir);
}

/** The class of a devkit results file: `comp4_det_test_<class>.txt` → `<class>`; otherwise the file stem. */
export function vocResultClass(f: string): string {
  const m = /_det_[^_]+_(.+)\.txt$/i.exec(f);
  return m ? m[1] : stem(f);
}

function readVocDets(dir: string, gt: GtSet): DetSet {
  const files = listDir(dir, '.txt', 'results directory');
  const d = new DetAssembly(gt, files.map(vocResultClass));
  for (const f of files) {
    const file = join(dir, f);
    const cat = d.categoryId(vocResultClass(f));
    forEachLine(file, (text, n) => {
      const t = text.trim();
      if (!t) return;
      const fl = t.split(/\s+/);
      if (fl.length !== 6) throw new InputError(file, `line ${n}`, `expected '<image> <score> <xmin> <ymin> <xmax> <ymax>' (6 fields), got ${fl.length}`);
      const [score, x1, y1, x2, y2] = ['score', 'xmin', 'ymin', 'xmax', 'ymax'].map((k, i) => numField(file, n, k, fl[i + 1]));
      d.add(file, `line ${n}`, d.imageId(fl[0], file, `line ${n}`), cat, [x1, y1, x2 - x1, y2 - y1], score);
    });
  }
  return d.finish();
}

// ---------------------------------------------------------------- entry points

/** Reads ground truth in `format` from `path` (a file for coco, a directory otherwise). */
export function readGtAs(format: Format, path: string, o: FormatOptions, coco: (p: string) => GtSet): GtSet {
  switch (format) {
    case 'coco':
      return coco(path);
    case 'voc':
      return readVocGt(path);
    case 'yolo':
      return readYoloGt(path, o);
    case 'txt':
      return readTxtGt(path, o);
  }
}

/** Reads detections in `format` from `path` against `gt` (categories the gt lacks are added to it for name-based formats). */
export function readDetsAs(format: Format, path: string, gt: GtSet, o: FormatOptions, coco: (p: string, g: GtSet) => DetSet): DetSet {
  if (path === '-' && format !== 'coco') throw new InputError('<stdin>', '', `--dets - (standard input) takes the coco format only; ${format} detections are a directory`);
  switch (format) {
    case 'coco':
      return coco(path, gt);
    case 'voc':
      return readVocDets(path, gt);
    case 'yolo':
      return readYoloDets(path, gt, o);
    case 'txt':
      return readTxtDets(path, gt, o);
  }
}

