import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COUNTER_EVERY, percentile, queryOf, seriesOf, shapeOf } from '../../../bench/fleet/series.js';

test('fleet series: deterministic per service, regular 60 s samples ending at the end, shapes differ', () => {
  const end = 1_800_000_000;
  const a = seriesOf(3, end, 2, 60);
  assert.deepEqual(seriesOf(3, end, 2, 60), a, 'the same service gives the same series');
  assert.equal(a.timestamps.length, 2 * 1440 + 1);
  assert.equal(a.timestamps.at(-1), end);
  assert.ok(a.timestamps.every((t, k) => k === 0 || t - a.timestamps[k - 1] === 60));
  assert.ok(a.values.every((v) => Number.isFinite(v) && v >= 0));
  assert.notDeepEqual(seriesOf(4, end, 2, 60).values, a.values);
  assert.notEqual(shapeOf(3).peakAt, shapeOf(4).peakAt);
  // a daily shape: the peak hour carries more load than the opposite hour
  const s = shapeOf(3);
  const at = (sec: number) => a.values[a.timestamps.findIndex((t) => ((t % 86_400) + 86_400) % 86_400 === sec)];
  assert.ok(at(Math.floor(s.peakAt / 60) * 60) > at((Math.floor(s.peakAt / 60) * 60 + 43_200) % 86_400));
});

test('fleet series: a few services are counters, read through rate(), and only ever grow', () => {
  const i = COUNTER_EVERY - 1;
  assert.ok(shapeOf(i).counter);
  assert.ok(!shapeOf(0).counter);
  assert.equal(queryOf(i), `rate(load_total{service="s${i}"}[5m])`);
  assert.equal(queryOf(0), 'load{service="s0"}');
  const { values } = seriesOf(i, 1_800_000_000, 1, 60);
  assert.ok(values.every((v, k) => k === 0 || v >= values[k - 1]));
});

test('percentile: closest ranks interpolated, ends and empty input', () => {
  assert.equal(percentile([3, 1, 2, 4], 0.5), 2.5);
  assert.equal(percentile([5], 0.99), 5);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0), 1);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 1), 10);
  assert.ok(Math.abs(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99) - 9.91) < 1e-9);
  assert.ok(Number.isNaN(percentile([], 0.5)));
});
