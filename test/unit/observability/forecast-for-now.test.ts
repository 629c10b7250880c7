import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PrescaleMetrics } from '../../../src/observability/metrics.js';
import { PAST_FORECASTS_MAX, PastForecasts } from '../../../src/observability/past-forecasts.js';
import type { ServiceReport } from '../../../src/runtime/report.js';
import { parseConfig } from '../../../src/config/schema.js';
import { resolveSpec } from '../../../src/config/service-spec.js';
import { metricValue } from '../../support/serve.js';

test('PastForecasts: hands back the forecast made for a time once that time has come, the latest due', () => {
  const p = new PastForecasts();
  assert.equal(p.next('a', 0, { forTime: 300, p50: 1, p90: 2 }), undefined);
  assert.equal(p.next('a', 60, { forTime: 360, p50: 3, p90: 4 }), undefined);
  // at 400 both are due: the one for the latest time is "the forecast for now"
  assert.deepEqual(p.next('a', 400, { forTime: 700, p50: 5, p90: 6 }), { forTime: 360, p50: 3, p90: 4 });
  assert.equal(p.next('a', 500), undefined, 'nothing new is due');
  assert.deepEqual(p.next('a', 700), { forTime: 700, p50: 5, p90: 6 });
  assert.equal(p.next('b', 10_000), undefined, 'services are apart');
});

test('PastForecasts: keeps at most PAST_FORECASTS_MAX waiting forecasts per service, and times only ascending', () => {
  const p = new PastForecasts();
  for (let i = 0; i < PAST_FORECASTS_MAX + 50; i++) p.next('a', 0, { forTime: 1e6 + i, p50: i, p90: i });
  assert.equal(p.next('a', 0, { forTime: 5, p50: 9, p90: 9 }), undefined, 'a time not after the last is ignored');
  const due = p.next('a', 1e6 + 49);
  assert.equal(due, undefined, 'the 50 oldest were dropped');
  assert.equal(p.next('a', 1e6 + 50)?.p50, 50);
});

function planned(at: number, p50: number[], load: number): ServiceReport {
  const target = { key: 'swarm/web', kind: 'swarm', name: 'web', replicas: 2, labels: {} };
  const labels = {
    'prescale.enable': 'true',
    'prescale.query': 'q',
    'prescale.capacity': '100',
    'prescale.startup-delay': '5m',
  };
  const { spec } = resolveSpec({ ...target, labels }, parseConfig({}, 'test'));
  return {
    key: 'swarm/web',
    kind: 'swarm',
    name: 'web',
    status: 'planned',
    currentReplicas: 2,
    desiredReplicas: 3,
    applied: false,
    message: '2 → 3 (Predictive)',
    problems: [],
    spec,
    observedLoad: load,
    forecast: { start: at, step: 300, p50, p90: p50.map((v) => v + 10), model: 'naive', notes: [] },
    decision: {
      at,
      currentReplicas: 2,
      desiredReplicas: 3,
      reason: 'Predictive',
      reasons: ['Predictive'],
      message: '',
      reactive: 2,
      schedule: [],
    },
  };
}

test('metrics: the forecast made one startup delay ago for now sits beside the load observed now', async () => {
  const m = new PrescaleMetrics();
  const text = async () => m.registry.metrics();
  // at 0 the forecast for 300 (one 5-minute delay ahead) is 110; at 300 the load is 120
  m.observe({ at: 0, durationMs: 1, errors: [], services: [planned(0, [100, 110, 130], 90)] });
  assert.equal(metricValue(await text(), 'prescale_forecast_p50_for_now', { service: 'swarm/web' }), undefined);
  assert.equal(metricValue(await text(), 'prescale_forecast_p50', { service: 'swarm/web' }), 110);
  m.observe({ at: 300, durationMs: 1, errors: [], services: [planned(300, [115, 140], 120)] });
  const t = await text();
  assert.equal(metricValue(t, 'prescale_forecast_p50_for_now', { service: 'swarm/web' }), 110);
  assert.equal(metricValue(t, 'prescale_forecast_p90_for_now', { service: 'swarm/web' }), 120);
  assert.equal(metricValue(t, 'prescale_observed_load', { service: 'swarm/web' }), 120);
});

test('metrics: one reason series per service, the latest decision’s; gone services leave no series', async () => {
  const m = new PrescaleMetrics();
  const first = planned(0, [100], 90);
  m.observe({ at: 0, durationMs: 1, errors: [], services: [first] });
  const second = {
    ...first,
    decision: { ...first.decision!, reason: 'Cooldown' as const, reasons: ['Cooldown' as const] },
  };
  m.observe({ at: 60, durationMs: 1, errors: [], services: [second] });
  let t = await m.registry.metrics();
  assert.equal(metricValue(t, 'prescale_decision_reason', { service: 'swarm/web', reason: 'Cooldown' }), 1);
  assert.equal(metricValue(t, 'prescale_decision_reason', { service: 'swarm/web', reason: 'Predictive' }), undefined);
  assert.equal(metricValue(t, 'prescale_decisions_total', { reason: 'Predictive' }), 1);
  assert.equal(metricValue(t, 'prescale_decisions_total', { reason: 'Cooldown' }), 1);
  m.observe({ at: 120, durationMs: 1, errors: [], services: [] });
  t = await m.registry.metrics();
  assert.doesNotMatch(t, /prescale_decision_reason\{/);
  assert.doesNotMatch(t, /prescale_observed_load\{/);
});
