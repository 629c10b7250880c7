import { PrescaleError } from '../domain/errors.js';
import type { Forecast } from '../domain/forecast.js';
import { DAY_SECONDS, WEEK_SECONDS, endOf, stepsIn, type RegularSeries } from '../domain/series.js';
import { countGaps, fillGaps } from '../series/regular.js';
import { quantile } from '../series/stats.js';
import type { FittedModel, ForecastModel, ModelContext } from './contract.js';
import { naive } from './models/naive.js';
import { AUTO_CANDIDATES, findModel, modelNames } from './registry.js';

export type { FittedModel, ForecastModel, ModelContext } from './contract.js';
export { forecastWith } from './contract.js';
export { modelNames } from './registry.js';

/** Options of one forecast. */
export interface ForecastOptions {
  /** A registered model name, or `auto` (default): chosen per series by rolling-origin backtest. */
  readonly model?: string;
  /** Models loaded at run time (e.g. an LSTM from models/), usable by name and by `auto`. */
  readonly extraModels?: readonly ForecastModel[];
}

/** Rolling origins over the last two days, to choose models and calibrate p90. */
const ORIGINS = 16;
/** Models combined by `auto` at most (the best ones by backtest). */
const COMBINE = 3;
/** Longest horizon evaluated by the backtest; p90 beyond it keeps the last step's width. */
const MAX_BACKTEST_H = 24;
/** z of the 90th percentile of a normal, for the fallback interval when no backtest is possible. */
const Z90 = 1.2816;

/** The context models see: seasons in samples at this step. */
export function contextOf(series: RegularSeries): ModelContext {
  return {
    step: series.step,
    seasonDay: stepsIn(DAY_SECONDS, series.step),
    seasonWeek: stepsIn(WEEK_SECONDS, series.step),
    start: series.start,
  };
}

/** Point forecasts of `model` made at each origin, with their errors (actual − forecast). */
export interface BacktestRun {
  readonly model: string;
  /** Origins (sample counts of the training prefix). */
  readonly origins: readonly number[];
  /** residuals[i][k]: error of step k+1 at origin i. */
  readonly residuals: readonly (readonly number[])[];
  /** forecasts[i][k]: the forecast of step k+1 at origin i. */
  readonly forecasts: readonly (readonly number[])[];
  /** The model as fitted on the data before the first origin. */
  readonly fitted: FittedModel;
  /** Mean absolute error over all origins and steps. */
  readonly mae: number;
}

/**
 * Rolling-origin evaluation (Tashman 2000, "Out-of-sample tests of forecasting accuracy"): the
 * model is fitted once on the data before the first origin, then forecasts from every origin o
 * using y[0, o) only, and is scored on y[o, o + h). Fitting once keeps the whole evaluation at
 * about the cost of one fit, which is what lets `auto` run every cycle.
 */
export function backtestModel(
  model: ForecastModel,
  y: readonly number[],
  origins: readonly number[],
  h: number,
  ctx: ModelContext,
): BacktestRun {
  const fitted = model.fit(y.slice(0, origins[0]), h, ctx);
  const residuals: number[][] = [];
  const forecasts: number[][] = [];
  let sum = 0;
  let cnt = 0;
  const all = fitted.predictMany ? fitted.predictMany(y, origins, h) : origins.map((o) => fitted.predict(y, o, h));
  for (let i = 0; i < origins.length; i++) {
    const o = origins[i];
    const fc = all[i];
    const r: number[] = [];
    for (let k = 0; k < h; k++) {
      if (!Number.isFinite(fc[k])) throw new PrescaleError('E_FORECAST', `${model.name} produced a non-finite value`);
      const e = y[o + k] - fc[k];
      r.push(e);
      sum += Math.abs(e);
      cnt++;
    }
    residuals.push(r);
    forecasts.push(fc);
  }
  return { model: model.name, origins, residuals, forecasts, fitted, mae: cnt ? sum / cnt : Number.POSITIVE_INFINITY };
}

/** Origins spread over the last two days before the final `h` samples, latest last. */
export function recentOrigins(n: number, h: number, ctx: ModelContext, count = ORIGINS): number[] {
  const spacing = Math.max(1, Math.floor((2 * ctx.seasonDay) / count));
  const out: number[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const o = n - h - i * spacing;
    if (o > 0) out.push(o);
  }
  return out;
}

/**
 * Upper 90 % margin per horizon step from backtest residuals (split-conformal in spirit:
 * Vovk et al. 2005; Stankeviciute et al. 2021 for multi-step): at step k, the 90th percentile of
 * the errors at steps k-2..k+2 over all origins, never narrower than an earlier step (uncertainty
 * does not shrink with the horizon), never negative.
 */
export function p90Margins(residuals: readonly (readonly number[])[], h: number): number[] {
  const hb = residuals[0]?.length ?? 0;
  const out = new Array<number>(h);
  let prev = 0;
  for (let k = 0; k < h; k++) {
    if (k < hb) {
      const pool: number[] = [];
      for (const r of residuals) for (let j = Math.max(0, k - 2); j <= Math.min(hb - 1, k + 2); j++) pool.push(r[j]);
      prev = Math.max(prev, quantile(pool, 0.9), 0);
    }
    out[k] = prev;
  }
  return out;
}

/** Residuals of the mean of several models' backtest forecasts (same origins). */
function combinedResiduals(runs: readonly { run?: BacktestRun }[], y: readonly number[]): number[][] {
  const first = runs[0].run as BacktestRun;
  return first.origins.map((o, i) =>
    first.forecasts[i].map(
      (_, k) => y[o + k] - runs.reduce((acc, r) => acc + (r.run as BacktestRun).forecasts[i][k], 0) / runs.length,
    ),
  );
}

function meanAbs(rows: readonly (readonly number[])[]): number {
  let s = 0;
  let n = 0;
  for (const r of rows) {
    for (const v of r) s += Math.abs(v);
    n += r.length;
  }
  return n ? s / n : Infinity;
}

/** Days back that recurringJump scans. */
const SLOT_DAYS = 7;
/**
 * The median over the last SLOT_DAYS days of the largest 5-minute rise y[i] − y[i − r] within
 * ± 30 minutes of the same time of day as index `j` (m samples a day). It widens p90 where the series
 * jumps at about the same time every day — a cron job on a flat baseline, a shift change, a
 * daily batch — that a point forecast smooths away because the jump's minute wanders: when such
 * a jump came near this time on at least half of the last days, p90 covers it — from the
 * earliest to the latest time of day it came at, not over the whole ±30 minutes. The planner
 * provisions for p90, so a recurring spike is met by replicas that are already running.
 */
function recurringJump(y: readonly number[], j: number, m: number): number {
  const width = Math.max(1, Math.round(m / 48));
  const r = Math.max(1, Math.round(m / 288));
  const maxima: number[] = [];
  let earliest = Number.POSITIVE_INFINITY;
  let latest = Number.NEGATIVE_INFINITY;
  for (let d = 1; d <= SLOT_DAYS; d++) {
    let best = Number.NEGATIVE_INFINITY;
    let at = 0;
    for (let w = -width; w <= width; w++) {
      const i = j - d * m + w;
      if (i >= r && i < j && i < y.length && y[i] - y[i - r] > best) {
        best = y[i] - y[i - r];
        at = w;
      }
    }
    if (Number.isFinite(best)) {
      maxima.push(best);
      earliest = Math.min(earliest, at);
      latest = Math.max(latest, at);
    }
  }
  // only between the earliest and the latest time of day the jump came at: a jump that comes at
  // the same minute every day is provisioned for that minute, not half an hour ahead
  if (maxima.length < 3 || earliest > 0 || latest < 0) return 0;
  return Math.max(0, quantile(maxima, 0.5));
}

/** Fallback p90 margin when no backtest is possible: a random walk's spread, √k widening. */
function randomWalkMargins(y: readonly number[], h: number): number[] {
  const d: number[] = [];
  for (let i = 1; i < y.length; i++) d.push(y[i] - y[i - 1]);
  const sd = d.length ? Math.sqrt(d.reduce((a, b) => a + b * b, 0) / d.length) : 0;
  return Array.from({ length: h }, (_, k) => Z90 * sd * Math.sqrt(k + 1));
}

/**
 * A forecaster chosen and fitted on a history, ready to forecast from that history's end or from
 * any later origin of a longer array (as the scheduled job does between refits: parameters fitted
 * hourly, forecasts made every cycle from the newest data).
 */
export interface PreparedForecaster {
  /** `auto:a+b` or the model's name. */
  readonly model: string;
  readonly notes: readonly string[];
  readonly horizon: number;
  /** p50 and p90 for the `horizon` steps after `y[origin - 1]`, from `y[0, origin)` only. */
  predict(y: readonly number[], origin: number): { p50: number[]; p90: number[] };
}

/**
 * Chooses and fits the forecaster of a gap-free history `y` (see forecastSeries). With `auto`,
 * each candidate model is scored by rolling-origin backtest over the last two days; the best
 * one, or the mean of the best few when that scores better, is refitted on the whole history.
 * p90 adds the 90th percentile of the chosen forecaster's backtest errors per horizon step.
 */
export function prepareForecaster(
  y: readonly number[],
  horizon: number,
  ctx: ModelContext,
  options: ForecastOptions = {},
): PreparedForecaster {
  const notes: string[] = [];
  const requested = options.model ?? 'auto';
  const extra = options.extraModels ?? [];
  if (requested !== 'auto' && !findModel(requested, extra)) {
    throw new PrescaleError('E_INPUT', `unknown model "${requested}"; valid: ${modelNames(extra).join(', ')}`);
  }
  const nonNegative = y.every((v) => v >= 0);
  const hb = Math.min(horizon, MAX_BACKTEST_H);
  const origins = recentOrigins(y.length, hb, ctx);
  const names = requested === 'auto' ? [...AUTO_CANDIDATES, ...extra.map((m) => m.name)] : [requested];
  const runs: { model: ForecastModel; run?: BacktestRun }[] = [];
  for (const name of names) {
    const model = findModel(name, extra) as ForecastModel;
    const need = model.minHistory(ctx);
    // the backtest's earliest origin must leave the model its minimum history
    if (y.length < need + (origins.length ? y.length - origins[0] : 0)) {
      if (requested !== 'auto') notes.push(`${name} needs ${need} samples of history, has ${y.length}`);
      continue;
    }
    try {
      runs.push({ model, run: origins.length ? backtestModel(model, y, origins, hb, ctx) : undefined });
    } catch (err) {
      notes.push(`${name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  // Combine the best models when their mean beats the best one on the same backtest
  // (forecast combination: Bates & Granger 1969; a simple mean of the top few is hard to beat,
  // Makridakis et al., M4 2018), else keep the best alone.
  runs.sort((a, b) => (a.run?.mae ?? Infinity) - (b.run?.mae ?? Infinity));
  let chosen = runs.slice(0, 1);
  let residuals = runs[0]?.run?.residuals;
  if (requested === 'auto' && runs.length > 1 && runs[0].run) {
    for (let k = 2; k <= Math.min(COMBINE, runs.length); k++) {
      const combo = combinedResiduals(runs.slice(0, k), y);
      if (meanAbs(combo) < meanAbs(residuals ?? combo)) {
        chosen = runs.slice(0, k);
        residuals = combo;
      }
    }
  }
  if (!chosen.length) {
    const days = ((y.length * ctx.step) / DAY_SECONDS).toFixed(1);
    notes.push(
      `history of ${days} days is too short for ${requested === 'auto' ? 'any seasonal model' : requested}: used naive (last value)`,
    );
    chosen = [{ model: naive }];
    residuals = undefined;
  }
  let fitted: FittedModel[];
  try {
    // the chosen models are refitted on the whole history: the backtest's fit ends two days
    // ago and would miss a level shift since
    fitted = chosen.map((c) => c.model.fit(y, horizon, ctx));
    const probe = fitted.map((f) => f.predict(y, y.length, horizon));
    if (!probe.every((p) => p.length === horizon && p.every(Number.isFinite))) {
      throw new Error('non-finite or short output');
    }
  } catch (err) {
    notes.push(
      `${chosen.map((c) => c.model.name).join('+')} failed on the full history (${err instanceof Error ? err.message : String(err)}): used naive`,
    );
    chosen = [{ model: naive }];
    residuals = undefined;
    fitted = [naive.fit(y, horizon, ctx)];
  }
  const margins = residuals ? p90Margins(residuals, horizon) : randomWalkMargins(y, horizon);
  const used = chosen.map((c) => c.model.name).join('+');
  const m = ctx.seasonDay;
  return {
    model: requested === 'auto' ? `auto:${used}` : used,
    notes,
    horizon,
    predict(yy, origin) {
      const each = fitted.map((f) => f.predict(yy, origin, horizon));
      const p50 = new Array<number>(horizon);
      const p90 = new Array<number>(horizon);
      for (let k = 0; k < horizon; k++) {
        let v = 0;
        for (const f of each) v += f[k];
        v /= each.length;
        if (!Number.isFinite(v)) v = yy[origin - 1];
        if (nonNegative) v = Math.max(0, v);
        p50[k] = v;
        // a recurring jump the p50 already climbs to needs no margin for the part it climbs
        const jump = recurringJump(yy, origin + k, m) - Math.max(0, v - yy[origin - 1]);
        p90[k] = v + Math.max(margins[k], jump);
      }
      return { p50, p90 };
    },
  };
}

/**
 * Forecasts `horizon` steps after the end of `series` with p50 and p90. Pure.
 *
 * Gaps (NaN) are filled by linear interpolation first. With `auto`, each candidate model is
 * scored by rolling-origin backtest over the last two days and the best one (or the mean of the
 * best few) wins; p90 adds its 90th-percentile backtest error per horizon step. A model that
 * fails or lacks history is skipped and said so in `notes`; when no candidate can run, the last
 * value is repeated (`naive`). Forecasts of a series that was never negative are never negative.
 */
export function forecastSeries(series: RegularSeries, horizon: number, options: ForecastOptions = {}): Forecast {
  if (!Number.isInteger(horizon) || horizon < 0) {
    throw new PrescaleError('E_INPUT', `horizon must be a whole number >= 0, got ${horizon}`);
  }
  const start = endOf(series);
  const requested = options.model ?? 'auto';
  if (requested !== 'auto' && !findModel(requested, options.extraModels ?? [])) {
    throw new PrescaleError(
      'E_INPUT',
      `unknown model "${requested}"; valid: ${modelNames(options.extraModels ?? []).join(', ')}`,
    );
  }
  if (horizon === 0) return { start, step: series.step, p50: [], p90: [], model: requested, notes: [] };
  return forecastFrom(prepareSeries(series, horizon, options), series);
}

/**
 * Chooses and fits the forecaster of a series (gaps filled first), for forecastFrom to use now
 * and on the same series grown by a few samples later: the scheduled job refits hourly and
 * forecasts from the newest data every cycle in between.
 */
export function prepareSeries(
  series: RegularSeries,
  horizon: number,
  options: ForecastOptions = {},
): PreparedForecaster {
  const gaps = countGaps(series);
  if (gaps === series.values.length) {
    throw new PrescaleError('E_FORECAST', series.values.length ? 'history holds no valid sample' : 'history is empty');
  }
  return prepareForecaster(fillGaps(series).values, horizon, contextOf(series), options);
}

/** The forecast of `prepared` from the end of `series` (gaps filled first). */
export function forecastFrom(prepared: PreparedForecaster, series: RegularSeries): Forecast {
  const gaps = countGaps(series);
  if (gaps === series.values.length) {
    throw new PrescaleError('E_FORECAST', series.values.length ? 'history holds no valid sample' : 'history is empty');
  }
  const y = fillGaps(series).values;
  const { p50, p90 } = prepared.predict(y, y.length);
  const notes = [...(gaps ? [`${gaps} missing samples filled by interpolation`] : []), ...prepared.notes];
  return { start: endOf(series), step: series.step, p50, p90, model: prepared.model, notes };
}
