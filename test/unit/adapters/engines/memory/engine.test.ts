import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_LABELS, InMemoryActuator, memoryEngine } from '../../../../../src/adapters/engines/memory/engine.js';
import { SAMPLE_HISTORY } from '../../../../../src/adapters/sources/replay/source.js';
import { silentLogger } from '../../../../../src/observability/logger.js';

test('memory engine: one demo service on the replayed sample, no events, no lease', async () => {
  const engine = memoryEngine({ logger: silentLogger(), env: {} });
  assert.equal(engine.watch, undefined);
  assert.equal(engine.leaseStore, undefined);
  assert.equal(engine.actuators.length, 1);
  const [demo] = await engine.actuators[0].discover();
  assert.equal(demo.key, 'swarm/demo-web');
  assert.equal(demo.replicas, 2);
  assert.equal(demo.labels['prescale.query'], SAMPLE_HISTORY);
  assert.deepEqual(demo.labels, DEMO_LABELS);
});

test('memory engine: the service follows every plan, whole and never below 0', async () => {
  const a = new InMemoryActuator('nomad', 'api', { 'prescale.enable': 'true' }, 1);
  const [t] = await a.discover();
  assert.equal(t.key, 'nomad/api');
  assert.equal(t.kind, 'nomad');
  await a.setReplicas(t, 4.6);
  assert.equal(await a.getReplicas(), 5);
  await a.setReplicas(t, -3);
  assert.equal((await a.discover())[0].replicas, 0);
});
