import type { Actuator, ScaleTarget } from '../adapters/engines/port.js';
import type { MetricsSource } from '../adapters/sources/port.js';
import type { PrescaleConfig } from '../config/schema.js';
import { resolveSpec, type ServiceSpec } from '../config/service-spec.js';
import type { Decision } from '../core/domain/decision.js';
import { describeError, isPrescaleError, isSourceCode, type ErrorCode } from '../core/domain/errors.js';
import type { Forecast } from '../core/domain/forecast.js';
import type { RegularSeries, Samples } from '../core/domain/series.js';
import {
  forecastFrom,
  modelNames,
  prepareSeries,
  type ForecastModel,
  type PreparedForecaster,
} from '../core/forecast/forecaster.js';
import type { Logger } from '../observability/logger.js';
import { initialPlannerState, planReplicas } from '../core/planner/plan.js';
import { countGaps, resample, toRegular } from '../core/series/regular.js';
import { TUNING, tuneOnHistory, type Tuning } from '../core/simulate/index.js';
import { HistoryCache } from './history.js';
import { MemoryStateStore, type StateStore } from './state.js';

/** Step of the series the forecaster sees: 5 minutes, or the query step when coarser. */
export const FORECAST_STEP = 300;

/** What the cycle needs, injected. */
export interface CycleDeps {
  readonly source: MetricsSource;
  readonly actuators: readonly Actuator[];
  readonly config: PrescaleConfig;
  /**
   * Send changes to the engine (false: recommend only). A function is asked right before each
   * change, so that an instance that loses the leader lock mid-cycle stops at once.
   */
  readonly apply: boolean | (() => boolean);
  readonly logger: Logger;
  readonly state?: StateStore;
  /** Models loaded at start-up (e.g. a trained LSTM), offered to `auto` and by name. */
  readonly extraModels?: readonly ForecastModel[];
  /** Told what each cycle discovered (and which actuators failed to), e.g. to notice changes. */
  readonly onDiscovered?: (targets: readonly ScaleTarget[], failed: readonly Actuator['kind'][]) => void;
}

/** The history behind a decision. */
export interface HistorySummary {
  readonly from: number;
  readonly to: number;
  readonly points: number;
  /** Samples missing on the query's grid. */
  readonly gaps: number;
  readonly step: number;
}

/**
 * The decision record of one service in one cycle: what was seen, what was forecast, what was
 * decided and why, what was done. `status` says in one word whether it was planned.
 */
export interface ServiceReport {
  readonly key: string;
  readonly kind: string;
  readonly name: string;
  /** Compose project (Compose services only). */
  readonly project?: string;
  /**
   * planned: forecast and plan made; held: data missing, replicas kept; skipped: bad labels;
   * failed: planning broke, replicas kept; gone: the service was removed while being planned.
   */
  readonly status: 'planned' | 'held' | 'skipped' | 'failed' | 'gone';
  readonly currentReplicas: number;
  readonly desiredReplicas: number;
  readonly applied: boolean;
  /** One sentence: why this number, or why no prediction. */
  readonly message: string;
  readonly spec?: ServiceSpec;
  readonly history?: HistorySummary;
  readonly observedLoad?: number;
  readonly forecast?: Forecast;
  readonly decision?: Decision;
  /** Recent relative forecast error (0 = perfect), when known. */
  readonly forecastError?: number;
  /** The policy tuning in force (policy.autoTune): what it changed, and its replay scores. */
  readonly tuning?: Tuning;
  /** Everything that went wrong or was worked around, in words. */
  readonly problems: readonly string[];
  /** Error code when the service was held or failed. */
  readonly errorCode?: ErrorCode | 'E_UNEXPECTED';
}

/** The outcome of one cycle over every service. */
export interface CycleReport {
  readonly at: number;
  readonly durationMs: number;
  readonly services: readonly ServiceReport[];
  /** Failures of a whole engine or source (the services it holds are missing from `services`). */
  readonly errors: readonly {
    readonly kind: 'docker' | 'prometheus' | 'internal';
    readonly code: string;
    readonly message: string;
  }[];
}

/**
 * One reconcile cycle over all services: discover → resolve labels → history → forecast → plan
 * → apply. A failing service never stops the others; a failing engine or source holds its
 * services at their current replicas and says so. Time is the `now` passed in.
 */
export class Reconciler {
  private readonly history: HistoryCache;
  private readonly state: StateStore;
  private readonly horizonSteps: number;
  /**
   * Per service: the forecaster chosen and fitted at `fittedAt` (refitted every `refit` seconds)
   * and its last forecast, reused until the series gains a new forecast-step bucket.
   */
  private readonly forecasts = new Map<
    string,
    { spec: string; end: number; fittedAt: number; prepared: PreparedForecaster; forecast: Forecast }
  >();
  /**
   * Per service: the last policy tuning (see src/core/simulate/tune.ts) and when it was tried, for the
   * spec it was made for. Re-tuned once a day, one service per cycle (a tuning replays a week).
   */
  private readonly tunings = new Map<string, { spec: string; triedAt: number; tuning?: Tuning }>();
  private tunedThisCycle = false;
  /** What was last said about a service that is not planned, so that it is said once, not every cycle. */
  private readonly said = new Map<string, string>();
  /** What each actuator discovered last: held and reported while its engine cannot be reached. */
  private readonly lastFound = new Map<Actuator, ScaleTarget[]>();

  constructor(private readonly deps: CycleDeps) {
    const c = deps.config.cycle;
    this.history = new HistoryCache(deps.source, c.history, c.step);
    this.state = deps.state ?? new MemoryStateStore();
    this.horizonSteps = Math.max(1, Math.ceil(c.horizon / Math.max(FORECAST_STEP, c.step)));
  }

  /** Runs one cycle at `now` (unix seconds). Never throws. */
  async runOnce(now: number, signal?: AbortSignal): Promise<CycleReport> {
    const t0 = performance.now();
    this.tunedThisCycle = false;
    const services: ServiceReport[] = [];
    const errors: { kind: 'docker' | 'prometheus' | 'internal'; code: string; message: string }[] = [];
    const seen = new Set<string>();
    const discovered: ScaleTarget[] = [];
    const failed: Actuator['kind'][] = [];
    const found: Array<[Actuator, ScaleTarget[]]> = [];
    for (const actuator of this.deps.actuators) {
      try {
        const targets = await actuator.discover();
        found.push([actuator, targets]);
        this.lastFound.set(actuator, targets);
      } catch (err) {
        const code = isPrescaleError(err) ? err.code : 'E_UNEXPECTED';
        const why = describeError(err);
        errors.push({ kind: 'docker', code, message: `${actuator.kind} discovery failed: ${why}` });
        this.deps.logger.error({ actuator: actuator.kind, code, err: why }, 'discovery failed; nothing changed');
        failed.push(actuator.kind);
        // the services seen last are still there as far as anyone knows: listed as held, untouched
        for (const target of this.lastFound.get(actuator) ?? []) {
          seen.add(target.key);
          services.push({
            ...base(target),
            status: 'held',
            message: `holding ${target.replicas} replicas: ${actuator.kind} discovery failed (${why}); retrying next cycle`,
            problems: [why],
            errorCode: code,
            decision: held(target, now, why),
          });
        }
      }
    }
    for (const [, targets] of found) discovered.push(...targets);
    this.deps.onDiscovered?.(discovered, failed);
    for (const [actuator, targets] of found) {
      for (const target of targets) {
        seen.add(target.key);
        const report = await this.planOne(actuator, target, now, signal).catch((err: unknown): ServiceReport => ({
          ...base(target),
          status: 'failed',
          message: `planning failed, replicas kept: ${describeError(err)}`,
          problems: [describeError(err)],
          errorCode: isPrescaleError(err) ? err.code : 'E_UNEXPECTED',
        }));
        this.log(report);
        services.push(report);
      }
    }
    if (services.some((s) => isSourceCode(s.errorCode))) {
      const held = services.filter((s) => isSourceCode(s.errorCode));
      errors.push({
        kind: 'prometheus',
        code: held[0].errorCode as string,
        message: held[0].problems[0] ?? 'Prometheus failed',
      });
    }
    this.history.retain(seen);
    for (const k of this.forecasts.keys()) if (!seen.has(k)) this.forecasts.delete(k);
    for (const k of this.tunings.keys()) if (!seen.has(k)) this.tunings.delete(k);
    for (const k of this.said.keys()) if (!seen.has(k)) this.said.delete(k);
    try {
      this.state.flush();
    } catch (err) {
      errors.push({
        kind: 'internal',
        code: 'E_STATE',
        message: `could not save planner state: ${describeError(err)}`,
      });
    }
    return { at: now, durationMs: performance.now() - t0, services, errors };
  }

  private async planOne(
    actuator: Actuator,
    target: ScaleTarget,
    now: number,
    signal?: AbortSignal,
  ): Promise<ServiceReport> {
    const { spec, errors } = resolveSpec(target, this.deps.config);
    if (!spec) {
      return {
        ...base(target),
        status: 'skipped',
        message: `skipped: ${errors.join('; ')}`,
        problems: errors,
        errorCode: 'E_LABEL',
      };
    }
    const cycle = this.deps.config.cycle;
    let samples: Samples;
    try {
      samples = await this.history.get(target.key, spec.query, now, signal);
    } catch (err) {
      const code = isPrescaleError(err) ? err.code : 'E_UNEXPECTED';
      const why = describeError(err);
      return {
        ...base(target),
        spec,
        status: 'held',
        message: `holding ${target.replicas} replicas: no load history (${why}); retrying next cycle`,
        problems: [why],
        errorCode: code,
        decision: held(target, now, why),
      };
    }
    const problems: string[] = [];
    if (samples.timestamps.length === 0) {
      const why = `query ${spec.query} returned no samples in the last ${Math.round(cycle.history / 3600)} h`;
      return {
        ...base(target),
        spec,
        status: 'held',
        message: `holding ${target.replicas} replicas: ${why}`,
        problems: [why],
        errorCode: 'E_SOURCE_DATA',
        decision: held(target, now, why),
      };
    }
    // the grid is anchored on whole forecast steps (e.g. :00, :05, …) so that buckets, and the
    // forecast made from them, stay the same from one cycle to the next until a bucket completes
    const fstep = Math.max(FORECAST_STEP, cycle.step);
    const raw = toRegular(samples, cycle.step, Math.ceil(samples.timestamps[0] / fstep) * fstep);
    const gaps = countGaps(raw);
    const history: HistorySummary = {
      from: samples.timestamps[0],
      to: samples.timestamps[samples.timestamps.length - 1],
      points: samples.timestamps.length,
      gaps,
      step: cycle.step,
    };
    if (gaps) problems.push(`${gaps} of ${raw.values.length} samples missing in the history`);
    const lastAt = history.to;
    const stale = now - lastAt > Math.max(3 * cycle.step, 300);
    const observedLoad = stale ? Number.NaN : samples.values[samples.values.length - 1];
    if (stale) problems.push(`latest sample is ${Math.round(now - lastAt)} s old`);

    let forecast: Forecast | undefined;
    let series: RegularSeries | undefined;
    try {
      const step = fstep;
      // forecast on whole buckets only: the bucket still filling would read as a dip
      const complete = Math.floor((history.to + cycle.step - raw.start) / step) * step;
      const trimmed = { ...raw, values: raw.values.slice(0, Math.round(complete / cycle.step)) };
      series = step % cycle.step === 0 ? resample(trimmed, step) : trimmed;
      // the forecast only changes when a bucket completes: reuse it until then (the oldest
      // bucket leaving the window meanwhile changes nothing that matters)
      // the model is chosen and fitted once per refit interval (as `simulate` replays it) and
      // forecasts from the newest bucket in between
      const specKey = `${spec.query}|${spec.model}|${series.step}`;
      const end = series.start + series.values.length * series.step;
      const cached = this.forecasts.get(target.key);
      if (cached?.spec === specKey && cached.end === end) {
        forecast = cached.forecast;
      } else {
        const refit = !cached || cached.spec !== specKey || now - cached.fittedAt >= this.deps.config.cycle.refit;
        const prepared = refit
          ? prepareSeries(series, this.horizonSteps, { model: spec.model, extraModels: this.deps.extraModels })
          : cached.prepared;
        forecast = forecastFrom(prepared, series);
        this.forecasts.set(target.key, {
          spec: specKey,
          end,
          fittedAt: refit ? now : cached.fittedAt,
          prepared,
          forecast,
        });
      }
      problems.push(...forecast.notes.map((n) => n.message));
    } catch (err) {
      problems.push(`no forecast: ${describeError(err)}`);
    }
    const tuning = series && this.tuned(target, spec, series, now, problems);
    const policy = tuning ? { ...spec.policy, ...tuning.overrides } : spec.policy;
    const state = this.state.get(target.key) ?? initialPlannerState();
    const out = planReplicas({ now, currentReplicas: target.replicas, observedLoad, forecast }, policy, state);
    this.state.set(target.key, out.state);
    const decision = out.decision;
    let applied = false;
    const { minReplicas: min, maxReplicas: max } = spec.policy;
    const desired = decision.desiredReplicas;
    if (desired !== target.replicas && this.mayApply()) {
      if (!Number.isInteger(desired) || desired < min || desired > max) {
        // the planner clamps to [min, max]; this guard makes sure no bug or fault ever gets past it
        problems.push(`refused to apply ${desired} replicas: outside [${min}, ${max}]`);
      } else {
        try {
          await actuator.setReplicas(target, desired);
          applied = true;
        } catch (err) {
          if (isPrescaleError(err, 'E_NOT_FOUND')) {
            const why = `the service was removed while being planned: ${describeError(err)}`;
            return {
              ...base(target),
              spec,
              status: 'gone',
              message: `nothing applied: ${why}`,
              problems: [...problems, why],
              errorCode: 'E_NOT_FOUND',
              history,
              forecast,
              decision,
            };
          }
          problems.push(`could not apply ${desired} replicas: ${describeError(err)}`);
        }
      }
    }
    return {
      ...base(target),
      spec,
      status: 'planned',
      desiredReplicas: decision.desiredReplicas,
      applied,
      message: decision.message,
      history,
      observedLoad,
      forecast,
      decision,
      forecastError: out.state.forecastError,
      ...(tuning && { tuning }),
      problems,
    };
  }

  /**
   * The policy tuning in force for a service with `autoTune`: re-tuned when a day old or when
   * the spec changed, at most one service per cycle. A failed tuning keeps the last one.
   */
  private tuned(
    target: ScaleTarget,
    spec: ServiceSpec,
    series: RegularSeries,
    now: number,
    problems: string[],
  ): Tuning | undefined {
    if (!spec.policy.autoTune) return undefined;
    const key = JSON.stringify([spec.query, spec.model, spec.policy]);
    let entry = this.tunings.get(target.key);
    if (entry && entry.spec !== key) entry = undefined;
    if ((!entry || now - entry.triedAt >= TUNING.everySec) && !this.tunedThisCycle) {
      this.tunedThisCycle = true;
      const t0 = performance.now();
      try {
        // the replay uses the statistical forecasters only: replaying a loaded model (an LSTM)
        // step by step over a week takes tens of seconds on wasm, and the tuning blocks the cycle
        const model = modelNames().includes(spec.model) ? spec.model : 'auto';
        const tuning = tuneOnHistory(series, spec.policy, { forecast: { model } });
        entry = { spec: key, triedAt: now, tuning: tuning ?? entry?.tuning };
        if (tuning) {
          this.deps.logger.info(
            {
              service: target.key,
              ...tuning.overrides,
              days: +tuning.days.toFixed(2),
              objective: +tuning.score.objective.toFixed(4),
              configuredObjective: +tuning.configured.objective.toFixed(4),
              ms: Math.round(performance.now() - t0),
            },
            'policy tuned on the replay of the last week',
          );
        }
      } catch (err) {
        entry = { spec: key, triedAt: now, tuning: entry?.tuning };
        problems.push(`policy tuning failed, kept the last one: ${describeError(err)}`);
      }
      this.tunings.set(target.key, entry);
    }
    return entry?.tuning;
  }

  private mayApply(): boolean {
    return typeof this.deps.apply === 'function' ? this.deps.apply() : this.deps.apply;
  }

  /**
   * One line per service and cycle: info when planned; a warning naming the problem (e.g. the
   * invalid label and its value) when it is not, said once and again only when it changes.
   */
  private log(r: ServiceReport): void {
    const fields = {
      service: r.key,
      status: r.status,
      current: r.currentReplicas,
      desired: r.desiredReplicas,
      applied: r.applied,
      reason: r.decision?.reason,
    };
    if (r.status === 'planned') {
      if (this.said.delete(r.key)) this.deps.logger.info({ service: r.key }, 'planned again');
      // a change that could not be made is worth a warning; the forecaster's notes are not
      const failed = r.problems.some((p) => p.startsWith('could not apply') || p.startsWith('refused'));
      this.deps.logger[failed ? 'warn' : 'info'](
        r.problems.length ? { ...fields, problems: r.problems } : fields,
        r.message,
      );
      return;
    }
    const what = `${r.status}: ${r.problems.join('; ')}`;
    const repeat = this.said.get(r.key) === what;
    this.said.set(r.key, what);
    this.deps.logger[repeat ? 'debug' : 'warn']({ ...fields, problems: r.problems, code: r.errorCode }, r.message);
  }
}

function base(target: ScaleTarget) {
  return {
    key: target.key,
    kind: target.kind,
    name: target.name,
    ...(target.project !== undefined && { project: target.project }),
    currentReplicas: target.replicas,
    desiredReplicas: target.replicas,
    applied: false,
    problems: [] as string[],
  };
}

/** The decision when data is missing: keep what runs. */
function held(target: ScaleTarget, now: number, why: string): Decision {
  return {
    at: now,
    currentReplicas: target.replicas,
    desiredReplicas: target.replicas,
    reason: 'HoldOnError',
    reasons: ['HoldOnError'],
    message: `${target.replicas} → ${target.replicas} (HoldOnError): ${why}`,
    reactive: target.replicas,
    schedule: [],
  };
}
