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
  assert.deepEqual(r.json(), {
    error: 'passive',
    message: 'this instance is passive: another instance holds the lock',
  });
  const gone = await buildApp(deps({ apply: async () => Promise.reject(new PrescaleError('E_NOT_FOUND', 'gone')) }));
  assert.equal((await gone.inject({ method: 'POST', url: '/v1/services/web/apply', headers })).statusCode, 404);
});

test('GET /v1/services shows the policy tuning in force, and nothing when there is none', async () => {
  const score = { unservedPct: 0.1, costVsOracle: 1.2, actionsPerWeek: 90, cost: 1.245 };
  const tuned: ServiceReport = {
    ...report,
    tuning: {
      at: 800,
      overrides: { targetUtilization: 1, marginScale: 0.75, scaleDownStabilizationSec: 3600 },
      score,
      configured: { ...score, costVsOracle: 1.4, cost: 1.445 },
      budgetPct: 0.5,
      code: 'WithinBudget',
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
    targetUnservedPct: 0.5,
    budget: 'WithinBudget',
  });
  assert.equal(b.tuning, undefined);
});

const headers = { authorization: 'Bearer secret-token-1' };

test('one record with NaN and Infinity does not hide the others: both listed, 200, the bad numbers left out and said', async () => {
  const bad: ServiceReport = {
    ...report,
    key: 'swarm/bad',
    name: 'bad',
    desiredReplicas: Number.NaN,
    forecastError: Number.POSITIVE_INFINITY,
    observedLoad: Number.NaN,
    history: { from: 0, to: Number.POSITIVE_INFINITY, points: 10, gaps: 0, step: 60 },
    forecast: { ...report.forecast!, p50: [Number.NaN, 200], p90: [150, Number.NEGATIVE_INFINITY] },
  };
  const app = await buildApp(deps({ services: () => [report, bad] }));
  const s = await app.inject('/v1/services');
  assert.equal(s.statusCode, 200, s.body);
  const [good, b] = s.json();
  assert.equal(good.key, 'swarm/web');
  assert.equal(good.forecastError, 0.12);
  assert.deepEqual(good.problems, []);
  assert.equal(b.key, 'swarm/bad');
  assert.equal(b.desiredReplicas, null);
  assert.equal(b.currentReplicas, 2);
  assert.equal('forecastError' in b, false);
  assert.equal('forecastError' in b.prediction, false);
  assert.equal('history' in b, false);
  assert.ok(
    b.problems.some((p: { message: string }) => /forecastError is Infinity, not a finite number/.test(p.message)),
    b.problems,
  );
  assert.ok(
    b.problems.some((p: { message: string }) => /desiredReplicas is NaN/.test(p.message)),
    b.problems,
  );
  assert.ok(
    b.problems.some((p: { message: string }) => /history\.to is Infinity/.test(p.message)),
    b.problems,
  );

  const r = await app.inject('/v1/recommendations');
  assert.equal(r.statusCode, 200, r.body);
  const [rg, rb] = r.json();
  assert.equal(rg.desiredReplicas, 5);
  assert.equal(rg.problems, undefined);
  assert.equal(rb.service, 'swarm/bad');
  assert.equal(rb.desiredReplicas, null);
  assert.equal(rb.forecastError, undefined);
  assert.equal(rb.problems.length, 2);

  const f = await app.inject('/v1/services/bad/forecast');
  assert.equal(f.statusCode, 200, f.body);
  assert.deepEqual(f.json().points, [
    { timestamp: 1000, p50: null, p90: 150 },
    { timestamp: 1300, p50: 200, p90: null },
  ]);
  assert.match(f.json().notes.at(-1), /2 forecast values are not finite numbers/);
});

test('a known path with another method answers 405 with Allow; an unknown path 404, both in the one error shape', async () => {
  const app = await buildApp(deps());
  const del = await app.inject({ method: 'DELETE', url: '/v1/services' });
  assert.equal(del.statusCode, 405);
  assert.equal(del.headers.allow, 'GET, HEAD');
  assert.equal(del.json().error, 'method_not_allowed');
  const get = await app.inject('/v1/services/web/apply?x=1');
  assert.equal(get.statusCode, 405);
  assert.equal(get.headers.allow, 'POST');
  assert.match(get.json().message, /answers POST, not GET/);
  const put = await app.inject({ method: 'PUT', url: '/v1/services/swarm%2Fweb/forecast' });
  assert.equal(put.statusCode, 405);
  assert.equal(put.headers.allow, 'GET, HEAD');
  for (const url of ['/nope', '/v1/services/web/nope', '/docs/static/nope.js']) {
    const r = await app.inject(url);
    assert.equal(r.statusCode, 404, url);
    assert.deepEqual(Object.keys(r.json()).sort(), ['error', 'message'], url);
    assert.equal(r.json().error, 'not_found', url);
  }
});

test('every error answer is { error: code, message }: validation, bad JSON, media type, a name too long', async () => {
  const app = await buildApp(deps());
  const cases = [
    { req: { method: 'GET' as const, url: `/v1/services/${'x'.repeat(300)}/forecast` }, status: 400 },
    { req: { method: 'GET' as const, url: `/v1/services/${'x'.repeat(600)}/forecast` }, status: 414 },
    { req: { method: 'GET' as const, url: '/v1/services/%zz/forecast' }, status: 400 },
    {
      req: {
        method: 'POST' as const,
        url: '/v1/services/web/apply',
        headers: { ...headers, 'content-type': 'application/json' },
        payload: '{not json',
      },
      status: 400,
    },
    {
      req: {
        method: 'POST' as const,
        url: '/v1/services/web/apply',
        headers: { ...headers, 'content-type': 'text/xml' },
        payload: '<a/>',
      },
      status: 415,
    },
  ];
  for (const { req, status } of cases) {
    const r = await app.inject(req);
    assert.equal(r.statusCode, status, req.url);
    assert.deepEqual(Object.keys(r.json()).sort(), ['error', 'message'], r.body);
    assert.equal(r.json().error, 'bad_request', r.body);
  }
  const none = await app.inject('/v1/services/web/forecast');
  assert.equal(none.statusCode, 200);
  const noForecast = await buildApp(deps({ services: () => [{ ...report, forecast: undefined }] }));
  const nf = await noForecast.inject('/v1/services/web/forecast');
  assert.equal(nf.statusCode, 404);
  assert.equal(nf.json().error, 'no_forecast');
});

test('POST apply: 401 says WWW-Authenticate; after 10 failures in a minute one address gets 429 with Retry-After', async () => {
  let now = 10_000;
  const d = deps({ clock: { now: () => now } });
  const app = await buildApp(d);
  const attempt = (authorization: string, remoteAddress = '10.0.0.1') =>
    app.inject({ method: 'POST', url: '/v1/services/web/apply', headers: { authorization }, remoteAddress });
  for (let i = 0; i < 10; i++) {
    const r = await attempt(`Bearer guess-${i}`);
    assert.equal(r.statusCode, 401, `attempt ${i + 1}`);
    assert.equal(r.headers['www-authenticate'], 'Bearer');
  }
  const limited = await attempt('Bearer guess-10');
  assert.equal(limited.statusCode, 429);
  assert.equal(limited.json().error, 'rate_limited');
  assert.equal(limited.headers['retry-after'], '60');
  // while limited, even the right token is refused: a guess cannot be confirmed
  now += 30;
  const right = await attempt('Bearer secret-token-1');
  assert.equal(right.statusCode, 429);
  assert.equal(right.headers['retry-after'], '30');
  assert.deepEqual(d.applied, []);
  // another address is not limited
  assert.equal((await attempt('Bearer secret-token-1', '10.0.0.2')).statusCode, 200);
  // the window over, the address may try again
  now += 30;
  assert.equal((await attempt('Bearer secret-token-1')).statusCode, 200);
});

test('POST apply: passive and recommend-only instances answer 409 with distinct codes; an engine failure 502', async () => {
  const answer = async (err: Error) => {
    const app = await buildApp(deps({ apply: async () => Promise.reject(err) }));
    return app.inject({ method: 'POST', url: '/v1/services/web/apply', headers });
  };
  const passive = await answer(new PrescaleError('E_LOCKED', 'another prescale instance (b) holds the leader lock'));
  assert.equal(passive.statusCode, 409);
  assert.equal(passive.json().error, 'passive');
  assert.match(passive.json().message, /passive: another prescale instance \(b\) holds the leader lock/);
  const recommend = await answer(new PrescaleError('E_RECOMMEND_ONLY', 'serve runs without --apply'));
  assert.equal(recommend.statusCode, 409);
  assert.deepEqual(recommend.json(), {
    error: 'recommend_only',
    message: 'this instance only recommends: serve runs without --apply',
  });
  const engine = await answer(new PrescaleError('E_ENGINE_UNREACHABLE', 'Docker at /var/run/docker.sock refused'));
  assert.equal(engine.statusCode, 502);
  assert.equal(engine.json().error, 'engine_error');
  const bug = await answer(new TypeError('x is undefined'));
  assert.equal(bug.statusCode, 500);
  assert.deepEqual(bug.json(), { error: 'internal', message: 'x is undefined' });
});

test('GET /metrics counts the cycles whose planner state could not be saved', async () => {
  const d = deps();
  const app = await buildApp(d);
  assert.match((await app.inject('/metrics')).body, /prescale_state_save_failures_total 0/);
  const error = { kind: 'internal' as const, code: 'E_STATE', message: '/s/planner-state.json: EISDIR' };
  d.metrics.observe({ at: 1, durationMs: 5, services: [], errors: [error] });
  assert.match((await app.inject('/metrics')).body, /prescale_state_save_failures_total 1/);
});

test('GET /v1/services and …/forecast show each load metric of a service with several, and the one that set the replicas', async () => {
  const history = { from: 0, to: 900, points: 4, gaps: 0, step: 300 };
  const f = (v: number) => ({ start: 900, step: 300, p50: [v, v], p90: [v * 2, v * 2], model: 'm', notes: [] });
  const several: ServiceReport = {
    ...report,
    forecast: f(40),
    decision: {
      ...(report.decision as NonNullable<ServiceReport['decision']>),
      metric: 'rps',
      metrics: [
        { name: 'cpu', proposed: 2, predictive: 2, reactive: 1, forecastError: 0.1 },
        { name: 'rps', proposed: 5, predictive: 5, reactive: 3 },
      ],
    },
    metrics: [
      { name: 'cpu', query: 'c', capacity: 100, history, observedLoad: 90, forecast: f(10) },
      { name: 'rps', query: 'r', capacity: 10, history, observedLoad: Number.NaN, forecast: f(40) },
    ],
  };
  const app = await buildApp(deps({ services: () => [several] }));
  const [s] = (await app.inject('/v1/services')).json();
  assert.equal(s.metric, 'rps');
  assert.deepEqual(s.metrics, [
    {
      name: 'cpu',
      capacity: 100,
      observedLoad: 90,
      model: 'm',
      nextP50: 10,
      nextP90: 20,
      proposed: 2,
      predictive: 2,
      reactive: 1,
      forecastError: 0.1,
    },
    { name: 'rps', capacity: 10, model: 'm', nextP50: 40, nextP90: 80, proposed: 5, predictive: 5, reactive: 3 },
  ]);
  const fc = (await app.inject('/v1/services/web/forecast')).json();
  assert.equal(fc.metric, 'rps');
  assert.deepEqual(
    fc.metrics.map((m: { name: string; points: { p90: number }[] }) => [m.name, m.points[0].p90]),
    [
      ['cpu', 20],
      ['rps', 80],
    ],
  );
});

test('POST /v1/services/{name}/exclude: bearer token, the mask parser, 201 with the masks; GET /v1/services/{name} lists them', async () => {
  const added: Array<[string, unknown]> = [];
  const app = await buildApp(
    deps({
      masks: (key) => (added.length ? [added[0][1] as never] : []).filter(() => key === 'swarm/web'),
      exclude: (key, rule) => void added.push([key, rule]),
    }),
  );
  const body = { name: 'outage', start: '2026-11-20T10:00:00.000Z', end: '2026-11-20T11:00:00.000Z' };
  const post = (payload: unknown, token = 'secret-token-1') =>
    app.inject({
      method: 'POST',
      url: '/v1/services/web/exclude',
      headers: { authorization: `Bearer ${token}` },
      payload: payload as object,
    });
  assert.equal((await post(body, 'wrong')).statusCode, 401);
  const backwards = await post({ ...body, end: body.start });
  assert.equal(backwards.statusCode, 400);
  assert.match(backwards.json().message, /^body: end .* is not after start/);
  assert.equal((await post({ ...body, extra: 1 })).statusCode, 400);
  assert.equal(added.length, 0);
  const ok = await post(body);
  assert.equal(ok.statusCode, 201, ok.body);
  assert.deepEqual(ok.json(), { service: 'swarm/web', exclude: [body] });
  assert.deepEqual(
    added.map(([k]) => k),
    ['swarm/web'],
  );
  const one = await app.inject('/v1/services/web');
  assert.equal(one.statusCode, 200);
  assert.deepEqual(one.json().exclude, [body]);
  assert.equal((await app.inject('/v1/services/nope')).statusCode, 404);
  const doc = (await app.inject('/docs/json')).json();
  assert.ok(doc.paths['/v1/services/{name}/exclude']?.post, 'in the OpenAPI document');
});
