import type { ScheduleEntry } from '../domain/decision.js';
import type { Forecast } from '../domain/forecast.js';
import type { ScalingPolicy } from '../domain/policy.js';

/** Replicas needed to serve `load` at the policy's target utilisation. */
export function replicasFor(load: number, policy: ScalingPolicy, headroom = policy.headroom): number {
  return replicasAt(load, policy.capacityPerReplica * policy.targetUtilization, headroom);
}

/** Replicas needed to serve `load` when each serves `perReplica`. */
export function replicasAt(load: number, perReplica: number, headroom: number): number {
  if (!Number.isFinite(load) || load <= 0) return 0;
  return Math.ceil((load * (1 + headroom)) / perReplica - 1e-9);
}

/**
 * Replicas the forecast point `i` needs: its median at the target utilisation and, when the
 * policy provisions for p90, its p90 at full capacity (the target's margin is for the expected
 * load; the upper quantile is already the margin for the forecast's error), the margin above the
 * median scaled by `marginScale`. Headroom applies to both.
 */
export function replicasForPoint(
  forecast: Forecast,
  i: number,
  policy: ScalingPolicy,
  headroom = policy.headroom,
): number {
  const atTarget = replicasFor(forecast.p50[i], policy, headroom);
  if (policy.quantile === 'p50') return atTarget;
  const upper = forecast.p50[i] + policy.marginScale * (forecast.p90[i] - forecast.p50[i]);
  return Math.max(atTarget, replicasAt(upper, policy.capacityPerReplica, headroom));
}

/**
 * The replica schedule over the forecast: for each forecast point, the replicas its load needs,
 * requested `startupDelaySec` earlier so that they are ready in time.
 */
export function scheduleFrom(forecast: Forecast, policy: ScalingPolicy, headroom = policy.headroom): ScheduleEntry[] {
  return forecast.p50.map((_, i) => {
    const forTime = forecast.start + i * forecast.step;
    const replicas = Math.min(
      policy.maxReplicas,
      Math.max(policy.minReplicas, replicasForPoint(forecast, i, policy, headroom)),
    );
    return { at: forTime - policy.startupDelaySec, forTime, replicas };
  });
}
