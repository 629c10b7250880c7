import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { stepsIn, type RegularSeries } from '../core/domain/series.js';
import {
  forecastWalk,
  joinWalks,
  walkPieces,
  type ForecastWalk,
  type ReplayPhase,
  type SimulationOptions,
} from '../core/simulate/index.js';
import type { WalkMessage, WalkTask } from './walk-worker.js';

/**
 * The forecast walk of a replay on several cores. Its refits depend on the data only, so pieces
 * of whole refit intervals (walkPieces) are walked in worker threads and joined: the same
 * forecasts, to the last digit, as one walk in one thread (test/unit/cli/parallel-walk.test.ts).
 */

/** Refit intervals per thread below which another thread does not pay for starting it. */
const INTERVALS_PER_THREAD = 150;
/** Pieces per thread: the threads take the next piece when done, so uneven pieces even out. */
const PIECES_PER_THREAD = 4;

/** Threads worth using on this walk: one per core, fewer on a short series. */
export function walkThreads(series: RegularSeries, opts: Pick<SimulationOptions, 'refitEverySec'> = {}): number {
  const intervals = series.values.length / stepsIn(opts.refitEverySec ?? 3600, series.step);
  return Math.max(1, Math.min(availableParallelism(), Math.floor(intervals / INTERVALS_PER_THREAD)));
}

type Walkable = Pick<SimulationOptions, 'refitEverySec' | 'historySec' | 'forecast'>;

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
  const { refitEverySec, historySec, forecast } = opts;
  const serial = () => forecastWalk(series, horizon, { refitEverySec, historySec, forecast, onProgress });
  const pieces = walkPieces(series, threads * PIECES_PER_THREAD, opts);
  const n = series.values.length;
  if (threads < 2 || pieces.length < 2) return serial();
  // compiled: walk-worker.js beside this file; from source (tsx), the .ts file
  const url = new URL(`./walk-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);
  const walks: ForecastWalk[] = [];
  let next = 0;
  let done = 0;
  const work = (worker: Worker) =>
    new Promise<void>((resolve, reject) => {
      const send = () => {
        if (next >= pieces.length) return resolve();
        const [walkFrom, walkTo] = pieces[next++];
        const task: WalkTask = { series, horizon, opts: { refitEverySec, historySec, forecast, walkFrom, walkTo } };
        worker.postMessage(task);
      };
      worker.on('message', (m: WalkMessage) => {
        if ('progress' in m) {
          done += m.progress;
          onProgress?.('forecast', Math.min(done, n), n);
        } else if ('walk' in m) {
          walks.push(m.walk);
          send();
        } else reject(new Error(m.error));
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`walk worker exited with code ${code}`)));
      send();
    });
  const workers = Array.from({ length: Math.min(threads, pieces.length) }, () => new Worker(url));
  try {
    await Promise.all(workers.map(work));
  } catch {
    return serial();
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  onProgress?.('forecast', n, n);
  return joinWalks(walks);
}
