/**
 * History figures for docs/benchmarks.md: heap per series held by the history cache (14 days at
 * 60 s, bucketed to 5 minutes) and the cost of writing the history store for 1,000 series.
 * Run: node --expose-gc --import tsx bench/history.ts
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetricsSource } from '../src/adapters/sources/port.js';
import { HistoryCache } from '../src/runtime/history.js';
import { FileHistoryStore } from '../src/runtime/history-store.js';

const N = 1000;
const NOW = 1_800_000_000;
const source: MetricsSource = {
  async queryRange(_q, start, end, step) {
    const timestamps: number[] = [];
    const values: number[] = [];
    for (let t = start; t <= end; t += step) {
      timestamps.push(t);
      values.push(100 + 50 * Math.sin(t / 13_751) + (t % 7));
    }
    return { timestamps, values };
  },
};
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const dir = mkdtempSync(join(tmpdir(), 'prescale-bench-history-'));
const store = new FileHistoryStore(dir);
const cache = new HistoryCache(source, 14 * 86_400, 60, { store });
gc();
const before = process.memoryUsage().heapUsed;
for (let i = 0; i < N; i++) await cache.get(`swarm/s${i}`, 'q', NOW);
gc();
const perSeries = (process.memoryUsage().heapUsed - before) / N;

let t0 = performance.now();
const all = cache.persist(NOW, true);
const writeAllMs = performance.now() - t0;
const bytes = readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);

// a day of 1-minute cycles: each series writes once an hour (staggered), with its new buckets
const perCycle: number[] = [];
for (let c = 1; c <= 120; c++) {
  const now = NOW + c * 60;
  for (let i = 0; i < N; i++) await cache.get(`swarm/s${i}`, 'q', now);
  t0 = performance.now();
  cache.persist(now);
  perCycle.push(performance.now() - t0);
}
perCycle.sort((a, b) => a - b);
t0 = performance.now();
for (let i = 0; i < N; i++) store.load(`swarm/s${i}|load`, 'q');
const loadAllMs = performance.now() - t0;
rmSync(dir, { recursive: true, force: true });
const r = (x: number) => Math.round(x);
console.log(
  JSON.stringify({
    series: N,
    heapBytesPerSeries: r(perSeries),
    storeFileBytes: r(bytes / N),
    writeAllMs: r(writeAllMs),
    written: all.written,
    persistPerCycleMs: { p50: +perCycle[60].toFixed(1), max: +perCycle.at(-1)!.toFixed(1) },
    loadAllMs: r(loadAllMs),
  }),
);

// The first fetch of one series of 14 days at 60 s from a real Prometheus, raw then lean, side by side.
const { hasPrometheus, startPrometheus } = await import('../test/support/prometheus.js');
const { PrometheusSource } = await import('../src/adapters/sources/prometheus/source.js');
if (hasPrometheus()) {
  const end = Math.floor(Date.now() / 1000 / 3600) * 3600;
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let t = end - 14 * 86_400; t <= end; t += 60) {
    timestamps.push(t);
    values.push(100 + 50 * Math.sin(t / 13_751));
  }
  const prom = await startPrometheus({ series: [{ name: 'load', timestamps, values }] });
  try {
    const times: Record<string, number[]> = { raw: [], lean: [] };
    for (let round = 0; round < 5; round++) {
      for (const kind of ['raw', 'lean'] as const) {
        const src = new PrometheusSource({ url: prom.url, subqueries: kind === 'lean' });
        const t = performance.now();
        await new HistoryCache(src, 14 * 86_400, 60).get('s', 'load', end);
        times[kind].push(performance.now() - t);
      }
    }
    const med = (xs: number[]) => +xs.sort((a, b) => a - b)[2].toFixed(1);
    console.log(JSON.stringify({ firstFetchMs: { raw: med(times.raw), lean: med(times.lean) } }));
  } finally {
    await prom.stop();
  }
}
