import type { ScaleTarget } from '../../core/domain/target.js';

export type { ScaleTarget };

/** Applies replica counts to one kind of engine object. Docker code lives only behind this. */
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
