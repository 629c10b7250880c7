import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contextOf, forecastWith, type ForecastModel } from '../../../../../src/core/forecast/forecaster.js';
import { windowRegression } from '../../../../../src/core/forecast/models/window-regression.js';
import { findModel } from '../../../../../src/core/forecast/registry.js';

const model = (name: string): ForecastModel => {
  const m = findModel(name);
  assert.ok(m, `${name} is registered`);
  return m;
};

/** Deterministic standard normal noise (Park-Miller + Box-Muller). */
function noise(seed: number): () => number {
  let s = seed;
  const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** Mean absolute error of `name` over forecasts of `h` steps from every `every`-th origin in [from, to). */
function meanError(
  name: string,
  y: readonly number[],
  from: number,
  to: number,
  every: number,
  h: number,
  step: number,
) {
  const ctx = contextOf({ start: 0, step, values: y });
  const f = model(name);
  let sum = 0;
  let count = 0;
  for (let o = from; o + h <= to; o += every) {
    const out = forecastWith(f, y.slice(0, o), h, ctx);
    for (let k = 0; k < h; k++) sum += Math.abs(y[o + k] - out[k]);
    count += h;
  }
  return sum / count;
}

// Three weeks at 15 minutes: a daily cycle whose shape differs on the weekend, a weekend dip, a
// slow trend and noise.
const step = 900;
const m = 96;
const weekly = (i: number) => {
  const weekend = Math.floor(i / m) % 7 >= 5;
  const phase = (2 * Math.PI * (i % m)) / m;
  return 200 + 0.01 * i + (weekend ? 15 : 50) * Math.sin(phase - 1) + (weekend ? -40 : 0);
};
const rnd = noise(42);
const series = Array.from({ length: 21 * m }, (_, i) => weekly(i) + 4 * rnd());

test('mstl recovers a daily + weekly pattern with noise far better than the seasonal naive', () => {
  // scale: the in-sample MAE of the one-day seasonal naive (MASE's denominator)
  let scale = 0;
  for (let i = m; i < 14 * m; i++) scale += Math.abs(series[i] - series[i - m]);
  scale /= 13 * m;
  const h = 24;
  const mstl = meanError('mstl', series, 14 * m, 21 * m, 7, h, step) / scale;
  const naive = meanError('seasonal_naive_day', series, 14 * m, 21 * m, 7, h, step) / scale;
  assert.ok(mstl < 0.5 * naive, `MASE mstl ${mstl.toFixed(3)} vs seasonal naive ${naive.toFixed(3)}`);
  // and it is close to the noise floor: the noise alone has a mean absolute value of 4·√(2/π) ≈ 3.2
  const mae = meanError('mstl', series, 14 * m, 21 * m, 7, h, step);
  assert.ok(mae < 5, `MAE ${mae.toFixed(2)}`);
});

test('mstl forecasts from y[0, origin) only, and the same from a window that slid forward', () => {
  const ctx = contextOf({ start: 0, step, values: series });
  const fitted = model('mstl').fit(series.slice(0, 15 * m), 12, ctx);
  const origin = 15 * m + 30;
  const out = fitted.predict(series, origin, 12);
  // the data after the origin does not matter
  const altered = series.map((v, i) => (i >= origin ? -v : v));
  assert.deepEqual(fitted.predict(altered, origin, 12), out);
  // the simulator passes a window that starts later than the fitted data (a shifted index)
  const shift = 17;
  assert.deepEqual(fitted.predict(series.slice(shift), origin - shift, 12), out);
  // data the fit never saw: still a finite forecast of the right length
  const other = fitted.predict(
    series.map((v) => v * 1.5 + 3),
    origin,
    12,
  );
  assert.equal(other.length, 12);
  assert.ok(other.every(Number.isFinite));
});

test("mstl places its fitted data by the fitted data's last day: a change there is other data, one before it is not", () => {
  const ctx = contextOf({ start: 0, step, values: series });
  const fitOn = series.slice(0, 15 * m);
  const fitted = model('mstl').fit(fitOn, 12, ctx);
  const out = fitted.predict(fitOn, fitOn.length, 12);
  // 12 hours before the end: outside the trend's last hour, inside the last day
  const inTail = fitOn.map((v, i) => (i === fitOn.length - m / 2 ? v + 50 : v));
  assert.notDeepEqual(fitted.predict(inTail, inTail.length, 12), out, 'decomposed afresh');
  // three days before the end: the same fitted data, the same components
  const before = fitOn.map((v, i) => (i === fitOn.length - 3 * m ? v + 50 : v));
  assert.deepEqual(fitted.predict(before, before.length, 12), out);
});

test('mstl copes with zeros and with a positive fit followed by zeros', () => {
  const ctx = contextOf({ start: 0, step, values: series });
  const withZeros = series.map((v, i) => (i % m < 10 ? 0 : v));
  const out = forecastWith(model('mstl'), withZeros, 2 * m, ctx);
  assert.ok(out.every(Number.isFinite));
  const fitted = model('mstl').fit(series.slice(0, 15 * m), 12, ctx);
  const later = series.map((v, i) => (i >= 15 * m ? 0 : v));
  assert.ok(fitted.predict(later, 16 * m, 500).every(Number.isFinite));
});

test('mstl follows a level shift that happened after its fit', () => {
  const shifted = series.map((v, i) => (i >= 15 * m ? 2 * v : v));
  const ctx = contextOf({ start: 0, step, values: shifted });
  const fitted = model('mstl').fit(shifted.slice(0, 15 * m), 12, ctx);
  // a day after the shift, from the parameters fitted before it
  const origin = 16 * m + 10;
  const out = fitted.predict(shifted, origin, 12);
  const err = out.reduce((s, v, k) => s + Math.abs(v - shifted[origin + k]), 0) / 12;
  assert.ok(err < 0.1 * shifted[origin], `MAE ${err.toFixed(1)} at a level of ${shifted[origin].toFixed(0)}`);
});

// Two weeks at 15 minutes of traffic that triples while keeping its daily shape: the daily swing
// grows with the level (multiplicative seasonality).
const growing = (() => {
  const r = noise(7);
  return Array.from({ length: 14 * m }, (_, i) => {
    const level = 100 * Math.pow(3, i / (14 * m));
    return level * (1 + 0.6 * Math.sin((2 * Math.PI * i) / m)) * (1 + 0.02 * r());
  });
})();

test('multiplicative Holt-Winters beats additive when the daily swing grows with the level', () => {
  const h = 12;
  const mult = meanError('holt_winters_mult', growing, 10 * m, 14 * m, 11, h, step);
  const add = meanError('holt_winters', growing, 10 * m, 14 * m, 11, h, step);
  assert.ok(mult < 0.8 * add, `MAE multiplicative ${mult.toFixed(2)} vs additive ${add.toFixed(2)}`);
});

test('holt_winters_mult refuses a series with zeros (the engine then skips it)', () => {
  const ctx = contextOf({ start: 0, step, values: growing });
  const zeros = growing.map((v, i) => (i % 50 === 0 ? 0 : v));
  assert.throws(() => model('holt_winters_mult').fit(zeros, 12, ctx), /strictly positive/);
  const negative = growing.map((v) => v - 200);
  assert.throws(() => model('holt_winters_mult').fit(negative, 12, ctx), /strictly positive/);
  // fitted on positive data, it still forecasts finitely from data with zeros
  const fitted = model('holt_winters_mult').fit(growing.slice(0, 10 * m), 12, ctx);
  assert.ok(fitted.predict(zeros, 12 * m, 48).every(Number.isFinite));
});

test('holt_winters fits a trending daily cycle with noise to near its noise floor', () => {
  // 16 days at 15 minutes: level, slow trend, daily cycle, and noise whose mean absolute value,
  // 4·√(2/π) ≈ 3.2, is the best any forecast can do; the fit's parameters come within 10 % of it
  const r = noise(5);
  const y = Array.from({ length: 16 * m }, (_, i) => 300 + 0.02 * i + 60 * Math.sin((2 * Math.PI * i) / m) + 4 * r());
  const mae = meanError('holt_winters', y, 14 * m, 16 * m, 5, 12, step);
  assert.ok(mae < 3.5, `MAE ${mae.toFixed(2)}`);
});

// A flat baseline with noise and short spikes (a cron job, a burst of requests): two weeks at 15 minutes.
const spiky = (() => {
  const r = noise(11);
  return Array.from({ length: 14 * m }, (_, i) => 20 + Math.abs(r()) + (i % 37 === 0 ? 60 : 0));
})();

test('mstl_robust, and the Huber regression with cleaned inputs, are hardly moved by how large a spike in the last hour is', () => {
  const ctx = contextOf({ start: 0, step, values: spiky });
  /** The forecast with a spike of `size` half an hour before the origin. */
  const withSpike = (name: string | ForecastModel, size: number) => {
    const y = spiky.slice();
    y[y.length - 2] = size;
    return forecastWith(typeof name === 'string' ? model(name) : name, y, 12, ctx);
  };
  /** Mean change of the forecast when the spike grows from 200 to 2000 (10 to 100 times the baseline). */
  const growth = (name: string | ForecastModel) => {
    const a = withSpike(name, 200);
    const b = withSpike(name, 2000);
    return b.reduce((s, v, k) => s + v - a[k], 0) / b.length;
  };
  // the median level ignores the spike's size (what moves a little is the seasonal profile, whose
  // detrending day-long mean holds the spike)
  const robust = growth('mstl_robust');
  assert.ok(Math.abs(robust) < 0.25, `mstl_robust moved by ${robust.toFixed(3)}`);
  for (const v of withSpike('mstl_robust', 2000))
    assert.ok(v > 20 && v < 23, `forecast ${v.toFixed(2)} near the baseline`);
  // the Huber regression reading its inputs cleaned as its training rows were
  const cleaned = windowRegression({ name: 'cleaned', weekly: false, huber: true, trainDays: 7, cleanInputs: true });
  const huber = growth(cleaned);
  assert.ok(Math.abs(huber) < 0.25, `window_regression_huber moved by ${huber.toFixed(3)}`);
  // the mean-based models follow the spike further
  for (const name of ['mstl', 'window_regression', 'window_regression_huber']) {
    const other = growth(name);
    assert.ok(
      other > 2 * Math.abs(robust),
      `${name} moved by ${other.toFixed(3)}, mstl_robust by ${robust.toFixed(3)}`,
    );
  }
});

test('mstl_robust follows a level shift within the hour, from a fit made before it', () => {
  const shifted = series.map((v, i) => (i >= 15 * m ? 2 * v : v));
  const ctx = contextOf({ start: 0, step, values: shifted });
  const fitted = model('mstl_robust').fit(shifted.slice(0, 15 * m), 12, ctx);
  // three samples (45 minutes) after the shift: most of the last hour is at the new level
  const origin = 15 * m + 3;
  const out = fitted.predict(shifted, origin, 12);
  const err = out.reduce((s, v, k) => s + Math.abs(v - shifted[origin + k]), 0) / 12;
  assert.ok(err < 0.1 * shifted[origin], `MAE ${err.toFixed(1)} at a level of ${shifted[origin].toFixed(0)}`);
});

test('mstl_robust recovers a daily + weekly pattern with noise better than the seasonal naive', () => {
  const from = 17 * m;
  const to = 21 * m;
  const robust = meanError('mstl_robust', series, from, to, 7, 12, step);
  const snaive = meanError('seasonal_naive_day', series, from, to, 7, 12, step);
  assert.ok(robust < snaive, `mstl_robust ${robust.toFixed(2)} vs seasonal naive ${snaive.toFixed(2)}`);
});
