/**
 * `analyze --dense` (issue 9 item 6) on the shipped real example: the per-anchor outputs of the tiny
 * detector trained by examples/train-compare.mjs (data/dense-shapes). The figures must show the
 * easy-negative mass: under CE a large share of the total loss comes from easy negatives, under FL
 * and GHM-C a much smaller one. Needs `npm run build` (runs the CLI).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDense, denseSamples, lossShares, spearman } from '../packages/cli/src/analyze/dense';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'packages', 'cli', 'bin', 'soft-sampling.mjs');
const NPZ = join(ROOT, 'data', 'dense-shapes', 'shapes-focal-test128.npz');
const settings = { gammas: [0, 0.5, 1, 2], alpha: 0.25, ghmBins: 30, pisaK: 20, topK: [5, 25], seed: 0, legacyOffset: false };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ss-dense-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('the shipped .npz reads as 128 images × 192 anchors × 2 classes', () => {
  const d = readDense(NPZ);
  expect([d.N, d.A, d.C]).toEqual([128, 192, 2]);
  expect(d.deltas).toHaveLength(128 * 192 * 4);
  expect(d.stds).toEqual([0.1, 0.1, 0.2, 0.2].map(Math.fround));
  const s = denseSamples(d);
  expect(s.anchors.positive + s.anchors.negative + s.anchors.ignored).toBe(128 * 192);
  expect(s.samples).toHaveLength((s.anchors.positive + s.anchors.negative) * 2);
  expect(s.samples.filter((x) => x.target === 1)).toHaveLength(s.anchors.positive);
});

test('analyze --dense: every figure drawn; easy negatives carry a large share of the CE loss, a much smaller one under FL and GHM-C', () => {
  const out = join(dir, 'rep');
  const r = spawnSync(process.execPath, [BIN, 'analyze', '--dense', NPZ, '--out', out, '--no-png'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  expect(summary.analyses.map((a: { id: string; status: string }) => [a.id, a.status])).toEqual([
    ['dense_focal_loss_cdf', 'ok'],
    ['dense_ghm_gradient_density', 'ok'],
    ['dense_ghm_reweighted_gradient', 'ok'],
    ['dense_easy_negative_share', 'ok'],
    ['dense_iou_hlr_score', 'ok'],
  ]);
  for (const id of ['dense_focal_loss_cdf', 'dense_ghm_gradient_density', 'dense_easy_negative_share', 'dense_iou_hlr_score']) expect(existsSync(join(out, `${id}.svg`))).toBe(true);
  const shares = JSON.parse(readFileSync(join(out, 'dense_easy_negative_share.json'), 'utf8')).shares;
  const [ce, fl, ghm] = shares.map((s: { easyNegatives: number }) => s.easyNegatives);
  expect(ce).toBeGreaterThan(0.3);
  expect(fl).toBeLessThan(ce / 10);
  expect(ghm).toBeLessThan(ce / 10);
  // most samples are easy negatives (GHM fig. 2's mass at g ≈ 0)
  const dens = JSON.parse(readFileSync(join(out, 'dense_ghm_gradient_density.json'), 'utf8')).rows;
  const first = dens.filter((x: { bin?: number; g_lo: number; kind: string }) => x.g_lo === 0 && x.kind === 'negative')[0];
  expect(first.fraction).toBeGreaterThan(0.3);
  // FL fig. 4: with γ = 2 the hardest 20 % of negatives carry almost all of the negatives' loss, more than with γ = 0
  const curves = JSON.parse(readFileSync(join(out, 'dense_focal_loss_cdf.json'), 'utf8')).curves;
  const h = (g: number) => curves.find((c: { gamma: number; group: string }) => c.gamma === g && c.group === 'negative').hardest20Share;
  expect(h(2)).toBeGreaterThan(0.9);
  expect(h(2)).toBeGreaterThan(h(0) + 0.3);
});

test('JSON input with a grid and per-image gt gives the hand-computed split', () => {
  // one image, three explicit anchors: the first is the gt box (positive), the others do not touch it (negatives)
  const json = {
    anchors: [[0, 0, 10, 10], [20, 20, 30, 30], [40, 40, 50, 50]],
    logits: [[[3, -3], [-4, -2], [-6, -6]]],
    gt: [{ boxes: [[0, 0, 10, 10]], labels: [0] }],
  };
  const f = join(dir, 'd.json');
  writeFileSync(f, JSON.stringify(json));
  const s = denseSamples(readDense(f));
  expect(s.anchors).toEqual({ total: 3, positive: 1, negative: 2, ignored: 0 });
  expect(s.samples.map((x) => x.target)).toEqual([1, 0, 0, 0, 0, 0]);
  const sh = lossShares(s.samples, settings);
  // CE per element: softplus(−x) for the positive, softplus(x) for the negatives
  const sp = (x: number) => Math.log1p(Math.exp(x));
  const ce = [sp(-3), sp(-3), sp(-4), sp(-2), sp(-6), sp(-6)]; // softplus(−3) for x = 3, target 1; softplus(x) for the rest
  const tot = ce.reduce((a, b) => a + b, 0);
  // easy negatives: σ(x) < 0.1 ⇔ x < −2.197: elements 1 (x = −3), 2, 4, 5; element 3 (x = −2) is a hard negative
  expect(sh[0].easyNegatives).toBeCloseTo((ce[1] + ce[2] + ce[4] + ce[5]) / tot, 5);
  expect(sh[0].positives).toBeCloseTo(ce[0] / tot, 5);
  const grid = { grid: { featmapSizes: [[2, 2]], strides: [8], ratios: [1], scales: [1] }, logits: [[[0], [0], [0], [0]]], gt_boxes: [[0, 0, 8, 8]], gt_labels: [0], gt_counts: [1] };
  writeFileSync(f, JSON.stringify(grid));
  expect(readDense(f).A).toBe(4);
  expect(spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
});

test('bad dense input: one line naming file and array, exit 1', () => {
  const f = join(dir, 'bad.json');
  writeFileSync(f, JSON.stringify({ anchors: [[0, 0, 1, 1]], logits: [[[0, 1]]], gt_boxes: [[0, 0, 1, 1]], gt_labels: [5], gt_counts: [1] }));
  const r = spawnSync(process.execPath, [BIN, 'analyze', '--dense', f, '--out', join(dir, 'never'), '-q'], { encoding: 'utf8' });
  expect(r.status).toBe(1);
  expect(r.stderr.trim()).toBe(`soft-sampling analyze: error: ${f}: array gt_labels: element 0 must be a class index 0…1, got 5`);
  expect(existsSync(join(dir, 'never'))).toBe(false);
});
