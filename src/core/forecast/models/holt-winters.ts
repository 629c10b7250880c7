import type { FittedModel, ForecastModel, ModelContext, PointForecast } from '../contract.js';
import { nelderMead } from '../optimize.js';

/**
 * Holt-Winters exponential smoothing with daily seasonality and a damped additive trend
 * (Hyndman & Athanasopoulos, FPP3 §8.3, "Holt-Winters' additive method" and "multiplicative
 * method", with damping φ from §8.2). α, β, γ, φ are fitted by minimising the in-sample one-step
 * squared error with Nelder-Mead, the way statsmodels' ExponentialSmoothing(...).fit() does by
 * default; Nelder & Mead 1965 for the search. The seasonal state starts as the mean daily profile
 * of the first week (each day's deviations from, or ratios to, its own mean): a profile from the
 * first day alone lets one odd day (a weekend, an incident) bias every later forecast while γ is
 * small (docs/benchmarks.md).
 *
 * The multiplicative variant scales the daily swing with the level (traffic that grows keeps its
 * shape, not its amplitude); it is defined for strictly positive series only.
 */

type Seasonality = 'additive' | 'multiplicative';

interface Params {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}

const logistic = (v: number): number => 1 / (1 + Math.exp(-v));

function unpack(v: readonly number[]): Params {
  return { alpha: logistic(v[0]), beta: 0.3 * logistic(v[1]), gamma: 0.5 * logistic(v[2]), phi: 0.8 + 0.2 * logistic(v[3]) };
}

/** Days averaged for the initial seasonal profile: a whole week, so weekdays and weekend weigh as they recur. */
const INIT_DAYS = 7;
/** Smallest seasonal factor and level (relative to the first day's mean) the multiplicative filter divides by. */
const MIN_FACTOR = 1e-3;
/** Days of history the parameters are fitted on and the filter runs over (older data is less relevant and costs time). */
const FIT_DAYS = 14;

/** The filter's starting point on a window, which depends on the data only (not on α, β, γ, φ). */
interface Initial {
  /** Days the seasonal profile averages; the same for every window of at least INIT_DAYS + 1 days. */
  readonly days: number;
  /** The first day's mean. */
  readonly level: number;
  /** The mean daily profile of the first `days` days. */
  readonly season: Float64Array;
  /** Smallest level the multiplicative season update divides by. */
  readonly minBase: number;
}

/** Days the initial season of a window of `n` samples averages. */
function initDays(n: number, m: number): number {
  return Math.max(1, Math.min(INIT_DAYS, Math.floor(n / m) - 1));
}

/**
 * Initial states from the first days of window x: level = the first day's mean, season = the mean
 * daily profile (deviations from, or ratios to, each day's own mean), so that one odd day does
 * not set it.
 */
function initialState(x: Float64Array, m: number, mult: boolean): Initial {
  const days = initDays(x.length, m);
  let level = 0;
  for (let i = 0; i < m; i++) level += x[i];
  level /= m;
  const season = new Float64Array(m);
  for (let d = 0; d < days; d++) {
    let mean = 0;
    for (let i = 0; i < m; i++) mean += x[d * m + i];
    mean /= m;
    for (let i = 0; i < m; i++) season[i] += (mult ? (mean > 0 ? x[d * m + i] / mean : 1) : x[d * m + i] - mean) / days;
  }
  return { days, level, season, minBase: MIN_FACTOR * (Math.abs(level) || 1) };
}

/** The filter's state before sample `t` of its window; the season is indexed by phase t mod m. */
interface State {
  level: number;
  trend: number;
  readonly season: Float64Array;
  t: number;
}

/** The state before the first filtered sample (the first day only initialises). */
function startState(init: Initial, season: Float64Array = new Float64Array(init.season.length)): State {
  season.set(init.season);
  return { level: init.level, trend: 0, season, t: init.season.length };
}

/**
 * Runs the filter over x[st.t, x.length), updating `st`; returns the sum of squared one-step
 * errors over those samples. The trend update b = β(ℓ − ℓ₋₁) + (1−β)φb₋₁ is split into
 * c = (1−β)φb₋₁ − βℓ₋₁, known before ℓ, and b = βℓ + c; the next step's ℓ + φb is then
 * (1 + φβ)ℓ + φc: the same recursion with a shorter chain of dependent operations per sample
 * (the fit runs this loop once per Nelder-Mead evaluation).
 */
function advance(x: Float64Array, st: State, p: Params, mult: boolean, minBase: number): number {
  const season = st.season;
  const m = season.length;
  const n = x.length;
  const { alpha, beta, gamma, phi } = p;
  const keepLevel = 1 - alpha;
  const keepTrend = (1 - beta) * phi;
  const keepSeason = 1 - gamma;
  const grow = 1 + phi * beta;
  let level = st.level;
  let trend = st.trend;
  let base = level + phi * trend;
  let j = st.t % m;
  let sse = 0;
  if (mult) {
    for (let t = st.t; t < n; t++) {
      const y = x[t];
      const s = season[j];
      const err = y - base * s;
      sse += err * err;
      const c = keepTrend * trend - beta * level;
      // FPP3 §8.3: ℓ = α y/s + (1−α)(ℓ + φb), s = γ y/(ℓ₋₁ + φb₋₁) + (1−γ) s₋ₘ; the divisors are kept
      // off zero so that a zero in data the fit did not see cannot break the filter
      season[j] = gamma * (y / Math.max(base, minBase)) + keepSeason * s;
      level = alpha * (y / Math.max(s, MIN_FACTOR)) + keepLevel * base;
      trend = beta * level + c;
      base = grow * level + phi * c;
      if (++j === m) j = 0;
    }
  } else {
    for (let t = st.t; t < n; t++) {
      const y = x[t];
      const s = season[j];
      const err = y - (base + s);
      sse += err * err;
      const prevLevel = level;
      const c = keepTrend * trend - beta * level;
      level = alpha * (y - s) + keepLevel * base;
      trend = beta * level + c;
      base = grow * level + phi * c;
      // (the season update reads the trend just updated, as this model always has; FPP3 reads the
      // previous one: no measurable difference on the reference traces)
      season[j] = gamma * (y - prevLevel - phi * trend) + keepSeason * s;
      if (++j === m) j = 0;
    }
  }
  st.level = level;
  st.trend = trend;
  st.t = n;
  return sse;
}

/** Forecast `h` steps after the end of a window of `n` samples, from the filter's state there. */
function extrapolate(st: State, p: Params, n: number, h: number, mult: boolean): number[] {
  const m = st.season.length;
  const out = new Array<number>(h);
  let damp = 0;
  for (let k = 1; k <= h; k++) {
    damp += Math.pow(p.phi, k);
    const base = st.level + damp * st.trend;
    const s = st.season[(n + k - 1) % m];
    out[k - 1] = mult ? base * s : base + s;
  }
  return out;
}

/**
 * Nelder-Mead stops when the simplex's SSEs agree to this relative tolerance: fewer evaluations
 * than 1e-8 for the same accuracy (docs/benchmarks.md): the SSE is flat near its minimum, and the
 * last digits move the parameters, not the forecasts.
 */
const TOLERANCE = 1e-5;
/**
 * The backtest's fit stops at 1e-3: its forecasts only rank the candidates, and the chosen model
 * refits from its parameters at TOLERANCE. `auto` scored the same to the third decimal with 8 and
 * 40 origins, with a third less time per forecast (docs/benchmarks.md).
 */
const RANK_TOLERANCE = 1e-3;
/** Nelder-Mead's start (α, β, γ, φ before unpack) and first step from scratch. */
const START: readonly number[] = [0, -1, -2, 1];
const START_STEP = 1.5;
/** A refit's first step: it starts from the last fit's optimum, which the new data moves a little. */
const REFIT_STEP = 0.3;

function holtWintersModel(name: string, kind: Seasonality): ForecastModel {
  const mult = kind === 'multiplicative';
  return {
    name,
    minHistory: (ctx: ModelContext) => 2 * ctx.seasonDay,
    fit: (y, _h, ctx, effort = 'full') =>
      fitFrom(y, ctx, START, START_STEP, effort === 'rank' ? RANK_TOLERANCE : TOLERANCE),
  };

  /** The parameters (before unpack) minimising the one-step squared error over the last `span` samples of y. */
  function search(y: readonly number[], m: number, span: number, x0: readonly number[], step: number, tol: number) {
    const x = new Float64Array(y.length > span ? y.slice(y.length - span) : y);
    if (mult && !x.every((v) => v > 0)) {
      throw new Error('multiplicative seasonality needs a strictly positive series');
    }
    const init = initialState(x, m, mult);
    const season = new Float64Array(m);
    const sse = (v: number[]) => advance(x, startState(init, season), unpack(v), mult, init.minBase);
    return nelderMead(sse, x0, { maxIterations: 120, step, tolerance: tol });
  }

  /** Nelder-Mead from `x0` (unpacked parameters) with first step `step`, to relative tolerance `tol`. */
  function fitFrom(y: readonly number[], ctx: ModelContext, x0: readonly number[], step: number, tol: number): FittedModel {
    const m = ctx.seasonDay;
    const span = FIT_DAYS * m;
    const v = search(y, m, span, x0, step, tol);
    // (the fitted model keeps its parameters only, not the window: a backtest's fit is kept for a day)
    const p = unpack(v);
    /**
     * Forecasts from each origin, the filter run with the fitted parameters over the FIT_DAYS
     * before it. Origins whose windows start at the same sample (and average the same days into
     * the initial season) continue one run of the filter instead of restarting it.
     */
    const predictMany = (data: readonly number[], origins: readonly number[], h: number): PointForecast[] => {
      if (!origins.length) return [];
      const lo = Math.max(0, Math.min(...origins) - span);
      const hi = Math.min(data.length, Math.max(...origins));
      const all = new Float64Array(Math.max(0, hi - lo));
      for (let i = 0; i < all.length; i++) all[i] = data[lo + i];
      let st: State | undefined;
      let init: Initial | undefined;
      let from = -1;
      return origins.map((origin) => {
        const start = Math.max(0, origin - span);
        const window = all.subarray(start - lo, origin - lo);
        if (!st || !init || start !== from || initDays(window.length, m) !== init.days || st.t > window.length) {
          init = initialState(window, m, mult);
          st = startState(init);
          from = start;
        }
        advance(window, st, p, mult, init.minBase);
        return extrapolate(st, p, window.length, h, mult);
      });
    };
    return {
      predict: (data, origin, h) => predictMany(data, [origin], h)[0],
      predictMany,
      refit: (data, _h, c) => fitFrom(data, c, v, REFIT_STEP, TOLERANCE),
    };
  }
}

/** Additive daily seasonality. */
export const holtWinters = holtWintersModel('holt_winters', 'additive');
/** Multiplicative daily seasonality (strictly positive series; fit throws otherwise). */
export const holtWintersMultiplicative = holtWintersModel('holt_winters_mult', 'multiplicative');
