/** A scalable service found on an engine: a Swarm service or a Compose service. */
export interface ScaleTarget {
  /** Stable key, e.g. `swarm/web` or `compose/shop/web`. */
  readonly key: string;
  readonly kind: 'swarm' | 'compose';
  /** Swarm service name, or Compose service name. */
  readonly name: string;
  /** Compose project (compose targets only). */
  readonly project?: string;
  /** Swarm service id (swarm targets only). */
  readonly id?: string;
  /** All labels of the service (compose: of its containers), `prescale.*` among them. */
  readonly labels: Readonly<Record<string, string>>;
  /** Replicas the engine runs or is asked to run now. */
  readonly replicas: number;
}

/** Applies replica counts to one kind of engine object. Docker code lives only behind this. */
export interface Actuator {
  readonly kind: 'swarm' | 'compose';
  /** Services labelled `prescale.enable=true`, with their current replicas. */
  discover(): Promise<ScaleTarget[]>;
  /** Current replicas of one target (fresh read). */
  getReplicas(target: ScaleTarget): Promise<number>;
  /** Ask the engine for `replicas`. Throws PrescaleError E_DOCKER* on failure; never goes below 0. */
  setReplicas(target: ScaleTarget, replicas: number): Promise<void>;
}
