import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app.js';
import { DryRunActuator } from '../actuator/dry-run.js';
import type { Actuator } from '../actuator/port.js';
import type { MetricsSource } from '../collector/port.js';
import type { PrescaleConfig } from '../config/schema.js';
import { PrescaleError, describeError } from '../domain/errors.js';
import type { Clock } from '../domain/clock.js';
import type { Logger } from '../observability/logger.js';
import { PrescaleMetrics } from '../observability/metrics.js';
import { Reconciler, type CycleReport, type ServiceReport } from '../reconcile/cycle.js';
import { CycleScheduler } from '../reconcile/scheduler.js';
import type { StateStore } from '../reconcile/state.js';

/** Everything the long-running service is made of, injected by `serve`. */
export interface ServiceDeps {
  readonly source: MetricsSource;
  /** The real actuators; wrapped in dry-run for the cycle unless `apply`. */
  readonly actuators: readonly Actuator[];
  readonly config: PrescaleConfig;
  readonly apply: boolean;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly state?: StateStore;
  readonly apiToken?: string;
  /** Facts shown by GET /v1/status (mode, data source, forecasting backend). */
  readonly info?: Record<string, unknown>;
}

/**
 * The service: the planning cycle on a cron schedule (never two at once), the API and the
 * metrics over the latest decision records.
 */
export class PrescaleService {
  readonly metrics = new PrescaleMetrics();
  private readonly reconciler: Reconciler;
  private readonly scheduler: CycleScheduler;
  private last?: CycleReport;
  private app?: FastifyInstance;

  constructor(private readonly deps: ServiceDeps) {
    const actuators = deps.apply
      ? deps.actuators
      : deps.actuators.map((a) => new DryRunActuator(a, deps.logger.child({ component: 'dry-run' })));
    this.reconciler = new Reconciler({
      source: deps.source,
      actuators,
      config: deps.config,
      apply: deps.apply,
      logger: deps.logger,
      state: deps.state,
    });
    this.scheduler = new CycleScheduler(
      deps.config.cycle.schedule,
      async () => void (await this.cycle()),
      deps.logger,
      () => this.metrics.skippedCycles.inc(),
    );
  }

  /** Runs one cycle now and publishes its records. */
  async cycle(): Promise<CycleReport> {
    const report = await this.reconciler.runOnce(this.deps.clock.now());
    this.last = report;
    this.metrics.observe(report);
    const slow = report.durationMs > 30_000;
    this.deps.logger[slow ? 'warn' : 'info'](
      { services: report.services.length, errors: report.errors.length, ms: Math.round(report.durationMs) },
      slow ? 'slow cycle' : 'cycle done',
    );
    return report;
  }

  /** The latest records. */
  services(): readonly ServiceReport[] {
    return this.last?.services ?? [];
  }

  /** Builds the API (not listening). */
  async api(): Promise<FastifyInstance> {
    this.app ??= await buildApp({
      services: () => this.services(),
      notReady: () => (this.last ? undefined : 'the first planning cycle has not finished yet'),
      apply: (key) => this.applyNow(key),
      metrics: this.metrics,
      apiToken: this.deps.apiToken,
      info: () => ({ mode: this.deps.apply ? 'apply' : 'recommend', lastCycleAt: this.last?.at, ...this.deps.info }),
    });
    return this.app;
  }

  /** Applies the latest recommendation of one service through the real actuator. */
  private async applyNow(key: string): Promise<ServiceReport> {
    const rec = this.services().find((s) => s.key === key);
    if (!rec) throw new PrescaleError('E_NOT_FOUND', `no service ${key}`);
    if (rec.status !== 'planned') return rec;
    const actuator = this.deps.actuators.find((a) => a.kind === rec.kind);
    const target = (await actuator?.discover())?.find((t) => t.key === key);
    if (!actuator || !target) throw new PrescaleError('E_NOT_FOUND', `service ${key} is gone`);
    await actuator.setReplicas(target, rec.desiredReplicas);
    this.deps.logger.info({ service: key, from: target.replicas, to: rec.desiredReplicas }, 'applied through the API');
    return { ...rec, currentReplicas: rec.desiredReplicas, applied: true };
  }

  /** Starts the schedule and the API on `port` (0: any free port). Returns the API's address. */
  async start(port: number, host = '0.0.0.0'): Promise<string> {
    const app = await this.api();
    const address = await app.listen({ port, host });
    this.scheduler.start();
    return address;
  }

  /** Finishes the running cycle, stops the schedule and the API. */
  async stop(): Promise<void> {
    await this.scheduler.stop();
    try {
      this.deps.state?.flush();
    } catch (err) {
      this.deps.logger.error({ err: describeError(err) }, 'could not save planner state');
    }
    await this.app?.close();
  }
}
