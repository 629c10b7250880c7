import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contextOf } from '../../../../../../src/core/forecast/forecaster.js';
import { localLevelAr } from '../../../../../../src/core/forecast/models/mstl/ar.js';
import { medianLevel } from '../../../../../../src/core/forecast/models/mstl/trend.js';

// 5-minute steps: 288 a day, one hour is 12 samples
const ctx = contextOf({ start: 0, step: 300, values: [] });

test('median level: the median of the last hour, held flat; a spike in that hour does not lift it', () => {
  const a = Float64Array.from({ length: 3 * 288 }, (_, t) => 10 + (t % 2));
  a[a.length - 1] = 500;
  const fitted = medianLevel({ seconds: 3600 }).fit(a, ctx);
  assert.equal(fitted.lookback, 12);
  // from origin n, reading adj from n − 12
  const f = fitted.forecast(a.subarray(a.length - 12), a.length - 12, a.length, 4);
  assert.deepEqual(Array.from(f), [10.5, 10.5, 10.5, 10.5]);
});

test('local level + AR: a flat series stays at its level; after a jump the AR carries the forecast above the day mean', () => {
  const ar = localLevelAr({ arDays: 7, arSeconds: 3600 });
  const flat = new Float64Array(14 * 288).fill(7);
  const fitted = ar.fit(flat, ctx);
  assert.equal(fitted.lookback, 288);
  assert.deepEqual(Array.from(fitted.forecast(flat, 0, flat.length, 3)), [7, 7, 7]);
  // an AR(1)-like wiggle around 0, then the last hour at 30: the level (last day's mean) is
  // pulled up, and the AR of the deviations carries the forecast nearer 30 than that mean
  const shifted = Float64Array.from({ length: 14 * 288 }, (_, t) => (t >= 14 * 288 - 12 ? 30 : Math.sin(t / 5)));
  const g = ar.fit(shifted, ctx).forecast(shifted, 0, shifted.length, 1);
  const dayMean = shifted.subarray(shifted.length - 288).reduce((s, v) => s + v, 0) / 288;
  assert.ok(g[0] > dayMean, `forecast ${g[0]} above the day's mean ${dayMean}`);
});
