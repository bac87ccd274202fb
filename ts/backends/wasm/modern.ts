/**
 * wasm glue of the declared kernels: one generic caller for every generated function (see
 * `crates/wasm/src/decl.rs`): `fn(io, ...options)` with one number per option in declared order and
 * `io` the address of the call's I/O table in the scratch arena (`WasmHeap`, `./bindgen.ts`).
 *
 * Per call: the inputs and outputs are laid out in the arena (each region aligned to 16 bytes, after
 * the table of `(address, length)` pairs, inputs then outputs in declared order), the inputs copied
 * in, the kernel run, and each output copied out once — into the caller's buffer where one is given
 * (`given`), otherwise into a fresh array of its own (`slice`): never a view of linear memory, which
 * the next call overwrites. Outputs are not copied in: every declared kernel writes each element of
 * its float32 outputs (as the native pool also relies on); the others, small or integer, are zeroed
 * in the arena first.
 */
import { KERNEL_DECLS, type Dtype, type KernelDecl, type ModernKernels } from '../../kernels/modern';
import { outputLengths } from '../decl';
import { ARENA_ALIGN, type WasmCtx, type WasmHeap } from './bindgen';

type Typed = Float32Array | Int32Array | Float64Array | Uint8Array;
const BYTES: Record<Dtype, number> = { f32: 4, f64: 8, i32: 4, u8: 1 };
const SHIFT: Record<Dtype, number> = { f32: 2, f64: 3, i32: 2, u8: 0 };

/** The heap's view of a dtype (element index = byte address >> SHIFT). */
function view(h: WasmHeap, t: Dtype): Typed {
  return t === 'f32' ? h.f32 : t === 'f64' ? h.f64 : t === 'i32' ? h.i32 : h.u8;
}

const align = (n: number): number => (n + (ARENA_ALIGN - 1)) & -ARENA_ALIGN;

export function wasmModern(w: WasmCtx): ModernKernels {
  const g = w.g as unknown as Record<string, (...a: unknown[]) => void>;
  const res: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(KERNEL_DECLS) as [string, KernelDecl][]) {
    const ins = d.inputs, outs = d.outputs, opts = d.opts;
    const ni = ins.length, no = outs.length, nk = opts.length;
    const table = align(8 * (ni + no));
    // per kernel, once: element sizes and dtypes by position; the offsets and argument list are
    // reused across calls (a call runs to completion before the next: wasm calls no JS back)
    const inName = ins.map((x) => x[0]), inType = ins.map((x) => x[1]), inBytes = inType.map((t) => BYTES[t]);
    const outName = outs.map((x) => x[0]), outType = outs.map((x) => x[1]), outBytes = outType.map((t) => BYTES[t]);
    const optName = opts.map((x) => x[0]);
    const at = new Array<number>(ni + no).fill(0);
    const args = new Array<unknown>(1 + nk).fill(0);
    const direct = (inputs: Record<string, Typed>, o: Record<string, unknown>, given?: Record<string, Typed>) => {
      const fn = g[d.wasm];
      const sizes = outputLengths(name, d, inputs, o, given);
      // byte offsets of the regions from the arena's base: inputs, then outputs
      let end = table;
      for (let i = 0; i < ni; i++) {
        at[i] = end;
        end = align(end + inputs[inName[i]].length * inBytes[i]);
      }
      for (let j = 0; j < no; j++) {
        at[ni + j] = end;
        end = align(end + sizes[j] * outBytes[j]);
      }
      const h = w.heap;
      const base = h.reserve(end, name);
      h.views();
      const u32 = h.u32, tb = base >>> 2;
      for (let i = 0; i < ni; i++) {
        const t = inType[i], x = inputs[inName[i]], a = base + at[i];
        if (x.length > 0) view(h, t).set(x, a >>> SHIFT[t]);
        u32[tb + 2 * i] = a;
        u32[tb + 2 * i + 1] = x.length;
      }
      for (let j = 0; j < no; j++) {
        const t = outType[j], a = base + at[ni + j];
        if (t !== 'f32' && sizes[j] > 0) view(h, t).fill(0, a >>> SHIFT[t], (a >>> SHIFT[t]) + sizes[j]);
        u32[tb + 2 * (ni + j)] = a;
        u32[tb + 2 * (ni + j) + 1] = sizes[j];
      }
      args[0] = base;
      for (let k = 0; k < nk; k++) args[1 + k] = Number(o[optName[k]]);
      w.call(name, fn, args);
      // the kernel may have grown the memory (its own allocations): fresh views
      h.views();
      const result: Record<string, Typed> = {};
      for (let j = 0; j < no; j++) {
        const t = outType[j], n = outName[j];
        const s = (base + at[ni + j]) >>> SHIFT[t], src = view(h, t);
        const mine = given === undefined ? undefined : given[n];
        if (mine !== undefined) {
          mine.set(src.subarray(s, s + sizes[j]));
          result[n] = mine;
        } else {
          result[n] = src.slice(s, s + sizes[j]);
        }
      }
      return result;
    };
    const st = STREAM[name];
    res[name] = st === undefined ? direct : (inputs: Record<string, Typed>, o: Record<string, unknown>, given?: Record<string, Typed>) =>
      streamRows(st, direct, inputs, o, given);
  }
  return res as unknown as ModernKernels;
}

/**
 * Elements per chunk of the issue-14 elementwise `[N, C]` loss kernels: `par::CHUNK_WORK` in
 * `crates/core/src/par.rs` (whole rows: `max(CHUNK_WORK / C, 1)` rows per chunk). A streamed call
 * (below) runs the kernel once per chunk, on exactly the rows of one of its own chunks.
 */
export const CHUNK_WORK = 1 << 15;

/**
 * A kernel over `[N, C]` elementwise inputs `pred`, `target` (`[N·C]`) and `weight` (empty, `[N]`
 * or `[N·C]`), with outputs `lossElements`, `grad` (`[N·C]`) and the float64 `sum`, whose fast path
 * computes fixed chunks of rows independently and merges them in chunk order: `sum` = the chunks'
 * float64 partial sums added in order from 0, and each `chain`ed state output = its input plus the
 * chunks' float64 partials added in order.
 */
interface RowStream {
  /** Whether the kernel takes that chunked path for these options (otherwise the call is not streamed). */
  applies(inputs: Record<string, Typed>, o: Record<string, unknown>): boolean;
  /** `[input, output]`: state the next chunk's call takes as input from this chunk's output. */
  chain: [string, string][];
}

/** The kernels whose large calls are streamed through a cache-sized window of the arena. */
const STREAM: Record<string, RowStream> = {
  // crates/core/src/losses/vfl.rs: the chunked path for γ ≤ 50
  varifocalLoss: { applies: (_, o) => Number(o.gamma) <= 50, chain: [] },
  // crates/core/src/losses/efl.rs: the chunked path when every γ_j = γ_b + s(1 − g_j) ≤ 200
  equalizedFocalLoss: {
    applies: (inputs, o) => {
      const gb = Number(o.gammaB), sf = Number(o.scaleFactor);
      return inputs.posNeg.every((g) => gb + sf * (1 - g) <= 200);
    },
    chain: [['posGrad', 'posGradOut'], ['negGrad', 'negGradOut']],
  },
};

/**
 * A large call of a {@link RowStream} kernel, one kernel chunk at a time: each chunk's rows are
 * copied into the arena, the kernel runs on them, and its outputs are copied out into the call's
 * output arrays — so the copies and the kernel work in cache rather than streaming the whole
 * inputs and outputs through RAM twice. The answer is the one-call answer, bit for bit: each call
 * covers exactly one of the kernel's own chunks (so its `sum` is that chunk's partial sum), the
 * partial sums are added here in chunk order starting from 0 (as the kernel merges them), and
 * the chained state passes each call's output to the next call as input (the same additions in the
 * same order). A call the kernel rejects is run again whole, so the error names the first bad
 * element of the whole input, as one call would.
 */
function streamRows(
  st: RowStream, direct: (i: Record<string, Typed>, o: Record<string, unknown>, g?: Record<string, Typed>) => Record<string, Typed>,
  inputs: Record<string, Typed>, o: Record<string, unknown>, given?: Record<string, Typed>,
): Record<string, Typed> {
  const { pred, target, weight } = inputs;
  const c = Number(o.numClasses);
  const len = pred.length;
  const rows = Math.max(1, Math.floor(CHUNK_WORK / c));
  // not streamed: small calls, shapes the kernel rejects (its own error), options off the chunked path
  if (!(Number.isInteger(c) && c >= 1) || len % c !== 0 || len <= rows * c || target.length !== len) return direct(inputs, o, given);
  const n = len / c;
  if (weight.length !== 0 && weight.length !== n && weight.length !== len) return direct(inputs, o, given);
  if (!st.applies(inputs, o)) return direct(inputs, o, given);
  const perRow = weight.length !== 0 && weight.length !== len;
  const lossElements = (given?.lossElements as Float32Array | undefined) ?? new Float32Array(len);
  const grad = (given?.grad as Float32Array | undefined) ?? new Float32Array(len);
  const sub: Record<string, Typed> = { ...inputs };
  const outs: Record<string, Typed> = {};
  let total = 0;
  let last: Record<string, Typed> = {};
  try {
    for (let r0 = 0; r0 < n; r0 += rows) {
      const r1 = Math.min(n, r0 + rows), a = r0 * c, b = r1 * c;
      sub.pred = pred.subarray(a, b);
      sub.target = target.subarray(a, b);
      sub.weight = weight.length === 0 ? weight : perRow ? weight.subarray(r0, r1) : weight.subarray(a, b);
      outs.lossElements = lossElements.subarray(a, b);
      outs.grad = grad.subarray(a, b);
      last = direct(sub, o, outs);
      total += last.sum[0];
      // the next call writes its small outputs into this call's arrays (no allocation per chunk), and
      // takes the chained state from them: its inputs are copied into the arena before it writes
      for (const k in last) if (k !== 'lossElements' && k !== 'grad') outs[k] = last[k];
      for (const [i, out] of st.chain) sub[i] = last[out];
    }
  } catch {
    return direct(inputs, o, given);
  }
  const result: Record<string, Typed> = { ...last, lossElements, grad };
  const sum = (given?.sum as Float64Array | undefined) ?? new Float64Array(1);
  sum[0] = total;
  result.sum = sum;
  // the small outputs (state): the last call's, into the caller's buffers where given
  for (const k of Object.keys(last)) {
    if (k === 'lossElements' || k === 'grad' || k === 'sum') continue;
    const mine = given?.[k];
    if (mine !== undefined) {
      mine.set(last[k]);
      result[k] = mine;
    }
  }
  return result;
}
