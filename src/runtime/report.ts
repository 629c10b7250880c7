import type { MetricPlanned } from './plan/service.js';
import type { Decision } from '../core/domain/decision.js';
import type { ErrorCode } from '../core/domain/errors.js';
import type { Forecast } from '../core/domain/forecast.js';
import type { RegularSeries } from '../core/domain/series.js';
import type { ScaleTarget } from '../core/domain/target.js';
import type { Tuning } from '../core/simulate/index.js';
import type { ServiceSpec } from '../config/service-spec.js';
import type { WindowBounds } from '../core/schedule/windows.js';

/**
 * What one cycle says about one service. planned: forecast and plan made; held: data missing,
 * replicas kept; skipped: bad labels; failed: planning broke, replicas kept; gone: the service
 * was removed while being planned.
 */
export const SERVICE_STATUSES = ['planned', 'held', 'skipped', 'failed', 'gone'] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

/**
 * Closed set of problems a service report can carry. Logs, metrics and the API switch on these
 * codes; the message beside each is for people and may be reworded freely.
 */
export const PROBLEM_CODES = [
  'LabelInvalid', // a prescale.* label or config entry is invalid or missing: skipped
  'SourceFailed', // the metrics source failed: held
  'NoSamples', // the query returned nothing: held
  'SamplesMissing', // gaps in the history (filled by the forecaster)
  'SamplesDropped', // non-finite samples left out where they entered
  'SamplesExcluded', // samples inside event masks left out of fitting (treated as gaps)
  'ScheduleConflict', // two scheduled windows open at once leave no replica count: skipped
  'StaleSample', // the newest sample is too old to be the load now
  'DeadlineExceeded', // the service's history did not come within its deadline: held
  'Interrupted', // the instance is stopping: not planned, held
  'ForecastFailed', // no forecast could be made: the reactive number stands
  'ForecastNote', // something the forecaster worked around (a model skipped, a fallback)
  'TuningFailed', // the daily policy tuning failed: the last one is kept
  'ApplyRefused', // the guard refused a number outside [min, max]
  'ApplyFailed', // the engine refused the change
  'DiscoveryFailed', // the engine could not list its services: held
  'ServiceGone', // removed while being planned
  'PlanningFailed', // an unexpected error while planning: held
  'NotFinite', // a number of the record is not finite: left out of what the API shows
  'Unreportable', // the record could not be described at all: listed with why
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** How much recent load a record carries for people to see: two days. */
export const RECENT_LOAD_SEC = 48 * 3600;

/** One thing that went wrong or was worked around, with a stable code. */
export interface Problem {
  readonly code: ProblemCode;
  readonly message: string;
}

/** Problems that mean a change the plan asked for was not made. */
export const APPLY_PROBLEMS: ReadonlySet<ProblemCode> = new Set(['ApplyRefused', 'ApplyFailed']);

/** The history behind a decision. */
export interface HistorySummary {
  readonly from: number;
  readonly to: number;
  readonly points: number;
  /** Samples missing on the query's grid. */
  readonly gaps: number;
  readonly step: number;
  /** Forecast-step buckets the forecaster got. */
  readonly buckets?: number;
  /** Days of buckets read from the history store (the source had none there), and from the source. */
  readonly storeDays?: number;
  readonly sourceDays?: number;
}

/**
 * The decision record of one service in one cycle: what was seen, what was forecast, what was
 * decided and why, what was done.
 */
export interface ServiceReport {
  readonly key: string;
  /** The engine that runs it. */
  readonly kind: string;
  readonly name: string;
  /** The engine's group (a Compose project), when it has one. */
  readonly project?: string;
  readonly status: ServiceStatus;
  readonly currentReplicas: number;
  readonly desiredReplicas: number;
  readonly applied: boolean;
  /** One sentence: why this number, or why no prediction. */
  readonly message: string;
  readonly spec?: ServiceSpec;
  readonly history?: HistorySummary;
  readonly observedLoad?: number;
  /**
   * The load of the last RECENT_LOAD_SEC on the forecaster's grid (NaN: a gap), what the web page
   * draws against capacity; bounded by that window.
   */
  readonly recentLoad?: RegularSeries;
  /** Samples of this cycle's fetch left out as unusable (NaN, ±Inf, absurdly large). */
  readonly droppedSamples?: number;
  readonly forecast?: Forecast;
  readonly decision?: Decision;
  /** Recent relative forecast error (0 = perfect), when known. */
  readonly forecastError?: number;
  /** The policy tuning in force (policy.autoTune): what it changed, and its replay scores. */
  readonly tuning?: Tuning;
  /**
   * Several load metrics: each one's history, value and forecast (what each asked for is in
   * `decision.metrics`); the top-level fields are those of the metric that set the replicas.
   */
  readonly metrics?: readonly MetricPlanned[];
  /** The scheduled windows in force at this decision (open, or in their lead) and the bounds they set. */
  readonly windows?: WindowBounds;
  /** Everything that went wrong or was worked around. */
  readonly problems: readonly Problem[];
  /** Error code when the service was held, skipped or failed. */
  readonly errorCode?: ErrorCode | 'E_UNEXPECTED';
}

/** A failure of a whole engine, source or of the state store (its services are held). */
export interface CycleError {
  readonly kind: 'engine' | 'source' | 'state' | 'internal';
  /** The engine or source kind that failed (`swarm`, `compose`, …), when one did. */
  readonly adapter?: string;
  readonly code: string;
  readonly message: string;
}

/** The outcome of one cycle over every service. */
export interface CycleReport {
  readonly at: number;
  readonly durationMs: number;
  readonly services: readonly ServiceReport[];
  readonly errors: readonly CycleError[];
}

/** The fields every report of a target starts from: nothing changed. */
export function baseReport(target: ScaleTarget) {
  return {
    key: target.key,
    kind: target.kind,
    name: target.name,
    ...(target.project !== undefined && { project: target.project }),
    currentReplicas: target.replicas,
    desiredReplicas: target.replicas,
    applied: false,
    problems: [] as Problem[],
  };
}

/** A held report: data or engine missing, the replicas that run are kept. */
export function heldReport(
  target: ScaleTarget,
  now: number,
  problem: Problem,
  errorCode: ServiceReport['errorCode'],
  extra: Partial<ServiceReport> = {},
): ServiceReport {
  return {
    ...baseReport(target),
    ...extra,
    status: 'held',
    message: extra.message ?? `holding ${target.replicas} replicas: ${problem.message}`,
    problems: [...(extra.problems ?? []), problem],
    errorCode,
    decision: heldDecision(target, now, problem.message),
  };
}

/** The decision when data is missing: keep what runs. */
export function heldDecision(target: ScaleTarget, now: number, why: string): Decision {
  return {
    at: now,
    currentReplicas: target.replicas,
    desiredReplicas: target.replicas,
    reason: 'HoldOnError',
    reasons: ['HoldOnError'],
    message: `${target.replicas} → ${target.replicas} (HoldOnError): ${why}`,
    reactive: target.replicas,
    schedule: [],
  };
}

/** The problems' messages, for a log line or a sentence. */
export function problemText(problems: readonly Problem[]): string {
  return problems.map((p) => p.message).join('; ');
}
