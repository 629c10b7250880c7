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
import { hasPrometheus, startPrometheus, type PrometheusHandle } from '../../support/prometheus.js';

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

describe(
  'Prometheus collector against a real Prometheus',
  { skip: skipUnless(hasPrometheus(), 'prometheus and promtool') },
  () => {
    let prom: PrometheusHandle;
    before(async () => {
      prom = await startPrometheus({
        series: [
          { name: 'load', labels: { service: 'web' }, timestamps, values },
          {
            name: 'load',
            labels: { service: 'api' },
            timestamps: timestamps.slice(0, 10),
            values: values.slice(0, 10),
          },
          { name: 'hits', type: 'counter', timestamps: counterTs, values: counterVals },
        ],
      });
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

    test('the fetch command writes one row per sample', () => {
      const out = join(mkdtempSync(join(tmpdir(), 'prescale-fetch-')), 'h.csv');
      const res = spawnSync(
        process.execPath,
        [
          'bin/prescale.js',
          'fetch',
          '--prometheus',
          prom.url,
          '--query',
          'load{service="web"}',
          '--start',
          String(start),
          '--end',
          String(end),
          '--step',
          String(STEP),
          '--output',
          out,
        ],
        { encoding: 'utf8' },
      );
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

    test('bad PromQL is a query error with Prometheus reason', async () => {
      const src = new PrometheusSource({ url: prom.url });
      await assert.rejects(
        src.queryRange('sum(load', start, end, STEP),
        (e: unknown) => isPrescaleError(e, 'E_SOURCE_QUERY') && /parse error/.test(e.message),
      );
    });

    test('several series are refused, naming them', async () => {
      const src = new PrometheusSource({ url: prom.url });
      await assert.rejects(
        src.queryRange('load', start, start + 3600, STEP),
        (e: unknown) => isPrescaleError(e, 'E_SOURCE_DATA') && /service="api"/.test(e.message),
      );
    });

    test('NaN, Inf and values beyond 1e100 that PromQL makes are dropped and counted', async () => {
      const src = new PrometheusSource({ url: prom.url });
      const hour = [start, start + 3600, STEP] as const;
      const big = await src.queryRange('load{service="web"} * 1e300', ...hour);
      assert.deepEqual(big, { timestamps: [], values: [], dropped: 61 });
      const zero = '(load{service="web"} - load{service="web"})';
      const inf = await src.queryRange(`load{service="web"} / ${zero}`, ...hour); // x / 0
      assert.deepEqual(inf, { timestamps: [], values: [], dropped: 61 });
      const nan = await src.queryRange(`${zero} / ${zero}`, ...hour); // 0 / 0
      assert.deepEqual(nan, { timestamps: [], values: [], dropped: 61 });
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
