import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { isSourceCode } from '../core/domain/errors.js';
import { APPLY_PROBLEMS, type CycleReport, type ServiceReport } from '../runtime/report.js';
import { PastForecasts, type ForecastFor } from './past-forecasts.js';

/** Error kinds counted by `prescale_errors_total` (a fixed set: labels stay bounded). */
export const ERROR_KINDS = ['source', 'engine', 'labels', 'forecast', 'apply', 'state', 'internal'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/**
 * The service's metrics on a registry of its own (never prom-client's global one), so that two
 * apps in one process, or tests, never share counters. Labels: service key (bounded by the
 * services labelled for prescale) and error kind (a fixed set).
 */
export class PrescaleMetrics {
  readonly registry = new Registry();
  private readonly p50 = new Gauge({
    name: 'prescale_forecast_p50',
    help: 'Forecast load (p50) for the time a replica asked for now is ready, per load metric',
    labelNames: ['service', 'metric'],
    registers: [this.registry],
  });
  private readonly p90 = new Gauge({
    name: 'prescale_forecast_p90',
    help: 'Forecast load (p90) for the time a replica asked for now is ready, per load metric',
    labelNames: ['service', 'metric'],
    registers: [this.registry],
  });
  private readonly p50Now = new Gauge({
    name: 'prescale_forecast_p50_for_now',
    help: 'Load (p50) that was forecast, one startup delay ago, for now: compare with prescale_observed_load',
    labelNames: ['service'],
    registers: [this.registry],
  });
  private readonly p90Now = new Gauge({
    name: 'prescale_forecast_p90_for_now',
    help: 'Load (p90) that was forecast, one startup delay ago, for now',
    labelNames: ['service'],
    registers: [this.registry],
  });
  private readonly load = new Gauge({
    name: 'prescale_observed_load',
    help: 'Load observed at the latest cycle (the newest sample of the service query)',
    labelNames: ['service'],
    registers: [this.registry],
  });
  /** 1 for the reason code of each service's latest decision; one series per service. */
  private readonly reason = new Gauge({
    name: 'prescale_decision_reason',
    help: 'Reason code of the latest decision (the series with value 1; one per service)',
    labelNames: ['service', 'reason'],
    registers: [this.registry],
  });
  private readonly decisions = new Counter({
    name: 'prescale_decisions_total',
    help: 'Decisions by reason code, over every service',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  private readonly desired = new Gauge({
    name: 'prescale_recommended_replicas',
    help: 'Replicas prescale recommends',
    labelNames: ['service'],
    registers: [this.registry],
  });
  private readonly current = new Gauge({
    name: 'prescale_current_replicas',
    help: 'Replicas the engine runs',
    labelNames: ['service'],
    registers: [this.registry],
  });
  private readonly error = new Gauge({
    name: 'prescale_forecast_error',
    help: 'Recent relative forecast error (0 = perfect), per load metric',
    labelNames: ['service', 'metric'],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'prescale_cycle_duration_seconds',
    help: 'Duration of one planning cycle',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: 'prescale_errors_total',
    help: 'Errors by kind',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  private readonly actions = new Counter({
    name: 'prescale_scale_actions_total',
    help: 'Scale actions sent to the engine',
    labelNames: ['service', 'direction'],
    registers: [this.registry],
  });
  /** 1 while --apply was asked for but another instance holds the leader lock (recommending only). */
  readonly passive = new Gauge({
    name: 'prescale_passive',
    help: '1 while another prescale instance holds the leader lock and this one only recommends',
    registers: [this.registry],
  });
  /** Re-discoveries asked for by engine events, by what they found. */
  readonly rediscoveries = new Counter({
    name: 'prescale_rediscoveries_total',
    help: 'Re-discoveries after engine events: changed (a cycle was run), unchanged, failed, resync (events missed)',
    labelNames: ['result'],
    registers: [this.registry],
  });
  private readonly dropped = new Counter({
    name: 'prescale_samples_dropped_total',
    help: 'Samples left out where they entered: not finite numbers, or absurdly large',
    labelNames: ['service'],
    registers: [this.registry],
  });
  readonly skippedCycles = new Counter({
    name: 'prescale_cycles_skipped_total',
    help: 'Cycles not started because the previous one was still running',
    registers: [this.registry],
  });

  readonly stateSaveFailures = new Counter({
    name: 'prescale_state_save_failures_total',
    help: 'Cycles whose planner state could not be saved (see the log and /readyz for the path and error)',
    registers: [this.registry],
  });

  readonly historyUnreadable = new Counter({
    name: 'prescale_history_store_unreadable_total',
    help: 'Stored history files that could not be read or were not stored history (logged with the path; ignored)',
    registers: [this.registry],
  });

  /** Services reported, with the load metrics of each (`''`: the one of a plain query). */
  private readonly known = new Map<string, Set<string>>();
  private readonly reasons = new Map<string, string>();
  private readonly pastForecasts = new PastForecasts();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'prescale_' });
    for (const kind of ERROR_KINDS) this.errors.inc({ kind }, 0);
    for (const result of ['changed', 'unchanged', 'failed', 'resync']) this.rediscoveries.inc({ result }, 0);
  }

  /**
   * The forecast gauges of a service, one series per load metric: `metric` is the metric's name,
   * absent for a service with one plain query (`''` in `known`).
   * Bounded by the services and METRIC_LIMITS.perService; a metric no longer reported is removed.
   */
  private observeMetrics(at: number, s: ServiceReport): void {
    const service = s.key;
    const errors = new Map((s.decision?.metrics ?? []).map((m) => [m.name, m.forecastError]));
    const now = s.metrics
      ? s.metrics.map((m) => ({ metric: m.name, forecast: m.forecast, error: errors.get(m.name) }))
      : [{ metric: '', forecast: s.forecast, error: s.forecastError }];
    const names = new Set(now.map((m) => m.metric));
    const before = this.known.get(service);
    if (before)
      this.forget(
        service,
        [...before].filter((m) => !names.has(m)),
      );
    this.known.set(service, names);
    for (const { metric, forecast, error } of now) {
      const labels = seriesLabels(service, metric);
      if (error !== undefined) this.error.set(labels, error);
      const f = forecastAt(at, s, forecast);
      if (f) {
        this.p50.set(labels, f.p50);
        this.p90.set(labels, f.p90);
      }
    }
  }

  private forget(service: string, metrics: Iterable<string>): void {
    for (const metric of metrics) {
      for (const g of [this.p50, this.p90, this.error]) g.remove(seriesLabels(service, metric));
    }
  }

  /** Records a finished cycle. */
  observe(report: CycleReport): void {
    this.observeCycle(report);
    for (const s of report.services) this.observeService(report.at, s);
  }

  /** The cycle's own figures, and the services gone since the last one (observe's first half). */
  observeCycle(report: CycleReport): void {
    this.duration.observe(report.durationMs / 1000);
    // a failing source is counted once per service it holds, in observeService
    for (const e of report.errors) if (e.kind !== 'source') this.errors.inc({ kind: e.kind });
    if (report.errors.some((e) => e.code === 'E_STATE')) this.stateSaveFailures.inc();
    // services that are gone stop being reported (their series would otherwise linger)
    const live = new Set(report.services.map((s) => s.key));
    for (const [service, metrics] of this.known) {
      if (live.has(service)) continue;
      for (const g of this.perService) g.remove({ service });
      this.forget(service, metrics);
      this.forgetReason(service);
      this.pastForecasts.delete(service);
      this.known.delete(service);
    }
  }

  /** One service of the cycle at `at` (observe's second half, service by service). */
  observeService(at: number, s: ServiceReport): void {
    const service = s.key;
    this.current.set({ service }, s.currentReplicas);
    this.desired.set({ service }, s.desiredReplicas);
    this.observeMetrics(at, s);
    this.observePlan(s, at);
    for (const kind of errorKinds(s)) this.errors.inc({ kind });
    if (s.droppedSamples) this.dropped.inc({ service }, s.droppedSamples);
    if (s.applied) this.actions.inc({ service, direction: s.desiredReplicas > s.currentReplicas ? 'up' : 'down' });
  }

  private get perService() {
    // the forecast gauges carry a metric label too: removed by forget()
    return [this.p50Now, this.p90Now, this.load, this.desired, this.current, this.dropped];
  }

  /**
   * The load, the decision's reason, the forecast for when a replica asked for now is ready, and
   * the one made that long ago for now.
   */
  private observePlan(s: ServiceReport, at: number): void {
    const service = s.key;
    if (s.observedLoad !== undefined && Number.isFinite(s.observedLoad)) this.load.set({ service }, s.observedLoad);
    if (s.decision) this.setReason(service, s.decision.reason);
    // with several metrics, the one that set the replicas (the top-level forecast)
    const next = forecastAt(at, s, s.forecast);
    const made: ForecastFor | undefined = next && { forTime: at + (s.spec?.policy.startupDelaySec ?? 0), ...next };
    const due = this.pastForecasts.next(service, at, made);
    if (due) {
      this.p50Now.set({ service }, due.p50);
      this.p90Now.set({ service }, due.p90);
    }
  }

  private setReason(service: string, reason: string): void {
    this.decisions.inc({ reason });
    if (this.reasons.get(service) !== reason) this.forgetReason(service);
    this.reasons.set(service, reason);
    this.reason.set({ service, reason }, 1);
  }

  private forgetReason(service: string): void {
    const old = this.reasons.get(service);
    if (old !== undefined) this.reason.remove({ service, reason: old });
    this.reasons.delete(service);
  }
}

/** A plain query's series has no `metric` label: the same series as before metrics had names. */
function seriesLabels(service: string, metric: string): Record<string, string> {
  return metric === '' ? { service } : { service, metric };
}

/** The forecast of each load metric at the time a replica asked for now is ready. */
function forecastAt(at: number, s: ServiceReport, f: ServiceReport['forecast']) {
  if (!f || !f.p50.length) return undefined;
  const delay = s.spec?.policy.startupDelaySec ?? 0;
  const i = Math.min(f.p50.length - 1, Math.max(0, Math.floor((at + delay - f.start) / f.step)));
  return { p50: f.p50[i], p90: f.p90[i] };
}

/** The error kinds one service report counts, from its status and codes only. */
export function errorKinds(s: ServiceReport): ErrorKind[] {
  const kinds: ErrorKind[] = [];
  if (isSourceCode(s.errorCode)) kinds.push('source');
  else if (s.status === 'skipped') kinds.push('labels');
  else if (s.status === 'failed') kinds.push('internal');
  if (s.problems.some((p) => APPLY_PROBLEMS.has(p.code))) kinds.push('apply');
  if (s.problems.some((p) => p.code === 'ForecastFailed')) kinds.push('forecast');
  return kinds;
}
