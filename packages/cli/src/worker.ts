/**
 * Worker-thread entry of the CLI, built to dist/worker.mjs. Two roles:
 * - in the piscina pool (default export): runs a per-image stage on a chunk of images with the
 *   requested backend;
 * - started by {@link BackgroundWriter} (workerData marker): formats and writes the report's big
 *   per-sample files. The library (and its native addon) is loaded only for the first role.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { StageTask } from './analyze/stages';
import { serveWriteJobs, WRITER_MARKER } from './analyze/writer';

if (!isMainThread && parentPort && (workerData as Record<string, unknown> | null)?.[WRITER_MARKER]) serveWriteJobs(parentPort);

let backendSet = false;

export default async function work({ task, backend }: { task: StageTask; backend: string }) {
  const [{ useBackend }, { runStage }] = await Promise.all([import('soft-sampling'), import('./analyze/stages')]);
  if (!backendSet) {
    if (backend && backend !== 'auto') useBackend(backend as Parameters<typeof useBackend>[0]);
    backendSet = true;
  }
  return runStage(task);
}
