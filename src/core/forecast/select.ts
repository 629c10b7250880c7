import type { ForecastNote } from '../domain/forecast.js';
import { backtestFitted, backtestModel, type BacktestRun } from './backtest.js';
import type { FittedModel, ForecastModel, ModelContext } from './contract.js';

/**
 * Which models forecast a series: every candidate is scored by its backtest, and the best one is
 * kept, or the mean of the best two or three when that mean scores better.
 */

/** A model that could run on the series, with its backtest (none when no origin fits). */
export interface Candidate {
  readonly model: ForecastModel;
  readonly run?: BacktestRun;
}

/** The models chosen, and the errors of their mean at the backtest's origins. */
export interface Selection {
  readonly chosen: readonly Candidate[];
  readonly residuals?: readonly (readonly number[])[];
}

/**
 * Backtests each model at `origins` (`hb` steps), best first. A model whose minimum history the
 * earliest origin does not leave is skipped (said in `notes` when it was asked for by name, not
 * by `auto`); a model that fails is left out and said. A model with a fit in `kept` (its backtest
 * fit of an earlier choice on the same series, on data before these origins) forecasts with it
 * instead of being fitted again.
 */
export function scoreCandidates(
  models: readonly ForecastModel[],
  y: readonly number[],
  origins: readonly number[],
  hb: number,
  ctx: ModelContext,
  notes: ForecastNote[],
  named: boolean,
  kept?: ReadonlyMap<string, FittedModel>,
  weights?: readonly number[],
): Candidate[] {
  const runs: Candidate[] = [];
  for (const model of models) {
    const name = model.name;
    const need = model.minHistory(ctx);
    // the backtest's earliest origin must leave the model its minimum history
    if (y.length < need + (origins.length ? y.length - origins[0] : 0)) {
      if (named)
        notes.push({ code: 'ModelSkipped', message: `${name} needs ${need} samples of history, has ${y.length}` });
      continue;
    }
    try {
      const fit = kept?.get(name);
      const run = !origins.length
        ? undefined
        : fit
          ? backtestFitted(name, fit, y, origins, hb)
          : backtestModel(model, y, origins, hb, ctx);
      runs.push({ model, run });
    } catch (err) {
      notes.push({
        code: 'ModelFailed',
        message: `${name} failed: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }
  const error = new Map(runs.map((c) => [c, c.run ? meanAbs(c.run.residuals, weights) : Infinity]));
  runs.sort((a, b) => (error.get(a) as number) - (error.get(b) as number));
  return runs;
}

/** How `auto` chooses among its candidates. Every field has a default (DEFAULT_SELECTION). */
export interface SelectionSettings {
  /** Candidate model names; AUTO_CANDIDATES when absent. */
  readonly candidates?: readonly string[];
  /** Most models averaged: the best 1..combine by backtest; 1 is the best alone. */
  readonly combine?: number;
  /**
   * Shrinkage towards the mean of the best `combine`, by the backtest's own noise: a smaller set
   * (the best alone, the best two) replaces that mean only when its mean error per origin is lower
   * by more than z standard errors of the difference (a paired test over the origins, in the
   * manner of Diebold & Mariano 1995). 0 keeps whichever scores lowest; Infinity always the mean.
   */
  readonly z?: number;
  /** Days of rolling origins in the backtest that scores the candidates. */
  readonly backtestDays?: number;
  /**
   * Half-life, in seconds, of a backtest origin's weight in the scores by its age: the newest
   * origins say most about the next hour. 0: every origin weighs the same. The z test above
   * compares the origins unweighted.
   */
  readonly halfLifeSec?: number;
}

/** Each origin's weight in the scores: 1 for the newest, halved every `halfLifeSec` of age; all 1 when 0. */
export function originWeights(origins: readonly number[], step: number, halfLifeSec: number): number[] {
  const newest = origins.length ? Math.max(...origins) : 0;
  return origins.map((o) => (halfLifeSec > 0 ? Math.pow(0.5, ((newest - o) * step) / halfLifeSec) : 1));
}

/**
 * z = 0: the lowest backtest error wins. A z of 1 helped on longer backtests of the bench but not
 * on its own protocol, and keeps three fits per forecast more often; a half-life of 6–24 h helped
 * on all ten traces and lost leave-one-trace-out, its gain all on one trace (docs/benchmarks.md).
 */
export const DEFAULT_SELECTION = { combine: 3, z: 0, backtestDays: 2, halfLifeSec: 0 } as const;

/**
 * The mean of the best `combine` of `ranked` (best first) by backtest, or a smaller set (down to
 * the best alone) when it beats that mean clearly on the same backtest: forecast combination
 * (Bates & Granger 1969; a simple mean of the top few is hard to beat, Makridakis et al., M4 2018),
 * with z > 0 shrunk towards the mean, since a backtest of two days is short and noisy.
 */
export function chooseModels(
  ranked: readonly Candidate[],
  y: readonly number[],
  settings: SelectionSettings = {},
  weights?: readonly number[],
): Selection {
  const combine = settings.combine ?? DEFAULT_SELECTION.combine;
  const z = settings.z ?? DEFAULT_SELECTION.z;
  if (!ranked.length) return { chosen: [], residuals: undefined };
  const top = Math.max(1, ranked[0].run ? Math.min(combine, ranked.length) : 1);
  let chosen = ranked.slice(0, top);
  let residuals = top > 1 ? combinedResiduals(chosen, y) : ranked[0].run?.residuals;
  let best = residuals ? meanAbs(residuals, weights) : Infinity;
  const mean = residuals;
  for (let k = top - 1; k >= 1; k--) {
    const r = k > 1 ? combinedResiduals(ranked.slice(0, k), y) : (ranked[0].run as BacktestRun).residuals;
    const e = meanAbs(r, weights);
    // ties keep the smaller set
    if (e <= best && (z === 0 || (mean !== undefined && clearlyBelow(r, mean, z)))) {
      chosen = ranked.slice(0, k);
      residuals = r;
      best = e;
    }
  }
  return { chosen, residuals };
}

/** Whether the mean absolute error per origin of `a` is below `b`'s by more than z standard errors. */
function clearlyBelow(a: readonly (readonly number[])[], b: readonly (readonly number[])[], z: number): boolean {
  const n = a.length;
  if (n < 2) return false;
  const d = a.map((row, i) => meanAbs([row]) - meanAbs([b[i]]));
  const mean = d.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  return mean < -z * (sd / Math.sqrt(n));
}

/** Residuals of the mean of several models' backtest forecasts (same origins). */
function combinedResiduals(runs: readonly Candidate[], y: readonly number[]): number[][] {
  const first = runs[0].run as BacktestRun;
  return first.origins.map((o, i) =>
    first.forecasts[i].map(
      (_, k) => y[o + k] - runs.reduce((acc, r) => acc + (r.run as BacktestRun).forecasts[i][k], 0) / runs.length,
    ),
  );
}

/** Mean absolute value of every entry of `rows`, row i weighing `weights[i]` (1 when absent); Infinity when there is none. */
export function meanAbs(rows: readonly (readonly number[])[], weights?: readonly number[]): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < rows.length; i++) {
    const w = weights?.[i] ?? 1;
    for (const v of rows[i]) s += w * Math.abs(v);
    n += w * rows[i].length;
  }
  return n ? s / n : Infinity;
}
