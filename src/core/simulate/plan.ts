import type { Decision } from '../domain/decision.js';
import type { Forecast } from '../domain/forecast.js';
import type { ScalingPolicy } from '../domain/policy.js';
import { planReplicas, type PlannerState } from '../planner/plan.js';

/** Where a run of planning decisions starts: what runs now and what the planner remembers. */
export interface PlanStart {
  readonly current: number;
  readonly state: PlannerState;
}

export interface PlanRun extends PlanStart {
  /** Replicas requested at steps from .. to − 1. */
  readonly replicas: number[];
}

/**
 * Plans steps [from, to) of a load series one at a time, as the scheduled job runs: at step t the
 * planner sees the load of step t − 1 and `forecasts[t]` (made from y[0, t)), and decides the
 * replicas requested at t. Pure; `onDecision` only observes. Without it nobody reads the
 * decisions, so they are made without message and schedule (the tuning replays a week ~11 times
 * a day this way); the replicas are the same.
 */
export function planAlong(
  timing: { readonly start: number; readonly step: number },
  y: readonly number[],
  forecasts: readonly (Forecast | undefined)[],
  policy: ScalingPolicy,
  from: number,
  to: number,
  start: PlanStart,
  onDecision?: (i: number, decision: Decision) => void,
): PlanRun {
  const replicas: number[] = [];
  let { current, state } = start;
  for (let t = from; t < to; t++) {
    const { decision, state: next } = planReplicas(
      {
        now: timing.start + t * timing.step,
        currentReplicas: current,
        observedLoad: t > 0 ? y[t - 1] : y[0],
        forecast: forecasts[t],
        intervalSec: timing.step,
        explain: onDecision !== undefined,
      },
      policy,
      state,
    );
    state = next;
    current = decision.desiredReplicas;
    replicas.push(current);
    onDecision?.(t, decision);
  }
  return { replicas, current, state };
}
