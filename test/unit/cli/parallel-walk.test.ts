import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { parallelWalk, walkThreads } from '../../../src/cli/parallel-walk.js';
import { isPrescaleError } from '../../../src/core/domain/errors.js';
import type { RegularSeries } from '../../../src/core/domain/series.js';
import { forecastWalk } from '../../../src/core/simulate/index.js';

/** Six days of a noisy daily cycle with a level shift, 5-minute steps: every candidate of auto runs. */
function load(days = 6): RegularSeries {
  const values = Array.from({ length: days * 288 }, (_, i) => {
    const day = 300 + 200 * Math.sin((2 * Math.PI * i) / 288);
    return day + 40 * Math.sin(i * 1.3) + (i > 4 * 288 ? 150 : 0);
  });
  return { start: 1_700_006_400, step: 300, values };
}

test('parallel walk: the same forecasts and refits, to the last digit, as the walk in one thread', async () => {
  const series = load();
  const one = forecastWalk(series, 3);
  const progress: number[] = [];
  const many = await parallelWalk(series, 3, {}, 2, (_p, done) => progress.push(done));
  assert.ok(one.refits > 50);
  assert.deepStrictEqual(many, one);
  assert.equal(progress.at(-1), series.values.length);
  // workers report each piece done (one thread reports each step): the pieces ran in workers
  assert.ok(progress.length <= 9, `${progress.length} progress reports`);
});

test('parallel walk: with a named model and a shorter refit interval, the same forecasts', async () => {
  const series = load(4);
  const opts = { refitEverySec: 1800, forecast: { model: 'holt_winters' } };
  assert.deepStrictEqual(await parallelWalk(series, 4, opts, 3), forecastWalk(series, 4, opts));
});

test('parallel walk: an unknown model is the E_INPUT the walk in one thread raises', async () => {
  await assert.rejects(parallelWalk(load(4), 3, { forecast: { model: 'nope' } }, 2), (err) => {
    assert.ok(isPrescaleError(err) && err.code === 'E_INPUT', String(err));
    return true;
  });
});

test('parallel walk: threads only for a walk long enough to pay for them', () => {
  assert.equal(walkThreads(load(30)), 1);
  // 1,200 hourly refits: two threads where there are two cores
  assert.equal(walkThreads(load(50)), Math.min(2, availableParallelism()));
  assert.equal(walkThreads(load(50), { refitEverySec: 7200 }), 1);
});
