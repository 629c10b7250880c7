import type { ScalingPolicy } from '../core/domain/policy.js';
import { BACKTEST_FIT_EVERY_SEC, REFIT_EVERY_SEC } from '../core/forecast/forecaster.js';
import { POLICY_ENTRIES } from './fields.js';

/**
 * Every default in one place (as the Kubernetes HPA keeps its own in one function), read from the
 * field table (src/config/fields.ts). Target 0.8 and tolerance 0.1 are the HPA's. Scale-down
 * stabilisation is 30 minutes, longer than the HPA's 300 s: the forecast already raises replicas
 * ahead of a rise, so holding them a while after a fall costs little and keeps a noisy forecast
 * from flapping (measured on the replay bench, docs/benchmarks.md).
 */
export const DEFAULT_POLICY: Omit<ScalingPolicy, 'capacityPerReplica'> = Object.freeze(
  Object.fromEntries(POLICY_ENTRIES.filter(([, f]) => f.default !== undefined).map(([p, f]) => [p, f.default])),
) as Omit<ScalingPolicy, 'capacityPerReplica'>;

/** A full policy from a capacity and optional overrides. */
export function policyWith(capacityPerReplica: number, overrides: Partial<ScalingPolicy> = {}): ScalingPolicy {
  return Object.freeze({ ...DEFAULT_POLICY, ...overrides, capacityPerReplica });
}

/** Defaults of the collection and forecasting cycle (their bounds: CYCLE_LIMITS in schema.ts). */
export const DEFAULT_CYCLE = Object.freeze({
  /** Load query step, seconds. */
  stepSec: 60,
  /** History read at start-up and kept for fitting, seconds (14 days). */
  historySec: 14 * 86_400,
  /** Stored history of a service that is gone is kept this long, seconds (7 days). */
  historyGraceSec: 7 * 86_400,
  /** Forecast horizon, seconds (2 hours). */
  horizonSec: 2 * 3600,
  /** node-cron expression of the planning cycle (every minute). */
  schedule: '* * * * *',
  /** Seconds between model refits (scores, choice, fits of newly chosen models); cycles in between forecast from the newest data. */
  refitSec: REFIT_EVERY_SEC,
  /** Seconds between fits of every candidate (for the backtest) and of the chosen models; refits in between keep them. */
  backtestFitSec: BACKTEST_FIT_EVERY_SEC,
  /** Prometheus requests in flight at once (one per service whose history is being read). */
  fetchConcurrency: 8,
  /** Changes sent to the engines at once. */
  applyConcurrency: 4,
  /** Forecasts handed to the worker pool at once (running or queued there). */
  cpuTasks: 32,
  /** Longest a service's history fetch, and then its forecast, may take before it is held, seconds. */
  serviceDeadlineSec: 30,
});
