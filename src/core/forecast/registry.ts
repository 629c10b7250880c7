import type { ForecastModel } from './contract.js';
import { holtWinters, holtWintersMultiplicative } from './models/holt-winters.js';
import { mstl, mstlRobust } from './models/mstl/model.js';
import { naive } from './models/naive.js';
import { seasonalNaiveDay, seasonalNaiveWeek } from './models/seasonal-naive.js';
import {
  windowRegressionDay,
  windowRegressionFull,
  windowRegressionHuber,
  windowRegressionWeek,
} from './models/window-regression.js';

/**
 * Every built-in model, registered once by name. A new model is one file in models/ and one line
 * here; the forecaster, the evaluation (`prescale backtest`) and the shared contract test pick it up.
 */
export const BUILTIN_MODELS: readonly ForecastModel[] = Object.freeze([
  naive,
  seasonalNaiveDay,
  seasonalNaiveWeek,
  windowRegressionDay,
  windowRegressionWeek,
  windowRegressionHuber,
  windowRegressionFull,
  holtWinters,
  holtWintersMultiplicative,
  mstl,
  mstlRobust,
]);

/**
 * Models `auto` chooses among, by backtest on the series' own history. Each was kept because it
 * lowered `auto`'s error on bench/accuracy.ts for its cost; the figures are in docs/benchmarks.md.
 */
export const AUTO_CANDIDATES: readonly string[] = Object.freeze([
  'seasonal_naive_day',
  'seasonal_naive_week',
  // window_regression (plain least squares) is registered but not a candidate: beside its Huber
  // sibling it did not change auto's score, and it cost two fits per forecast; nor is
  // window_regression_full (every row, as the reference lag regression): both made auto worse
  // with 40 origins (bench/loto.ts)
  'window_regression_week',
  'window_regression_huber',
  'holt_winters',
  // holt_winters_mult is registered, not a candidate: it made auto worse and costs a second
  // Nelder-Mead fit
  'mstl',
  // mstl_robust (median level, no AR) is what auto picks or mixes in on spiky or shifting series
  // (cron spikes on a flat baseline, a level shift)
  'mstl_robust',
]);

/** The model registered under `name`, among the built-ins and `extra`. */
export function findModel(name: string, extra: readonly ForecastModel[] = []): ForecastModel | undefined {
  return [...extra, ...BUILTIN_MODELS].find((m) => m.name === name);
}

/** Every valid `--model` value. */
export function modelNames(extra: readonly ForecastModel[] = []): string[] {
  return ['auto', ...new Set([...extra, ...BUILTIN_MODELS].map((m) => m.name))];
}
