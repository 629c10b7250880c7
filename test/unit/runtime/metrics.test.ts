import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScaleTarget } from '../../../src/adapters/engines/port.js';
import { parseConfig } from '../../../src/config/schema.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { Reconciler } from '../../../src/runtime/cycle.js';
import { MemoryStateStore, readPlannerStates } from '../../../src/runtime/state.js';
import { FakeActuator, FakeSource } from '../../support/fakes.js';

const NOW = 1_800_000_000;

/** A service with several metrics by labels (no plain query); `high` needs 20 replicas at capacity 100. */
function several(name: string, metrics: Record<string, string>, replicas: number): ScaleTarget {
  const labels: Record<string, string> = {
    'prescale.enable': 'true',
    'prescale.min': '1',
    'prescale.max': '30',
    'prescale.auto-tune': 'false',
  };
  for (const [m, query] of Object.entries(metrics)) {
    labels[`prescale.query.${m}`] = query;
    labels[`prescale.capacity.${m}`] = m === 'rps' ? '200' : '100';
  }
  return { key: `swarm/${name}`, kind: 'swarm', name, replicas, labels };
}

function reconciler(actuator: FakeActuator, state = new MemoryStateStore()) {
  return new Reconciler({
    source: new FakeSource(),
    actuators: [actuator],
    config: parseConfig({ cycle: { history: 4 * 86_400 } }, 't'),
    apply: true,
    state,
    logger: silentLogger(),
  });
}

test('cycle, several metrics: the metric that needs more sets the replicas and is named; each is in the report', async () => {
  // cpu: 2000 / (100 × 0.8) = 25; rps: 2000 / (200 × 0.8) = 12.5 → 13
  const actuator = new FakeActuator([several('web', { cpu: 'high', rps: 'high' }, 5)], { follow: false });
  const state = new MemoryStateStore();
  const [s] = (await reconciler(actuator, state).runOnce(NOW)).services;
  assert.equal(s.status, 'planned', s.message);
  assert.equal(s.desiredReplicas, 25);
  assert.equal(s.decision?.metric, 'cpu');
  assert.deepEqual(
    s.decision?.metrics?.map((m) => [m.name, m.proposed]),
    [
      ['cpu', 25],
      ['rps', 13],
    ],
  );
  assert.deepEqual(
    s.metrics?.map((m) => [m.name, m.capacity, m.observedLoad]),
    [
      ['cpu', 100, 2000],
      ['rps', 200, 2000],
    ],
  );
  assert.ok(s.metrics?.every((m) => m.forecast && m.forecast.p90.length > 0));
  assert.deepEqual(actuator.sets, [['web', 25]]);
  assert.deepEqual(Object.keys(state.get('swarm/web')?.metrics ?? {}), ['cpu', 'rps']);
});

test('cycle, several metrics: one metric missing holds the service at its current replicas and names it', async () => {
  // rps alone (low load) would scale 20 → 1; its sibling's data is missing, so nothing moves
  for (const missing of ['down', 'empty']) {
    const actuator = new FakeActuator([several('web', { cpu: missing, rps: 'low' }, 20)], { follow: false });
    const [s] = (await reconciler(actuator).runOnce(NOW)).services;
    assert.equal(s.status, 'held', missing);
    assert.equal(s.desiredReplicas, 20);
    assert.equal(s.decision?.reason, 'HoldOnError');
    assert.match(`${s.message} ${s.problems.map((p) => p.message).join()}`, /metric cpu/);
    assert.deepEqual(actuator.sets, []);
  }
});

test('cycle, several metrics: a half-given metric, a plain query beside metrics, too many metrics: skipped, the label named', async () => {
  const half = several('half', { cpu: 'high' }, 2);
  const halfLabels = { ...half.labels, 'prescale.query.rps': 'high' };
  const mixed = several('mixed', { cpu: 'high' }, 2);
  const mixedLabels = { ...mixed.labels, 'prescale.query': 'high', 'prescale.capacity': '10' };
  const many = several('many', Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`m${i}`, 'high'])), 2);
  const actuator = new FakeActuator([{ ...half, labels: halfLabels }, { ...mixed, labels: mixedLabels }, many]);
  const by = Object.fromEntries((await reconciler(actuator).runOnce(NOW)).services.map((s) => [s.name, s]));
  assert.equal(by.half.status, 'skipped');
  assert.match(by.half.message, /prescale\.capacity\.rps: missing/);
  assert.equal(by.mixed.status, 'skipped');
  assert.match(by.mixed.message, /prescale\.query: set beside the metrics cpu/);
  assert.match(by.mixed.message, /prescale\.capacity: set beside the metrics cpu/);
  assert.equal(by.many.status, 'skipped');
  assert.match(by.many.message, /9 metrics, at most 8/);
  assert.deepEqual(actuator.sets, []);
});

test('state, several metrics: each metric memory survives the state file; a bad one is dropped, the rest kept', () => {
  const good = {
    recommendations: [{ at: NOW - 60, replicas: 5 }],
    lastScaleAt: NOW - 60,
    metrics: { cpu: { forecastError: 0.2, lastForecast: { start: NOW, step: 60, p50: [1, 2] } }, rps: {} },
  };
  const read = readPlannerStates(JSON.parse(JSON.stringify({ 'swarm/a': good })), NOW);
  assert.deepEqual(read.states.get('swarm/a'), good);
  assert.deepEqual(read.repaired, []);
  const bad = readPlannerStates({ 'swarm/a': { ...good, metrics: { cpu: { forecastError: -1 } } } }, NOW);
  assert.equal(bad.states.get('swarm/a')?.metrics, undefined);
  assert.deepEqual(bad.states.get('swarm/a')?.recommendations, good.recommendations);
  assert.match(bad.repaired[0]?.why ?? '', /metrics .* is not valid: dropped/);
});

test('cycle, several metrics: each metric history is kept between cycles and only new samples fetched', async () => {
  const source = new FakeSource();
  const actuator = new FakeActuator([several('web', { cpu: 'high', rps: 'low' }, 5)], { follow: false });
  const r = new Reconciler({
    source,
    actuators: [actuator],
    config: parseConfig({ cycle: { history: 4 * 86_400 } }, 't'),
    apply: false,
    logger: silentLogger(),
  });
  await r.runOnce(NOW);
  await r.runOnce(NOW + 300);
  const second = source.calls.slice(2);
  assert.deepEqual(
    second.map(([q]) => q),
    ['high', 'low'],
  );
  for (const [q, start] of second) assert.ok(start > NOW, `${q}: fetched again from ${start}, not only what is new`);
});
