import type { RegularSeries } from '../../core/domain/series.js';
import { describeError, isPrescaleError } from '../../core/domain/errors.js';
import type { Forecast } from '../../core/domain/forecast.js';
import type { ScaleTarget } from '../../core/domain/target.js';
import { initialPlannerState, planReplicas } from '../../core/planner/plan.js';
import type { Tuning } from '../../core/simulate/index.js';
import { resolveSpec, type ServiceSpec } from '../../config/service-spec.js';
import type { PrescaleConfig } from '../../config/schema.js';
import type { Logger } from '../../observability/logger.js';
import type { FetchedHistory, HistoryCache } from '../history.js';
import type { HistoryView } from '../history-series.js';
import {
  baseReport,
  heldReport,
  problemText,
  RECENT_LOAD_SEC,
  type HistorySummary,
  type Problem,
  type ServiceReport,
} from '../report.js';
import type { StateStore } from '../state.js';
import type { MaskStore } from '../masks.js';
import { maskSeries, type ExcludeRule } from '../../core/series/mask.js';
import { boundsInForce, type InForce } from './bounds.js';
import type { ForecastRunner } from './forecasts.js';
import type { TuningCache } from './tunings.js';

/**
 * One service through the cycle, step by step: its spec from labels and config, its history, a
 * forecast and a plan. Each step returns the report that ends the service's cycle early (held,
 * skipped) or what the next step needs. Applying is the cycle's (src/runtime/plan/apply.ts).
 */

/** What the steps share for one cycle. */
export interface PlanContext {
  readonly config: PrescaleConfig;
  readonly history: HistoryCache;
  readonly forecasts: ForecastRunner;
  readonly tunings: TuningCache;
  readonly state: StateStore;
  /** Event masks added at run time. */
  readonly masks: MaskStore;
  /** Seconds between planning cycles (the lead of a scheduled window adds one). */
  readonly intervalSec: number;
  readonly logger: Logger;
}

/**
 * Step 1: the spec from the labels the engine reports now and the config; at `now`, its
 * scheduled windows must not conflict (two open at once with no replica count between them).
 */
export function resolveStep(
  target: ScaleTarget,
  config: PrescaleConfig,
  at?: { readonly now: number; readonly intervalSec: number },
): { spec: ServiceSpec } | { report: ServiceReport } {
  const { spec, errors } = resolveSpec(target, config);
  let problems: Problem[] = errors.map((message) => ({ code: 'LabelInvalid', message }));
  let errorCode: 'E_LABEL' | 'E_CONFIG' = 'E_LABEL';
  if (spec && at) {
    try {
      boundsInForce(spec, spec.policy, at.now, at.intervalSec);
      return { spec };
    } catch (err) {
      problems = [{ code: 'ScheduleConflict', message: describeError(err) }];
      errorCode = 'E_CONFIG';
    }
  } else if (spec) return { spec };
  return {
    report: {
      ...baseReport(target),
      status: 'skipped',
      message: `skipped: ${problemText(problems)}`,
      problems,
      errorCode,
    },
  };
}

/**
 * Step 2: the load history, within the service's deadline. A source that fails or does not
 * answer in time holds the service at its current replicas.
 */
export async function historyStep(
  ctx: PlanContext,
  target: ScaleTarget,
  spec: ServiceSpec,
  now: number,
  signal: AbortSignal,
  deadline: AbortSignal,
): Promise<{ fetched: FetchedHistory & { view: HistoryView } } | { report: ServiceReport }> {
  const cycle = ctx.config.cycle;
  let fetched: FetchedHistory;
  try {
    fetched = await ctx.history.get(target.key, spec.query, now, AbortSignal.any([signal, deadline]));
  } catch (err) {
    const late = deadline.aborted && !signal.aborted;
    const why = late ? 'the metrics source did not answer within the service deadline' : describeError(err);
    const code = late ? 'E_SOURCE_UNREACHABLE' : isPrescaleError(err) ? err.code : 'E_UNEXPECTED';
    const problem: Problem = { code: late ? 'DeadlineExceeded' : 'SourceFailed', message: why };
    return {
      report: heldReport(target, now, problem, code, {
        spec,
        message: `holding ${target.replicas} replicas: no load history (${why}); retrying next cycle`,
      }),
    };
  }
  const view = fetched.view;
  if (!view) {
    const why = `query ${spec.query} returned no samples in the last ${Math.round(cycle.history / 3600)} h`;
    return { report: heldReport(target, now, { code: 'NoSamples', message: why }, 'E_SOURCE_DATA', { spec }) };
  }
  return { fetched: { ...fetched, view } };
}

/** What step 3 made: the buckets and the forecast, ahead of the plan. */
export interface Predicted {
  readonly history: HistorySummary;
  /** The buckets with the event masks as gaps: what is fitted and tuned on. */
  readonly series: RegularSeries;
  /** The masks applied to `series`. */
  readonly exclude: readonly ExcludeRule[];
  readonly observedLoad: number;
  /** The series' last RECENT_LOAD_SEC, as observed (masks and all): what the page draws. */
  readonly recentLoad: RegularSeries;
  readonly droppedSamples?: number;
  readonly forecast?: Forecast;
  readonly problems: Problem[];
}

/** What step 4 made: everything of the report but what applying adds. */
export interface Planned extends Omit<Predicted, 'series' | 'exclude'> {
  readonly spec: ServiceSpec;
  readonly tuning?: Tuning;
  readonly out: ReturnType<typeof planReplicas>;
  /** The replica bounds in force (scheduled windows), for the apply guard. */
  readonly bounds: InForce;
}

/**
 * Step 3: buckets and the forecast (cached per bucket, refitted hourly; in this thread or a
 * worker). It holds no state but the service's own fit, so services may run it in any order.
 * A forecast not made within `deadlineMs` leaves the service to the reactive rules.
 */
export async function predictStep(
  ctx: PlanContext,
  target: ScaleTarget,
  spec: ServiceSpec,
  fetched: FetchedHistory & { view: HistoryView },
  now: number,
  deadlineMs: number,
): Promise<Predicted> {
  const step = ctx.config.cycle.step;
  const problems: Problem[] = [];
  const { view, dropped } = fetched;
  const { series, exclude } = masked(ctx, target.key, spec, view.series, problems);
  const history = historySummary(view, step);
  if (history.gaps) {
    problems.push({
      code: 'SamplesMissing',
      message: `${history.gaps} of ${history.gaps + history.points} samples missing in the history`,
    });
  }
  if (dropped) {
    const message = `${dropped} samples were not finite numbers (or absurdly large) and were left out`;
    problems.push({ code: 'SamplesDropped', message });
  }
  const stale = now - history.to > Math.max(3 * step, 300);
  const observedLoad = stale ? Number.NaN : view.latest;
  if (stale) problems.push({ code: 'StaleSample', message: `latest sample is ${Math.round(now - history.to)} s old` });

  let forecast: Forecast | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('not made within the service deadline')), deadlineMs);
    });
    // the masks are part of what the fit was made on: a mask added at run time refits
    const variant = exclude.length ? JSON.stringify(exclude) : '';
    const made = ctx.forecasts.forecast(target.key, spec.query + variant, spec.model, series, now);
    forecast = await Promise.race([made, late]);
    for (const note of forecast.notes) problems.push({ code: 'ForecastNote', message: note.message });
  } catch (err) {
    problems.push({ code: 'ForecastFailed', message: `no forecast: ${describeError(err)}` });
  } finally {
    clearTimeout(timer);
  }
  const recentLoad = tail(view.series, RECENT_LOAD_SEC);
  return { history, series, exclude, observedLoad, recentLoad, droppedSamples: dropped, forecast, problems };
}

/**
 * Step 4: the day's tuning and the plan. Run in discovery order: the tuning is one service a
 * cycle, and the planner state is the service's own.
 */
export async function planStep(
  ctx: PlanContext,
  target: ScaleTarget,
  spec: ServiceSpec,
  predicted: Predicted,
  now: number,
): Promise<Planned> {
  const { series, exclude, ...made } = predicted;
  const problems = [...made.problems];
  const { forecast, observedLoad } = made;
  const outcome = await ctx.tunings.tuned(target.key, { ...spec, exclude }, series, now);
  if (outcome.error !== undefined) {
    problems.push({
      code: 'TuningFailed',
      message: `policy tuning failed, kept the last one: ${describeError(outcome.error)}`,
    });
  } else if (outcome.ran?.fresh && outcome.tuning) {
    const t = outcome.tuning;
    ctx.logger.info(
      {
        service: target.key,
        ...t.overrides,
        days: +t.days.toFixed(2),
        objective: +t.score.objective.toFixed(4),
        configuredObjective: +t.configured.objective.toFixed(4),
        ms: Math.round(outcome.ran.ms),
      },
      'policy tuned on the replay of the last week',
    );
  }
  const tuning = outcome.tuning;
  const policy = tuning ? { ...spec.policy, ...tuning.overrides } : spec.policy;
  const state = ctx.state.get(target.key) ?? initialPlannerState();
  const bounds = boundsInForce(spec, policy, now, ctx.intervalSec);
  const out = planReplicas(
    { now, currentReplicas: target.replicas, observedLoad, forecast, bounds: bounds.windows },
    policy,
    state,
  );
  ctx.state.set(target.key, out.state);
  return { ...made, spec, tuning, out, bounds, problems };
}

/** The report's account of a history: its span, samples, and the days read from the store and from the source. */
function historySummary(view: HistoryView, step: number): HistorySummary {
  const days = (buckets: number) => +((buckets * view.series.step) / 86_400).toFixed(3);
  return {
    from: view.from,
    to: view.to,
    points: view.points,
    gaps: view.gaps,
    step,
    buckets: view.series.values.length,
    storeDays: days(view.storeBuckets),
    sourceDays: days(view.sourceBuckets),
  };
}

/** The last `seconds` of a regular series. */
function tail(series: RegularSeries, seconds: number): RegularSeries {
  const skip = Math.max(0, series.values.length - Math.floor(seconds / series.step));
  return { start: series.start + skip * series.step, step: series.step, values: series.values.slice(skip) };
}

/** The series with the service's masks (config and run time) as gaps, said in `problems`. */
function masked(ctx: PlanContext, key: string, spec: ServiceSpec, series: RegularSeries, problems: Problem[]) {
  const exclude = [...(spec.exclude ?? []), ...ctx.masks.list(key)];
  const out = maskSeries(series, exclude);
  if (out.masked) {
    const names = [...new Set(exclude.map((r) => r.name))].join(', ');
    problems.push({ code: 'SamplesExcluded', message: `${out.masked} samples inside event masks (${names}) left out` });
  }
  return { series: out.series, exclude };
}
