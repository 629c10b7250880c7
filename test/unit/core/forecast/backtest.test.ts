import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPrescaleError } from '../../../../src/core/domain/errors.js';
import { backtestModel, recentOrigins } from '../../../../src/core/forecast/backtest.js';
import type { FittedModel, ForecastModel } from '../../../../src/core/forecast/contract.js';
import { contextOf } from '../../../../src/core/forecast/forecaster.js';
import { meanAbs } from '../../../../src/core/forecast/select.js';

const ctx = contextOf({ start: 0, step: 300, values: [] });
const y = Array.from({ length: 1000 }, (_, i) => i);

/** The last value repeated, recording the length of every fit and the calls made. */
function recording(batch: boolean) {
  const fits: number[] = [];
  const calls: string[] = [];
  const predict = (data: readonly number[], origin: number, h: number) => {
    calls.push(`predict ${origin}`);
    return new Array<number>(h).fill(data[origin - 1]);
  };
  const model: ForecastModel = {
    name: 'last',
    minHistory: () => 1,
    fit(data): FittedModel {
      fits.push(data.length);
      return batch
        ? {
            predict,
            predictMany(data2, origins, h) {
              calls.push(`many ${origins.join(',')}`);
              return origins.map((o) => new Array<number>(h).fill(data2[o - 1]));
            },
          }
        : { predict };
    },
  };
  return { model, fits, calls };
}

test('the backtest fits once, on the data before the first origin, and scores every origin', () => {
  const { model, fits } = recording(false);
  const run = backtestModel(model, y, [600, 700, 800], 3, ctx);
  assert.deepEqual(fits, [600]);
  assert.deepEqual(run.forecasts, [
    [599, 599, 599],
    [699, 699, 699],
    [799, 799, 799],
  ]);
  // actual − forecast: y[o + k] − y[o − 1] = k + 1
  assert.deepEqual(run.residuals, [
    [1, 2, 3],
    [1, 2, 3],
    [1, 2, 3],
  ]);
  assert.equal(meanAbs(run.residuals), 2);
  assert.equal(run.model, 'last');
});

test("the backtest uses a model's predictMany when it has one, predict at each origin when not", () => {
  const batch = recording(true);
  const single = recording(false);
  const a = backtestModel(batch.model, y, [600, 700], 2, ctx);
  const b = backtestModel(single.model, y, [600, 700], 2, ctx);
  assert.deepEqual(batch.calls, ['many 600,700']);
  assert.deepEqual(single.calls, ['predict 600', 'predict 700']);
  assert.deepEqual(a.forecasts, b.forecasts);
});

test('a non-finite forecast fails the backtest with E_FORECAST', () => {
  const bad: ForecastModel = {
    name: 'bad',
    minHistory: () => 1,
    fit: () => ({ predict: (_y, _o, h) => new Array(h).fill(NaN) }),
  };
  assert.throws(
    () => backtestModel(bad, y, [600], 2, ctx),
    (e: unknown) => isPrescaleError(e, 'E_FORECAST') && /bad produced a non-finite value/.test(e.message),
  );
});

test('origins: 16 over the last two days, latest last at n − h, none at or before 0', () => {
  // 288 samples a day: spacing 2·288 / 16 = 36
  const o = recentOrigins(2000, 12, ctx);
  assert.equal(o.length, 16);
  assert.equal(o.at(-1), 2000 - 12);
  assert.equal(o[0], 2000 - 12 - 15 * 36);
  assert.ok(o.every((v, i) => i === 0 || v - o[i - 1] === 36));
  assert.deepEqual(recentOrigins(100, 12, ctx), [16, 52, 88]);
});

test('origins over a longer backtest keep their spacing when their count grows with the days', () => {
  // 4 days, 32 origins: spacing 4·288 / 32 = 36, the first 31·36 before the last
  const o = recentOrigins(4000, 12, ctx, 32, 4);
  assert.equal(o.length, 32);
  assert.equal(o.at(-1), 4000 - 12);
  assert.equal(o[0], 4000 - 12 - 31 * 36);
});
