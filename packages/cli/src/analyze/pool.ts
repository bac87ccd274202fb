/**
 * Runs per-image stages over all images: in-process (`workers: 0`) or on a piscina worker pool.
 * Images are cut into chunks in a fixed order and results are put back by chunk index, so the output
 * does not depend on the number of workers or on scheduling.
 */
import { runStage, type StageTask, type StageResult } from './stages';
import type { ImageInput } from 'soft-sampling/internal';

export interface PoolOptions {
  /** 0 = in the main thread; N ≥ 1 = a pool of N worker threads. */
  workers: number;
  /** Backend the workers use (`auto` = the library's automatic choice). */
  backend: string;
  /** Path or URL of the built worker module (dist/worker.mjs). */
  workerFile?: string | URL;
  /** Called with the number of images done so far. */
  onProgress?: (done: number) => void;
}

type TaskBody = StageTask extends infer T ? (T extends { images: ImageInput[] } ? Omit<T, 'images'> : never) : never;

export class StageRunner {
  private pool: any;
  constructor(private o: PoolOptions) {}

  private async getPool(): Promise<any> {
    if (this.pool) return this.pool;
    const { Piscina } = await import('piscina');
    if (!this.o.workerFile) throw new Error('the worker pool needs the built worker module (dist/worker.mjs)');
    const filename = typeof this.o.workerFile === 'string' ? this.o.workerFile : this.o.workerFile.href;
    this.pool = new Piscina({ filename, minThreads: this.o.workers, maxThreads: this.o.workers, idleTimeout: 1000 });
    return this.pool;
  }

  /** Runs `body` on every image; returns one result per image, in image order. */
  async run<R extends StageResult>(body: TaskBody, images: ImageInput[], chunkSize?: number): Promise<R[]> {
    const n = images.length;
    const size = chunkSize ?? Math.max(1, Math.min(64, Math.ceil(n / Math.max(1, this.o.workers * 8))));
    const chunks: ImageInput[][] = [];
    for (let i = 0; i < n; i += size) chunks.push(images.slice(i, i + size));
    const out: R[][] = new Array(chunks.length);
    let done = 0;
    if (this.o.workers === 0) {
      for (let c = 0; c < chunks.length; c++) {
        out[c] = runStage({ ...body, images: chunks[c] } as StageTask) as R[];
        done += chunks[c].length;
        this.o.onProgress?.(done);
        if (c % 8 === 7) await new Promise((r) => setImmediate(r)); // let the progress bar draw
      }
    } else {
      const pool = await this.getPool();
      // at most 2 chunks per worker in flight: every posted chunk is a structured-clone copy of its
      // images, so posting all at once would hold a second copy of the whole input
      let next = 0;
      const lane = async () => {
        while (next < chunks.length) {
          const c = next++;
          out[c] = (await pool.run({ task: { ...body, images: chunks[c] }, backend: this.o.backend })) as R[];
          done += chunks[c].length;
          this.o.onProgress?.(done);
        }
      };
      await Promise.all(Array.from({ length: Math.min(chunks.length, 2 * this.o.workers) }, lane));
    }
    return out.flat();
  }

  async close(): Promise<void> {
    if (this.pool) await this.pool.destroy();
    this.pool = undefined;
  }
}
