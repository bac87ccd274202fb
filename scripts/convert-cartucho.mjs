#!/usr/bin/env node
/**
 * Writes the bundled Cartucho boxes (data/cartucho-map-indoor85/txt) as Pascal VOC XML + devkit
 * results and as YOLO labels, so the voc and yolo readers are tested on the same real boxes as the
 * COCO and txt versions. The images are not available, so each image's size is made up: the
 * smallest multiple of 10 above every gt and detection corner (+1). Coordinates are kept exact:
 * VOC keeps the integer corners; YOLO writes normalised values with full double precision.
 *
 *   node scripts/convert-cartucho.mjs   # rewrites data/cartucho-map-indoor85/{voc,yolo}
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'cartucho-map-indoor85');
const TXT = join(ROOT, 'txt');
const lines = (f) => readFileSync(f, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean).map((l) => l.split(/\s+/));
const stems = readdirSync(join(TXT, 'ground-truth')).filter((f) => f.endsWith('.txt')).map((f) => f.slice(0, -4)).sort();
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const images = stems.map((s) => {
  const gt = lines(join(TXT, 'ground-truth', `${s}.txt`)).map((f) => ({ name: f.slice(0, -4).join(' '), box: f.slice(-4).map(Number) }));
  const dets = lines(join(TXT, 'detection-results', `${s}.txt`)).map((f) => ({ name: f.slice(0, -5).join(' '), score: f[f.length - 5], box: f.slice(-4).map(Number) }));
  const all = [...gt, ...dets];
  const width = Math.ceil((Math.max(1, ...all.map((b) => b.box[2])) + 1) / 10) * 10;
  const height = Math.ceil((Math.max(1, ...all.map((b) => b.box[3])) + 1) / 10) * 10;
  return { stem: s, gt, dets, width, height };
});

// VOC: Annotations/<image>.xml and results/comp4_det_test_<class>.txt
const VOC = join(ROOT, 'voc');
rmSync(VOC, { recursive: true, force: true });
mkdirSync(join(VOC, 'Annotations'), { recursive: true });
mkdirSync(join(VOC, 'results'), { recursive: true });
for (const im of images) {
  const objs = im.gt.map((g) => `  <object>\n    <name>${esc(g.name)}</name>\n    <pose>Unspecified</pose>\n    <truncated>0</truncated>\n    <difficult>0</difficult>\n    <bndbox>\n      <xmin>${g.box[0]}</xmin>\n      <ymin>${g.box[1]}</ymin>\n      <xmax>${g.box[2]}</xmax>\n      <ymax>${g.box[3]}</ymax>\n    </bndbox>\n  </object>\n`).join('');
  writeFileSync(join(VOC, 'Annotations', `${im.stem}.xml`), `<annotation>\n  <folder>cartucho-map-indoor85</folder>\n  <filename>${im.stem}.jpg</filename>\n  <size>\n    <width>${im.width}</width>\n    <height>${im.height}</height>\n    <depth>3</depth>\n  </size>\n${objs}</annotation>\n`);
}
const byClass = new Map();
for (const im of images) for (const d of im.dets) (byClass.get(d.name) ?? byClass.set(d.name, []).get(d.name)).push(`${im.stem} ${d.score} ${d.box.join(' ')}`);
for (const [name, ls] of byClass) writeFileSync(join(VOC, 'results', `comp4_det_test_${name}.txt`), ls.join('\n') + '\n');

// YOLO: labels/<image>.txt, detections/<image>.txt, classes.txt, image-sizes.txt
const YOLO = join(ROOT, 'yolo');
rmSync(YOLO, { recursive: true, force: true });
mkdirSync(join(YOLO, 'labels'), { recursive: true });
mkdirSync(join(YOLO, 'detections'), { recursive: true });
const classes = [...new Set(images.flatMap((im) => [...im.gt, ...im.dets].map((b) => b.name)))];
const cls = new Map(classes.map((c, i) => [c, i]));
const norm = (b, W, H) => [(b[0] + b[2]) / 2 / W, (b[1] + b[3]) / 2 / H, (b[2] - b[0]) / W, (b[3] - b[1]) / H];
for (const im of images) {
  writeFileSync(join(YOLO, 'labels', `${im.stem}.txt`), im.gt.map((g) => `${cls.get(g.name)} ${norm(g.box, im.width, im.height).join(' ')}\n`).join(''));
  writeFileSync(join(YOLO, 'detections', `${im.stem}.txt`), im.dets.map((d) => `${cls.get(d.name)} ${norm(d.box, im.width, im.height).join(' ')} ${d.score}\n`).join(''));
}
writeFileSync(join(YOLO, 'classes.txt'), classes.join('\n') + '\n');
writeFileSync(join(YOLO, 'image-sizes.txt'), images.map((im) => `${im.stem} ${im.width} ${im.height}`).join('\n') + '\n');
console.log(`wrote ${images.length} images to ${VOC} and ${YOLO}`);
