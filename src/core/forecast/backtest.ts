import { PrescaleError } from '../domain/errors.js';
import type { FittedModel, ForecastModel, ModelContext } from './contract.js';

/**
 * The backtest: a model fitted once, then forecasting from many origins with those parameters.
 * It is how `auto` chooses its models and how p90 is calibrated, every time a forecaster is
 * prepared. (The evaluation in evaluate.ts refits at every origin instead; the LSTM's holdout
 * scores its last day once, at training.)
 */

/** Rolling origins over the last two days, to choose models and calibrate p90. */
export const ORIGINS = 16;
/** Longest horizon the backtest forecasts; p90 beyond it keeps the last step's width. */
export const MAX_BACKTEST_H = 24;

/** Point forecasts of `model` made at each origin, with their errors (actual − forecast). */
export interface BacktestRun {
  readonly model: string;
  /** Origins (sample counts of the training prefix). */
  readonly origins: readonly number[];
  /** residuals[i][k]: error of step k+1 at origin i. */
  readonly residuals: readonly (readonly number[])[];
  /** forecasts[i][k]: the forecast of step k+1 at origin i. */
  readonly forecasts: readonly (readonly number[])[];
  /** The model as fitted (at `rank` effort) on data that ends at or before the first origin. */
  readonly fitted: FittedModel;
}

/**
 * Rolling-origin forecasts (Tashman 2000, "Out-of-sample tests of forecasting accuracy") without
 * refitting: the model is fitted once on the data before the first origin, then forecasts from
 * every origin o using y[0, o) only, and is scored on y[o, o + h). Fitting once keeps the backtest
 * at about the cost of one fit, which is what lets `auto` run every cycle. A model's
 * `predictMany` serves all origins in one call when it has one, else `predict` runs at each.
 */
export function backtestModel(
  model: ForecastModel,
  y: readonly number[],
  origins: readonly number[],
  h: number,
  ctx: ModelContext,
): BacktestRun {
  return backtestFitted(model.name, model.fit(y.slice(0, origins[0]), h, ctx, 'rank'), y, origins, h);
}

/**
 * The backtest of a model already fitted on data that ends at or before `origins[0]` (a fit kept
 * from an earlier backtest of the same series): its forecasts from every origin, with their errors.
 */
export function backtestFitted(
  model: string,
  fitted: FittedModel,
  y: readonly number[],
  origins: readonly number[],
  h: number,
): BacktestRun {
  const residuals: number[][] = [];
  const forecasts: number[][] = [];
  const all = fitted.predictMany ? fitted.predictMany(y, origins, h) : origins.map((o) => fitted.predict(y, o, h));
  for (let i = 0; i < origins.length; i++) {
    const o = origins[i];
    const fc = all[i];
    const r: number[] = [];
    for (let k = 0; k < h; k++) {
      if (!Number.isFinite(fc[k])) throw new PrescaleError('E_FORECAST', `${model} produced a non-finite value`);
      const e = y[o + k] - fc[k];
      r.push(e);
    }
    residuals.push(r);
    forecasts.push(fc);
  }
  return { model, origins, residuals, forecasts, fitted };
}

/** Backtest origins spread over the last `days` days before the final `h` samples, latest last. */
export function recentOrigins(n: number, h: number, ctx: ModelContext, count = ORIGINS, days = 2): number[] {
  const spacing = Math.max(1, Math.floor((days * ctx.seasonDay) / count));
  const out: number[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const o = n - h - i * spacing;
    if (o > 0) out.push(o);
  }
  return out;
}
