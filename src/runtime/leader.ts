import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { engineError } from '../adapters/engines/docker/client.js';
import { isNotSwarmManager } from '../adapters/engines/swarm/engine.js';
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

/** Name of the Swarm config and of the container that hold the lease. */
export const LOCK_NAME = 'prescale-leader';
const L_HOLDER = 'prescale.lock.holder';
const L_RENEWED = 'prescale.lock.renewed-at';
const L_TTL = 'prescale.lock.ttl';

function labelsOf(r: LeaseRecord): Record<string, string> {
  return { [L_HOLDER]: r.holder, [L_RENEWED]: String(r.renewedAt), [L_TTL]: String(r.ttlSec) };
}

function recordOf(labels: Record<string, string> | undefined, extra: Partial<LeaseRecord> = {}): LeaseRecord {
  return {
    holder: labels?.[L_HOLDER] ?? '',
    renewedAt: Number(labels?.[L_RENEWED] ?? 0),
    ttlSec: Number(labels?.[L_TTL]) || DEFAULT_LOCK_TTL_SEC,
    ...extra,
  };
}

function status(err: unknown): number | undefined {
  return (err as { statusCode?: number })?.statusCode;
}

/**
 * The lease as a Swarm config: created by name (the manager refuses a second one: 409), its
 * labels updated with the version read (the manager refuses a stale version: "update out of
 * sequence"), so every write is a true compare-and-swap; stored in the swarm's Raft log, so it
 * holds across all managers of the swarm. Only labels change (a config's data is immutable).
 */
export class SwarmConfigLeaseStore implements LeaseStore {
  private static readonly DATA = Buffer.from('prescale leader lock: see the labels\n').toString('base64');

  constructor(private readonly docker: Docker) {}

  where(): string {
    return `Swarm config ${LOCK_NAME}`;
  }

  async read(): Promise<StoredLease | undefined> {
    try {
      const info = (await this.docker.getConfig(LOCK_NAME).inspect()) as unknown as {
        Version: { Index: number };
        Spec: { Labels?: Record<string, string> };
      };
      return { record: recordOf(info.Spec.Labels), version: String(info.Version.Index) };
    } catch (err) {
      if (status(err) === 404) return undefined;
      throw engineError(err, this.docker, `reading the ${this.where()}`);
    }
  }

  async create(record: LeaseRecord): Promise<StoredLease | undefined> {
    try {
      await this.docker.createConfig({ Name: LOCK_NAME, Labels: labelsOf(record), Data: SwarmConfigLeaseStore.DATA });
    } catch (err) {
      if (status(err) === 409) return undefined;
      throw engineError(err, this.docker, `creating the ${this.where()}`);
    }
    return this.mine(record);
  }

  async replace(version: string, record: LeaseRecord): Promise<StoredLease | undefined> {
    try {
      await this.docker.getConfig(LOCK_NAME).update({
        version: Number(version),
        Name: LOCK_NAME,
        Labels: labelsOf(record),
        Data: SwarmConfigLeaseStore.DATA,
      });
    } catch (err) {
      const msg = describeError(err);
      if (status(err) === 404 || /out of sequence/i.test(msg)) return undefined;
      throw engineError(err, this.docker, `renewing the ${this.where()}`);
    }
    return this.mine(record);
  }

  async remove(version: string): Promise<void> {
    const cur = await this.read();
    if (!cur || cur.version !== version) return;
    try {
      await this.docker.getConfig(LOCK_NAME).remove();
    } catch (err) {
      if (status(err) !== 404) throw engineError(err, this.docker, `removing the ${this.where()}`);
    }
  }

  /** The lease after our write, if it is still ours. */
  private async mine(record: LeaseRecord): Promise<StoredLease | undefined> {
    const now = await this.read();
    return now?.record.holder === record.holder ? now : undefined;
  }
}

/**
 * The lease as a container that never runs, for engines outside swarm mode (Compose only): the
 * engine refuses a second container of the same name (409). Its labels (holder, TTL) cannot
 * change, so renewals write a small file into it (`docker cp`), which bumps a sequence number in
 * the version; a takeover removes the stale container by id and creates a new one by name, so of
 * two contenders only one succeeds. The container is made from an empty image imported once
 * (`prescale-lock:1`), as no registry may be reachable. It is local to the engine, which is
 * exactly the reach of the Compose services it guards.
 */
export class ContainerLeaseStore implements LeaseStore {
  static readonly IMAGE = 'prescale-lock:1';
  private static readonly FILE = 'lease.json';

  constructor(private readonly docker: Docker) {}

  where(): string {
    return `container ${LOCK_NAME}`;
  }

  async read(): Promise<StoredLease | undefined> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(LOCK_NAME).inspect();
    } catch (err) {
      if (status(err) === 404) return undefined;
      throw engineError(err, this.docker, `reading the ${this.where()}`);
    }
    let data: { seq?: number; renewedAt?: number } = {};
    try {
      const tar = await readAll(
        await this.docker.getContainer(info.Id).getArchive({ path: `/${ContainerLeaseStore.FILE}` }),
      );
      data = JSON.parse(untarFirst(tar)) as typeof data;
    } catch (err) {
      // created but not yet written (a contender in the middle of create): sequence 0
      if (status(err) !== 404 && !(err instanceof SyntaxError))
        throw engineError(err, this.docker, `reading the ${this.where()}`);
    }
    const record = recordOf(info.Config.Labels, data.renewedAt !== undefined ? { renewedAt: data.renewedAt } : {});
    return { record, version: `${info.Id}/${data.seq ?? 0}` };
  }

  async create(record: LeaseRecord): Promise<StoredLease | undefined> {
    const labels = labelsOf(record);
    const spec: Docker.ContainerCreateOptions = {
      name: LOCK_NAME,
      Image: ContainerLeaseStore.IMAGE,
      Cmd: ['prescale-leader-lock'],
      Labels: labels,
      NetworkDisabled: true,
      HostConfig: { NetworkMode: 'none' },
    };
    let id: string;
    try {
      id = (await this.docker.createContainer(spec)).id;
    } catch (err) {
      if (status(err) === 409) return undefined;
      if (status(err) !== 404) throw engineError(err, this.docker, `creating the ${this.where()}`);
      await this.importImage();
      try {
        id = (await this.docker.createContainer(spec)).id;
      } catch (err2) {
        if (status(err2) === 409) return undefined;
        throw engineError(err2, this.docker, `creating the ${this.where()}`);
      }
    }
    await this.write(id, 1, record.renewedAt);
    return { record, version: `${id}/1` };
  }

  async replace(version: string, record: LeaseRecord): Promise<StoredLease | undefined> {
    const cur = await this.read();
    if (!cur || cur.version !== version) return undefined;
    const [id, seq] = version.split('/');
    if (cur.record.holder === record.holder) {
      try {
        await this.write(id, Number(seq) + 1, record.renewedAt);
      } catch (err) {
        if (status(err) === 404) return undefined;
        throw err;
      }
      return { record, version: `${id}/${Number(seq) + 1}` };
    }
    await this.remove(version);
    return this.create(record);
  }

  async remove(version: string): Promise<void> {
    const cur = await this.read();
    if (!cur || cur.version !== version) return;
    const [id] = version.split('/');
    try {
      await this.docker.getContainer(id).remove({ force: true });
    } catch (err) {
      if (status(err) !== 404) throw engineError(err, this.docker, `removing the ${this.where()}`);
    }
  }

  private async write(id: string, seq: number, renewedAt: number): Promise<void> {
    const body = Buffer.from(JSON.stringify({ seq, renewedAt }));
    try {
      await readAll(
        await this.docker.getContainer(id).putArchive(tarOf(ContainerLeaseStore.FILE, body), { path: '/' }),
      );
    } catch (err) {
      if (status(err) === 404) throw err;
      throw engineError(err, this.docker, `renewing the ${this.where()}`);
    }
  }

  /** Imports an empty image to make the lock container from (`docker import` of an empty tar). */
  private async importImage(): Promise<void> {
    const [repo, tag] = ContainerLeaseStore.IMAGE.split(':');
    try {
      await readAll(await this.docker.importImage(Readable.from([Buffer.alloc(1024)]), { repo, tag }));
    } catch (err) {
      throw engineError(err, this.docker, `importing the empty image ${ContainerLeaseStore.IMAGE}`);
    }
  }
}

/**
 * The lease where the engine can keep it: a Swarm config on a swarm manager (shared by all its
 * managers), a container otherwise. The kind is chosen on each read; a version names its kind, so
 * a write never lands in the other store.
 */
export class EngineLeaseStore implements LeaseStore {
  private readonly swarm: SwarmConfigLeaseStore;
  private readonly container: ContainerLeaseStore;
  private current: LeaseStore;

  constructor(private readonly docker: Docker) {
    this.swarm = new SwarmConfigLeaseStore(docker);
    this.container = new ContainerLeaseStore(docker);
    this.current = this.swarm;
  }

  where(): string {
    return this.current.where();
  }

  async read(): Promise<StoredLease | undefined> {
    let manager: boolean;
    try {
      const info = (await this.docker.info()) as { Swarm?: { ControlAvailable?: boolean } };
      manager = info.Swarm?.ControlAvailable === true;
    } catch (err) {
      throw engineError(err, this.docker, 'reading the engine info');
    }
    this.current = manager ? this.swarm : this.container;
    try {
      const got = await this.current.read();
      return got && { ...got, version: `${this.tag()}:${got.version}` };
    } catch (err) {
      // demoted between the two requests: no lease here, the next read picks the container
      if (isNotSwarmManager((err as { cause?: unknown }).cause)) return undefined;
      throw err;
    }
  }

  async create(record: LeaseRecord): Promise<StoredLease | undefined> {
    const got = await this.current.create(record);
    return got && { ...got, version: `${this.tag()}:${got.version}` };
  }

  async replace(version: string, record: LeaseRecord): Promise<StoredLease | undefined> {
    const inner = this.inner(version);
    if (inner === undefined) return undefined;
    const got = await this.current.replace(inner, record);
    return got && { ...got, version: `${this.tag()}:${got.version}` };
  }

  async remove(version: string): Promise<void> {
    const [tag, ...rest] = version.split(':');
    await (tag === 'swarm' ? this.swarm : this.container).remove(rest.join(':'));
  }

  private tag(): 'swarm' | 'container' {
    return this.current === this.swarm ? 'swarm' : 'container';
  }

  /** The store's own version, when `version` is of the current store. */
  private inner(version: string): string | undefined {
    const [tag, ...rest] = version.split(':');
    return tag === this.tag() ? rest.join(':') : undefined;
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/** A ustar archive of one regular file (POSIX.1-1988 header; what `docker cp` takes). */
export function tarOf(name: string, body: Buffer): Buffer {
  const h = Buffer.alloc(512);
  const octal = (v: number, len: number) => v.toString(8).padStart(len - 1, '0') + '\0';
  h.write(name, 0, 100);
  h.write(octal(0o644, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(body.length, 12), 124);
  h.write(octal(Math.floor(Date.now() / 1000), 12), 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148);
  return Buffer.concat([h, body, Buffer.alloc((512 - (body.length % 512)) % 512), Buffer.alloc(1024)]);
}

/** The content of the first file of a tar archive. */
export function untarFirst(tar: Buffer): string {
  const size = parseInt(tar.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
  return tar.subarray(512, 512 + size).toString('utf8');
}
