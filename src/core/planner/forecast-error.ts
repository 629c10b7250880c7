/**
 * How wrong the last forecast was about now: the relative error of its p50 at this instant
 * against the load observed, averaged exponentially over decisions.
 */

/** Weight of the newest error in the error average (about a 10-decision memory). */
const ERROR_WEIGHT = 0.2;

/** The forecast value at time `t` (nearest point), or undefined outside the forecast. */
function valueAt(f: { start: number; step: number; p50: readonly number[] }, t: number): number | undefined {
  const i = Math.round((t - f.start) / f.step);
  return i >= 0 && i < f.p50.length ? f.p50[i] : undefined;
}

/**
 * Relative error of a forecast value against what happened: |f − a| / max(|f|, |a|), in [0, 2]
 * (1 when either is 0, above 1 only when they have opposite signs).
 */
function relativeError(forecast: number, actual: number): number {
  const scale = Math.max(Math.abs(actual), Math.abs(forecast), 1e-9);
  return Math.min(2, Math.abs(forecast - actual) / scale);
}

/**
 * The error average after this decision: unchanged when the load is unknown, the last forecast
 * did not reach now, or anything is not finite (a NaN must never enter the state for good).
 */
export function updatedForecastError(
  previous: number | undefined,
  lastForecast: { start: number; step: number; p50: readonly number[] } | undefined,
  now: number,
  observedLoad: number,
): number | undefined {
  const prior = previous !== undefined && Number.isFinite(previous) ? previous : undefined;
  if (!lastForecast || !Number.isFinite(observedLoad)) return prior;
  const predicted = valueAt(lastForecast, now);
  if (predicted === undefined || !Number.isFinite(predicted)) return prior;
  const e = relativeError(predicted, observedLoad);
  if (!Number.isFinite(e)) return prior;
  return prior === undefined ? e : (1 - ERROR_WEIGHT) * prior + ERROR_WEIGHT * e;
}
