/**
 * The native output pool's V8 accounting (src/pool.rs), pushed across threads and past its budget:
 * up to QUIET_BUDGET (256 MiB) of lent blocks are hidden from V8's external-memory count, the rest
 * counted; blocks come back through their weak references, their finalizers, or their env's teardown.
 * What must hold: every pooled result is bit-identical to the same call's `out`-path result, also
 * in worker threads, after a postMessage (cloned or in a transfer list), while other workers and
 * async tasks take blocks, and after a worker holding results (and with async tasks in flight) is
 * terminated; quietBytes never exceeds the budget and is 0 once every result is collected.
 * Run in child processes (worker threads of the built package, needs `npm run build`; --expose-gc).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const ADDON = join(ROOT, 'artifacts', `soft_sampling.${process.platform}-${process.arch}${process.platform === 'linux' ? '-gnu' : ''}.node`);
const LIB = join(ROOT, 'dist', 'index.cjs');
const BUDGET = 256 * 2 ** 20;

/** Shared head of the child scripts: the library on native, seeded boxes, sha1 of a result. */
const HEAD = `
const ss = require(${JSON.stringify(LIB)});
const addon = require(${JSON.stringify(ADDON)});
ss.useBackend('native');
const H = (r) => require('node:crypto').createHash('sha1').update(Buffer.from(r.buffer, r.byteOffset, r.byteLength)).digest('hex');
let seed = 11;
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const boxes = (n) => { const b = new Float32Array(4 * n); for (let i = 0; i < n; i++) { const x = rnd() * 100, y = rnd() * 100; b.set([x, y, x + 1 + rnd() * 50, y + 1 + rnd() * 50], 4 * i); } return b; };
const B2 = boxes(1000);
// IoU n × 1000 outputs: 1.2, 4, 12 and 40 MB (all pooled: ≥ 1 MiB)
const As = [300, 1000, 3000, 10000].map(boxes);
const ref = As.map((a) => { const out = new Float32Array((a.length / 4) * 1000); ss.bboxOverlaps(a, B2, { out }); return H(out); });
const turn = (ms = 0) => new Promise((r) => setTimeout(r, ms));
const settle = async () => { for (let i = 0; i < 4; i++) { global.gc(); await turn(10); } };
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ss-pool2-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `HEAD + body` as a script file (its worker threads run the same file); returns its last stdout line, parsed. */
function child(body: string): Record<string, any> {
  const file = join(dir, `child-${Math.random().toString(36).slice(2)}.cjs`);
  writeFileSync(file, HEAD + body);
  const r = spawnSync(process.execPath, ['--expose-gc', file], { encoding: 'utf8', cwd: ROOT, maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`child exited ${r.status} (${r.signal}): ${r.stderr}`);
  const last = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(last);
}

describe('native output pool across worker threads and past the quiet budget', () => {
  test('pooled results in three workers at once, posted to the main thread (cloned and in a transfer list), a worker terminated while holding results with async tasks in flight: all bit-identical, quietBytes ≤ budget, 0 at the end', () => {
    const r = child(`
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');
if (!isMainThread) {
  const { w } = workerData;
  const held = [];
  (async () => {
    for (let i = 0; ; i++) {
      const k = (i + w) % 4;
      const t = i % 3 === 0 ? (await ss.bboxOverlapsAsync(As[k], B2)).data : ss.bboxOverlaps(As[k], B2).data;
      held.push([k, t]);
      if (held.length > 5) { const [kk, tt] = held.shift(); parentPort.postMessage({ kind: 'check', ok: H(tt) === ref[kk] }); }
      if (i % 4 === 0) {
        if (i % 8 === 0) parentPort.postMessage({ kind: 'result', k, t }, [t.buffer]);
        else parentPort.postMessage({ kind: 'result', k, t });
        parentPort.postMessage({ kind: 'check', ok: H(t) === ref[k] && t.byteLength === t.length * 4 });
      }
      if (w === 0 && i === 12) {
        // async tasks in flight, results held: the main thread terminates this worker now
        for (let j = 0; j < 3; j++) ss.bboxOverlapsAsync(As[3], B2);
        parentPort.postMessage({ kind: 'kill-me' });
        await new Promise(() => {});
      }
      if (w !== 0 && i === 40) break;
      if (i % 2) await turn();
    }
    for (const [kk, tt] of held) parentPort.postMessage({ kind: 'check', ok: H(tt) === ref[kk] });
  })();
} else {
  let bad = 0, checks = 0, posted = 0, maxQuiet = 0;
  const fromWorkers = [];
  const probe = setInterval(() => { maxQuiet = Math.max(maxQuiet, addon.poolStats()[8]); }, 2);
  const ws = [0, 1, 2].map((w) => new Worker(__filename, { workerData: { w } }));
  (async () => {
    const exits = ws.map((wk) => new Promise((res) => wk.on('exit', res)));
    ws.forEach((wk) => wk.on('message', (m) => {
      if (m.kind === 'check') { checks++; if (!m.ok) bad++; }
      if (m.kind === 'result') { posted++; if (H(m.t) !== ref[m.k]) bad++; fromWorkers.push(m); }
      if (m.kind === 'kill-me') wk.terminate();
    }));
    // the main thread takes blocks meanwhile, sync and async, and keeps a few
    const mine = [];
    for (let i = 0; i < 30; i++) {
      const k = i % 4;
      const t = i % 2 ? (await ss.bboxOverlapsAsync(As[k], B2)).data : ss.bboxOverlaps(As[k], B2).data;
      if (H(t) !== ref[k]) bad++;
      if (i % 5 === 0) mine.push([k, t]);
      await turn();
    }
    await Promise.all(exits);
    // blocks of the terminated worker came back: the main thread's new results and what it holds stay intact
    for (let i = 0; i < 12; i++) { const k = 3 - (i % 4); const t = ss.bboxOverlaps(As[k], B2).data; if (H(t) !== ref[k]) bad++; mine.push([k, t]); }
    await turn(200);
    for (const [k, t] of mine) if (H(t) !== ref[k]) bad++;
    for (const m of fromWorkers) if (H(m.t) !== ref[m.k]) bad++;
    clearInterval(probe);
    mine.length = 0; fromWorkers.length = 0;
  })().then(async () => {
    await settle();
    const s = addon.poolStats();
    console.log(JSON.stringify({ bad, checks, posted, maxQuiet, lentAtEnd: s[3], outstandingAtEnd: s[1], quietAtEnd: s[8] }));
  });
}
`);
    expect(r.bad).toBe(0);
    expect(r.checks).toBeGreaterThan(20);
    expect(r.posted).toBeGreaterThanOrEqual(10);
    expect(r.maxQuiet).toBeGreaterThan(0);
    expect(r.maxQuiet).toBeLessThanOrEqual(BUDGET);
    expect([r.lentAtEnd, r.outstandingAtEnd, r.quietAtEnd]).toEqual([0, 0, 0]);
  }, 120_000);

  test('results kept alive past the budget (8 × 40 MB): the surplus is counted, quietBytes ≤ budget; kept results survive a sync loop of mixed sizes that never yields; all back and quietBytes 0 once dropped', () => {
    const r = child(`
(async () => {
  let bad = 0;
  const out = {};
  await (async () => {
    const kept = [];
    for (let i = 0; i < 8; i++) kept.push(ss.bboxOverlaps(As[3], B2).data);
    const s = addon.poolStats();
    out.lentKept = s[3]; out.quietKept = s[8];
    // a synchronous loop of mixed sizes, never yielding, dropping its results
    for (let i = 0; i < 60; i++) { const k = (i * 7) % 4; const t = ss.bboxOverlaps(As[k], B2).data; if (H(t) !== ref[k]) bad++; out.maxQuiet = Math.max(out.maxQuiet ?? 0, addon.poolStats()[8]); }
    for (const t of kept) if (H(t) !== ref[3]) bad++;
  })();
  await settle();
  const s = addon.poolStats();
  console.log(JSON.stringify({ ...out, bad, lentAtEnd: s[3], quietAtEnd: s[8], outstandingAtEnd: s[1] }));
})();
`);
    expect(r.bad).toBe(0);
    expect(r.lentKept).toBe(8);
    // 40 MB = 38.1 MiB each: six fit in 256 MiB, the other two are counted by V8
    expect(r.quietKept).toBe(6 * 40_000_000);
    expect(r.maxQuiet).toBeLessThanOrEqual(BUDGET);
    expect([r.lentAtEnd, r.quietAtEnd, r.outstandingAtEnd]).toEqual([0, 0, 0]);
  }, 120_000);

  test('poolStats() of a process that has not used the pool is all +0 (no -0: unfinalized summed over no env)', () => {
    const r = spawnSync(process.execPath, ['-e', `const s = require(${JSON.stringify(ADDON)}).poolStats(); console.log(JSON.stringify(s.map((x) => Object.is(x, -0) ? '-0' : x)))`], { encoding: 'utf8' });
    expect(JSON.parse(r.stdout)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});
