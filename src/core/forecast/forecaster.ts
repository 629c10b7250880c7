import { PrescaleError } from '../domain/errors.js';
import type { Forecast, ForecastNote } from '../domain/forecast.js';
import { DAY_SECONDS, WEEK_SECONDS, endOf, stepsIn, type RegularSeries } from '../domain/series.js';
import { countGaps, fillGaps } from '../series/regular.js';
import { MAX_BACKTEST_H, ORIGINS, recentOrigins } from './backtest.js';
import type { FittedModel, ForecastModel, ModelContext } from './contract.js';
import { p90At, p90Margins, randomWalkMargins } from './intervals.js';
import { naive } from './models/naive.js';
import { AUTO_CANDIDATES, findModel, modelNames } from './registry.js';
import { DEFAULT_SELECTION, chooseModels, originWeights, scoreCandidates, type SelectionSettings } from './select.js';

export type { FittedModel, ForecastModel, ModelContext } from './contract.js';
export { forecastWith } from './contract.js';
export { modelNames } from './registry.js';

/** Options of one forecast. */
export interface ForecastOptions {
  /** A registered model name, or `auto` (default): chosen per series by rolling-origin backtest. */
  readonly model?: string;
  /** Models loaded at run time (e.g. an LSTM from models/), usable by name and by `auto`. */
  readonly extraModels?: readonly ForecastModel[];
  /** How `auto` chooses (candidates, combination); the defaults when absent. For benches. */
  readonly selection?: SelectionSettings;
}

/** The context models see: seasons in samples at this step. */
export function contextOf(series: RegularSeries): ModelContext {
  return {
    step: series.step,
    seasonDay: stepsIn(DAY_SECONDS, series.step),
    seasonWeek: stepsIn(WEEK_SECONDS, series.step),
    start: series.start,
  };
}

/**
 * A forecaster chosen and fitted on a history, ready to forecast from that history's end or from
 * any later origin of a longer array (as the scheduled job does between refits: parameters fitted
 * hourly, forecasts made every cycle from the newest data).
 */
export interface PreparedForecaster {
  /** `auto:a+b` or the model's name. */
  readonly model: string;
  readonly notes: readonly ForecastNote[];
  readonly horizon: number;
  /** p50 and p90 for the `horizon` steps after `y[origin - 1]`, from `y[0, origin)` only. */
  predict(y: readonly number[], origin: number): { p50: number[]; p90: number[] };
  /**
   * Chosen again on `y`, the same series since grown or slid forward (`ctx` its context), as
   * prepareForecaster does but cheaper: each candidate's backtest fit is kept (no fit, only its
   * forecasts from the newest origins); a model chosen again keeps its fit, and only a model
   * newly chosen is fitted on `y`. The hourly refit between two backtest fits
   * (BACKTEST_FIT_EVERY_SEC), which fit every candidate and the chosen models afresh.
   */
  refit(y: readonly number[], ctx: ModelContext): PreparedForecaster;
}

/** Seconds between two refits of a forecaster (the backtest's scores, the choice, the fits of newly chosen models). */
export const REFIT_EVERY_SEC = 3600;

/**
 * Seconds between two backtests that fit every candidate, and the chosen models, again. A refit in
 * between scores the candidates with their kept backtest fits on the newest origins (forecasts
 * only, no fit), chooses again, and fits only the models it newly chose.
 */
export const BACKTEST_FIT_EVERY_SEC = 86_400;

/**
 * Chooses and fits the forecaster of a gap-free history `y` (see forecastSeries). With `auto`,
 * each candidate model is scored by rolling-origin backtest over the last two days; the best
 * one, or the mean of the best few when that scores better (select.ts), is refitted on the whole
 * history.
 * p90 adds the 90th percentile of the chosen forecaster's backtest errors per horizon step.
 */
export function prepareForecaster(
  y: readonly number[],
  horizon: number,
  ctx: ModelContext,
  options: ForecastOptions = {},
): PreparedForecaster {
  return prepareWith(y, horizon, ctx, options, undefined);
}

/** What a forecaster keeps for its refits: the fits it scores with, keeps or starts from. */
interface Kept {
  /** Candidate → its backtest fit (on data before the backtest's origins, at `rank` effort). */
  readonly backtest: ReadonlyMap<string, FittedModel>;
  /** Chosen model → its fit on the whole history, when it was chosen (or at the last fresh fit). */
  readonly chosen: ReadonlyMap<string, FittedModel>;
}

/** prepareForecaster, scoring with the backtest fits of `kept` and keeping its chosen fits when given. */
function prepareWith(
  y: readonly number[],
  horizon: number,
  ctx: ModelContext,
  options: ForecastOptions,
  kept: Kept | undefined,
): PreparedForecaster {
  const notes: ForecastNote[] = [];
  const requested = options.model ?? 'auto';
  const extra = options.extraModels ?? [];
  if (requested !== 'auto' && !findModel(requested, extra)) {
    throw new PrescaleError('E_INPUT', `unknown model "${requested}"; valid: ${modelNames(extra).join(', ')}`);
  }
  const hb = Math.min(horizon, MAX_BACKTEST_H);
  const days = options.selection?.backtestDays ?? DEFAULT_SELECTION.backtestDays;
  // the same density of origins over a longer backtest: 8 a day
  const origins = recentOrigins(y.length, hb, ctx, Math.round((ORIGINS * days) / DEFAULT_SELECTION.backtestDays), days);
  const auto = requested === 'auto';
  const candidates = options.selection?.candidates ?? [...AUTO_CANDIDATES, ...extra.map((m) => m.name)];
  const names = auto ? candidates : [requested];
  const models = names.map((name) => {
    const model = findModel(name, extra);
    if (!model)
      throw new PrescaleError('E_INPUT', `unknown candidate model "${name}"; valid: ${modelNames(extra).join(', ')}`);
    return model;
  });
  const halfLife = options.selection?.halfLifeSec ?? DEFAULT_SELECTION.halfLifeSec;
  const weights = originWeights(origins, ctx.step, halfLife);
  const ranked = scoreCandidates(models, y, origins, hb, ctx, notes, !auto, kept?.backtest, weights);
  let { chosen, residuals } = chooseModels(ranked, y, auto ? options.selection : { combine: 1 }, weights);
  if (!chosen.length) {
    const days = ((y.length * ctx.step) / DAY_SECONDS).toFixed(1);
    notes.push({
      code: 'HistoryTooShort',
      message: `history of ${days} days is too short for ${requested === 'auto' ? 'any seasonal model' : requested}: used naive (last value)`,
    });
    chosen = [{ model: naive }];
    residuals = undefined;
  }
  let fitted: FittedModel[];
  try {
    // a model chosen again at a refit keeps its fit (it forecasts from the newest data with
    // parameters up to a backtest-fit interval old); one newly chosen is refitted on the whole
    // history, from its backtest fit where it can: that fit ends two days ago and would miss a
    // level shift since
    fitted = fitChecked(
      chosen.map((c) => c.model),
      chosen.map((c) => kept?.chosen.get(c.model.name)),
      chosen.map((c) => c.run?.fitted),
      y,
      horizon,
      ctx,
    );
  } catch (err) {
    notes.push({
      code: 'RefitFailed',
      message: `${chosen.map((c) => c.model.name).join('+')} failed on the full history (${err instanceof Error ? err.message : String(err)}): used naive`,
    });
    chosen = [{ model: naive }];
    residuals = undefined;
    fitted = [naive.fit(y, horizon, ctx)];
  }
  const margins = residuals ? p90Margins(residuals, horizon) : randomWalkMargins(y, horizon);
  const used = chosen.map((c) => c.model.name).join('+');
  const next: Kept = {
    backtest: new Map(ranked.flatMap((c) => (c.run ? [[c.model.name, c.run.fitted] as const] : []))),
    chosen: new Map(chosen.map((c, i) => [c.model.name, fitted[i]] as const)),
  };
  const name = requested === 'auto' ? `auto:${used}` : used;
  return preparedOf(name, notes, horizon, fitted, margins, y, ctx, (yy, c) =>
    prepareWith(yy, horizon, c, options, next),
  );
}

/** The forecaster of fitted models: their mean, with p90 from `margins`. */
function preparedOf(
  model: string,
  notes: readonly ForecastNote[],
  horizon: number,
  fitted: readonly FittedModel[],
  margins: readonly number[],
  y: readonly number[],
  ctx: ModelContext,
  refit: PreparedForecaster['refit'],
): PreparedForecaster {
  const nonNegative = y.every((v) => v >= 0);
  const m = ctx.seasonDay;
  return {
    model,
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
        p90[k] = p90At(yy, origin, k, v, margins[k], m);
      }
      return { p50, p90 };
    },
    refit,
  };
}

/**
 * Each model's fit `keep[i]` where it has one, else fitted on y (from its backtest fit `from[i]`
 * where it has one and can), checked to forecast `horizon` finite values from y; throws otherwise.
 */
function fitChecked(
  models: readonly ForecastModel[],
  keep: readonly (FittedModel | undefined)[],
  from: readonly (FittedModel | undefined)[],
  y: readonly number[],
  horizon: number,
  ctx: ModelContext,
): FittedModel[] {
  const fitted = models.map((m, i) => keep[i] ?? from[i]?.refit?.(y, horizon, ctx) ?? m.fit(y, horizon, ctx));
  const probe = fitted.map((f) => f.predict(y, y.length, horizon));
  if (!probe.every((p) => p.length === horizon && p.every(Number.isFinite))) {
    throw new Error('non-finite or short output');
  }
  return fitted;
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

/** The values of `series` with its gaps filled, and how many there were; E_FORECAST when all are gaps. */
function filledValues(series: RegularSeries): { values: readonly number[]; gaps: number } {
  const gaps = countGaps(series);
  if (gaps === series.values.length) {
    throw new PrescaleError('E_FORECAST', series.values.length ? 'history holds no valid sample' : 'history is empty');
  }
  return { values: fillGaps(series).values, gaps };
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
  return prepareForecaster(filledValues(series).values, horizon, contextOf(series), options);
}

/** `prepared` fitted again on `series` (gaps filled first): see PreparedForecaster.refit. */
export function refitSeries(prepared: PreparedForecaster, series: RegularSeries): PreparedForecaster {
  return prepared.refit(filledValues(series).values, contextOf(series));
}

/** The forecast of `prepared` from the end of `series` (gaps filled first). */
export function forecastFrom(prepared: PreparedForecaster, series: RegularSeries): Forecast {
  const { values: y, gaps } = filledValues(series);
  const { p50, p90 } = prepared.predict(y, y.length);
  const filled: ForecastNote[] = gaps
    ? [{ code: 'GapsFilled', message: `${gaps} missing samples filled by interpolation` }]
    : [];
  const notes = [...filled, ...prepared.notes];
  return { start: endOf(series), step: series.step, p50, p90, model: prepared.model, notes };
}
