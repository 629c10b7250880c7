import type { RegularSeries } from '../core/domain/series.js';
import { forecastWalk, type ForecastWalk, type SimulationOptions } from '../core/simulate/index.js';

/** One piece of a forecast walk, as a worker thread receives it (see parallel-walk.ts). */
export interface WalkTask {
  readonly series: RegularSeries;
  readonly horizon: number;
  /** Plain data only: the walk's settings and its piece, no callbacks. */
  readonly opts: Pick<
    SimulationOptions,
    'refitEverySec' | 'backtestFitEverySec' | 'historySec' | 'forecast' | 'walkFrom' | 'walkTo'
  >;
}

/** The walk of one piece, or the error's message (error classes do not cross threads). */
export type WalkResult = { readonly walk: ForecastWalk } | { readonly error: string };

/** Piscina's task function: walks one piece. */
export default function walkPiece(task: WalkTask): WalkResult {
  try {
    return { walk: forecastWalk(task.series, task.horizon, task.opts) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}
