import type { Forecast } from '../domain/forecast.js';
import type { ScalingPolicy } from '../domain/policy.js';
import { DAY_SECONDS } from '../domain/series.js';
import { initialPlannerState, replicasFor } from '../planner/plan.js';
import { planAlong } from './plan.js';
import { oracleSchedule, scoreSchedule } from './replay.js';

/**
 * Per-service policy tuning by replay. A forecast's p90 is calibrated on average, but what it
 * costs to provision for it depends on the service: a smooth daily load is served at full
 * capacity by its p90 alone, a load with isolated spikes pays for a wide margin at every step.
 * Once a day the planner replays the service's own last week — the forecasts the job made (or
 * would have made) and the load that came — under a small grid of policies, scores each as the
 * replay bench does, and keeps the one with the lowest
 *
 *     replica cost / oracle cost + missPrice × unserved % + ACTION_PRICE × scale actions per week
 *
 * (`missPrice`, default 0.5: 1 % of demand unserved weighs as half the oracle's replicas), among
 * the candidates whose replay keeps to the policy's miss budget (`targetUnserved`, % of demand;
 * default 100, no budget) or, when none does, among all (`OverBudget`). One price on every service
 * is what spends replicas where they remove the most misses (a Lagrangian of mean misses at mean
 * cost): a smooth service buys its last misses for a few replicas, a spiky one would pay a
 * replica at every step for each spike and keeps them instead. One action per week weighs as
 * 0.05 % of the oracle's replicas: a tie-break against flapping. The grid: target utilisation
 * between the configured one and 1, the forecast margin (p90 − p50) scaled by 0.5 … 2, scale-down
 * stabilisation 5 … 60 minutes. Everything else (min, max, step limits, quantile, headroom, the
 * reactive floor) stays as configured. Measured on the replay bench (docs/benchmarks.md). Pure.
 */
export const TUNING: TuningSettings = Object.freeze({
  /** Re-tune this often (seconds). */
  everySec: DAY_SECONDS,
  /** Replay at most this much history (seconds). */
  windowSec: 7 * DAY_SECONDS,
  /** Do not tune on less than this (seconds). */
  minWindowSec: DAY_SECONDS,
  actionPrice: 0.0005,
  rule: 'priced',
  marginScales: [0.5, 0.75, 1, 1.25, 1.5, 2],
  stabilizationsSec: [300, 900, 1800, 3600],
  search: 'coordinate',
});

export interface TuningSettings {
  readonly everySec: number;
  readonly windowSec: number;
  readonly minWindowSec: number;
  readonly actionPrice: number;
  /**
   * 'priced': the policy's miss price decides, within the budget and over it. 'budgetOnly': the
   * rule before the price (within the budget the cheapest, over it the fewest misses), kept for
   * the scaling bench's side-by-side figures.
   */
  readonly rule: 'priced' | 'budgetOnly';
  readonly marginScales: readonly number[];
  readonly stabilizationsSec: readonly number[];
  /** 'grid' tries every combination; 'coordinate' one field at a time (utilisation, margin, stabilisation). */
  readonly search: 'grid' | 'coordinate';
}

/** What tuning may change. */
export type TunedFields = Pick<ScalingPolicy, 'targetUtilization' | 'marginScale' | 'scaleDownStabilizationSec'>;

export interface ReplayScore {
  readonly unservedPct: number;
  readonly costVsOracle: number;
  readonly actionsPerWeek: number;
  /** The cost above: cost vs oracle plus the action price (lower is better). */
  readonly cost: number;
}

/** How a tuning ended: a policy within the miss budget, or none (the fewest misses instead). */
export const TUNING_CODES = ['WithinBudget', 'OverBudget'] as const;
export type TuningCode = (typeof TUNING_CODES)[number];

/**
 * The order of candidates under a budget of `budgetPct` % unserved: within the budget beats over
 * it; on the same side, the lower cost + `missPrice` × unserved %. With `missPrice` null, the
 * rule before the price: within it the cheaper, over it the fewer misses, then the cheaper.
 * True when `a` is better (a tie is not).
 */
export function betterUnderBudget(
  a: ReplayScore,
  b: ReplayScore,
  budgetPct: number,
  missPrice: number | null,
): boolean {
  const aIn = a.unservedPct <= budgetPct;
  const bIn = b.unservedPct <= budgetPct;
  if (aIn !== bIn) return aIn;
  if (missPrice !== null) return a.cost + missPrice * a.unservedPct < b.cost + missPrice * b.unservedPct;
  if (aIn || a.unservedPct === b.unservedPct) return a.cost < b.cost;
  return a.unservedPct < b.unservedPct;
}

export interface Tuning {
  /** Unix seconds of the tuning (the end of the replayed window). */
  readonly at: number;
  readonly overrides: TunedFields;
  /** The chosen policy's replay, and the configured policy's on the same window. */
  readonly score: ReplayScore;
  readonly configured: ReplayScore;
  /** The miss budget tuned for (% of demand), and whether the chosen policy's replay kept to it. */
  readonly budgetPct: number;
  readonly code: TuningCode;
  /** Days replayed. */
  readonly days: number;
  readonly candidates: number;
}

/** The fields tuning may change, as `policy` has them. */
function fieldsOf(policy: ScalingPolicy): TunedFields {
  return {
    targetUtilization: policy.targetUtilization,
    marginScale: policy.marginScale,
    scaleDownStabilizationSec: policy.scaleDownStabilizationSec,
  };
}

/** The grid, the configured policy first (it wins ties). */
export function tuningCandidates(policy: ScalingPolicy, settings: TuningSettings = TUNING): TunedFields[] {
  const us = [...new Set([policy.targetUtilization, 1])];
  const out: TunedFields[] = [fieldsOf(policy)];
  for (const targetUtilization of us)
    for (const marginScale of settings.marginScales)
      for (const scaleDownStabilizationSec of settings.stabilizationsSec) {
        const c = { targetUtilization, marginScale, scaleDownStabilizationSec };
        if (!out.some((o) => sameFields(o, c))) out.push(c);
      }
  return out;
}

function sameFields(a: TunedFields, b: TunedFields): boolean {
  return (
    a.targetUtilization === b.targetUtilization &&
    a.marginScale === b.marginScale &&
    a.scaleDownStabilizationSec === b.scaleDownStabilizationSec
  );
}

/**
 * Tunes `policy` on steps [.., to) of a load series: the window is the last `settings.windowSec`
 * before `to` that has forecasts (from `firstForecast` on). `forecasts[t]` must have been made
 * from values before t. Returns undefined when the window is shorter than `settings.minWindowSec`
 * or carries no demand.
 */
export function tunePolicy(
  series: { readonly start: number; readonly step: number; readonly values: readonly number[] },
  forecasts: readonly (Forecast | undefined)[],
  firstForecast: number,
  to: number,
  policy: ScalingPolicy,
  settings: TuningSettings = TUNING,
): Omit<Tuning, 'at'> | undefined {
  const { step, values: y } = series;
  const from = Math.max(firstForecast, to - Math.round(settings.windowSec / step), 1);
  const n = to - from;
  if (n < Math.round(settings.minWindowSec / step)) return undefined;
  const demand = y.slice(from, to);
  if (!demand.some((d) => d > 0)) return undefined;
  const C = policy.capacityPerReplica;
  const delay = Math.ceil(policy.startupDelaySec / step);
  const oracle = scoreSchedule(demand, oracleSchedule(demand, C, delay, policy.minReplicas), C, delay, 0);
  const clamp = (r: number) => Math.min(policy.maxReplicas, Math.max(policy.minReplicas, r));
  const weeks = (n * step) / (7 * DAY_SECONDS);
  const evaluate = (fields: TunedFields): ReplayScore => {
    const p = { ...policy, ...fields };
    // start as a reactive autoscaler would have left things: what the load before the window needs
    const start = { current: clamp(replicasFor(y[from - 1], p, 0)), state: initialPlannerState() };
    const run = planAlong(series, y, forecasts, p, from, to, start);
    const s = scoreSchedule(demand, run.replicas, C, delay, 0);
    const costVsOracle = s.replicaSteps / Math.max(oracle.replicaSteps, 1e-9);
    const actionsPerWeek = s.actions / weeks;
    return {
      unservedPct: s.unservedPct,
      costVsOracle,
      actionsPerWeek,
      cost: costVsOracle + settings.actionPrice * actionsPerWeek,
    };
  };
  const budget = policy.targetUnserved;
  const price = settings.rule === 'priced' ? policy.missPrice : null;
  const better = (a: ReplayScore, b: ReplayScore) => betterUnderBudget(a, b, budget, price);
  const own = fieldsOf(policy);
  const configured = evaluate(own);
  let best = { fields: own, score: configured };
  let tried = 1;
  const consider = (c: TunedFields) => {
    if (sameFields(c, best.fields)) return;
    tried++;
    const score = evaluate(c);
    if (better(score, best.score)) best = { fields: c, score };
  };
  if (settings.search === 'grid') {
    for (const c of tuningCandidates(policy, settings).slice(1)) consider(c);
  } else {
    for (const u of [policy.targetUtilization, 1]) consider({ ...best.fields, targetUtilization: u });
    for (const k of settings.marginScales) consider({ ...best.fields, marginScale: k });
    for (const s of settings.stabilizationsSec) consider({ ...best.fields, scaleDownStabilizationSec: s });
  }
  return {
    overrides: best.fields,
    score: best.score,
    configured,
    budgetPct: budget,
    code: best.score.unservedPct <= budget ? 'WithinBudget' : 'OverBudget',
    days: (n * step) / DAY_SECONDS,
    candidates: tried,
  };
}
