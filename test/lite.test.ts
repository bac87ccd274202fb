/**
 * soft-sampling/lite (ts/lite.ts over artifacts/soft_sampling_lite.wasm): the lean module carries
 * exactly the lite kernels, every lite op gives bit-identical results on the lean and on the full
 * module, the entry exports nothing outside the lite set, and a module missing a lite kernel is an
 * E_BACKEND naming it. The entry runs in an isolated module registry (it registers its own
 * loaders); "beside the entry" is mapped to artifacts/ by jest's moduleNameMapper.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { LITE_KERNELS } from '../ts/lite-kernels';
import { KERNEL_DECLS } from '../ts/kernels/modern';

type Lite = typeof import('../ts/lite');
type Full = typeof import('../ts/index');

const root = join(__dirname, '..');
const fullBytes = readFileSync(join(root, 'artifacts', 'soft_sampling.wasm'));
const liteBytes = readFileSync(join(root, 'artifacts', 'soft_sampling_lite.wasm'));
const kernelExports = (b: BufferSource): string[] =>
  WebAssembly.Module.exports(new WebAssembly.Module(b))
    .filter((e) => e.kind === 'function' && !e.name.startsWith('__') && !e.name.startsWith('ss_'))
    .map((e) => e.name)
    .sort();

let lite: Lite;
let liteCtx: any; // the lite registry's WasmCtx class
let full: Full;
jest.isolateModules(() => {
  lite = require('../ts/lite');
  liteCtx = require('../ts/backends/wasm/bindgen').WasmCtx;
});
jest.isolateModules(() => {
  full = require('../ts/index');
});

// "beside the entry" (test/stubs/beside-lite.ts) is this server: Node's fetch reads no file: URL
let server: Server;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/soft_sampling_lite.wasm') res.writeHead(200, { 'content-type': 'application/wasm' }).end(liteBytes);
    else res.writeHead(404).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  (globalThis as { __SS_LITE_WASM_BESIDE__?: string }).__SS_LITE_WASM_BESIDE__ = `http://127.0.0.1:${(server.address() as AddressInfo).port}/soft_sampling_lite.wasm`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('the lean wasm', () => {
  test('exports exactly the lite kernels (ts/lite-kernels.ts, which scripts/build-wasm.sh reads), and the full one a superset', () => {
    expect(kernelExports(liteBytes)).toEqual([...LITE_KERNELS].sort());
    const all = kernelExports(fullBytes);
    expect(all).toEqual(Object.values(KERNEL_DECLS).map((d) => d.wasm).sort());
    for (const k of LITE_KERNELS) expect(all).toContain(k);
    // the evaluator and the modern losses are gone, with the wasm-bindgen runtime kept
    expect(kernelExports(liteBytes)).not.toContain('coco_evaluate_variants');
    const names = WebAssembly.Module.exports(new WebAssembly.Module(liteBytes)).map((e) => e.name);
    for (const n of ['memory', '__wbindgen_start', 'ss_alloc', 'ss_free', '__wbindgen_externrefs', 'ss_simd_level']) expect(names).toContain(n);
    // the same glue drives it: its imports are a subset of the full module's
    const imp = (b: BufferSource) => WebAssembly.Module.imports(new WebAssembly.Module(b)).map((i) => `${i.module}.${i.name}`);
    for (const i of imp(liteBytes)) expect(imp(fullBytes)).toContain(i);
    expect(liteBytes.length).toBeLessThan(fullBytes.length * 0.7);
  });
});

describe('soft-sampling/lite', () => {
  test('before initWasm an op is an E_BACKEND naming initWasm (no pure-TS backend in this entry)', () => {
    let err: any;
    try {
      lite.bboxOverlaps([[0, 0, 10, 10]], [[5, 5, 15, 15]]);
    } catch (e) {
      err = e;
    }
    expect(err?.name).toBe('SoftSamplingError');
    expect(err.code).toBe('E_BACKEND');
    expect(String(err.message)).toMatch(/wasm: the lean wasm module is not instantiated yet: await initWasm\(\)/);
    expect(String(err.message)).toMatch(/ts: soft-sampling\/lite has no pure-TypeScript backend/);
    // one code prefix: the loaders' reasons are not SoftSamplingErrors of their own
    expect(String(err.message).match(/E_BACKEND/g)).toHaveLength(1);
  });

  test("useBackend('ts'): one E_BACKEND saying lite has no pure-TS backend and naming the full entry, not initWasm", () => {
    let e: any;
    try {
      lite.useBackend('ts');
    } catch (x) {
      e = x;
    }
    expect([e?.name, e?.code, e?.arg]).toEqual(['SoftSamplingError', 'E_BACKEND', 'name']);
    expect(e.message).toBe(
      "E_BACKEND name: backend 'ts' cannot be loaded: soft-sampling/lite has no pure-TypeScript backend (it runs on WebAssembly only, which keeps it small); the full entry 'soft-sampling' has one (in Workers, Deno and Bun: 'soft-sampling/edge')",
    );
    expect(e.message).not.toMatch(/initWasm/);
  });

  test('initWasm() without argument loads soft_sampling_lite.wasm beside the entry', async () => {
    const info = await lite.initWasm();
    expect(info.active).toBe('wasm');
    expect(Array.from(lite.bboxOverlaps([[0, 0, 10, 10]], [[5, 5, 15, 15]]).data)[0]).toBeCloseTo(25 / 175, 6);
  });

  test('a module without a lite kernel (the full entry given the lean wasm, too) is an E_BACKEND naming what is missing; the active module stays', async () => {
    // the lean module lacks eval_overlaps, coco_evaluate_variants, …: the full entries refuse it
    let err: any;
    try {
      full.initWasmSync(liteBytes);
    } catch (e) {
      err = e;
    }
    expect(err?.code).toBe('E_BACKEND');
    expect(err.arg).toBe('source');
    expect(err.message).toMatch(/lacks the kernels .*coco_evaluate_variants/);
    expect(err.message).toMatch(/soft_sampling_lite\.wasm carries only the kernels of 'soft-sampling\/lite'/);
    await expect(full.initWasm(liteBytes)).rejects.toMatchObject({ code: 'E_BACKEND', message: expect.stringMatching(/eval_overlaps/) });
    // our lean module with the export pisa_carl renamed (same length): ours, but lacking a lite kernel
    const name = Buffer.from('\x09pisa_carl', 'latin1');
    const at = liteBytes.indexOf(name);
    expect(at).toBeGreaterThan(0);
    const renamed = Buffer.from(liteBytes);
    renamed.write('\x09pisa_carX', at, 'latin1');
    let e1: any;
    try {
      lite.initWasmSync(renamed);
    } catch (e) {
      e1 = e;
    }
    expect(e1?.code).toBe('E_BACKEND');
    expect(e1.arg).toBe('source');
    expect(e1.message).toMatch(/^E_BACKEND source: initWasmSync cannot use a Buffer of \d+ bytes: the wasm module lacks the kernels pisa_carl; soft-sampling\/lite needs soft_sampling_lite\.wasm or the full soft_sampling\.wasm/);
    await expect(lite.initWasm(renamed)).rejects.toMatchObject({ code: 'E_BACKEND', message: expect.stringMatching(/lacks the kernels pisa_carl/) });
    // a module that is not ours at all
    let e2: any;
    try {
      lite.initWasmSync(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    } catch (e) {
      e2 = e;
    }
    expect(e2?.code).toBe('E_BACKEND');
    expect(lite.backendInfo().active).toBe('wasm');
    expect(Array.from(lite.boxConvert([[1, 2, 3, 4]], 'xyxy', 'xywh').data)).toEqual([1, 2, 2, 2]);
  });

  test('exports nothing outside the lite set', () => {
    const names = Object.keys(lite).sort();
    for (const gone of ['evaluateCoco', 'evaluateVoc', 'qualityFocalLoss', 'distributionFocalLoss', 'varifocalLoss', 'equalizedFocalLoss', 'balancedL1Loss', 'iouLoss', 'giouLoss', 'diouLoss', 'ciouLoss', 'atssAssign', 'taskAlignedAssign', 'createTfLosses', 'evaluateCocoAsync', 'atssAssignAsync']) {
      expect(names).not.toContain(gone);
    }
    // every export of the lite entry is one of the full entry's, with one exception set: none
    for (const n of names) expect(Object.keys(full)).toContain(n);
    expect(names).toEqual(
      [
        'AVG_EPS', 'REDUCTIONS', 'RETINANET_ANCHORS', 'SoftSamplingError', 'Tensor', 'asl1Loss', 'asl1LossAsync', 'assignTargets', 'assignTargetsAsync', 'backendInfo',
        'baseAnchors', 'bbox2delta', 'bbox2deltaAsync', 'bboxOverlaps', 'bboxOverlapsAsync', 'boxConvert', 'boxConvertAsync', 'carlLoss', 'carlLossAsync', 'createGhmState',
        'delta2bbox', 'delta2bboxAsync', 'focalLossStar', 'focalLossStarAsync', 'ghmcLoss', 'ghmcLossAsync', 'ghmrLoss', 'ghmrLossAsync', 'gridAnchors', 'hardNegativeMining',
        'hardNegativeMiningAsync', 'initWasm', 'initWasmSync', 'iouBalancedNegSample', 'iouBalancedNegSampleAsync', 'iouHlr', 'iouHlrAsync', 'isrN', 'isrNAsync', 'isrP', 'isrPAsync',
        'maxIouAssign', 'maxIouAssignAsync', 'ohemSample', 'ohemSampleAsync', 'randomSample', 'randomSampleAsync', 'reducer', 'setThreads', 'sigmoidCrossEntropy',
        'sigmoidCrossEntropyAsync', 'sigmoidFocalLoss', 'sigmoidFocalLossAsync', 'smoothL1Loss', 'smoothL1LossAsync', 'softmaxFocalLoss', 'softmaxFocalLossAsync', 'useBackend',
      ].sort(),
    );
  });

  // every lite op, on inputs from a fixed LCG; each result flattened to its bytes
  function everyOp(ss: Lite): Record<string, unknown> {
    let s = 99;
    const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const box = () => {
      const x = rnd() * 80, y = rnd() * 80;
      return [x, y, x + 2 + rnd() * 40, y + 2 + rnd() * 40];
    };
    const N = 64, C = 4, P = 200, G = 6;
    const logits = { data: Float32Array.from({ length: N * C }, () => (rnd() - 0.5) * 8), shape: [N, C] };
    const targets = { data: Float32Array.from({ length: N * C }, () => (rnd() < 0.2 ? 1 : 0)), shape: [N, C] };
    const labelsN = Int32Array.from({ length: N }, () => Math.floor(rnd() * (C + 1)));
    const priors = Array.from({ length: P }, box), gts = Array.from({ length: G }, box);
    const pred = { data: Float32Array.from({ length: N * 4 }, () => (rnd() - 0.5) * 2), shape: [N, 4] };
    const tgt = { data: Float32Array.from({ length: N * 4 }, () => (rnd() - 0.5) * 2), shape: [N, 4] };
    const assign = ss.maxIouAssign(priors, gts, { posIouThr: 0.5, negIouThr: 0.4, gtLabels: Int32Array.from({ length: G }, (_, i) => i % C) });
    const losses = Float32Array.from({ length: P }, () => rnd() * 3);
    const n = 30;
    const pisaIn = {
      labels: Int32Array.from({ length: n }, () => Math.floor(rnd() * C)),
      gtInds: Int32Array.from({ length: n }, () => Math.floor(rnd() * 5)),
      priors: priors.slice(0, n),
      bboxPred: { data: Float32Array.from({ length: n * 4 }, () => (rnd() - 0.5) * 0.4), shape: [n, 4] },
      bboxTargets: { data: Float32Array.from({ length: n * 4 }, () => (rnd() - 0.5) * 0.4), shape: [n, 4] },
    };
    const ghm1 = ss.ghmcLoss(logits, targets, { bins: 10, momentum: 0.75, state: ss.createGhmState(10) });
    const r: Record<string, unknown> = {
      iou: ss.bboxOverlaps(priors, gts),
      iof: ss.bboxOverlaps(priors, gts, { mode: 'iof' }),
      giou: ss.bboxOverlaps(priors, gts, { mode: 'giou' }),
      convert: ss.boxConvert(priors, 'xyxy', 'cxcywh'),
      enc: ss.bbox2delta(priors.slice(0, 20), gts.slice(0, 1).concat(priors.slice(1, 20)), { stds: [0.1, 0.1, 0.2, 0.2] }),
      dec: ss.delta2bbox(priors.slice(0, N), pred, { maxShape: [100, 120] }),
      base: ss.baseAnchors(16, [0.5, 1, 2], [8]),
      grid: ss.gridAnchors([[5, 4], [3, 2]], { strides: [8, 16], ratios: [0.5, 1, 2], octaveBaseScale: 4, scalesPerOctave: 3 }),
      assign,
      targets: ss.assignTargets({ gtInds: assign.gtInds, labels: assign.labels }, { numClasses: C }),
      ce: ss.sigmoidCrossEntropy(logits, targets),
      focal: ss.sigmoidFocalLoss(logits, targets, { alpha: 0.25, gamma: 2 }),
      focalLabels: ss.sigmoidFocalLoss(logits, labelsN, { alpha: 0.25, gamma: 2 }),
      flStar: ss.focalLossStar(logits, targets, { gamma: 2, beta: 1 }),
      softmax: ss.softmaxFocalLoss(logits, Int32Array.from(labelsN, (l) => l % C), { gamma: 2 }),
      ghm1,
      ghm2: ss.ghmcLoss(logits, targets, { bins: 10, momentum: 0.75, state: ghm1.state }),
      ghmr: ss.ghmrLoss(pred, tgt, { bins: 10, mu: 0.02 }),
      smoothL1: ss.smoothL1Loss(pred, tgt, { beta: 1 / 9 }),
      asl1: ss.asl1Loss(pred, tgt),
      random: ss.randomSample(assign, { num: 64, posFraction: 0.25, seed: 3 }),
      ohem: ss.ohemSample(assign, losses, { num: 64, posFraction: 0.25, addGtAsProposals: false }),
      iouBalanced: ss.iouBalancedNegSample(assign, { num: 64, posFraction: 0.25, seed: 5, addGtAsProposals: false }),
      hnm: ss.hardNegativeMining(losses, Int32Array.from({ length: P }, () => Math.floor(rnd() * (C + 1))), { numClasses: C }),
      hlr: ss.iouHlr(pisaIn),
      isrP: ss.isrP({ ...pisaIn, posLoss: Float32Array.from({ length: n }, () => 0.05 + rnd() * 2) }),
      isrPScores: ss.isrP({ ...pisaIn, clsScore: { data: Float32Array.from({ length: n * (C + 1) }, () => (rnd() - 0.5) * 6), shape: [n, C + 1] } }),
      carl: ss.carlLoss({ data: Float32Array.from({ length: n * (C + 1) }, () => (rnd() - 0.5) * 6), shape: [n, C + 1] }, pisaIn.labels, pisaIn.bboxPred, pisaIn.bboxTargets, { numClasses: C }),
      isrN: ss.isrN({ scores: Float32Array.from({ length: P }, () => rnd()), boxes: priors, loss: losses }, { numExpected: 48, seed: 2 }),
    };
    return r;
  }

  // plain, comparable form: typed arrays as their bytes (bit-identical, NaN-safe), numbers as bits
  const plain = (x: unknown): unknown => {
    if (ArrayBuffer.isView(x)) return Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('hex');
    if (typeof x === 'number') return Buffer.from(new Float64Array([x]).buffer).toString('hex');
    if (Array.isArray(x)) return x.map(plain);
    if (x && typeof x === 'object') {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(x).sort()) o[k] = plain((x as Record<string, unknown>)[k]);
      return o;
    }
    return x;
  };

  test('every lite op: bit-identical results on the lean and on the full wasm (accepted: a superset)', () => {
    lite.initWasmSync(liteBytes);
    const onLite = plain(everyOp(lite));
    const info = lite.initWasmSync(new WebAssembly.Module(fullBytes));
    expect(info.active).toBe('wasm');
    const onFull = plain(everyOp(lite));
    expect(onLite).toEqual(onFull);
    // the ops ran: values are real (a few spot checks against the full Node entry on native)
    const ref = everyOp(full as unknown as Lite) as any;
    const got = everyOp(lite) as any;
    expect(Array.from(got.iou.data as Float32Array).some((v) => v > 0)).toBe(true);
    expect(got.focal.loss).toBeCloseTo(ref.focal.loss, 5);
    expect(got.ghm2.loss).toBeCloseTo(ref.ghm2.loss, 5);
    expect(Array.from(got.random.posInds.data)).toEqual(Array.from(ref.random.posInds.data));
    expect(Array.from(got.isrN.indices.data)).toEqual(Array.from(ref.isrN.indices.data));
    lite.initWasmSync(liteBytes);
  });

  test('every lite kernel is reached by the ops compared above', () => {
    // WasmCtx.call runs every kernel call (its first argument: the kernel's name in KERNEL_DECLS)
    const called = new Set<string>();
    const spy = jest.spyOn(liteCtx.prototype, 'call').mockImplementation(function (this: any, ...a: unknown[]) {
      const [name, fn, args] = a as [string, (...x: unknown[]) => unknown, unknown[]];
      called.add((KERNEL_DECLS as Record<string, { wasm: string }>)[name]?.wasm ?? name);
      return fn.apply(undefined, args);
    });
    try {
      everyOp(lite);
    } finally {
      spy.mockRestore();
    }
    expect([...LITE_KERNELS].filter((k) => !called.has(k))).toEqual([]);
  });
});
