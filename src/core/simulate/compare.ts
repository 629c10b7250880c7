import { oracleSchedule, reactiveHpa, scoreSchedule, type ScheduleScore } from './replay.js';

/** The scored part of a replay: the last 7 days, never the first 3 (warm-up), as the bench does. */
export function scoredFrom(n: number, seasonDay: number): number {
  return Math.max(3 * seasonDay, n - 7 * seasonDay);
}

export interface PolicyScore extends ScheduleScore {
  readonly costVsOracle: number;
}

/** Scores schedules of one trace over its scored steps, with the cost relative to the oracle's. */
export interface ReferenceScorer {
  readonly scoredFrom: number;
  readonly oracle: PolicyScore;
  score(requested: readonly number[]): PolicyScore;
}

/** The scorer of a trace: the scored steps (scoredFrom) and the oracle's cost (oracleSchedule). */
export function referenceScorer(
  demand: readonly number[],
  capacity: number,
  delaySteps: number,
  seasonDay: number,
): ReferenceScorer {
  const from = scoredFrom(demand.length, seasonDay);
  const oracle = scoreSchedule(demand, oracleSchedule(demand, capacity, delaySteps), capacity, delaySteps, from);
  const rel = (s: ScheduleScore): PolicyScore => ({
    ...s,
    costVsOracle: s.replicaSteps / Math.max(oracle.replicaSteps, 1e-9),
  });
  return {
    scoredFrom: from,
    oracle: rel(oracle),
    score: (requested) => rel(scoreSchedule(demand, requested, capacity, delaySteps, from)),
  };
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
  const scorer = referenceScorer(demand, capacity, delaySteps, seasonDay);
  return {
    scoredFrom: scorer.scoredFrom,
    prescale: scorer.score(requested),
    reactive: scorer.score(reactiveHpa(demand, capacity)),
    oracle: scorer.oracle,
  };
}
