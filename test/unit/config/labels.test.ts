import assert from 'node:assert/strict';
import { test } from 'node:test';
import { POLICY_ENTRIES, SPEC_FIELDS } from '../../../src/config/fields.js';
import { LABELS, labelTable, parseLabels } from '../../../src/config/labels.js';
import { markdown, readmeTable } from './readme-table.js';

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
  [
    { 'prescale.min': '0', 'prescale.max': '1', 'prescale.capacity': '0.5' },
    { minReplicas: 0, maxReplicas: 1, capacityPerReplica: 0.5 },
  ],
  [
    { 'prescale.stabilization': '1d', 'prescale.cooldown': '0' },
    { scaleDownStabilizationSec: 86_400, cooldownSec: 0 },
  ],
  [{ 'prescale.max-forecast-error': '0.8' }, { maxForecastError: 0.8 }],
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
  // labels are held to the config's bounds: max >= 1, steps >= 1, plain decimal numbers
  [{ 'prescale.max': '0' }, /^prescale\.max=0: not a whole number >= 1$/],
  [{ 'prescale.max-step-up': '0' }, /^prescale\.max-step-up=0: not a whole number >= 1$/],
  [{ 'prescale.max-step-down': '0' }, /^prescale\.max-step-down=0: not a whole number >= 1$/],
  [{ 'prescale.capacity': '0x10' }, /^prescale\.capacity=0x10: not a positive number$/],
  [{ 'prescale.capacity': '1e3' }, /^prescale\.capacity=1e3: not a positive number$/],
  [{ 'prescale.capacity': ' 5 ' }, /^prescale\.capacity= 5 : not a positive number$/],
  [{ 'prescale.capacity': 'Infinity' }, /^prescale\.capacity=Infinity: not a positive number$/],
  [{ 'prescale.capacity': '' }, /^prescale\.capacity=: not a positive number$/],
  [{ 'prescale.headroom': '0x1' }, /^prescale\.headroom=0x1: not a number >= 0$/],
  [{ 'prescale.target-utilization': '.8' }, /^prescale\.target-utilization=\.8: not a number in \(0, 1\]$/],
  [{ 'prescale.target-utilization': '1.5' }, /^prescale\.target-utilization=1\.5: not a number in \(0, 1\]$/],
  [{ 'prescale.min': '0x2' }, /^prescale\.min=0x2: not a whole number >= 0$/],
  [{ 'prescale.max': '100001' }, /^prescale\.max=100001: above the limit of 100,000$/],
  [{ 'prescale.startup-delay': '2d' }, /^prescale\.startup-delay=2d: above the limit of 1d$/],
  [{ 'prescale.cooldown': '25h' }, /^prescale\.cooldown=25h: above the limit of 1d$/],
  [{ 'prescale.stabilization': '1e3' }, /^prescale\.stabilization=1e3: not a duration/],
  [{ 'prescale.max-forecast-error': '0' }, /^prescale\.max-forecast-error=0: not a positive number$/],
];
for (const [labels, msg] of bad) {
  test(`labels rejected: ${JSON.stringify(labels)}`, () => {
    const r = parseLabels(labels);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0], msg);
  });
}

test('README: the label table is the field table (fix the README with the table printed below)', () => {
  const want = labelTable();
  assert.ok(want.length > 10);
  const got = readmeTable('Opting a service in', want[0]);
  assert.deepEqual(got, want, `README.md, "Opting a service in", should hold:\n\n${markdown(want)}\n`);
});

test('labels: every label sets the row it is listed with, and every row with a label is listed', () => {
  const labelled = [...Object.entries(SPEC_FIELDS), ...POLICY_ENTRIES].filter(([, f]) => f.label);
  assert.deepEqual(
    LABELS.map(([label, field]) => [label, field]),
    labelled.map(([prop, f]) => [f.label, prop]),
  );
  assert.equal(new Set(LABELS.map(([l]) => l)).size, LABELS.length);
});
