/** Hand-written fakes of the ports, for unit tests. */
import type { Actuator, ScaleTarget } from '../../src/adapters/engines/port.js';
import type { LeaseRecord, LeaseStore, StoredLease } from '../../src/runtime/leader.js';
import type { MetricsSource } from '../../src/adapters/sources/port.js';
import { PrescaleError } from '../../src/core/domain/errors.js';
import type { Samples } from '../../src/core/domain/series.js';

/**
 * Load per query: `high` is 2000 flat, `empty` has no samples, `down` fails like a dead
 * Prometheus, anything else a daily sine around 100. Every request is recorded in `calls`.
 */
export class FakeSource implements MetricsSource {
  readonly calls: Array<[string, number, number]> = [];
  async queryRange(query: string, start: number, end: number, step: number): Promise<Samples> {
    this.calls.push([query, start, end]);
    if (query === 'down') throw new PrescaleError('E_SOURCE_UNREACHABLE', 'Prometheus at http://x is unreachable');
    if (query === 'empty') return { timestamps: [], values: [] };
    const timestamps: number[] = [];
    const values: number[] = [];
    for (let t = start; t <= end; t += step) {
      timestamps.push(t);
      values.push(query === 'high' ? 2000 : 100 + 50 * Math.sin((2 * Math.PI * t) / 86_400));
    }
    return { timestamps, values };
  }
}

/**
 * An engine in memory: targets to discover, and the changes asked for. A change is followed by
 * the targets (as an engine would) unless `follow` is false; names in `failOn` refuse changes.
 */
export class FakeActuator implements Actuator {
  readonly kind: string = 'swarm';
  readonly sets: Array<[string, number]> = [];
  constructor(
    public targets: ScaleTarget[],
    private readonly opts: { readonly failOn?: ReadonlySet<string>; readonly follow?: boolean } = {},
  ) {}
  async discover() {
    return this.targets.map((t) => ({ ...t }));
  }
  async getReplicas(t: ScaleTarget) {
    return t.replicas;
  }
  async setReplicas(t: ScaleTarget, n: number) {
    if (this.opts.failOn?.has(t.name)) throw new PrescaleError('E_ENGINE', 'update failed');
    this.sets.push([t.name, n]);
    if (this.opts.follow === false) return;
    this.targets = this.targets.map((x) => (x.key === t.key ? { ...x, replicas: n } : x));
  }
}

/** A Swarm target with the prescale labels of a service whose load is `query`. */
export function labelled(
  name: string,
  query: string,
  replicas: number,
  extra: Record<string, string> = {},
): ScaleTarget {
  return {
    key: `swarm/${name}`,
    kind: 'swarm',
    name,
    replicas,
    labels: {
      'prescale.enable': 'true',
      'prescale.query': query,
      'prescale.capacity': '100',
      'prescale.min': '1',
      'prescale.max': '10',
      ...extra,
    },
  };
}

/** A lease store with the engine's semantics: create fails when one exists, writes compare versions. */
export class MemoryLeaseStore implements LeaseStore {
  lease?: StoredLease;
  down = false;
  private n = 0;
  private check() {
    if (this.down) throw new Error('engine unreachable');
  }
  where() {
    return 'memory';
  }
  async read() {
    this.check();
    return this.lease;
  }
  async create(record: LeaseRecord) {
    this.check();
    if (this.lease) return undefined;
    this.lease = { record, version: String(++this.n) };
    return this.lease;
  }
  async replace(version: string, record: LeaseRecord) {
    this.check();
    if (this.lease?.version !== version) return undefined;
    this.lease = { record, version: String(++this.n) };
    return this.lease;
  }
  async remove(version: string) {
    this.check();
    if (this.lease?.version === version) this.lease = undefined;
  }
}
