/** Smoke run of the tfjs training comparison (examples/train-compare.mjs): every loss variant trains and is evaluated. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('train-compare: 3 steps of each loss, evaluated with the COCO evaluator, written atomically', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ss-compare-'));
  const out = join(dir, 'run');
  try {
    execFileSync(process.execPath, [
      'examples/train-compare.mjs', '--steps', '3', '--batch', '8', '--train', '16', '--test', '8', '--out', out,
    ], { cwd: join(__dirname, '..'), encoding: 'utf8', stdio: 'pipe' });
    const { meta, results } = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.map((r: { loss: string }) => r.loss)).toEqual(['ce', 'alpha-ce', 'focal', 'ghm-c', 'pisa', 'qfl-giou-atss', 'vfl-giou-tal']);
    for (const r of results) {
      for (const k of ['AP', 'AP50', 'AP75', 'AR100']) {
        expect(Number.isFinite(r[k])).toBe(true);
        expect(r[k]).toBeGreaterThanOrEqual(0);
        expect(r[k]).toBeLessThanOrEqual(1);
      }
    }
    expect(meta.anchorsPerImage).toBe(192);
    expect(meta.positiveFraction).toBeGreaterThan(0.005);
    expect(meta.positiveFraction).toBeLessThan(0.1);
    const csv = readFileSync(join(out, 'loss-curves.csv'), 'utf8').trim().split('\n');
    expect(csv.length).toBe(1 + 7 * 3);
    for (const line of csv.slice(1)) expect(Number.isFinite(Number(line.split(',')[2]))).toBe(true);
    expect(existsSync(join(out, 'loss-curves.png'))).toBe(true);
    expect(readFileSync(join(out, 'results.md'), 'utf8')).toMatch(/\| focal \|/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 300000);
