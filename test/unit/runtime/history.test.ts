import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { MetricsSource } from '../../../src/adapters/sources/port.js';
import type { Samples } from '../../../src/core/domain/series.js';
import { HistoryCache, seriesId } from '../../../src/runtime/history.js';
import { leanPlan } from '../../../src/runtime/history-lean.js';
import { FileHistoryStore } from '../../../src/runtime/history-store.js';
import { FakeSource } from '../../support/fakes.js';

const NOW = 1_800_000_000;
const DAY = 86_400;

test('history: the whole window on first use, then only what is new, in 5-minute buckets bounded by the window', async () => {
  const source = new FakeSource();
  const cache = new HistoryCache(source, DAY, 60);
  const first = await cache.get('swarm/a', 'ok', NOW);
  assert.equal(first.view?.series.step, 300);
  assert.equal(first.view?.series.values.length, DAY / 300, 'a day of whole buckets');
  assert.equal(first.view?.from, NOW - DAY);
  assert.equal(first.view?.gaps, 0);
  const later = await cache.get('swarm/a', 'ok', NOW + 300);
  assert.deepEqual(source.calls[1], ['ok', NOW + 60, NOW + 300], 'only the new samples are asked for');
  assert.equal(later.view?.from, NOW + 300 - DAY, 'the oldest bucket left the window');
  assert.equal(later.view?.to, NOW + 300);
  assert.ok(later.view!.series.values.length <= DAY / 300);
});

test('history: a changed query is fetched whole again; a failure keeps what was cached', async () => {
  const source = new FakeSource();
  const cache = new HistoryCache(source, DAY, 60);
  await cache.get('swarm/a', 'ok', NOW);
  await cache.get('swarm/a', 'high', NOW + 60);
  assert.deepEqual(source.calls[1], ['high', NOW + 60 - DAY, NOW + 60]);
  await assert.rejects(cache.get('swarm/a', 'down', NOW + 120), /unreachable/);
  const back = await cache.get('swarm/a', 'high', NOW + 120);
  assert.deepEqual(source.calls.at(-1), ['high', NOW + 120, NOW + 120], 'the cache survived the failure');
  assert.equal(back.view?.latest, 2000);
});

test('history: services that are gone are forgotten; series of one service are kept apart', async () => {
  const source = new FakeSource();
  const cache = new HistoryCache(source, DAY, 60);
  await cache.get('swarm/a', 'ok', NOW);
  await cache.get({ service: 'swarm/a', metric: 'memory' }, 'high', NOW);
  assert.equal(cache.size, 2);
  assert.equal(seriesId('swarm/a'), 'swarm/a|load');
  cache.retain(new Set());
  assert.equal(cache.size, 0);
  await cache.get('swarm/a', 'ok', NOW + 60);
  assert.equal(source.calls.at(-1)![1], NOW + 60 - DAY, 'fetched whole again');
});

/** A source that answers `avg_over_time((Q)[Rms:Ss])` by averaging its own raw samples over (e − R, e]. */
class AveragingSource implements MetricsSource {
  readonly subqueries = true;
  readonly calls: string[] = [];
  constructor(
    private readonly value: (t: number) => number | undefined,
    private readonly skew = 0,
  ) {}
  async queryRange(query: string, start: number, end: number, step: number): Promise<Samples> {
    this.calls.push(query);
    const m = /^avg_over_time\(\((.*)\)\[(\d+)ms:(\d+)s\]\)$/.exec(query);
    const timestamps: number[] = [];
    const values: number[] = [];
    for (let t = start; t <= end; t += step) {
      let v: number | undefined;
      if (m) {
        const [range, inner] = [Number(m[2]) / 1000, Number(m[3])];
        const xs: number[] = [];
        for (let u = Math.ceil((t - range) / inner) * inner; u <= t; u += inner) {
          const x = this.value(u);
          if (x !== undefined) xs.push(x);
        }
        v = xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length + this.skew : undefined;
      } else v = this.value(t);
      if (v !== undefined) {
        timestamps.push(t);
        values.push(v);
      }
    }
    return { timestamps, values };
  }
}

const load = (t: number) => (t % 3600 < 600 ? undefined : 100 + (t % 7));

test('history: the lean first fetch gives the buckets the raw fetch gives, gaps included, in fewer points', async () => {
  const lean = new AveragingSource(load);
  const raw = new AveragingSource(load);
  (raw as { subqueries: boolean }).subqueries = false;
  const a = await new HistoryCache(lean, DAY, 60).get('s', 'q', NOW + 130);
  const b = await new HistoryCache(raw, DAY, 60).get('s', 'q', NOW + 130);
  assert.match(lean.calls[0], /^avg_over_time\(\(q\)\[270000ms:60s\]\)$/);
  assert.equal(lean.calls.length, 2, 'the averaged window, then the raw check buckets and the bucket filling');
  assert.deepEqual(a.view, b.view);
  assert.ok(a.view!.gaps > 0);
});

test('history: buckets that differ from the raw means make that query raw, and say why', async () => {
  const skewed = new AveragingSource(load, 1e-3);
  const cache = new HistoryCache(skewed, DAY, 60);
  const got = await cache.get('s', 'q', NOW);
  const want = await new HistoryCache(new AveragingSource(load, 0), DAY, 60).get('s', 'q', NOW);
  assert.deepEqual(got.view, want.view);
  assert.equal(skewed.calls.at(-1), 'q', 'fetched raw after the mismatch');
  await cache.get('t', 'q', NOW);
  assert.equal(skewed.calls.filter((c) => c.startsWith('avg')).length, 1, 'not asked averaged again');
});

test('history: when the first fetch is raw', () => {
  const prom = { subqueries: true };
  assert.deepEqual(leanPlan('q', 300, prom), { raw: 'NoAggregation' });
  assert.deepEqual(leanPlan('q', 70, prom), { raw: 'StepNotDivisor' });
  assert.deepEqual(leanPlan('q', 60, {}), { raw: 'SourceCannot' });
  assert.deepEqual(leanPlan('max_over_time(q[10m:1m])', 60, prom), { raw: 'Subquery' });
  assert.deepEqual(leanPlan('rate(c[1m])', 15, prom), {
    query: 'avg_over_time((rate(c[1m]))[292500ms:15s])',
    offset: 285,
  });
});

test('history store: merged where the source has nothing, written atomically, staggered, swept after the grace period', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-hist-'));
  const store = new FileHistoryStore(dir, { graceSec: 2 * DAY });
  // the source holds the last 6 hours only
  const recent = (t: number) => (t > NOW - 6 * 3600 ? 100 + (t % 7) : undefined);
  const everything = (t: number) => 100 + (t % 7);
  const full = new HistoryCache(new AveragingSource(everything), DAY, 60, { store });
  await full.get('s', 'q', NOW - 3600);
  assert.deepEqual(full.persist(NOW - 3600), { written: 0, failed: 0 }, 'not yet its turn');
  assert.equal(full.persist(NOW - 3600, true).written, 1);
  const cache = new HistoryCache(new AveragingSource(recent), DAY, 60, { store });
  const got = await cache.get('s', 'q', NOW);
  assert.equal(got.view!.from, NOW - DAY, 'a full day');
  assert.equal(got.view!.sourceBuckets, (6 * 3600) / 300);
  assert.equal(got.view!.storeBuckets, (DAY - 6 * 3600) / 300);
  assert.equal(got.view!.gaps, 0);
  const other = new HistoryCache(new AveragingSource(recent), DAY, 60, { store });
  assert.equal((await other.get('s', 'another query', NOW)).view!.storeBuckets, 0, 'another query is another series');
  assert.equal(store.sweep(new Set(), NOW), 0, 'within the grace period');
  assert.equal(store.sweep(new Set([seriesId('s')]), NOW + 3 * DAY), 0, 'a live series is kept');
  assert.equal(store.sweep(new Set(), NOW + 3 * DAY), 1);
  assert.deepEqual(readdirSync(dir), []);
});

test('history store: an unreadable or foreign file is counted and ignored, never thrown', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-hist-'));
  const store = new FileHistoryStore(dir);
  const seen: string[] = [];
  store.onUnreadable((path) => seen.push(path));
  writeFileSync(store.pathOf(seriesId('a')), '{not json');
  writeFileSync(store.pathOf(seriesId('b')), JSON.stringify({ v: 1, id: 'b|load', values: 'AAAA' }));
  const good = { v: 1, id: 'c|load', service: 'c', metric: 'load', query: 'q', step: 300, start: 0, seenAt: 0 };
  writeFileSync(store.pathOf(seriesId('c')), JSON.stringify({ ...good, values: 'AAAAAA==' }));
  for (const id of ['a', 'b', 'c']) assert.equal(store.load(seriesId(id), 'q'), undefined);
  assert.equal(seen.length, 3);
  const cache = new HistoryCache(new FakeSource(), DAY, 60, { store });
  assert.equal((await cache.get('a', 'q', NOW)).view?.storeBuckets, 0);
  assert.equal(cache.persist(NOW, true).written, 1, 'the bad file is replaced at the next write');
  assert.ok(store.load(seriesId('a'), 'q'));
});
