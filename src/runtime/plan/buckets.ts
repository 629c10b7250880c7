import type { RegularSeries, Samples } from '../../core/domain/series.js';
import { countGaps, resample, toRegular } from '../../core/series/regular.js';
import type { HistorySummary } from '../report.js';

/** Step of the series the forecaster sees: 5 minutes, or the query step when coarser. */
export const FORECAST_STEP = 300;

/** The forecast step for a query step. */
export function forecastStep(queryStep: number): number {
  return Math.max(FORECAST_STEP, queryStep);
}

/** A service's history on the forecaster's grid, and what it was made from. */
export interface Buckets {
  readonly summary: HistorySummary;
  /** Whole forecast-step buckets only, oldest first. */
  readonly series: RegularSeries;
  /** Points of the query-step grid the gaps were counted on. */
  readonly gridPoints: number;
}

/**
 * Samples at the query step → whole buckets at the forecast step. The grid is anchored on whole
 * forecast steps (:00, :05, …) so that buckets, and the forecast made from them, stay the same
 * from one cycle to the next until a bucket completes; the bucket still filling is left out
 * (it would read as a dip).
 */
export function toBuckets(samples: Samples, queryStep: number): Buckets {
  const fstep = forecastStep(queryStep);
  const first = samples.timestamps[0];
  const last = samples.timestamps[samples.timestamps.length - 1];
  const raw = toRegular(samples, queryStep, Math.ceil(first / fstep) * fstep);
  const summary: HistorySummary = {
    from: first,
    to: last,
    points: samples.timestamps.length,
    gaps: countGaps(raw),
    step: queryStep,
  };
  const complete = Math.floor((last + queryStep - raw.start) / fstep) * fstep;
  const trimmed = { ...raw, values: raw.values.slice(0, Math.round(complete / queryStep)) };
  const series = fstep % queryStep === 0 ? resample(trimmed, fstep) : trimmed;
  return { summary, series, gridPoints: raw.values.length };
}
