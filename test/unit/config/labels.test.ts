import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ScaleTarget } from '../../../src/adapters/engines/port.js';
import { parseLabels } from '../../../src/config/labels.js';
import { loadConfig, parseConfig } from '../../../src/config/schema.js';
import { resolveSpec } from '../../../src/config/service-spec.js';
import { isPrescaleError } from '../../../src/core/domain/errors.js';

const good: Array<[Record<string, string>, Record<string, unknown>]> = [
  [{ 'prescale.capacity': '150' }, { capacityPerReplica: 150 }],
  [
    { 'prescale.min': '2', 'prescale.max': '12' },
    { minReplicas: 2, maxReplicas: 12 },
  ],
  [{ 'prescale.startup-delay': '5m' }, { startupDelaySec: 300 }],
  [{ 'prescale.startup-delay': '90' }, { startupDelaySec: 90 }],
  [{ 'prescale.quantile': 'p50' }, { quantile: 'p50' }],
  [
    { 'prescale.margin-scale': '1.5', 'prescale.auto-tune': 'False' },
    { marginScale: 1.5, autoTune: false },
  ],
  [{ 'prescale.query': 'sum(rate(http_requests_total[1m]))' }, { query: 'sum(rate(http_requests_total[1m]))' }],
  [{ 'prescale.enable': 'true', 'com.docker.stack.namespace': 'x' }, {}],
];
for (const [labels, want] of good) {
  test(`labels: ${JSON.stringify(labels)}`, () => {
    const r = parseLabels(labels);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.overrides, want);
  });
}

const bad: Array<[Record<string, string>, RegExp]> = [
  [{ 'prescale.capacity': 'abc' }, /^prescale\.capacity=abc: not a positive number$/],
  [{ 'prescale.capacity': '-5' }, /prescale\.capacity=-5/],
  [{ 'prescale.min': '1.5' }, /prescale\.min=1\.5: not a whole number/],
  [{ 'prescale.startup-delay': 'soon' }, /prescale\.startup-delay=soon: not a duration/],
  [{ 'prescale.quantile': 'p99' }, /prescale\.quantile=p99: not p50 or p90/],
  [{ 'prescale.capacty': '10' }, /prescale\.capacty=10: unknown label/],
  [{ 'prescale.auto-tune': 'yes' }, /^prescale\.auto-tune=yes: not true or false$/],
  [{ 'prescale.margin-scale': '-1' }, /^prescale\.margin-scale=-1: not a number >= 0$/],
];
for (const [labels, msg] of bad) {
  test(`labels rejected: ${JSON.stringify(labels)}`, () => {
    const r = parseLabels(labels);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0], msg);
  });
}

const target = (labels: Record<string, string>): ScaleTarget => ({
  key: 'swarm/web',
  kind: 'swarm',
  name: 'web',
  labels,
  replicas: 1,
});

test('spec: labels override the config entry, which overrides defaults', () => {
  const config = parseConfig(
    {
      defaults: { startupDelay: 120, min: 2 },
      services: [{ name: 'web', query: 'q_from_file', capacity: 10, max: 8 }],
    },
    'c.yaml',
  );
  const { spec, errors } = resolveSpec(target({ 'prescale.enable': 'true', 'prescale.max': '20' }), config);
  assert.deepEqual(errors, []);
  assert.equal(spec?.query, 'q_from_file');
  assert.equal(spec?.policy.capacityPerReplica, 10);
  assert.equal(spec?.policy.maxReplicas, 20);
  assert.equal(spec?.policy.minReplicas, 2);
  assert.equal(spec?.policy.startupDelaySec, 120);
  assert.equal(spec?.policy.targetUtilization, 0.8);
});

test('spec: missing query and capacity, min above max', () => {
  const { spec, errors } = resolveSpec(target({ 'prescale.min': '5', 'prescale.max': '2' }), parseConfig({}, 'x'));
  assert.equal(spec, undefined);
  assert.equal(errors.length, 3);
  assert.match(
    errors.join('\n'),
    /prescale\.query: missing[\s\S]*prescale\.capacity: missing[\s\S]*prescale\.min=5 is above prescale\.max=2/,
  );
});

test('config: errors name the file and the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-cfg-'));
  const path = join(dir, 'prescale.yaml');
  writeFileSync(path, 'services:\n  - name: web\n    capacity: lots\n');
  assert.throws(
    () => loadConfig(path),
    (e: unknown) => isPrescaleError(e, 'E_CONFIG') && e.message.includes(`${path}: services.0.capacity:`),
  );
  writeFileSync(path, 'cycle: {step: 60, stpe: 5}\n');
  assert.throws(
    () => loadConfig(path),
    (e: unknown) => isPrescaleError(e, 'E_CONFIG') && /cycle: .*stpe/.test(e.message),
  );
  writeFileSync(path, 'a: [\n');
  assert.throws(
    () => loadConfig(path),
    (e: unknown) => isPrescaleError(e, 'E_CONFIG') && /not valid YAML/.test(e.message),
  );
  const ok = loadConfig(undefined);
  assert.equal(ok.cycle.step, 60);
  assert.ok(Object.isFrozen(ok.cycle));
});
