import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { LeaseRecord, LeaseStore, StoredLease } from '../../../runtime/leader.js';
import { engineError } from './client.js';
import { LOCK_NAME, labelsOf, recordOf, statusOf } from './lease-labels.js';
import { readAll, tarOf, untarFirst } from './tar.js';

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
      if (statusOf(err) === 404) return undefined;
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
      if (statusOf(err) !== 404 && !(err instanceof SyntaxError))
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
      if (statusOf(err) === 409) return undefined;
      if (statusOf(err) !== 404) throw engineError(err, this.docker, `creating the ${this.where()}`);
      await this.importImage();
      try {
        id = (await this.docker.createContainer(spec)).id;
      } catch (err2) {
        if (statusOf(err2) === 409) return undefined;
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
        if (statusOf(err) === 404) return undefined;
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
      if (statusOf(err) !== 404) throw engineError(err, this.docker, `removing the ${this.where()}`);
    }
  }

  private async write(id: string, seq: number, renewedAt: number): Promise<void> {
    const body = Buffer.from(JSON.stringify({ seq, renewedAt }));
    try {
      await readAll(
        await this.docker.getContainer(id).putArchive(tarOf(ContainerLeaseStore.FILE, body), { path: '/' }),
      );
    } catch (err) {
      if (statusOf(err) === 404) throw err;
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
