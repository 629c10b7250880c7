import { oracleSchedule, reactiveHpa, scoreSchedule, type ScheduleScore } from './replay.js';

/** The scored part of a replay: the last 7 days, never the first 3 (warm-up), as the bench does. */
export function scoredFrom(n: number, seasonDay: number): number {
  return Math.max(3 * seasonDay, n - 7 * seasonDay);
}

export interface PolicyScore extends ScheduleScore {
  readonly costVsOracle: number;
}

/**
 * Scores a schedule beside the two references of the same trace, as the reference bench does:
 * the reactive HPA algorithm (80 % target, 10 % tolerance, five-decision scale-down
 * stabilisation) and the oracle; all over the trace's last 7 days.
 */
export function compareWithReferences(
  demand: readonly number[],
  requested: readonly number[],
  capacity: number,
  delaySteps: number,
  seasonDay: number,
): { scoredFrom: number; prescale: PolicyScore; reactive: PolicyScore; oracle: PolicyScore } {
  const from = scoredFrom(demand.length, seasonDay);
  const oracle = scoreSchedule(demand, oracleSchedule(demand, capacity, delaySteps), capacity, delaySteps, from);
  const rel = (s: ScheduleScore): PolicyScore => ({
    ...s,
    costVsOracle: s.replicaSteps / Math.max(oracle.replicaSteps, 1e-9),
  });
  return {
    scoredFrom: from,
    prescale: rel(scoreSchedule(demand, requested, capacity, delaySteps, from)),
    reactive: rel(scoreSchedule(demand, reactiveHpa(demand, capacity), capacity, delaySteps, from)),
    oracle: rel(oracle),
  };
}
