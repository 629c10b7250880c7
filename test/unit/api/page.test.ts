import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildApp, type ApiDeps } from '../../../src/api/app.js';
import { parseConfig } from '../../../src/config/schema.js';
import { resolveSpec } from '../../../src/config/service-spec.js';
import { PrescaleMetrics } from '../../../src/observability/metrics.js';
import type { ServiceReport } from '../../../src/runtime/report.js';
import { DecisionTrail } from '../../../src/runtime/trail.js';

const now = 1_700_000_000;
const labels = { 'prescale.enable': 'true', 'prescale.query': 'q', 'prescale.capacity': '100' };
const { spec } = resolveSpec(
  { key: 'swarm/web', kind: 'swarm', name: 'web', replicas: 2, labels },
  parseConfig({}, 'test'),
);
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
  spec,
  recentLoad: { start: now - 900, step: 300, values: [100, Number.NaN, 180, 240] },
  forecast: { start: now + 300, step: 300, p50: [250, 300], p90: [300, 380], model: 'naive', notes: [] },
  decision: {
    at: now,
    currentReplicas: 2,
    desiredReplicas: 5,
    reason: 'Predictive',
    reasons: ['Predictive'],
    message: '',
    reactive: 3,
    schedule: [{ at: now, forTime: now + 300, replicas: 5 }],
  },
};

function deps(): ApiDeps {
  const trail = new DecisionTrail();
  trail.record({
    at: now - 600,
    durationMs: 1,
    errors: [],
    services: [{ ...report, currentReplicas: 1, decision: { ...report.decision!, at: now - 600 } }],
  });
  trail.record({ at: now, durationMs: 1, errors: [], services: [report] });
  return {
    services: () => [report],
    notReady: () => undefined,
    apply: async () => report,
    metrics: new PrescaleMetrics(),
    apiToken: 'secret-token-1',
    info: () => ({}),
    trail,
  };
}

test('page: GET / and its assets are served by prescale itself, with no token and nothing from elsewhere', async () => {
  const app = await buildApp(deps());
  const page = await app.inject('/');
  assert.equal(page.statusCode, 200);
  assert.match(page.headers['content-type'] as string, /^text\/html/);
  const refs = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(refs.length >= 2);
  for (const ref of refs) {
    assert.match(ref, /^\//, `${ref} is not served by prescale`);
    assert.equal((await app.inject(ref)).statusCode, 200, ref);
  }
  assert.match((await app.inject('/ui/page.js')).headers['content-type'] as string, /javascript/);
});

test('page: observed load (a gap is null) and ready capacity = replicas × capacity', async () => {
  const app = await buildApp(deps());
  const r = await app.inject('/v1/services/swarm%2Fweb/observed');
  assert.equal(r.statusCode, 200, r.body);
  const body = r.json();
  assert.equal(body.capacityPerReplica, 100);
  assert.equal(body.now, now);
  assert.deepEqual(
    body.load.map((p: { load: number | null }) => p.load),
    [100, null, 180, 240],
  );
  assert.deepEqual(
    body.replicas.map((p: { timestamp: number; readyCapacity: number }) => [p.timestamp, p.readyCapacity]),
    [
      [now - 600, 100],
      [now, 200],
    ],
  );
});

test('page: the decisions, newest first with reason codes; limit bounded', async () => {
  const app = await buildApp(deps());
  const r = await app.inject('/v1/services/web/decisions?limit=1');
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(r.json().decisions.length, 1);
  assert.deepEqual(r.json().decisions[0].reasons, ['Predictive']);
  assert.equal((await app.inject('/v1/services/web/decisions')).json().decisions.length, 2);
  assert.equal((await app.inject('/v1/services/web/decisions?limit=100000')).json().error, 'bad_request');
  assert.equal((await app.inject('/v1/services/nope/decisions')).json().error, 'not_found');
});

test('page: the chart is SVG with the forecast band; the endpoints are in the OpenAPI document', async () => {
  const app = await buildApp(deps());
  const r = await app.inject('/v1/services/web/chart.svg?width=500&height=200');
  assert.equal(r.statusCode, 200, r.body);
  assert.match(r.headers['content-type'] as string, /^image\/svg\+xml/);
  assert.match(r.body, /^<svg [^>]*viewBox="0 0 500 200"/);
  assert.match(r.body, /<path class="forecast-band" aria-label="forecast p50–p90" d="M[^"]+Z"/);
  assert.match(r.body, /<path class="planned"/);
  assert.equal((await app.inject('/v1/services/nope/chart.svg')).statusCode, 404);
  const paths = (await app.inject('/openapi.json')).json().paths;
  for (const p of ['observed', 'decisions', 'chart.svg']) assert.ok(paths[`/v1/services/{name}/${p}`], p);
  assert.ok(paths['/v1/services/{name}/observed'].get.responses['200'].content['application/json'].schema);
});
