import type Docker from 'dockerode';
import { describeError } from '../../../core/domain/errors.js';
import type { LeaseRecord, LeaseStore, StoredLease } from '../../../runtime/leader.js';
import { engineError } from '../docker/client.js';
import { LOCK_NAME, labelsOf, recordOf, statusOf } from '../docker/lease-labels.js';

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
      if (statusOf(err) === 404) return undefined;
      throw engineError(err, this.docker, `reading the ${this.where()}`);
    }
  }

  async create(record: LeaseRecord): Promise<StoredLease | undefined> {
    try {
      await this.docker.createConfig({ Name: LOCK_NAME, Labels: labelsOf(record), Data: SwarmConfigLeaseStore.DATA });
    } catch (err) {
      if (statusOf(err) === 409) return undefined;
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
      if (statusOf(err) === 404 || /out of sequence/i.test(msg)) return undefined;
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
      if (statusOf(err) !== 404) throw engineError(err, this.docker, `removing the ${this.where()}`);
    }
  }

  /** The lease after our write, if it is still ours. */
  private async mine(record: LeaseRecord): Promise<StoredLease | undefined> {
    const now = await this.read();
    return now?.record.holder === record.holder ? now : undefined;
  }
}
