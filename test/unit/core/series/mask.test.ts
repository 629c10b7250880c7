import assert from 'node:assert/strict';
import { test } from 'node:test';
import { excludedRanges, maskSeries, type ExcludeRule } from '../../../../src/core/series/mask.js';
import { fillGaps } from '../../../../src/core/series/regular.js';
import { forecastSeries } from '../../../../src/core/forecast/forecaster.js';

const at = (iso: string) => Date.parse(iso) / 1000;
const hourly = (start: string, values: number[]) => ({ start: at(start), step: 3600, values });

test('a range mask turns the samples whose step meets it into gaps, and counts them', () => {
  const s = hourly('2026-11-01T00:00:00Z', [1, 2, 3, 4, 5, 6]);
  // 02:30 to 04:00: the steps starting at 02:00 and 03:00
  const rule: ExcludeRule = { name: 'outage', start: at('2026-11-01T02:30:00Z'), end: at('2026-11-01T04:00:00Z') };
  const { series, masked } = maskSeries(s, [rule]);
  assert.equal(masked, 2);
  assert.deepEqual(series.values, [1, 2, Number.NaN, Number.NaN, 5, 6]);
  assert.deepEqual(s.values, [1, 2, 3, 4, 5, 6], 'the input is left as it is');
});

test('masked samples are missing, not zeros: the forecaster interpolates across them', () => {
  const s = hourly('2026-11-01T00:00:00Z', [10, 10, 0, 0, 10, 10]);
  const rule: ExcludeRule = { name: 'outage', start: at('2026-11-01T02:00:00Z'), end: at('2026-11-01T04:00:00Z') };
  assert.deepEqual(fillGaps(maskSeries(s, [rule]).series).values, [10, 10, 10, 10, 10, 10]);
});

test('an outage masked out no longer drags the forecast down', () => {
  // two weeks of a flat load of 100 with a day-long outage at 0 just before the end
  const n = 14 * 24;
  const values = Array.from({ length: n }, (_, i) => (i >= n - 30 && i < n - 6 ? 0 : 100));
  const s = hourly('2026-11-01T00:00:00Z', values);
  const outage: ExcludeRule = { name: 'outage', start: s.start + (n - 30) * 3600, end: s.start + (n - 6) * 3600 };
  const raw = forecastSeries(s, 6, { model: 'seasonal_naive_day' });
  const masked = forecastSeries(maskSeries(s, [outage]).series, 6, { model: 'seasonal_naive_day' });
  assert.ok(Math.min(...raw.p50) < 50, `unmasked: ${raw.p50.join(',')}`);
  assert.ok(Math.min(...masked.p50) > 99, `masked: ${masked.p50.join(',')}`);
});

test('recurring dates mask the whole local day every year, in their time zone', () => {
  const rule: ExcludeRule = { name: 'christmas', dates: [{ month: 12, day: 25 }], timeZone: 'Europe/Paris' };
  const ranges = excludedRanges([rule], at('2025-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z'));
  assert.deepEqual(
    ranges.map(([a, b]) => [new Date(a * 1000).toISOString(), new Date(b * 1000).toISOString()]),
    [
      ['2025-12-24T23:00:00.000Z', '2025-12-25T23:00:00.000Z'],
      ['2026-12-24T23:00:00.000Z', '2026-12-25T23:00:00.000Z'],
    ],
  );
});

test('a recurring day across a DST change is the local day, 23 or 25 hours long', () => {
  const rule: ExcludeRule = { name: 'dst', dates: [{ month: 3, day: 29 }], timeZone: 'Europe/Paris' };
  const [[a, b]] = excludedRanges([rule], at('2026-01-01T00:00:00Z'), at('2026-12-31T00:00:00Z'));
  assert.equal(b - a, 23 * 3600);
});

test('02-29 masks nothing in a common year; rules outside the series mask nothing', () => {
  const leap: ExcludeRule = { name: 'leap', dates: [{ month: 2, day: 29 }], timeZone: 'UTC' };
  assert.deepEqual(excludedRanges([leap], at('2026-01-01T00:00:00Z'), at('2026-12-31T00:00:00Z')), []);
  const s = hourly('2026-11-01T00:00:00Z', [1, 2, 3]);
  const later: ExcludeRule = { name: 'later', start: at('2026-12-01T00:00:00Z'), end: at('2026-12-02T00:00:00Z') };
  assert.equal(maskSeries(s, [later, leap]).masked, 0);
});
