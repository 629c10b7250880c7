import { stepsIn } from '../../../domain/series.js';
import type { ModelContext } from '../../contract.js';
import { medianOf } from './smoothing.js';

/**
 * How MSTL forecasts the seasonally adjusted series (trend + remainder) that the decomposition
 * leaves: the part statsforecast's MSTL takes as a parameter (`trend_forecaster`), so that a
 * variant of the model is the same decomposition with another trend forecaster.
 */
export interface TrendForecaster {
  /** Fits on `a`, the adjusted series over the decomposition's window. */
  fit(a: Float64Array, ctx: ModelContext): FittedTrend;
}

/** A fitted trend forecaster: forecasts the adjusted series from any origin. */
export interface FittedTrend {
  /** Samples before the origin that `forecast` reads. */
  readonly lookback: number;
  /**
   * `h` forecasts of the adjusted series after index origin − 1, from `adj`, which holds the
   * adjusted series from index `start` (≤ origin − lookback, or 0) up to at least the origin.
   */
  forecast(adj: Float64Array, start: number, origin: number, h: number): Float64Array;
}

/** Options of medianLevel. */
export interface MedianLevelOptions {
  /** Time span before the origin whose median is the level (at least one sample). */
  readonly seconds: number;
}

/**
 * The adjusted series' median over the last `seconds` before the origin, held flat: a level
 * robust to outliers (Huber 1981 ch. 1; the running median of Tukey 1977 as a robust smoother).
 * A spike in that span (a cron job on a flat baseline, a burst of requests) does not lift the
 * forecast the way it lifts a mean or a least-squares AR, a level shift is followed once half the
 * span has shifted, and on a spiky series the median is nearer the conditional median that MASE
 * rewards.
 */
export function medianLevel(opts: MedianLevelOptions): TrendForecaster {
  return {
    fit(_a, ctx) {
      const span = stepsIn(opts.seconds, ctx.step);
      return {
        lookback: span,
        forecast(adj, start, origin, h) {
          const from = Math.max(0, origin - span);
          const buf = adj.slice(from - start, origin - start);
          const level = buf.length ? medianOf(buf, buf.length) : 0;
          return new Float64Array(h).fill(level);
        },
      };
    },
  };
}
