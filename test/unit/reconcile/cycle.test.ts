import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Actuator, ScaleTarget } from '../../../src/actuator/port.js';
import type { MetricsSource } from '../../../src/collector/port.js';
import { parseConfig } from '../../../src/config/schema.js';
import { PrescaleError } from '../../../src/domain/errors.js';
import type { Samples } from '../../../src/domain/series.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { Reconciler } from '../../../src/reconcile/cycle.js';

const NOW = 1_800_000_000;

/** A source serving a daily shape per query; queries named `down` fail like a dead Prometheus. */
class FakeSource implements MetricsSource {
  calls: Array<[string, number, number]> = [];
  async queryRange(query: string, start: number, end: number, step: number): Promise<Samples> {
    this.calls.push([query, start, end]);
    if (query === 'down') throw new PrescaleError('E_PROM_UNREACHABLE', 'Prometheus at http://x is unreachable');
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

class FakeActuator implements Actuator {
  readonly kind = 'swarm' as const;
  sets: Array<[string, number]> = [];
  constructor(
    public targets: ScaleTarget[],
    private readonly failOn = new Set<string>(),
  ) {}
  async discover() {
    return this.targets;
  }
  async getReplicas(t: ScaleTarget) {
    return t.replicas;
  }
  async setReplicas(t: ScaleTarget, n: number) {
    if (this.failOn.has(t.name)) throw new PrescaleError('E_DOCKER', 'update failed');
    this.sets.push([t.name, n]);
  }
}

const target = (name: string, query: string, replicas: number, extra: Record<string, string> = {}): ScaleTarget => ({
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
});

function reconciler(source: MetricsSource, actuator: Actuator, apply = true) {
  return new Reconciler({
    source,
    actuators: [actuator],
    config: parseConfig({ cycle: { history: 4 * 86_400 } }, 't'),
    apply,
    logger: silentLogger(),
  });
}

test('cycle: data missing holds replicas with the reason; bad labels skip; others still planned and applied', async () => {
  const actuator = new FakeActuator([
    target('dead', 'down', 4),
    target('nothing', 'empty', 3),
    target('typo', 'ok', 2, { 'prescale.capacity': 'abc' }),
    target('busy', 'high', 2),
  ]);
  const report = await reconciler(new FakeSource(), actuator).runOnce(NOW);
  const by = Object.fromEntries(report.services.map((s) => [s.name, s]));
  assert.equal(by.dead.status, 'held');
  assert.equal(by.dead.decision?.reason, 'HoldOnError');
  assert.equal(by.dead.desiredReplicas, 4);
  assert.match(by.dead.message, /holding 4 replicas: .*unreachable/);
  assert.equal(by.nothing.status, 'held');
  assert.match(by.nothing.message, /returned no samples/);
  assert.equal(by.typo.status, 'skipped');
  assert.match(by.typo.message, /prescale\.capacity=abc/);
  assert.equal(by.busy.status, 'planned');
  assert.equal(by.busy.desiredReplicas, 10, 'capped at max');
  assert.deepEqual(actuator.sets, [['busy', 10]]);
  assert.equal(report.errors[0]?.kind, 'prometheus');
});

test('cycle: an engine error when applying is reported, the cycle goes on; dry run applies nothing', async () => {
  const actuator = new FakeActuator([target('a', 'high', 2), target('b', 'high', 2)], new Set(['a']));
  const report = await reconciler(new FakeSource(), actuator).runOnce(NOW);
  assert.match(report.services[0].problems.join(), /could not apply 10 replicas/);
  assert.equal(report.services[0].applied, false);
  assert.deepEqual(actuator.sets, [['b', 10]]);
  const dry = new FakeActuator([target('c', 'high', 2)]);
  const r2 = await reconciler(new FakeSource(), dry, false).runOnce(NOW);
  assert.equal(r2.services[0].desiredReplicas, 10);
  assert.deepEqual(dry.sets, []);
});

test('cycle: discovery failing is reported and nothing is planned', async () => {
  const broken: Actuator = {
    ...new FakeActuator([]),
    kind: 'swarm',
    discover: async () => Promise.reject(new PrescaleError('E_DOCKER_UNREACHABLE', 'engine down')),
    getReplicas: async () => 0,
    setReplicas: async () => {},
  };
  const report = await reconciler(new FakeSource(), broken).runOnce(NOW);
  assert.equal(report.services.length, 0);
  assert.deepEqual(
    report.errors.map((e) => e.code),
    ['E_DOCKER_UNREACHABLE'],
  );
});

test('cycle: history is fetched whole once, then only new samples; the forecast is reused within a bucket', async () => {
  const source = new FakeSource();
  const r = reconciler(source, new FakeActuator([target('a', 'ok', 2)]), false);
  const first = await r.runOnce(NOW);
  const second = await r.runOnce(NOW + 60);
  assert.equal(source.calls.length, 2);
  assert.equal(source.calls[0][2] - source.calls[0][1], 4 * 86_400);
  assert.ok(source.calls[1][2] - source.calls[1][1] <= 120, 'incremental fetch');
  const later = await r.runOnce(NOW + 600);
  assert.equal(second.services[0].forecast, first.services[0].forecast, 'same bucket: the same forecast object');
  assert.notEqual(
    later.services[0].forecast?.start,
    first.services[0].forecast?.start,
    'a new bucket gives a new forecast',
  );
  assert.equal(first.services[0].history?.gaps, 0);
});
