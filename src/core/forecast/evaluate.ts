import { PrescaleError } from '../domain/errors.js';
import { isFallback } from '../domain/forecast.js';
import { stepsIn, type RegularSeries } from '../domain/series.js';
import { fillGaps } from '../series/regular.js';
import type { ForecastModel } from './contract.js';
import { contextOf, forecastSeries } from './forecaster.js';
import type { SelectionSettings } from './select.js';

/**
 * Rolling-origin evaluation of forecasters on one series, the protocol of the reference bench
 * (../shared/bench/fcbench.py, after Tashman 2000 and Hyndman & Koehler 2006): `origins` origins
 * spread evenly over the last `evalDays` days, each model refitted at every origin on the
 * `windowDays` days before it, scored on the next `horizon` steps by MASE (scaled by the in-sample
 * MAE of the one-day seasonal naive on that window), sMAPE and p90 coverage. Pure but for the
 * clock it reads to time each fit. This is the evaluation, behind `prescale backtest` and
 * bench/accuracy.ts; the backtest (backtest.ts) fits once and forecasts from many origins.
 */
export interface EvaluationOptions {
  readonly horizon: number;
  readonly origins?: number;
  readonly windowDays?: number;
  readonly evalDays?: number;
  /** Names passed to forecastSeries (`auto` and registered models). */
  readonly models: readonly string[];
  readonly extraModels?: readonly ForecastModel[];
  /** How `auto` chooses; the defaults when absent (bench/loto.ts compares settings). */
  readonly selection?: SelectionSettings;
  /** Clock in milliseconds; `performance.now` by default. */
  readonly now?: () => number;
}

export interface ModelScore {
  readonly model: string;
  /** Mean MASE over the origins where the model produced a forecast. */
  readonly mase: number;
  /** Mean symmetric MAPE in percent (0–200). */
  readonly smape: number;
  /** Share of actual values at or below p90. */
  readonly coverage: number;
  /** Mean milliseconds of one fit + forecast. */
  readonly fitMs: number;
  /** Origins evaluated, and those where the model fell back (its notes said so). */
  readonly origins: number;
  readonly fallbacks: number;
}

export interface SeriesEvaluation {
  readonly origins: readonly number[];
  readonly scores: readonly ModelScore[];
}

/**
 * A horizon given as a duration, in steps of `step` seconds, as fcbench.py computes it
 * (max(1, round(seconds / step))): 1 hour is 12 steps at 5 minutes and 2 at 30 minutes.
 */
export function horizonSteps(seconds: number, step: number): number {
  if (!(seconds > 0) || !(step > 0)) throw new PrescaleError('E_INPUT', `horizon and step must be positive`);
  return stepsIn(seconds, step);
}

/** Origins as fcbench.py places them: linspace(max(3m, n - evalDays·m - h), n - h, K). */
export function evaluationOrigins(n: number, m: number, h: number, count: number, evalDays: number): number[] {
  const first = Math.max(3 * m, n - evalDays * m - h);
  const last = n - h;
  if (last <= first) {
    throw new PrescaleError(
      'E_INPUT',
      `series of ${n} samples is too short: needs more than ${first + h} for this evaluation`,
    );
  }
  if (count === 1) return [last];
  return Array.from({ length: count }, (_, i) => Math.trunc(first + ((last - first) * i) / (count - 1)));
}

export function evaluateSeries(series: RegularSeries, opts: EvaluationOptions): SeriesEvaluation {
  const h = opts.horizon;
  if (!Number.isInteger(h) || h < 1)
    throw new PrescaleError('E_INPUT', `horizon must be a whole number >= 1, got ${h}`);
  const now = opts.now ?? (() => performance.now());
  const ctx = contextOf(series);
  const m = ctx.seasonDay;
  const y = fillGaps(series).values;
  const origins = evaluationOrigins(y.length, m, h, opts.origins ?? 8, opts.evalDays ?? 7);
  const windowLen = Math.round((opts.windowDays ?? 14) * m);
  const acc = new Map<string, { mase: number[]; smape: number[]; cover: number[]; ms: number[]; fallbacks: number }>();
  for (const name of opts.models) acc.set(name, { mase: [], smape: [], cover: [], ms: [], fallbacks: 0 });
  for (const o of origins) {
    const st = Math.max(0, o - windowLen);
    const train = y.slice(st, o);
    let scale = 0;
    for (let i = m; i < train.length; i++) scale += Math.abs(train[i] - train[i - m]);
    scale = train.length > m ? scale / (train.length - m) : 0;
    if (!(scale > 0)) scale = 1e-9;
    const actual = y.slice(o, o + h);
    const window: RegularSeries = { start: series.start + st * series.step, step: series.step, values: train };
    for (const name of opts.models) {
      const a = acc.get(name)!;
      const t0 = now();
      const fc = forecastSeries(window, h, { model: name, extraModels: opts.extraModels, selection: opts.selection });
      a.ms.push(now() - t0);
      if (fc.notes.some(isFallback)) a.fallbacks++;
      let ae = 0;
      let sm = 0;
      let cov = 0;
      for (let k = 0; k < h; k++) {
        ae += Math.abs(actual[k] - fc.p50[k]);
        const den = Math.abs(actual[k]) + Math.abs(fc.p50[k]);
        sm += den > 0 ? (200 * Math.abs(actual[k] - fc.p50[k])) / den : 0;
        if (actual[k] <= fc.p90[k]) cov++;
      }
      a.mase.push(ae / h / scale);
      a.smape.push(sm / h);
      a.cover.push(cov / h);
    }
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : Number.NaN);
  return {
    origins,
    scores: opts.models.map((model) => {
      const a = acc.get(model)!;
      return {
        model,
        mase: mean(a.mase),
        smape: mean(a.smape),
        coverage: mean(a.cover),
        fitMs: mean(a.ms),
        origins: origins.length,
        fallbacks: a.fallbacks,
      };
    }),
  };
}

/** Geometric mean of positive values (the bench's summary across series). */
export function geometricMean(xs: readonly number[]): number {
  const ok = xs.filter((v) => Number.isFinite(v));
  if (!ok.length) return Number.NaN;
  return Math.exp(ok.reduce((s, v) => s + Math.log(Math.max(v, 1e-6)), 0) / ok.length);
}
