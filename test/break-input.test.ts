/**
 * Bad input through the public API on every backend: the differential fuzz's valid cases
 * (test/fuzz/harness.ts) with one argument broken — a leaf of the call's arguments replaced by a
 * value of the wrong type, a non-finite / out-of-range number, a ragged or detached array, a view
 * with a byte offset, a shared buffer, a typed array of another dtype — run on native, wasm and
 * ts. Every outcome must be a result or a typed SoftSamplingError (not E_PANIC, not a foreign
 * error, no crash), with the same code and argument on every backend; a result must agree across
 * backends, and must not be NaN/±Inf unless the input was.
 * Longer runs: BREAK_CASES (per op, default 160), BREAK_MS (budget), BREAK_SEED; to find a case that
 * hangs: BREAK_TRACE=file (each case's op, backend and mutation before it runs), then
 * BREAK_ONLY=op:pick with BREAK_PRINT=1 (that case's broken arguments).
 */
import fc from 'fast-check';
import * as lib from '../ts/index';
import { OPS, type FuzzOp } from './fuzz/harness';
import { BACKENDS } from './helpers';

type Path = (string | number)[];

// ---------------------------------------------------------------------------------------------
// the broken values

const detached = (): Float32Array => {
  const a = new Float32Array(8).fill(1);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
};
/** Replacements for any leaf (its type and value ignored). */
const ANY_BAD: [string, (old: unknown) => unknown][] = [
  ['undefined', () => undefined],
  ['null', () => null],
  ['string', () => 'x'],
  ['numeric string', () => '1'],
  ['true', () => true],
  ['NaN', () => NaN],
  ['Infinity', () => Infinity],
  ['-Infinity', () => -Infinity],
  ['-1', () => -1],
  ['0', () => 0],
  ['-0', () => -0],
  ['0.5', () => 0.5],
  ['1.5', () => 1.5],
  ['2^31', () => 2 ** 31],
  ['2^53', () => 2 ** 53],
  ['1e300', () => 1e300],
  ['bigint', () => 1n],
  ['symbol', () => Symbol('s')],
  ['function', () => () => 1],
  ['{}', () => ({})],
  ['[]', () => []],
  ['[[]]', () => [[]]],
  ['empty Float32Array', () => new Float32Array(0)],
  ['detached Float32Array', detached],
  ['Date', () => new Date(0)],
  ['throwing valueOf', () => ({ valueOf() { throw new Error('valueOf'); } })],
  ['numeric valueOf', () => ({ valueOf: () => 1 })],
];
/** Replacements for a typed-array leaf (derived from it). */
const ARRAY_BAD: [string, (old: any) => unknown][] = [
  ['Float64Array', (a) => Float64Array.from(a)],
  ['Int32Array', (a) => Int32Array.from(a, (v: number) => v | 0)],
  ['Uint8Array', (a) => Uint8Array.from(a, (v: number) => Math.max(0, v | 0) & 255)],
  ['Int16Array', (a) => Int16Array.from(a, (v: number) => v | 0)],
  ['plain array', (a) => Array.from(a)],
  ['one short', (a) => a.slice(0, Math.max(0, a.length - 1))],
  ['one long', (a) => { const b = new (a.constructor as any)(a.length + 1); b.set(a); return b; }],
  ['view at byteOffset 4', (a) => { const b = new (a.constructor as any)(a.length + 1); b.set(a, 1); return b.subarray(1); }],
  ['shared buffer', (a) => { const b = new (a.constructor as any)(new SharedArrayBuffer(a.byteLength)); b.set(a); return b; }],
  ['a NaN element', (a) => withElement(a, NaN)],
  ['an Infinity element', (a) => withElement(a, Infinity)],
  ['a -Infinity element', (a) => withElement(a, -Infinity)],
  ['a -1 element', (a) => withElement(a, -1)],
  ['a -0 element', (a) => withElement(a, -0)],
  ['a subnormal element', (a) => withElement(a, 1e-45)],
  ['a 1e30 element', (a) => withElement(a, 1e30)],
  ['a -1e30 element', (a) => withElement(a, -1e30)],
  ['a 1e-30 element', (a) => withElement(a, 1e-30)],
  ['a 2^24 element', (a) => withElement(a, 2 ** 24)],
  ['a 0.5 element', (a) => withElement(a, 0.5)],
];
/** Replacements for a plain array of numbers / rows. */
const LIST_BAD: [string, (old: any[]) => unknown][] = [
  ['ragged', (a) => (a.length && Array.isArray(a[0]) ? [...a.slice(0, -1), a[a.length - 1].slice(0, -1)] : [...a, [1]])],
  ['a string element', (a) => (a.length ? ['1', ...a.slice(1)] : ['1'])],
  ['an undefined element', (a) => (a.length ? [undefined, ...a.slice(1)] : [undefined])],
  ['a hole', (a) => { const b = a.slice(); b.length = a.length + 1; return b; }],
  ['a NaN element', (a) => (a.length && typeof a[0] === 'number' ? [NaN, ...a.slice(1)] : a.length && Array.isArray(a[0]) ? [a[0].map(() => NaN), ...a.slice(1)] : [NaN])],
  ['nested one level deeper', (a) => a.map((x) => [x])],
  ['one row extra', (a) => [...a, a.length ? a[0] : 0]],
];

function withElement(a: any, v: number): any {
  const b = a.slice();
  if (b.length) b[b.length >> 1] = v;
  return b;
}

/** Whether the broken value itself carries a NaN / ±Inf (then a non-finite result is the caller's). */
function nonFiniteIn(x: unknown): boolean {
  if (typeof x === 'number') return !Number.isFinite(x);
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return Array.prototype.some.call(x, (v: number) => !Number.isFinite(v));
  if (Array.isArray(x)) return x.some(nonFiniteIn);
  return false;
}

// ---------------------------------------------------------------------------------------------
// paths into the arguments of the op's call

function isPlain(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && (Object.getPrototypeOf(x) === Object.prototype || Object.getPrototypeOf(x) === null);
}

/** Every place a broken value can go: leaves, typed arrays, lists, and missing option keys. */
function paths(x: unknown, p: Path = [], out: { path: Path; kind: 'any' | 'typed' | 'list' }[] = []) {
  if (p.length) out.push({ path: p, kind: ArrayBuffer.isView(x) ? 'typed' : Array.isArray(x) ? 'list' : 'any' });
  if (Array.isArray(x) && p.length < 3) x.slice(0, 2).forEach((v, i) => paths(v, [...p, i], out));
  else if (isPlain(x)) for (const k of Object.keys(x)) paths(x[k], [...p, k], out);
  return out;
}

/** A deep copy of the arguments (arrays, plain objects and typed arrays copied; the rest shared). */
function clone<T>(x: T): T {
  if (Array.isArray(x)) return x.map(clone) as T;
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return (x as any).slice();
  if (isPlain(x)) {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(x)) o[k] = clone(x[k]);
    return o as T;
  }
  return x;
}

function setAt(root: unknown[], path: Path, v: unknown): void {
  let o: any = root;
  for (const k of path.slice(0, -1)) o = o[k];
  o[path[path.length - 1]] = v;
}
function getAt(root: unknown[], path: Path): unknown {
  let o: any = root;
  for (const k of path) o = o?.[k];
  return o;
}

interface Mutation {
  /** where (an index into the places of {@link paths}) and what (an index into the replacements that fit) */
  pick: number;
  which: number;
  /** a second place broken after the first */
  second?: [number, number];
}

/**
 * The library with the op's own function replaced by one that breaks its arguments: the leaf
 * `pick` (mod the number of places) gets the replacement `which` (mod the replacements that fit),
 * on every call of the op (the GHM / EFL cases call it again with the returned state).
 */
function breaking(op: FuzzOp, m: Mutation, seen: { what?: string; nonFinite?: boolean }): typeof lib {
  return breakingOn(lib, op, m, seen);
}

/** {@link breaking} on another build of the library (the lite entry). */
function breakingOn(target: typeof lib, op: FuzzOp, m: Mutation, seen: { what?: string; nonFinite?: boolean }): typeof lib {
  const real = (target as any)[op.name] as (...a: unknown[]) => unknown;
  const broken = (...args: unknown[]) => {
    const a = clone(args);
    const whats: string[] = [];
    seen.nonFinite = false;
    for (const [pick, which] of m.second === undefined ? [[m.pick, m.which]] : [[m.pick, m.which], m.second]) {
      const ps = paths(a);
      if (ps.length === 0) break;
      const at = ps[pick % ps.length];
      const old = getAt(a, at.path);
      const table: [string, (o: any) => unknown][] = at.kind === 'typed' ? [...ARRAY_BAD, ...ANY_BAD] : at.kind === 'list' ? [...LIST_BAD, ...ANY_BAD] : ANY_BAD;
      const [name, make] = table[which % table.length];
      let v: unknown;
      try {
        v = make(old);
      } catch {
        continue; // (a replacement derived from a value the first one already broke, e.g. a detached array)
      }
      whats.push(`${at.path.join('.')} := ${name}`);
      seen.nonFinite ||= nonFiniteIn(v);
      setAt(a, at.path, v);
    }
    seen.what = whats.join(', ');
    if (process.env.BREAK_PRINT) console.log(seen.what, JSON.stringify(a, (_k, v) => (ArrayBuffer.isView(v) ? { [Object.prototype.toString.call(v)]: Array.from(v as unknown as ArrayLike<number>).slice(0, 12), len: (v as unknown as ArrayLike<number>).length } : typeof v === 'bigint' ? `${v}n` : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)).slice(0, 1500));
    return real(...a);
  };
  return new Proxy(target, { get: (t, k) => (k === op.name ? broken : (t as any)[k]) });
}

// ---------------------------------------------------------------------------------------------
// outcomes

type Outcome = { ok: true; v: number[]; ints: boolean[] } | { ok: false; code: string; arg: string; typed: boolean; message: string };

/** A typed array's type name, realm-safe (the native pool's results come from the addon's realm). */
const tagOf = (x: unknown): string => (ArrayBuffer.isView(x) ? Object.prototype.toString.call(x).slice(8, -1) : '');

function flatten(x: unknown, v: number[] = [], ints: boolean[] = []): { v: number[]; ints: boolean[] } {
  if (typeof x === 'number') (v.push(x), ints.push(false));
  else if (typeof x === 'boolean') (v.push(+x), ints.push(true));
  else if (tagOf(x) === 'Int32Array' || tagOf(x) === 'Uint8Array') (x as Int32Array).forEach((e) => (v.push(e), ints.push(true)));
  else if (tagOf(x) === 'Float32Array' || tagOf(x) === 'Float64Array') (x as Float32Array).forEach((e) => (v.push(e), ints.push(false)));
  else if (Array.isArray(x)) x.forEach((e) => flatten(e, v, ints));
  else if (x && typeof x === 'object') for (const k of Object.keys(x).sort()) if (k !== 'state') flatten((x as any)[k], v, ints);
  return { v, ints };
}

function outcome(f: () => unknown): Outcome {
  try {
    const { v, ints } = flatten(f());
    return { ok: true, v, ints };
  } catch (e: any) {
    const typed = (e instanceof lib.SoftSamplingError || e?.name === 'SoftSamplingError') && e.code !== 'E_PANIC';
    return { ok: false, code: String(e?.code), arg: String(e?.arg), typed, message: String(e?.message ?? e).slice(0, 160) };
  }
}

function describeOutcome(o: Outcome): string {
  return o.ok ? `ok(${o.v.length} values${o.v.some((x) => !Number.isFinite(x)) ? ', non-finite' : ''})` : `${o.typed ? '' : 'FOREIGN '}${o.message}`;
}

/** First problem with one case's outcomes on [native, wasm, ts], or null. */
function judge(op: FuzzOp, outs: Outcome[], inputNonFinite: boolean): string | null {
  for (const [i, o] of outs.entries()) if (!o.ok && !o.typed) return `${BACKENDS[i]}: not a typed SoftSamplingError: ${o.message}`;
  const ref = outs[2];
  for (const i of [0, 1]) {
    const o = outs[i];
    if (o.ok !== ref.ok) return `${BACKENDS[i]} ${describeOutcome(o)} but ts ${describeOutcome(ref)}`;
    if (!o.ok && !ref.ok && (o.code !== ref.code || o.arg !== ref.arg)) return `${BACKENDS[i]} ${o.code} ${o.arg} but ts ${ref.code} ${ref.arg}`;
    if (o.ok && ref.ok) {
      if (o.v.length !== ref.v.length) return `${BACKENDS[i]} ${o.v.length} values but ts ${ref.v.length}`;
      let scale = 0;
      for (const x of ref.v) if (Number.isFinite(x)) scale = Math.max(scale, Math.abs(x));
      for (let j = 0; j < o.v.length; j++) {
        const x = o.v[j], y = ref.v[j];
        if (Object.is(x, y) || x === y) continue;
        if (o.ints[j] && op.looseInts) continue;
        if (!(Math.abs(x - y) <= 1e-4 * Math.max(Math.abs(x), Math.abs(y)) + 1e-5 * scale + 1e-30) && !op.derived) {
          return `${BACKENDS[i]} value ${j} is ${x} but ts ${y}`;
        }
      }
    }
  }
  if (!inputNonFinite && !op.nanOk) {
    for (const [i, o] of outs.entries()) if (o.ok && o.v.some((x) => !Number.isFinite(x))) return `${BACKENDS[i]}: a non-finite result from finite input`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------

const SEED = Number(process.env.BREAK_SEED ?? 20261130);
const TRACE = process.env.BREAK_TRACE ? require('node:fs').openSync(process.env.BREAK_TRACE, 'w') : 0;
const CASES_PER_OP = Number(process.env.BREAK_CASES ?? 160);
const BUDGET_MS = Number(process.env.BREAK_MS ?? 12_000);

test('every op, one argument broken: a typed error naming the same argument on every backend, or the same finite result', () => {
  const deadline = Date.now() + BUDGET_MS;
  const findings: Record<string, string[]> = {};
  let total = 0;
  const perOp: Record<string, number> = {};
  try {
    for (const [k, op] of OPS.entries()) {
      const cases = fc.sample(fc.tuple(op.arb, fc.nat(), fc.nat(), fc.option(fc.tuple(fc.nat(), fc.nat()), { freq: 3, nil: undefined })), { seed: SEED + 7919 * k, numRuns: CASES_PER_OP });
      perOp[op.name] = 0;
      for (const [c, pick, which, second] of cases) {
        if (Date.now() > deadline) break;
        if (process.env.BREAK_ONLY && process.env.BREAK_ONLY !== `${op.name}:${pick}`) continue;
        const seen: { what?: string; nonFinite?: boolean } = {};
        const outs = BACKENDS.map((b) => {
          lib.useBackend(b);
          if (TRACE) require('node:fs').writeSync(TRACE, `${op.name} ${b} ${pick} ${which} ${second}\n`);
          return outcome(() => op.call(breaking(op, { pick, which, second }, seen), c));
        });
        total++;
        perOp[op.name]++;
        const bad = judge(op, outs, !!seen.nonFinite);
        if (bad) (findings[op.name] ??= []).push(`${seen.what}: ${bad}`);
      }
    }
  } finally {
    lib.useBackend('auto');
  }
  const lines = Object.entries(findings).map(([n, f]) => `${n} (${f.length}):\n  ${[...new Set(f)].slice(0, 6).join('\n  ')}`);
  if (lines.length) console.log(`${total} cases\n${lines.join('\n')}`);
  expect(lines).toEqual([]);
  // the budget reached every op
  for (const op of OPS) expect(perOp[op.name]).toBeGreaterThan(40);
}, 60_000);

/**
 * The exported functions outside the fuzz's ops, each positional argument replaced by each bad
 * value (the others valid): a result or a typed error (no RangeError / TypeError / crash).
 */
const bf = (n: number) => Float32Array.from({ length: 4 * n }, (_, i) => [0, 0, 10, 10][i % 4] + (i >> 2));
const assignOf = () => ({ gtInds: Int32Array.of(1, 0, -1, 2), maxOverlaps: Float32Array.of(0.9, 0.1, 0, 0.7), numGts: 2 });
const EXTRA: [string, unknown[], (...a: unknown[]) => unknown][] = [
  ['createGhmState', [10], lib.createGhmState as never],
  ['createEflState', [3], lib.createEflState as never],
  ['baseAnchors', [8, [0.5, 1], [1, 2], 0.5, true], lib.baseAnchors as never],
  ['boxConvert', [bf(2), 'xyxy', 'cxcywh'], lib.boxConvert as never],
  ['bbox2delta', [bf(2), bf(2), { stds: [0.1, 0.1, 0.2, 0.2] }], lib.bbox2delta as never],
  ['assignTargets', [{ ...assignOf(), gtLabels: Int32Array.of(3, 5) }, { numClasses: 8 }], (a, o) => lib.assignTargets({ assign: { gtInds: Int32Array.of(1, 0, -1, 2), maxOverlaps: Float32Array.of(0.9, 0.1, 0, 0.7) } as never, gtLabels: Int32Array.of(3, 5), ...(a as object) } as never, o as never)],
  ['randomSample', [assignOf(), { num: 3, seed: 1 }], lib.randomSample as never],
  ['setThreads', [2], lib.setThreads as never],
  ['useBackend', ['ts'], lib.useBackend as never],
];

test('the other exported functions: every argument broken gives a result or a typed error', () => {
  const found: string[] = [];
  try {
    for (const [name, good, f] of EXTRA) {
      for (let i = 0; i < good.length + 1; i++) {
        for (const [what, make] of ANY_BAD) {
          const args = clone(good);
          args[i] = make(args[i]);
          for (const b of BACKENDS) {
            lib.useBackend(b);
            const o = outcome(() => f(...args));
            if (!o.ok && !o.typed) found.push(`${name} arg ${i} := ${what} on ${b}: ${o.message}`);
          }
        }
      }
    }
  } finally {
    lib.useBackend('auto');
    lib.setThreads(1);
  }
  expect([...new Set(found)]).toEqual([]);
});

describe('soft-sampling/lite: the same broken arguments give the same errors and results as the full entry on wasm', () => {
  type Lite = typeof import('../ts/lite');
  let lite!: Lite;
  jest.isolateModules(() => {
    lite = require('../ts/lite');
  });
  beforeAll(() => {
    lite.initWasmSync(require('node:fs').readFileSync(require('node:path').join(__dirname, '..', 'artifacts', 'soft_sampling_lite.wasm')));
  });

  test('every lite op of the harness, one argument broken', () => {
    const liteOps = OPS.filter((op) => typeof (lite as unknown as Record<string, unknown>)[op.name] === 'function');
    expect(liteOps.length).toBe(22);
    const found: string[] = [];
    lib.useBackend('wasm');
    try {
      for (const [k, op] of liteOps.entries()) {
        const cases = fc.sample(fc.tuple(op.arb, fc.nat(), fc.nat()), { seed: SEED + 31 * k, numRuns: 60 });
        for (const [c, pick, which] of cases) {
          const seen: { what?: string } = {};
          const full = outcome(() => op.call(breaking(op, { pick, which }, seen), c));
          const lean = outcome(() => op.call(breakingOn(lite as unknown as typeof lib, op, { pick, which }, {}), c));
          const txt = (o: Outcome) => (o.ok ? `ok ${o.v.join(',')}` : `${o.typed ? '' : 'FOREIGN '}${o.message}`);
          if (txt(full) !== txt(lean)) found.push(`${op.name} ${seen.what}: full ${txt(full).slice(0, 100)} | lite ${txt(lean).slice(0, 100)}`);
        }
      }
    } finally {
      lib.useBackend('auto');
    }
    expect(found.slice(0, 6)).toEqual([]);
  });
});
