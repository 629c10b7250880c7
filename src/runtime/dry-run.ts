import type { Logger } from '../observability/logger.js';
import type { Actuator, ScaleTarget } from '../adapters/engines/port.js';

/** One change a dry run would have made. */
export interface WouldScale {
  readonly key: string;
  readonly from: number;
  readonly to: number;
}

/**
 * Recommend-only mode, the default: discovery and reads go to the real engine, changes are
 * recorded and logged, never sent.
 */
export class DryRunActuator implements Actuator {
  readonly recorded: WouldScale[] = [];

  constructor(
    private readonly inner: Actuator,
    private readonly logger?: Logger,
  ) {}

  get kind(): string {
    return this.inner.kind;
  }

  discover(): Promise<ScaleTarget[]> {
    return this.inner.discover();
  }

  getReplicas(target: ScaleTarget): Promise<number> {
    return this.inner.getReplicas(target);
  }

  async setReplicas(target: ScaleTarget, replicas: number): Promise<void> {
    this.recorded.push({ key: target.key, from: target.replicas, to: replicas });
    this.logger?.info({ service: target.key, from: target.replicas, to: replicas }, 'dry run: would scale');
  }
}
