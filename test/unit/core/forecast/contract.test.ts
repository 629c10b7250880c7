import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backtestModel } from '../../../../src/core/forecast/backtest.js';
import { contextOf, forecastWith } from '../../../../src/core/forecast/forecaster.js';
import { BUILTIN_MODELS } from '../../../../src/core/forecast/registry.js';

/** Three weeks at 15 minutes of a daily shape with a weekly swing and deterministic noise. */
const step = 900;
const n = 21 * 96;
const y = Array.from({ length: n }, (_, i) => {
  const day = Math.sin((2 * Math.PI * i) / 96);
  const week = 1 + 0.2 * Math.sin((2 * Math.PI * i) / (96 * 7));
  return 100 + 40 * day * week + ((i * 7919) % 13) - 6;
});
const ctx = contextOf({ start: 0, step, values: y });

// One contract, every model (in the manner of statsforecast's shared model tests).
for (const model of BUILTIN_MODELS) {
  test(`contract: ${model.name}`, () => {
    for (const h of [1, 7, 96, 500]) {
      const out = forecastWith(model, y, h, ctx);
      assert.equal(out.length, h, 'length h');
      assert.ok(out.every(Number.isFinite), 'finite');
      assert.deepEqual(forecastWith(model, y, h, ctx), out, 'deterministic');
    }
    const flat = new Array(model.minHistory(ctx) + 10).fill(5);
    for (const v of forecastWith(model, flat, 12, ctx))
      assert.ok(Math.abs(v - 5) < 1e-6, `constant series stays constant, got ${v}`);
    assert.ok(model.minHistory(ctx) >= 1);
  });
}

test('seasonal models recover a pure daily pattern', () => {
  const pure = Array.from({ length: 14 * 96 }, (_, i) => 50 + 30 * Math.sin((2 * Math.PI * i) / 96));
  const truth = Array.from({ length: 48 }, (_, k) => 50 + 30 * Math.sin((2 * Math.PI * (pure.length + k)) / 96));
  for (const name of ['seasonal_naive_day', 'window_regression', 'holt_winters']) {
    const model = BUILTIN_MODELS.find((m) => m.name === name)!;
    const out = forecastWith(model, pure, 48, ctx);
    const mae = out.reduce((s, v, k) => s + Math.abs(v - truth[k]), 0) / 48;
    assert.ok(mae < 0.5, `${name} MAE ${mae}`);
  }
});

// The backtest's forecasts at each origin, through a model's predictMany (its shortcut) or its
// predict when it has none, are its predict at that origin, and read nothing after it.
for (const model of BUILTIN_MODELS) {
  test(`contract: ${model.name} backtest forecasts equal predict at each origin`, () => {
    // ascending (windows that start at 0, then windows that slide), then out of order
    const origins = [15 * 96, 15 * 96 + 7, 16 * 96, 19 * 96 + 5, 20 * 96, 17 * 96, 15 * 96 + 1];
    const run = backtestModel(model, y, origins, 24, ctx);
    const fitted = model.fit(y.slice(0, origins[0]), 24, ctx, 'rank');
    assert.equal(run.forecasts.length, origins.length);
    origins.forEach((o, i) => assert.deepEqual(run.forecasts[i], fitted.predict(y, o, 24), `origin ${o}`));
    if (fitted.predictMany) assert.deepEqual(fitted.predictMany(y, origins, 24), run.forecasts, 'predictMany');
    // data after the last origin is not read
    const last = Math.max(...origins);
    const altered = y.map((v, i) => (i >= last ? -v : v));
    assert.deepEqual(backtestModel(model, altered, origins, 24, ctx).forecasts, run.forecasts);
  });
}

// A fit at `rank` effort, refitted on the grown series (what auto does after its backtest), forecasts
// about what a full fit on that series does; a refit is a fit of its own data, deterministic.
for (const model of BUILTIN_MODELS) {
  test(`contract: ${model.name} rank fit and refit`, () => {
    const early = y.slice(0, 18 * 96);
    const ranked = model.fit(early, 24, ctx, 'rank');
    const rankOut = ranked.predict(early, early.length, 24);
    assert.ok(rankOut.every(Number.isFinite), 'rank fit forecasts finite values');
    const refitted = ranked.refit?.(y, 24, ctx) ?? model.fit(y, 24, ctx);
    const out = refitted.predict(y, y.length, 24);
    const full = forecastWith(model, y, 24, ctx);
    assert.ok(out.every(Number.isFinite), 'refit forecasts finite values');
    const gap = out.reduce((s, v, k) => s + Math.abs(v - full[k]), 0) / 24;
    // the series swings by 40 around 100: a refit within 1 of a full fit's forecast
    assert.ok(gap < 1, `refit forecasts ${gap.toFixed(3)} away from a full fit`);
    if (ranked.refit) assert.deepEqual(ranked.refit(y, 24, ctx).predict(y, y.length, 24), out, 'deterministic');
  });
}

// A backtest fit kept for later refits is scored again on a window that has slid forward since:
// predictMany there is predict at each origin, and reads nothing after the last one.
for (const model of BUILTIN_MODELS) {
  test(`contract: ${model.name} kept fit scored on a slid window`, () => {
    const fitted = model.fit(y.slice(0, 15 * 96), 24, ctx, 'rank');
    const slide = 96 + 5;
    const data = y.slice(slide);
    const origins = [15 * 96 - slide + 3, 16 * 96, 17 * 96 - slide, 18 * 96 + 7];
    const one = origins.map((o) => fitted.predict(data, o, 24));
    assert.ok(one.every((f) => f.every(Number.isFinite)));
    if (fitted.predictMany) assert.deepEqual(fitted.predictMany(data, origins, 24), one);
    const last = Math.max(...origins);
    const altered = data.map((v, i) => (i >= last ? -v : v));
    assert.deepEqual(
      origins.map((o) => fitted.predict(altered, o, 24)),
      one,
    );
  });
}
