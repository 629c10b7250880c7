import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { Forecast } from '../../core/domain/forecast.js';
import type { ForecastRunner, Refits } from '../plan/forecasts.js';
import type { TuneRunner } from '../plan/tunings.js';
import type { CpuTask, ForecastResult } from './cpu-task.js';
import { pack } from './packed.js';
import { workerEntry } from './entry.js';

/** Worker threads by default: one per core (the main thread mostly waits on I/O). */
export const DEFAULT_CPU_THREADS = Math.max(1, availableParallelism());

/** FNV-1a of a service key: the same service always goes to the same worker. */
export function workerOf(key: string, workers: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % workers;
}

/**
 * Worker threads for the CPU work of a cycle (forecaster fits, the `auto` backtests, LSTM
 * inference, the daily policy tuning), so that the main thread keeps answering the API and the
 * probes meanwhile. The workers run the same pure functions, so results are the same as in the
 * main thread.
 *
 * Each service's forecasts go to one worker, chosen by its key: that worker keeps the service's
 * fitted model (src/runtime/plan/forecasts.ts) between refits, exactly as the main thread's
 * cache would, so forecasts are identical to the last digit. Sending the fitted state with every
 * task instead would need every model's state as plain data, and the LSTM's is a tfjs graph.
 * Memory stays bounded: a service's fit lives in one worker only, and gone services are dropped
 * in every worker. Each worker is its own one-thread piscina, started on first use and kept (an
 * idle worker that exited would lose its fits and refit at another time than the main thread).
 */
export class CpuPool {
  private readonly workers: Array<Piscina | undefined>;
  private turn = 0;
  /** Retains still running: awaited before the workers end. */
  private readonly pending = new Set<Promise<unknown>>();

  /**
   * `threads`: workers (default: one per core, at least one); `modelsDir`: trained models, loaded
   * by a worker when one of its services names one.
   */
  constructor(
    readonly threads = DEFAULT_CPU_THREADS,
    private readonly modelsDir?: string,
  ) {
    if (!Number.isInteger(threads) || threads < 1)
      throw new RangeError(`threads must be a whole number >= 1, got ${threads}`);
    this.workers = new Array<Piscina | undefined>(threads).fill(undefined);
  }

  private worker(i: number): Piscina {
    this.workers[i] ??= new Piscina({
      filename: workerEntry('cpu-task', import.meta.url),
      minThreads: 1,
      maxThreads: 1,
    });
    return this.workers[i];
  }

  private run<T>(i: number, task: CpuTask): Promise<T> {
    return this.worker(i).run(task) as Promise<T>;
  }

  /** The tuning, run in a worker (in turn: a tuning has no fitted state to keep). */
  readonly tune: TuneRunner = (series, policy, model) => {
    this.turn = (this.turn + 1) % this.threads;
    return this.run(this.turn, { kind: 'tune', series: pack(series), policy, model });
  };

  /** Forecasts of a cycle with this horizon and refit intervals, each service in its own worker. */
  forecasts(horizonSteps: number, refits: Refits): ForecastRunner {
    const modelsDir = this.modelsDir;
    return {
      forecast: async (key, query, model, series, now): Promise<Forecast> => {
        const packed = pack(series);
        const task = {
          kind: 'forecast',
          horizonSteps,
          refits,
          modelsDir,
          key,
          query,
          model,
          series: packed,
          now,
        } as const;
        const result = await this.run<ForecastResult>(workerOf(key, this.threads), task);
        if ('forecast' in result) return result.forecast;
        throw Object.assign(new Error(result.error.message), { code: result.error.code });
      },
      retain: (keys) => {
        const task: CpuTask = { kind: 'retain', keys: [...keys] };
        this.workers.forEach((w, i) => {
          // a worker that failed is replaced by piscina with an empty cache: nothing to retain
          if (!w) return;
          const p = this.run(i, task)
            .catch(() => undefined)
            .finally(() => this.pending.delete(p));
          this.pending.add(p);
        });
      },
    };
  }

  /** Ends the workers (tasks still queued are rejected). */
  async close(): Promise<void> {
    await Promise.all(this.pending);
    await Promise.all(this.workers.map((w) => w?.destroy()));
  }
}
