import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RegularSeries } from '../../../../src/core/domain/series.js';
import { forecastFrom, prepareSeries, refitSeries } from '../../../../src/core/forecast/forecaster.js';
import { ForecastCache } from '../../../../src/runtime/plan/forecasts.js';

/** Ten days at 5 minutes of a daily shape that grows, with deterministic noise. */
const full: RegularSeries = {
  start: 1_700_000_000 - (1_700_000_000 % 86_400),
  step: 300,
  values: Array.from({ length: 10 * 288 }, (_, i) => {
    const day = Math.sin((2 * Math.PI * i) / 288);
    return 100 + i / 20 + 40 * day + ((i * 7919) % 17) - 8;
  }),
};
const at = (n: number): RegularSeries => ({ ...full, values: full.values.slice(0, n) });

test('forecast cache: refitted every refitSec, its candidates fitted afresh for the backtest every backtestFitSec', () => {
  const cache = new ForecastCache(24, { refitSec: 3600, backtestFitSec: 4 * 3600 });
  const n0 = 7 * 288;
  const t0 = full.start + n0 * 300;
  const first = prepareSeries(at(n0), 24);
  assert.deepEqual(cache.forecast('s', 'q', 'auto', at(n0), t0), forecastFrom(first, at(n0)));
  // a new bucket within the hour: the same fit, from the newer data
  assert.deepEqual(cache.forecast('s', 'q', 'auto', at(n0 + 3), t0 + 900), forecastFrom(first, at(n0 + 3)));
  // an hour later: refitted from the kept fits
  const refitted = refitSeries(first, at(n0 + 12));
  const byCache = cache.forecast('s', 'q', 'auto', at(n0 + 12), t0 + 3600);
  assert.deepEqual(byCache, forecastFrom(refitted, at(n0 + 12)));
  assert.notDeepEqual(byCache, forecastFrom(first, at(n0 + 12)), 'the refit changed the forecast');
  // four hours after the first: every candidate fitted afresh
  const again = prepareSeries(at(n0 + 48), 24);
  assert.deepEqual(cache.forecast('s', 'q', 'auto', at(n0 + 48), t0 + 4 * 3600), forecastFrom(again, at(n0 + 48)));
});

test('forecast cache: another model or query is chosen afresh, not refitted', () => {
  const cache = new ForecastCache(24, { refitSec: 3600, backtestFitSec: 86_400 });
  const n0 = 7 * 288;
  const t0 = full.start + n0 * 300;
  cache.forecast('s', 'q', 'auto', at(n0), t0);
  const hw = prepareSeries(at(n0 + 12), 24, { model: 'holt_winters' });
  assert.deepEqual(cache.forecast('s', 'q', 'holt_winters', at(n0 + 12), t0 + 3600), forecastFrom(hw, at(n0 + 12)));
});

test('forecast cache: backtest fits due between two refits wait for the next refit', () => {
  const cache = new ForecastCache(24, { refitSec: 3600, backtestFitSec: 600 });
  const n0 = 7 * 288;
  const t0 = full.start + n0 * 300;
  const first = prepareSeries(at(n0), 24);
  cache.forecast('s', 'q', 'auto', at(n0), t0);
  // 15 minutes on: past backtestFitSec, not yet a refit: the same fit, from the newer data
  assert.deepEqual(cache.forecast('s', 'q', 'auto', at(n0 + 3), t0 + 900), forecastFrom(first, at(n0 + 3)));
  // at the refit, every candidate fitted afresh
  const again = prepareSeries(at(n0 + 12), 24);
  assert.deepEqual(cache.forecast('s', 'q', 'auto', at(n0 + 12), t0 + 3600), forecastFrom(again, at(n0 + 12)));
});
