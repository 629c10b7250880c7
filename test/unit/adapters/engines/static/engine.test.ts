import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../../../src/config/schema.js';
import { silentLogger } from '../../../../../src/observability/logger.js';
import { Reconciler } from '../../../../../src/runtime/cycle.js';
import { buildEdges } from '../../../../../src/runtime/wiring.js';
import { FakeSource } from '../../../../support/fakes.js';

test('static engine: registered, planned beside Docker, scaled by the cycle', async () => {
  const env = {
    DOCKER_HOST: 'unix:///nonexistent.sock',
    PRESCALE_STATIC_SERVICES: JSON.stringify([
      {
        name: 'web',
        replicas: 1,
        labels: {
          'prescale.enable': 'true',
          'prescale.query': 'high',
          'prescale.capacity': '100',
          'prescale.max': '40',
        },
      },
    ]),
  };
  const config = parseConfig({}, 'test');
  const edges = buildEdges(
    { apply: true, prometheus: 'http://p:9090', engines: ['docker', 'static'] },
    config,
    silentLogger(),
    { env },
  );
  assert.deepEqual(
    edges.actuators.map((a) => a.kind),
    ['swarm', 'compose', 'static'],
  );
  const r = new Reconciler({
    source: new FakeSource(),
    actuators: edges.actuators.slice(2),
    config,
    apply: true,
    logger: silentLogger(),
  });
  const report = await r.runOnce(1_800_000_000);
  assert.equal(report.services[0].key, 'static/web');
  assert.equal(await edges.actuators[2].getReplicas(report.services[0] as never), report.services[0].desiredReplicas);
  assert.ok(report.services[0].desiredReplicas > 1);
});
