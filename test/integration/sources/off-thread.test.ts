/**
 * Prometheus answers requested and parsed in a worker thread (`offThread`) against a real
 * Prometheus: the same samples, to the last bit, as in the main thread (raw, averaged by a
 * subquery, split in chunks), and the same error codes (bad PromQL, several series, a server that
 * is not there); an aborted signal ends the request at once.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PrometheusSource } from '../../../src/adapters/sources/prometheus/source.js';
import { isPrescaleError } from '../../../src/core/domain/errors.js';
import { freePort, hasPrometheus, startPrometheus, type PrometheusHandle } from '../../support/prometheus.js';
import { skipUnless } from '../../support/integration.js';

const END = Math.floor(Date.now() / 1000 / 3600) * 3600 - 3600;
const FROM = END - 86_400;
const skip = skipUnless(hasPrometheus(), 'prometheus and promtool');

let prom: PrometheusHandle;
before(async () => {
  if (skip) return;
  const series = ['a', 'b'].map((job, k) => {
    const timestamps: number[] = [];
    const values: number[] = [];
    for (let t = FROM + 13, i = 0; t <= END; t += 60, i++) {
      if (i % 89 === 3) continue;
      timestamps.push(t);
      values.push(+(100 + 40 * Math.sin(t / 5000) + k + ((t * 7919) % 11) / 7).toFixed(6));
    }
    return { name: 'load', labels: { job }, timestamps, values };
  });
  prom = await startPrometheus({ series });
});
after(async () => prom?.stop());

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'none';
  } catch (err) {
    return isPrescaleError(err) ? err.code : `not a PrescaleError: ${String(err)}`;
  }
}

test('the worker thread gives the main thread’s samples and errors', { skip }, async () => {
  // small chunks: a day at 60 s is several requests, stitched
  const main = new PrometheusSource({ url: prom.url, maxPoints: 500 });
  const off = new PrometheusSource({ url: prom.url, maxPoints: 500, offThread: true });
  try {
    for (const query of ['load{job="a"}', 'avg_over_time((load{job="b"})[270000ms:60s])', 'rate(load{job="a"}[5m])']) {
      const [a, b] = await Promise.all([main.queryRange(query, FROM, END, 60), off.queryRange(query, FROM, END, 60)]);
      assert.ok(a.timestamps.length > 1000, `${query}: ${a.timestamps.length} samples`);
      assert.deepEqual(b, a, query);
    }
    for (const query of ['load{', 'load']) {
      const code = await codeOf(off.queryRange(query, FROM, END, 60));
      assert.equal(code, await codeOf(main.queryRange(query, FROM, END, 60)), query);
      assert.equal(code, query === 'load' ? 'E_SOURCE_DATA' : 'E_SOURCE_QUERY', query);
    }
    const stop = new AbortController();
    const pending = off.queryRange('load{job="a"}', FROM, END, 60, stop.signal);
    stop.abort();
    await assert.rejects(pending);
  } finally {
    await off.close();
  }
});

test('a server that is not there is unreachable, from the worker thread too', { skip }, async () => {
  const url = `http://127.0.0.1:${await freePort()}`;
  const off = new PrometheusSource({ url, offThread: true, retries: 1, initialDelayMs: 10 });
  try {
    assert.equal(await codeOf(off.queryRange('up', FROM, END, 60)), 'E_SOURCE_UNREACHABLE');
  } finally {
    await off.close();
  }
});
