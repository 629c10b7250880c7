import type { ForecastNote } from '../domain/forecast.js';
import { backtestModel, type BacktestRun } from './backtest.js';
import type { ForecastModel, ModelContext } from './contract.js';

/**
 * Which models forecast a series: every candidate is scored by its backtest, and the best one is
 * kept, or the mean of the best few when that mean scores better.
 */

/** Models combined by `auto` at most (the best ones by backtest). */
const COMBINE = 3;

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
 * by `auto`); a model that fails is left out and said.
 */
export function scoreCandidates(
  models: readonly ForecastModel[],
  y: readonly number[],
  origins: readonly number[],
  hb: number,
  ctx: ModelContext,
  notes: ForecastNote[],
  named: boolean,
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
      runs.push({ model, run: origins.length ? backtestModel(model, y, origins, hb, ctx) : undefined });
    } catch (err) {
      notes.push({
        code: 'ModelFailed',
        message: `${name} failed: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }
  runs.sort((a, b) => (a.run?.mae ?? Infinity) - (b.run?.mae ?? Infinity));
  return runs;
}

/**
 * The best of `ranked` (best first), or with `combine` the mean of the best two or three when
 * that mean beats it on the same backtest (forecast combination: Bates & Granger 1969; a simple
 * mean of the top few is hard to beat, Makridakis et al., M4 2018).
 */
export function chooseModels(ranked: readonly Candidate[], y: readonly number[], combine: boolean): Selection {
  let chosen = ranked.slice(0, 1);
  let residuals = ranked[0]?.run?.residuals;
  if (combine && ranked.length > 1 && ranked[0].run) {
    for (let k = 2; k <= Math.min(COMBINE, ranked.length); k++) {
      const combo = combinedResiduals(ranked.slice(0, k), y);
      if (meanAbs(combo) < meanAbs(residuals ?? combo)) {
        chosen = ranked.slice(0, k);
        residuals = combo;
      }
    }
  }
  return { chosen, residuals };
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

/** Mean absolute value of every entry of `rows`; Infinity when there is none. */
export function meanAbs(rows: readonly (readonly number[])[]): number {
  let s = 0;
  let n = 0;
  for (const r of rows) {
    for (const v of r) s += Math.abs(v);
    n += r.length;
  }
  return n ? s / n : Infinity;
}
