import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decompose, seasonalAt, seasonalInto } from '../../../../../../src/core/forecast/models/mstl/decompose.js';

const m = 48;
const w = 7 * m;
const profile = (j: number) => 30 * Math.sin((2 * Math.PI * j) / m) + 5 * Math.cos((4 * Math.PI * j) / m);
/** `days` days of a level of 100 with the daily profile, plus `extra(t)`. */
const series = (days: number, extra: (t: number) => number = () => 0) =>
  Float64Array.from({ length: days * m }, (_, t) => 100 + profile(t % m) + extra(t));
const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);
const maxGap = (a: Float64Array, f: (j: number) => number) => Math.max(...Array.from(a, (v, j) => Math.abs(v - f(j))));

test('a daily pattern is recovered exactly, centered, with no weekly component asked for', () => {
  const c = decompose(series(14), { m, weekly: undefined, passes: 2 });
  assert.equal(c.weekly, undefined);
  assert.ok(maxGap(c.daily, profile) < 1e-9, `gap ${maxGap(c.daily, profile)}`);
  assert.ok(Math.abs(sum(c.daily)) < 1e-9);
});

test('the daily component is a per-phase median: a spike on one day does not move it', () => {
  const spiky = series(14, (t) => (t === 5 * m + 10 ? 500 : 0));
  const c = decompose(spiky, { m, weekly: undefined, passes: 1 });
  assert.ok(maxGap(c.daily, profile) < 1e-9, `gap ${maxGap(c.daily, profile)}`);
});

test('a weekend dip that recurs is the weekly component; the daily one stays the daily pattern', () => {
  const weekend = (t: number) => (Math.floor(t / m) % 7 >= 5 ? -20 : 0);
  const c = decompose(series(14, weekend), { m, weekly: { w, minDays: 10, smoothHalf: 1 }, passes: 2 });
  assert.ok(c.weekly);
  assert.equal(c.weekly.length, w);
  assert.ok(Math.abs(sum(c.weekly)) < 1e-9, 'the weekly component sums to zero');
  const mean = (from: number, to: number) => sum(c.weekly!.subarray(from * m, to * m)) / ((to - from) * m);
  // away from the edges of the dip (the profile is smoothed across a few phases)
  const dip = mean(5, 7) - mean(0, 5);
  assert.ok(dip < -18 && dip > -21, `weekend less weekdays ${dip}`);
  assert.ok(maxGap(c.daily, profile) < 1, `daily gap ${maxGap(c.daily, profile)}`);
});

test('no weekly component without minDays of data, and none at all below two days', () => {
  const short = decompose(series(9), { m, weekly: { w, minDays: 10, smoothHalf: 1 }, passes: 2 });
  assert.equal(short.weekly, undefined);
  assert.ok(maxGap(short.daily, profile) < 1e-9);
  const tiny = decompose(series(1), { m, weekly: undefined, passes: 1 });
  assert.deepEqual(Array.from(tiny.daily), new Array(m).fill(0));
});

test('the components are read by phase of any position, negative ones included', () => {
  const daily = Float64Array.from({ length: 4 }, (_, j) => j);
  const weekly = Float64Array.from({ length: 8 }, (_, j) => 10 * j);
  const c = { daily, weekly };
  assert.equal(seasonalAt(c, 5), 1 + 50);
  assert.equal(seasonalAt(c, -1), 3 + 70);
  const out = new Float64Array(6);
  seasonalInto(c, -2, out);
  assert.deepEqual(
    Array.from(out),
    [-2, -1, 0, 1, 2, 3].map((p) => seasonalAt(c, p)),
  );
});
