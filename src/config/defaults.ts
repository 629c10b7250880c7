import type { ScalingPolicy } from '../core/domain/policy.js';

/**
 * Every default in one place (as the Kubernetes HPA keeps its own in one function).
 * Target 0.8 and tolerance 0.1 are the HPA's. Scale-down stabilisation is 30 minutes, longer
 * than the HPA's 300 s: the forecast already raises replicas ahead of a rise, so holding them a
 * while after a fall costs little and keeps a noisy forecast from flapping (measured on the
 * replay bench, docs/benchmarks.md: at 300 s the planner acts about twice as often).
 */
export const DEFAULT_POLICY: Omit<ScalingPolicy, 'capacityPerReplica'> = Object.freeze({
  targetUtilization: 0.8,
  startupDelaySec: 300,
  minReplicas: 1,
  maxReplicas: 100,
  quantile: 'p90',
  headroom: 0,
  marginScale: 1,
  autoTune: true,
  maxStepUp: Number.POSITIVE_INFINITY,
  maxStepDown: Number.POSITIVE_INFINITY,
  scaleDownStabilizationSec: 1800,
  cooldownSec: 0,
  tolerance: 0.1,
  maxForecastError: 0.5,
});

/** A full policy from a capacity and optional overrides. */
export function policyWith(capacityPerReplica: number, overrides: Partial<ScalingPolicy> = {}): ScalingPolicy {
  return Object.freeze({ ...DEFAULT_POLICY, ...overrides, capacityPerReplica });
}

/** Defaults of the collection and forecasting cycle. */
export const DEFAULT_CYCLE = Object.freeze({
  /** Load query step, seconds. */
  stepSec: 60,
  /** History read at start-up and kept for fitting, seconds (14 days). */
  historySec: 14 * 86_400,
  /** Forecast horizon, seconds (2 hours). */
  horizonSec: 2 * 3600,
  /** node-cron expression of the planning cycle (every minute). */
  schedule: '* * * * *',
  /** Seconds between model refits (choice and parameters); cycles in between forecast from the newest data. */
  refitSec: 3600,
});
