import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildApp, type ApiDeps } from '../../../src/api/app.js';
import { PrescaleError } from '../../../src/core/domain/errors.js';
import { PrescaleMetrics } from '../../../src/observability/metrics.js';
import type { ServiceReport } from '../../../src/runtime/cycle.js';

const report: ServiceReport = {
  key: 'swarm/web',
  kind: 'swarm',
  name: 'web',
  status: 'planned',
  currentReplicas: 2,
  desiredReplicas: 5,
  applied: false,
  message: '2 → 5 (Predictive): p90 forecast needs 5',
  problems: [],
  forecastError: 0.12,
  forecast: { start: 1000, step: 300, p50: [100, 200], p90: [150, 260], model: 'auto:holt_winters', notes: [] },
  decision: {
    at: 900,
    currentReplicas: 2,
    desiredReplicas: 5,
    reason: 'Predictive',
    reasons: ['Predictive'],
    message: '',
    reactive: 2,
    schedule: [],
  },
};

function deps(over: Partial<ApiDeps> = {}): ApiDeps & { applied: string[] } {
  const applied: string[] = [];
  return {
    applied,
    services: () => [report],
    notReady: () => undefined,
    apply: async (key) => {
      applied.push(key);
      return { ...report, applied: true, currentReplicas: 5 };
    },
    metrics: new PrescaleMetrics(),
    apiToken: 'secret-token-1',
    info: () => ({ mode: 'recommend' }),
    ...over,
  };
}

test('GET /v1/services and /v1/recommendations report the latest records', async () => {
  const app = await buildApp(deps());
  const s = await app.inject('/v1/services');
  assert.equal(s.statusCode, 200);
  assert.equal(s.json()[0].reason, 'Predictive');
  assert.equal(s.json()[0].model, 'auto:holt_winters');
  const r = await app.inject('/v1/recommendations');
  assert.deepEqual(r.json()[0], {
    service: 'swarm/web',
    currentReplicas: 2,
    desiredReplicas: 5,
    reason: 'Predictive',
    message: report.message,
    forecastError: 0.12,
    applied: false,
  });
});

test('GET /v1/services/{name}/forecast by name or key; 404 names the service', async () => {
  const app = await buildApp(deps());
  const f = await app.inject('/v1/services/web/forecast');
  assert.equal(f.statusCode, 200);
  assert.deepEqual(f.json().points[1], { timestamp: 1300, p50: 200, p90: 260 });
  assert.equal((await app.inject('/v1/services/swarm%2Fweb/forecast')).statusCode, 200);
  const missing = await app.inject('/v1/services/nope/forecast');
  assert.equal(missing.statusCode, 404);
  assert.match(missing.json().message, /no service "nope"/);
});

test('POST apply: 401 without or with a wrong token, 200 with it', async () => {
  const d = deps();
  const app = await buildApp(d);
  assert.equal((await app.inject({ method: 'POST', url: '/v1/services/web/apply' })).statusCode, 401);
  assert.equal(
    (await app.inject({ method: 'POST', url: '/v1/services/web/apply', headers: { authorization: 'Bearer wrong' } }))
      .statusCode,
    401,
  );
  const ok = await app.inject({
    method: 'POST',
    url: '/v1/services/web/apply',
    headers: { authorization: 'Bearer secret-token-1' },
  });
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.json().applied, true);
  assert.deepEqual(d.applied, ['swarm/web']);
  const none = await buildApp(deps({ apiToken: undefined }));
  const r = await none.inject({
    method: 'POST',
    url: '/v1/services/web/apply',
    headers: { authorization: 'Bearer anything' },
  });
  assert.equal(r.statusCode, 401);
  assert.match(r.json().message, /no API token is configured/);
});

test('health, readiness with a reason, metrics, OpenAPI', async () => {
  const app = await buildApp(deps({ notReady: () => 'the first planning cycle has not finished yet' }));
  assert.equal((await app.inject('/healthz')).statusCode, 200);
  const ready = await app.inject('/readyz');
  assert.equal(ready.statusCode, 503);
  assert.match(ready.json().reason, /first planning cycle/);
  const m = await app.inject('/metrics');
  assert.match(m.body, /prescale_errors_total\{kind="source"\} 0/);
  const doc = await app.inject('/openapi.json');
  assert.ok(doc.json().paths['/v1/recommendations']);
  assert.equal((await app.inject('/docs/json')).statusCode, 200);
});

test('GET /v1/services says why the service is (not) predicted: model, error, history, fallback', async () => {
  const app = await buildApp(
    deps({
      services: () => [
        { ...report, history: { from: 0, to: 7 * 86_400, points: 10_081, gaps: 0, step: 60 } },
        {
          ...report,
          key: 'compose/shop/api',
          kind: 'compose',
          name: 'api',
          project: 'shop',
          status: 'held',
          forecast: undefined,
          decision: undefined,
          problems: [{ code: 'SourceFailed' as const, message: 'Prometheus at http://p is unreachable' }],
        },
      ],
    }),
  );
  const [web, api] = (await app.inject('/v1/services')).json();
  assert.equal(web.prediction.predicted, true);
  assert.equal(web.prediction.model, 'auto:holt_winters');
  assert.equal(web.prediction.forecastError, 0.12);
  assert.equal(web.prediction.historyDays, 7);
  assert.match(web.prediction.summary, /Predicted by auto:holt_winters from 7 days of history \(no gaps\)/);
  assert.equal(api.project, 'shop');
  assert.equal(api.prediction.predicted, false);
  assert.equal(api.prediction.fallback, 'hold');
  assert.match(api.prediction.summary, /2 replicas kept: Prometheus at http:\/\/p is unreachable/);
});

test('POST apply: a passive instance answers 409, a service gone meanwhile 404', async () => {
  const locked = await buildApp(
    deps({ apply: async () => Promise.reject(new PrescaleError('E_LOCKED', 'another instance holds the lock')) }),
  );
  const headers = { authorization: 'Bearer secret-token-1' };
  const r = await locked.inject({ method: 'POST', url: '/v1/services/web/apply', headers });
  assert.equal(r.statusCode, 409);
  assert.deepEqual(r.json(), { error: 'passive', message: 'another instance holds the lock' });
  const gone = await buildApp(deps({ apply: async () => Promise.reject(new PrescaleError('E_NOT_FOUND', 'gone')) }));
  assert.equal((await gone.inject({ method: 'POST', url: '/v1/services/web/apply', headers })).statusCode, 404);
});

test('GET /v1/services shows the policy tuning in force, and nothing when there is none', async () => {
  const score = { unservedPct: 0.1, costVsOracle: 1.2, actionsPerWeek: 90, objective: 1.295 };
  const tuned: ServiceReport = {
    ...report,
    tuning: {
      at: 800,
      overrides: { targetUtilization: 1, marginScale: 0.75, scaleDownStabilizationSec: 3600 },
      score,
      configured: { ...score, costVsOracle: 1.4, objective: 1.495 },
      days: 7,
      candidates: 11,
    },
  };
  const app = await buildApp(deps({ services: () => [tuned, { ...report, key: 'swarm/api', name: 'api' }] }));
  const [a, b] = (await app.inject('/v1/services')).json();
  assert.deepEqual(a.tuning, {
    at: 800,
    days: 7,
    targetUtilization: 1,
    marginScale: 0.75,
    scaleDownStabilizationSec: 3600,
    unservedPct: 0.1,
    costVsOracle: 1.2,
    configuredUnservedPct: 0.1,
    configuredCostVsOracle: 1.4,
  });
  assert.equal(b.tuning, undefined);
});
