import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { stepsIn, type RegularSeries } from '../core/domain/series.js';
import { REFIT_EVERY_SEC } from '../core/forecast/forecaster.js';
import {
  forecastWalk,
  joinWalks,
  walkPieces,
  type ForecastWalk,
  type ReplayPhase,
  type SimulationOptions,
} from '../core/simulate/index.js';
import type { WalkResult, WalkTask } from './walk-worker.js';
import { workerEntry } from '../runtime/workers/entry.js';

/**
 * The forecast walk of a replay on several cores. Its refits depend on the data only, so pieces
 * of whole refit intervals (walkPieces) are walked in worker threads and joined: the same
 * forecasts, to the last digit, as one walk in one thread (test/unit/cli/parallel-walk.test.ts).
 */

/**
 * Refit intervals per thread below which another thread does not pay for starting it (a worker
 * loads the forecaster and runs cold): on 2 cores a 30-day walk (720) took as long on two threads
 * as on one, a 69-day one (1,657) a fifth less (docs/benchmarks.md).
 */
const INTERVALS_PER_THREAD = 500;
/** Pieces per thread: a thread takes the next piece when done, so uneven pieces even out. */
const PIECES_PER_THREAD = 4;

/** Threads worth using on this walk: one per core, fewer on a short series. */
export function walkThreads(series: RegularSeries, opts: Pick<SimulationOptions, 'refitEverySec'> = {}): number {
  const intervals = series.values.length / stepsIn(opts.refitEverySec ?? REFIT_EVERY_SEC, series.step);
  return Math.max(1, Math.min(availableParallelism(), Math.floor(intervals / INTERVALS_PER_THREAD)));
}

type Walkable = Pick<SimulationOptions, 'refitEverySec' | 'backtestFitEverySec' | 'historySec' | 'forecast'>;

/**
 * forecastWalk(series, horizon, opts) in `threads` worker threads; with one thread (or a series
 * too short to cut), in this one. A piece that fails makes the whole walk run here, so the
 * error (with its code) is the one the walk in one thread raises.
 */
export async function parallelWalk(
  series: RegularSeries,
  horizon: number,
  opts: Walkable,
  threads: number,
  onProgress?: (phase: ReplayPhase, done: number, total: number) => void,
): Promise<ForecastWalk> {
  const { refitEverySec, backtestFitEverySec, historySec, forecast } = opts;
  const serial = () =>
    forecastWalk(series, horizon, { refitEverySec, backtestFitEverySec, historySec, forecast, onProgress });
  const pieces = walkPieces(series, threads * PIECES_PER_THREAD, opts);
  const n = series.values.length;
  if (threads < 2 || pieces.length < 2) return serial();
  const pool = new Piscina({
    filename: workerEntry('walk-worker', import.meta.url),
    minThreads: threads,
    maxThreads: threads,
  });
  let done = 0;
  const walkOne = async (task: WalkTask): Promise<ForecastWalk> => {
    const r = (await pool.run(task)) as WalkResult;
    if ('error' in r) throw new Error(r.error);
    done += (task.opts.walkTo ?? n) - (task.opts.walkFrom ?? 0);
    onProgress?.('forecast', done, n);
    return r.walk;
  };
  try {
    const tasks = pieces.map(([walkFrom, walkTo]): WalkTask => ({
      series,
      horizon,
      opts: { refitEverySec, backtestFitEverySec, historySec, forecast, walkFrom, walkTo },
    }));
    // every piece settles before the pool ends (a rejection left behind would end the process)
    const walks = await Promise.allSettled(tasks.map(walkOne));
    const ok = walks.flatMap((w) => (w.status === 'fulfilled' ? [w.value] : []));
    return ok.length === walks.length ? joinWalks(ok) : serial();
  } finally {
    await pool.destroy();
  }
}
