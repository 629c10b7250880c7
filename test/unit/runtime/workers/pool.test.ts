import assert from 'node:assert/strict';
import { test } from 'node:test';
import { policyWith } from '../../../../src/config/defaults.js';
import type { RegularSeries } from '../../../../src/core/domain/series.js';
import { parseConfig } from '../../../../src/config/schema.js';
import { silentLogger } from '../../../../src/observability/logger.js';
import { Reconciler } from '../../../../src/runtime/cycle.js';
import { ForecastCache, localForecasts } from '../../../../src/runtime/plan/forecasts.js';
import { tuneHere } from '../../../../src/runtime/plan/tunings.js';
import { CpuPool } from '../../../../src/runtime/workers/pool.js';
import { FakeActuator, FakeSource, labelled } from '../../../support/fakes.js';

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

const REFITS = { refitSec: 3600, backtestFitSec: 86_400 };

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

test('pool: a forecast made in a worker equals the one made in this thread, refit and reuse alike', async () => {
  const pool = new CpuPool(2);
  try {
    const here = localForecasts(new ForecastCache(24, REFITS));
    const there = pool.forecasts(24, REFITS);
    const full = series();
    const at = (n: number): RegularSeries => ({ ...full, values: full.values.slice(0, n) });
    const t0 = full.start + 8 * 86_400;
    // fitted, then forecast from newer data with the same fit, then refitted an hour later
    for (const [n, now] of [
      [8 * 288, t0],
      [8 * 288 + 3, t0 + 900],
      [8 * 288 + 13, t0 + 3900],
    ]) {
      for (const model of ['auto', 'holt_winters']) {
        const a = await here.forecast(`swarm/${model}`, 'q', model, at(n), now);
        const b = await there.forecast(`swarm/${model}`, 'q', model, at(n), now);
        assert.deepEqual(b, a, `${model} at ${n} samples`);
      }
    }
    await assert.rejects(there.forecast('swarm/x', 'q', 'nope', at(100), t0), /unknown model "nope"/);
  } finally {
    await pool.close();
  }
});

test('pool: a cycle through the worker pool reports what a one-by-one cycle in this thread reports', async () => {
  const targets = () =>
    Array.from({ length: 12 }, (_, i) =>
      labelled(`s${i}`, i % 3 === 0 ? 'high' : 'ok', 2, i === 5 ? { 'prescale.model': 'holt_winters' } : {}),
    );
  const pool = new CpuPool(2);
  try {
    const run = (cpu: CpuPool | undefined, fetchConcurrency: number) => {
      const r = new Reconciler({
        source: new FakeSource(),
        actuators: [new FakeActuator(targets(), { follow: false })],
        config: parseConfig({ cycle: { history: 4 * 86_400 } }, 't'),
        apply: false,
        logger: silentLogger(),
        cpu,
        limits: { fetchConcurrency },
      });
      const NOW = 1_800_000_000;
      return [NOW, NOW + 60, NOW + 3700].reduce<Promise<unknown[]>>(
        async (acc, now) => [...(await acc), { ...(await r.runOnce(now)), durationMs: 0 }],
        Promise.resolve([]),
      );
    };
    const sequential = await run(undefined, 1);
    const pooled = await run(pool, 8);
    const last = sequential[2] as Awaited<ReturnType<Reconciler['runOnce']>>;
    assert.ok(
      last.services.every((s) => s.status === 'planned' && s.forecast?.p50.length),
      'all forecast',
    );
    assert.ok(
      last.services.some((s) => s.tuning),
      'tunings are in the reports',
    );
    assert.deepEqual(pooled, sequential);
  } finally {
    await pool.close();
  }
});
