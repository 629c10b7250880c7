import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Recommendation, Service } from '../../../src/api/schemas.js';
import { forecastView, recommendationView, serviceView } from '../../../src/api/views.js';
import type { ServiceReport } from '../../../src/runtime/cycle.js';

const good: ServiceReport = {
  key: 'swarm/web',
  kind: 'swarm',
  name: 'web',
  status: 'planned',
  currentReplicas: 2,
  desiredReplicas: 5,
  applied: false,
  message: '2 → 5 (Predictive)',
  problems: [{ code: 'ForecastNote', message: 'a note' }],
  forecastError: 0.1,
  forecast: { start: 0, step: 300, p50: [1, 2], p90: [2, 3], model: 'auto:naive', notes: [] },
};

test('serviceView and recommendationView of a good record fit their schemas and add nothing', () => {
  const s = serviceView(good);
  assert.equal(Service.safeParse(s).success, true);
  assert.deepEqual(s.problems, [{ code: 'ForecastNote', message: 'a note' }]);
  const r = recommendationView(good);
  assert.equal(Recommendation.safeParse(r).success, true);
  assert.equal('problems' in r, false);
  assert.equal(r.reason, 'planned', 'no decision: the status stands for the reason');
});

test('views never hold a non-finite number: each one left out (or null) and said once', () => {
  const bad: ServiceReport = {
    ...good,
    currentReplicas: Number.NEGATIVE_INFINITY,
    forecastError: Number.NaN,
    tuning: {
      at: 1,
      days: 7,
      overrides: { targetUtilization: 1, marginScale: 1, scaleDownStabilizationSec: 600 },
      score: { unservedPct: 0, costVsOracle: Number.POSITIVE_INFINITY, actionsPerWeek: 1, cost: 1 },
      configured: { unservedPct: 0, costVsOracle: 1, actionsPerWeek: 1, cost: 1 },
      budgetPct: 0.5,
      code: 'WithinBudget',
      candidates: 3,
    } as unknown as ServiceReport['tuning'],
  };
  const s = serviceView(bad);
  assert.equal(Service.safeParse(s).success, true, JSON.stringify(Service.safeParse(s).error?.issues));
  assert.equal(s.currentReplicas, null);
  assert.equal(s.forecastError, undefined);
  assert.equal(s.prediction.forecastError, undefined);
  assert.equal(s.tuning, undefined);
  assert.deepEqual(
    s.problems.map((p) => p.message),
    [
      'a note',
      'forecastError is NaN, not a finite number: left out',
      'currentReplicas is -Infinity, not a finite number: null',
      'tuning.costVsOracle is Infinity, not a finite number: tuning left out',
    ],
  );
  const r = recommendationView(bad);
  assert.equal(Recommendation.safeParse(r).success, true);
  assert.deepEqual(
    r.problems?.map((p) => p.message),
    ['currentReplicas is -Infinity, not a finite number: null', 'forecastError is NaN, not a finite number: left out'],
  );
});

test('serviceView: a record the API cannot describe is still listed, with why', () => {
  const broken = { ...good, problems: undefined } as unknown as ServiceReport;
  const s = serviceView(broken);
  assert.equal(Service.safeParse(s).success, true);
  assert.equal(s.key, 'swarm/web');
  assert.match(s.problems[0].message, /the API could not describe this record/);
  assert.equal(s.problems[0].code, 'Unreportable');
});

test('forecastView: null for non-finite points; none for a start or step that is not finite', () => {
  const f = forecastView({ ...good, forecast: { ...good.forecast!, p90: [Number.NaN, 3] } });
  assert.deepEqual(f?.points, [
    { timestamp: 0, p50: 1, p90: null },
    { timestamp: 300, p50: 2, p90: 3 },
  ]);
  assert.deepEqual(f?.notes, ['1 forecast values are not finite numbers: null']);
  assert.equal(forecastView({ ...good, forecast: { ...good.forecast!, step: Number.NaN } }), undefined);
  assert.equal(forecastView({ ...good, forecast: undefined }), undefined);
});
