import type { Decision, ReasonCode, ScheduleEntry } from '../domain/decision.js';
import type { Forecast } from '../domain/forecast.js';
import type { ScalingPolicy } from '../domain/policy.js';

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
}

/** What the planner remembers between decisions. Serialisable as JSON. */
export interface PlannerState {
  /** Recommendations (before limits) of the last stabilisation window, oldest first. */
  readonly recommendations: readonly { readonly at: number; readonly replicas: number }[];
  /** When the planner last changed the replicas. */
  readonly lastScaleAt?: number;
  /** The p50 of the previous forecast, to measure the forecast error when its time comes. */
  readonly lastForecast?: { readonly start: number; readonly step: number; readonly p50: readonly number[] };
  /** Exponentially weighted mean of the relative forecast error (0 = perfect). */
  readonly forecastError?: number;
}

/** A state with no memory: the first decision of a service. */
export function initialPlannerState(): PlannerState {
  return { recommendations: [] };
}

/** Weight of the newest error in the error average (about a 10-decision memory). */
const ERROR_WEIGHT = 0.2;
/** Extra headroom while the forecast is not trusted. */
const UNTRUSTED_HEADROOM = 0.2;

/** Replicas needed to serve `load` at the policy's target utilisation. */
export function replicasFor(load: number, policy: ScalingPolicy, headroom = policy.headroom): number {
  return replicasAt(load, policy.capacityPerReplica * policy.targetUtilization, headroom);
}

/** Replicas needed to serve `load` when each serves `perReplica`. */
function replicasAt(load: number, perReplica: number, headroom: number): number {
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

/** The forecast value at time `t` (nearest point), or undefined outside the forecast. */
function valueAt(f: { start: number; step: number; p50: readonly number[] }, t: number): number | undefined {
  const i = Math.round((t - f.start) / f.step);
  return i >= 0 && i < f.p50.length ? f.p50[i] : undefined;
}

/** Relative error of a forecast value against what happened, bounded to [0, 1]... */
function relativeError(forecast: number, actual: number): number {
  const scale = Math.max(Math.abs(actual), Math.abs(forecast), 1e-9);
  return Math.min(2, Math.abs(forecast - actual) / scale);
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

/** Decides the replicas for now. Pure: the same input and state give the same decision. */
export function planReplicas(
  input: PlanInput,
  policy: ScalingPolicy,
  state: PlannerState,
): { decision: Decision; state: PlannerState } {
  const { now, currentReplicas: current } = input;
  const reasons: ReasonCode[] = [];
  const parts: string[] = [];

  // 1. How wrong was the last forecast about now? A non-finite error (an Inf forecast, a NaN
  //    carried in a state) is ignored, never averaged in: one NaN would stay in the average for good.
  let forecastError = Number.isFinite(state.forecastError) ? state.forecastError : undefined;
  if (state.lastForecast && Number.isFinite(input.observedLoad)) {
    const predicted = valueAt(state.lastForecast, now);
    const e = predicted === undefined ? Number.NaN : relativeError(predicted, input.observedLoad);
    if (Number.isFinite(e)) {
      forecastError = forecastError === undefined ? e : (1 - ERROR_WEIGHT) * forecastError + ERROR_WEIGHT * e;
    }
  }
  const trusted = forecastError === undefined || forecastError <= policy.maxForecastError;

  // 2. Reactive: what the load observed now needs (HPA ratio with tolerance).
  let reactive = Number.isFinite(input.observedLoad) ? replicasFor(input.observedLoad, policy, 0) : current;
  if (current > 0 && Number.isFinite(input.observedLoad)) {
    const ratio = input.observedLoad / (current * policy.capacityPerReplica * policy.targetUtilization);
    if (Math.abs(ratio - 1) <= policy.tolerance) reactive = current;
  }

  // 3. Predictive: replicas asked for now are ready at now + startup delay and must carry the load
  //    until the next decision's replicas are ready, one interval later. Forecast points are bucket
  //    means over [t, t + step): every bucket that overlaps [now, now + delay + interval) counts.
  //    (Buckets before now + delay are counted too: a scale-down must not drop what they need.)
  //    While recent forecasts were wrong, the forecast keeps counting but with extra headroom,
  //    and the reactive floor below it still holds.
  const headroom = trusted ? policy.headroom : Math.max(policy.headroom, UNTRUSTED_HEADROOM);
  let predictive: number | undefined;
  let schedule: ScheduleEntry[] = [];
  let desired: number;
  if (input.forecast && input.forecast.p50.length > 0) {
    const f = input.forecast;
    schedule = scheduleFrom(f, policy, headroom);
    const until = now + policy.startupDelaySec + (input.intervalSec ?? 60);
    let need = 0;
    for (let i = 0; i < f.p50.length; i++) {
      const t = f.start + i * f.step;
      if (t < until && t + f.step > now) need = Math.max(need, replicasForPoint(f, i, policy, headroom));
    }
    predictive = need;
    if (!trusted) {
      reasons.push('ForecastUntrusted');
      parts.push(
        `recent forecast error ${fmt(forecastError ?? 0)} > ${policy.maxForecastError}: ${headroom * 100}% headroom`,
      );
    }
    if (reactive > predictive) {
      desired = reactive;
      reasons.push('ReactiveFloor');
      parts.push(`observed load ${fmt(input.observedLoad)} needs ${reactive}, more than the forecast's ${predictive}`);
    } else {
      desired = predictive;
      reasons.push('Predictive');
      parts.push(`${policy.quantile} forecast up to ${policy.startupDelaySec}s ahead needs ${predictive}`);
      // hysteresis: a forecast that dips a little below the replicas running is not a reason to act
      if (desired < current && current <= Math.max(reactive, desired) * (1 + policy.tolerance)) {
        desired = current;
        reasons.push('WithinTolerance');
      }
    }
  } else {
    desired = reactive;
    reasons.push('NoForecast');
    parts.push(`no forecast: reactive (observed ${fmt(input.observedLoad)})`);
  }
  if (desired === current && reactive === current && reasons[reasons.length - 1] === 'NoForecast') {
    reasons.push('WithinTolerance');
  }

  // 4. Scale-down stabilisation: the highest recommendation of the window holds replicas up.
  const windowStart = now - policy.scaleDownStabilizationSec;
  const recommendations = [
    ...state.recommendations.filter((r) => r.at > windowStart && r.at <= now),
    { at: now, replicas: desired },
  ];
  if (desired < current) {
    const held = Math.min(current, Math.max(...recommendations.map((r) => r.replicas)));
    if (held > desired) {
      desired = held;
      reasons.push('ScaleDownStabilized');
      parts.push(`held at ${held} by the last ${policy.scaleDownStabilizationSec}s of recommendations`);
    }
  }
  // 5. Cooldown after any action blocks a scale-down.
  if (desired < current && state.lastScaleAt !== undefined && now - state.lastScaleAt < policy.cooldownSec) {
    desired = current;
    reasons.push('Cooldown');
    parts.push(`cooldown: last change ${Math.round(now - state.lastScaleAt)}s ago`);
  }
  // 6. Step limits.
  if (desired > current + policy.maxStepUp) {
    desired = current + policy.maxStepUp;
    reasons.push('ScaleUpLimit');
  } else if (desired < current - policy.maxStepDown) {
    desired = current - policy.maxStepDown;
    reasons.push('ScaleDownLimit');
  }
  // 7. Bounds.
  if (desired < policy.minReplicas) {
    desired = policy.minReplicas;
    reasons.push('TooFewReplicas');
  } else if (desired > policy.maxReplicas) {
    desired = policy.maxReplicas;
    reasons.push('TooManyReplicas');
  }

  const reason = reasons[reasons.length - 1];
  const decision: Decision = {
    at: now,
    currentReplicas: current,
    desiredReplicas: desired,
    reason,
    reasons,
    message: `${current} → ${desired} (${reason}): ${parts.join('; ')}`,
    predictive,
    reactive,
    schedule,
  };
  const lastScaleAt = desired !== current ? now : state.lastScaleAt;
  const lastForecast = input.forecast
    ? { start: input.forecast.start, step: input.forecast.step, p50: input.forecast.p50 }
    : state.lastForecast;
  // absent rather than undefined, so that the state round-trips through JSON unchanged
  const next: PlannerState = {
    recommendations,
    ...(lastScaleAt !== undefined && { lastScaleAt }),
    ...(lastForecast && { lastForecast }),
    ...(forecastError !== undefined && { forecastError }),
  };
  return { decision, state: next };
}

function fmt(v: number): string {
  return Number.isFinite(v) ? String(+v.toPrecision(4)) : 'unknown';
}
