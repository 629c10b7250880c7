/**
 * The Prometheus collector against the real servers it reads: Prometheus itself and
 * VictoriaMetrics, the same tests on both (history backfilled with promtool, or imported through
 * VictoriaMetrics' import API). Where the two answer differently (gaps, staleness, NaN, error
 * texts), each test says what each one returns, as measured.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readSamplesCsv } from '../../../src/adapters/sources/csv.js';
import { PrometheusSource } from '../../../src/adapters/sources/prometheus/source.js';
import { isPrescaleError } from '../../../src/core/domain/errors.js';
import { skipUnless } from '../../support/integration.js';
import {
  hasPrometheus,
  startPrometheus,
  type BackfillSeries,
  type PrometheusHandle,
} from '../../support/prometheus.js';
import { hasVictoria, startVictoria } from '../../support/victoria.js';
import { SERVERS } from './servers.js';

const STEP = 60;
const DAYS = 14;
const end = Math.floor(Date.now() / 1000 / STEP) * STEP - 10 * STEP;
const start = end - DAYS * 86_400;
const timestamps: number[] = [];
const values: number[] = [];
for (let t = start; t <= end; t += STEP) {
  timestamps.push(t);
  // distinct values everywhere, so that a shifted or repeated sample cannot go unnoticed
  values.push(Math.round(1000 + 500 * Math.sin((2 * Math.PI * t) / 86_400)) + ((t / STEP) % 997) / 1000);
}
// a counter that resets twice
const counterTs = timestamps.slice(0, 600);
let c = 0;
const counterVals = counterTs.map((_, i) => (i === 200 || i === 400 ? (c = 5) : (c += 30)));
// 400 minutes with gaps of 3 minutes, 10 minutes and 2 hours
const gapIdx = [...Array(400).keys()].filter(
  (i) => !((i > 100 && i < 104) || (i > 200 && i < 211) || (i > 250 && i < 370)),
);
const gappy: BackfillSeries = { name: 'gappy', timestamps: gapIdx.map((i) => start + i * STEP), values: gapIdx };

const SERIES: readonly BackfillSeries[] = [
  { name: 'load', labels: { service: 'web' }, timestamps, values },
  { name: 'load', labels: { service: 'api' }, timestamps: timestamps.slice(0, 10), values: values.slice(0, 10) },
  { name: 'hits', type: 'counter', timestamps: counterTs, values: counterVals },
  gappy,
];

/** Steps after a real sample that a server still answers with that sample's value. */
function longestFill(got: { timestamps: readonly number[]; values: readonly number[] }): number {
  const real = new Map(gappy.timestamps.map((t, i) => [t, gappy.values[i]]));
  let longest = 0;
  for (let i = 0; i < got.timestamps.length; i++) {
    const t = got.timestamps[i];
    if (real.has(t)) {
      assert.equal(got.values[i], real.get(t));
      continue;
    }
    // a point between samples repeats the last sample before it: never interpolated, never invented
    const before = gappy.timestamps.filter((s) => s < t).at(-1) as number;
    assert.equal(got.values[i], real.get(before), `point at ${t}`);
    longest = Math.max(longest, (t - before) / STEP);
  }
  return longest;
}

for (const server of SERVERS) {
  describe(
    `Prometheus collector against a real ${server.name}`,
    { skip: skipUnless(server.has(), server.needs) },
    () => {
      let prom: PrometheusHandle;
      before(async () => {
        prom = await server.start({ series: SERIES });
      });
      after(async () => prom?.stop());

      test(`fetches ${DAYS} days at ${STEP} s (${timestamps.length} points, several chunks) sample for sample`, async () => {
        assert.ok(timestamps.length > 20_000);
        const src = new PrometheusSource({ url: prom.url });
        const got = await src.queryRange('load{service="web"}', start, end, STEP);
        assert.equal(got.timestamps.length, timestamps.length);
        assert.deepEqual(got.timestamps, timestamps);
        assert.deepEqual(got.values, values);
      });

      test('small chunks stitch exactly too (chunk edges everywhere)', async () => {
        const src = new PrometheusSource({ url: prom.url, maxPoints: 777 });
        const got = await src.queryRange('load{service="web"}', start, start + 5000 * STEP, STEP);
        assert.deepEqual(got.timestamps, timestamps.slice(0, 5001));
        assert.deepEqual(got.values, values.slice(0, 5001));
      });

      test('a start off the step grid is kept: points at start + k × step', async () => {
        // VictoriaMetrics moves a range of 50 points or more onto multiples of the step unless asked not to
        const src = new PrometheusSource({ url: prom.url });
        const got = await src.queryRange('load{service="web"}', start + 17, start + 17 + 100 * STEP, STEP);
        assert.deepEqual(
          got.timestamps,
          timestamps.slice(0, 101).map((t) => t + 17),
        );
        assert.deepEqual(got.values, values.slice(0, 101));
      });

      test(`gaps: every sample comes back, and a gap is filled with the last value for ${server.fillSteps} step(s) at most`, async () => {
        const src = new PrometheusSource({ url: prom.url });
        const got = await src.queryRange('gappy', start, start + 399 * STEP, STEP);
        for (const t of gappy.timestamps) assert.ok(got.timestamps.includes(t), `sample at ${t}`);
        assert.equal(longestFill(got), server.fillSteps);
      });

      test(`a series that stops is answered ${server.fillSteps} step(s) beyond its last sample`, async () => {
        const src = new PrometheusSource({ url: prom.url });
        const got = await src.queryRange('load{service="api"}', start, start + 3600, STEP);
        assert.deepEqual(got.timestamps, timestamps.slice(0, 10 + server.fillSteps));
      });

      test('the fetch command writes one row per sample', () => {
        const out = join(mkdtempSync(join(tmpdir(), 'prescale-fetch-')), 'h.csv');
        const args = ['fetch', '--prometheus', prom.url, '--query', 'load{service="web"}'];
        const range = ['--start', String(start), '--end', String(end), '--step', String(STEP), '--output', out];
        const res = spawnSync(process.execPath, ['bin/prescale.js', ...args, ...range], { encoding: 'utf8' });
        assert.equal(res.status, 0, res.stderr);
        const csv = readSamplesCsv(out);
        assert.deepEqual(csv.timestamps, timestamps);
        assert.deepEqual(csv.values, values);
      });

      test('counter resets are handled by rate()', async () => {
        const src = new PrometheusSource({ url: prom.url });
        const got = await src.queryRange('rate(hits_total[5m])', counterTs[10], counterTs[590], STEP);
        assert.ok(got.values.length > 500);
        // 30 per minute = 0.5/s everywhere; a reset must not show up as a negative or a huge rate
        for (const v of got.values) assert.ok(v > 0.3 && v < 0.7, `rate ${v}`);
      });

      test("bad PromQL is a query error with the server's reason", async () => {
        const src = new PrometheusSource({ url: prom.url });
        await assert.rejects(
          src.queryRange('sum(load', start, start + 3600, STEP),
          (e: unknown) => isPrescaleError(e, 'E_SOURCE_QUERY') && server.parseError.test(e.message),
        );
      });

      test('several series are refused, naming them', async () => {
        const src = new PrometheusSource({ url: prom.url });
        await assert.rejects(
          src.queryRange('load', start, start + 3600, STEP),
          (e: unknown) => isPrescaleError(e, 'E_SOURCE_DATA') && /service="api"/.test(e.message),
        );
      });

      test(`NaN, Inf and values beyond 1e100 never come through (${server.name} ${server.nanDropped ? 'answers NaN: counted' : 'leaves NaN out itself'})`, async () => {
        const src = new PrometheusSource({ url: prom.url });
        const hour = [start, start + 3600, STEP] as const;
        const big = await src.queryRange('load{service="web"} * 1e300', ...hour);
        assert.deepEqual(big, { timestamps: [], values: [], dropped: 61 });
        const zero = '(load{service="web"} - load{service="web"})';
        const inf = await src.queryRange(`load{service="web"} / ${zero}`, ...hour); // x / 0
        assert.deepEqual(inf, { timestamps: [], values: [], dropped: 61 });
        const nan = await src.queryRange(`${zero} / ${zero}`, ...hour); // 0 / 0
        assert.deepEqual(nan, { timestamps: [], values: [], ...(server.nanDropped && { dropped: 61 }) });
        const fine = await src.queryRange('load{service="web"}', ...hour);
        assert.equal(fine.dropped, undefined);
      });

      test('a URL with credentials is queried: they go in the Authorization header', async () => {
        const withCreds = prom.url.replace('http://', 'http://reader:pa55word@');
        const src = new PrometheusSource({ url: withCreds, retries: 0 });
        const got = await src.queryRange('load{service="web"}', start, start + 600, STEP);
        assert.equal(got.timestamps.length, 11);
      });

      test('a stopped server is unreachable after retries, and served again after resume', async () => {
        const src = new PrometheusSource({ url: prom.url, retries: 2, initialDelayMs: 10 });
        await prom.pause();
        try {
          await assert.rejects(src.queryRange('load{service="web"}', start, start + 600, STEP), (e: unknown) =>
            isPrescaleError(e, 'E_SOURCE_UNREACHABLE'),
          );
        } finally {
          await prom.resume();
        }
        const got = await src.queryRange('load{service="web"}', start, start + 600, STEP);
        assert.equal(got.timestamps.length, 11);
      });
    },
  );
}

/** A source whose log records the chunk refusals. */
function watched(url: string, maxPoints: number) {
  const refusals: Array<{ points: number; next: number }> = [];
  const logger = { warn: (o: { points: number; next: number }) => refusals.push(o) } as never;
  return { src: new PrometheusSource({ url, maxPoints, logger }), refusals };
}

const exact = async (src: PrometheusSource) => {
  const got = await src.queryRange('load{service="web"}', start, end, STEP);
  assert.deepEqual(got.timestamps, timestamps);
  assert.deepEqual(got.values, values);
};

const web = SERIES.slice(0, 1);

describe('chunks the server refuses for their size are split further', () => {
  test(
    'Prometheus: 20,000-point chunks are refused at 11,000 points per series; the source learns 11,000',
    { skip: skipUnless(hasPrometheus(), 'prometheus and promtool') },
    async () => {
      const prom = await startPrometheus({ series: web });
      try {
        const { src, refusals } = watched(prom.url, 20_000);
        await exact(src);
        assert.deepEqual(
          refusals.map((r) => [r.points, r.next]),
          [[20_000, 11_000]],
        );
        await exact(src); // learnt: no refusal the second time
        assert.equal(refusals.length, 1);
      } finally {
        await prom.stop();
      }
    },
  );

  test(
    'Prometheus --query.max-samples=6000: 10,000-point chunks are halved until they fit',
    { skip: skipUnless(hasPrometheus(), 'prometheus and promtool') },
    async () => {
      const prom = await startPrometheus({ series: web, flags: ['--query.max-samples=6000'] });
      try {
        const { src, refusals } = watched(prom.url, 10_000);
        await exact(src);
        assert.deepEqual(
          refusals.map((r) => [r.points, r.next]),
          [[10_000, 5_000]],
        );
      } finally {
        await prom.stop();
      }
    },
  );

  test(
    'VictoriaMetrics answers 14 days (20,161 points) in one chunk; -search.maxPointsPerTimeseries=5000 is learnt',
    { skip: skipUnless(hasVictoria(), 'victoria-metrics') },
    async () => {
      const vm = await startVictoria({ series: web, flags: ['-search.maxPointsPerTimeseries=5000'] });
      const big = await startVictoria({ series: web });
      try {
        const one = watched(big.url, 30_000);
        await exact(one.src);
        assert.equal(one.refusals.length, 0);
        const { src, refusals } = watched(vm.url, 10_000);
        await exact(src);
        assert.deepEqual(
          refusals.map((r) => [r.points, r.next]),
          [[10_000, 5_000]],
        );
      } finally {
        await vm.stop();
        await big.stop();
      }
    },
  );

  test(
    'VictoriaMetrics -search.maxSamplesPerQuery=20000: a 20,161-point chunk is halved until it fits',
    { skip: skipUnless(hasVictoria(), 'victoria-metrics') },
    async () => {
      const vm = await startVictoria({ series: web, flags: ['-search.maxSamplesPerQuery=20000'] });
      try {
        const { src, refusals } = watched(vm.url, 30_000);
        await exact(src);
        assert.deepEqual(
          refusals.map((r) => [r.points, r.next]),
          [[20_161, 10_080]],
        );
      } finally {
        await vm.stop();
      }
    },
  );
});
