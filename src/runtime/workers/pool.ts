import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { TuneRunner } from '../plan/tunings.js';
import type { TuneTask } from './tune-task.js';

/**
 * Worker threads for the CPU-heavy work of a cycle (the daily policy tuning replays a week of
 * forecasts), so that the main thread keeps answering the API and the probes meanwhile. The
 * workers run the same pure functions, so results are the same as in the main thread.
 */
export class CpuPool {
  private readonly pool: Piscina;

  /** `threads`: workers at most (default: the cores less one, at least one). */
  constructor(threads = Math.max(1, availableParallelism() - 1)) {
    // compiled: tune-task.js beside this file; from source (tsx), the .ts file
    const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
    this.pool = new Piscina({
      filename: new URL(`./tune-task.${ext}`, import.meta.url).href,
      minThreads: 0,
      maxThreads: threads,
      idleTimeout: 60_000,
    });
  }

  /** The tuning, run in a worker. */
  readonly tune: TuneRunner = (series, policy, model) => this.pool.run({ series, policy, model } satisfies TuneTask);

  /** Ends the workers (tasks still queued are rejected). */
  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
