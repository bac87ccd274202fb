/**
 * Worker-thread entry of the CLI, built to dist/worker.mjs. Three roles:
 * - in the piscina pool (default export): runs a per-image stage on a chunk of images with the
 *   requested backend;
 * - started by {@link BackgroundWriter} (workerData marker): formats and writes the report's big
 *   per-sample files. The library (and its native addon) is loaded only for the first role;
 * - started by BackgroundCharts (./analyze/chart-worker, its own marker): draws the charts.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { StageTask } from './analyze/stages';
import { serveWriteJobs, WRITER_MARKER } from './analyze/writer';

/** {@link CHARTS_MARKER} of ./analyze/chart-worker (not imported here: that module loads vega). */
const CHARTS_MARKER = 'softSamplingCharts';

if (!isMainThread && parentPort && (workerData as Record<string, unknown> | null)?.[WRITER_MARKER]) serveWriteJobs(parentPort);
// the chart thread: vega is loaded there only (messages wait in the port until the listener is on)
if (!isMainThread && parentPort && (workerData as Record<string, unknown> | null)?.[CHARTS_MARKER]) {
  const port = parentPort;
  void import('./analyze/chart-worker').then((m) => m.serveCharts(port));
}

let backendSet = false;

export default async function work({ task, backend }: { task: StageTask; backend: string }) {
  const [{ useBackend }, { runStage }] = await Promise.all([import('soft-sampling'), import('./analyze/stages')]);
  if (!backendSet) {
    if (backend && backend !== 'auto') useBackend(backend as Parameters<typeof useBackend>[0]);
    backendSet = true;
  }
  return runStage(task);
}
