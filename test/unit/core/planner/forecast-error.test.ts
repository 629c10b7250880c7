import assert from 'node:assert/strict';
import { test } from 'node:test';
import { updatedForecastError } from '../../../../src/core/planner/forecast-error.js';

const last = { start: 1000, step: 60, p50: [100, 100, 100] };

test('forecast error: the relative error of the p50 at now, averaged with a weight of 0.2', () => {
  assert.equal(updatedForecastError(undefined, last, 1060, 50), 0.5);
  assert.equal(updatedForecastError(0.5, last, 1060, 100), 0.4);
  assert.equal(updatedForecastError(0.5, last, 5000, 100), 0.5, 'the last forecast does not reach now');
  assert.equal(updatedForecastError(0.5, undefined, 1060, 100), 0.5);
});

test('forecast error: nothing non-finite ever enters the average', () => {
  assert.equal(updatedForecastError(0.3, last, 1060, Number.NaN), 0.3, 'load unknown');
  assert.equal(updatedForecastError(0.3, last, 1060, Number.POSITIVE_INFINITY), 0.3);
  assert.equal(updatedForecastError(0.3, { ...last, p50: [Number.NaN, Number.NaN] }, 1000, 10), 0.3);
  assert.equal(
    updatedForecastError(0.3, { ...last, p50: [Number.MAX_VALUE, 1] }, 1000, -Number.MAX_VALUE),
    0.8 * 0.3 + 0.2 * 2,
    'an overflow counts as the largest error, not as Infinity',
  );
  assert.equal(updatedForecastError(Number.NaN, last, 1060, 100), 0, 'a NaN already in the state is dropped');
  assert.equal(updatedForecastError(Number.NaN, last, 5000, 100), undefined);
});
