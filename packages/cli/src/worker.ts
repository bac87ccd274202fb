/**
 * Worker-thread entry of the CLI's piscina pool: runs a per-image stage on a chunk of images with
 * the requested backend. Built to dist/worker.mjs.
 */
import { useBackend, type BackendName } from 'soft-sampling';
import { runStage, type StageTask } from './analyze/stages';

let backendSet = false;

export default function work({ task, backend }: { task: StageTask; backend: string }) {
  if (!backendSet) {
    if (backend && backend !== 'auto') useBackend(backend as BackendName);
    backendSet = true;
  }
  return runStage(task);
}
