import type { RegularSeries } from '../../core/domain/series.js';
import { describeError, isPrescaleError } from '../../core/domain/errors.js';
import type { Forecast } from '../../core/domain/forecast.js';
import type { ScaleTarget } from '../../core/domain/target.js';
import { initialPlannerState, planMetrics, planReplicas } from '../../core/planner/plan.js';
import type { Tuning } from '../../core/simulate/index.js';
import { resolveSpec, type ServiceSpec } from '../../config/service-spec.js';
import type { MetricSpec } from '../../config/metrics.js';
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

/** The key of one load series of a service: the service's own key, or `key#metric` with several. */
export function seriesKey(serviceKey: string, metric?: string): string {
  return metric === undefined ? serviceKey : `${serviceKey}#${metric}`;
}

/** The series keys of the services of a cycle: what the history and forecast caches keep. */
export function seriesKeysOf(reports: readonly ServiceReport[]): Set<string> {
  const keys = new Set<string>();
  for (const r of reports) {
    keys.add(r.key);
    for (const m of r.spec?.metrics ?? []) keys.add(seriesKey(r.key, m.name));
  }
  return keys;
}

/** A fetched history that has samples. */
export type Fetched = FetchedHistory & { readonly view: HistoryView };

/** The history of one metric of a service with several. */
export interface MetricSamples {
  readonly metric: MetricSpec;
  readonly fetched: Fetched;
}

/**
 * Step 2: the load history, within the service's deadline; with several metrics, each one's. A
 * source that fails or does not answer in time, or a metric without samples, holds the service at
 * its current replicas and names the metric: a plan on the other metrics alone could scale down
 * what the missing one needs.
 */
export async function historyStep(
  ctx: PlanContext,
  target: ScaleTarget,
  spec: ServiceSpec,
  now: number,
  signal: AbortSignal,
  deadline: AbortSignal,
): Promise<{ fetched: Fetched; metrics?: readonly MetricSamples[] } | { report: ServiceReport }> {
  if (!spec.metrics) return fetchOne(ctx, target, spec, spec.query, undefined, now, signal, deadline);
  const metrics: MetricSamples[] = [];
  for (const metric of spec.metrics) {
    const r = await fetchOne(ctx, target, spec, metric.query, metric.name, now, signal, deadline);
    if ('report' in r) return r;
    metrics.push({ metric, fetched: r.fetched });
  }
  return { fetched: metrics[0].fetched, metrics };
}

async function fetchOne(
  ctx: PlanContext,
  target: ScaleTarget,
  spec: ServiceSpec,
  query: string,
  metric: string | undefined,
  now: number,
  signal: AbortSignal,
  deadline: AbortSignal,
): Promise<{ fetched: Fetched } | { report: ServiceReport }> {
  const cycle = ctx.config.cycle;
  const of = metric === undefined ? '' : ` of metric ${metric}`;
  let fetched: FetchedHistory;
  try {
    const key = { service: target.key, ...(metric !== undefined && { metric }) };
    fetched = await ctx.history.get(key, query, now, AbortSignal.any([signal, deadline]));
  } catch (err) {
    const late = deadline.aborted && !signal.aborted;
    const why = late ? 'the metrics source did not answer within the service deadline' : describeError(err);
    const code = late ? 'E_SOURCE_UNREACHABLE' : isPrescaleError(err) ? err.code : 'E_UNEXPECTED';
    const problem: Problem = { code: late ? 'DeadlineExceeded' : 'SourceFailed', message: `${why}${of}` };
    return {
      report: heldReport(target, now, problem, code, {
        spec,
        message: `holding ${target.replicas} replicas: no load history${of} (${why}); retrying next cycle`,
      }),
    };
  }
  const view = fetched.view;
  if (!view) {
    const why = `query ${query}${of} returned no samples in the last ${Math.round(cycle.history / 3600)} h`;
    return { report: heldReport(target, now, { code: 'NoSamples', message: why }, 'E_SOURCE_DATA', { spec }) };
  }
  return { fetched: { ...fetched, view } };
}

/** One load series through step 3: its buckets, its latest value and its forecast. */
export interface SeriesPredicted {
  readonly history: HistorySummary;
  /** The buckets with the event masks as gaps: what is fitted and tuned on. */
  readonly series: RegularSeries;
  readonly observedLoad: number;
  /** The series' last RECENT_LOAD_SEC, as observed (masks and all): what the page draws. */
  readonly recentLoad: RegularSeries;
  readonly droppedSamples?: number;
  readonly forecast?: Forecast;
}

/** What step 3 made: the forecast(s), ahead of the plan. */
export interface Predicted extends SeriesPredicted {
  /** The masks applied to the series. */
  readonly exclude: readonly ExcludeRule[];
  /** Several load metrics: each one's, in the spec's order (the top-level fields are the first's). */
  readonly metrics?: ReadonlyArray<SeriesPredicted & { readonly metric: MetricSpec }>;
  readonly problems: Problem[];
}

/** Several load metrics: each one's series through step 3, with the metric. */
export interface MetricPlanned extends Omit<SeriesPredicted, 'series' | 'recentLoad'> {
  readonly name: string;
  readonly query: string;
  readonly capacity: number;
}

/** What step 4 made: everything of the report but what applying adds. */
export interface Planned extends Omit<SeriesPredicted, 'series'> {
  readonly spec: ServiceSpec;
  readonly tuning?: Tuning;
  readonly out: ReturnType<typeof planReplicas>;
  /** The replica bounds in force (scheduled windows), for the apply guard. */
  readonly bounds: InForce;
  readonly problems: Problem[];
  /**
   * Several load metrics: each one's history, value and forecast (what each asked for is in
   * `decision.metrics`); the top-level fields are those of the metric that set the replicas.
   */
  readonly metrics?: readonly MetricPlanned[];
}

/**
 * Step 3: buckets and the forecast of each load series (cached per bucket, refitted hourly; in
 * this thread or a worker). It holds no state but the service's own fits, so services may run it
 * in any order. A forecast not made within `deadlineMs` leaves that series to the reactive rules.
 */
export async function predictStep(
  ctx: PlanContext,
  target: ScaleTarget,
  spec: ServiceSpec,
  got: { readonly fetched: Fetched; readonly metrics?: readonly MetricSamples[] },
  now: number,
  deadlineMs: number,
): Promise<Predicted> {
  const problems: Problem[] = [];
  const exclude = [...(spec.exclude ?? []), ...ctx.masks.list(target.key)];
  const of = { exclude, now, deadlineMs, problems, model: spec.model };
  if (spec.metrics && got.metrics) {
    const per: Array<SeriesPredicted & { readonly metric: MetricSpec }> = [];
    for (const { metric, fetched } of got.metrics) {
      const key = seriesKey(target.key, metric.name);
      per.push({ metric, ...(await seriesStep(ctx, key, metric.query, fetched, of, ` of metric ${metric.name}`)) });
    }
    const { metric: _metric, ...first } = per[0];
    return { ...first, exclude, metrics: per, problems };
  }
  return { ...(await seriesStep(ctx, target.key, spec.query, got.fetched, of)), exclude, problems };
}

/** Buckets (masks as gaps) and forecast of one series; problems said with `of`. */
async function seriesStep(
  ctx: PlanContext,
  key: string,
  query: string,
  fetched: Fetched,
  at: { exclude: readonly ExcludeRule[]; now: number; deadlineMs: number; problems: Problem[]; model: string },
  of = '',
): Promise<SeriesPredicted> {
  const { now, problems, exclude } = at;
  const step = ctx.config.cycle.step;
  const { view, dropped } = fetched;
  const series = masked(view.series, exclude, problems, of);
  const history = historySummary(view, step);
  if (history.gaps) {
    problems.push({
      code: 'SamplesMissing',
      message: `${history.gaps} of ${history.gaps + history.points} samples missing in the history${of}`,
    });
  }
  if (dropped) {
    const message = `${dropped} samples${of} were not finite numbers (or absurdly large) and were left out`;
    problems.push({ code: 'SamplesDropped', message });
  }
  const stale = now - history.to > Math.max(3 * step, 300);
  const observedLoad = stale ? Number.NaN : view.latest;
  if (stale) {
    problems.push({ code: 'StaleSample', message: `latest sample${of} is ${Math.round(now - history.to)} s old` });
  }
  let forecast: Forecast | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('not made within the service deadline')), at.deadlineMs);
    });
    // the masks are part of what the fit was made on: a mask added at run time refits
    const variant = exclude.length ? JSON.stringify(exclude) : '';
    forecast = await Promise.race([ctx.forecasts.forecast(key, query + variant, at.model, series, now), late]);
    for (const note of forecast.notes) problems.push({ code: 'ForecastNote', message: `${note.message}${of}` });
  } catch (err) {
    problems.push({ code: 'ForecastFailed', message: `no forecast${of}: ${describeError(err)}` });
  } finally {
    clearTimeout(timer);
  }
  const recentLoad = tail(view.series, RECENT_LOAD_SEC);
  return { history, series, observedLoad, recentLoad, droppedSamples: dropped, forecast };
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
  const { series, exclude, metrics: per, ...one } = predicted;
  const problems = [...one.problems];
  // with several metrics the tuning replays the first: a replay of several series at once is not
  // built, and the tuned fields (utilisation, margin, stabilisation) are the service's
  const tuning = await tuningStep(ctx, target, { ...spec, exclude }, series, now, problems);
  const policy = tuning ? { ...spec.policy, ...tuning.overrides } : spec.policy;
  const state = ctx.state.get(target.key) ?? initialPlannerState();
  const bounds = boundsInForce(spec, policy, now, ctx.intervalSec);
  const base = { now, currentReplicas: target.replicas, bounds: bounds.windows };
  if (spec.metrics && per) {
    const loads = per.map(({ metric, observedLoad, forecast }) => ({
      name: metric.name,
      capacityPerReplica: metric.capacity,
      observedLoad,
      forecast,
    }));
    const out = planMetrics({ ...base, metrics: loads }, policy, state);
    ctx.state.set(target.key, out.state);
    const planned: MetricPlanned[] = per.map(({ metric, series: _s, recentLoad: _r, ...r }) => ({ ...r, ...metric }));
    const {
      metric: _metric,
      series: _series,
      ...won
    } = per.find((m) => m.metric.name === out.decision.metric) ?? per[0];
    return { spec, ...won, tuning, out, bounds, problems, metrics: planned };
  }
  const out = planReplicas({ ...base, observedLoad: one.observedLoad, forecast: one.forecast }, policy, state);
  ctx.state.set(target.key, out.state);
  return { ...one, spec, tuning, out, bounds, problems };
}

/** The day's policy tuning (src/runtime/plan/tunings.ts), logged when it ran. */
async function tuningStep(
  ctx: PlanContext,
  target: ScaleTarget,
  spec: ServiceSpec,
  series: RegularSeries,
  now: number,
  problems: Problem[],
): Promise<Tuning | undefined> {
  const outcome = await ctx.tunings.tuned(target.key, spec, series, now);
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
        code: t.code,
        budgetPct: t.budgetPct,
        unservedPct: +t.score.unservedPct.toFixed(4),
        costVsOracle: +t.score.costVsOracle.toFixed(4),
        configuredUnservedPct: +t.configured.unservedPct.toFixed(4),
        ms: Math.round(outcome.ran.ms),
      },
      'policy tuned on the replay of the last week',
    );
  }
  return outcome.tuning;
}

/** The recent forecast error of the plan: the service's one metric, or the one that set the replicas. */
export function forecastErrorOf(out: Planned['out']): number | undefined {
  const d = out.decision;
  return d.metrics ? d.metrics.find((m) => m.name === d.metric)?.forecastError : out.state.forecastError;
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

/** The series with the masks as gaps, said in `problems`. */
function masked(series: RegularSeries, exclude: readonly ExcludeRule[], problems: Problem[], of = ''): RegularSeries {
  const out = maskSeries(series, exclude);
  if (out.masked) {
    const names = [...new Set(exclude.map((r) => r.name))].join(', ');
    problems.push({
      code: 'SamplesExcluded',
      message: `${out.masked} samples${of} inside event masks (${names}) left out`,
    });
  }
  return out.series;
}
