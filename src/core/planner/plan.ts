import type { Decision, MetricOutcome, ReasonCode, ScheduleEntry } from '../domain/decision.js';
import { PrescaleError } from '../domain/errors.js';
import { updatedForecastError } from './forecast-error.js';
import { replicasFor, replicasForPoint, scheduleFrom } from './replicas.js';
import type { Forecast } from '../domain/forecast.js';
import type { ScalingPolicy } from '../domain/policy.js';
import type { WindowBounds } from '../schedule/windows.js';

/**
 * The replica math: a pure function from a quantile forecast, the load observed now and a
 * policy to a decision with its reason. Time comes in as `input.now`; everything the planner
 * remembers between decisions is in `PlannerState`, plain JSON that survives restarts.
 * The rules and their order follow the Kubernetes HPA (pkg/controller/podautoscaler:
 * replica_calculator.go for the ratio and tolerance, horizontal.go for stabilisation and
 * behaviour limits), with the forecast added in front of them.
 */

export interface PlanInput {
  /** Unix seconds. */
  readonly now: number;
  readonly currentReplicas: number;
  /** The latest observed load (NaN when unknown). */
  readonly observedLoad: number;
  /** The forecast starting at or after the latest sample; undefined when none could be made. */
  readonly forecast?: Forecast;
  /** Seconds until the next decision can act (the planning cycle). Default 60. */
  readonly intervalSec?: number;
  /** Bounds of the scheduled windows in force now (src/core/schedule/windows.ts); they replace the policy's. */
  readonly bounds?: WindowBounds;
  /**
   * false: the decision carries no message and no schedule (a replay that keeps only the replicas
   * skips their cost); the replicas and the state are the same. Default true.
   */
  readonly explain?: boolean;
}

/** What the planner remembers of one load metric's forecast. */
export interface MetricMemory {
  /** The p50 of the previous forecast, to measure the forecast error when its time comes. */
  readonly lastForecast?: { readonly start: number; readonly step: number; readonly p50: readonly number[] };
  /** Exponentially weighted mean of the relative forecast error (0 = perfect). */
  readonly forecastError?: number;
}

/**
 * What the planner remembers between decisions. Serialisable as JSON. The stabilisation window
 * and the last scale action belong to the service: with several load metrics they hold the
 * combined decision (the largest metric's number), so that a metric falling while another rises
 * neither scales down through the window nor restarts a cooldown of its own. The forecast memory
 * belongs to each metric (its error is of its own forecast): at the top level for a service with
 * one metric, under `metrics` by name for one with several (see planMetrics.ts).
 */
export interface PlannerState extends MetricMemory {
  /** Recommendations (before limits) of the last stabilisation window, oldest first. */
  readonly recommendations: readonly { readonly at: number; readonly replicas: number }[];
  /** When the planner last changed the replicas. */
  readonly lastScaleAt?: number;
  /** Several metrics: each one's forecast memory, by metric name. */
  readonly metrics?: Readonly<Record<string, MetricMemory>>;
}

/** A state with no memory: the first decision of a service. */
export function initialPlannerState(): PlannerState {
  return { recommendations: [] };
}

/** Extra headroom while the forecast is not trusted. */
const UNTRUSTED_HEADROOM = 0.2;

export { replicasFor, replicasForPoint, scheduleFrom } from './replicas.js';

/** Decides the replicas for now. Pure: the same input and state give the same decision. */
export function planReplicas(
  input: PlanInput,
  policy: ScalingPolicy,
  state: PlannerState,
): { decision: Decision; state: PlannerState } {
  const one = proposeFor(input, policy, state);
  const { decision, recommendations, lastScaleAt } = decide(input, policy, state, one);
  // absent rather than undefined, so that the state round-trips through JSON unchanged; set one
  // by one (not spread): the replay runs this for every step of every candidate policy
  const next: Mutable<PlannerState> = { recommendations };
  if (lastScaleAt !== undefined) next.lastScaleAt = lastScaleAt;
  if (one.lastForecast) next.lastForecast = one.lastForecast;
  if (one.forecastError !== undefined) next.forecastError = one.forecastError;
  return { decision, state: next };
}

/** One load metric of a service with several. */
export interface MetricLoad {
  readonly name: string;
  readonly capacityPerReplica: number;
  /** The latest observed value of this metric (NaN when unknown). */
  readonly observedLoad: number;
  readonly forecast?: Forecast;
}

/**
 * The replicas of a service with several load metrics: each metric is planned on its own with its
 * own capacity (forecast error, reactive floor, forecast, tolerance), the largest number wins (the
 * metric listed first on a tie) and goes once through the service's stabilisation, cooldown, step
 * limits and bounds. A metric that needs less never lowers what another needs. Pure.
 */
export function planMetrics(
  input: Omit<PlanInput, 'observedLoad' | 'forecast'> & { readonly metrics: readonly MetricLoad[] },
  policy: ScalingPolicy,
  state: PlannerState,
): { decision: Decision; state: PlannerState } {
  if (!input.metrics.length) throw new PrescaleError('E_INPUT', 'planMetrics: no metric');
  const per = input.metrics.map((m) => {
    const p = { ...policy, capacityPerReplica: m.capacityPerReplica };
    const one = { ...input, observedLoad: m.observedLoad, forecast: m.forecast };
    return { m, p, proposed: proposeFor(one, p, state.metrics?.[m.name] ?? {}) };
  });
  let won = per[0];
  for (const x of per) if (x.proposed.proposal.desired > won.proposed.proposal.desired) won = x;
  const metrics: MetricOutcome[] = per.map(({ m, proposed }) => ({
    name: m.name,
    proposed: proposed.proposal.desired,
    ...(proposed.proposal.predictive !== undefined && { predictive: proposed.proposal.predictive }),
    reactive: proposed.reactive,
    ...(proposed.forecastError !== undefined && { forecastError: proposed.forecastError }),
  }));
  const d = decide(
    { ...input, observedLoad: won.m.observedLoad, forecast: won.m.forecast },
    won.p,
    state,
    won.proposed,
  );
  const decision: Decision = {
    ...d.decision,
    message: `${won.m.name}: ${d.decision.message}`,
    metric: won.m.name,
    metrics,
  };
  const next: PlannerState = {
    recommendations: d.recommendations,
    ...(d.lastScaleAt !== undefined && { lastScaleAt: d.lastScaleAt }),
    metrics: Object.fromEntries(per.map(({ m, proposed }) => [m.name, memoryOf(proposed)])),
  };
  return { decision, state: next };
}

/** What one load metric asks for before the limits, and what the planner keeps of its forecast. */
interface MetricProposal {
  readonly proposal: Proposal;
  readonly reactive: number;
  readonly lastForecast?: MetricMemory['lastForecast'];
  readonly forecastError?: number;
}

/** Steps 1–3 for one load metric: its forecast error, its reactive number, its proposal. */
function proposeFor(input: PlanInput, policy: ScalingPolicy, memory: MetricMemory): MetricProposal {
  // 1. How wrong was the last forecast about now?
  const forecastError = updatedForecastError(memory.forecastError, memory.lastForecast, input.now, input.observedLoad);
  const trusted = forecastError === undefined || forecastError <= policy.maxForecastError;
  const reactive = reactiveReplicas(input, policy);
  const proposal = propose(input, policy, reactive, trusted, forecastError);
  const lastForecast = input.forecast
    ? { start: input.forecast.start, step: input.forecast.step, p50: input.forecast.p50 }
    : memory.lastForecast;
  return { proposal, reactive, lastForecast, forecastError };
}

function memoryOf(m: MetricProposal): MetricMemory {
  const out: Mutable<MetricMemory> = {};
  if (m.lastForecast) out.lastForecast = m.lastForecast;
  if (m.forecastError !== undefined) out.forecastError = m.forecastError;
  return out;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Steps 4–7 on the proposal that won, once per service: the decision and what the window keeps. */
function decide(input: PlanInput, policy: ScalingPolicy, state: PlannerState, won: MetricProposal) {
  const { now, currentReplicas: current } = input;
  const { reasons, parts, predictive, schedule } = won.proposal;
  const { desired, recommendations, window } = limit(won.proposal.desired, input, policy, state, reasons, parts);
  const reason = reasons[reasons.length - 1];
  const decision: Decision = {
    at: now,
    currentReplicas: current,
    desiredReplicas: desired,
    reason,
    reasons,
    message: parts ? `${current} → ${desired} (${reason}): ${parts.join('; ')}` : '',
    predictive,
    reactive: won.reactive,
    schedule,
    ...(window !== undefined && { window }),
  };
  const lastScaleAt = desired !== current ? now : state.lastScaleAt;
  return { decision, recommendations, lastScaleAt };
}

/** The HPA's ratio with its tolerance: what the load observed now needs. */
function reactiveReplicas(input: PlanInput, policy: ScalingPolicy): number {
  const current = input.currentReplicas;
  if (!Number.isFinite(input.observedLoad)) return current;
  if (current > 0) {
    const ratio = input.observedLoad / (current * policy.capacityPerReplica * policy.targetUtilization);
    if (Math.abs(ratio - 1) <= policy.tolerance) return current;
  }
  return replicasFor(input.observedLoad, policy, 0);
}

/** The number before limits, with the rules that set it. */
interface Proposal {
  readonly desired: number;
  readonly predictive?: number;
  readonly schedule: ScheduleEntry[];
  readonly reasons: ReasonCode[];
  /** The message's sentences; undefined when nobody reads them (`explain: false`), so none is formatted. */
  readonly parts: string[] | undefined;
}

/**
 * Predictive: replicas asked for now are ready at now + startup delay and must carry the load
 * until the next decision's replicas are ready, one interval later. Forecast points are bucket
 * means over [t, t + step): every bucket that overlaps [now, now + delay + interval) counts
 * (buckets before now + delay too: a scale-down must not drop what they need). While recent
 * forecasts were wrong, the forecast keeps counting with extra headroom, and the reactive floor
 * below it still holds.
 */
function propose(
  input: PlanInput,
  policy: ScalingPolicy,
  reactive: number,
  trusted: boolean,
  forecastError: number | undefined,
): Proposal {
  const { now, currentReplicas: current } = input;
  const reasons: ReasonCode[] = [];
  const parts: string[] | undefined = input.explain === false ? undefined : [];
  const f = input.forecast;
  if (!f || f.p50.length === 0) {
    reasons.push('NoForecast');
    parts?.push(`no forecast: reactive (observed ${fmt(input.observedLoad)})`);
    if (reactive === current) reasons.push('WithinTolerance');
    return { desired: reactive, schedule: [], reasons, parts };
  }
  const headroom = trusted ? policy.headroom : Math.max(policy.headroom, UNTRUSTED_HEADROOM);
  const schedule = input.explain === false ? [] : scheduleFrom(f, policy, headroom);
  const until = now + policy.startupDelaySec + (input.intervalSec ?? 60);
  let predictive = 0;
  for (let i = 0; i < f.p50.length; i++) {
    const t = f.start + i * f.step;
    if (t < until && t + f.step > now) predictive = Math.max(predictive, replicasForPoint(f, i, policy, headroom));
  }
  if (!trusted) {
    reasons.push('ForecastUntrusted');
    parts?.push(
      `recent forecast error ${fmt(forecastError ?? 0)} > ${policy.maxForecastError}: ${headroom * 100}% headroom`,
    );
  }
  if (reactive > predictive) {
    reasons.push('ReactiveFloor');
    parts?.push(`observed load ${fmt(input.observedLoad)} needs ${reactive}, more than the forecast's ${predictive}`);
    return { desired: reactive, predictive, schedule, reasons, parts };
  }
  reasons.push('Predictive');
  parts?.push(`${policy.quantile} forecast up to ${policy.startupDelaySec}s ahead needs ${predictive}`);
  // hysteresis: a forecast that dips a little below the replicas running is not a reason to act
  if (predictive < current && current <= Math.max(reactive, predictive) * (1 + policy.tolerance)) {
    reasons.push('WithinTolerance');
    return { desired: current, predictive, schedule, reasons, parts };
  }
  return { desired: predictive, predictive, schedule, reasons, parts };
}

/** Stabilisation, cooldown, step limits and bounds, in the HPA's order; each adds its reason. */
function limit(
  proposed: number,
  input: PlanInput,
  policy: ScalingPolicy,
  state: PlannerState,
  reasons: ReasonCode[],
  parts: string[] | undefined,
): { desired: number; recommendations: PlannerState['recommendations']; window?: string } {
  const { now, currentReplicas: current } = input;
  let desired = proposed;
  // 4. Scale-down stabilisation: the highest recommendation of the window holds replicas up.
  const windowStart = now - policy.scaleDownStabilizationSec;
  const recommendations: { at: number; replicas: number }[] = [];
  let highest = desired;
  for (const r of state.recommendations) {
    if (r.at > windowStart && r.at <= now) {
      recommendations.push(r);
      if (r.replicas > highest) highest = r.replicas;
    }
  }
  recommendations.push({ at: now, replicas: desired });
  if (desired < current) {
    const held = Math.min(current, highest);
    if (held > desired) {
      desired = held;
      reasons.push('ScaleDownStabilized');
      parts?.push(`held at ${held} by the last ${policy.scaleDownStabilizationSec}s of recommendations`);
    }
  }
  // 5. Cooldown after any action blocks a scale-down.
  if (desired < current && state.lastScaleAt !== undefined && now - state.lastScaleAt < policy.cooldownSec) {
    desired = current;
    reasons.push('Cooldown');
    parts?.push(`cooldown: last change ${Math.round(now - state.lastScaleAt)}s ago`);
  }
  // 6. Step limits.
  if (desired > current + policy.maxStepUp) {
    desired = current + policy.maxStepUp;
    reasons.push('ScaleUpLimit');
  } else if (desired < current - policy.maxStepDown) {
    desired = current - policy.maxStepDown;
    reasons.push('ScaleDownLimit');
  }
  // 7. Bounds: a scheduled window's replace the policy's while it holds.
  const bounds = boundsOf(policy, input.bounds);
  let window: string | undefined;
  if (desired < bounds.min) {
    desired = bounds.min;
    window = bounds.minWindow;
    reasons.push(window === undefined ? 'TooFewReplicas' : 'Scheduled');
  } else if (desired > bounds.max) {
    desired = bounds.max;
    window = bounds.maxWindow;
    reasons.push(window === undefined ? 'TooManyReplicas' : 'Scheduled');
  }
  if (window !== undefined) parts?.push(`scheduled window ${window}: [${bounds.min}, ${bounds.max}]`);
  return { desired, recommendations, ...(window !== undefined && { window }) };
}

/** The bounds in force: a window's min or max where one is set, the policy's otherwise. */
function boundsOf(
  policy: ScalingPolicy,
  w: WindowBounds | undefined,
): { min: number; max: number; minWindow?: string; maxWindow?: string } {
  return {
    min: w?.min?.value ?? policy.minReplicas,
    max: w?.max?.value ?? policy.maxReplicas,
    minWindow: w?.min?.window,
    maxWindow: w?.max?.window,
  };
}

function fmt(v: number): string {
  return Number.isFinite(v) ? String(+v.toPrecision(4)) : 'unknown';
}
