#!/usr/bin/env node
// Seeded synthetic COCO set: a ground-truth dataset and a results list, for evaluator tests and
// benchmarks at scale (pycocotools / faster-coco-eval read the same files).
//
//   node bench/synth-coco.mjs --images 5000 --dets 500000 --seed 1 --out DIR [--grid]
//
// writes DIR/gt.json (COCO dataset) and DIR/dets.json (COCO results list). Also importable:
//   import { synthCoco } from './bench/synth-coco.mjs'; const { gt, dets } = synthCoco({ images: 500, dets: 50000, seed: 1, grid: true });
//
// Ground truth: 1–14 boxes per image (≈ 7.5 on average, so 5,000 images give ≈ 37k boxes), ~1 %
// crowd, 80 categories (COCO's ids 1…90 with its gaps) with a skewed popularity, each image drawing
// its boxes from 1–4 categories; box sizes log-uniform so all three COCO area ranges are populated;
// `area` is a segmentation-like fraction (0.5–1) of w·h, as real COCO areas are.
// Detections: about 60 % are gt boxes perturbed (90 % with the right category), the rest background
// boxes; scores are higher for better-localised boxes. Exactly `dets` detections, spread unevenly
// over images (some image-category pairs exceed maxDets = 100).
//
// --grid: every coordinate is an integer and gt sides are multiples of 20 px; a perturbed detection
// is the gt box with one side shrunk to k/20 of it (k = 10…20) inside it, so its IoU with the gt is
// exactly k/20 — 0.5, 0.55, … 0.95, 1 — ties with the COCO thresholds that float32 overlaps break
// differently from pycocotools' float64. Some gt areas sit exactly on the area-range bounds (32², 96²),
// background boxes have sides in multiples of 8 px (32×32 and 96×96 detections fall on the bounds
// too) and scores are rounded to 0.001 (many score ties, settled by the stable sort order).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** mulberry32: a small seeded PRNG, uniform in [0, 1) (also the memory loop's input generator). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// COCO's 80 category ids (1…90 with gaps) and names.
const COCO_IDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90];

const SIZES = [
  [640, 480],
  [480, 640],
  [640, 427],
  [500, 375],
  [640, 640],
];

/**
 * Generates a synthetic COCO ground truth and results list.
 * @param {{ images?: number, dets?: number, seed?: number, grid?: boolean }} [opts]
 *   images (default 500), dets: total detections (default 100 per image), seed (default 1),
 *   grid: coordinates on an integer grid with IoU ties on the thresholds (default false).
 * @returns {{ gt: { images: object[], annotations: object[], categories: object[] }, dets: object[] }}
 */
export function synthCoco({ images = 500, dets = 100 * images, seed = 1, grid = false } = {}) {
  if (!Number.isInteger(images) || images < 1) throw new RangeError(`images must be a positive integer, got ${images}`);
  if (!Number.isInteger(dets) || dets < 0) throw new RangeError(`dets must be a non-negative integer, got ${dets}`);
  const rnd = mulberry32(seed);
  const int = (n) => Math.floor(rnd() * n); // 0 … n-1
  const r2 = (v) => Math.round(v * 100) / 100;
  const catIds = COCO_IDS;
  // skewed popularity: weight ∝ 1/(rank+3)
  const cum = [];
  let acc = 0;
  for (let k = 0; k < catIds.length; k++) cum.push((acc += 1 / (k + 3)));
  const popular = () => {
    const u = rnd() * acc;
    let k = 0;
    while (cum[k] < u) k++;
    return catIds[k];
  };
  const anyCat = () => catIds[int(catIds.length)];
  const logUniform = (lo, hi) => Math.exp(Math.log(lo) + rnd() * (Math.log(hi) - Math.log(lo)));

  const imgs = [];
  const annotations = [];
  const perImageGt = [];
  for (let i = 0; i < images; i++) {
    const [W, H] = SIZES[int(SIZES.length)];
    const id = i + 1;
    imgs.push({ id, width: W, height: H, file_name: `synth_${String(id).padStart(6, '0')}.jpg` });
    const cats = Array.from({ length: 1 + int(4) }, popular);
    const n = 1 + int(14);
    const boxes = [];
    for (let k = 0; k < n; k++) {
      const category_id = cats[int(cats.length)];
      let x, y, w, h, area;
      if (grid) {
        const side = (max) => 20 * Math.max(1, Math.min(Math.floor(max / 20), Math.round(logUniform(1, 16))));
        w = side(W);
        h = side(H);
        x = int(W - w + 1);
        y = int(H - h + 1);
        const u = rnd();
        area = u < 0.01 ? 1024 : u < 0.02 ? 9216 : w * h;
      } else {
        w = r2(Math.min(W - 1, logUniform(4, 0.8 * W)));
        h = r2(Math.min(H - 1, w * logUniform(0.4, 2.5)));
        x = r2(rnd() * (W - w));
        y = r2(rnd() * (H - h));
        area = r2(w * h * (0.5 + 0.5 * rnd()));
      }
      const iscrowd = rnd() < 0.01 ? 1 : 0;
      const ann = { id: annotations.length + 1, image_id: id, category_id, bbox: [x, y, w, h], area, iscrowd };
      annotations.push(ann);
      boxes.push(ann);
    }
    perImageGt.push(boxes);
  }

  // detections per image: uneven weights, exact total
  const weights = Array.from({ length: images }, () => 0.25 + 1.5 * rnd());
  const wsum = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.floor((dets * w) / wsum));
  let left = dets - counts.reduce((a, b) => a + b, 0);
  for (let i = 0; left > 0; i = (i + 1) % images, left--) counts[i]++;

  const out = [];
  const score = (q) => {
    const s = Math.min(1, Math.max(0.001, q));
    return grid ? Math.round(s * 1000) / 1000 : Math.round(s * 1e5) / 1e5;
  };
  for (let i = 0; i < images; i++) {
    const { width: W, height: H, id } = imgs[i];
    const gts = perImageGt[i];
    for (let k = 0; k < counts[i]; k++) {
      if (rnd() < 0.6) {
        const g = gts[int(gts.length)];
        const category_id = rnd() < 0.9 ? g.category_id : anyCat();
        const [gx, gy, gw, gh] = g.bbox;
        if (grid) {
          const kk = 10 + int(11); // IoU = kk/20 exactly
          let [x, y, w, h] = [gx, gy, gw, gh];
          if (rnd() < 0.5) {
            w = (gw / 20) * kk;
            x = gx + (gw / 20) * int(21 - kk);
          } else {
            h = (gh / 20) * kk;
            y = gy + (gh / 20) * int(21 - kk);
          }
          out.push({ image_id: id, category_id, bbox: [x, y, w, h], score: score(0.25 + (0.6 * kk) / 20 + 0.3 * (rnd() - 0.5)) });
        } else {
          const sigma = 0.01 + 0.25 * rnd() * rnd();
          const j = (s) => (rnd() + rnd() + rnd() - 1.5) * 2 * sigma * s;
          const x1 = gx + j(gw), y1 = gy + j(gh);
          const x2 = gx + gw + j(gw), y2 = gy + gh + j(gh);
          const x = r2(Math.max(0, Math.min(x1, x2))), y = r2(Math.max(0, Math.min(y1, y2)));
          const w = r2(Math.max(0.5, Math.abs(x2 - x1))), h = r2(Math.max(0.5, Math.abs(y2 - y1)));
          out.push({ image_id: id, category_id, bbox: [x, y, w, h], score: score(1 - 2.5 * sigma + 0.25 * (rnd() - 0.5)) });
        }
      } else {
        const category_id = gts.length && rnd() < 0.5 ? gts[int(gts.length)].category_id : anyCat();
        let x, y, w, h;
        if (grid) {
          w = 8 * (1 + Math.min(Math.floor(W / 8) - 1, Math.round(logUniform(1, 40)) - 1));
          h = 8 * (1 + Math.min(Math.floor(H / 8) - 1, Math.round(logUniform(1, 40)) - 1));
          x = int(W - w + 1);
          y = int(H - h + 1);
        } else {
          w = r2(logUniform(4, 0.6 * W));
          h = r2(Math.min(H - 1, w * logUniform(0.4, 2.5)));
          x = r2(rnd() * (W - w));
          y = r2(rnd() * (H - h));
        }
        out.push({ image_id: id, category_id, bbox: [x, y, w, h], score: score(0.6 * rnd() * rnd()) });
      }
    }
  }
  return { gt: { info: { description: `soft-sampling synthetic COCO (images=${images}, dets=${dets}, seed=${seed}${grid ? ', grid' : ''})` }, images: imgs, annotations, categories: catIds.map((id) => ({ id, name: `cat${id}`, supercategory: 'synthetic' })) }, dets: out };
}

function main(argv) {
  const opts = { images: 5000, dets: undefined, seed: 1, grid: false, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--images') opts.images = Number(val());
    else if (a === '--dets') opts.dets = Number(val());
    else if (a === '--seed') opts.seed = Number(val());
    else if (a === '--out') opts.out = val();
    else if (a === '--grid') opts.grid = true;
    else throw new Error(`unknown option ${a} (usage: --images N --dets N --seed N --out DIR [--grid])`);
  }
  if (!opts.out) throw new Error('--out DIR is required');
  const { gt, dets } = synthCoco({ images: opts.images, dets: opts.dets ?? 100 * opts.images, seed: opts.seed, grid: opts.grid });
  mkdirSync(opts.out, { recursive: true });
  writeFileSync(join(opts.out, 'gt.json'), JSON.stringify(gt));
  writeFileSync(join(opts.out, 'dets.json'), JSON.stringify(dets));
  const crowd = gt.annotations.filter((a) => a.iscrowd).length;
  console.log(`${opts.out}: ${gt.images.length} images, ${gt.annotations.length} gt boxes (${crowd} crowd), ${gt.categories.length} categories, ${dets.length} detections`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(`synth-coco: ${e.message}`);
    process.exit(1);
  }
}
