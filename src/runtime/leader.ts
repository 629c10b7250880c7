import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { describeError } from '../core/domain/errors.js';
import type { Logger } from '../observability/logger.js';

/**
 * Leader election between prescale instances that share an engine, through a lease recorded in
 * the engine itself, so that only one of them scales while the others recommend.
 *
 * The lease logic follows Kubernetes' client-go leader election (tools/leaderelection/
 * leaderelection.go): the holder renews every ttl/3; the others never compare clocks, they note
 * on their own clock when they last saw the lease change and take it over only after it stayed
 * unchanged for a whole TTL, with a compare-and-swap so that of several contenders one wins; the
 * holder stops acting when it could not renew for 2/3 of the TTL, before anyone may take over.
 * Where the lease lives is each engine's business (a `LeaseStore` from its factory, e.g. a Swarm
 * config in src/adapters/engines/swarm/); nothing here knows an engine.
 */

/** What the lease says. */
export interface LeaseRecord {
  /** The holding instance, e.g. `host:1234:9f8e7d6c`. */
  readonly holder: string;
  /** When the holder last renewed, unix seconds on the holder's clock (shown, never trusted). */
  readonly renewedAt: number;
  /** Seconds after which an unchanged lease is stale. */
  readonly ttlSec: number;
}

/** A lease as stored, with the version that a compare-and-swap must name. */
export interface StoredLease {
  readonly record: LeaseRecord;
  readonly version: string;
}

/** Where the lease lives. Every write is conditional; a lost race answers `undefined`. */
export interface LeaseStore {
  /** The lease, or undefined when there is none. */
  read(): Promise<StoredLease | undefined>;
  /** Creates the lease; undefined when one exists already. */
  create(record: LeaseRecord): Promise<StoredLease | undefined>;
  /** Replaces the lease at `version`; undefined when it changed or went away since. */
  replace(version: string, record: LeaseRecord): Promise<StoredLease | undefined>;
  /** Deletes the lease at `version`; nothing when it changed or went away since. */
  remove(version: string): Promise<void>;
  /** Where the lease is, for people: e.g. `Swarm config prescale-leader`. */
  where(): string;
}

/** What `/v1/status` says about the lock. */
export interface LockStatus {
  /** True when this instance holds the lease and may act. */
  readonly leader: boolean;
  /** This instance's id. */
  readonly self: string;
  /** The holder seen last (this instance or another). */
  readonly holder?: string;
  readonly where: string;
  readonly ttlSec: number;
  /** The last failure to read or write the lease. */
  readonly error?: string;
}

export interface LeaderLockOptions {
  /** This instance's id; default `hostname:pid:random`. */
  readonly holder?: string;
  /** Lease lifetime without renewal, seconds. Default 30. */
  readonly ttlSec?: number;
  /** Unix seconds; injected by tests. Real time, not the planning clock. */
  readonly now?: () => number;
  readonly logger?: Logger;
  /** Called when this instance gains or loses the lead. */
  readonly onChange?: (leader: boolean) => void;
}

/** Default lease lifetime: a crashed holder is replaced after about this long. */
export const DEFAULT_LOCK_TTL_SEC = 30;

/** A lease-based leader lock (see the file's comment). */
export class LeaderLock {
  readonly self: string;
  readonly ttlSec: number;
  private readonly now: () => number;
  /** Our lease: its version and when (our clock, before the request) it was last written. */
  private held?: { version: string; at: number };
  /** Someone else's lease: its holder and version, and since when (our clock) it has not changed. */
  private observed?: { key: string; since: number };
  private lastHolder?: string;
  private lastError?: string;
  private leader = false;
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: LeaseStore,
    private readonly options: LeaderLockOptions = {},
  ) {
    this.self = options.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.ttlSec = options.ttlSec ?? DEFAULT_LOCK_TTL_SEC;
    this.now = options.now ?? (() => Date.now() / 1000);
  }

  /** True while this instance holds a lease it renewed less than 2/3 of the TTL ago. */
  isLeader(): boolean {
    return this.held !== undefined && this.now() - this.held.at < (this.ttlSec * 2) / 3;
  }

  status(): LockStatus {
    return {
      leader: this.isLeader(),
      self: this.self,
      holder: this.lastHolder,
      where: this.store.where(),
      ttlSec: this.ttlSec,
      ...(this.lastError && { error: this.lastError }),
    };
  }

  /** Tries to take or renew the lease now, then every ttl/3 until `release()`. */
  start(): Promise<void> {
    this.timer = setInterval(() => void this.tick(), (this.ttlSec * 1000) / 3);
    this.timer.unref();
    return this.tick();
  }

  /** One attempt to take or renew the lease. Never throws; never runs twice at once. */
  tick(): Promise<void> {
    this.running = this.running.then(() => this.attempt());
    return this.running;
  }

  /** Stops renewing and gives the lease up, so that another instance takes over at once. */
  async release(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    const held = this.held;
    this.held = undefined;
    this.notify();
    if (!held) return;
    try {
      await this.store.remove(held.version);
      this.options.logger?.info({ where: this.store.where() }, 'leader lock released');
    } catch (err) {
      this.options.logger?.warn(
        { where: this.store.where(), err: describeError(err) },
        'could not release the leader lock; another instance takes over when it goes stale',
      );
    }
  }

  /**
   * For one-shot runs, which cannot watch a lease for a TTL: takes the lease when there is none,
   * or when its holder's own timestamp says it is older than its TTL (this trusts the clocks to
   * agree within the TTL). Returns whether this instance holds it now.
   */
  async acquireOnce(): Promise<boolean> {
    const t = this.now();
    try {
      const cur = await this.store.read();
      const mine = { holder: this.self, renewedAt: Math.round(t), ttlSec: this.ttlSec };
      let got: StoredLease | undefined;
      if (!cur) got = await this.store.create(mine);
      else if (cur.record.holder === this.self || t - cur.record.renewedAt > cur.record.ttlSec)
        got = await this.store.replace(cur.version, mine);
      this.lastHolder = got ? this.self : cur?.record.holder;
      this.held = got ? { version: got.version, at: t } : undefined;
    } catch (err) {
      this.lastError = describeError(err);
      this.held = undefined;
    }
    return this.isLeader();
  }

  private async attempt(): Promise<void> {
    const t = this.now();
    const mine: LeaseRecord = { holder: this.self, renewedAt: Math.round(t), ttlSec: this.ttlSec };
    try {
      const cur = await this.store.read();
      if (!cur) {
        this.take(await this.store.create(mine), t, 'took the leader lock');
      } else if (cur.record.holder === this.self) {
        this.take(await this.store.replace(cur.version, mine), t);
      } else {
        this.lose();
        this.lastHolder = cur.record.holder;
        const key = `${cur.record.holder}@${cur.version}`;
        if (this.observed?.key !== key) this.observed = { key, since: t };
        else if (t - this.observed.since >= cur.record.ttlSec) {
          this.options.logger?.warn(
            { holder: cur.record.holder, staleForSec: Math.round(t - this.observed.since) },
            'the leader lock went stale: taking over',
          );
          this.take(await this.store.replace(cur.version, mine), t, 'took over the leader lock');
        }
      }
      this.lastError = undefined;
    } catch (err) {
      // keep the lease while it is valid: an engine restart shorter than 2/3 TTL changes nothing
      const why = describeError(err);
      if (why !== this.lastError)
        this.options.logger?.warn({ where: this.store.where(), err: why }, 'cannot read or renew the leader lock');
      this.lastError = why;
    }
    this.notify();
  }

  private take(got: StoredLease | undefined, at: number, message?: string): void {
    if (!got) {
      this.lose();
      return;
    }
    this.observed = undefined;
    this.lastHolder = this.self;
    if (message && !this.held) this.options.logger?.info({ where: this.store.where(), self: this.self }, message);
    this.held = { version: got.version, at };
  }

  private lose(): void {
    this.held = undefined;
  }

  private notify(): void {
    const now = this.isLeader();
    if (now === this.leader) return;
    this.leader = now;
    this.options.logger?.info(
      { self: this.self, holder: this.lastHolder, where: this.store.where() },
      now
        ? 'leading: this instance applies plans'
        : 'passive: another instance holds the leader lock; recommending only',
    );
    this.options.onChange?.(now);
  }
}
