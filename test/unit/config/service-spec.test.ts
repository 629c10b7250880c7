import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/schema.js';
import { resolveSpec } from '../../../src/config/service-spec.js';
import { DEFAULT_POLICY } from '../../../src/config/defaults.js';
import type { ScaleTarget } from '../../../src/core/domain/target.js';

const target = (labels: Record<string, string>, name = 'web'): ScaleTarget => ({
  key: `swarm/${name}`,
  kind: 'swarm',
  name,
  labels: { 'prescale.enable': 'true', 'prescale.query': 'q', 'prescale.capacity': '10', ...labels },
  replicas: 1,
});

test('spec: a services[] maxForecastError is used, not only the one in defaults', () => {
  const config = parseConfig(
    { defaults: { maxForecastError: 0.3 }, services: [{ name: 'web', maxForecastError: 2 }] },
    'c.yaml',
  );
  assert.equal(resolveSpec(target({}), config).spec?.policy.maxForecastError, 2);
  assert.equal(resolveSpec(target({}, 'api'), config).spec?.policy.maxForecastError, 0.3);
  assert.equal(resolveSpec(target({}, 'api'), parseConfig({}, 'x')).spec?.policy.maxForecastError, 0.5);
});

test('spec: every YAML key of a services[] entry reaches the policy, and wins over defaults', () => {
  const entry = {
    name: 'web',
    capacity: 7,
    min: 2,
    max: 9,
    startupDelay: 60,
    quantile: 'p50',
    targetUtilization: 0.7,
    headroom: 0.2,
    marginScale: 1.5,
    autoTune: false,
    maxStepUp: 3,
    maxStepDown: 2,
    stabilization: 600,
    cooldown: 120,
    maxForecastError: 0.9,
  };
  const config = parseConfig({ defaults: { min: 1, max: 50, maxForecastError: 0.1 }, services: [entry] }, 'c.yaml');
  const { spec, errors } = resolveSpec({ ...target({}), labels: { 'prescale.query': 'q' } }, config);
  assert.deepEqual(errors, []);
  assert.deepEqual(spec?.policy, {
    ...DEFAULT_POLICY,
    capacityPerReplica: 7,
    minReplicas: 2,
    maxReplicas: 9,
    startupDelaySec: 60,
    quantile: 'p50',
    targetUtilization: 0.7,
    headroom: 0.2,
    marginScale: 1.5,
    autoTune: false,
    maxStepUp: 3,
    maxStepDown: 2,
    scaleDownStabilizationSec: 600,
    cooldownSec: 120,
    maxForecastError: 0.9,
  });
});

test('spec: labels win over the config entry field by field, and the model defaults to auto', () => {
  const config = parseConfig({ services: [{ name: 'web', max: 8, model: 'hw' }] }, 'c.yaml');
  const { spec } = resolveSpec(target({ 'prescale.max': '20', 'prescale.max-forecast-error': '0.25' }), config);
  assert.equal(spec?.policy.maxReplicas, 20);
  assert.equal(spec?.policy.maxForecastError, 0.25);
  assert.equal(spec?.model, 'hw');
  assert.equal(resolveSpec(target({}), parseConfig({}, 'x')).spec?.model, 'auto');
});

test('spec: min 0 and max 0 from labels is refused, not a service scaled to zero', () => {
  const { spec, errors } = resolveSpec(target({ 'prescale.min': '0', 'prescale.max': '0' }), parseConfig({}, 'x'));
  assert.equal(spec, undefined);
  assert.deepEqual(errors, ['prescale.max=0: not a whole number >= 1']);
});

test('spec: a min above the max from different places (defaults, entry, label) is refused', () => {
  const config = parseConfig({ defaults: { min: 5 }, services: [{ name: 'web', max: 3 }] }, 'c.yaml');
  assert.deepEqual(resolveSpec(target({}), config).errors, ['prescale.min=5 is above prescale.max=3']);
});

const bare = (labels: Record<string, string>): ScaleTarget => ({ ...target({}), labels });

test('spec: labels override the config entry, which overrides defaults', () => {
  const config = parseConfig(
    {
      defaults: { startupDelay: 120, min: 2 },
      services: [{ name: 'web', query: 'q_from_file', capacity: 10, max: 8 }],
    },
    'c.yaml',
  );
  const { spec, errors } = resolveSpec(bare({ 'prescale.enable': 'true', 'prescale.max': '20' }), config);
  assert.deepEqual(errors, []);
  assert.equal(spec?.query, 'q_from_file');
  assert.equal(spec?.policy.capacityPerReplica, 10);
  assert.equal(spec?.policy.maxReplicas, 20);
  assert.equal(spec?.policy.minReplicas, 2);
  assert.equal(spec?.policy.startupDelaySec, 120);
  assert.equal(spec?.policy.targetUtilization, 0.8);
});

test('spec: missing query and capacity, min above max', () => {
  const { spec, errors } = resolveSpec(bare({ 'prescale.min': '5', 'prescale.max': '2' }), parseConfig({}, 'x'));
  assert.equal(spec, undefined);
  assert.equal(errors.length, 3);
  assert.match(
    errors.join('\n'),
    /prescale\.query: missing[\s\S]*prescale\.capacity: missing[\s\S]*prescale\.min=5 is above prescale\.max=2/,
  );
});
