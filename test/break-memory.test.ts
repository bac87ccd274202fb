/**
 * The last round's memory paths, pushed past their edges: the native output pool (src/pool.rs:
 * results ≥ 1 MiB as external buffers whose blocks come back when the result is collected) and the
 * wasm scratch arena (ts/backends/wasm: one block of linear memory reused by every call).
 * What must hold: a result is never changed by a later call (the pool must not lend a block a view
 * still reaches; the arena must copy outputs out), structuredClone / postMessage of a pooled buffer
 * give an independent copy, a synchronous loop past the pool's limits falls back to the JS heap
 * with the same answers, and a trapped wasm call leaves earlier results and later calls intact.
 */
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MessageChannel } from 'node:worker_threads';
import { useBackend, bboxOverlaps, sigmoidFocalLoss, varifocalLoss, SoftSamplingError } from '../ts/index';
import { getBackend } from '../ts/registry';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const addon = require(join(__dirname, '..', 'artifacts', `soft_sampling.${process.platform}-${process.arch}${process.platform === 'linux' ? '-gnu' : ''}.node`)) as { poolStats(): number[] };
/** Blocks served by the pool so far (returned early + by finalizer + still lent). */
const served = () => {
  const s = addon.poolStats();
  return s[4] + s[5] + s[3];
};
const turn = () => new Promise((r) => setImmediate(r));

let seed = 5;
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const boxes = (n: number, shift = 0) => {
  const b = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const x = rnd() * 100 + shift, y = rnd() * 100;
    b.set([x, y, x + 1 + rnd() * 50, y + 1 + rnd() * 50], 4 * i);
  }
  return b;
};
// 512 × 512 IoU = 2^18 float32 = 1 MiB: the smallest pooled output
const A = boxes(512), B = boxes(512), C = boxes(512, 7);
const same = (x: Float32Array, y: Float32Array) => x.length === y.length && Buffer.compare(Buffer.from(x.buffer, x.byteOffset, x.byteLength), Buffer.from(y.buffer, y.byteOffset, y.byteLength)) === 0;

afterAll(() => useBackend('auto'));

describe('native output pool', () => {
  beforeAll(() => useBackend('native'));

  test('a result survives later calls while only a view of it (subarray, Buffer, DataView) is kept', async () => {
    const s0 = served();
    const r = bboxOverlaps(A, B).data;
    expect(served()).toBe(s0 + 1); // it came from the pool
    const want = Float32Array.from(r);
    const sub = r.subarray(1000, 3000);
    const buf = Buffer.from(r.buffer, 4096, 8192);
    const dv = new DataView(r.buffer, 8, 16);
    const wantBuf = Buffer.from(buf), wantDv = dv.getFloat32(4, true);
    // drop the array itself; collect; many calls that want blocks of the same class
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    let drop: Float32Array | null = r;
    drop = null;
    for (let k = 0; k < 3; k++) {
      gc();
      await turn();
      for (let i = 0; i < 8; i++) bboxOverlaps(k % 2 ? C : A, B);
    }
    expect(same(sub, want.subarray(1000, 3000))).toBe(true);
    expect(Buffer.compare(buf, wantBuf)).toBe(0);
    expect(dv.getFloat32(4, true)).toBe(wantDv);
  });

  test('structuredClone and postMessage (with the buffer in the transfer list) give an independent copy', async () => {
    const r = bboxOverlaps(A, B).data;
    const want = Float32Array.from(r);
    const cloned = structuredClone(r);
    const moved = structuredClone(r.buffer, { transfer: [r.buffer] });
    // an external buffer is copied, not detached: the original stays usable
    expect(r.length).toBe(want.length);
    const ch = new MessageChannel();
    const got = new Promise<Float32Array>((res) => ch.port2.once('message', res));
    const r2 = bboxOverlaps(A, C).data;
    ch.port1.postMessage(r2, [r2.buffer as ArrayBuffer]);
    const posted = await got;
    ch.port1.close();
    const want2 = Float32Array.from(r2);
    // the pool takes its blocks back and lends them again; the copies must not change
    for (let k = 0; k < 3; k++) {
      gc();
      await turn();
      for (let i = 0; i < 6; i++) bboxOverlaps(C, k % 2 ? A : B);
    }
    expect(same(cloned, want)).toBe(true);
    expect(same(new Float32Array(moved), want)).toBe(true);
    expect(same(posted, want2)).toBe(true);
    expect(same(r, want)).toBe(true);
  });

  test('many live results at once: each its own block, all correct', () => {
    const keep: Float32Array[] = [];
    for (let i = 0; i < 48; i++) keep.push(bboxOverlaps(i % 2 ? A : C, B).data);
    const wantA = Float32Array.from(bboxOverlaps(A, B, { out: new Float32Array(512 * 512) }).data);
    const wantC = Float32Array.from(bboxOverlaps(C, B, { out: new Float32Array(512 * 512) }).data);
    expect(new Set(keep.map((k) => k.buffer)).size).toBe(48);
    keep.forEach((k, i) => expect(same(k, i % 2 ? wantA : wantC)).toBe(true));
  });

  test('a synchronous loop past the unfinalized limit (4096) falls back to the JS heap with the same answers, and recovers after a turn', async () => {
    gc();
    await turn();
    const want = Float32Array.from(bboxOverlaps(A, B).data);
    const s0 = served();
    let wrong = 0;
    // ~4200 calls without yielding: the finalizers of the dropped results cannot run
    const big = sigmoidFocalLoss({ data: new Float32Array(65536).fill(0.5), shape: [4096, 16] }, new Float32Array(4096));
    const wantGrad = Float32Array.from(big.grad!.data);
    for (let i = 0; i < 4200; i++) {
      const r = bboxOverlaps(A, B).data;
      if (i % 500 === 0 && !same(r, want)) wrong++;
    }
    const s1 = served();
    expect(wrong).toBe(0);
    // the pool served at most its limit of unfinalized arrays, the rest came from the JS heap
    expect(s1 - s0).toBeLessThanOrEqual(4096);
    expect(s1 - s0).toBeGreaterThan(100);
    expect(addon.poolStats()[6]).toBeLessThanOrEqual(4096);
    // after the event loop turns the finalizers run and the pool serves again
    for (let k = 0; k < 3; k++) {
      gc();
      await turn();
    }
    expect(addon.poolStats()[6]).toBeLessThan(100);
    const s2 = served();
    expect(same(bboxOverlaps(A, B).data, want)).toBe(true);
    expect(served()).toBe(s2 + 1);
    expect(same(big.grad!.data, wantGrad)).toBe(true);
  }, 30_000);

  test('blocks hidden from V8 stay within the quiet budget; past it V8 still collects a synchronous loop', async () => {
    const BUDGET = 256 * 2 ** 20;
    gc();
    await turn();
    // 20k×80 focal: two 6.4 MB outputs per call, 2.56 GB over 200 calls that never yield
    const x = { data: Float32Array.from({ length: 20_000 * 80 }, (_, i) => ((i * 37) % 101) / 10 - 5), shape: [20_000, 80] };
    const labels = Int32Array.from({ length: 20_000 }, (_, i) => (i % 7 ? 80 : i % 80));
    const want = sigmoidFocalLoss(x, labels, { out: { lossElements: new Float32Array(20_000 * 80), grad: new Float32Array(20_000 * 80) } });
    const wantGrad = Float32Array.from(want.grad.data);
    const s0 = served();
    let maxQuiet = 0, maxLent = 0, wrong = 0;
    for (let i = 0; i < 200; i++) {
      const r = sigmoidFocalLoss(x, labels);
      if (r.loss !== want.loss || (i % 50 === 0 && !same(r.grad.data, wantGrad))) wrong++;
      const st = addon.poolStats();
      maxQuiet = Math.max(maxQuiet, st[8]);
      maxLent = Math.max(maxLent, st[1]);
    }
    expect(wrong).toBe(0);
    expect(maxQuiet).toBeGreaterThan(0);
    expect(maxQuiet).toBeLessThanOrEqual(BUDGET);
    // V8 collected the dropped results during the loop: with no collection the pool would have
    // served 2 · 83 blocks (1 GiB of 12.8 MB calls) and then fallen back to the JS heap
    expect(served() - s0).toBeGreaterThan(200);
    expect(maxLent).toBeLessThanOrEqual(2 ** 30);
    for (let k = 0; k < 3; k++) {
      gc();
      await turn();
    }
    const last = sigmoidFocalLoss(x, labels); // reclaims what the collections freed
    const st = addon.poolStats();
    // left hidden: this result's two blocks and at most the loop's last result's
    expect(st[8]).toBeGreaterThanOrEqual(2 * 6_400_000);
    expect(st[8]).toBeLessThanOrEqual(Math.min(st[1], 4 * 6_400_000));
    expect(last.loss).toBe(want.loss);
    // a block over 64 MiB (IoU 4200×4200: 70.6 MB) is never hidden: V8 and the pool count it
    const q0 = addon.poolStats()[8];
    const big = bboxOverlaps(boxes(4200), boxes(4200, 3));
    expect(big.data.length).toBe(4200 * 4200);
    expect(addon.poolStats()[8]).toBe(q0);
  }, 30_000);
});

describe('wasm scratch arena', () => {
  beforeAll(() => useBackend('wasm'));

  test('a trap half-way re-instantiates the module: earlier results intact, later calls right, the arena usable at every size', () => {
    const small = bboxOverlaps(boxes(7), boxes(5)).data;
    const wantSmall = Float32Array.from(small);
    const large = bboxOverlaps(A, B).data; // grows the arena to > 1 MiB
    const wantLarge = Float32Array.from(large);
    // a call that traps (the module's test panic)
    let err: unknown;
    try {
      (getBackend() as unknown as { debugPanic(): void }).debugPanic();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SoftSamplingError);
    expect((err as SoftSamplingError).code).toBe('E_PANIC');
    expect(same(small, wantSmall)).toBe(true);
    expect(same(large, wantLarge)).toBe(true);
    // the fresh instance: small, then large (the arena grows again), then small
    expect(same(bboxOverlaps(A, B).data, wantLarge)).toBe(true);
    const x = { data: Float32Array.from({ length: 300 * 80 }, (_, i) => Math.sin(i)), shape: [300, 80] };
    const q = { data: Float32Array.from({ length: 300 * 80 }, (_, i) => (i % 7 === 0 ? (i % 5) / 5 : 0)), shape: [300, 80] };
    const v1 = varifocalLoss(x, q);
    useBackend('native');
    const vn = varifocalLoss(x, q);
    useBackend('wasm');
    expect(v1.loss).toBe(vn.loss);
    expect(same(v1.grad!.data, vn.grad!.data)).toBe(true);
  });

  test('inputs that are views at a byte offset, over a SharedArrayBuffer, or zero-length: same results as plain arrays', () => {
    const a = boxes(33), b = boxes(17);
    const want = Float32Array.from(bboxOverlaps(a, b).data);
    const off = new Float32Array(4 * 33 + 3);
    off.set(a, 3);
    const sab = new Float32Array(new SharedArrayBuffer(b.byteLength));
    sab.set(b);
    expect(same(bboxOverlaps(off.subarray(3), sab).data, want)).toBe(true);
    const e = bboxOverlaps(new Float32Array(0), sab);
    expect(e.shape).toEqual([0, 17]);
    expect(bboxOverlaps(a, new Float32Array(new SharedArrayBuffer(0))).shape).toEqual([33, 0]);
  });
});

describe('native output pool, idle', () => {
  // a child process: the idle delay is read when the facade loads (SOFT_SAMPLING_POOL_IDLE_MS)
  const child = (idleMs: number) => {
    const script = `
      import { bboxOverlaps, useBackend } from './dist/index.mjs';
      import { createRequire } from 'node:module';
      const addon = createRequire(import.meta.url)('./artifacts/soft_sampling.${process.platform}-${process.arch}${process.platform === 'linux' ? '-gnu' : ''}.node');
      useBackend('native');
      const boxes = (n, s) => Float32Array.from({ length: 4 * n }, (_, i) => (i % 4 < 2 ? (i * 7 + s) % 300 : (i * 7 + s) % 300 + 20));
      const a = boxes(4096, 1), b = boxes(4096, 2); // 64 MiB results
      let keep = [];
      for (let i = 0; i < 6; i++) keep.push(bboxOverlaps(a, b));
      const check = keep.map((t) => t.data[12345]);
      keep = null;
      globalThis.gc();
      const small = bboxOverlaps(a.subarray(0, 2048 * 4), b); // a pooled call (2048 × 4096): takes the dropped blocks back
      const before = addon.poolStats()[0];
      await new Promise((r) => setTimeout(r, ${idleMs} + 400));
      const after = addon.poolStats()[0];
      console.log(JSON.stringify({ before, after, lent: addon.poolStats()[1], ok: check.every((v) => v === check[0]) && small.data.length === 2048 * 4096 }));
    `;
    const out = require('node:child_process').execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      cwd: join(__dirname, '..'),
      env: { ...process.env, SOFT_SAMPLING_POOL_IDLE_MS: String(idleMs) },
      encoding: 'utf8',
    });
    return JSON.parse(out.trim().split('\n').pop()!) as { before: number; after: number; lent: number; ok: boolean };
  };

  test('after the idle delay the free blocks beyond 64 MiB are released; lent ones are kept; the timer does not hold the process', () => {
    const r = child(300);
    expect(r).toMatchObject({ ok: true });
    expect(r.before).toBeGreaterThanOrEqual(4 * 64 * 2 ** 20); // the dropped results' blocks, free
    expect(r.after).toBeLessThanOrEqual(64 * 2 ** 20);
    expect(r.lent).toBeGreaterThanOrEqual(32 * 2 ** 20); // the small result, still reachable, still lent
  }, 60000);

  test('poolTrim(keep) releases free blocks down to keep and returns the bytes released', () => {
    const a = boxes(1024), b = boxes(1024);
    let rs: (Float32Array | null)[] = [bboxOverlaps(a, b).data, bboxOverlaps(a, b).data, bboxOverlaps(a, b).data];
    expect(rs.every((x) => x!.length === 1024 * 1024)).toBe(true);
    rs = [];
    gc();
    bboxOverlaps(a, b); // takes the dropped blocks back into the free list
    const free = addon.poolStats()[0];
    expect(free).toBeGreaterThanOrEqual(2 * 4 * 2 ** 20);
    const released = (addon as unknown as { poolTrim(keep: number): number }).poolTrim(0);
    expect(released).toBe(free);
    expect(addon.poolStats()[0]).toBe(0);
  });
});
