import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPrescaleError } from '../../../../src/core/domain/errors.js';
import type { ForecastModel } from '../../../../src/core/forecast/contract.js';
import { contextOf, forecastSeries, prepareForecaster } from '../../../../src/core/forecast/forecaster.js';

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
    (fc) => {
      assert.deepEqual(
        fc.notes.map((n) => n.code),
        ['GapsFilled'],
      );
      assert.match(fc.notes[0].message, /^18 missing samples filled/);
      assert.ok(fc.p50.every(Number.isFinite));
    },
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
    (fc) => {
      assert.equal(fc.model, 'auto:naive');
      assert.deepEqual(
        fc.notes.map((n) => n.code),
        ['HistoryTooShort'],
      );
    },
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

test('a named model without the history it needs is skipped and said, then naive', () => {
  const fc = forecastSeries({ start: 0, step, values: daily(1) }, 6, { model: 'holt_winters' });
  assert.equal(fc.model, 'naive');
  assert.deepEqual(
    fc.notes.map((n) => n.code),
    ['ModelSkipped', 'HistoryTooShort'],
  );
  assert.match(fc.notes[0].message, /^holt_winters needs \d+ samples of history, has 288$/);
});

/** A model that forecasts the last value, and throws when fitted on more than `limit` samples or at all. */
function brittle(name: string, limit: number): ForecastModel {
  return {
    name,
    minHistory: () => 1,
    fit(y) {
      if (y.length > limit) throw new Error(`fitted on ${y.length} samples`);
      return { predict: (data, origin, h) => new Array<number>(h).fill(data[origin - 1]) };
    },
  };
}

test('a model that fails in the backtest is left out and said; auto uses the others', () => {
  const fc = forecastSeries({ start: 0, step, values: daily(3) }, 6, { extraModels: [brittle('brittle', 0)] });
  assert.doesNotMatch(fc.model, /brittle/);
  assert.deepEqual(
    fc.notes.map((n) => n.code),
    ['ModelFailed'],
  );
  assert.equal(fc.notes[0].message, 'brittle failed: fitted on 318 samples');
});

test('a model that fails on the whole history after its backtest falls back to naive and says so', () => {
  const values = daily(3);
  const fc = forecastSeries({ start: 0, step, values }, 6, {
    model: 'brittle',
    extraModels: [brittle('brittle', values.length - 1)],
  });
  assert.equal(fc.model, 'naive');
  assert.deepEqual(
    fc.notes.map((n) => n.code),
    ['RefitFailed'],
  );
  assert.equal(fc.notes[0].message, 'brittle failed on the full history (fitted on 864 samples): used naive');
  assert.ok(fc.p50.every((v) => v === values.at(-1)));
});

test('prepared forecaster: a refit scores the candidates with their kept backtest fits, keeps the fit of a model chosen again and fits one newly chosen', () => {
  const step = 300;
  const day = 288;
  const wave = (i: number) => 100 + 40 * Math.sin((2 * Math.PI * i) / day) + ((i * 7919) % 13) / 4;
  // three days of steep ramp end the first eight (the last value beats the day-ago one), then
  // four days of the daily wave again (the day-ago value wins)
  const y = Array.from({ length: 12 * day }, (_, i) =>
    i >= 5 * day && i < 8 * day ? 500 + 3 * (i - 5 * day) : wave(i),
  );
  const ctx = contextOf({ start: 0, step, values: y });
  let fits = 0;
  // the day-ago value, counted: no refit of its own, so each refit from it is a fit
  const counted: ForecastModel = {
    name: 'counted',
    minHistory: (c) => 2 * c.seasonDay,
    fit(_y, _h, c) {
      fits++;
      return { predict: (yy, origin, h) => Array.from({ length: h }, (_, k) => yy[origin + k - c.seasonDay]) };
    },
  };
  const options = { extraModels: [counted], selection: { candidates: ['counted', 'naive'], combine: 1 } };
  const ramp = prepareForecaster(y.slice(0, 8 * day), 12, ctx, options);
  assert.equal(ramp.model, 'auto:naive');
  assert.equal(fits, 1, 'fitted for the backtest only');
  const wave1 = ramp.refit(y.slice(0, 11 * day), ctx);
  assert.equal(wave1.model, 'auto:counted');
  assert.equal(fits, 2, 'the kept backtest fit scored it; newly chosen, it was fitted on the whole history');
  const wave2 = wave1.refit(y, ctx);
  assert.equal(wave2.model, 'auto:counted');
  assert.equal(fits, 2, 'chosen again: its fit kept');
  const fresh = prepareForecaster(y, 12, ctx, options);
  assert.equal(fits, 4, 'a fresh forecaster fits for the backtest and on the whole history');
  assert.deepEqual(wave2.predict(y, y.length).p50, fresh.predict(y, y.length).p50);
  // one day of history: naive, with no backtest fit kept; the refit on nine days fits the candidates
  const short = prepareForecaster(y.slice(0, 288), 12, ctx);
  assert.equal(short.model, 'auto:naive');
  assert.notEqual(short.refit(y, ctx).model, 'auto:naive');
});
