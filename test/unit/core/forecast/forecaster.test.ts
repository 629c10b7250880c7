import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPrescaleError } from '../../../../src/core/domain/errors.js';
import { forecastSeries, p90Margins } from '../../../../src/core/forecast/forecaster.js';

const step = 300;
const daily = (days: number, f = (i: number) => 100 + 50 * Math.sin((2 * Math.PI * i) / 288) + ((i * 7919) % 17)) =>
  Array.from({ length: days * 288 }, (_, i) => f(i));

test('auto forecast: length, continuation of the step, ordered quantiles', () => {
  const values = daily(8);
  const fc = forecastSeries({ start: 1_000_000, step, values }, 24);
  assert.equal(fc.p50.length, 24);
  assert.equal(fc.start, 1_000_000 + values.length * step);
  assert.match(fc.model, /^auto:/);
  fc.p50.forEach((v, i) => assert.ok(fc.p90[i] >= v));
});

const cases: Array<[string, number[], number, (fc: ReturnType<typeof forecastSeries>) => void]> = [
  ['horizon 0 gives an empty forecast', daily(3), 0, (fc) => assert.equal(fc.p50.length, 0)],
  [
    'horizon 10,000 is finite everywhere',
    daily(3),
    10_000,
    (fc) => assert.ok(fc.p50.length === 10_000 && fc.p90.every(Number.isFinite)),
  ],
  [
    'gaps are filled and said',
    daily(3).map((v, i) => (i % 50 === 0 ? Number.NaN : v)),
    12,
    (fc) => assert.ok(fc.notes.some((n) => /missing samples filled/.test(n)) && fc.p50.every(Number.isFinite)),
  ],
  [
    'constant series: p50 = p90 = the constant',
    new Array(3 * 288).fill(7),
    12,
    (fc) => assert.ok(fc.p50.every((v, i) => v === 7 && fc.p90[i] === 7)),
  ],
  [
    'short history falls back to naive and says so',
    daily(1).slice(0, 100),
    6,
    (fc) => assert.ok(fc.model === 'auto:naive' && fc.notes.some((n) => /too short/.test(n))),
  ],
  [
    'a never-negative series never gets a negative forecast',
    daily(3, (i) => (i % 288 < 144 ? 0 : 10 * (i % 7))),
    48,
    (fc) => assert.ok(fc.p50.every((v) => v >= 0)),
  ],
  [
    'negative series are allowed (e.g. a net flow)',
    daily(3, (i) => -50 + 10 * Math.sin(i / 40)),
    12,
    (fc) => assert.ok(fc.p50.every((v) => v < 0)),
  ],
  [
    'a level shift: the forecast follows the new level',
    daily(4, (i) => (i < 3.5 * 288 ? 10 : 30) + Math.sin(i / 20)),
    6,
    (fc) =>
      assert.ok(
        fc.p50.every((v) => v > 20),
        fc.p50.join(','),
      ),
  ],
];
for (const [name, values, h, check] of cases) test(name, () => check(forecastSeries({ start: 0, step, values }, h)));

test('errors: unknown model, all-NaN history, negative horizon', () => {
  const s = { start: 0, step, values: daily(3) };
  assert.throws(
    () => forecastSeries(s, 3, { model: 'prophet' }),
    (e: unknown) => isPrescaleError(e, 'E_INPUT') && /valid: auto/.test(e.message),
  );
  assert.throws(
    () => forecastSeries({ start: 0, step, values: [NaN, NaN] }, 3),
    (e: unknown) => isPrescaleError(e, 'E_FORECAST'),
  );
  assert.throws(
    () => forecastSeries(s, -1),
    (e: unknown) => isPrescaleError(e, 'E_INPUT'),
  );
});

test('p90 margins widen monotonically and come from the residuals', () => {
  const residuals = Array.from({ length: 10 }, (_, o) => Array.from({ length: 5 }, (_, k) => (o - 5) * (k + 1)));
  const m = p90Margins(residuals, 8);
  for (let k = 1; k < 8; k++) assert.ok(m[k] >= m[k - 1]);
  assert.ok(m[0] > 0 && m[7] === m[4]);
});

/** 14 days at 5 minutes of a flat load with a 10-minute spike every day near `slot`, wandering by `wander[d]` steps. */
function cronSpikes(slot: number, wander: (d: number) => number) {
  const values: number[] = [];
  for (let d = 0; d < 14; d++) {
    for (let s = 0; s < 288; s++) {
      const at = slot + wander(d);
      values.push(s === at || s === at + 1 ? 150 : 10 + ((d * 288 + s) % 3));
    }
  }
  return { start: 1_700_006_400, step: 300, values };
}

test('p90 covers a daily spike whose minute wanders, over the times it came at', () => {
  const wander = (d: number) => [0, 2, -3, 1, -1, 3, -2][d % 7];
  const series = cronSpikes(150, wander);
  // forecast the next day up to past the spike window: steps 0..287 are tomorrow's slots
  const fc = forecastSeries(series, 288);
  for (let s = 147; s <= 153; s++) assert.ok(fc.p90[s] > 100, `slot ${s}: p90 ${fc.p90[s]}`);
  assert.ok(fc.p90[130] < 60, `20 minutes before the earliest spike: p90 ${fc.p90[130]}`);
  assert.ok(fc.p90[200] < 60, `hours later: p90 ${fc.p90[200]}`);
});

test('a spike at the same minute every day is covered at that minute, not half an hour ahead', () => {
  const fc = forecastSeries(
    cronSpikes(150, () => 0),
    288,
  );
  assert.ok(fc.p90[150] > 100, `p90 at the spike ${fc.p90[150]}`);
  assert.ok(fc.p90[145] < 60, `25 minutes before: p90 ${fc.p90[145]}`);
});

test('auto uses the robust MSTL on a flat baseline with spikes, and a fresh spike does not lift p50', () => {
  // deterministic |N(0, 1)|-like noise on a baseline of 20, and a 60-high spike every 37 samples (3 h 5 min)
  let s = 11;
  const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const values = Array.from(
    { length: 14 * 288 },
    (_, i) => 20 + Math.abs(Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u())) + (i % 37 === 0 ? 60 : 0),
  );
  values[values.length - 1] = 200; // a spike at the newest sample
  const fc = forecastSeries({ start: 0, step, values }, 12);
  assert.match(fc.model, /mstl_robust/);
  for (const v of fc.p50) assert.ok(v > 20 && v < 23, `p50 ${v.toFixed(2)} stays at the baseline`);
});
