/**
 * A scalable service found on an engine. Every engine (Swarm, Compose, an in-memory one in tests)
 * reports its services in this shape; nothing outside the engine's own folder looks at `kind`
 * for more than display and grouping.
 */
export interface ScaleTarget {
  /** Stable key, unique across engines: `<kind>/<name>` or `<kind>/<group>/<name>`. */
  readonly key: string;
  /** The engine that runs it (`swarm`, `compose`, …): each engine names its own kind. */
  readonly kind: string;
  /** The service's name on its engine. */
  readonly name: string;
  /** The group it belongs to on its engine (a Compose project), when the engine has groups. */
  readonly project?: string;
  /** The engine's own id of the service, when it has one (a Swarm service id). */
  readonly id?: string;
  /** All labels of the service, `prescale.*` among them. */
  readonly labels: Readonly<Record<string, string>>;
  /** Replicas the engine runs or is asked to run now. */
  readonly replicas: number;
}

/** How the config file's `services[].name` names a target: `name`, or `group/name`. */
export function configName(target: Pick<ScaleTarget, 'name' | 'project'>): string {
  return target.project !== undefined ? `${target.project}/${target.name}` : target.name;
}
