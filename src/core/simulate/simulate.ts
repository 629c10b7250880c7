import { PrescaleError } from '../domain/errors.js';
import type { Decision } from '../domain/decision.js';
import type { Forecast } from '../domain/forecast.js';
import { MAX_HORIZON_STEPS } from '../domain/limits.js';
import type { ScalingPolicy } from '../domain/policy.js';
import { DAY_SECONDS, stepsIn, timeAt, type RegularSeries } from '../domain/series.js';
import {
  BACKTEST_FIT_EVERY_SEC,
  REFIT_EVERY_SEC,
  contextOf,
  prepareForecaster,
  type ForecastOptions,
  type PreparedForecaster,
} from '../forecast/forecaster.js';
import { initialPlannerState } from '../planner/plan.js';
import { fillGaps } from '../series/regular.js';
import { planAlong, type PlanStart } from './plan.js';
import { TUNING, tunePolicy, type Tuning, type TuningSettings } from './tune.js';

/** How the replay walks: the scheduled job's refit cadence and history window. */
export interface SimulationOptions {
  /** Seconds between forecaster refits (backtest scores, model choice, fits of newly chosen models). Default REFIT_EVERY_SEC. */
  readonly refitEverySec?: number;
  /** Seconds between fits of every candidate (for the backtest) and of the chosen models. Default BACKTEST_FIT_EVERY_SEC. */
  readonly backtestFitEverySec?: number;
  /** History the forecaster is fitted on, seconds. Default 14 days. */
  readonly historySec?: number;
  /** Forecast horizon in steps; default: what the planner looks at (startup delay + 2 steps). */
  readonly horizonSteps?: number;
  readonly forecast?: ForecastOptions;
  /** Daily policy tuning settings (default TUNING); only used when the policy has autoTune. */
  readonly tuning?: Partial<TuningSettings>;
  /** First step to forecast (default: as soon as there are two days of history). */
  readonly walkFrom?: number;
  /** Step after the last one to forecast (default: the end of the series). */
  readonly walkTo?: number;
  /** Called with every decision (for traces and charts); must not change anything. */
  readonly onDecision?: (i: number, decision: Decision) => void;
  /** Called after each step of each phase (forecasts made, then planned); must not change anything. */
  readonly onProgress?: (phase: ReplayPhase, done: number, total: number) => void;
}

/** The two passes of a replay: the forecast walk, then planning (with the daily tunings). */
export type ReplayPhase = 'forecast' | 'plan';

/** The forecasts the scheduled job would have made at every step of a series. */
export interface ForecastWalk {
  readonly horizon: number;
  /** forecasts[t]: made before step t from y[0, t), for steps t .. t + horizon − 1; undefined while history is short. */
  readonly forecasts: readonly (Forecast | undefined)[];
  readonly refits: number;
}

export interface SimulationResult {
  /** Replicas requested at each step of the input (decided before the step's load is seen). */
  readonly replicas: number[];
  /** Steps decided with a forecast, and refits made. */
  readonly predictedSteps: number;
  readonly refits: number;
  /** How many decisions each reason ended with. */
  readonly reasons: Readonly<Record<string, number>>;
  /** The daily re-tunings of the policy (empty unless `policy.autoTune`). */
  readonly tunings: readonly Tuning[];
}

function stepOf(series: RegularSeries): number {
  if (!(series.step > 0)) throw new PrescaleError('E_INPUT', 'series step must be positive');
  return series.step;
}

/**
 * Walks forward through a series making the forecasts the scheduled job would: the forecaster is
 * re-chosen every `refitEverySec` on the last `historySec` of data, fitting only the models newly
 * chosen (every candidate, and the chosen models, fitted afresh every `backtestFitEverySec`, the
 * candidates' kept fits scored on the newest origins in between), and forecasts from the newest data at every step in between. The forecast
 * used at step t sees only y[0, t). Refits happen at multiples of the refit interval from the
 * start, and the candidates' fresh fits at the first refit of each backtest-fit interval, so
 * nothing before T depends on data after T, and the same input always gives the same forecasts.
 * No forecast is made before the forecaster has two days of history (its backtest spans them).
 * A horizon above MAX_HORIZON_STEPS is E_INPUT.
 */
export function forecastWalk(series: RegularSeries, horizon: number, opts: SimulationOptions = {}): ForecastWalk {
  const step = stepOf(series);
  if (!(horizon <= MAX_HORIZON_STEPS)) {
    // a startup delay of days at a step of seconds: every step would forecast that far
    throw new PrescaleError(
      'E_INPUT',
      `a replay horizon of ${horizon} steps of ${step} s, more than ${MAX_HORIZON_STEPS}`,
    );
  }
  const y = fillGaps(series).values;
  const ctx = contextOf(series);
  const refitSteps = stepsIn(opts.refitEverySec ?? REFIT_EVERY_SEC, step);
  const backtestFitSteps = stepsIn(opts.backtestFitEverySec ?? BACKTEST_FIT_EVERY_SEC, step);
  const windowSteps = stepsIn(opts.historySec ?? 14 * DAY_SECONDS, step);
  const minHistory = 2 * ctx.seasonDay + horizon;
  const forecasts: (Forecast | undefined)[] = new Array(y.length).fill(undefined);
  let prepared: PreparedForecaster | undefined;
  let fittedFrom = 0;
  let refits = 0;
  const end = Math.min(y.length, opts.walkTo ?? y.length);
  for (let t = Math.max(minHistory, opts.walkFrom ?? 0); t < end; t++) {
    if (!prepared || t % refitSteps === 0) {
      fittedFrom = Math.max(0, t - windowSteps);
      const fitOn = y.slice(fittedFrom, t);
      const fitCtx = { ...ctx, start: timeAt(series, fittedFrom) };
      // every candidate fitted for the backtest (at the first refit of each backtest-fit interval),
      // or their kept fits scored on the newest origins
      prepared =
        prepared && !startsInterval(t, refitSteps, backtestFitSteps)
          ? prepared.refit(fitOn, fitCtx)
          : prepareForecaster(fitOn, horizon, fitCtx, opts.forecast);
      refits++;
    }
    // the data the forecaster sees starts where its fit started, so indices and calendar agree
    const { p50, p90 } = prepared.predict(y.slice(fittedFrom, t), t - fittedFrom);
    forecasts[t] = { start: timeAt(series, t), step, p50, p90, model: prepared.model, notes: prepared.notes };
    opts.onProgress?.('forecast', t + 1, y.length);
  }
  return { horizon, forecasts, refits };
}

/** Whether the refit at step t (a multiple of `every`) is the first at or after a multiple of `interval`. */
function startsInterval(t: number, every: number, interval: number): boolean {
  return Math.floor(t / interval) !== Math.floor((t - every) / interval);
}

/** The first refit step (a multiple of `every`) at or after step t. */
function refitAtOrAfter(t: number, every: number): number {
  return Math.ceil(t / every) * every;
}

/**
 * Where to cut a walk of `n` steps into at most `parts` pieces of whole backtest-fit intervals, as
 * [walkFrom, walkTo) pairs. A walk fits every candidate at its first step and at the first refit of
 * each backtest-fit interval, so pieces that start on such a refit make the same fits, and the
 * same forecasts, as one walk over the whole series (joinWalks puts them together).
 */
export function walkPieces(
  series: RegularSeries,
  parts: number,
  opts: Pick<SimulationOptions, 'refitEverySec' | 'backtestFitEverySec'> = {},
): [number, number][] {
  const n = series.values.length;
  const step = stepOf(series);
  const refitSteps = stepsIn(opts.refitEverySec ?? REFIT_EVERY_SEC, step);
  const backtestFitSteps = stepsIn(opts.backtestFitEverySec ?? BACKTEST_FIT_EVERY_SEC, step);
  const intervals = Math.ceil(n / backtestFitSteps);
  const k = Math.max(1, Math.min(parts, intervals));
  // each piece starts where the whole walk fits every candidate afresh: the first refit of an interval
  const cut = (i: number) =>
    Math.min(n, refitAtOrAfter(Math.round((i * intervals) / k) * backtestFitSteps, refitSteps));
  const out: [number, number][] = [];
  for (let i = 0; i < k; i++) {
    const from = cut(i);
    const to = cut(i + 1);
    if (to > from) out.push([from, to]);
  }
  return out;
}

/** The walk of a whole series from the walks of its pieces (see walkPieces), in any order. */
export function joinWalks(parts: readonly ForecastWalk[]): ForecastWalk {
  if (!parts.length) throw new PrescaleError('E_INPUT', 'joinWalks: no walk to join');
  const forecasts = parts[0].forecasts.slice();
  for (const p of parts.slice(1)) {
    for (let t = 0; t < p.forecasts.length; t++) if (p.forecasts[t] !== undefined) forecasts[t] = p.forecasts[t];
  }
  return { horizon: parts[0].horizon, forecasts, refits: parts.reduce((a, p) => a + p.refits, 0) };
}

/**
 * Replays a load series as demand through the planner, one step at a time as the scheduled job
 * runs (see planAlong). With `policy.autoTune`, the policy is re-tuned at every whole day from the
 * series start on the replay of the week before (tunePolicy), as the service does. Pure. Pass a
 * `walk` from forecastWalk to plan several policies on the same forecasts (the forecasts do not
 * depend on the policy).
 */
export function simulate(
  series: RegularSeries,
  policy: ScalingPolicy,
  opts: SimulationOptions = {},
  walk?: ForecastWalk,
): SimulationResult {
  const step = stepOf(series);
  const y = fillGaps(series).values;
  const horizon = opts.horizonSteps ?? Math.ceil(policy.startupDelaySec / step) + 2;
  const w = walk ?? forecastWalk(series, horizon, opts);
  const reasons: Record<string, number> = {};
  const onDecision = (i: number, decision: Decision) => {
    reasons[decision.reason] = (reasons[decision.reason] ?? 0) + 1;
    opts.onDecision?.(i, decision);
    opts.onProgress?.('plan', i + 1, y.length);
  };
  const firstForecast = w.forecasts.findIndex((f) => f !== undefined);
  const predictedSteps = firstForecast < 0 ? 0 : w.forecasts.length - firstForecast;
  const tuning = { ...TUNING, ...opts.tuning };
  const tuneEvery = stepsIn(tuning.everySec, step);
  const replicas: number[] = [];
  const tunings: Tuning[] = [];
  let run: PlanStart = { current: policy.minReplicas, state: initialPlannerState() };
  let active = policy;
  for (let t = 0; t < y.length;) {
    const until = policy.autoTune ? Math.min(y.length, (Math.floor(t / tuneEvery) + 1) * tuneEvery) : y.length;
    const part = planAlong(series, y, w.forecasts, active, t, until, run, onDecision);
    replicas.push(...part.replicas);
    run = part;
    t = until;
    if (t < y.length && firstForecast >= 0) {
      const tuned = tunePolicy({ ...series, values: y }, w.forecasts, firstForecast, t, policy, tuning);
      if (tuned) {
        tunings.push({ at: timeAt(series, t), ...tuned });
        active = { ...policy, ...tuned.overrides };
      }
    }
  }
  return { replicas, predictedSteps, refits: w.refits, reasons, tunings };
}

/**
 * What the service does once a day per service: replays the last `tuning.windowSec` of its
 * history with the forecasts the job would have made (refitted hourly, as it does) and tunes the
 * policy on it (tunePolicy). Undefined while the history is too short. Pure; it refits the
 * forecaster about 24 times per replayed day, so it is run for one service at a time.
 */
export function tuneOnHistory(
  series: RegularSeries,
  policy: ScalingPolicy,
  opts: SimulationOptions = {},
): Tuning | undefined {
  const step = stepOf(series);
  const tuning = { ...TUNING, ...opts.tuning };
  const n = series.values.length;
  const ctx = contextOf(series);
  const horizon = opts.horizonSteps ?? Math.ceil(policy.startupDelaySec / step) + 2;
  if (n - (2 * ctx.seasonDay + horizon) < Math.round(tuning.minWindowSec / step)) return undefined;
  const walkFrom = n - Math.round(tuning.windowSec / step);
  const w = forecastWalk(series, horizon, { ...opts, walkFrom });
  const first = w.forecasts.findIndex((f) => f !== undefined);
  if (first < 0) return undefined;
  const values = fillGaps(series).values;
  const tuned = tunePolicy({ ...series, values }, w.forecasts, first, n, policy, tuning);
  return tuned && { at: timeAt(series, n), ...tuned };
}
