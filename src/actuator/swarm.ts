import type Docker from 'dockerode';
import { isPrescaleError } from '../domain/errors.js';
import type { Logger } from '../observability/logger.js';
import { engineError } from './docker.js';
import type { Actuator, ScaleTarget } from './port.js';

/** Attempts at an update that races another writer ("update out of sequence"). */
const MAX_UPDATE_ATTEMPTS = 5;

/**
 * Scales Swarm services through the Engine API. Discovery is one `GET /services` with a label
 * filter per cycle. An update sends the version it read; when another writer got in between, the
 * engine answers "update out of sequence" and the update is retried on a fresh read
 * (https://docs.docker.com/engine/api/v1.41/#tag/Service/operation/ServiceUpdate).
 */
export class SwarmActuator implements Actuator {
  readonly kind = 'swarm' as const;

  constructor(
    private readonly docker: Docker,
    private readonly logger?: Logger,
  ) {}

  /** @inheritdoc */
  async discover(): Promise<ScaleTarget[]> {
    let services: Docker.Service[];
    try {
      services = (await this.docker.listServices({ filters: { label: ['prescale.enable=true'] } })) as Docker.Service[];
    } catch (err) {
      throw engineError(err, this.docker, 'listing Swarm services');
    }
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
          mapped.code === 'E_DOCKER' &&
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
