import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricsFromLabels, parseMetricList } from '../../../src/config/metrics.js';
import { parseConfig } from '../../../src/config/schema.js';
import { resolveSpec } from '../../../src/config/service-spec.js';

const target = (labels: Record<string, string>) => ({
  key: 'swarm/web',
  kind: 'swarm',
  name: 'web',
  replicas: 1,
  labels: { 'prescale.enable': 'true', ...labels },
});

test('metrics: YAML metrics are read with the label parsers; errors name the entry and the key', () => {
  const c = parseConfig(
    {
      services: [
        {
          name: 'web',
          metrics: [
            { name: 'cpu', query: 'sum(rate(cpu[1m]))', capacity: '0.5' },
            { name: 'rps', query: 'sum(rate(http[1m]))', capacity: '150' },
          ],
        },
      ],
    },
    'p.yaml',
  );
  const { spec } = resolveSpec(target({}), c);
  assert.deepEqual(
    spec?.metrics?.map((m) => [m.name, m.capacity]),
    [
      ['cpu', 0.5],
      ['rps', 150],
    ],
  );
  assert.equal(spec?.policy.capacityPerReplica, 0.5, 'the first metric is the policy capacity (the tuning replays it)');
  const bad = (metrics: unknown) => () => parseConfig({ services: [{ name: 'web', metrics }] }, 'p.yaml');
  assert.throws(bad([{ name: 'cpu', query: 'q' }]), /p\.yaml: services\.0\.metrics: 0: cpu: capacity: missing/);
  assert.throws(bad([{ name: 'Cpu!', query: 'q', capacity: '1' }]), /metric name is lower-case/);
  assert.throws(bad([{ name: 'cpu', query: 'q', capacity: '1', step: 5 }]), /unknown key step/);
  assert.throws(
    bad([
      { name: 'cpu', query: 'q', capacity: '1' },
      { name: 'cpu', query: 'r', capacity: '2' },
    ]),
    /two metrics named cpu/,
  );
  const nine = Array.from({ length: 9 }, (_, i) => ({ name: `m${i}`, query: 'q', capacity: '1' }));
  assert.throws(bad(nine), /9 metrics, at most 8 per service/);
});

test('metrics: labels name metrics by suffix, sorted; they replace the config list; the plain form is unchanged', () => {
  const l = metricsFromLabels({
    'prescale.query.rps': 'a',
    'prescale.capacity.rps': '10',
    'prescale.query.cpu': 'b',
    'prescale.capacity.cpu': '2',
  });
  assert.deepEqual(l, {
    metrics: [
      { name: 'cpu', query: 'b', capacity: 2 },
      { name: 'rps', query: 'a', capacity: 10 },
    ],
    errors: [],
  });
  assert.deepEqual(metricsFromLabels({ 'prescale.query': 'q', 'prescale.capacity': '1' }), { errors: [] });
  assert.match(
    metricsFromLabels({ 'prescale.capacity.cpu': 'x' }).errors.join(),
    /prescale\.capacity\.cpu=x: not a positive number/,
  );
  const config = parseConfig(
    { services: [{ name: 'web', metrics: [{ name: 'mem', query: 'm', capacity: '1' }] }] },
    'c',
  );
  const { spec } = resolveSpec(target({ 'prescale.query.cpu': 'b', 'prescale.capacity.cpu': '2' }), config);
  assert.deepEqual(
    spec?.metrics?.map((m) => m.name),
    ['cpu'],
  );
  const plain = resolveSpec(target({ 'prescale.query': 'q', 'prescale.capacity': '3' }), config);
  assert.deepEqual(plain.errors, [
    'prescale.query: set beside the metrics mem: give the load as one metric more, or one query alone',
    'prescale.capacity: set beside the metrics mem: each metric has its own capacity',
  ]);
  const alone = resolveSpec(target({ 'prescale.query': 'q', 'prescale.capacity': '3' }), parseConfig({}, 'c'));
  assert.equal(alone.spec?.metrics, undefined);
  assert.equal(alone.spec?.query, 'q');
  assert.equal(parseMetricList('x').ok, false);
});

test('metrics: a capacity in defaults: does not clash with a service that has metrics', () => {
  const config = parseConfig({ defaults: { capacity: '7' } }, 'c');
  const { spec, errors } = resolveSpec(target({ 'prescale.query.cpu': 'b', 'prescale.capacity.cpu': '2' }), config);
  assert.deepEqual(errors, []);
  assert.equal(spec?.policy.capacityPerReplica, 2);
});
