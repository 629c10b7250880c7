import type Docker from 'dockerode';
import { describeError, isPrescaleError, PrescaleError } from '../../../core/domain/errors.js';
import type { Logger } from '../../../observability/logger.js';
import { engineError } from '../docker/client.js';
import type { Actuator, ScaleTarget } from '../port.js';

// The labels docker-compose puts on every container it creates (compose/const.py).
const LABEL_PROJECT = 'com.docker.compose.project';
const LABEL_SERVICE = 'com.docker.compose.service';
const LABEL_NUMBER = 'com.docker.compose.container-number';
const LABEL_ONE_OFF = 'com.docker.compose.oneoff';
const LABEL_CONFIG_HASH = 'com.docker.compose.config-hash';

/** Container states that are not (or no longer) a replica. */
const GONE_STATES = new Set(['exited', 'dead', 'removing']);

/** Built-in networks: joined through the network mode alone, no aliases or endpoint settings. */
const SHARED_NETWORKS = new Set(['host', 'none', 'bridge', 'default']);

/** A container of a Compose service, from `GET /containers/json`. */
interface Replica {
  readonly id: string;
  readonly number: number;
  readonly state: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * Scales Compose services the way `docker-compose up --scale SERVICE=N --no-recreate` does
 * (docker-compose 1.29, compose/service.py `Service.scale` and `_get_container_create_options`),
 * without the compose file: the containers of the service are the only record of it.
 *
 * - A service is the set of containers labelled `com.docker.compose.project=P` and
 *   `com.docker.compose.service=S`; one-off containers (`docker-compose run`,
 *   `com.docker.compose.oneoff=True`) are not replicas. Its replicas are the containers that are
 *   neither exited nor dead.
 * - Scaling up first starts stopped containers whose `com.docker.compose.config-hash` equals the
 *   template's (compose's "start" convergence), then creates new ones. A new container is a copy
 *   of the template, the highest-numbered live container (any container when none is live): its
 *   Config and HostConfig minus per-container fields, the same labels (project, service,
 *   `oneoff=False`, `config-hash`, `version`, working dir and config files) except
 *   `com.docker.compose.container-number`, which takes the lowest free number from 1 (compose
 *   takes max+1; both keep numbers unique, and as scale-down removes the highest numbers first,
 *   they agree in practice). Its name is the template's with the number replaced: `P_S_N` for
 *   compose 1.29, `P-S-N` for compose v2. It joins the template's networks with the aliases
 *   compose gives (the service name among them, not the template's short id) and is started.
 *   Because the labels and the config hash are the template's, `docker-compose ps` lists the new
 *   containers and a later `docker-compose up --scale S=N` on an unchanged file leaves them alone.
 * - Scaling down stops (the engine waits the container's own StopTimeout, i.e. compose's
 *   `stop_grace_period`, 10 s by default) and removes the highest-numbered live containers first,
 *   with their anonymous volumes. Scaling to 0 keeps the lowest-numbered container stopped
 *   instead of removing it: it is the template of the next scale-up (`docker-compose ps` shows
 *   it as Exit).
 *
 * Note that a plain `docker-compose up` re-applies the scale of the compose file (1 by default)
 * and so undoes any scaling, as it does after `docker-compose up --scale`.
 */
export class ComposeActuator implements Actuator {
  readonly kind = 'compose' as const;

  constructor(
    private readonly docker: Docker,
    private readonly logger?: Logger,
  ) {}

  /** @inheritdoc */
  async discover(): Promise<ScaleTarget[]> {
    let containers: Docker.ContainerInfo[];
    try {
      containers = await this.docker.listContainers({
        all: true,
        filters: { label: ['prescale.enable=true', LABEL_PROJECT] },
      });
    } catch (err) {
      throw engineError(err, this.docker, 'listing Compose containers');
    }
    const groups = new Map<string, { project: string; service: string; replicas: Replica[] }>();
    for (const c of containers) {
      const project = c.Labels?.[LABEL_PROJECT];
      const service = c.Labels?.[LABEL_SERVICE];
      if (!project || !service || isOneOff(c)) continue;
      const key = `compose/${project}/${service}`;
      const group = groups.get(key) ?? { project, service, replicas: [] };
      group.replicas.push(toReplica(c));
      groups.set(key, group);
    }
    const out: ScaleTarget[] = [];
    for (const [key, g] of groups) {
      const sorted = byNumber(g.replicas);
      out.push({
        key,
        kind: 'compose',
        name: g.service,
        project: g.project,
        labels: { ...sorted[sorted.length - 1].labels },
        replicas: sorted.filter(isLive).length,
      });
    }
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  /**
   * @inheritdoc
   * A service without any container (`docker-compose down`, or never up) throws E_NOT_FOUND, as a
   * removed Swarm service does; one whose containers are all stopped has 0 replicas.
   */
  async getReplicas(target: ScaleTarget): Promise<number> {
    const replicas = await this.listReplicas(target);
    return replicas.filter(isLive).length;
  }

  /** @inheritdoc */
  async setReplicas(target: ScaleTarget, replicas: number): Promise<void> {
    const want = Math.max(0, Math.round(replicas));
    const service = describe(target);
    try {
      const all = await this.listReplicas(target);
      const live = all.filter(isLive);
      // Left half-made by an interrupted scale-up: a replica only once it runs.
      for (const r of live.slice(0, want)) if (r.state === 'created') await this.start(r.id);
      if (live.length > want) await this.scaleDown(target, all, live.slice(want));
      else if (live.length < want) await this.scaleUp(target, all, live, want - live.length);
      else return;
      this.logger?.info({ service, from: live.length, replicas: want }, 'scaled Compose service');
    } catch (err) {
      throw isPrescaleError(err) ? err : engineError(err, this.docker, `scaling ${service} to ${want}`);
    }
  }

  /** The service's containers, lowest number first; E_NOT_FOUND when there is none. */
  private async listReplicas(target: ScaleTarget): Promise<Replica[]> {
    const project = target.project ?? '';
    let containers: Docker.ContainerInfo[];
    try {
      containers = await this.docker.listContainers({
        all: true,
        filters: { label: [`${LABEL_PROJECT}=${project}`, `${LABEL_SERVICE}=${target.name}`] },
      });
    } catch (err) {
      throw engineError(err, this.docker, `listing the containers of ${describe(target)}`);
    }
    const replicas = containers.filter((c) => !isOneOff(c)).map(toReplica);
    if (replicas.length === 0)
      throw new PrescaleError('E_NOT_FOUND', `${describe(target)}: the service has no container`);
    return byNumber(replicas);
  }

  /** Stops and removes `excess` (live, lowest number first), the highest numbers first. */
  private async scaleDown(target: ScaleTarget, all: readonly Replica[], excess: readonly Replica[]): Promise<void> {
    // Scaling to 0 would leave nothing to copy from: the last container is only stopped.
    const keepStopped = all.length === excess.length ? excess[0] : undefined;
    const doomed = [...excess].reverse();
    // In parallel, as compose does: each stop may wait out the grace period.
    const results = await Promise.allSettled(
      doomed.map(async (r) => {
        await ignore304(this.docker.getContainer(r.id).stop());
        if (r !== keepStopped) await this.docker.getContainer(r.id).remove({ v: true });
        this.logger?.info(
          { service: describe(target), number: r.number, removed: r !== keepStopped },
          r === keepStopped ? 'stopped Compose container' : 'removed Compose container',
        );
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Adds `count` replicas: starts reusable stopped containers, then creates copies of the template. */
  private async scaleUp(
    target: ScaleTarget,
    all: readonly Replica[],
    live: readonly Replica[],
    count: number,
  ): Promise<void> {
    const service = describe(target);
    const candidates = live.length > 0 ? live : all;
    const template = await this.docker.getContainer(candidates[candidates.length - 1].id).inspect();
    const hash = template.Config.Labels?.[LABEL_CONFIG_HASH];

    // Stopped containers made from the same configuration are started again, lowest number first.
    // One the engine can no longer start is replaced by a new one, then removed: a container
    // started while dockerd was shutting down keeps a stale containerd task, and every later start
    // fails with "task …: already exists" (moby libcontainerd). Any other failure stops here.
    const reusable = all.filter((r) => r.state === 'exited' && r.labels[LABEL_CONFIG_HASH] === hash);
    const broken: Replica[] = [];
    let started = 0;
    for (const r of reusable) {
      if (started === count) break;
      try {
        await this.start(r.id);
        started++;
        this.logger?.info({ service, number: r.number }, 'started stopped Compose container');
      } catch (err) {
        if (!isStaleTask(err)) throw err;
        this.logger?.warn(
          { service, number: r.number, err: describeError(err) },
          'a stopped Compose container cannot be started: replacing it',
        );
        broken.push(r);
      }
    }
    const missing = count - started;
    if (missing > 0) await this.create(template, target, all, missing);
    // only once its replacement runs: a service is never left without a container to copy
    for (const r of broken)
      await this.docker
        .getContainer(r.id)
        .remove({ force: true, v: true })
        .catch(() => undefined);
  }

  /** Creates and starts `missing` copies of `template`, with the lowest free numbers. */
  private async create(
    template: Docker.ContainerInspectInfo,
    target: ScaleTarget,
    all: readonly Replica[],
    count: number,
  ): Promise<void> {
    const service = describe(target);
    let missing = count;
    const spec = await this.createSpec(template);
    const taken = new Set(all.map((r) => r.number));
    for (let number = 1; missing > 0; number++) {
      if (taken.has(number)) continue;
      const name = containerName(template, target, number);
      const container = await this.docker.createContainer({
        ...spec.create,
        name,
        Labels: { ...spec.create.Labels, [LABEL_NUMBER]: String(number) },
      });
      try {
        // The engine takes one network at creation (API < 1.44); the others are joined before start.
        for (const [network, endpoint] of spec.extraNetworks)
          await this.docker.getNetwork(network).connect({ Container: container.id, EndpointConfig: endpoint });
        await this.start(container.id);
      } catch (err) {
        // A container that never ran is no replica: leave nothing half-made behind.
        await container.remove({ force: true, v: true }).catch(() => undefined);
        throw err;
      }
      this.logger?.info({ service, number, container: name }, 'created Compose container');
      missing--;
    }
  }

  /** The create request for a copy of `template`, without name and number. */
  private async createSpec(template: Docker.ContainerInspectInfo): Promise<{
    create: Docker.ContainerCreateOptions;
    extraNetworks: Array<[string, Docker.EndpointSettings]>;
  }> {
    // Fields the inspect answer carries but Config does not take, or that belong to one container.
    const {
      Hostname,
      MacAddress: _mac,
      Image: _image,
      ...config
    } = template.Config as Docker.ContainerInspectInfo['Config'] & { MacAddress?: string };
    const { ContainerIDFile: _idFile, Links, ...hostConfig } = template.HostConfig;
    const networkMode = hostConfig.NetworkMode ?? '';
    // Docker names an unnamed container after its short id; on the host's or another container's
    // network the hostname is inherited. Neither may be copied.
    const inherited = networkMode === 'host' || networkMode.startsWith('container:');
    const ownHostname = Hostname && Hostname !== template.Id.slice(0, 12) && !inherited ? Hostname : undefined;

    const endpoints: Array<[string, Docker.EndpointSettings]> = [];
    if (!networkMode.startsWith('container:'))
      for (const [network, settings] of Object.entries(template.NetworkSettings?.Networks ?? {})) {
        if (SHARED_NETWORKS.has(network)) continue;
        endpoints.push([network, endpointFor(settings, template, serviceLabel(template))]);
      }
    const primary = endpoints.find(([network]) => network === networkMode);

    return {
      create: {
        ...config,
        Hostname: ownHostname,
        Image: await this.imageOf(template),
        HostConfig: { ...hostConfig, Links: (Links as string[] | null)?.map(createLink) },
        NetworkingConfig: primary ? { EndpointsConfig: { [primary[0]]: primary[1] } } : undefined,
      },
      extraNetworks: endpoints.filter((e) => e !== primary),
    };
  }

  /**
   * The image to run: the template's image name, as compose does, unless the name now points to
   * another image (a pull or build since): then the template's image id, so all replicas run the
   * same code as the config hash they carry says.
   */
  private async imageOf(template: Docker.ContainerInspectInfo): Promise<string> {
    const name = template.Config.Image;
    try {
      if ((await this.docker.getImage(name).inspect()).Id === template.Image) return name;
    } catch (err) {
      if ((err as { statusCode?: number })?.statusCode !== 404) throw err;
    }
    this.logger?.warn(
      { image: name, id: template.Image },
      'image name now names another image: new replicas run the image of the existing ones',
    );
    return template.Image;
  }

  private async start(id: string): Promise<void> {
    await ignore304(this.docker.getContainer(id).start());
  }
}

function toReplica(c: Docker.ContainerInfo): Replica {
  const labels = c.Labels ?? {};
  const number = Number.parseInt(labels[LABEL_NUMBER] ?? '', 10);
  return { id: c.Id, number: Number.isFinite(number) ? number : 0, state: c.State, labels };
}

function byNumber(replicas: Replica[]): Replica[] {
  return replicas.sort((a, b) => a.number - b.number);
}

function isLive(r: Replica): boolean {
  return !GONE_STATES.has(r.state);
}

function isOneOff(c: Docker.ContainerInfo): boolean {
  return c.Labels?.[LABEL_ONE_OFF] === 'True';
}

function describe(target: ScaleTarget): string {
  return `Compose service ${target.project}/${target.name}`;
}

function serviceLabel(template: Docker.ContainerInspectInfo): string {
  return template.Config.Labels?.[LABEL_SERVICE] ?? '';
}

/** `P_S_7` from the template `P_S_3` (`P-S-7` for compose v2), compose 1.29's pattern otherwise. */
function containerName(template: Docker.ContainerInspectInfo, target: ScaleTarget, number: number): string {
  const m = /^\/?(.*[_-])(\d+)$/.exec(template.Name);
  if (m && m[2] === template.Config.Labels?.[LABEL_NUMBER]) return `${m[1]}${number}`;
  return `${(target.project ?? '').replace(/^[-_]+/, '')}_${target.name}_${number}`;
}

/**
 * The template's endpoint on one network, for a new container: the same aliases without the
 * template's own short id (compose adds each container's), the service name always among them;
 * no fixed addresses, which would clash.
 */
function endpointFor(
  settings: Docker.ContainerInspectInfo['NetworkSettings']['Networks'][string],
  template: Docker.ContainerInspectInfo,
  service: string,
): Docker.EndpointSettings {
  const shortId = template.Id.slice(0, 12);
  const aliases = ((settings.Aliases as string[] | null) ?? []).filter((a) => a !== shortId);
  const ipam = settings.IPAMConfig as { LinkLocalIPs?: string[] } | null | undefined;
  return {
    Aliases: [...new Set([service, ...aliases].filter(Boolean))],
    Links: (settings.Links as string[] | null)?.map(createLink),
    IPAMConfig: ipam?.LinkLocalIPs?.length ? { LinkLocalIPs: ipam.LinkLocalIPs } : undefined,
    DriverOpts: (settings as { DriverOpts?: Record<string, string> | null }).DriverOpts ?? undefined,
  };
}

/** Inspect shows links as `/target:/container/alias`; create takes `target:alias`. */
function createLink(link: string): string {
  const [source, alias] = link.split(':');
  return `${source.replace(/^\//, '')}:${(alias ?? source).split('/').pop()}`;
}

/** The engine's answer to starting a container whose containerd task outlived a dockerd restart. */
function isStaleTask(err: unknown): boolean {
  const e = err as { statusCode?: number; json?: { message?: string }; message?: string };
  return e?.statusCode === 500 && /task .*already exists/i.test(e.json?.message ?? e.message ?? '');
}

/** 304 "already started/stopped" is success for start and stop. */
async function ignore304(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if ((err as { statusCode?: number })?.statusCode !== 304) throw err;
  }
}
