import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PrescaleMetrics, errorKinds } from '../../../src/observability/metrics.js';
import type { Problem, ServiceReport } from '../../../src/runtime/report.js';

function report(over: Partial<ServiceReport> = {}): ServiceReport {
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
    ...over,
  };
}
const problem = (code: Problem['code'], message = 'reworded freely'): Problem => ({ code, message });

test('metrics: errors are classified by their codes, never by the wording of a message', () => {
  assert.deepEqual(errorKinds(report({ status: 'held', errorCode: 'E_SOURCE_UNREACHABLE' })), ['source']);
  assert.deepEqual(errorKinds(report({ status: 'held', errorCode: 'E_SOURCE_DATA' })), ['source']);
  assert.deepEqual(errorKinds(report({ status: 'skipped', errorCode: 'E_LABEL' })), ['labels']);
  assert.deepEqual(errorKinds(report({ status: 'failed', errorCode: 'E_UNEXPECTED' })), ['internal']);
  assert.deepEqual(errorKinds(report({ problems: [problem('ApplyFailed')] })), ['apply']);
  assert.deepEqual(errorKinds(report({ problems: [problem('ApplyRefused')] })), ['apply']);
  assert.deepEqual(errorKinds(report({ problems: [problem('ForecastFailed')] })), ['forecast']);
  assert.deepEqual(
    errorKinds(report({ problems: [problem('ForecastNote', 'could not apply: no forecast')] })),
    [],
    'a note that happens to read like an error counts as nothing',
  );
});

test('metrics: a cycle counts engine and state errors once, source errors once per held service', async () => {
  const m = new PrescaleMetrics();
  m.observe({
    at: 1,
    durationMs: 10,
    services: [
      report({ key: 'swarm/a', status: 'held', errorCode: 'E_SOURCE_UNREACHABLE' }),
      report({ key: 'swarm/b', status: 'held', errorCode: 'E_SOURCE_UNREACHABLE' }),
      report({ key: 'swarm/c', applied: true }),
    ],
    errors: [
      { kind: 'source', code: 'E_SOURCE_UNREACHABLE', message: 'x' },
      { kind: 'engine', adapter: 'compose', code: 'E_ENGINE_UNREACHABLE', message: 'y' },
      { kind: 'state', code: 'E_STATE', message: 'z' },
    ],
  });
  const text = await m.registry.metrics();
  assert.match(text, /^prescale_errors_total\{kind="source"\} 2$/m);
  assert.match(text, /^prescale_errors_total\{kind="engine"\} 1$/m);
  assert.match(text, /^prescale_errors_total\{kind="state"\} 1$/m);
  assert.match(text, /^prescale_scale_actions_total\{service="swarm\/c",direction="up"\} 1$/m);
  m.observe({ at: 2, durationMs: 10, services: [report({ key: 'swarm/c' })], errors: [] });
  assert.doesNotMatch(await m.registry.metrics(), /service="swarm\/a"/, 'gone services stop being reported');
});

test('metrics: one forecast series per load metric, labelled by its name; a metric no longer reported is removed', async () => {
  const fc = (v: number) => ({ start: 0, step: 60, p50: [v], p90: [v * 2], model: 'm', notes: [] });
  const metric = (name: string, v: number) => ({
    name,
    query: 'q',
    capacity: 1,
    history: { from: 0, to: 0, points: 1, gaps: 0, step: 60 },
    observedLoad: v,
    forecast: fc(v),
  });
  const decision = (names: string[]) => ({
    at: 0,
    currentReplicas: 2,
    desiredReplicas: 3,
    reason: 'Predictive' as const,
    reasons: ['Predictive' as const],
    message: '',
    reactive: 2,
    schedule: [],
    metric: names[0],
    metrics: names.map((name) => ({ name, proposed: 3, reactive: 2, forecastError: 0.25 })),
  });
  const m = new PrescaleMetrics();
  const cycle = (names: string[]) =>
    m.observe({
      at: 0,
      durationMs: 1,
      errors: [],
      services: [report({ metrics: names.map((n, i) => metric(n, 10 * (i + 1))), decision: decision(names) })],
    });
  cycle(['cpu', 'rps']);
  const text = await m.registry.metrics();
  assert.match(text, /prescale_forecast_p50\{service="swarm\/web",metric="cpu"\} 10/);
  assert.match(text, /prescale_forecast_p90\{service="swarm\/web",metric="rps"\} 40/);
  assert.match(text, /prescale_forecast_error\{service="swarm\/web",metric="rps"\} 0.25/);
  cycle(['cpu']);
  const after = await m.registry.metrics();
  assert.match(after, /metric="cpu"/);
  assert.doesNotMatch(after, /metric="rps"/);
});
