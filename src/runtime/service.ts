import type { ForecastModel } from '../core/forecast/contract.js';
import { setTimeout as delay } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app.js';
import { DryRunActuator } from './dry-run.js';
import type { Actuator, EngineWatch, ScaleTarget } from '../adapters/engines/port.js';
import type { MetricsSource } from '../adapters/sources/port.js';
import type { PrescaleConfig } from '../config/schema.js';
import { PrescaleError, describeError } from '../core/domain/errors.js';
import type { Clock } from '../core/domain/clock.js';
import type { Logger } from '../observability/logger.js';
import { PrescaleMetrics } from '../observability/metrics.js';
import { Reconciler, type CycleReport, type ServiceReport } from './cycle.js';
import type { CycleError } from './report.js';
import { readiness } from './readiness.js';
import { CycleScheduler, scheduleIntervalSec } from './scheduler.js';
import type { HistoryStore } from './history-store.js';
import type { StateStore } from './state.js';
import { MemoryMaskStore, type MaskStore } from './masks.js';
import { LeaderLock, type LeaseStore } from './leader.js';
import { Rediscovery, fingerprint } from './rediscovery.js';
import { CpuPool, DEFAULT_CPU_THREADS } from './workers/pool.js';
import { DecisionTrail } from './trail.js';
import { Slices } from './slices.js';

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
  /** Event masks added through the API (default: in memory). */
  readonly masks?: MaskStore;
  /** Where bucketed history outlives the source's retention and restarts. */
  readonly historyStore?: HistoryStore;
  readonly apiToken?: string;
  /** Facts shown by GET /v1/status (mode, data source, forecasting backend). */
  readonly info?: Record<string, unknown>;
  /**
   * With `apply`: where the leader lease lives. Only the instance holding it applies; the others
   * recommend (`passive`). Without a store this instance always applies.
   */
  readonly leaseStore?: LeaseStore;
  /** Lease lifetime, seconds (default 30): how long a crashed holder blocks the others. */
  readonly lockTtlSec?: number;
  /** Engine changes: each one re-discovers, and a change of services or labels plans at once. */
  readonly watch?: EngineWatch;
  /** Trained models (e.g. `lstm:web` from models/web), usable through `prescale.model`. */
  readonly extraModels?: readonly ForecastModel[];
  /**
   * Worker threads for forecasts and the daily policy tuning (default: `cycle.cpuThreads` of the
   * config, else one per core; 0: all in the main thread).
   */
  readonly cpuThreads?: number;
  /** Where the workers load trained models from (the `--models` folder). */
  readonly modelsDir?: string;
}

/** Longest wait for the leader lock at start and stop; an engine that does not answer is not waited for. */
const LOCK_WAIT_MS = 5000;
/** Longest wait to release the lease at stop: SIGTERM must end within a few seconds. */
const RELEASE_WAIT_MS = 2000;

function sleep(ms: number): Promise<void> {
  return delay(ms, undefined, { ref: false });
}

/** What is said when an engine, the source or the state store starts failing. */
const FAILING: Readonly<Record<CycleError['kind'], string>> = {
  engine: 'discovery failed; nothing changed',
  source: 'the metrics source fails: its services are held',
  state: 'could not save planner state',
  internal: 'the cycle failed',
};

/** What the instance does with its plans. */
export type ServiceMode = 'apply' | 'passive' | 'recommend';

/**
 * The service: the planning cycle on a cron schedule (never two at once) and at once when engine
 * events show services appearing, changing labels or going; the API and the metrics over the
 * latest decision records. With `apply`, only the holder of the leader lock applies.
 */
export class PrescaleService {
  readonly metrics = new PrescaleMetrics();
  /** Recent decisions and replicas of every service, for the web page. */
  readonly trail = new DecisionTrail();
  private readonly reconciler: Reconciler;
  private readonly scheduler: CycleScheduler;
  private readonly rediscovery: Rediscovery;
  /** The leader lock, when applying with a lease store. */
  readonly lock?: LeaderLock;
  private last?: CycleReport;
  /** Wall-clock end of the last cycle: the schedule runs in real time, whatever the planning clock. */
  private lastEndedAt?: number;
  private readonly cycleIntervalSec: number;
  private app?: FastifyInstance;
  /** Aborted by stop(): in-flight queries end at once instead of at their timeouts. */
  private readonly stopping = new AbortController();
  /** Cycle errors being reported, by kind and adapter: said when they start or change. */
  private readonly failing = new Map<string, string>();
  /** Forecasts and tunings run here, off the thread that answers the API and the probes. */
  private readonly cpu?: CpuPool;
  private readonly masks: MaskStore;

  constructor(private readonly deps: ServiceDeps) {
    this.masks = deps.masks ?? new MemoryMaskStore();
    const actuators = deps.apply
      ? deps.actuators
      : deps.actuators.map((a) => new DryRunActuator(a, deps.logger.child({ component: 'dry-run' })));
    if (deps.apply && deps.leaseStore) {
      this.lock = new LeaderLock(deps.leaseStore, {
        ttlSec: deps.lockTtlSec,
        logger: deps.logger.child({ component: 'lock' }),
        onChange: (leader) => this.onLeadership(leader),
      });
    }
    this.metrics.passive.set(this.mode() === 'passive' ? 1 : 0);
    this.rediscovery = new Rediscovery({
      discover: () => this.discoverAll(),
      onChanged: () => void this.scheduler.trigger(),
      onResult: (result) => this.metrics.rediscoveries.inc({ result }),
      logger: deps.logger.child({ component: 'events' }),
    });
    this.cycleIntervalSec = scheduleIntervalSec(deps.config.cycle.schedule);
    const threads = deps.cpuThreads ?? deps.config.cycle.cpuThreads ?? DEFAULT_CPU_THREADS;
    this.cpu = threads > 0 ? new CpuPool(threads, deps.modelsDir) : undefined;
    deps.historyStore?.onUnreadable?.(() => this.metrics.historyUnreadable.inc());
    this.reconciler = new Reconciler({
      cpu: this.cpu,
      source: deps.source,
      actuators,
      config: deps.config,
      // asked before every change: an instance that loses the lock mid-cycle stops at once
      apply: deps.apply ? () => this.mode() === 'apply' : false,
      logger: deps.logger,
      state: deps.state,
      masks: this.masks,
      historyStore: deps.historyStore,
      extraModels: deps.extraModels,
      onDiscovered: (targets, failed) => this.rediscovery.setBaseline(fingerprint(targets, failed)),
    });
    this.scheduler = new CycleScheduler(
      deps.config.cycle.schedule,
      async () => void (await this.cycle()),
      deps.logger,
      () => this.metrics.skippedCycles.inc(),
    );
  }

  /** apply: plans are applied; passive: --apply, but another instance holds the lock; recommend. */
  mode(): ServiceMode {
    if (!this.deps.apply) return 'recommend';
    return !this.lock || this.lock.isLeader() ? 'apply' : 'passive';
  }

  /** Runs one cycle now and publishes its records. */
  async cycle(): Promise<CycleReport> {
    const mode = this.mode();
    const report = await this.reconciler.runOnce(this.deps.clock.now(), this.stopping.signal);
    this.last = report;
    this.lastEndedAt = Date.now() / 1000;
    // service by service, in slices: with 1,000 services one go would hold the API for long
    const slices = new Slices();
    this.metrics.observeCycle(report);
    for (const s of report.services) {
      await slices.pass();
      this.trail.recordService(report.at, s);
      this.metrics.observeService(report.at, s);
    }
    this.trail.retain(new Set(report.services.map((s) => s.key)));
    this.metrics.passive.set(this.mode() === 'passive' ? 1 : 0);
    const slow = report.durationMs > 30_000;
    this.deps.logger[slow ? 'warn' : 'info'](
      { services: report.services.length, errors: report.errors.length, ms: Math.round(report.durationMs), mode },
      slow ? 'slow cycle' : 'cycle done',
    );
    this.sayErrors(report);
    return report;
  }

  /**
   * A failing engine, source or state store is logged with its cause when it starts failing or
   * its cause changes, and when it recovers; not again every cycle while it stays the same.
   */
  private sayErrors(report: CycleReport): void {
    const now = new Map(report.errors.map((e) => [`${e.kind}/${e.adapter ?? ''}`, e]));
    for (const [key, e] of now) {
      if (this.failing.get(key) === e.message) continue;
      this.failing.set(key, e.message);
      this.deps.logger.error({ kind: e.kind, adapter: e.adapter, code: e.code, err: e.message }, FAILING[e.kind]);
    }
    for (const key of [...this.failing.keys()]) {
      if (now.has(key)) continue;
      this.failing.delete(key);
      this.deps.logger.info({ kind: key.split('/')[0] }, 'recovered');
    }
  }

  /** Saves the planner state now; a failure is logged, not thrown. */
  saveState(): void {
    try {
      this.deps.state?.flush();
    } catch (err) {
      this.deps.logger.error({ err: describeError(err) }, 'could not save planner state');
    }
  }

  /** Every service on the engine now (for re-discovery after an event). */
  private async discoverAll(): Promise<string> {
    const targets: ScaleTarget[] = [];
    const failed: Actuator['kind'][] = [];
    for (const a of this.deps.actuators) {
      try {
        targets.push(...(await a.discover()));
      } catch {
        failed.push(a.kind);
      }
    }
    return fingerprint(targets, failed);
  }

  private onLeadership(leader: boolean): void {
    this.metrics.passive.set(leader ? 0 : 1);
    // a new leader acts on the latest data at once rather than at the next scheduled cycle
    if (leader && this.last) void this.scheduler.trigger();
  }

  /** The latest records. */
  services(): readonly ServiceReport[] {
    return this.last?.services ?? [];
  }

  /** Builds the API (not listening). */
  async api(): Promise<FastifyInstance> {
    this.app ??= await buildApp({
      services: () => this.services(),
      notReady: () =>
        readiness({
          lastCycle: this.last,
          lastCycleEndedAt: this.lastEndedAt,
          now: Date.now() / 1000,
          stateSaveError: this.deps.state?.lastSaveError,
          cycleIntervalSec: this.cycleIntervalSec,
        }).reason,
      logger: this.deps.logger.child({ component: 'api' }),
      apply: (key) => this.applyNow(key),
      masks: (key) => this.masks.list(key),
      exclude: (key, rule) => {
        this.masks.add(key, rule, this.deps.clock.now());
        this.deps.logger.info({ service: key, mask: rule.name }, 'event mask added');
      },
      metrics: this.metrics,
      trail: this.trail,
      apiToken: this.deps.apiToken,
      info: () => ({
        mode: this.mode(),
        ...(this.lock && { lock: this.lock.status() }),
        lastCycleAt: this.last?.at,
        ...this.deps.info,
      }),
    });
    return this.app;
  }

  /**
   * Applies the latest recommendation of one service now, as the cycle would: never from a
   * recommend-only or passive instance, and through the cycle's guard (labels read afresh,
   * [min, max] of the labels in force, the lease asked right before the change).
   */
  private async applyNow(key: string): Promise<ServiceReport> {
    const rec = this.services().find((s) => s.key === key);
    if (!rec) throw new PrescaleError('E_NOT_FOUND', `no service ${key}`);
    const mode = this.mode();
    if (mode === 'recommend')
      throw new PrescaleError(
        'E_RECOMMEND_ONLY',
        'this instance recommends only (serve without --apply): it never changes the engine',
      );
    if (mode === 'passive')
      throw new PrescaleError(
        'E_LOCKED',
        `another prescale instance (${this.lock?.status().holder ?? 'unknown'}) holds the leader lock: apply through it`,
      );
    if (rec.status !== 'planned') return rec;
    const done = await this.reconciler.applyNow(key, rec.desiredReplicas, this.deps.clock.now());
    if (done.applied) {
      this.deps.logger.info({ service: key, from: done.target.replicas, to: done.replicas }, 'applied through the API');
    }
    return {
      ...rec,
      currentReplicas: done.applied ? done.replicas : done.target.replicas,
      desiredReplicas: done.replicas,
      applied: done.applied,
    };
  }

  /**
   * Starts the API on `port` (0: any free port), takes the leader lock if it is free (before the
   * first cycle, so that a second instance never acts even once), then the schedule and the
   * engine watch. Returns the API's address.
   */
  async start(port: number, host = '0.0.0.0'): Promise<string> {
    const app = await this.api();
    const address = await app.listen({ port, host });
    // an engine that hangs must not hold the service up: the attempt goes on in the background
    if (this.lock) await Promise.race([this.lock.start(), sleep(LOCK_WAIT_MS)]);
    this.metrics.passive.set(this.mode() === 'passive' ? 1 : 0);
    this.scheduler.start();
    this.deps.watch?.start((change) => this.rediscovery.notify(change.reason === 'resync'));
    return address;
  }

  /**
   * Aborts the running cycle's I/O and waits for it (what it planned by then is still saved),
   * stops the schedule, the watch and the API, and releases the leader lock so that another
   * instance takes over at once.
   */
  async stop(): Promise<void> {
    // in-flight history fetches end now; the cycle holds those services and returns
    this.stopping.abort();
    await this.scheduler.stop();
    await this.deps.watch?.stop();
    await this.rediscovery.stop();
    if (this.lock) await Promise.race([this.lock.release(), sleep(RELEASE_WAIT_MS)]);
    this.saveState();
    this.reconciler.saveHistory(this.deps.clock.now());
    await this.app?.close();
    await this.cpu?.close();
  }
}
