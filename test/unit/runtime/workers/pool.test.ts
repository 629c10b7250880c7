import assert from 'node:assert/strict';
import { test } from 'node:test';
import { policyWith } from '../../../../src/config/defaults.js';
import type { RegularSeries } from '../../../../src/core/domain/series.js';
import { tuneHere } from '../../../../src/runtime/plan/tunings.js';
import { CpuPool } from '../../../../src/runtime/workers/pool.js';

/** Nine days of a daily cycle with noise, at 5 minutes. */
function series(): RegularSeries {
  const values: number[] = [];
  let seed = 7;
  for (let i = 0; i < 9 * 288; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    values.push(300 + 200 * Math.sin((2 * Math.PI * i) / 288) + 30 * (seed / 2 ** 31));
  }
  return { start: 1_700_000_000, step: 300, values };
}

/** Ticks of a 5 ms timer while `work` runs: 0 when it holds the event loop throughout. */
async function ticksDuring<T>(work: () => Promise<T>): Promise<{ result: T; ticks: number }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  try {
    const result = await work();
    return { result, ticks };
  } finally {
    clearInterval(timer);
  }
}

test('pool: the tuning in a worker equals the tuning in this thread, and the event loop runs meanwhile', async () => {
  const pool = new CpuPool(1);
  try {
    const policy = policyWith(100, { startupDelaySec: 300 });
    const here = await ticksDuring(() => tuneHere(series(), policy, 'seasonal_naive_day'));
    const there = await ticksDuring(() => pool.tune(series(), policy, 'seasonal_naive_day'));
    assert.ok(here.result, 'a tuning was made');
    assert.deepEqual(there.result, here.result);
    assert.equal(here.ticks, 0, 'in this thread the tuning holds the event loop');
    assert.ok(there.ticks > 0, 'in a worker the event loop keeps running');
  } finally {
    await pool.close();
  }
});
