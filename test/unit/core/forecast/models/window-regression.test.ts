import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contextOf } from '../../../../../src/core/forecast/forecaster.js';
import { NormalEquations } from '../../../../../src/core/forecast/linalg.js';
import { findModel } from '../../../../../src/core/forecast/registry.js';

/** Two weeks at 5 minutes: a daily cycle, an AR(1) wander and a level shift after the first week. */
function series(): number[] {
  let s = 7;
  const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
  let ar = 0;
  return Array.from({ length: 14 * 288 }, (_, i) => {
    ar = 0.8 * ar + (u() - 0.5);
    return 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + 5 * ar + (i > 7 * 288 ? 15 : 0);
  });
}

/** Step k's least squares over the rows t in [first, n − k]: the last 12 samples, the value a day before the target, 1. */
function directStep(y: readonly number[], first: number, k: number): Float64Array {
  const ne = new NormalEquations(14);
  const x = new Float64Array(14);
  for (let t = first; t <= y.length - k; t++) {
    for (let j = 0; j < 12; j++) x[j] = y[t - 1 - j];
    x[12] = y[t + k - 1 - 288];
    x[13] = 1;
    ne.add(x, y[t + k - 1]);
  }
  return ne.solve();
}

test('window_regression_full is the direct least squares over every row of the history', () => {
  const y = series();
  const ctx = contextOf({ start: 0, step: 300, values: y });
  const fitted = findModel('window_regression_full')!.fit(y, 12, ctx);
  const fc = fitted.predict(y, y.length, 12);
  for (const k of [1, 6, 12]) {
    const b = directStep(y, 289, k);
    let want = b[13];
    for (let j = 0; j < 12; j++) want += b[j] * y[y.length - 1 - j];
    want += b[12] * y[y.length + k - 1 - 288];
    assert.ok(Math.abs(fc[k - 1] - want) < 1e-6 * Math.abs(want), `step ${k}: ${fc[k - 1]} against ${want}`);
  }
});

test('window_regression trains on the last week only, window_regression_full on both', () => {
  const y = series();
  const ctx = contextOf({ start: 0, step: 300, values: y });
  const week = findModel('window_regression')!.fit(y, 1, ctx).predict(y, y.length, 1)[0];
  const b = directStep(y, y.length - 7 * 288, 1);
  let want = b[13] + b[12] * y[y.length - 288];
  for (let j = 0; j < 12; j++) want += b[j] * y[y.length - 1 - j];
  assert.ok(Math.abs(week - want) < 1e-6 * Math.abs(want));
  const full = findModel('window_regression_full')!.fit(y, 1, ctx).predict(y, y.length, 1)[0];
  assert.notEqual(full.toFixed(6), week.toFixed(6));
});
