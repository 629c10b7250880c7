import { PrescaleError } from '../domain/errors.js';
import type { Decision } from '../domain/decision.js';
import type { Forecast } from '../domain/forecast.js';
import type { ScalingPolicy } from '../domain/policy.js';
import { DAY_SECONDS, timeAt, type RegularSeries } from '../domain/series.js';
import { contextOf, prepareForecaster, type ForecastOptions, type PreparedForecaster } from '../forecast/index.js';
import { initialPlannerState, planReplicas, type PlannerState } from '../planner/index.js';
import { fillGaps } from '../series/regular.js';

/** How the replay walks: the scheduled job's refit cadence and history window. */
export interface SimulationOptions {
  /** Seconds between forecaster refits (model choice and parameters). Default 3600. */
  readonly refitEverySec?: number;
  /** History the forecaster is fitted on, seconds. Default 14 days. */
  readonly historySec?: number;
  /** Forecast horizon in steps; default: what the planner looks at (startup delay + 2 steps). */
  readonly horizonSteps?: number;
  readonly forecast?: ForecastOptions;
  /** Called with every decision (for traces and charts); must not change anything. */
  readonly onDecision?: (i: number, decision: Decision) => void;
}

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
}

function stepOf(series: RegularSeries): number {
  if (!(series.step > 0)) throw new PrescaleError('E_INPUT', 'series step must be positive');
  return series.step;
}

/**
 * Walks forward through a series making the forecasts the scheduled job would: the forecaster is
 * re-chosen and refitted every `refitEverySec` on the last `historySec` of data, and forecasts
 * from the newest data at every step in between. The forecast used at step t sees only y[0, t).
 * Refits happen at fixed steps (multiples of the refit interval from the start), so nothing
 * before T depends on data after T, and the same input always gives the same forecasts.
 * No forecast is made before the forecaster has two days of history (its backtest spans them).
 */
export function forecastWalk(series: RegularSeries, horizon: number, opts: SimulationOptions = {}): ForecastWalk {
  const step = stepOf(series);
  const y = fillGaps(series).values;
  const ctx = contextOf(series);
  const refitSteps = Math.max(1, Math.round((opts.refitEverySec ?? 3600) / step));
  const windowSteps = Math.max(1, Math.round((opts.historySec ?? 14 * DAY_SECONDS) / step));
  const minHistory = 2 * ctx.seasonDay + horizon;
  const forecasts: (Forecast | undefined)[] = new Array(y.length).fill(undefined);
  let prepared: PreparedForecaster | undefined;
  let fittedFrom = 0;
  let refits = 0;
  for (let t = minHistory; t < y.length; t++) {
    if (!prepared || t % refitSteps === 0) {
      fittedFrom = Math.max(0, t - windowSteps);
      prepared = prepareForecaster(
        y.slice(fittedFrom, t),
        horizon,
        { ...ctx, start: timeAt(series, fittedFrom) },
        opts.forecast,
      );
      refits++;
    }
    // the data the forecaster sees starts where its fit started, so indices and calendar agree
    const { p50, p90 } = prepared.predict(y.slice(fittedFrom, t), t - fittedFrom);
    forecasts[t] = { start: timeAt(series, t), step, p50, p90, model: prepared.model, notes: prepared.notes };
  }
  return { horizon, forecasts, refits };
}

/**
 * Replays a load series as demand through the planner, one step at a time as the scheduled job
 * runs: at step t the planner sees the load of step t − 1 and the forecast made from y[0, t), and
 * decides the replicas requested at t. Pure. Pass a `walk` from forecastWalk to plan several
 * policies on the same forecasts (the forecasts do not depend on the policy).
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
  const replicas: number[] = [];
  const reasons: Record<string, number> = {};
  let state: PlannerState = initialPlannerState();
  let current = policy.minReplicas;
  let predictedSteps = 0;
  for (let t = 0; t < y.length; t++) {
    const forecast = w.forecasts[t];
    if (forecast) predictedSteps++;
    const { decision, state: next } = planReplicas(
      {
        now: timeAt(series, t),
        currentReplicas: current,
        observedLoad: t > 0 ? y[t - 1] : y[0],
        forecast,
        intervalSec: step,
      },
      policy,
      state,
    );
    state = next;
    current = decision.desiredReplicas;
    replicas.push(current);
    reasons[decision.reason] = (reasons[decision.reason] ?? 0) + 1;
    opts.onDecision?.(t, decision);
  }
  return { replicas, predictedSteps, refits: w.refits, reasons };
}
