import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ForecastModel } from '../../../../src/core/forecast/contract.js';
import {
  evaluateSeries,
  evaluationOrigins,
  geometricMean,
  horizonSteps,
} from '../../../../src/core/forecast/evaluate.js';

test('one hour is 12 steps at 5 minutes, 2 at 30 minutes, 60 at 1 minute, never 0', () => {
  assert.equal(horizonSteps(3600, 300), 12);
  assert.equal(horizonSteps(3600, 1800), 2);
  assert.equal(horizonSteps(3600, 60), 60);
  assert.equal(horizonSteps(3600, 7200), 1);
  assert.throws(() => horizonSteps(3600, 0), /positive/);
});

test('origins are spread as fcbench.py spreads them: linspace(max(3m, n - 7m - h), n - h, K), truncated', () => {
  // n = 4032, m = 288, h = 12: first = 4032 - 2016 - 12 = 2004, last = 4020
  const o = evaluationOrigins(4032, 288, 12, 8, 7);
  assert.equal(o.length, 8);
  assert.equal(o[0], 2004);
  assert.equal(o[7], 4020);
  assert.equal(o[1], Math.trunc(2004 + 2016 / 7));
  // a short series starts at 3 days
  assert.equal(evaluationOrigins(1000, 288, 12, 2, 7)[0], 864);
  assert.throws(() => evaluationOrigins(800, 288, 12, 8, 7), /too short/);
});

test('MASE of the one-day seasonal naive is exactly 1 on a daily cycle plus a linear trend', () => {
  // every one-day difference is the trend over a day, in and out of sample: the forecast error
  // of the seasonal naive equals its in-sample scale at every step
  const m = 48; // 30-minute steps
  const values = Array.from({ length: 20 * m }, (_, t) => 100 + 30 * Math.sin((2 * Math.PI * t) / m) + 0.05 * t);
  const ev = evaluateSeries(
    { start: 0, step: 1800, values },
    { horizon: horizonSteps(3600, 1800), origins: 5, models: ['seasonal_naive_day'] },
  );
  assert.equal(ev.origins.length, 5);
  assert.ok(Math.abs(ev.scores[0].mase - 1) < 1e-9, `MASE ${ev.scores[0].mase}`);
  assert.equal(ev.scores[0].origins, 5);
});

test('geometric mean ignores non-finite scores', () => {
  assert.ok(Math.abs(geometricMean([0.5, 2, Number.NaN]) - 1) < 1e-12);
  assert.ok(Number.isNaN(geometricMean([])));
});

test('an origin counts as a fallback when a note says a model failed or naive stood in', () => {
  const m = 48;
  const values = Array.from({ length: 20 * m }, (_, t) => 100 + 30 * Math.sin((2 * Math.PI * t) / m));
  const broken: ForecastModel = {
    name: 'broken',
    minHistory: () => 1,
    fit() {
      throw new Error('no fit');
    },
  };
  const ev = evaluateSeries(
    { start: 0, step: 1800, values },
    { horizon: 2, origins: 3, models: ['seasonal_naive_day', 'broken'], extraModels: [broken] },
  );
  // the broken model failed and naive stood in at every origin
  assert.deepEqual(
    ev.scores.map((s) => s.fallbacks),
    [0, 3],
  );
});
