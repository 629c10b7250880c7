import type { ScalingPolicy } from '../core/domain/policy.js';
import { timeAt, type RegularSeries } from '../core/domain/series.js';
import {
  positionOnFrontier,
  reactiveFrontier,
  reactiveHpa,
  replay,
  type FrontierPoint,
  type FrontierPosition,
  type PolicyScore,
} from '../core/simulate/index.js';
import type { ReplaySeries } from './charts.js';

/** A finished replay, as the report needs it (what runReplay returns, and where it came from). */
export interface ReplayOutcome {
  readonly input: string;
  readonly policyFile?: string;
  readonly model: string;
  readonly series: RegularSeries;
  readonly policy: ScalingPolicy;
  readonly delaySteps: number;
  readonly seasonDay: number;
  /** Replicas requested at each step. */
  readonly replicas: readonly number[];
  readonly cmp: { scoredFrom: number; prescale: PolicyScore; reactive: PolicyScore; oracle: PolicyScore };
  readonly refits: number;
  readonly reasons: Readonly<Record<string, number>>;
  readonly tunings: number;
  readonly seconds: number;
}

/** The numbers of a report, also embedded in it as JSON (`#report-data`). */
export interface ReportData {
  readonly input: string;
  readonly policyFile: string | null;
  readonly model: string;
  readonly step: number;
  readonly steps: number;
  /** Unix seconds of the first and last scored step. */
  readonly scored: { readonly from: number; readonly to: number };
  readonly capacity: number;
  readonly startupDelaySec: number;
  readonly delaySteps: number;
  readonly scoredFrom: number;
  readonly prescale: PolicyScore;
  readonly reactive: PolicyScore;
  readonly oracle: PolicyScore;
  /** The reactive HPA at each target utilisation (FRONTIER_TARGETS), and prescale against it. */
  readonly frontier: readonly FrontierPoint[];
  readonly position: FrontierPosition;
  readonly refits: number;
  readonly reasons: Readonly<Record<string, number>>;
  readonly tunings: number;
  readonly seconds: number;
}

/** The report's numbers: the replay's scores and the reactive frontier of the same trace. */
export function reportData(r: ReplayOutcome): ReportData {
  const y = r.series.values;
  const capacity = r.policy.capacityPerReplica;
  const frontier = reactiveFrontier(y, capacity, r.delaySteps, r.seasonDay);
  return {
    input: r.input,
    policyFile: r.policyFile ?? null,
    model: r.model,
    step: r.series.step,
    steps: y.length,
    scored: { from: timeAt(r.series, r.cmp.scoredFrom), to: timeAt(r.series, y.length - 1) },
    capacity,
    startupDelaySec: r.policy.startupDelaySec,
    delaySteps: r.delaySteps,
    ...r.cmp,
    frontier,
    position: positionOnFrontier(frontier, r.cmp.prescale),
    refits: r.refits,
    reasons: r.reasons,
    tunings: r.tunings,
    seconds: r.seconds,
  };
}

/** The scored steps of the replay as chart series: demand, both ready capacities, requested replicas. */
export function scoredWeek(r: ReplayOutcome, title: string): ReplaySeries {
  const C = r.policy.capacityPerReplica;
  const y = r.series.values;
  const ready = replay(r.replicas, r.delaySteps).running;
  const reactiveReady = replay(reactiveHpa(y, C), r.delaySteps).running;
  const idx = Array.from({ length: y.length - r.cmp.scoredFrom }, (_, i) => r.cmp.scoredFrom + i);
  return {
    title,
    times: idx.map((i) => timeAt(r.series, i)),
    demand: idx.map((i) => y[i]),
    capacity: idx.map((i) => ready[i] * C),
    reactiveCapacity: idx.map((i) => reactiveReady[i] * C),
    replicas: idx.map((i) => r.replicas[i]),
  };
}
