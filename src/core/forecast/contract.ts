/**
 * The one contract every forecasting model implements (in the manner of statsforecast's
 * `fit(y)` / `predict(h)` / `forecast(y, h)`): pure functions of a gap-free history. Models
 * register by name in src/core/forecast/registry.ts; a shared contract test runs on all of them.
 */

/** What a model knows about the series besides its values. */
export interface ModelContext {
  /** Seconds between samples. */
  readonly step: number;
  /** Samples per day (the daily season), e.g. 288 at a 5-minute step. */
  readonly seasonDay: number;
  /** Samples per week. */
  readonly seasonWeek: number;
  /** Timestamp (unix s) of `y[0]`, for models that use the calendar. */
  readonly start: number;
}

/** Point forecasts for steps 1..h after the last sample of `y`. */
export type PointForecast = number[];

/** A model whose parameters were fitted once; it forecasts from any origin with them. */
export interface FittedModel {
  /**
   * Forecasts `h` steps after `y[origin - 1]` using only `y[0, origin)` as data and the fitted
   * parameters (the backtest: rolling origins without refitting, Tashman 2000).
   */
  predict(y: readonly number[], origin: number, h: number): PointForecast;
  /**
   * `predict` at each of `origins` (the backtest's), in one call, for a model that can share work
   * between them. Optional; it must return exactly what `predict` returns at each origin.
   */
  predictMany?(y: readonly number[], origins: readonly number[], h: number): PointForecast[];
  /**
   * Fits again on `y`, the same series since grown (or moved on by some samples), starting from
   * these parameters: what `auto` does after its backtest, for each model it chooses.
   * Optional; a model without it is fitted from scratch. As `fit`, at full effort.
   */
  refit?(y: readonly number[], h: number, ctx: ModelContext): FittedModel;
}

/**
 * How hard a fit searches its parameters. `rank`: the backtest's fit, whose forecasts only rank
 * the candidates and set p90's margins, and which the chosen models refit from; a model may stop
 * its search earlier. `full`: every other fit.
 */
export type FitEffort = 'full' | 'rank';

/** A forecasting model. Implementations are pure and hold no state between calls. */
export interface ForecastModel {
  /** Registry name, e.g. `seasonal_naive_day`, `holt_winters`, `lstm`. */
  readonly name: string;
  /** Fewest samples of history this model needs for the given context. */
  minHistory(ctx: ModelContext): number;
  /**
   * Fits on `y` (finite values, regular step, length >= minHistory) for horizons up to `h`.
   * Throws when it cannot; the engine then falls back to another model. `effort` is `full` when
   * absent.
   */
  fit(y: readonly number[], h: number, ctx: ModelContext, effort?: FitEffort): FittedModel;
}

/** Fit on `y` and forecast `h` steps after its end (statsforecast's `forecast(y, h)`). */
export function forecastWith(model: ForecastModel, y: readonly number[], h: number, ctx: ModelContext): PointForecast {
  return model.fit(y, h, ctx).predict(y, y.length, h);
}
