/**
 * Charts drawn on a worker thread of their own (issue 9 item 8): vega-lite → SVG → PNG is about
 * 1.5 s of work on a 500k-detection run that needs nothing but the spec, so a worker draws them
 * while the main thread computes the next analysis. The worker is started with the run and draws a
 * tiny chart at once, so loading vega and warming it up happen while the inputs are read. The SVG
 * and PNG are exactly what {@link renderChart} gives in the main thread (the same function runs on
 * the same spec). A render error rejects that chart's promise (the run then fails as a whole).
 * Without a built worker module (tests from the sources) charts are drawn in the calling thread.
 */
import { Worker } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import type { ChartSpec } from './chart';

/** vega and vega-lite are loaded on the first chart only, in the thread that draws it. */
const loadChart = () => import('./chart');

/** The `workerData` marker that makes the CLI's worker module (dist/worker.mjs) draw charts. */
export const CHARTS_MARKER = 'softSamplingCharts';

interface ChartRequest {
  id: number;
  spec: ChartSpec;
  png: boolean;
}

/** Test hook: the chart of this analysis id fails to render (as a vega error would). */
function checkTestFailure(spec: ChartSpec): void {
  const fail = process.env.SOFT_SAMPLING_TEST_CHART_FAIL;
  if (fail && (spec as { $id?: unknown }).$id === fail) throw new Error(`chart ${fail}: test failure`);
}

/** A spec without the `$id` tag {@link BackgroundCharts.render} adds for the test hook. */
function untagged(spec: ChartSpec): ChartSpec {
  if (!('$id' in spec)) return spec;
  const { $id: _drop, ...rest } = spec as ChartSpec & { $id?: unknown };
  return rest;
}

/**
 * Draws a requested chart (a spec as {@link BackgroundCharts.render} or the writer thread's
 * `chart` request sends it: tagged with its analysis id for the test hook): {@link renderChart}'s
 * SVG and PNG.
 */
export async function drawRequested(spec: ChartSpec, png: boolean): Promise<{ svg: string; png?: Uint8Array }> {
  checkTestFailure(spec);
  const { renderChart } = await loadChart();
  return renderChart(untagged(spec), { png });
}

/** The worker side: called by the worker module when started with {@link CHARTS_MARKER}. */
export function serveCharts(port: { on(ev: 'message', f: (m: ChartRequest) => void): void; postMessage(m: unknown, transfer?: ArrayBuffer[]): void }): void {
  port.on('message', async ({ id, spec, png }) => {
    try {
      const r = await drawRequested(spec, png);
      port.postMessage({ id, svg: r.svg, png: r.png, heapMiB: getHeapStatistics().total_heap_size / 2 ** 20 }, r.png ? [r.png.buffer as ArrayBuffer] : []);
    } catch (e) {
      port.postMessage({ id, error: (e as Error)?.message ?? String(e) });
    }
  });
}

/** A chart to warm a thread up with (vega's parser, dataflow and SVG renderer; resvg when PNGs are wanted). */
export const WARM_UP: ChartSpec = { data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }, mark: 'line', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } };

export class BackgroundCharts {
  private worker?: Worker;
  private nextId = 0;
  private pending = new Map<number, { resolve: (r: { svg: string; png?: Uint8Array; heapMiB?: number }) => void; reject: (e: Error) => void }>();

  /** `workerFile`: the built worker module (dist/worker.mjs); without it charts are drawn in the calling thread. */
  constructor(private workerFile?: string | URL, private png = true) {
    if (!workerFile) return;
    // a small young generation (as the writer's): the thread's garbage is short-lived, and the run's
    // peak RSS counts every thread's heap
    const w = new Worker(workerFile, { workerData: { [CHARTS_MARKER]: true }, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    w.on('message', (m: { id: number; svg?: string; png?: Uint8Array; heapMiB?: number; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) w.unref();
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve({ svg: m.svg!, png: m.png ? new Uint8Array(m.png) : undefined, heapMiB: m.heapMiB });
    });
    const failAll = (e: Error) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    w.on('error', failAll);
    w.on('exit', (code) => failAll(new Error(`the chart thread stopped (exit code ${code})`)));
    this.worker = w;
    // warm-up: its result (and any error) is ignored; the real charts queue behind it
    this.post(WARM_UP).catch(() => undefined);
  }

  private post(spec: ChartSpec): Promise<{ svg: string; png?: Uint8Array; heapMiB?: number }> {
    const w = this.worker!;
    const id = this.nextId++;
    const done = new Promise<{ svg: string; png?: Uint8Array; heapMiB?: number }>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    w.ref();
    w.postMessage({ id, spec, png: this.png } satisfies ChartRequest);
    return done;
  }

  /**
   * Draws `spec` (SVG, and PNG unless the constructor said `png = false`): the result of
   * {@link renderChart}. `id` names the analysis (for the test hook). The promise is already
   * marked handled: await it (or {@link Promise.all} several) to see its error.
   */
  render(spec: ChartSpec, id: string): Promise<{ svg: string; png?: Uint8Array; heapMiB?: number }> {
    const p = this.worker
      ? this.post({ ...spec, $id: id })
      : drawRequested({ ...spec, $id: id }, this.png);
    p.catch(() => undefined);
    return p;
  }

  /** Stops the thread (pending charts are rejected: the run has failed or is done). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) {
      w.removeAllListeners('exit');
      for (const p of this.pending.values()) p.reject(new Error('the chart thread was stopped'));
      this.pending.clear();
      await w.terminate();
    }
  }
}
