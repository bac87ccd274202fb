/** The `soft-sampling` CLI, run as a child process (needs `npm run build`): bad input, help, eval. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync, readdirSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorLine, shown } from '../packages/cli/src/analyze/read';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'packages', 'cli', 'bin', 'soft-sampling.mjs');
const CART = join(ROOT, 'data', 'cartucho-map-indoor85', 'coco');
const COCO100 = join(ROOT, 'data', 'coco-val2014-100');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ss-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const gt = { images: [{ id: 1, width: 100, height: 100 }, { id: 2, width: 100, height: 100 }], categories: [{ id: 1, name: 'a' }], annotations: [{ id: 10, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10] }, { id: 11, image_id: 2, category_id: 1, bbox: [5, 5, 20, 20] }] };
const dets = [{ image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.9 }, { image_id: 2, category_id: 1, bbox: [50, 50, 10, 10], score: 0.4 }];

function write(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 1));
  return p;
}

/** Runs analyze with bad input; checks exit status, message, and that nothing was written. */
function expectBad(gtContent: unknown, detsContent: unknown, expected: RegExp[], badFile: 'gt' | 'dets') {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const g = write(`gt-${Math.random().toString(36).slice(2)}.json`, gtContent);
  const d = write(`dets-${Math.random().toString(36).slice(2)}.json`, detsContent);
  const r = run(['analyze', '--gt', g, '--dets', d, '--out', out, '--workers', '0', '-q']);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(badFile === 'gt' ? g : d);
  for (const e of expected) expect(r.stderr).toMatch(e);
  expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  expect(existsSync(out)).toBe(false);
  expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  return r;
}

describe('bad input → a message naming file, record and field; exit 1; no output', () => {
  test('malformed JSON: line and column', () => {
    const r = expectBad(gt, '[\n {"image_id": 1,\n  "category_id": 1 "bbox": [0,0,1,1]}\n]', [/malformed JSON at line 3, column \d+/], 'dets');
    expect(r.stdout).toBe('');
  });
  test('missing field', () => {
    expectBad(gt, [dets[0], { image_id: 1, category_id: 1, bbox: [0, 0, 1, 1] }], [/record \[1\]/, /field 'score' must be a finite number, got missing/], 'dets');
  });
  test('wrongly typed field', () => {
    expectBad(gt, [{ ...dets[0], bbox: 'x' }], [/record \[0\]/, /field 'bbox' must be \[x, y, w, h\]/], 'dets');
    expectBad({ ...gt, images: [{ id: '1' }] }, dets, [/images\[0\] \(id 1\)/, /field 'id' must be a finite number, got the string "1"/], 'gt');
    expectBad({ ...gt, annotations: [{ ...gt.annotations[0], iscrowd: 'no' }] }, dets, [/annotations\[0\] \(id 10\)/, /field 'iscrowd'/], 'gt');
  });
  test('negative box size', () => {
    expectBad({ ...gt, annotations: [gt.annotations[0], { ...gt.annotations[1], bbox: [5, 5, -20, 20] }] }, dets, [/annotations\[1\] \(id 11\)/, /negative size \(w = -20, h = 20\)/], 'gt');
    expectBad(gt, [{ ...dets[0], bbox: [0, 0, 10, -1] }], [/record \[0\]/, /negative size/], 'dets');
  });
  test('detections for unknown images or categories', () => {
    expectBad(gt, [dets[0], { ...dets[1], image_id: 99 }], [/record \[1\]/, /'image_id' = 99 is not an image of the ground truth/], 'dets');
    expectBad(gt, [{ ...dets[0], category_id: 7 }], [/record \[0\]/, /'category_id' = 7 is not a category of the ground truth/], 'dets');
  });
  test('not a COCO structure', () => {
    expectBad([1, 2], dets, [/ground truth must be a COCO dataset object/], 'gt');
    expectBad(gt, { foo: 1 }, [/detections must be a COCO results list/], 'dets');
    expectBad({ images: [], annotations: [] }, [], [/field 'categories' must be an array, got missing/], 'gt');
  });
  test('missing file', () => {
    const out = join(dir, 'never');
    const r = run(['analyze', '--gt', join(dir, 'nope.json'), '--dets', join(dir, 'nope2.json'), '--out', out, '-q']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nope\.json: cannot read the file \(no such file or directory, ENOENT\)/);
    expect(existsSync(out)).toBe(false);
  });
  test('an existing output directory (a previous report) survives a failed run', () => {
    const out = join(dir, 'keep');
    mkdirSync(out);
    writeFileSync(join(out, 'old.txt'), 'old');
    writeFileSync(join(out, 'summary.json'), '{}');
    writeFileSync(join(out, 'report.md'), '# old');
    const r = run(['analyze', '--gt', write('g.json', gt), '--dets', write('d.json', '[{]'), '--out', out, '-q']);
    expect(r.code).toBe(1);
    expect(readFileSync(join(out, 'old.txt'), 'utf8')).toBe('old');
  });
  test('only one of --gt/--dets, and bad option values', () => {
    const r = run(['analyze', '--gt', write('g2.json', gt)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/give both --gt and --dets/);
    const w = run(['analyze', '--workers', '-1']);
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/--workers must be an integer in \[0, 256\]/);
    const b = run(['analyze', '--backend', 'gpu']);
    expect(b.code).toBe(2);
    expect(run(['analyze', '--bogus']).code).toBe(2);
    expect(run(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(b.stderr).toMatch(/Allowed choices are auto, native, wasm, ts/);
  });
  test('eval reports bad input the same way', () => {
    const r = run(['eval', '--gt', write('g3.json', gt), '--dets', write('d3.json', [{ ...dets[0], score: 'high' }])]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/d3\.json: record \[0\]: field 'score' must be a finite number, got the string "high"/);
  });
});

describe('help and eval', () => {
  test('--help documents every option with its default', () => {
    const r = run(['analyze', '--help']);
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    for (const opt of ['--gt', '--dets', '--out', '--backend', '--workers', '--anchors', '--legacy-offset', '--gammas', '--alpha', '--ghm-bins', '--pisa-k', '--top-k', '--seed', '--no-png', '--quiet']) expect(help).toContain(opt);
    expect(help).toMatch(/default: bundled data\/cartucho-map-indoor85\/coco\/groundtruths_coco\.json/);
    expect(help).toMatch(/default: "soft-sampling-report"/);
    expect(help).toMatch(/default: "auto"/);
    expect(help).toMatch(/default: number of cores/);
    // list defaults are shown as they are typed (a comma-separated list, not a JSON array)
    expect(help).toMatch(/--gammas <list> .*comma-separated \(default: 0,0\.5,1,2\)/);
    expect(help).toMatch(/default: 0\.25/);
    expect(help).toMatch(/default: 30/);
    expect(help).toMatch(/--top-k <list> .*comma-separated \(default: 5,25\)/);
    const ev = run(['eval', '--help']).stdout.replace(/\s+/g, ' ');
    expect(ev).toMatch(/Exit status: 0 ok, 1 bad input .* 2 bad usage\. Examples: soft-sampling eval /);
    const top = run(['--help']);
    expect(top.stdout).toMatch(/analyze/);
    expect(top.stdout).toMatch(/eval/);
  });

  test('eval: the official pycocotools printout for coco-val2014-100', () => {
    const r = run(['eval', '--gt', join(COCO100, 'instances_val2014_100.json'), '--dets', join(COCO100, 'instances_val2014_fakebbox100_results.json')]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(12);
    expect(lines[0]).toBe(' Average Precision (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.505');
    expect(lines.map((l) => l.slice(-5))).toEqual(['0.505', '0.697', '0.573', '0.586', '0.519', '0.501', '0.387', '0.594', '0.595', '0.640', '0.566', '0.564']);
  });

  test('eval without --gt/--dets evaluates the bundled data (VOC +1 convention on for it, as analyze does)', () => {
    const r = run(['eval', '--voc']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/mAP@0\.5 \(all-point\) = 0\.3104772/);
    const c = run(['eval', '--json']);
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout).AP).toBeCloseTo(0.1493, 4);
    const half = run(['eval', '--gt', join(CART, 'groundtruths_coco.json')]);
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/give both --gt and --dets/);
  });

  test('eval --voc: Cartucho mAP@0.5 = 0.3104772 with the VOC +1 convention', () => {
    const r = run(['eval', '--gt', join(CART, 'groundtruths_coco.json'), '--dets', join(CART, 'detections_coco.json'), '--voc', '--legacy-offset']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/mAP@0\.5 \(all-point\) = 0\.3104772/);
    expect(r.stdout).toMatch(/chair\s+AP 0\.5384/);
    const j = JSON.parse(run(['eval', '--gt', join(CART, 'groundtruths_coco.json'), '--dets', join(CART, 'detections_coco.json'), '--voc', '--legacy-offset', '--json', '--eleven-point']).stdout);
    expect(j.mAP).toBeCloseTo(0.3169650958569649, 10);
  });

  test('eval --gt-format voc takes the devkit +1 convention by default, as analyze does; --no-legacy-offset turns it off', () => {
    const voc = join(ROOT, 'data', 'cartucho-map-indoor85', 'voc');
    const args = ['eval', '--gt-format', 'voc', '--gt', join(voc, 'Annotations'), '--dets-format', 'voc', '--dets', join(voc, 'results'), '--voc'];
    const on = run(args);
    expect(on.code).toBe(0);
    expect(on.stdout).toMatch(/mAP@0\.5 \(all-point\) = 0\.3104772/);
    const off = run([...args, '--no-legacy-offset']);
    expect(off.code).toBe(0);
    expect(off.stdout).toMatch(/mAP@0\.5 \(all-point\) = 0\.3102969/);
  });

  test('a usage error is the message and a pointer to --help (exit 2), not the whole help text', () => {
    // a stray word, or a value given to a flag (`--anchors my_anchors.json`), is an error too, not ignored
    // each names the command as the CLI's own errors do; a yolo format without its --classes file is one too
    const yolo = join(ROOT, 'data', 'cartucho-map-indoor85', 'yolo');
    for (const [args, prefix] of [
      [['eval', '--dest', 'x'], 'soft-sampling eval: error: '], [['eval', '--gt-format', 'vocc'], 'soft-sampling eval: error: '],
      [['analyse'], 'soft-sampling: error: '], [['eval', 'extra-arg'], 'soft-sampling eval: error: '],
      [['analyze', '--anchors', 'nope'], 'soft-sampling analyze: error: '], [['bench', '--threads', '0'], 'soft-sampling bench: error: '],
      [['eval', '--gt', join(ROOT, 'data', 'cartucho-map-indoor85', 'coco', 'groundtruths_coco.json'), '--dets-format', 'yolo', '--dets', yolo], 'soft-sampling eval: error: --dets-format yolo needs --classes'],
    ] as const) {
      const r = run([...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.startsWith(prefix)).toBe(true);
      if (!prefix.includes('--classes')) expect(r.stderr).toMatch(/\(run with --help for usage\)\n$/);
      expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
      expect(r.stderr).not.toMatch(/Options:/);
    }
  });

  test('eval piped into a reader that stops early (| head -1) ends quietly, exit 0', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" eval | head -1; exit \${PIPESTATUS[0]}`], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/^ Average Precision/);
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at |Unhandled/);
    expect(r.status).toBe(0);
  });
});

describe('--out is never a destructive target', () => {
  test('a non-empty directory that is not a report, or a path under a file is refused (exit 2) and left as it was', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ss-out-'));
    try {
      writeFileSync(join(dir, 'mine.txt'), 'keep');
      const r1 = run(['analyze', '--out', dir, '-q', '--no-png']);
      expect(r1.code).toBe(2);
      expect(r1.stderr).toMatch(/not a soft-sampling report .*refusing/);
      expect(readFileSync(join(dir, 'mine.txt'), 'utf8')).toBe('keep');
      const r2 = run(['analyze', '--out', join(dir, 'mine.txt'), '-q', '--no-png']);
      expect(r2.code).toBe(2);
      expect(r2.stderr).toMatch(/not a directory; refusing/);
      expect(readFileSync(join(dir, 'mine.txt'), 'utf8')).toBe('keep');
      // a path under a file is refused; a missing parent is created (fresh clone: --out out/analyze)
      const r3 = run(['analyze', '--out', join(dir, 'mine.txt', 'sub', 'rep'), '-q', '--no-png']);
      expect(r3.code).toBe(2);
      expect(r3.stderr).toMatch(/mine\.txt is not a directory/);
      const r4 = run(['analyze', '--out', join(dir, 'no', 'such', 'rep'), '-q', '--no-png']);
      expect(r4.code).toBe(0);
      expect(readdirSync(join(dir, 'no', 'such', 'rep'))).toContain('summary.json');
      // a previous report is replaced
      const rep = join(dir, 'rep');
      expect(run(['analyze', '--out', rep, '-q', '--no-png']).code).toBe(0);
      expect(run(['analyze', '--out', rep, '-q', '--no-png']).code).toBe(0);
      expect(readdirSync(rep)).toContain('summary.json');
      expect(run(['analyze', '--workers', '100000', '-q']).code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120000);
});

describe('edge cases are reports, not crashes (exit 0)', () => {
  const G = join(CART, 'groundtruths_coco.json'), D = join(CART, 'detections_coco.json');
  const cart = () => JSON.parse(readFileSync(G, 'utf8'));
  function analyze(g: string, d: string) {
    const out = join(dir, `edge-${Math.random().toString(36).slice(2)}`);
    const r = run(['analyze', '--gt', g, '--dets', d, '--out', out, '-q', '--workers', '0', '--no-png']);
    return { ...r, out, summary: r.code === 0 ? JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) : null, md: r.code === 0 ? readFileSync(join(out, 'report.md'), 'utf8') : '' };
  }
  test('empty detections list: the report says so, the analyses are "empty", exit 0', () => {
    const r = analyze(G, write('empty.json', []));
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/error/);
    // said on the terminal too, not only in the report (and by eval)
    expect(r.stderr).toMatch(/^soft-sampling analyze: note: the detections list is empty/m);
    const e = run(['eval', '--gt', G, '--dets', write('empty-eval.json', [])]);
    expect(e.code).toBe(0);
    expect(e.stderr).toMatch(/^soft-sampling eval: note: the detections list is empty/m);
    expect(r.summary.notes.join('\n')).toMatch(/the detections list is empty/);
    expect(r.summary.analyses.find((a: any) => a.id === 'focal_loss_cdf')).toMatchObject({ status: 'empty', missing: expect.stringMatching(/no detections/) });
    expect(r.md).toMatch(/\*\*Not drawn:\*\* no detections/);
    // every CSV is a table of no rows with its header (not an empty file), the same header as with rows
    const full = analyze(G, D);
    for (const f of readdirSync(r.out).filter((x) => x.endsWith('.csv'))) {
      const header = (p: string) => readFileSync(p, 'utf8').split('\n')[0];
      expect({ f, header: header(join(r.out, f)) }).toEqual({ f, header: header(join(full.out, f)) });
      expect(header(join(r.out, f)).length).toBeGreaterThan(5);
    }
  }, 60000);
  test('ground truth without annotations: exit 0, PR chart not drawn, detection charts drawn', () => {
    const r = analyze(write('noann.json', { ...cart(), annotations: [] }), D);
    expect(r.code).toBe(0);
    const st = Object.fromEntries(r.summary.analyses.map((a: any) => [a.id, a.status]));
    expect(st).toMatchObject({ focal_loss_cdf: 'ok', ghm_gradient_density: 'ok', pisa_prime_samples: 'empty', pisa_pr_rescored: 'empty', weights_vs_iou: 'empty' });
    expect(existsSync(join(r.out, 'focal_loss_cdf.svg'))).toBe(true);
    expect(r.summary.notes.join('\n')).toMatch(/no annotations/);
    // no positives: no weight means (GHM-C's was a made-up 1), and the PISA caption says there is nothing to select
    expect(JSON.parse(readFileSync(join(r.out, 'weights_vs_iou.json'), 'utf8')).means).toEqual({});
    expect(readFileSync(join(r.out, 'report.md'), 'utf8')).toContain('No detection is a positive here, so there is nothing to select or draw.');
    expect(readFileSync(join(r.out, 'report.md'), 'utf8')).not.toContain('all 0 positives');
    // user files: no `bundled` flag in summary.json's inputs
    expect(r.summary.inputs).not.toHaveProperty('bundled');
  });
  test('classes with no gt or no detections are named in the report; warnings for detections of classes without gt', () => {
    const r = analyze(G, D);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: 44 detections are for 8 categories absent from the gt .*refrigerator/);
    expect(r.summary.warnings.join('\n')).toMatch(/absent from the gt/);
    expect(r.summary.notes.join('\n')).toMatch(/categories have gt boxes but no detections \(AP 0\)/);
  });
  test('a gt bbox beyond float32 range: one line naming file, record and field; exit 1', () => {
    const g = cart();
    g.annotations[3].bbox = [1, 1, 1e300, 1e300];
    expectBad(g, JSON.parse(readFileSync(D, 'utf8')), [/annotations\[3\] \(id 4\): field 'bbox' = \[1, 1, 1e\+300, 1e\+300\] has a corner beyond the float32 range/], 'gt');
  });
  test('duplicate annotation ids are an error', () => {
    expectBad({ ...gt, annotations: [gt.annotations[0], { ...gt.annotations[1], id: 10 }] }, dets, [/annotations\[1\] \(id 10\)/, /duplicate annotation id 10/], 'gt');
  });
  test('warnings: xyxy boxes in a COCO results file, scores outside [0, 1]', () => {
    const g = { images: [{ id: 1, width: 100, height: 100 }], categories: [{ id: 1, name: 'a' }], annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [60, 60, 30, 30] }] };
    const xyxy = [{ image_id: 1, category_id: 1, bbox: [60, 60, 90, 90], score: 0.9 }, { image_id: 1, category_id: 1, bbox: [10, 10, 20, 20], score: 3.5 }];
    const r = run(['eval', '--gt', write('w-g.json', g), '--dets', write('w-d.json', xyxy)]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/1 of 2 detections .* reach outside their image: these boxes look like \[x1,y1,x2,y2\]; COCO results use \[x,y,w,h\]/);
    expect(r.stderr).toMatch(/1 of 2 detection scores lie outside \[0, 1\]/);
  });
});

describe('standard input and safe output', () => {
  test('--dets - reads standard input', () => {
    const r = spawnSync(process.execPath, [BIN, 'eval', '--gt', join(CART, 'groundtruths_coco.json'), '--dets', '-', '--voc', '--legacy-offset'], { encoding: 'utf8', input: readFileSync(join(CART, 'detections_coco.json'), 'utf8') });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/mAP@0\.5 \(all-point\) = 0\.3104772/);
    const bad = spawnSync(process.execPath, [BIN, 'eval', '--gt', join(CART, 'groundtruths_coco.json'), '--dets', '-'], { encoding: 'utf8', input: '[{"image_id": 1}' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^soft-sampling eval: error: <stdin>: /);
  });
  test('CSV cells beginning with = + - @ are escaped', () => {
    const g = { ...gt, categories: [{ id: 1, name: '=HYPERLINK("http://x","y")' }] };
    const out = join(dir, 'csv-out');
    expect(run(['analyze', '--gt', write('csv-g.json', g), '--dets', write('csv-d.json', dets), '--out', out, '-q', '--workers', '0', '--no-png']).code).toBe(0);
    const csv = readFileSync(join(out, 'eval_voc.csv'), 'utf8');
    expect(csv).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csv).not.toMatch(/(^|,)=HYPERLINK/m);
  });
  test('leftovers of killed runs (dead pids) are removed; a live pid’s are kept; old files of a report are replaced', () => {
    const base = mkdtempSync(join(tmpdir(), 'ss-stale-'));
    try {
      const rep = join(base, 'rep');
      // a pid that is surely dead: a child that has exited
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
      mkdirSync(join(base, `.rep.tmp-${dead}`));
      mkdirSync(join(base, `.rep.old-${dead}`));
      mkdirSync(join(base, `.rep.tmp-${process.pid}`));
      expect(run(['analyze', '--out', rep, '-q', '--no-png', '--workers', '0']).code).toBe(0);
      writeFileSync(join(rep, 'stale.csv'), 'x');
      expect(run(['analyze', '--out', rep, '-q', '--no-png', '--workers', '0']).code).toBe(0);
      expect(readdirSync(base).sort()).toEqual([`.rep.tmp-${process.pid}`, 'rep']);
      expect(readdirSync(rep)).not.toContain('stale.csv');
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
  test('a kill in the middle of replacing a report leaves --out present and still a report (3 of 3)', async () => {
    const base = mkdtempSync(join(tmpdir(), 'ss-kill-'));
    try {
      const rep = join(base, 'rep');
      expect(run(['analyze', '--out', rep, '-q', '--no-png', '--workers', '0']).code).toBe(0);
      for (let k = 0; k < 3; k++) {
        const { spawn } = await import('node:child_process');
        const child = spawn(process.execPath, [BIN, 'analyze', '--out', rep, '-q', '--no-png', '--workers', '0'], { env: { ...process.env, SOFT_SAMPLING_TEST_SWAP_DELAY_MS: '150' }, stdio: 'ignore' });
        // wait until the swap is under way: the temporary directory has given up some of its files
        const tmp = join(base, `.rep.tmp-${child.pid}`);
        let full = 0;
        for (let t = 0; t < 600; t++) {
          await new Promise((r) => setTimeout(r, 50));
          if (existsSync(tmp)) {
            const n = readdirSync(tmp).length;
            full = Math.max(full, n);
            if (full > 0 && n < full - 1) break;
          }
        }
        child.kill('SIGKILL');
        await new Promise((r) => child.on('exit', r));
        expect(existsSync(rep)).toBe(true);
        expect(readdirSync(rep)).toEqual(expect.arrayContaining(['summary.json', 'report.md']));
      }
      // the next run removes the dead runs' leftovers and completes the report
      expect(run(['analyze', '--out', rep, '-q', '--no-png', '--workers', '0']).code).toBe(0);
      expect(readdirSync(base)).toEqual(['rep']);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }, 120000);
});

describe('new-user findings of the packed-tarball trial (issue 9: one short line, no stack)', () => {
  const oneLine = (r: { stderr: string }) => {
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    return lines[0];
  };
  const EXPECTED = /--dense wants anchors \[A,4\] \(or grid\), logits \[N,A,C\], gt_boxes \[M,4\], gt_labels \[M\], gt_counts \[N\] \(or gt\), deltas \[N,A,4\] optional$/;

  test('--dense given COCO files, another .npz or a directory: "not a dense head output file" and what it wants, exit 1', () => {
    const out = join(dir, 'never-dense');
    const cases: [string, RegExp][] = [
      [join(CART, 'groundtruths_coco.json'), /\(it looks like a COCO dataset: that goes to --gt\)/],
      [join(COCO100, 'instances_val2014_100.json'), /\(it looks like a COCO dataset: that goes to --gt\)/],
      [join(CART, 'detections_coco.json'), /\(a JSON array, like a COCO results list: that goes to --dets\)/],
      [write('meta.json', { model: 'retinanet', epochs: 12 }), /\(a JSON object with model, epochs\)/],
      [CART, /\(a directory without anchors\.npy, logits\.npy, …\)/],
    ];
    // an .npz of other arrays (a zip of .npy members; the bytes need not be valid .npy: they are never parsed)
    const { zipSync } = require('fflate') as typeof import('fflate');
    const npz = join(dir, 'weights.npz');
    writeFileSync(npz, zipSync({ 'conv1.npy': new Uint8Array(8), 'bn1.npy': new Uint8Array(8) }));
    cases.push([npz, /\(an \.npz with conv1\.npy, bn1\.npy\)/]);
    for (const [f, found] of cases) {
      const r = run(['analyze', '--dense', f, '--out', out, '-q']);
      expect(r.code).toBe(1);
      const line = oneLine(r);
      expect(line.startsWith(`soft-sampling analyze: error: ${f}: not a dense head output file (`)).toBe(true);
      expect(line).toMatch(found);
      expect(line).toMatch(EXPECTED);
      expect(line.length).toBeLessThan(300 + f.length);
      expect(existsSync(out)).toBe(false);
    }
    // a dense file missing one array names it and what the whole file should hold
    const partial = write('partial.json', { anchors: [[0, 0, 8, 8]], logits: [[[0]]] });
    const r = run(['analyze', '--dense', partial, '--out', out, '-q']);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toMatch(/: missing array 'gt_boxes' \(--dense wants anchors \[A,4\]/);
  });

  test('long values in an error are cut (dense JSON, txt fields): the line stays short', () => {
    const long = 'x'.repeat(1000);
    const d = write('long.json', { anchors: [[0, 0, 8, 8]], logits: [[[0]]], gt_boxes: [[0, 0, 8, 8]], gt_labels: [0], gt_counts: [long] });
    const r1 = run(['analyze', '--dense', d, '--out', join(dir, 'never-long'), '-q']);
    expect(r1.code).toBe(1);
    expect(oneLine(r1)).toBe(`soft-sampling analyze: error: ${d}: gt_counts[0]: must be a finite number, got "${'x'.repeat(58)}… (1002 chars)`);
    const gtDir = join(dir, 'txt-gt'), detDir = join(dir, 'txt-dets');
    mkdirSync(gtDir);
    mkdirSync(detDir);
    writeFileSync(join(gtDir, 'a.txt'), `cat 0 ${long} 10 10\n`);
    writeFileSync(join(detDir, 'a.txt'), 'cat 0.9 0 0 10 10\n');
    const r2 = run(['eval', '--gt-format', 'txt', '--gt', gtDir, '--dets-format', 'txt', '--dets', detDir]);
    expect(r2.code).toBe(1);
    const line = oneLine(r2);
    expect(line).toMatch(/a\.txt: line 1: field '\w+' must be a finite number, got "x{58}… \(1002 chars\)$/);
    expect(line.length).toBeLessThan(200 + dir.length);
  });

  test('errorLine (every CLI error line): JSON-like values over 80 characters and lines over 400 are cut, short ones kept', () => {
    const rec = JSON.stringify({ segmentation: [Array.from({ length: 200 }, (_, i) => i + 0.25)], id: 1 });
    const line = errorLine(`f.json: annotations[0]: must be a finite number, got ${rec}`);
    expect(line).toBe(`f.json: annotations[0]: must be a finite number, got ${rec.slice(0, 60)}… (${rec.length.toLocaleString('en-US')} chars)`);
    expect(errorLine(`x: got "${'q'.repeat(100)}" and [1, 2]`)).toBe(`x: got "${'q'.repeat(59)}… (102 chars) and [1, 2]`);
    expect(errorLine('a.json: record [5] (id 7): field \'bbox\' must be [x, y, w, h]\nsecond line')).toBe("a.json: record [5] (id 7): field 'bbox' must be [x, y, w, h] second line");
    expect(errorLine('w '.repeat(300))).toBe(`${'w '.repeat(200)}… (200 more chars)`);
    expect(shown('x'.repeat(10))).toBe('"xxxxxxxxxx"');
    expect(shown({ a: 'y'.repeat(100) })).toBe(`{"a":"${'y'.repeat(53)}… (108 chars)`);
  });

  test('a directory given where a JSON file is read: says to name its format, exit 1', () => {
    const txt = join(ROOT, 'data', 'cartucho-map-indoor85', 'txt');
    const r = run(['eval', '--gt', join(txt, 'ground-truth'), '--dets', join(txt, 'detection-results')]);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toBe(`soft-sampling eval: error: ${join(txt, 'ground-truth')}: a directory, not a JSON file (for a directory of VOC .xml, YOLO or txt files name its format: --gt-format / --dets-format voc|yolo|txt)`);
  });

  const procFs = process.platform === 'linux' && existsSync('/proc/self');
  (procFs ? test : test.skip)('an --out where nothing can be created fails at the start (exit 2) naming --out and the path, not a temporary one', () => {
    for (const out of ['/proc/nope', '/proc/no/such/report']) {
      // the inputs are never read: a missing --gt file would be exit 1
      const r = run(['analyze', '--gt', join(dir, 'no-such-gt.json'), '--dets', join(dir, 'no-such-dets.json'), '--out', out, '-q']);
      expect(r.code).toBe(2);
      expect(oneLine(r)).toMatch(new RegExp(`^soft-sampling analyze: error: --out ${out}: cannot create the report in /proc \\(.*ENOENT\\)$`));
      expect(r.stderr).not.toMatch(/\.tmp-/);
      const rd = run(['analyze', '--dense', join(dir, 'no-such.npz'), '--out', out, '-q']);
      expect(rd.code).toBe(2);
      expect(rd.stderr).toMatch(/--out \/proc/);
    }
  });

  const canDenyWrite = process.platform !== 'win32' && typeof process.getuid === 'function' && process.getuid() !== 0;
  (canDenyWrite ? test : test.skip)('a read-only parent directory fails at the start (exit 2), and the check leaves nothing behind', () => {
    const ro = join(dir, 'read-only');
    mkdirSync(ro);
    require('node:fs').chmodSync(ro, 0o555);
    try {
      const r = run(['analyze', '--out', join(ro, 'report'), '-q']);
      expect(r.code).toBe(2);
      expect(oneLine(r)).toMatch(/--out .*read-only\/report: cannot create the report in .*read-only \(permission denied, EACCES\)/);
    } finally {
      require('node:fs').chmodSync(ro, 0o755);
    }
  });

  (process.platform !== 'win32' ? test : test.skip)('a dangling symbolic link as --out, or on its path, fails at the start (exit 2) naming --out, not after the work with the temporary directory', () => {
    // `ln -s nowhere rep`: the report could never be renamed onto the link (ENOTDIR), nor its parent created (ENOENT)
    const base = join(dir, 'dangling');
    mkdirSync(base);
    require('node:fs').symlinkSync(join(base, 'nowhere'), join(base, 'rep'));
    require('node:fs').symlinkSync(join(base, 'nowhere-either'), join(base, 'parent'));
    for (const [out, link] of [[join(base, 'rep'), join(base, 'rep')], [join(base, 'parent', 'rep'), join(base, 'parent')]]) {
      const r = run(['analyze', '--gt', join(dir, 'no-such-gt.json'), '--dets', join(dir, 'no-such-dets.json'), '--out', out, '-q']);
      expect(r.code).toBe(2);
      expect(oneLine(r)).toBe(`soft-sampling analyze: error: --out ${out}: ${link} is a symbolic link to ${join(base, link.endsWith('rep') ? 'nowhere' : 'nowhere-either')}, which does not exist (create it, or remove the link)`);
    }
    expect(readdirSync(base).sort()).toEqual(['parent', 'rep']);
  });

  (process.platform !== 'win32' ? test : test.skip)('a loop of symbolic links or a too-long name as --out: one line in words (exit 2), before the inputs are read', () => {
    const base = join(dir, 'loops');
    mkdirSync(base);
    require('node:fs').symlinkSync('loop', join(base, 'loop'));
    const bad = ['--gt', join(dir, 'no-such-gt.json'), '--dets', join(dir, 'no-such-dets.json'), '-q'];
    let r = run(['analyze', ...bad, '--out', join(base, 'loop')]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toBe(`soft-sampling analyze: error: --out ${join(base, 'loop')}: ${join(base, 'loop')} is a symbolic link to loop that leads back to itself (a loop of links; remove it)`);
    r = run(['analyze', ...bad, '--out', join(base, 'loop', 'rep')]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(/^soft-sampling analyze: error: --out .*loop\/rep: cannot create the report there \(a loop of symbolic links on the path, ELOOP\)$/);
    const long = join(base, 'n'.repeat(300), 'rep');
    r = run(['analyze', ...bad, '--out', long]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toBe(`soft-sampling analyze: error: --out ${long.slice(0, 77)}…: cannot create the report there (a name in the path is too long, ENAMETOOLONG)`);
    expect(readdirSync(base)).toEqual(['loop']);
  });

  // a directory on another file system than the link (tmpfs here): `out -> /mnt/data/report`
  const otherFs = (() => {
    try {
      const fs = require('node:fs');
      return process.platform === 'linux' && fs.statSync('/dev/shm').dev !== fs.statSync(tmpdir()).dev ? '/dev/shm' : undefined;
    } catch {
      return undefined;
    }
  })();
  (otherFs ? test : test.skip)('--out a symbolic link to a directory on another file system (empty, or a report): written there, exit 0 (was EXDEV after all the work)', () => {
    const fs = require('node:fs');
    const far = fs.mkdtempSync(join(otherFs!, 'ss-cli-far-'));
    try {
      const g = write('xdev-g.json', gt), d = write('xdev-d.json', dets);
      for (const name of ['empty', 'report']) {
        const real = join(far, name);
        fs.mkdirSync(real);
        const link = join(dir, `xdev-${name}`);
        fs.symlinkSync(real, link);
        for (let k = 0; k < (name === 'report' ? 2 : 1); k++) {
          const r = run(['analyze', '--gt', g, '--dets', d, '--out', link, '-q', '--workers', '0', '--no-png']);
          expect(r.stderr).not.toMatch(/error/);
          expect(r.code).toBe(0);
        }
        expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
        expect(fs.readdirSync(real)).toEqual(expect.arrayContaining(['summary.json', 'report.md']));
        expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
      }
    } finally {
      fs.rmSync(far, { recursive: true, force: true });
    }
  });

  test('a writable --out: the check leaves no directory behind when the run then fails on its input', () => {
    const base = join(dir, 'probe-base');
    mkdirSync(base);
    const r = run(['analyze', '--gt', join(dir, 'no-such-gt.json'), '--dets', join(dir, 'no-such-dets.json'), '--out', join(base, 'sub', 'report'), '-q']);
    expect(r.code).toBe(1);
    expect(readdirSync(base)).toEqual([]);
  });
});
