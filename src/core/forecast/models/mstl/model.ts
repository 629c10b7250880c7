import type { FittedModel, ForecastModel, ModelContext } from '../../contract.js';
import { localLevelAr } from './ar.js';
import { decompose, seasonalAt, seasonalInto, type Components, type DecomposeOptions, type WeeklyOptions } from './decompose.js';
import { medianLevel, type FittedTrend, type TrendForecaster } from './trend.js';

/**
 * MSTL as a forecaster (Bandara, Hyndman & Bergmeir 2021; Hyndman & Athanasopoulos, FPP3 §12.1
 * for the forecast of a decomposition): the series is decomposed into seasonal components and an
 * adjusted series (decompose.ts), the adjusted series is forecast by a trend forecaster
 * (trend.ts, ar.ts), and the seasonal components are continued, as statsforecast's MSTL does
 * with its `trend_forecaster`. The decomposition runs once, in fit; predict finds where the fitted
 * data ends in the array it is given, reads the adjusted series up to the origin with the fitted
 * components, and forecasts from there; it uses y[0, origin) only.
 */

export interface MstlOptions {
  readonly name: string;
  /** Days of the newest data the decomposition looks at (14: two weekly cycles). */
  readonly windowDays: number;
  /** The weekly component beside the daily one; undefined: the daily component alone. */
  readonly weekly: WeeklyOptions | undefined;
  /** Decomposition passes (MSTL's iterations); with the daily component alone there is one. */
  readonly passes: number;
  /**
   * `log-when-positive`: strictly positive data is decomposed on the log scale (multiplicative
   * seasonality, the Box-Cox λ = 0 of FPP3 §3.1 for counts and rates whose daily swing grows with
   * their level); `as-is`: always on the data's own scale.
   */
  readonly scale: 'log-when-positive' | 'as-is';
  /** How the seasonally adjusted series is forecast. */
  readonly trend: TrendForecaster;
}

/** Fewest overlapping samples that identify the fitted data inside a later array. */
const MIN_OVERLAP = 32;

/** Decomposition and trend fitted on one scale of the data: as it is, or its logarithm. */
interface ScaleFit {
  readonly comp: Components;
  readonly trend: FittedTrend;
  readonly tf: (v: number) => number;
  readonly inv: (v: number) => number;
}

/**
 * The adjusted series (data on the fit's scale less the seasonal components) at t in [from, to):
 * out[t − from]; index t of data is at phase t + shift of the components.
 */
function adjustedOf(f: ScaleFit, data: readonly number[], from: number, to: number, shift: number): Float64Array {
  const out = new Float64Array(Math.max(0, to - from));
  seasonalInto(f.comp, from + shift, out);
  for (let t = from; t < to; t++) out[t - from] = f.tf(data[t]) - out[t - from];
  return out;
}

/** First index forecastScale reads before `origin`. */
function readsFrom(f: ScaleFit, origin: number): number {
  return Math.max(0, origin - f.trend.lookback);
}

/**
 * `h` forecasts after data[origin − 1], from `adj` = adjustedOf(f, data, start, ≥ origin, shift)
 * with start ≤ readsFrom(f, origin): the trend's forecast plus the seasonal components, back on
 * the data's scale.
 */
function forecastScale(f: ScaleFit, adj: Float64Array, start: number, origin: number, shift: number, h: number): number[] {
  const trend = f.trend.forecast(adj, start, origin, h);
  const out = new Array<number>(h);
  for (let k = 0; k < h; k++) out[k] = f.inv(trend[k] + seasonalAt(f.comp, origin + k + shift));
  return out;
}

/** data[from, to) on the scale of `tf`. */
function rescaled(data: readonly number[], from: number, to: number, tf: (v: number) => number): Float64Array {
  const x = new Float64Array(to - from);
  for (let t = from; t < to; t++) x[t - from] = tf(data[t]);
  return x;
}

/** What decompose needs, in samples at this context's step. */
function decompositionOf(opts: MstlOptions, ctx: ModelContext): DecomposeOptions {
  const weekly = opts.weekly && {
    w: ctx.seasonWeek,
    minDays: opts.weekly.minDays,
    smoothHalf: Math.round(opts.weekly.smoothSeconds / ctx.step),
  };
  return { m: ctx.seasonDay, weekly, passes: opts.passes };
}

/**
 * How far index t of `data` is from its phase in the components fitted on y[fitFrom, n), or
 * undefined when `data` before `origin` does not end with the fitted data somewhere: in the same
 * array (the backtest, forecastWith), a longer one, or a window that has since slid forward (the
 * simulator's walk between refits). `tail` is the fitted data's last day (all of it, when
 * shorter), and every overlapping sample of it must be equal: a day of samples places the fitted
 * data, and comparing all 14 days at every forecast cost as much as the forecast.
 */
function anchorOf(tail: Float64Array, n: number, fitFrom: number) {
  const L = tail.length;
  return (data: readonly number[], origin: number): number | undefined => {
    const endsAt = (q: number) => {
      const k = Math.min(q, L);
      if (k < MIN_OVERLAP) return false;
      for (let j = 1; j <= k; j++) if (data[q - j] !== tail[L - j]) return false;
      return true;
    };
    if (n <= origin && endsAt(n)) return -fitFrom;
    for (let q = origin; q >= MIN_OVERLAP; q--) {
      if (data[q - 1] === tail[L - 1] && endsAt(q)) return n - q - fitFrom;
    }
    return undefined;
  };
}

/** The scale a fit works on: the logarithm (floored at `floor`) or the data as it is. */
function scaleOf(log: boolean, floor: number): Pick<ScaleFit, 'tf' | 'inv'> {
  return log ? { tf: (v) => Math.log(Math.max(v, floor)), inv: (v) => Math.exp(v) } : { tf: (v) => v, inv: (v) => v };
}

/** Decomposition and trend of y[fitFrom, n) on the scale `scale`. */
function fitScale(
  y: readonly number[],
  fitFrom: number,
  scale: Pick<ScaleFit, 'tf' | 'inv'>,
  decomposition: DecomposeOptions,
  trend: TrendForecaster,
  ctx: ModelContext,
): ScaleFit {
  const x = rescaled(y, fitFrom, y.length, scale.tf);
  const comp = decompose(x, decomposition);
  const a = new Float64Array(x.length);
  seasonalInto(comp, 0, a);
  for (let t = 0; t < a.length; t++) a[t] = x[t] - a[t];
  return { comp, trend: trend.fit(a, ctx), ...scale };
}

/** An MSTL forecaster with these options. */
export function mstlModel(opts: MstlOptions): ForecastModel {
  return {
    name: opts.name,
    minHistory: (ctx) => 2 * ctx.seasonDay,
    fit(y, _h, ctx) {
      const decomposition = decompositionOf(opts, ctx);
      const span = Math.round(opts.windowDays * ctx.seasonDay);
      const n = y.length;
      const fitFrom = Math.max(0, n - span);
      let lowest = Infinity;
      for (let t = fitFrom; t < n; t++) lowest = Math.min(lowest, y[t]);
      const scale = scaleOf(lowest > 0 && opts.scale === 'log-when-positive', lowest / 2);
      const fit = fitScale(y, fitFrom, scale, decomposition, opts.trend, ctx);
      // a fit is kept for hours (a backtest's, for the refits of a day): it holds a copy of the
      // fitted data's last day, to find it again, and no reference to y
      const tail = Float64Array.from(y.slice(Math.max(fitFrom, n - Math.max(MIN_OVERLAP, ctx.seasonDay)), n));
      return fittedMstl(fit, tail, n, fitFrom, span, decomposition);
    },
  };
}

/** The fitted model of `fit`, made on y[fitFrom, n) of a history of n samples, whose last samples are `tail`. */
function fittedMstl(
  fit: ScaleFit,
  tail: Float64Array,
  n: number,
  fitFrom: number,
  span: number,
  decomposition: DecomposeOptions,
): FittedModel {
  const anchor = anchorOf(tail, n, fitFrom);
  const predict = (data: readonly number[], origin: number, hh: number): number[] => {
    const shift = anchor(data, origin);
    if (shift !== undefined) {
      const start = readsFrom(fit, origin);
      return forecastScale(fit, adjustedOf(fit, data, start, origin, shift), start, origin, shift, hh);
    }
    // data the fit has not seen: decompose what comes before the origin, keep the trend's fit
    const from = Math.max(0, origin - span);
    const refit = { ...fit, comp: decompose(rescaled(data, from, origin, fit.tf), decomposition) };
    const start = readsFrom(refit, origin);
    return forecastScale(refit, adjustedOf(refit, data, start, origin, -from), start, origin, -from, hh);
  };
  return {
    predict,
    predictMany(data, origins, hh) {
      // origins that all come after the fitted data, in the array fitted on (the backtest's) or
      // in a window since slid forward (a kept backtest fit, scored again): one anchor, one
      // adjusted series for all of them
      if (!origins.length) return [];
      const first = Math.min(...origins);
      const shift = anchor(data, first);
      if (shift === undefined || first < n - fitFrom - shift) return origins.map((o) => predict(data, o, hh));
      const start = readsFrom(fit, first);
      const adj = adjustedOf(fit, data, start, Math.max(...origins), shift);
      return origins.map((o) => forecastScale(fit, adj, start, o, shift, hh));
    },
  };
}

const MSTL_OPTIONS: MstlOptions = {
  name: 'mstl',
  windowDays: 14,
  weekly: { minDays: 10, smoothSeconds: 1800 },
  passes: 2,
  scale: 'log-when-positive',
  trend: localLevelAr({ arDays: 7, arSeconds: 3600 }),
};

/**
 * The registered MSTL: daily + weekly components (the weekly one from ten days of data), two
 * passes, on the log scale for strictly positive data; the adjusted series is its mean over the
 * last day plus an AR over the last hour.
 */
export const mstl = mstlModel(MSTL_OPTIONS);

/**
 * The robust MSTL, for `auto` to choose or combine on spiky or shifting series: the same
 * decomposition with the daily component alone, and the adjusted series' median over the last
 * hour as its level, with no AR.
 */
export const mstlRobust = mstlModel({
  ...MSTL_OPTIONS,
  name: 'mstl_robust',
  weekly: undefined,
  trend: medianLevel({ seconds: 3600 }),
});
