import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MIN_CHUNK_POINTS,
  nextChunkPoints,
  sizeLimitOf,
} from '../../../../../src/adapters/sources/prometheus/limits.js';
import { PrometheusSource } from '../../../../../src/adapters/sources/prometheus/source.js';
import { isPrescaleError } from '../../../../../src/core/domain/errors.js';

// the servers' own words (Prometheus 2.42, VictoriaMetrics 1.79), as their answers carry them
const TEXTS = {
  promPoints:
    'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
  vmPoints:
    'error when executing query="x" on the time range (start=1795719337000, end=1796119937000, step=60000): too many points for the given step=60000, start=1795719337000 and end=1796119937000: 6677; cannot exceed -search.maxPointsPerTimeseries=5000',
  promSamples: 'query processing would load too many samples into memory in query execution',
  vmSamples:
    'error when executing query="load" …: cannot execute query: cannot evaluate "load": cannot select more than -search.maxSamplesPerQuery=2000 samples; possible solutions: …',
  parse: '1:9: parse error: unclosed left parenthesis',
};

test('each server’s size limits are read from its error text', () => {
  assert.deepEqual(sizeLimitOf(TEXTS.promPoints), { kind: 'points', maxPoints: 11_000 });
  assert.deepEqual(sizeLimitOf(TEXTS.vmPoints), { kind: 'points', maxPoints: 5000 });
  assert.deepEqual(sizeLimitOf(TEXTS.promSamples), { kind: 'samples' });
  assert.deepEqual(sizeLimitOf(TEXTS.vmSamples), { kind: 'samples' });
  assert.equal(sizeLimitOf(TEXTS.parse), undefined);
  assert.equal(sizeLimitOf(''), undefined);
});

test('the next chunk: the point limit when below the chunk, else half, never below the minimum', () => {
  assert.equal(nextChunkPoints({ kind: 'points', maxPoints: 11_000 }, 20_000), 11_000);
  assert.equal(nextChunkPoints({ kind: 'points', maxPoints: 11_000 }, 11_000), undefined);
  assert.equal(nextChunkPoints({ kind: 'samples' }, 20_161), 10_080);
  assert.equal(nextChunkPoints({ kind: 'samples' }, MIN_CHUNK_POINTS * 2), MIN_CHUNK_POINTS);
  assert.equal(nextChunkPoints({ kind: 'samples' }, MIN_CHUNK_POINTS * 2 - 1), undefined);
});

/** A fetch that answers like a server with a point limit, recording each request's form. */
function server(maxPoints: number, extraPoint = false) {
  const asked: URLSearchParams[] = [];
  const fake = (async (_url: string, init: RequestInit) => {
    const form = new URLSearchParams(String(init.body));
    asked.push(form);
    const [s, e, st] = ['start', 'end', 'step'].map((k) => Number(form.get(k)));
    const n = Math.floor((e - s) / st) + 1;
    if (n > maxPoints) {
      const error = `too many points: ${n}; cannot exceed -search.maxPointsPerTimeseries=${maxPoints}`;
      return new Response(JSON.stringify({ status: 'error', errorType: '422', error }), { status: 422 });
    }
    const values = [...Array(n + (extraPoint ? 1 : 0)).keys()].map((k) => [s + k * st, String(s + k * st)]);
    const data = { resultType: 'matrix', result: [{ metric: {}, values }] };
    return new Response(JSON.stringify({ status: 'success', data }), { status: 200 });
  }) as typeof fetch;
  return { fake, asked };
}

test('a refused chunk is split at the limit the server names, and the rest of the range follows it', async () => {
  const { fake, asked } = server(400);
  const src = new PrometheusSource({ url: 'http://vm:8428', fetch: fake, maxPoints: 1000 });
  const got = await src.queryRange('x', 0, 60 * 999, 60);
  assert.deepEqual(
    got.timestamps,
    [...Array(1000).keys()].map((k) => k * 60),
  );
  assert.deepEqual(
    asked.map((f) => [f.get('start'), f.get('end')]),
    [
      ['0', '59940'],
      ['0', '23940'],
      ['24000', '47940'],
      ['48000', '59940'],
    ],
  );
});

test('a limit that splitting cannot meet is the server’s error, E_SOURCE_QUERY', async () => {
  const { fake } = server(0);
  const src = new PrometheusSource({ url: 'http://vm:8428', fetch: fake, maxPoints: 10 });
  await assert.rejects(src.queryRange('x', 0, 600, 60), (e: unknown) => isPrescaleError(e, 'E_SOURCE_QUERY'));
});

test('a point beyond the asked end is left out; nocache=1 is sent only for a start off the step grid', async () => {
  const { fake, asked } = server(1000, true);
  const src = new PrometheusSource({ url: 'http://vm:8428', fetch: fake });
  assert.deepEqual((await src.queryRange('x', 60, 180, 60)).timestamps, [60, 120, 180]);
  assert.equal(asked.at(-1)?.get('nocache'), null);
  assert.deepEqual((await src.queryRange('x', 77, 197, 60)).timestamps, [77, 137, 197]);
  assert.equal(asked.at(-1)?.get('nocache'), '1');
});
