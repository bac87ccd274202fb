// End-to-end comparison (issue 6): a tiny dense detector trained in TensorFlow.js (pure-JS CPU
// backend) on the synthetic, heavily imbalanced shapes dataset, once per classification loss —
// CE, α-balanced CE, focal loss, GHM-C, PISA (focal + ISR-P + CARL), and the issue 14 pairings
// QFL + GIoU with ATSS assignment (GFL) and VFL + GIoU with task-aligned assignment (TOOD-style) —
// with soft-sampling's losses through the tfjs adapter, evaluated with soft-sampling's COCO evaluator.
//
//   node examples/train-compare.mjs [--steps 100] [--batch 16] [--train 512] [--test 128] [--seed 1] [--out out/train-compare]
//                                   [--losses ce,alpha-ce,focal,ghm-c,pisa,qfl-giou-atss,vfl-giou-tal] [--backend native|wasm|ts]
//                                   [--dump-dense FILE.npz [--dump-loss focal]]   (per-anchor outputs for `analyze --dense`)
//
// Writes results.json, results.md (the table), loss-curves.csv and loss-curves.{svg,png}.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import * as ss from '../dist/index.mjs';
import { makeShapes, IMAGE, CLASSES } from './shapes-data.mjs';
import { dump as dumpNpy } from 'npyjs';
import { zipSync } from 'fflate';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : 'true']);
  return acc;
}, []));
const STEPS = Number(args.steps ?? 100);
const N_TRAIN = Number(args.train ?? 512);
const N_TEST = Number(args.test ?? 128);
const SEED = Number(args.seed ?? 1);
const BATCH = Number(args.batch ?? 16);
const OUT = resolve(args.out ?? 'out/train-compare');
const LOSSES = (args.losses ?? 'ce,alpha-ce,focal,ghm-c,pisa,qfl-giou-atss,vfl-giou-tal').split(',');
const DUMP = args['dump-dense'];
const DUMP_LOSS = args['dump-loss'] ?? LOSSES[0];
if (args.backend) ss.useBackend(args.backend);
tf.setBackend('cpu');

const C = CLASSES.length;
const STRIDE = 4, FEAT = IMAGE / STRIDE;
const { anchors } = ss.gridAnchors([[FEAT, FEAT]], { strides: [STRIDE], ratios: [1], scales: [2, 3, 4] });
const A = 3, P = anchors.shape[0]; // 192 anchors per image
const STDS = [0.1, 0.1, 0.2, 0.2];

/** Per image: assignment (RetinaNet thresholds), classification targets, regression targets. */
function targetsFor(gt) {
  const empty = gt.boxes.length === 0;
  const as = ss.maxIouAssign(anchors, empty ? new Float32Array(0) : gt.boxes, { gtLabels: gt.labels, posIouThr: 0.5, negIouThr: 0.4, minPosIou: 0 });
  const labels = new Int32Array(P).fill(C), labelWeights = new Float32Array(P), gtInds = new Int32Array(P).fill(-1);
  const regTargets = new Float32Array(P * 4);
  const pos = [];
  for (let p = 0; p < P; p++) {
    const g = as.gtInds.data[p];
    if (g >= 0) labelWeights[p] = 1;
    if (g > 0) { labels[p] = as.labels.data[p]; gtInds[p] = g - 1; pos.push(p); }
  }
  if (pos.length) {
    const pri = pos.map((p) => Array.from(anchors.data.subarray(4 * p, 4 * p + 4)));
    const tgt = ss.bbox2delta(pri, pos.map((p) => gt.boxes[gtInds[p]]), { stds: STDS });
    pos.forEach((p, k) => regTargets.set(tgt.data.subarray(4 * k, 4 * k + 4), 4 * p));
  }
  const atss = ss.atssAssign(anchors, empty ? new Float32Array(0) : gt.boxes, empty ? [] : gt.labels, { topk: 9 });
  return { labels, labelWeights, gtInds, regTargets, pos, numGts: gt.boxes.length, gtBoxes: gt.boxes, gtLabels: gt.labels, atssGtInds: atss.gtInds.data };
}

/** Decodes deltas `[n, 4]` (tfjs tensor) against the anchors of the positions `at` with tfjs ops (differentiable). */
function decodeTf(deltas, at) {
  const a = tf.tensor2d(Array.from(at, (p) => Array.from(anchors.data.subarray(4 * (p % P), 4 * (p % P) + 4))));
  const [ax1, ay1, ax2, ay2] = tf.split(a, 4, 1);
  const aw = tf.sub(ax2, ax1), ah = tf.sub(ay2, ay1);
  const acx = tf.add(ax1, tf.mul(aw, 0.5)), acy = tf.add(ay1, tf.mul(ah, 0.5));
  const [dx, dy, dw, dh] = tf.split(tf.mul(deltas, tf.tensor1d(STDS)), 4, 1);
  const maxRatio = Math.abs(Math.log(16 / 1000));
  const cx = tf.add(acx, tf.mul(dx, aw)), cy = tf.add(acy, tf.mul(dy, ah));
  const w = tf.mul(aw, tf.exp(tf.clipByValue(dw, -maxRatio, maxRatio))), h = tf.mul(ah, tf.exp(tf.clipByValue(dh, -maxRatio, maxRatio)));
  return tf.concat([tf.sub(cx, tf.mul(w, 0.5)), tf.sub(cy, tf.mul(h, 0.5)), tf.add(cx, tf.mul(w, 0.5)), tf.add(cy, tf.mul(h, 0.5))], 1);
}

function buildModel(seed) {
  const init = (s) => tf.initializers.glorotUniform({ seed: seed * 101 + s });
  // deliberately small: tfjs' pure-JS CPU backend is slow at convolution gradients
  const input = tf.input({ shape: [IMAGE, IMAGE, 1] });
  let x = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(1) }).apply(input);
  x = tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(2) }).apply(x);
  // RetinaNet prior: cls bias −log((1−π)/π), π = 0.01
  const cls = tf.layers.conv2d({ filters: A * C, kernelSize: 1, kernelInitializer: init(4), biasInitializer: tf.initializers.constant({ value: -Math.log(99) }) }).apply(x);
  const reg = tf.layers.conv2d({ filters: A * 4, kernelSize: 1, kernelInitializer: init(5) }).apply(x);
  return tf.model({ inputs: input, outputs: [cls, reg] });
}

/** Classification + regression loss of one batch for a variant (adapter losses: our gradients). */
function makeLoss(variant, L) {
  const ghmc = L.ghmc({ bins: 30, momentum: 0.75, targetType: 'labels' });
  return (logits, deltas, t) => {
    const avgFactor = Math.max(1, t.pos.length);
    const regLoss = () => {
      if (!t.pos.length) return tf.scalar(0);
      const posIdx = tf.tensor1d(t.pos, 'int32');
      const pred = tf.gather(deltas, posIdx);
      const tgt = new Float32Array(4 * t.pos.length);
      t.pos.forEach((p, k) => tgt.set(t.regTargets.subarray(4 * p, 4 * p + 4), 4 * k));
      return L.smoothL1Loss(pred, { data: tgt, shape: [t.pos.length, 4] }, { beta: 0.11, reduction: 'mean', avgFactor });
    };
    const targets = { data: t.labels, shape: [t.labels.length] };
    const common = { labelWeights: t.labelWeights, targetType: 'labels' };
    switch (variant) {
      case 'ce':
        return tf.add(L.sigmoidCrossEntropy(logits, targets, { ...common, alpha: null, avgFactor }), regLoss());
      case 'alpha-ce':
        return tf.add(L.sigmoidCrossEntropy(logits, targets, { ...common, alpha: 0.25, avgFactor }), regLoss());
      case 'focal':
        return tf.add(L.sigmoidFocalLoss(logits, targets, { ...common, alpha: 0.25, gamma: 2, avgFactor }), regLoss());
      case 'ghm-c':
        // GHM paper defaults: 30 bins, momentum 0.75; the adapter keeps the EMA state between steps
        return tf.add(ghmc(logits, targets, t.labelWeights), regLoss());
      case 'pisa': {
        // ISR-P on the positives (IoU-HLR of decoded predictions vs decoded targets), then focal
        // loss with those label weights; CARL on the regression branch (PISA RetinaNet config)
        let weights = t.labelWeights;
        const n = t.pos.length;
        const rows = (src, width, at) => {
          const out = new Float32Array(n * width);
          t.pos.forEach((p, k) => out.set(src.subarray(width * at(p), width * at(p) + width), width * k));
          return { data: out, shape: [n, width] };
        };
        const posTargets = rows(t.regTargets, 4, (p) => p);
        if (n) {
          const r = ss.isrP({
            labels: Int32Array.from(t.pos, (p) => t.labels[p]), gtInds: Int32Array.from(t.pos, (p) => t.gtInds[p]),
            imageIds: Int32Array.from(t.pos, (p) => Math.floor(p / P)), numGtsPerImage: t.numGts,
            priors: rows(anchors.data, 4, (p) => p % P),
            bboxPred: rows(deltas.dataSync(), 4, (p) => p),
            bboxTargets: posTargets,
            clsScore: rows(logits.dataSync(), C, (p) => p),
          }, { k: 2, bias: 0, clsLoss: 'focal', alpha: 0.25, gamma: 2, stds: STDS });
          weights = Float32Array.from(t.labelWeights);
          t.pos.forEach((p, k) => (weights[p] = r.weights.data[k]));
        }
        const cls = L.sigmoidFocalLoss(logits, targets, { labelWeights: weights, targetType: 'labels', alpha: 0.25, gamma: 2, avgFactor });
        if (!t.pos.length) return tf.add(cls, regLoss());
        const posIdx = tf.tensor1d(t.pos, 'int32');
        const carl = L.carlLoss(tf.gather(logits, posIdx), Int32Array.from(t.pos, (p) => t.labels[p]), tf.gather(deltas, posIdx),
          posTargets, { sigmoid: true, k: 1, bias: 0.2, beta: 0.11, avgFactor });
        return tf.addN([cls, regLoss(), carl]);
      }
      case 'qfl-giou-atss':
      case 'vfl-giou-tal': {
        // GFL / TOOD-style: a dynamic assignment (ATSS from the anchors, or task-aligned from the
        // current predictions), a quality-aware classification target (IoU of the predicted box with
        // its gt, detached) and GIoU on the decoded boxes (the gradient flows through the decoding)
        const n = t.labels.length, B = n / P;
        const boxes = tf.tidy(() => decodeTf(deltas, Array.from({ length: n }, (_, p) => p)).dataSync());
        const probs = tf.tidy(() => tf.sigmoid(logits).dataSync());
        const pos = [], posGt = [], q = new Float32Array(n * C), labels = new Int32Array(n).fill(C);
        for (let b = 0; b < B; b++) {
          const { gtBoxes, gtLabels } = t.images[b];
          if (!gtBoxes.length) continue;
          let gtInds;
          if (variant === 'qfl-giou-atss') gtInds = t.images[b].atssGtInds;
          else {
            gtInds = ss.taskAlignedAssign(anchors, { data: boxes.subarray(4 * b * P, 4 * (b + 1) * P), shape: [P, 4] },
              { data: probs.subarray(b * P * C, (b + 1) * P * C), shape: [P, C] }, gtBoxes, gtLabels, { variant: 'tood', topk: 9 }).gtInds.data;
          }
          for (let p = 0; p < P; p++) {
            if (gtInds[p] <= 0) continue;
            const k = b * P + p, g = gtBoxes[gtInds[p] - 1];
            pos.push(k);
            posGt.push(g);
            labels[k] = gtLabels[gtInds[p] - 1];
          }
        }
        const avg = Math.max(1, pos.length);
        let scoresT = new Float32Array(n);
        if (pos.length) {
          const iou = ss.bboxOverlaps(pos.map((k) => Array.from(boxes.subarray(4 * k, 4 * k + 4))), posGt, { aligned: true }).data;
          pos.forEach((k, i) => { scoresT[k] = iou[i]; q[k * C + labels[k]] = iou[i]; });
        }
        const cls = variant === 'qfl-giou-atss'
          ? L.qualityFocalLoss(logits, { labels, scores: scoresT }, { avgFactor: avg })
          : L.varifocalLoss(logits, { data: q, shape: [n, C] }, { avgFactor: avg });
        if (!pos.length) return cls;
        const posIdx = tf.tensor1d(pos, 'int32');
        const reg = L.giouLoss(decodeTf(tf.gather(deltas, posIdx), pos), posGt, { avgFactor: avg, lossWeight: 2 });
        return tf.add(cls, reg);
      }
      default:
        throw new Error(`unknown loss variant ${variant}`);
    }
  };
}

function batchTargets(all, idx) {
  const labels = new Int32Array(idx.length * P), labelWeights = new Float32Array(idx.length * P), gtInds = new Int32Array(idx.length * P);
  const regTargets = new Float32Array(idx.length * P * 4), pos = [], numGts = [], images = [];
  idx.forEach((i, b) => {
    const t = all[i];
    labels.set(t.labels, b * P); labelWeights.set(t.labelWeights, b * P); gtInds.set(t.gtInds, b * P);
    regTargets.set(t.regTargets, b * P * 4);
    for (const p of t.pos) pos.push(b * P + p);
    numGts.push(t.numGts);
    images.push(t);
  });
  return { labels, labelWeights, gtInds, regTargets, pos, numGts, images };
}

function detect(model, images, n) {
  const dets = [];
  tf.tidy(() => {
    const [c, r] = model.predict(tf.tensor4d(images, [n, IMAGE, IMAGE, 1]));
    const scores = tf.sigmoid(c).reshape([n, P, C]).arraySync();
    const deltas = r.reshape([n * P, 4]).dataSync();
    const rows = [];
    for (let p = 0; p < n * P; p++) rows.push(Array.from(anchors.data.subarray(4 * (p % P), 4 * (p % P) + 4)));
    const boxes = ss.delta2bbox(rows, { data: deltas, shape: [n * P, 4] }, { stds: STDS, maxShape: [IMAGE, IMAGE] }).toArray();
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < C; k++) {
        const cand = [];
        for (let p = 0; p < P; p++) if (scores[i][p][k] > 0.05) cand.push(p);
        if (!cand.length) continue;
        const bx = tf.tensor2d(cand.map((p) => boxes[i * P + p]));
        const sc = tf.tensor1d(cand.map((p) => scores[i][p][k]));
        const keep = tf.image.nonMaxSuppression(bx, sc, 20, 0.5).arraySync();
        for (const q of keep) {
          const [x1, y1, x2, y2] = boxes[i * P + cand[q]];
          dets.push({ image_id: i + 1, category_id: k + 1, bbox: [x1, y1, x2 - x1, y2 - y1], score: scores[i][cand[q]][k] });
        }
      }
    }
  });
  return dets;
}

/**
 * `--dump-dense FILE.npz`: the per-anchor outputs of the model trained with `--dump-loss` (default:
 * the first of --losses) on the test images, for `soft-sampling analyze --dense`: anchors [P, 4],
 * logits [N, P, C], deltas [N, P, 4] (+ delta_stds), gt_boxes [M, 4], gt_labels [M], gt_counts [N].
 */
function dumpDense(model, test, file) {
  const [c, r] = tf.tidy(() => model.predict(tf.tensor4d(test.images, [N_TEST, IMAGE, IMAGE, 1])));
  const logits = Float32Array.from(c.dataSync()), deltas = Float32Array.from(r.dataSync());
  tf.dispose([c, r]);
  const boxes = test.gts.flatMap((g) => g.boxes.flat());
  const labels = test.gts.flatMap((g) => g.labels);
  const npy = (data, shape) => new Uint8Array(dumpNpy(data, shape));
  const zip = zipSync({
    'anchors.npy': npy(Float32Array.from(anchors.data), [P, 4]),
    'logits.npy': npy(logits, [N_TEST, P, C]),
    'deltas.npy': npy(deltas, [N_TEST, P, 4]),
    'delta_stds.npy': npy(Float32Array.from(STDS), [4]),
    'gt_boxes.npy': npy(Float32Array.from(boxes), [labels.length, 4]),
    'gt_labels.npy': npy(Int32Array.from(labels), [labels.length]),
    'gt_counts.npy': npy(Int32Array.from(test.gts.map((g) => g.labels.length)), [N_TEST]),
  });
  mkdirSync(dirname(resolve(file)), { recursive: true });
  writeFileSync(file, zip);
  console.log(`dense outputs of the ${DUMP_LOSS} model on ${N_TEST} test images → ${file} (${zip.length} bytes)`);
}

function cocoGt(gts) {
  const annotations = [];
  gts.forEach((g, i) => g.boxes.forEach((b, j) => annotations.push({
    id: annotations.length + 1, image_id: i + 1, category_id: g.labels[j] + 1, bbox: [b[0], b[1], b[2] - b[0], b[3] - b[1]],
    area: (b[2] - b[0]) * (b[3] - b[1]), iscrowd: 0,
  })));
  return { images: gts.map((_, i) => ({ id: i + 1, width: IMAGE, height: IMAGE })), annotations, categories: CLASSES.map((name, k) => ({ id: k + 1, name })) };
}

export async function run() {
  const L = ss.createTfLosses(tf);
  const train = makeShapes(N_TRAIN, SEED), test = makeShapes(N_TEST, SEED + 1000);
  const trainTargets = train.gts.map(targetsFor);
  const posFrac = trainTargets.reduce((a, t) => a + t.pos.length, 0) / (N_TRAIN * P);
  const gtJson = cocoGt(test.gts);
  const results = [], curves = [];
  for (const variant of LOSSES) {
    const t0 = Date.now();
    const model = buildModel(SEED);
    const opt = tf.train.adam(0.01);
    const lossFn = makeLoss(variant, L);
    const prof = { targets: 0, step: 0 };
    for (let step = 0; step < STEPS; step++) {
      const tA = Date.now();
      const idx = Array.from({ length: BATCH }, (_, b) => (step * BATCH + b) % N_TRAIN);
      const bt = batchTargets(trainTargets, idx);
      const xbData = new Float32Array(BATCH * IMAGE * IMAGE);
      idx.forEach((i, b) => xbData.set(train.images.subarray(i * IMAGE * IMAGE, (i + 1) * IMAGE * IMAGE), b * IMAGE * IMAGE));
      const xb = tf.tensor4d(xbData, [BATCH, IMAGE, IMAGE, 1]);
      const tB = Date.now();
      prof.targets += tB - tA;
      const lossVal = opt.minimize(() => {
        const [c, r] = model.apply(xb, { training: true });
        return lossFn(c.reshape([-1, C]), r.reshape([-1, 4]), bt);
      }, true);
      curves.push({ loss: variant, step, value: lossVal.dataSync()[0] });
      lossVal.dispose();
      xb.dispose();
      prof.step += Date.now() - tB;
    }
    if (process.env.PROFILE) console.log(variant, prof);
    const tE = Date.now();
    if (DUMP && variant === DUMP_LOSS) dumpDense(model, test, DUMP);
    const dets = detect(model, test.images, N_TEST);
    const ev = ss.evaluateCoco(gtJson, dets.length ? dets : []);
    if (process.env.PROFILE) console.log('eval ms', Date.now() - tE);
    const { AP: ap, AP50: ap50, AP75: ap75, AR100 } = ev.stats;
    results.push({ loss: variant, AP: ap, AP50: ap50, AP75: ap75, AR100, detections: dets.length, seconds: (Date.now() - t0) / 1000 });
    console.log(`${variant.padEnd(8)} AP ${ap.toFixed(4)}  AP50 ${ap50.toFixed(4)}  AP75 ${ap75.toFixed(4)}  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    model.dispose();
  }
  const md = [
    `| loss | AP | AP50 | AP75 | AR@100 | train+eval time |`, '|---|---:|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.loss} | ${r.AP.toFixed(3)} | ${r.AP50.toFixed(3)} | ${r.AP75.toFixed(3)} | ${r.AR100.toFixed(3)} | ${r.seconds.toFixed(0)} s |`),
  ].join('\n');
  const meta = { steps: STEPS, batch: BATCH, train: N_TRAIN, test: N_TEST, seed: SEED, anchorsPerImage: P, positiveFraction: posFrac, backend: ss.backendInfo().active };
  // write atomically: a temporary sibling directory renamed at the end
  const tmp = `${OUT}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'results.json'), JSON.stringify({ meta, results }, null, 2));
  writeFileSync(join(tmp, 'results.md'), `${md}\n\n${STEPS} steps × batch ${BATCH}, ${N_TRAIN} train / ${N_TEST} test images, seed ${SEED}, positives ${(100 * posFrac).toFixed(2)} % of anchors.\n`);
  writeFileSync(join(tmp, 'loss-curves.csv'), `loss,step,value\n${curves.map((c) => `${c.loss},${c.step},${c.value}`).join('\n')}\n`);
  await writeChart(tmp, curves);
  mkdirSync(dirname(OUT), { recursive: true });
  rmSync(OUT, { recursive: true, force: true });
  renameSync(tmp, OUT);
  console.log(`\n${md}\n\npositives: ${(100 * posFrac).toFixed(2)} % of ${P} anchors per image; wrote ${OUT}`);
  return { meta, results };
}

async function writeChart(dir, curves) {
  const vl = await import('vega-lite');
  const vega = await import('vega');
  const { Resvg } = await import('@resvg/resvg-js');
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json', width: 520, height: 300, background: 'white',
    title: 'Training loss (classification + regression) per step',
    data: { values: curves },
    transform: [{ window: [{ op: 'mean', field: 'value', as: 'smoothed' }], frame: [-10, 0], groupby: ['loss'], sort: [{ field: 'step' }] }],
    mark: 'line',
    encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'smoothed', type: 'quantitative', scale: { type: 'log' }, title: 'loss (10-step mean)' }, color: { field: 'loss', type: 'nominal' } },
  };
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  writeFileSync(join(dir, 'loss-curves.svg'), svg);
  writeFileSync(join(dir, 'loss-curves.png'), new Resvg(svg, { fitTo: { mode: 'width', value: 1000 } }).render().asPng());
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
