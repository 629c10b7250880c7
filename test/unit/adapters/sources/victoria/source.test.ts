import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PrometheusSource } from '../../../../../src/adapters/sources/prometheus/source.js';
import { parseConfig } from '../../../../../src/config/schema.js';
import { silentLogger } from '../../../../../src/observability/logger.js';
import { buildEdges } from '../../../../../src/runtime/wiring.js';

test('victoria source: registered and chosen by name', () => {
  const edges = buildEdges(
    { apply: false, source: 'victoria', prometheus: 'http://vm:8428' },
    parseConfig({}, 'test'),
    silentLogger(),
    { env: { DOCKER_HOST: 'unix:///x' } },
  );
  assert.ok(edges.source instanceof PrometheusSource);
  assert.equal(edges.where, 'http://vm:8428');
});
