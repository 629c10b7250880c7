import type { ScaleTarget } from '../../core/domain/target.js';
import type { Logger } from '../../observability/logger.js';
import type { LeaseStore } from '../../runtime/leader.js';

export type { ScaleTarget };

/** Applies replica counts to one kind of engine object. Engine code lives only behind this. */
export interface Actuator {
  /** The kind of engine objects it scales; the same as its targets' `kind`. */
  readonly kind: string;
  /** Services labelled `prescale.enable=true`, with their current replicas. */
  discover(): Promise<ScaleTarget[]>;
  /** Current replicas of one target (fresh read). */
  getReplicas(target: ScaleTarget): Promise<number>;
  /** Ask the engine for `replicas`. Throws PrescaleError E_ENGINE* on failure; never goes below 0. */
  setReplicas(target: ScaleTarget, replicas: number): Promise<void>;
}

/**
 * Something on the engine may have changed what discovery finds: a service appeared, changed
 * its labels or went away (`event`), or events may have been missed while the stream was down
 * (`resync`, after a reconnection).
 */
export interface EngineChange {
  readonly reason: 'event' | 'resync';
  /** The engine's object type, e.g. `service` or `container` (events only). */
  readonly type?: string;
  /** `create`, `update`, `remove`, `destroy`, … (events only). */
  readonly action?: string;
  /** The object's name, when the event carries one. */
  readonly name?: string;
}

/** A feed of engine changes. The application re-discovers on each; it never needs more. */
export interface EngineWatch {
  /** Starts watching; `onChange` is called for every change until `stop()`. */
  start(onChange: (change: EngineChange) => void): void;
  /** Stops watching and closes the streams. */
  stop(): Promise<void>;
}

/** What one engine gives the runtime. */
export interface Engine {
  /** One actuator per kind of object it scales (e.g. Swarm services and Compose containers). */
  readonly actuators: readonly Actuator[];
  /** Changes on the engine, so that services are re-discovered without waiting for a cycle. */
  readonly watch?: EngineWatch;
  /** Where instances sharing the engine keep the leader lease (used with --apply only). */
  readonly leaseStore?: LeaseStore;
}

/** What an engine factory is given. */
export interface EngineContext {
  readonly logger: Logger;
  /** The process environment (e.g. DOCKER_HOST). */
  readonly env: NodeJS.ProcessEnv;
}

/** Makes one engine; registered by kind in ./registry.ts. No I/O until the runtime asks. */
export type EngineFactory = (ctx: EngineContext) => Engine;
