/**
 * A quantile forecast over a regular horizon: `p50[i]` and `p90[i]` are for `start + i * step`.
 * `p90[i] >= p50[i]` always; both are finite.
 */
export interface Forecast {
  readonly start: number;
  readonly step: number;
  readonly p50: readonly number[];
  readonly p90: readonly number[];
  /** The model that produced the numbers, e.g. `holt_winters`, or `auto:holt_winters`. */
  readonly model: string;
  /** Why this model and not another: fallbacks taken, data problems found. Empty when nothing to say. */
  readonly notes: readonly string[];
}

/** The quantiles a forecast carries and a policy may provision for. */
export type QuantileName = 'p50' | 'p90';
