/**
 * Input formats (issue 9 item 3): the voc, yolo and txt readers on the bundled Cartucho boxes give the
 * same evaluation as the COCO version; bad input is one line naming file, line and field (CLI, exit 1).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGtAs, readDetsAs, type Format, type FormatOptions } from '../packages/cli/src/analyze/formats';
import { readGroundTruth, readDetections } from '../packages/cli/src/analyze/read';
import { evaluateCocoParsed, evaluateVocParsed } from '../ts/api/eval';

const ROOT = join(__dirname, '..');
const C = join(ROOT, 'data', 'cartucho-map-indoor85');
const BIN = join(ROOT, 'packages', 'cli', 'bin', 'soft-sampling.mjs');

function evalBoth(gf: Format, gp: string, df: Format, dp: string, o: FormatOptions = {}) {
  const g = readGtAs(gf, gp, o, readGroundTruth);
  const d = readDetsAs(df, dp, g, o, readDetections);
  return { g, d, coco: evaluateCocoParsed(g, d).stats, voc: evaluateVocParsed(g, d, { legacyOffset: true }) };
}

const ref = evalBoth('coco', join(C, 'coco', 'groundtruths_coco.json'), 'coco', join(C, 'coco', 'detections_coco.json'));

describe('readers on the bundled real boxes = the COCO version', () => {
  const yoloOpts = { classes: join(C, 'yolo', 'classes.txt'), imageSizes: join(C, 'yolo', 'image-sizes.txt') };
  const cases: [string, () => ReturnType<typeof evalBoth>, number][] = [
    ['txt', () => evalBoth('txt', join(C, 'txt', 'ground-truth'), 'txt', join(C, 'txt', 'detection-results')), 0],
    ['voc', () => evalBoth('voc', join(C, 'voc', 'Annotations'), 'voc', join(C, 'voc', 'results')), 0],
    ['yolo', () => evalBoth('yolo', join(C, 'yolo', 'labels'), 'yolo', join(C, 'yolo', 'detections'), yoloOpts), 1e-12],
  ];
  test.each(cases)('%s', (_name, run, tol) => {
    const r = run();
    expect(r.g.images.length).toBe(85);
    expect(r.g.boxes.length).toBe(686);
    expect(r.d.dets.length).toBe(494);
    expect(r.voc.mAP).toBeCloseTo(0.31047718500906324, 12);
    expect(r.voc.mAP).toBeCloseTo(ref.voc.mAP, 14);
    for (const k of Object.keys(ref.coco) as (keyof typeof ref.coco)[]) {
      if (tol === 0) expect(r.coco[k]).toBe(ref.coco[k]);
      else expect(Math.abs(r.coco[k] - ref.coco[k])).toBeLessThan(tol);
    }
  });
  test('voc: sizes, difficult and truncated flags are read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ss-voc-'));
    writeFileSync(join(dir, 'a.xml'), '<annotation><filename>a.jpg</filename><size><width>50</width><height>40</height></size><object><name>cat</name><truncated>1</truncated><difficult>1</difficult><bndbox><xmin>1</xmin><ymin>2</ymin><xmax>11</xmax><ymax>22</ymax></bndbox></object><object><name>dog</name><bndbox><xmin>5</xmin><ymin>5</ymin><xmax>9</xmax><ymax>9</ymax></bndbox></object></annotation>');
    const g = readGtAs('voc', dir, {}, readGroundTruth);
    expect(g.images).toEqual([{ id: 1, width: 50, height: 40, fileName: 'a.jpg' }]);
    expect(g.categories.map((c) => c.name)).toEqual(['cat', 'dog']);
    expect(g.boxes.map((b) => b.xywh)).toEqual([[1, 2, 10, 20], [5, 5, 4, 4]]);
    rmSync(dir, { recursive: true, force: true });
  });
  test('txt: xywh and relative coordinates, class names with spaces', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ss-txt-'));
    mkdirSync(join(dir, 'gt'));
    writeFileSync(join(dir, 'gt', 'im1.txt'), 'potted plant 0.1 0.2 0.5 0.25 difficult\n\n');
    writeFileSync(join(dir, 'sizes.txt'), 'im1 200 100\n');
    const g = readGtAs('txt', join(dir, 'gt'), { boxFormat: 'xywh', coords: 'relative', imageSizes: join(dir, 'sizes.txt') }, readGroundTruth);
    expect(g.categories[0].name).toBe('potted plant');
    expect(g.images[0]).toMatchObject({ width: 200, height: 100 });
    expect(g.boxes[0].xywh).toEqual([20, 20, 100, 25]);
    // a trailing 0/1 is a difficult flag only after four numbers; a class named with a number keeps it
    writeFileSync(join(dir, 'gt', 'im1.txt'), 'cat 1 2 3 4 1\ncat 1 2 3 4 0\ntype 1 1 2 3 4\n');
    const g2 = readGtAs('txt', join(dir, 'gt'), {}, readGroundTruth);
    expect(g2.categories.map((c) => c.name)).toEqual(['cat', 'type 1']);
    expect(g2.boxes.map((b) => b.xywh)).toEqual([[1, 2, 2, 2], [1, 2, 2, 2], [1, 2, 2, 2]]);
    rmSync(dir, { recursive: true, force: true });
  });
  test('yolo: image sizes from the images’ headers (image-size)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ss-yolo-'));
    mkdirSync(join(dir, 'labels'));
    mkdirSync(join(dir, 'images'));
    // a PNG header: signature + IHDR (width 64, height 48)
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), Buffer.from('IHDR'), Buffer.from([0, 0, 0, 64, 0, 0, 0, 48, 8, 2, 0, 0, 0, 0, 0, 0, 0])]);
    writeFileSync(join(dir, 'images', 'x.png'), png);
    writeFileSync(join(dir, 'labels', 'x.txt'), '0 0.5 0.5 0.25 0.5\n');
    writeFileSync(join(dir, 'classes.txt'), 'thing\n');
    const g = readGtAs('yolo', join(dir, 'labels'), { classes: join(dir, 'classes.txt'), images: join(dir, 'images') }, readGroundTruth);
    expect(g.images[0]).toMatchObject({ width: 64, height: 48 });
    expect(g.boxes[0].xywh).toEqual([24, 12, 16, 24]);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('bad input in each format → one line naming file, line and field; exit 1', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ss-fmt-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  function cli(args: string[]) {
    const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
    const r = spawnSync(process.execPath, [BIN, 'analyze', ...args, '--out', out, '-q', '--workers', '0'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
    return r.stderr;
  }
  function tree(name: string, files: Record<string, string>): string {
    const d = join(dir, name);
    mkdirSync(d, { recursive: true });
    for (const [f, c] of Object.entries(files)) writeFileSync(join(d, f), c);
    return d;
  }
  test('malformed XML', () => {
    const gt = tree('voc-bad', { 'a.xml': '<annotation>\n<object><name>cat</name>\n<bndbox><xmin>1</xmin></bndbox\n</object></annotation>' });
    const dets = tree('voc-dets', { 'comp4_det_test_cat.txt': 'a 0.9 1 1 5 5\n' });
    const e = cli(['--gt-format', 'voc', '--gt', gt, '--dets-format', 'voc', '--dets', dets]);
    expect(e).toContain(join(gt, 'a.xml'));
    expect(e).toMatch(/line 4, column 1: malformed XML: disallowed character in closing tag/);
  });
  test('VOC object with a non-numeric corner', () => {
    const gt = tree('voc-bad2', { 'a.xml': '<annotation>\n<object><name>cat</name>\n<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>x</xmax><ymax>5</ymax></bndbox></object></annotation>' });
    const dets = tree('voc-dets2', { 'comp4_det_test_cat.txt': 'a 0.9 1 1 5 5\n' });
    expect(cli(['--gt-format', 'voc', '--gt', gt, '--dets-format', 'voc', '--dets', dets])).toMatch(/a\.xml: line 2 \(object cat\): field 'bndbox\/xmax' must be a finite number, got "x"/);
  });
  test('a YOLO line with 4 fields', () => {
    const labels = tree('yolo-labels', { 'a.txt': '0 0.5 0.5 0.1 0.1\n0 0.5 0.5 0.1\n' });
    const dets = tree('yolo-dets', { 'a.txt': '0 0.5 0.5 0.1 0.1 0.9\n' });
    const classes = join(dir, 'classes.txt');
    writeFileSync(classes, 'cat\n');
    const sizes = join(dir, 'sizes.txt');
    writeFileSync(sizes, 'a 100 100\n');
    const e = cli(['--gt-format', 'yolo', '--gt', labels, '--dets-format', 'yolo', '--dets', dets, '--classes', classes, '--image-sizes', sizes]);
    expect(e).toContain(`${join(labels, 'a.txt')}: line 2: expected '<class> <cx> <cy> <w> <h>' (5 fields), got 4`);
  });
  test('a txt detection with a non-numeric score', () => {
    const gt = tree('txt-gt', { 'a.txt': 'cat 1 1 5 5\n' });
    const dets = tree('txt-dets', { 'a.txt': 'cat 0.9 1 1 5 5\ncat high 1 1 5 5\n' });
    const e = cli(['--gt-format', 'txt', '--gt', gt, '--dets-format', 'txt', '--dets', dets]);
    expect(e).toContain(`${join(dets, 'a.txt')}: line 2: field 'score' must be a finite number, got "high"`);
  });
  test('a txt gt box with a negative size names the line', () => {
    const gt = tree('txt-gt2', { 'a.txt': 'cat 1 1 5 5\ncat 9 9 5 5\n' });
    const dets = tree('txt-dets2', { 'a.txt': 'cat 0.9 1 1 5 5\n' });
    expect(cli(['--gt-format', 'txt', '--gt', gt, '--dets-format', 'txt', '--dets', dets])).toMatch(/a\.txt: line 2: field 'bbox' has a negative size/);
  });
});
