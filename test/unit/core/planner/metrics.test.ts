import assert from 'node:assert/strict';
import { test } from 'node:test';
import { policyWith } from '../../../../src/config/defaults.js';
import type { Forecast } from '../../../../src/core/domain/forecast.js';
import {
  initialPlannerState,
  planMetrics,
  planReplicas,
  type MetricLoad,
  type PlannerState,
} from '../../../../src/core/planner/plan.js';

const NOW = 1_000_000;
const fc = (v: number, n = 30): Forecast => {
  const p = new Array<number>(n).fill(v);
  return { start: NOW, step: 60, p50: p, p90: p, model: 'test', notes: [] };
};
// capacities differ: cpu 100 per replica, rps 50 per replica; target 0.8
const policy = policyWith(999, { startupDelaySec: 300, minReplicas: 1, maxReplicas: 50 });
const cpu = (load: number): MetricLoad => ({
  name: 'cpu',
  capacityPerReplica: 100,
  observedLoad: load,
  forecast: fc(load),
});
const rps = (load: number): MetricLoad => ({
  name: 'rps',
  capacityPerReplica: 50,
  observedLoad: load,
  forecast: fc(load),
});
const plan = (metrics: MetricLoad[], current: number, state: PlannerState = initialPlannerState(), now = NOW) =>
  planMetrics({ now, currentReplicas: current, metrics }, policy, state);

test('metrics: the largest number of any metric wins, and the decision names that metric', () => {
  // cpu 400 needs 400/80 = 5; rps 400 needs 400/40 = 10
  const a = plan([cpu(400), rps(400)], 5);
  assert.equal(a.decision.desiredReplicas, 10);
  assert.equal(a.decision.metric, 'rps');
  assert.deepEqual(
    a.decision.metrics?.map((m) => [m.name, m.proposed]),
    [
      ['cpu', 5],
      ['rps', 10],
    ],
  );
  assert.match(a.decision.message, /^rps: /);
  // the other way round
  const b = plan([cpu(1200), rps(100)], 5);
  assert.equal(b.decision.desiredReplicas, 15);
  assert.equal(b.decision.metric, 'cpu');
});

test('metrics: each metric alone gives what planReplicas gives for it; on a tie the metric listed first wins', () => {
  for (const m of [cpu(640), rps(320)]) {
    const alone = planReplicas(
      { now: NOW, currentReplicas: 3, observedLoad: m.observedLoad, forecast: m.forecast },
      { ...policy, capacityPerReplica: m.capacityPerReplica },
      initialPlannerState(),
    );
    const both = plan([cpu(640), rps(320)], 3);
    assert.equal(both.decision.desiredReplicas, alone.decision.desiredReplicas);
  }
  assert.equal(plan([cpu(640), rps(320)], 3).decision.metric, 'cpu');
  assert.equal(plan([rps(320), cpu(640)], 3).decision.metric, 'rps');
});

test('metrics: a metric that needs less never lowers what another needs, and stabilisation holds the combined number', () => {
  const up = plan([cpu(100), rps(800)], 2);
  assert.equal(up.decision.desiredReplicas, 20);
  // rps falls, cpu stays low: the service window (the combined recommendation 20) holds it up
  const later = plan([cpu(100), rps(40)], 20, up.state, NOW + 300);
  assert.equal(later.decision.desiredReplicas, 20);
  assert.equal(later.decision.reason, 'ScaleDownStabilized');
  assert.deepEqual(
    later.state.recommendations.map((r) => r.replicas),
    [20, 2],
  );
  // past the window both metrics need little: down to the larger of them
  const after = plan([cpu(100), rps(40)], 20, later.state, NOW + 300 + policy.scaleDownStabilizationSec + 60);
  assert.equal(after.decision.desiredReplicas, 2);
  assert.equal(after.decision.metric, 'cpu');
});

test('metrics: the cooldown is the service one: an action set by one metric blocks a scale-down asked by all', () => {
  const p = { ...policy, cooldownSec: 600, scaleDownStabilizationSec: 0 };
  const up = planMetrics({ now: NOW, currentReplicas: 2, metrics: [cpu(100), rps(800)] }, p, initialPlannerState());
  assert.equal(up.state.lastScaleAt, NOW);
  const soon = planMetrics({ now: NOW + 120, currentReplicas: 20, metrics: [cpu(100), rps(40)] }, p, up.state);
  assert.equal(soon.decision.desiredReplicas, 20);
  assert.equal(soon.decision.reason, 'Cooldown');
});

test('metrics: each metric keeps its own forecast memory in the state, by name, as plain JSON', () => {
  const a = plan([cpu(400), rps(400)], 5);
  assert.deepEqual(Object.keys(a.state.metrics ?? {}), ['cpu', 'rps']);
  assert.equal(a.state.lastForecast, undefined, 'not at the top level');
  // the next decision measures cpu's error against cpu's forecast only: cpu came in at twice its forecast
  const b = plan([cpu(800), rps(400)], 10, a.state, NOW + 60);
  const err = Object.fromEntries((b.decision.metrics ?? []).map((m) => [m.name, m.forecastError]));
  assert.ok((err.cpu ?? 0) > 0.1, JSON.stringify(err));
  assert.equal(err.rps, 0);
  assert.deepEqual(JSON.parse(JSON.stringify(b.state)), b.state);
});

test('metrics: no metric is an input error', () => {
  assert.throws(() => plan([], 3), /no metric/);
});
