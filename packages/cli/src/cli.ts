/**
 * The `soft-sampling` command line (built to dist/cli.mjs, launched by bin/soft-sampling.mjs).
 *
 *   soft-sampling analyze [--gt <file> --dets <file>] [--out <dir>] ...
 *   soft-sampling eval --gt <file> --dets <file> [--voc] ...
 *   soft-sampling bench [--quick] [--ops ...] [--backends ...] [--threads ...] [--peers tfjs,torch] [--json]
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { availableParallelism, cpus } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, rmdirSync, statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { useBackend, backendInfo, type BackendName } from 'soft-sampling';
import { SoftSamplingError } from 'soft-sampling';
import { evaluateCocoParsed, evaluateVocParsed } from 'soft-sampling';
import { COCO_STAT_KEYS } from 'soft-sampling/internal';
import { readGroundTruth, readDetections, InputError, errorLine } from './analyze/read';
import { FORMATS, readGtAs, readDetsAs, type FormatOptions } from './analyze/formats';
import { runAnalyze, runDenseAnalyze } from './analyze/run';
import { checkOutputTarget } from './analyze/artifacts';
import { checkInputs } from './analyze/warnings';
import { groupByImage } from 'soft-sampling/internal';
import { OPS } from './bench/cases';
import { runBench, formatTable, defaultThreads, normSize, sizesOf } from './bench/run';
import { PEERS, type PeerName } from './bench/peers';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLED_DIR = join(ROOT, 'data', 'cartucho-map-indoor85', 'coco');
const BUNDLED = { gt: join(BUNDLED_DIR, 'groundtruths_coco.json'), dets: join(BUNDLED_DIR, 'detections_coco.json') };
const CORES = typeof availableParallelism === 'function' ? availableParallelism() : cpus().length;

function intArg(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `${name} must be an integer ≥ ${min}` : `${name} must be an integer in [${min}, ${max}]`);
    }
    return n;
  };
}
function numArg(name: string, lo: number, hi: number) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < lo || n > hi) throw new InvalidArgumentError(`${name} must be a number in [${lo}, ${hi}]`);
    return n;
  };
}
function listArg(name: string, lo: number, hi: number, integer = false) {
  return (v: string): number[] => {
    const xs = v.split(',').map((s) => Number(s.trim()));
    if (!xs.length || xs.some((x) => !Number.isFinite(x) || x < lo || x > hi || (integer && !Number.isInteger(x)))) {
      throw new InvalidArgumentError(`${name} must be a comma-separated list of ${integer ? 'integers' : 'numbers'} in [${lo}, ${hi}]`);
    }
    return xs;
  };
}

/** A comma-separated subset of `choices`. */
function listOf<T extends string>(name: string, choices: readonly T[]) {
  return (v: string): T[] => {
    const xs = v.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = xs.filter((x) => !choices.includes(x as T));
    if (!xs.length || bad.length) throw new InvalidArgumentError(`${name}: ${bad.length ? `unknown ${bad.join(', ')}; ` : ''}choose from ${choices.join(', ')}`);
    return [...new Set(xs)] as T[];
  };
}

function setBackend(name: string): void {
  if (name !== 'auto') useBackend(name as BackendName);
}

function fail(cmd: string, e: unknown): never {
  const prefix = `soft-sampling ${cmd}: error:`;
  const say = (m: string) => process.stderr.write(`${prefix} ${errorLine(m)}\n`);
  if (e instanceof InputError) say(e.message);
  else if (e instanceof SoftSamplingError) say(e.message);
  else if (e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && (e as NodeJS.ErrnoException).syscall) {
    // file-system errors (ENOENT, EISDIR, EACCES, ...): the message says what; no stack
    say(e.message);
  } else if (process.env.SOFT_SAMPLING_DEBUG) process.stderr.write(`${prefix} ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  else say(`internal error: ${e instanceof Error ? e.message : String(e)} (a bug: please report it; SOFT_SAMPLING_DEBUG=1 prints the stack)`);
  process.exit(1);
}

/**
 * Checks, before any input is read, that the report can be created where `--out` asks: the report
 * is written to `<parent>/.<name>.tmp-<pid>` and renamed at the end, so that directory is created
 * and removed here (in the nearest existing ancestor when the parent is still to be created, as
 * `mkdir -p` would). A read-only or pseudo file system (`/proc`), or no write permission, fails now
 * with the user's path instead of after all the work with the temporary one's. So does a dangling
 * symbolic link as `--out` or on its path (`existsSync` follows links and says "missing", but the
 * report can be neither renamed onto the link nor created under it).
 * @returns where to write the report: `--out`, or the directory it links to when it is a symbolic
 *   link (the temporary directory goes beside that one: beside the link, on another file system,
 *   renaming it in failed with EXDEV after all the work).
 * @throws Error `--out <path>: cannot create the report in <dir> (<code>)`, `--out <path>: <link> is
 *   a symbolic link to <where>, which does not exist`.
 */
function checkWritable(out: string): string {
  try {
    return checkWritablePath(out);
  } catch (e) {
    // a file-system error from a probe above (not one of the messages written there): in words
    const code = (e as NodeJS.ErrnoException).code;
    if (!code) throw e;
    const why = fsWhy(code) ?? (e as Error).message;
    throw new Error(`--out ${out.length > 80 ? out.slice(0, 77) + '…' : out}: cannot create the report there (${why}${why.includes(code) ? '' : `, ${code}`})`);
  }
}

/** A file-system error code in words (for `--out` messages), or undefined for the others. */
function fsWhy(code: string | undefined): string | undefined {
  return {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'a read-only file system',
    ENOSPC: 'no space left',
    ENAMETOOLONG: 'a name in the path is too long',
    ENOTDIR: 'a part of the path is a file, not a directory',
    ELOOP: 'a loop of symbolic links on the path',
  }[code ?? ''];
}

function checkWritablePath(out: string): string {
  const given = resolve(out);
  const dangling = (p: string) => {
    if (existsSync(p)) return;
    let link: string;
    try {
      if (!lstatSync(p).isSymbolicLink()) return;
      link = readlinkSync(p);
    } catch {
      return; // nothing there at all: created later, as `mkdir -p` would
    }
    let loop = false;
    try {
      statSync(p);
    } catch (e) {
      loop = (e as NodeJS.ErrnoException).code === 'ELOOP';
    }
    if (loop) throw new Error(`--out ${out}: ${p} is a symbolic link to ${link} that leads back to itself (a loop of links; remove it)`);
    throw new Error(`--out ${out}: ${p} is a symbolic link to ${link}, which does not exist (create it, or remove the link)`);
  };
  dangling(given);
  const target = lstatSync(given, { throwIfNoEntry: false })?.isSymbolicLink() ? realpathSync(given) : given;
  let dir = dirname(target);
  while (!existsSync(dir) && dirname(dir) !== dir) {
    dangling(dir);
    dir = dirname(dir);
  }
  const probe = dir === dirname(target) ? join(dir, `.${basename(target)}.tmp-${process.pid}`) : join(dir, `.soft-sampling-probe-${process.pid}`);
  try {
    mkdirSync(probe);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') {
      const why = code === 'ENOENT' ? 'the file system does not allow new directories there' : (fsWhy(code) ?? code ?? (e as Error).message);
      throw new Error(`--out ${out}: cannot create the report in ${dir} (${why}${code && why !== code ? `, ${code}` : ''})`);
    }
    return target === given ? out : target; // ours from an earlier check of this process: the writer replaces it
  }
  rmdirSync(probe);
  return target === given ? out : target;
}

function inputs(opts: { gt?: string; dets?: string; gtFormat?: string; detsFormat?: string; classes?: string }, cmd: string): { gt: string; dets: string; bundled: boolean } {
  // a missing option is a usage error (exit 2), found before any file is read
  if ((opts.gtFormat === 'yolo' || opts.detsFormat === 'yolo') && !opts.classes) {
    process.stderr.write(`soft-sampling ${cmd}: error: --${opts.gtFormat === 'yolo' ? 'gt' : 'dets'}-format yolo needs --classes <file> (one class name per line; line k names class index k)\n`);
    process.exit(2);
  }
  if (!opts.gt && !opts.dets) return { ...BUNDLED, bundled: true };
  if (!opts.gt || !opts.dets) {
    process.stderr.write(`soft-sampling ${cmd}: error: give both --gt and --dets (or neither, for the bundled data)\n`);
    process.exit(2);
  }
  return { gt: opts.gt!, dets: opts.dets!, bundled: false };
}

function progressBar(enabled: boolean) {
  if (!enabled) return undefined;
  let bar: cliProgress.SingleBar | undefined;
  return {
    start(total: number, label: string) {
      bar?.stop();
      bar = new cliProgress.SingleBar({ format: `${label.padEnd(10)} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`, stream: process.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
      bar.start(total, 0);
    },
    update(done: number) {
      bar?.update(done);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

/** The input-format options shared by analyze and eval. */
function formatOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--gt-format <f>', 'ground-truth format: coco (JSON file), voc (directory of Pascal VOC .xml), yolo (directory of normalised <class> <cx> <cy> <w> <h> .txt), txt (directory of <class> <x1> <y1> <x2> <y2> [difficult] .txt)').choices([...FORMATS]).default('coco'))
    .addOption(new Option('--dets-format <f>', 'detections format: coco (JSON results list, or - for stdin), voc (devkit results directory, comp4_det_<set>_<class>.txt: <image> <score> <xmin> <ymin> <xmax> <ymax>), yolo (directory of <class> <cx> <cy> <w> <h> <score> .txt), txt (directory of <class> <score> <x1> <y1> <x2> <y2> .txt)').choices([...FORMATS]).default('coco'))
    .option('--classes <file>', 'yolo: class names, one per line (line k = class index k)')
    .option('--image-sizes <file>', 'yolo, txt --coords relative: image sizes, lines <image> <width> <height>')
    .option('--images <dir>', 'yolo, txt --coords relative: the images, whose sizes are read from their headers')
    .addOption(new Option('--box-format <f>', 'txt: the four box numbers are x1 y1 x2 y2 (xyxy) or x y w h (xywh)').choices(['xyxy', 'xywh']).default('xyxy'))
    .addOption(new Option('--coords <c>', 'txt: absolute pixels or relative (fractions of the image size)').choices(['absolute', 'relative']).default('absolute'));
}

function fmtOpts(opts: Record<string, unknown>): FormatOptions {
  return { classes: opts.classes as string | undefined, imageSizes: opts.imageSizes as string | undefined, images: opts.images as string | undefined, boxFormat: opts.boxFormat as 'xyxy' | 'xywh', coords: opts.coords as 'absolute' | 'relative' };
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('soft-sampling')
    .description('Soft and hard sample weighting for object detection: evaluate detections and see what Focal Loss, GHM and PISA do to them.')
    .version(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version)
    // a usage error is one line (commander's message) and a pointer to --help, not the whole help
    .showHelpAfterError('(run with --help for usage)')
    // `--anchors my_anchors.json` (a flag given a value) or a stray word is an error, not ignored
    .allowExcessArguments(false)
    // usage errors (unknown option, bad value) exit with 2; help and version with 0
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  formatOptions(program
    .command('analyze'))
    .description('Evaluate detections against ground truth (COCO + VOC AP) and write the Focal Loss / GHM / PISA analyses as JSON, CSV, SVG/PNG charts and report.html / report.md. Without --gt/--dets: the bundled data (data/cartucho-map-indoor85, 85 images, 686 gt boxes, 494 real detections).')
    .option('--gt <path>', 'ground truth: a COCO dataset JSON (images, annotations, categories), or a directory for --gt-format voc/yolo/txt (default: bundled data/cartucho-map-indoor85/coco/groundtruths_coco.json)')
    .option('--dets <path>', 'detections: a COCO results JSON (list of {image_id, category_id, bbox: [x, y, w, h], score}; - reads stdin), or a directory for --dets-format voc/yolo/txt (default: bundled data/cartucho-map-indoor85/coco/detections_coco.json)')
    .option('--out <dir>', 'output directory; written to a temporary directory beside it and renamed at the end', 'soft-sampling-report')
    .addOption(new Option('--backend <name>', 'kernel backend').choices(['auto', 'native', 'wasm', 'ts']).default('auto'))
    .option('--workers <n>', `worker threads for the per-image anchor statistics of --anchors, 0…256; 0 = in the main thread (default: number of cores, ${CORES} here)`, intArg('--workers', 0, 256))
    .option('--dense <file>', "dense mode: a detection head's per-anchor outputs (.npz, a directory of .npy, or .json: anchors [A,4] or grid, logits [N,A,C], deltas [N,A,4]?, gt_boxes [M,4], gt_labels [M], gt_counts [N]) → Focal Loss fig. 4, GHM figs. 2–3, the easy-negative loss share and IoU-HLR vs score over ALL anchors (instead of --gt/--dets)")
    .option('--anchors', 'also run anchors mode: RetinaNet anchors over every image assigned to the gt boxes (MaxIoU 0.5/0.4, minPosIou 0), positives per gt, IoU distribution, IoU-HLR', false)
    .option('--legacy-offset', 'VOC matching with the +1 pixel convention (boxes are inclusive integer corners) (default: on for the bundled data and --gt-format voc, off otherwise)')
    .option('--no-legacy-offset', 'force the COCO convention (no +1) for the VOC matching')
    .addOption(new Option('--gammas <list>', 'focal-loss γ values of the CDF figure, comma-separated').argParser(listArg('--gammas', 0, 10)).default([0, 0.5, 1, 2], '0,0.5,1,2'))
    .option('--alpha <a>', 'focal-loss α', numArg('--alpha', 0, 1), 0.25)
    .option('--ghm-bins <n>', 'GHM-C gradient-density bins (GHM paper: 30; mmdet default: 10)', intArg('--ghm-bins', 1), 30)
    .option('--pisa-k <n>', 'samples per set (random / hard / prime) in the IoU–loss figure', intArg('--pisa-k', 1), 20)
    .addOption(new Option('--top-k <list>', 'per-image numbers of top IoU-HLR positives whose scores are raised (PISA fig. 2), comma-separated').argParser(listArg('--top-k', 1, 1e6, true)).default([5, 25], '5,25'))
    .option('--seed <n>', 'seed of the random-sample selection', intArg('--seed', 0), 0)
    .option('--no-png', 'skip the PNG charts, write SVG only (default: PNG and SVG)')
    .option('-q, --quiet', 'no progress bar and no summary on stdout', false)
    .addHelpText(
      'after',
      `
Output (in --out): report.html (self-contained) and report.md; per analysis <id>.json, <id>.csv,
<id>.svg, <id>.png and the Vega-Lite spec <id>.vl.json; eval_coco.*, eval_voc.*, samples.csv,
summary.json. Analyses: focal_loss_cdf, ghm_gradient_density, ghm_reweighted_gradient,
pisa_prime_samples, pisa_pr_rescored, weights_vs_iou (+ anchors_* with --anchors). With --dense:
dense_focal_loss_cdf, dense_ghm_gradient_density, dense_ghm_reweighted_gradient,
dense_easy_negative_share, dense_iou_hlr_score. Warnings about likely mistakes go to stderr and the report.
Inputs are streamed record by record (line by line for txt/yolo/voc). Exit status: 0 ok, 1 bad input
(the message names the file, the record or line and the field; nothing is written), 2 bad usage.

Examples:
  soft-sampling analyze --out report                      # the bundled real data
  soft-sampling analyze --gt instances_val2017.json --dets my_results.json --out report --anchors
  soft-sampling analyze --gt-format voc --gt VOC2007/Annotations --dets-format voc --dets results/ --out report
  soft-sampling analyze --gt-format yolo --gt labels/ --classes classes.txt --images images/ --dets-format yolo --dets runs/labels/ --out report
  my_detector | soft-sampling eval --gt instances_val2017.json --dets -
  soft-sampling analyze --dense head_outputs.npz --out report
  soft-sampling eval --gt instances_val2017.json --dets my_results.json`,
    )
    .action(async (opts) => {
      try {
        setBackend(opts.backend);
        try {
          checkOutputTarget(opts.out);
          opts.out = checkWritable(opts.out);
        } catch (e) {
          process.stderr.write(`soft-sampling analyze: error: ${(e as Error).message}\n`);
          process.exit(2);
        }
        if (opts.dense) {
          if (opts.gt || opts.dets) {
            process.stderr.write('soft-sampling analyze: error: --dense takes the ground truth from the dense file; do not give --gt/--dets with it\n');
            process.exit(2);
          }
          const r = await runDenseAnalyze({ dense: opts.dense, out: opts.out, png: opts.png, gammas: opts.gammas, alpha: opts.alpha, ghmBins: opts.ghmBins, pisaK: opts.pisaK, topK: opts.topK, seed: opts.seed, legacyOffset: false });
          if (!opts.quiet) process.stdout.write(`soft-sampling analyze --dense: ${r.counts.images} images × ${r.counts.anchorsPerImage} anchors × ${r.counts.classes} classes (${r.counts.positiveAnchors} positive anchors)\n${r.summary.filter((l) => /easy negatives carry/.test(l)).join('\n')}\nwrote ${r.files.length} files to ${r.out}/ (open report.html or report.md)\n`);
          return;
        }
        // The main job's live data is small next to what it allocates and drops (parsed records, CSV
        // lines, chart data): V8's default heap growth (up to ~4× the live size after each full GC)
        // lets that garbage take the peak RSS to ~650 MB (15× the input) on 500k detections. Growing
        // the old generation by 60 % at a time kept it at ~360 MB (8×, issue 9: ≤ 10×) for ~10 % more
        // CPU time (30 %: ~400 MB; 100 %: ~410 MB, measured on bench/analyze-scale.mjs's set). The
        // flag is read at every GC, so setting it now (before the inputs are read) takes effect.
        setFlagsFromString('--heap-growing-percent=60');
        const inp = inputs(opts, 'analyze');
        const workers: number = opts.workers ?? CORES;
        // the VOC devkit's boxes are inclusive pixel corners: +1 by default for voc gt and the bundled data
        const legacyOffset: boolean = opts.legacyOffset ?? (inp.bundled || opts.gtFormat === 'voc');
        const rel = (p: string) => (inp.bundled ? relative(ROOT, p) : p);
        const res = await runAnalyze({
          gt: inp.gt,
          dets: inp.dets,
          gtFormat: opts.gtFormat,
          detsFormat: opts.detsFormat,
          formatOptions: fmtOpts(opts),
          gtLabel: rel(inp.gt),
          detsLabel: rel(inp.dets),
          bundled: inp.bundled,
          out: opts.out,
          workers,
          backend: opts.backend,
          anchors: opts.anchors,
          png: opts.png,
          gammas: opts.gammas,
          alpha: opts.alpha,
          ghmBins: opts.ghmBins,
          pisaK: opts.pisaK,
          topK: opts.topK,
          seed: opts.seed,
          legacyOffset,
          workerFile: new URL('./worker.mjs', import.meta.url),
          progress: progressBar(!opts.quiet && !!process.stderr.isTTY),
          warn: (w: string) => process.stderr.write(`soft-sampling analyze: warning: ${w}\n`),
          note: (n: string) => process.stderr.write(`soft-sampling analyze: note: ${n}\n`),
        });
        if (!opts.quiet) {
          const s = res.coco;
          process.stdout.write(
            `soft-sampling analyze: ${res.positives} positives, ${res.negatives} negatives; VOC mAP@0.5 ${res.vocMAP.toFixed(4)}; COCO AP ${s.AP.toFixed(4)}, AP50 ${s.AP50.toFixed(4)}, AP75 ${s.AP75.toFixed(4)}\n` +
              `wrote ${res.files.length} files to ${res.out}/ (open report.html or report.md)\n`,
          );
        }
      } catch (e) {
        fail('analyze', e);
      }
    });

  formatOptions(program
    .command('eval'))
    .description('Print the COCO 12-number summary (pycocotools semantics) or, with --voc, the VOC per-class AP and mAP. Without --gt/--dets: the bundled data (data/cartucho-map-indoor85).')
    .option('--gt <path>', 'ground truth (a COCO JSON file, or a directory for --gt-format voc/yolo/txt) (default: the bundled data, with --dets)')
    .option('--dets <path>', 'detections (a COCO results JSON file or - for stdin, or a directory for --dets-format voc/yolo/txt) (default: the bundled data, with --gt)')
    .option('--voc', 'PASCAL VOC AP per class and mAP instead of the COCO summary', false)
    .option('--iou-threshold <t>', 'VOC IoU threshold', numArg('--iou-threshold', 0, 1), 0.5)
    .option('--eleven-point', 'VOC2007 11-point interpolation instead of all-point', false)
    .option('--legacy-offset', 'VOC +1 pixel convention (inclusive integer corners) (default: on for the bundled data and --gt-format voc, off otherwise)')
    .option('--no-legacy-offset', 'force the COCO convention (no +1) for the VOC matching')
    .option('--json', 'print JSON instead of text', false)
    .addOption(new Option('--backend <name>', 'kernel backend').choices(['auto', 'native', 'wasm', 'ts']).default('auto'))
    .addHelpText(
      'after',
      `
Exit status: 0 ok, 1 bad input (the message names the file, the record or line and the field), 2 bad usage.

Examples:
  soft-sampling eval                                       # the bundled data: COCO summary
  soft-sampling eval --gt instances_val2017.json --dets my_results.json
  soft-sampling eval --gt instances.json --dets my_results.json --voc --iou-threshold 0.5 --json
  soft-sampling eval --gt-format voc --gt VOC2007/Annotations --dets-format voc --dets results/ --voc
  my_detector | soft-sampling eval --gt instances_val2017.json --dets -`,
    )
    .action((opts) => {
      try {
        setBackend(opts.backend);
        const inp = inputs(opts, 'eval');
        const g = readGtAs(opts.gtFormat, inp.gt, fmtOpts(opts), readGroundTruth);
        const d = readDetsAs(opts.detsFormat, inp.dets, g, fmtOpts(opts), readDetections);
        const checks = checkInputs(g, groupByImage(g, d));
        for (const w of checks.warnings) process.stderr.write(`soft-sampling eval: warning: ${w}\n`);
        for (const n of checks.emptyInputs) process.stderr.write(`soft-sampling eval: note: ${n}\n`);
        if (opts.voc) {
          // the same default as analyze: the devkit's +1 for VOC XML ground truth and the bundled data
          const legacyOffset: boolean = opts.legacyOffset ?? (inp.bundled || opts.gtFormat === 'voc');
          const r = evaluateVocParsed(g, d, { iouThreshold: opts.iouThreshold, interpolation: opts.elevenPoint ? '11-point' : 'all-point', legacyOffset });
          if (opts.json) process.stdout.write(JSON.stringify({ mAP: r.mAP, iouThreshold: r.iouThreshold, interpolation: r.interpolation, classes: r.classes.map(({ precision, recall, ...c }) => c) }, null, 2) + '\n');
          else {
            const w = Math.max(5, ...r.classes.map((c) => c.name.length));
            for (const c of r.classes) process.stdout.write(`${c.name.padEnd(w)}  AP ${c.ap < 0 ? '   n/a' : c.ap.toFixed(4)}  gt ${String(c.nGt).padStart(4)}  det ${String(c.nDet).padStart(5)}  tp ${String(c.tp).padStart(5)}  fp ${String(c.fp).padStart(5)}\n`);
            process.stdout.write(`mAP@${r.iouThreshold} (${r.interpolation}) = ${r.mAP.toFixed(7)}\n`);
          }
        } else {
          const r = evaluateCocoParsed(g, d);
          if (opts.json) process.stdout.write(JSON.stringify(r.stats, null, 2) + '\n');
          else {
            const lines: [string, string, string, string][] = [
              ['Precision', '0.50:0.95', '   all', '100'], ['Precision', '0.50     ', '   all', '100'], ['Precision', '0.75     ', '   all', '100'],
              ['Precision', '0.50:0.95', ' small', '100'], ['Precision', '0.50:0.95', 'medium', '100'], ['Precision', '0.50:0.95', ' large', '100'],
              ['Recall   ', '0.50:0.95', '   all', '  1'], ['Recall   ', '0.50:0.95', '   all', ' 10'], ['Recall   ', '0.50:0.95', '   all', '100'],
              ['Recall   ', '0.50:0.95', ' small', '100'], ['Recall   ', '0.50:0.95', 'medium', '100'], ['Recall   ', '0.50:0.95', ' large', '100'],
            ];
            COCO_STAT_KEYS.forEach((k, i) => {
              const [t, iou, area, md] = lines[i];
              const short = t.startsWith('P') ? '(AP)' : '(AR)';
              process.stdout.write(` Average ${t} ${short} @[ IoU=${iou} | area=${area} | maxDets=${md} ] = ${r.stats[k].toFixed(3)}\n`);
            });
          }
        }
      } catch (e) {
        fail('eval', e);
      }
    });

  program
    .command('bench')
    .description('Throughput of every op family at standard sizes on this machine: each available backend (native, wasm, ts) and, on native, each thread count; throughput, ratio to the ts backend and parallel efficiency as a table (or --json). Optional peers on the same inputs: @tensorflow/tfjs, PyTorch (CPU).')
    .option('--ops <list>', `op families, comma-separated (default: all): ${OPS.map((o) => o.id).join(', ')}`, listOf('--ops', OPS.map((o) => o.id)))
    .option('--sizes <list>', `standard sizes to keep, comma-separated labels as in the table (e.g. 100k×50 or 100kx50; default: all sizes of each op; with --quick the quick sizes)`, (v: string) => v.split(',').map(normSize).filter(Boolean))
    .option('--backends <list>', 'backends, comma-separated: native, wasm, ts (default: every available one)', listOf('--backends', ['native', 'wasm', 'ts']))
    .option('--threads <list>', `native thread counts, comma-separated integers in [1, 1024] (default: 1 and every core, ${CORES} here, when the library has thread control (setThreads); else 1)`, listArg('--threads', 1, 1024, true))
    .option('--peers <list>', 'also time the same inputs in: tfjs (@tensorflow/tfjs, if it resolves), torch (python3 with torch, if found); comma-separated', listOf('--peers', PEERS))
    .option('--quick', 'small sizes and short timings (a smoke run, seconds)', false)
    .option('--json', 'print the report as JSON (machine, library, rows with meanMs, perSecond, vsTs, efficiency) instead of the table', false)
    .option('-q, --quiet', 'no progress bar', false)
    .addHelpText('after', `
Units: pairs (IoU), elements (losses: N×C), anchors (assignment, samplers), positives (PISA),
detections (COCO evaluation). "× ts" is the throughput over the ts backend's on the same op and
size; parallel efficiency at t threads is throughput(t) / (t × throughput(1)). Timed with tinybench
(mean of at least 5 calls and 1 s per line; --quick: 2 calls, 0.1 s). The numbers depend on the
machine and its load: compare lines of one run.

Examples:
  soft-sampling bench --quick
  soft-sampling bench --ops iou,focal,ghmc --threads 1,2,4 --peers torch
  soft-sampling bench --ops assign --sizes 100kx50 --backends native,ts --json > bench.json`)
    .action(async (opts) => {
      try {
        const info = backendInfo();
        const backends = (opts.backends ?? info.available) as BackendName[];
        for (const b of backends) {
          if (!info.available.includes(b)) {
            process.stderr.write(`soft-sampling bench: error: backend ${b} is not available here (available: ${info.available.join(', ')})\n`);
            process.exit(2);
          }
        }
        const ops = opts.ops ? OPS.filter((o) => opts.ops.includes(o.id)) : OPS;
        if (opts.sizes) {
          const known = new Set(ops.flatMap((o) => sizesOf(o, opts.quick)).map((s) => normSize(s.label)));
          const bad = (opts.sizes as string[]).filter((s) => !known.has(s));
          if (bad.length) {
            process.stderr.write(`soft-sampling bench: error: --sizes ${bad.join(', ')}: not a${opts.quick ? ' quick' : ' standard'} size of the chosen ops (${[...known].join(', ')})\n`);
            process.exit(2);
          }
        }
        const tty = !opts.quiet && !opts.json && !!process.stderr.isTTY;
        let bar: cliProgress.SingleBar | undefined;
        const rep = await runBench({
          ops,
          sizes: opts.sizes,
          backends,
          threads: opts.threads ?? defaultThreads(),
          quick: opts.quick,
          peers: (opts.peers ?? []) as PeerName[],
          note: () => {}, // the notes end the table (or are in the JSON)
          progress: tty
            ? {
                start(total) {
                  bar = new cliProgress.SingleBar({ format: 'bench      [{bar}] {value}/{total} | {case} | {duration_formatted}', stream: process.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
                  bar.start(total, 0, { case: '' });
                },
                tick(label) {
                  bar?.increment(1, { case: label });
                },
                stop() {
                  bar?.stop();
                },
              }
            : undefined,
        });
        if (opts.json) process.stdout.write(JSON.stringify(rep, null, 2) + '\n');
        else process.stdout.write(formatTable(rep));
      } catch (e) {
        fail('bench', e);
      }
    });
  // commander's own usage errors (unknown option, bad value) carry the command's name like ours do
  // (subcommands share the program's output settings, so the name is the one being dispatched to)
  let current = '';
  program.hook('preSubcommand', (_program, sub) => {
    current = sub.name();
  });
  program.configureOutput({ outputError: (t, write) => write(t.startsWith('error:') ? `soft-sampling${current ? ` ${current}` : ''}: ${t}` : t) });
  return program;
}

// `soft-sampling eval | head -1`: the reader closed the pipe, the output is not wanted any more
// (as `cat` and `ls` do, end quietly instead of an unhandled 'error' event and its stack trace)
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

buildProgram()
  .parseAsync(process.argv)
  .catch((e) => fail('', e));
