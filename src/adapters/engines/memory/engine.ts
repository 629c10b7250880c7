import { SAMPLE_HISTORY } from '../../sources/replay/source.js';
import type { Actuator, EngineFactory, ScaleTarget } from '../port.js';

/** One service that exists only in memory and follows every plan, standing for a real one. */
export class InMemoryActuator implements Actuator {
  private replicas: number;

  /** `kind`: the kind of engine it stands for (its targets are `kind/name`). */
  constructor(
    readonly kind: string,
    private readonly name: string,
    private readonly labels: Record<string, string>,
    replicas: number,
  ) {
    this.replicas = replicas;
  }

  async discover(): Promise<ScaleTarget[]> {
    return [
      {
        key: `${this.kind}/${this.name}`,
        kind: this.kind,
        name: this.name,
        labels: this.labels,
        replicas: this.replicas,
      },
    ];
  }

  async getReplicas(): Promise<number> {
    return this.replicas;
  }

  async setReplicas(_target: ScaleTarget, replicas: number): Promise<void> {
    this.replicas = Math.max(0, Math.round(replicas));
  }
}

/** The labels of the embedded demo's one service: its load is the sample the `replay` source replays. */
export const DEMO_LABELS: Readonly<Record<string, string>> = Object.freeze({
  'prescale.enable': 'true',
  'prescale.query': SAMPLE_HISTORY,
  'prescale.capacity': '100',
  'prescale.min': '2',
  'prescale.max': '20',
  'prescale.startup-delay': '5m',
});

/**
 * The `memory` engine of `serve --embedded`: one in-memory service, `swarm/demo-web` (it stands
 * for a Swarm service), at 2 replicas. No events, no lease: nothing real is touched.
 */
export const memoryEngine: EngineFactory = () => ({
  actuators: [new InMemoryActuator('swarm', 'demo-web', { ...DEMO_LABELS }, 2)],
});
