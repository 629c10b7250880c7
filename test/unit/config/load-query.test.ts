import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cadvisorLabel, loadQuery, promString } from '../../../src/config/load-query.js';
import { parseConfig } from '../../../src/config/schema.js';
import { resolveSpec } from '../../../src/config/service-spec.js';
import type { ScaleTarget } from '../../../src/core/domain/target.js';

const swarm = { kind: 'swarm', name: 'web' };
const compose = { kind: 'compose', name: 'api', project: 'shop' };

test('cpu of a Swarm service: the rate of its tasks’ CPU seconds, summed', () => {
  assert.deepEqual(loadQuery({ metric: 'cpu' }, swarm), {
    query: 'sum(rate(container_cpu_usage_seconds_total{container_label_com_docker_swarm_service_name="web"}[1m]))',
  });
});

test('memory of a Compose service: its containers’ working set, by project and service', () => {
  assert.deepEqual(loadQuery({ metric: 'memory' }, compose), {
    query:
      'sum(container_memory_working_set_bytes{container_label_com_docker_compose_project="shop",container_label_com_docker_compose_service="api"})',
  });
  assert.match(
    (loadQuery({ metric: 'cpu' }, compose) as { query: string }).query,
    /^sum\(rate\(container_cpu_usage_seconds_total\{container_label_com_docker_compose_project="shop",container_label_com_docker_compose_service="api"\}\[1m\]\)\)$/,
  );
});

test('names are escaped as PromQL strings: a quote or backslash cannot end the selector', () => {
  assert.equal(promString('a"b\\c\nd'), '"a\\"b\\\\c\\nd"');
  const q = loadQuery({ metric: 'cpu' }, { kind: 'swarm', name: 'x"} or vector(1) or {a="' });
  assert.deepEqual(q, {
    query:
      'sum(rate(container_cpu_usage_seconds_total{container_label_com_docker_swarm_service_name="x\\"} or vector(1) or {a=\\""}[1m]))',
  });
  assert.equal(cadvisorLabel('com.docker.compose.project'), 'container_label_com_docker_compose_project');
  assert.equal(cadvisorLabel('my-app/tier'), 'container_label_my_app_tier');
});

test('a query wins over a metric; neither, or an engine without container labels, is an error naming the label', () => {
  assert.deepEqual(loadQuery({ query: 'up', metric: 'cpu' }, swarm), { query: 'up' });
  assert.match(
    (loadQuery({}, swarm) as { error: string }).error,
    /^prescale\.query: missing .*prescale\.metric=cpu\|memory/,
  );
  assert.match(
    (loadQuery({ metric: 'cpu' }, { kind: 'memory', name: 'web' }) as { error: string }).error,
    /^prescale\.metric=cpu: no cAdvisor labels for a memory service; give prescale\.query/,
  );
  assert.ok('error' in loadQuery({ metric: 'cpu' }, { kind: 'compose', name: 'api' }));
});

const target = (labels: Record<string, string>): ScaleTarget => ({
  key: 'swarm/web',
  kind: 'swarm',
  name: 'web',
  labels: { 'prescale.enable': 'true', 'prescale.capacity': '0.5', ...labels },
  replicas: 1,
});
const noConfig = parseConfig({}, 'x.yaml');

test('spec: prescale.metric=cpu builds the query; capacity stays in cores', () => {
  const { spec, errors } = resolveSpec(target({ 'prescale.metric': 'cpu' }), noConfig);
  assert.deepEqual(errors, []);
  assert.match(
    spec?.query ?? '',
    /container_cpu_usage_seconds_total\{container_label_com_docker_swarm_service_name="web"\}/,
  );
  assert.equal(spec?.policy.capacityPerReplica, 0.5);
});

test('spec: an unknown metric skips the service with one problem naming the label and value', () => {
  const { spec, errors } = resolveSpec(target({ 'prescale.metric': 'disk' }), noConfig);
  assert.equal(spec, undefined);
  assert.deepEqual(errors, ['prescale.metric=disk: not cpu or memory']);
});

test('spec: the YAML key `metric` of a services[] entry, and prescale.query winning over it', () => {
  const config = parseConfig({ services: [{ name: 'web', metric: 'memory', capacity: 536870912 }] }, 'c.yaml');
  const byYaml = resolveSpec(target({ 'prescale.capacity': '536870912' }), config).spec;
  assert.match(byYaml?.query ?? '', /^sum\(container_memory_working_set_bytes\{/);
  const both = resolveSpec(target({ 'prescale.query': 'sum(up)' }), config).spec;
  assert.equal(both?.query, 'sum(up)');
  assert.throws(() => parseConfig({ services: [{ name: 'web', metric: 'gpu' }] }, 'c.yaml'), /services\.0\.metric/);
});
