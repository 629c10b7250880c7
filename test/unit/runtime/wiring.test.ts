import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Actuator, EngineChange, EngineFactory, EngineWatch } from '../../../src/adapters/engines/port.js';
import { ENGINES } from '../../../src/adapters/engines/registry.js';
import { SOURCES } from '../../../src/adapters/sources/registry.js';
import { PrometheusSource } from '../../../src/adapters/sources/prometheus/source.js';
import { ReplaySource } from '../../../src/adapters/sources/replay/source.js';
import { parseConfig } from '../../../src/config/schema.js';
import { PrescaleError, isPrescaleError } from '../../../src/core/domain/errors.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { Reconciler } from '../../../src/runtime/cycle.js';
import { DryRunActuator } from '../../../src/runtime/dry-run.js';
import { EMBEDDED, buildEdges, withDryRun } from '../../../src/runtime/wiring.js';
import { FakeActuator, FakeSource, MemoryLeaseStore, labelled } from '../../support/fakes.js';

const logger = silentLogger();
const config = parseConfig({}, 'test');
const env = { DOCKER_HOST: 'unix:///nonexistent.sock' };

test('wiring: by default Prometheus from --prometheus and the Docker engine from DOCKER_HOST', () => {
  const edges = buildEdges({ apply: false, prometheus: 'http://prom:9090' }, config, logger, { env });
  assert.ok(edges.source instanceof PrometheusSource);
  assert.equal(edges.where, 'http://prom:9090');
  assert.deepEqual(
    edges.actuators.map((a) => a.kind),
    ['swarm', 'compose'],
  );
  assert.ok(edges.watch, 'the engine events are watched');
  assert.equal(edges.leaseStore, undefined, 'no lease without --apply');
  const applying = buildEdges({ apply: true, prometheus: 'http://prom:9090' }, config, logger, { env });
  assert.equal(applying.leaseStore?.where(), 'Swarm config prescale-leader');
});

test('wiring: --prometheus wins over `prometheus:` in the config; neither is an input error', () => {
  const withUrl = parseConfig({ prometheus: 'http://from-config:9090' }, 'test');
  assert.equal(buildEdges({ apply: false }, withUrl, logger, { env }).where, 'http://from-config:9090');
  assert.equal(
    buildEdges({ apply: false, prometheus: 'http://flag:9090' }, withUrl, logger, { env }).where,
    'http://flag:9090',
  );
  assert.throws(
    () => buildEdges({ apply: false }, config, logger, { env }),
    (err) =>
      isPrescaleError(err, 'E_INPUT') &&
      err.message === 'no Prometheus: give --prometheus URL or `prometheus:` in the config file',
  );
});

test('wiring: an unknown engine or source is an input error naming it and the known ones', () => {
  assert.throws(
    () => buildEdges({ apply: false, prometheus: 'http://p:9090', engines: ['nomad'] }, config, logger, { env }),
    (err) =>
      isPrescaleError(err, 'E_INPUT') &&
      err.message === `unknown engine "nomad" (known: ${Object.keys(ENGINES).join(', ')})`,
  );
  assert.throws(
    () => buildEdges({ apply: false, source: 'victoria' }, config, logger, { env }),
    (err) =>
      isPrescaleError(err, 'E_INPUT') &&
      err.message === `unknown source "victoria" (known: ${Object.keys(SOURCES).join(', ')})`,
  );
});

test('wiring: embedded is the replayed sample and one in-memory service; Docker is never asked', async () => {
  // a DOCKER_HOST the Docker engine would refuse: it is not built at all
  const edges = buildEdges({ apply: true, ...EMBEDDED }, config, logger, { env: { DOCKER_HOST: 'ssh://x' } });
  assert.ok(edges.source instanceof ReplaySource);
  assert.match(edges.where, /^embedded sample .*sample-web\.csv$/);
  assert.equal(edges.watch, undefined);
  assert.equal(edges.leaseStore, undefined, 'nothing to share: the in-memory service always follows its plan');
  const targets = (await Promise.all(edges.actuators.map((a) => a.discover()))).flat();
  assert.deepEqual(
    targets.map((t) => t.key),
    ['swarm/demo-web'],
  );
});

class CountingWatch implements EngineWatch {
  started = 0;
  stopped = 0;
  start(onChange: (change: EngineChange) => void) {
    this.started++;
    onChange({ reason: 'resync' });
  }
  async stop() {
    this.stopped++;
  }
}

test('wiring: several engines, in order: their actuators, one watch over all, the first lease', async () => {
  const w1 = new CountingWatch();
  const w2 = new CountingWatch();
  const lease = new MemoryLeaseStore();
  const engines: Record<string, EngineFactory> = {
    a: () => ({ actuators: [new FakeActuator([labelled('one', 'q', 1)])], watch: w1 }),
    b: () => ({ actuators: [new FakeActuator([labelled('two', 'q', 1)])], watch: w2, leaseStore: lease }),
    c: () => ({ actuators: [], leaseStore: new MemoryLeaseStore() }),
  };
  const sources = { fake: () => ({ source: new FakeSource(), where: 'fake' }) };
  const edges = buildEdges({ apply: true, source: 'fake', engines: ['a', 'b', 'c'] }, config, logger, {
    engines,
    sources,
  });
  const names = (await Promise.all(edges.actuators.map((a) => a.discover()))).flat().map((t) => t.name);
  assert.deepEqual(names, ['one', 'two']);
  assert.equal(edges.leaseStore, lease);
  const changes: EngineChange[] = [];
  edges.watch?.start((c) => changes.push(c));
  await edges.watch?.stop();
  assert.deepEqual([w1.started, w2.started, w1.stopped, w2.stopped], [1, 1, 1, 1]);
  assert.equal(changes.length, 2);
});

test('wiring: without apply the actuators are dry-run wrappers that never reach the engine', async () => {
  const real = new FakeActuator([labelled('web', 'q', 2)]);
  const [dry] = withDryRun([real], false, logger);
  assert.ok(dry instanceof DryRunActuator);
  assert.equal(dry.kind, 'swarm');
  const [t] = await dry.discover();
  await dry.setReplicas(t, 5);
  assert.deepEqual(real.sets, []);
  assert.deepEqual(dry.recorded, [{ key: 'swarm/web', from: 2, to: 5 }]);
  const [live] = withDryRun([real], true, logger);
  assert.equal(live, real);
});

/** An engine whose discovery fails, of a kind no other code knows. */
class DownActuator implements Actuator {
  readonly kind = 'nomad';
  async discover(): Promise<never> {
    throw new PrescaleError('E_ENGINE_UNREACHABLE', 'Nomad at http://nomad:4646 is unreachable');
  }
  async getReplicas(): Promise<number> {
    return 0;
  }
  async setReplicas(): Promise<void> {}
}

test('wiring: a failed discovery is reported with the failing engine kind, the others still planned', async () => {
  const engines: Record<string, EngineFactory> = {
    nomad: () => ({ actuators: [new DownActuator()] }),
    fake: () => ({ actuators: [new FakeActuator([labelled('web', 'q', 2)])] }),
  };
  const sources = { fake: () => ({ source: new FakeSource(), where: 'fake' }) };
  const edges = buildEdges({ apply: false, source: 'fake', engines: ['nomad', 'fake'] }, config, logger, {
    engines,
    sources,
  });
  const reconciler = new Reconciler({ source: edges.source, actuators: edges.actuators, config, apply: false, logger });
  const report = await reconciler.runOnce(1_800_000_000);
  assert.deepEqual(report.errors, [
    {
      kind: 'engine',
      adapter: 'nomad',
      code: 'E_ENGINE_UNREACHABLE',
      message: 'nomad discovery failed: Nomad at http://nomad:4646 is unreachable',
    },
  ]);
  assert.deepEqual(
    report.services.map((s) => [s.key, s.status]),
    [['swarm/web', 'planned']],
  );
});
