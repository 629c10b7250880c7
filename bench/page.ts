/**
 * The web page's costs at the trail's bounds: memory of the decision trail for 1,000 services
 * whose replicas change every cycle (a change point per 5 minutes over 48 hours and 100 decisions each), and the time
 * and size of the page's answers for one of them (48 h of load, a 2-hour forecast).
 *   node --import tsx --expose-gc bench/page.ts
 */
import { buildApp } from '../src/api/app.js';
import { parseConfig } from '../src/config/schema.js';
import { resolveSpec } from '../src/config/service-spec.js';
import { PrescaleMetrics } from '../src/observability/metrics.js';
import type { ServiceReport } from '../src/runtime/report.js';
import { DecisionTrail, TRAIL_LIMITS } from '../src/runtime/trail.js';

const SERVICES = 1000;
const now = 1_700_000_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

function report(key: string, at: number, replicas: number): ServiceReport {
  const labels = { 'prescale.enable': 'true', 'prescale.query': 'q', 'prescale.capacity': '100' };
  const target = { key, kind: 'swarm', name: key, replicas, labels };
  return {
    key,
    kind: 'swarm',
    name: key,
    status: 'planned',
    currentReplicas: replicas,
    desiredReplicas: replicas + 1,
    applied: true,
    message: `${replicas} → ${replicas + 1} (Predictive): p90 forecast up to 300s ahead needs ${replicas + 1}`,
    problems: [],
    spec: resolveSpec(target, parseConfig({}, 'bench')).spec,
    recentLoad: {
      start: at - 48 * 3600,
      step: 300,
      values: Array.from({ length: 576 }, (_, i) => 500 + 400 * Math.sin(i / 46)),
    },
    forecast: {
      start: at,
      step: 300,
      p50: Array.from({ length: 24 }, (_, i) => 500 + 10 * i),
      p90: Array.from({ length: 24 }, (_, i) => 600 + 12 * i),
      model: 'auto:mstl',
      notes: [],
    },
    decision: {
      at,
      currentReplicas: replicas,
      desiredReplicas: replicas + 1,
      reason: 'Predictive',
      reasons: ['Predictive'],
      message: '',
      reactive: replicas,
      schedule: [{ at, forTime: at + 300, replicas: replicas + 1 }],
    },
  };
}

gc();
const before = process.memoryUsage().heapUsed;
const trail = new DecisionTrail();
const keys = Array.from({ length: SERVICES }, (_, i) => `swarm/s${i}`);
// one cycle a minute over the whole window, replicas changing at every one
const cycles = TRAIL_LIMITS.windowSec / 60 + 10;
// the records of one cycle share everything but key, time, replicas and message (as the trail keeps them)
const base = report('swarm/s', now, 2);
for (let c = 0; c < cycles; c++) {
  const at = now - (cycles - c) * 60;
  const replicas = 2 + (c % 7);
  const decision = { ...base.decision!, at, currentReplicas: replicas, desiredReplicas: replicas + 1 };
  const services = keys.map((key) => ({
    ...base,
    key,
    currentReplicas: replicas,
    desiredReplicas: replicas + 1,
    message: `${replicas} → ${replicas + 1} (Predictive) at ${at} for ${key}`,
    decision,
  }));
  trail.record({ at, durationMs: 1, errors: [], services });
}
gc();
const trailBytes = process.memoryUsage().heapUsed - before;

const one = report('swarm/s0', now, 3);
const app = await buildApp({
  services: () => [one],
  notReady: () => undefined,
  apply: async () => one,
  metrics: new PrescaleMetrics(),
  info: () => ({}),
  trail,
});
async function time(url: string, n = 50): Promise<{ ms: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await app.inject(url);
    times.push(performance.now() - t0);
    bytes = r.rawPayload.length;
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(n / 2)], bytes };
}
const rows: [string, { ms: number; bytes: number }][] = [];
for (const url of [
  '/',
  '/ui/page.js',
  '/v1/services/swarm%2Fs0/observed',
  '/v1/services/swarm%2Fs0/decisions?limit=20',
  '/v1/services/swarm%2Fs0/chart.svg?width=900&height=300&hours=48',
  '/v1/services/swarm%2Fs0/chart.svg?width=900&height=300&hours=6',
])
  rows.push([url, await time(url)]);
console.log(
  `trail of ${SERVICES} services at its bounds (${cycles} cycles): ${(trailBytes / 2 ** 20).toFixed(0)} MiB of heap`,
);
console.log('| answer | median ms | bytes |\n|---|---:|---:|');
for (const [url, r] of rows) console.log(`| \`${url}\` | ${r.ms.toFixed(2)} | ${r.bytes} |`);
await app.close();
