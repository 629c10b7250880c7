import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPrescaleError } from '../../../../src/core/domain/errors.js';
import { MAX_GRID_POINTS } from '../../../../src/core/domain/limits.js';
import { fillGaps, resample, toRegular } from '../../../../src/core/series/regular.js';

test('toRegular places samples on the grid, gaps NaN', () => {
  const s = toRegular({ timestamps: [0, 60, 180], values: [1, 2, 4] });
  assert.deepEqual(s, { start: 0, step: 60, values: [1, 2, Number.NaN, 4] });
});

test('toRegular refuses a grid above MAX_GRID_POINTS, naming the span and the step', () => {
  const timestamps = [1, 2, 3, 1_767_571_200];
  assert.throws(
    () => toRegular({ timestamps, values: [1, 1, 1, 1] }),
    (e: unknown) =>
      isPrescaleError(e, 'E_INPUT') &&
      /samples from 1 to 1767571200 at a 1 s step make 1767571200 grid points, more than 1000000/.test(e.message),
  );
  // the largest grid allowed is still made
  const last = MAX_GRID_POINTS - 1;
  assert.equal(toRegular({ timestamps: [0, 1, last], values: [1, 1, 1] }).values.length, MAX_GRID_POINTS);
});

test('resample averages buckets and never makes a non-finite one', () => {
  const big = 1.7e308;
  const s = resample({ start: 0, step: 60, values: [big, big, 1, 3, Number.NaN, Number.NaN] }, 120);
  assert.deepEqual(s.values.slice(1), [2, Number.NaN]);
  assert.ok(Number.isFinite(s.values[0]), `bucket 0 is ${s.values[0]}`);
  assert.ok(Math.abs(s.values[0] - big) / big < 1e-12);
  const opposite = resample({ start: 0, step: 60, values: [big, -big, big, -big] }, 240);
  assert.ok(Number.isFinite(opposite.values[0]) && Math.abs(opposite.values[0]) < 1e300);
  // ±Inf is left out of the mean as NaN is
  const inf = resample({ start: 0, step: 60, values: [Number.POSITIVE_INFINITY, 4, Number.NEGATIVE_INFINITY] }, 180);
  assert.deepEqual(inf.values, [4]);
});

test('fillGaps interpolates between neighbours and extends the ends', () => {
  const s = fillGaps({ start: 0, step: 1, values: [Number.NaN, 1, Number.NaN, 3, Number.NaN] });
  assert.deepEqual(s.values, [1, 1, 2, 3, 3]);
});
