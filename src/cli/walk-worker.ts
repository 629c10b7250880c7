import { parentPort } from 'node:worker_threads';
import type { RegularSeries } from '../core/domain/series.js';
import { forecastWalk, type ForecastWalk, type SimulationOptions } from '../core/simulate/index.js';

/** One piece of a forecast walk, as a worker thread receives it (see parallel-walk.ts). */
export interface WalkTask {
  readonly series: RegularSeries;
  readonly horizon: number;
  /** Plain data only: the walk's settings and its piece, no callbacks. */
  readonly opts: Pick<SimulationOptions, 'refitEverySec' | 'historySec' | 'forecast' | 'walkFrom' | 'walkTo'>;
}

/** What the worker posts for each task: progress (steps done since the last), then the walk or the error. */
export type WalkMessage =
  { readonly progress: number } | { readonly walk: ForecastWalk } | { readonly error: string };

/** Steps between progress messages: one per step would cost more than it shows. */
const PROGRESS_EVERY = 100;

const port = parentPort;
port?.on('message', (task: WalkTask) => {
  try {
    let done = 0;
    const walk = forecastWalk(task.series, task.horizon, {
      ...task.opts,
      onProgress: () => {
        if (++done % PROGRESS_EVERY === 0) port.postMessage({ progress: PROGRESS_EVERY } satisfies WalkMessage);
      },
    });
    port.postMessage({ walk } satisfies WalkMessage);
  } catch (err) {
    port.postMessage({ error: err instanceof Error ? err.message : String(err) } satisfies WalkMessage);
  }
});
