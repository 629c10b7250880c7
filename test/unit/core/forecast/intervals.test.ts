import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forecastSeries } from '../../../../src/core/forecast/forecaster.js';
import { p90At, p90Margins, randomWalkMargins, recurringJump } from '../../../../src/core/forecast/intervals.js';

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

test('p90 margins: step k pools the errors of steps k-2..k+2; beyond the backtest the last width stays', () => {
  // 11 origins; the errors of step j are j·(0..10): the 90th percentile of a pool is its top decile
  const residuals = Array.from({ length: 11 }, (_, o) => Array.from({ length: 4 }, (_, j) => (j + 1) * o));
  const m = p90Margins(residuals, 6);
  // step 0 pools steps 0..2 (errors 0..10, 0..20, 0..30); step 3 pools steps 1..3
  assert.equal(m[0], quantileOf([1, 2, 3]));
  assert.equal(m[3], quantileOf([2, 3, 4]));
  assert.deepEqual(m.slice(4), [m[3], m[3]]);
  // errors all below the forecast give no margin, never a negative one
  assert.deepEqual(p90Margins([[-1, -2]], 2), [0, 0]);
});

/** The 90th percentile (type 7) of the errors j·o, o = 0..10, of the steps j in `steps`. */
function quantileOf(steps: number[]): number {
  const pool = steps.flatMap((j) => Array.from({ length: 11 }, (_, o) => j * o)).sort((a, b) => a - b);
  const pos = (pool.length - 1) * 0.9;
  return pool[Math.floor(pos)] + (pool[Math.ceil(pos)] - pool[Math.floor(pos)]) * (pos - Math.floor(pos));
}

test('with no backtest the margin widens as a random walk: √k', () => {
  const m = randomWalkMargins([0, 1, 0, 1, 0], 4);
  assert.ok(Math.abs(m[0] - 1.2816) < 1e-12);
  m.forEach((v, k) => assert.ok(Math.abs(v - m[0] * Math.sqrt(k + 1)) < 1e-12));
});

/** `days` days of m = 288 samples at 10, with a rise of `rise` at slot `slot + wander(d)` on day d. */
function jumps(days: number, slot: number, rise: number, wander: (d: number) => number = () => 0): number[] {
  const y: number[] = [];
  for (let d = 0; d < days; d++) for (let s = 0; s < 288; s++) y.push(s === slot + wander(d) ? 10 + rise : 10);
  return y;
}

test('recurring jump: the median daily rise near the same time of day, where it came', () => {
  const y = jumps(7, 100, 40);
  // tomorrow's slot 100 is index 7·288 + 100
  assert.equal(recurringJump(y, 7 * 288 + 100, 288), 40);
  // the jump came at the same minute every day: nothing 10 minutes before or after it
  assert.equal(recurringJump(y, 7 * 288 + 98, 288), 0);
  assert.equal(recurringJump(y, 7 * 288 + 102, 288), 0);
  // a wandering jump is covered between the earliest and the latest minute it came at
  const w = jumps(7, 100, 40, (d) => [0, 2, -2, 1, -1, 0, 2][d]);
  for (const s of [98, 100, 102]) assert.equal(recurringJump(w, 7 * 288 + s, 288), 40, `slot ${s}`);
  assert.equal(recurringJump(w, 7 * 288 + 97, 288), 0);
  assert.equal(recurringJump(w, 7 * 288 + 103, 288), 0);
  // fewer than three days seen: no margin
  assert.equal(recurringJump(jumps(2, 100, 40), 2 * 288 + 100, 288), 0);
});

test('p90 at a step: the larger of the margin and the jump the p50 does not already climb', () => {
  const origin = 7 * 288 + 99; // the step k = 1 falls on slot 100
  const y = jumps(8, 100, 40).slice(0, origin);
  assert.equal(p90At(y, origin, 1, 10, 5, 288), 10 + 40);
  assert.equal(p90At(y, origin, 1, 30, 5, 288), 30 + 20);
  assert.equal(p90At(y, origin, 1, 10, 50, 288), 10 + 50);
  assert.equal(p90At(y, origin, 0, 10, 5, 288), 10 + 5);
});
