import type Docker from 'dockerode';
import { isPrescaleError } from '../../../core/domain/errors.js';
import type { Logger } from '../../../observability/logger.js';
import { describeEngine, engineError } from '../docker/client.js';
import type { Actuator, ScaleTarget } from '../port.js';

/** Attempts at an update that races another writer ("update out of sequence"). */
const MAX_UPDATE_ATTEMPTS = 5;
/**
 * How long an engine that was a swarm manager may answer "not a swarm manager" before that is
 * believed: dockerd says so while it shuts down and starts up, and those services are not gone.
 */
export const NOT_MANAGER_GRACE_MS = 60_000;

/**
 * Scales Swarm services through the Engine API. Discovery is one `GET /services` with a label
 * filter per cycle. An update sends the version it read; when another writer got in between, the
 * engine answers "update out of sequence" and the update is retried on a fresh read
 * (https://docs.docker.com/engine/api/v1.41/#tag/Service/operation/ServiceUpdate).
 */
export class SwarmActuator implements Actuator {
  readonly kind = 'swarm' as const;
  /** Whether the engine was last seen outside swarm mode (said once per change, not every cycle). */
  private notManager = false;
  /** When the engine last answered as a swarm manager (ms). */
  private managerAt?: number;

  constructor(
    private readonly docker: Docker,
    private readonly logger?: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * @inheritdoc
   * An engine that is not a swarm manager (plain Docker, Compose only, or a worker node) has no
   * Swarm services to scale: that is an empty list, not an error, so that Compose services on the
   * same engine are still planned. An engine that was a manager a moment ago and says it is not
   * (dockerd restarting) fails instead, for up to NOT_MANAGER_GRACE_MS, so that its services are
   * held rather than dropped.
   */
  async discover(): Promise<ScaleTarget[]> {
    let services: Docker.Service[];
    try {
      services = (await this.docker.listServices({ filters: { label: ['prescale.enable=true'] } })) as Docker.Service[];
    } catch (err) {
      if (isNotSwarmManager(err)) {
        if (this.managerAt !== undefined && this.now() - this.managerAt < NOT_MANAGER_GRACE_MS)
          throw engineError(err, this.docker, 'listing Swarm services (the engine was a swarm manager until just now)');
        if (!this.notManager)
          this.logger?.info(
            { engine: describeEngine(this.docker) },
            'the engine is not a swarm manager: no Swarm services to scale (Compose services still are)',
          );
        this.notManager = true;
        return [];
      }
      throw engineError(err, this.docker, 'listing Swarm services');
    }
    if (this.notManager)
      this.logger?.info({ engine: describeEngine(this.docker) }, 'the engine is a swarm manager now');
    this.notManager = false;
    this.managerAt = this.now();
    const out: ScaleTarget[] = [];
    for (const s of services) {
      const name = s.Spec?.Name ?? s.ID;
      const replicas = s.Spec?.Mode?.Replicated?.Replicas;
      if (replicas === undefined) {
        this.logger?.warn({ service: name }, 'skipping a global-mode service: only replicated services can be scaled');
        continue;
      }
      out.push({
        key: `swarm/${name}`,
        kind: 'swarm',
        name,
        id: s.ID,
        labels: { ...(s.Spec?.Labels ?? {}) },
        replicas,
      });
    }
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  /** @inheritdoc */
  async getReplicas(target: ScaleTarget): Promise<number> {
    try {
      const info = await this.docker.getService(target.id ?? target.name).inspect();
      return info.Spec?.Mode?.Replicated?.Replicas ?? 0;
    } catch (err) {
      throw engineError(err, this.docker, `reading service ${target.name}`);
    }
  }

  /** @inheritdoc */
  async setReplicas(target: ScaleTarget, replicas: number): Promise<void> {
    const want = Math.max(0, Math.round(replicas));
    for (let attempt = 1; ; attempt++) {
      try {
        const service = this.docker.getService(target.id ?? target.name);
        const info = await service.inspect();
        if (info.Spec?.Mode?.Replicated?.Replicas === want) return;
        const spec = { ...info.Spec, Mode: { Replicated: { Replicas: want } } };
        await service.update({ ...spec, version: info.Version.Index });
        this.logger?.info({ service: target.name, replicas: want }, 'scaled Swarm service');
        return;
      } catch (err) {
        const mapped = isPrescaleError(err)
          ? err
          : engineError(err, this.docker, `scaling service ${target.name} to ${want}`);
        if (
          mapped.code === 'E_ENGINE' &&
          /out of sequence|version/i.test(mapped.message) &&
          attempt < MAX_UPDATE_ATTEMPTS
        ) {
          this.logger?.debug(
            { service: target.name, attempt },
            'service changed under us: retrying on a fresh version',
          );
          continue;
        }
        throw mapped;
      }
    }
  }
}

/**
 * The engine's answer to a Swarm request on a node that is not in a swarm, or is a worker: 503
 * "This node is not a swarm manager. Use \"docker swarm init\" ..." or "... Worker nodes can't be
 * used ..." (moby daemon/cluster/cluster.go, errNoManager). A manager that is still starting
 * ("Manager is being prepared or has trouble connecting to the cluster", e.g. right after dockerd
 * restarts) or is locked is a real, passing failure and stays an error.
 */
export function isNotSwarmManager(err: unknown): boolean {
  const e = err as { statusCode?: number; json?: { message?: string }; message?: string };
  const msg = e?.json?.message ?? e?.message ?? '';
  return e?.statusCode === 503 && /not a swarm manager/i.test(msg) && !/being prepared|trouble connecting/i.test(msg);
}
