import pLimit from 'p-limit';
import type { Actuator } from '../adapters/engines/port.js';
import type { MetricsSource } from '../adapters/sources/port.js';
import { PrescaleError, describeError, isPrescaleError, isSourceCode } from '../core/domain/errors.js';
import type { ScaleTarget } from '../core/domain/target.js';
import type { ForecastModel } from '../core/forecast/forecaster.js';
import { DEFAULT_CYCLE } from '../config/defaults.js';
import { resolveSpec, type ServiceSpec } from '../config/service-spec.js';
import type { PrescaleConfig } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import { CycleLog } from './cycle-log.js';
import { HistoryCache } from './history.js';
import type { HistoryStore } from './history-store.js';
import { guardedApply } from './plan/apply.js';
import { forecastStep } from './plan/buckets.js';
import { ForecastCache, localForecasts, type ForecastRunner, type Refits } from './plan/forecasts.js';
import {
  forecastErrorOf,
  historyStep,
  planStep,
  predictStep,
  resolveStep,
  seriesKeysOf,
  type PlanContext,
  type Planned,
  type Predicted,
} from './plan/service.js';
import { TuningCache, type TuneRunner } from './plan/tunings.js';
import { baseReport, heldReport, type CycleError, type CycleReport, type ServiceReport } from './report.js';
import { MemoryStateStore, type StateStore } from './state.js';
import { MemoryMaskStore, type MaskStore } from './masks.js';
import { boundsInForce } from './plan/bounds.js';
import { scheduleIntervalSec } from './scheduler.js';
import { Slices } from './slices.js';

export type { CycleReport, ServiceReport, HistorySummary } from './report.js';
export { FORECAST_STEP } from './plan/buckets.js';

/** Bounds on a cycle's concurrent work (config: `cycle.fetchConcurrency` and the others). */
export interface CycleLimits {
  /** Services whose history is being fetched at once (Prometheus requests in flight). */
  readonly fetchConcurrency: number;
  /** Changes sent to the engines at once. */
  readonly applyConcurrency: number;
  /** Forecasts handed to the worker pool at once. */
  readonly cpuTasks: number;
  /** Longest a service's history fetch, then its forecast, may take before it is held, ms. */
  readonly serviceDeadlineMs: number;
}

/** Defaults of the cycle's bounds on concurrent work. */
export const CYCLE_LIMITS: CycleLimits = Object.freeze({
  fetchConcurrency: DEFAULT_CYCLE.fetchConcurrency,
  applyConcurrency: DEFAULT_CYCLE.applyConcurrency,
  cpuTasks: DEFAULT_CYCLE.cpuTasks,
  serviceDeadlineMs: DEFAULT_CYCLE.serviceDeadlineSec * 1000,
});

/** Where the CPU work runs when not in this thread (src/runtime/workers/pool.ts). */
export interface CpuWork {
  readonly tune: TuneRunner;
  forecasts(horizonSteps: number, refits: Refits): ForecastRunner;
}

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
  /**
   * Models loaded at start-up (e.g. a trained LSTM), for services that name them in
   * `prescale.model`; not offered to `auto`.
   */
  readonly extraModels?: readonly ForecastModel[];
  /** Told what each cycle discovered (and which actuators failed to), e.g. to notice changes. */
  readonly onDiscovered?: (targets: readonly ScaleTarget[], failed: readonly string[]) => void;
  /** Where the daily policy tuning runs (default: `cpu`, else this thread). */
  readonly tune?: TuneRunner;
  /**
   * Worker threads for forecasts and tunings (default: this thread, one service after another).
   * Trained models are then loaded by the workers; `extraModels` serves this thread only.
   */
  readonly cpu?: CpuWork;
  /** Bounds on concurrent work (defaults: the config's `cycle` section). */
  readonly limits?: Partial<CycleLimits>;
  /** Event masks added at run time (default: none, in memory). */
  readonly masks?: MaskStore;
  /** Where bucketed history outlives the source's retention and restarts (default: none). */
  readonly historyStore?: HistoryStore;
}

/** A discovered target and the engine it came from. */
interface Found {
  readonly actuator: Actuator;
  readonly target: ScaleTarget;
}

/**
 * One reconcile cycle over all services: discover → resolve labels → history → forecast → plan
 * → apply. Histories are fetched concurrently, each within its own deadline, so that one slow
 * query delays no other service; forecasting and planning run in discovery order, so the report
 * is the same as a one-by-one cycle's. A failing service never stops the others; a failing
 * engine or source holds its services at their current replicas and says so. Time is the `now`
 * passed in.
 */
export class Reconciler {
  private readonly ctx: PlanContext;
  private readonly history: HistoryCache;
  private readonly forecasts: ForecastRunner;
  private readonly tunings: TuningCache;
  private readonly log: CycleLog;
  private readonly limits: CycleLimits;
  /** What each actuator discovered last: held and reported while its engine cannot be reached. */
  private readonly lastFound = new Map<Actuator, ScaleTarget[]>();

  constructor(private readonly deps: CycleDeps) {
    const c = deps.config.cycle;
    this.limits = {
      fetchConcurrency: c.fetchConcurrency,
      applyConcurrency: c.applyConcurrency,
      cpuTasks: c.cpuTasks,
      serviceDeadlineMs: c.serviceDeadline * 1000,
      ...deps.limits,
    };
    this.history = new HistoryCache(deps.source, c.history, c.step, {
      store: deps.historyStore,
      logger: deps.logger.child({ component: 'history' }),
    });
    const horizonSteps = Math.max(1, Math.ceil(c.horizon / forecastStep(c.step)));
    const refits = { refitSec: c.refit, backtestFitSec: c.backtestFit };
    this.forecasts = deps.cpu
      ? deps.cpu.forecasts(horizonSteps, refits)
      : localForecasts(new ForecastCache(horizonSteps, refits, deps.extraModels));
    this.tunings = new TuningCache(deps.tune ?? deps.cpu?.tune);
    this.log = new CycleLog(deps.logger);
    this.ctx = {
      config: deps.config,
      history: this.history,
      forecasts: this.forecasts,
      tunings: this.tunings,
      state: deps.state ?? new MemoryStateStore(),
      masks: deps.masks ?? new MemoryMaskStore(),
      intervalSec: scheduleIntervalSec(c.schedule),
      logger: deps.logger,
    };
  }

  /** Runs one cycle at `now` (unix seconds). Never throws; `signal` aborts in-flight I/O. */
  async runOnce(now: number, signal: AbortSignal = new AbortController().signal): Promise<CycleReport> {
    const t0 = performance.now();
    this.tunings.beginCycle();
    const { found, held, errors, failed } = await this.discover(now);
    this.deps.onDiscovered?.(
      found.map((f) => f.target),
      failed,
    );
    const slices = new Slices();
    const planned = await this.planAll(found, now, signal, slices);
    const services = [...held, ...planned];
    for (const r of planned) {
      await slices.pass();
      this.log.service(r);
    }
    const source = planned.find((s) => isSourceCode(s.errorCode));
    if (source) {
      errors.push({
        kind: 'source',
        code: source.errorCode as string,
        message: source.problems[0]?.message ?? 'the metrics source failed',
      });
    }
    const seen = new Set(services.map((s) => s.key));
    const series = seriesKeysOf(services);
    this.history.retain(seen);
    this.forecasts.retain(series);
    this.tunings.retain(seen);
    this.log.retain(seen);
    this.history.persist(now);
    try {
      this.ctx.state.flush();
    } catch (err) {
      errors.push({ kind: 'state', code: 'E_STATE', message: `could not save planner state: ${describeError(err)}` });
    }
    return { at: now, durationMs: performance.now() - t0, services, errors };
  }

  /** Writes every series' new buckets to the history store now (at shutdown); never throws. */
  saveHistory(now: number): void {
    this.history.persist(now, true);
  }

  /** Every engine's services; an engine that fails holds what it listed last. */
  private async discover(now: number) {
    const found: Found[] = [];
    const held: ServiceReport[] = [];
    const errors: CycleError[] = [];
    const failed: string[] = [];
    const results = await Promise.allSettled(this.deps.actuators.map((a) => a.discover()));
    this.deps.actuators.forEach((actuator, i) => {
      const result = results[i];
      if (result.status === 'fulfilled') {
        this.lastFound.set(actuator, result.value);
        for (const target of result.value) found.push({ actuator, target });
        return;
      }
      const err: unknown = result.reason;
      const code = isPrescaleError(err) ? err.code : 'E_UNEXPECTED';
      const why = describeError(err);
      errors.push({
        kind: 'engine',
        adapter: actuator.kind,
        code,
        message: `${actuator.kind} discovery failed: ${why}`,
      });
      this.deps.logger.debug({ engine: actuator.kind, code, err: why }, 'discovery failed; nothing changed');
      failed.push(actuator.kind);
      // the services seen last are still there as far as anyone knows: listed as held, untouched
      for (const target of this.lastFound.get(actuator) ?? []) {
        held.push(
          heldReport(target, now, { code: 'DiscoveryFailed', message: why }, code, {
            message: `holding ${target.replicas} replicas: ${actuator.kind} discovery failed (${why}); retrying next cycle`,
          }),
        );
      }
    });
    return { found, held, errors, failed };
  }

  /**
   * Plans every target: histories and forecasts concurrently (forecasts in the worker pool when
   * there is one), tunings and plans in discovery order, changes concurrently.
   */
  private async planAll(
    found: readonly Found[],
    now: number,
    signal: AbortSignal,
    slices: Slices,
  ): Promise<ServiceReport[]> {
    const fetchLimit = pLimit(this.limits.fetchConcurrency);
    // in this thread a forecast holds the event loop: one at a time, between API requests
    const cpuLimit = pLimit(this.deps.cpu ? this.limits.cpuTasks : 1);
    type Step = { report: ServiceReport } | { spec: ServiceSpec; predicted?: Predicted };
    const start = ({ target }: Found): Promise<Step> => {
      const resolved = resolveStep(target, this.deps.config, { now, intervalSec: this.ctx.intervalSec });
      if ('report' in resolved) return Promise.resolve(resolved);
      const { spec } = resolved;
      const history = fetchLimit(() => this.fetch(target, spec, now, signal));
      return history.then((r): Step | Promise<Step> => {
        if ('report' in r || signal.aborted) return 'report' in r ? r : { spec };
        return cpuLimit(async () => {
          // the buckets (and, in this thread, the forecast) run between API requests
          await new Promise<void>((resolve) => setImmediate(resolve));
          const deadline = this.limits.serviceDeadlineMs;
          return { spec, predicted: await predictStep(this.ctx, target, spec, r, now, deadline) };
        });
      });
    };
    // the labels of 1,000 services are parsed in slices, each service's fetch started at once
    const predicted: Array<Promise<Step>> = [];
    for (const f of found) {
      await slices.pass();
      const p = start(f);
      // awaited in order below; a rejection before then is not unhandled
      p.catch(() => undefined);
      predicted.push(p);
    }
    const plans: Array<Planned | ServiceReport> = [];
    for (let i = 0; i < found.length; i++) {
      const { target } = found[i];
      // what is predicted already is planned in one go: in slices, between API requests
      await slices.pass();
      const step = await predicted[i].catch((err: unknown) => ({ report: failedReport(target, err) }));
      if (signal.aborted) {
        const problem = { code: 'Interrupted' as const, message: 'prescale is stopping' };
        plans.push('report' in step ? step.report : heldReport(target, now, problem, undefined, { spec: step.spec }));
        continue;
      }
      if ('report' in step) {
        plans.push(step.report);
        continue;
      }
      if (!step.predicted) throw new Error('unreachable: a history fetched before the stop is predicted');
      plans.push(
        await planStep(this.ctx, target, step.spec, step.predicted, now).catch((err) => failedReport(target, err)),
      );
    }
    const applyLimit = pLimit(this.limits.applyConcurrency);
    return Promise.all(
      plans.map((p, i) =>
        'status' in p
          ? Promise.resolve(p)
          : applyLimit(async () => {
              await slices.pass();
              return this.finish(found[i], p, signal);
            }),
      ),
    );
  }

  /** One service's history, within its deadline. */
  private async fetch(target: ScaleTarget, spec: ServiceSpec, now: number, signal: AbortSignal) {
    // a timer of our own, not AbortSignal.timeout: that one does not keep the process alive,
    // and a one-shot run would exit with the query still pending
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.limits.serviceDeadlineMs);
    try {
      const r = await historyStep(this.ctx, target, spec, now, signal, deadline.signal);
      return 'report' in r ? r : { spec, fetched: r.fetched, metrics: r.metrics };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends the planned change (when allowed) and writes the report. */
  private async finish({ actuator, target }: Found, p: Planned, signal: AbortSignal): Promise<ServiceReport> {
    const decision = p.out.decision;
    // nothing is changed once the instance is stopping (it may be losing the lease)
    const allowed = () => !signal.aborted && this.mayApply();
    const outcome = await guardedApply(actuator, target, decision.desiredReplicas, p.bounds, allowed);
    const problems = outcome.problem ? [...p.problems, outcome.problem] : p.problems;
    const common = { spec: p.spec, history: p.history, forecast: p.forecast, decision };
    if (!outcome.applied && outcome.gone) {
      return {
        ...baseReport(target),
        ...common,
        status: 'gone',
        message: `nothing applied: ${outcome.problem?.message}`,
        problems,
        errorCode: 'E_NOT_FOUND',
      };
    }
    return {
      ...baseReport(target),
      ...common,
      status: 'planned',
      desiredReplicas: decision.desiredReplicas,
      applied: outcome.applied,
      message: decision.message,
      observedLoad: p.observedLoad,
      recentLoad: p.recentLoad,
      ...(p.droppedSamples && { droppedSamples: p.droppedSamples }),
      forecastError: forecastErrorOf(p.out),
      ...(p.metrics && { metrics: p.metrics }),
      ...(p.tuning && { tuning: p.tuning }),
      ...(p.bounds.windows.active.length && { windows: p.bounds.windows }),
      problems,
    };
  }

  /**
   * Applies `desired` replicas to one service now, through the same guard as the cycle: the
   * service is discovered afresh and its spec re-resolved from the labels it has now, the number
   * clamped to that spec's [min, max], and `apply` asked right before the change.
   */
  async applyNow(
    key: string,
    desired: number,
    now: number,
  ): Promise<{ target: ScaleTarget; replicas: number; applied: boolean }> {
    for (const actuator of this.deps.actuators) {
      const target = (await actuator.discover()).find((t) => t.key === key);
      if (!target) continue;
      const { spec, errors } = resolveSpec(target, this.deps.config);
      if (!spec) throw new PrescaleError('E_LABEL', `${key}: ${errors.join('; ')}`);
      // the scheduled windows in force now bound it as they bound the cycle
      const bounds = boundsInForce(spec, spec.policy, now, this.ctx.intervalSec);
      const { minReplicas: min, maxReplicas: max } = bounds;
      const replicas = Math.min(max, Math.max(min, desired));
      const outcome = await guardedApply(actuator, target, replicas, bounds, () => this.mayApply());
      if (!outcome.applied && outcome.gone) throw new PrescaleError('E_NOT_FOUND', `service ${key} is gone`);
      if (outcome.problem) throw new PrescaleError('E_ENGINE', outcome.problem.message);
      return { target, replicas, applied: outcome.applied };
    }
    throw new PrescaleError('E_NOT_FOUND', `service ${key} is gone`);
  }

  private mayApply(): boolean {
    return typeof this.deps.apply === 'function' ? this.deps.apply() : this.deps.apply;
  }
}

/** Planning broke in an unexpected way: replicas kept, the error said. */
function failedReport(target: ScaleTarget, err: unknown): ServiceReport {
  const message = describeError(err);
  return {
    ...baseReport(target),
    status: 'failed',
    message: `planning failed, replicas kept: ${message}`,
    problems: [{ code: 'PlanningFailed', message }],
    errorCode: isPrescaleError(err) ? err.code : 'E_UNEXPECTED',
  };
}
