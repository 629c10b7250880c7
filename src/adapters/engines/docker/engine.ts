import type Docker from 'dockerode';
import type { Logger } from '../../../observability/logger.js';
import type { LeaseRecord, LeaseStore, StoredLease } from '../../../runtime/leader.js';
import { ComposeActuator } from '../compose/engine.js';
import type { Engine, EngineFactory } from '../port.js';
import { isNotSwarmManager, SwarmActuator } from '../swarm/engine.js';
import { SwarmConfigLeaseStore } from '../swarm/lease.js';
import { dockerFromEnv, engineError } from './client.js';
import { ContainerLeaseStore } from './container-lease.js';
import { DockerEventWatch } from './events.js';

/**
 * The Docker engine DOCKER_HOST names (one dockerode client): its Swarm services and its Compose
 * services, both found by the `prescale.enable=true` label, its `docker events`, and the leader
 * lease where it can keep one. On an engine that is not a swarm manager the Swarm actuator finds
 * nothing and the Compose one still works.
 */
export const dockerEngine: EngineFactory = (ctx) => dockerEngineOf(dockerFromEnv(ctx.env), ctx.logger);

/** The Docker engine behind `docker` (tests give their own client). */
export function dockerEngineOf(docker: Docker, logger: Logger): Engine {
  return {
    actuators: [
      new SwarmActuator(docker, logger.child({ component: 'swarm' })),
      new ComposeActuator(docker, logger.child({ component: 'compose' })),
    ],
    watch: DockerEventWatch.of(docker, { logger: logger.child({ component: 'events' }) }),
    leaseStore: new DockerLeaseStore(docker),
  };
}

/**
 * The lease where the engine can keep it: a Swarm config on a swarm manager (shared by all its
 * managers), a container otherwise. The kind is chosen on each read; a version names its kind, so
 * a write never lands in the other store.
 */
export class DockerLeaseStore implements LeaseStore {
  private current: LeaseStore;

  /** `swarm` and `container` are injected by tests; by default the stores on `docker`. */
  constructor(
    private readonly docker: Docker,
    private readonly swarm: LeaseStore = new SwarmConfigLeaseStore(docker),
    private readonly container: LeaseStore = new ContainerLeaseStore(docker),
  ) {
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
