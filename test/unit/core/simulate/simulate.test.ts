import assert from 'node:assert/strict';
import { test } from 'node:test';
import { policyWith } from '../../../../src/config/defaults.js';
import { isPrescaleError } from '../../../../src/core/domain/errors.js';
import type { Decision } from '../../../../src/core/domain/decision.js';
import type { RegularSeries } from '../../../../src/core/domain/series.js';
import { initialPlannerState } from '../../../../src/core/planner/plan.js';
import {
  compareWithReferences,
  forecastWalk,
  joinWalks,
  oracleSchedule,
  planAlong,
  reactiveHpa,
  replay,
  scoreSchedule,
  simulate,
  walkPieces,
} from '../../../../src/core/simulate/index.js';

test('replay: scale-ups are ready after the delay, scale-downs act at once, pending cost', () => {
  const { running, cost } = replay([1, 3, 3, 3, 2, 0], 2);
  assert.deepEqual([...running], [1, 1, 1, 3, 2, 0]);
  assert.deepEqual([...cost], [1, 3, 3, 3, 2, 0]);
});

test('replay: a scale-down while replicas are pending cancels the pending ones first', () => {
  const { running, cost } = replay([1, 4, 2, 2, 2], 2);
  assert.deepEqual([...running], [1, 1, 1, 2, 2]);
  assert.deepEqual([...cost], [1, 4, 2, 2, 2]);
});

test('score: unserved share, steps under capacity, cost and actions over the scored steps', () => {
  const demand = [10, 10, 30, 30];
  const s = scoreSchedule(demand, [1, 1, 3, 3], 10, 1, 0);
  // step 2 is served by 1 replica (the two new ones are ready at step 3): 20 of 80 unserved
  assert.equal(s.unservedPct, 25);
  assert.equal(s.underStepsPct, 25);
  assert.equal(s.replicaSteps, 1 + 1 + 3 + 3);
  assert.equal(s.actions, 1);
});

test('oracle: requests each rise one delay ahead and never leaves demand unserved', () => {
  const demand = [5, 5, 5, 25, 25, 5];
  const plan = oracleSchedule(demand, 10, 2);
  assert.deepEqual(plan, [1, 3, 3, 3, 3, 1]);
  assert.equal(scoreSchedule(demand, plan, 10, 2, 0).unservedPct, 0);
});

test('reactive HPA: acts on the previous step, within tolerance holds, scale-down is stabilised', () => {
  const demand = [80, 80, 400, 400, 80, 80, 80, 80, 80, 80, 80];
  const r = reactiveHpa(demand, 100, { stabilizationSteps: 3 });
  assert.deepEqual(r, [1, 1, 1, 5, 5, 5, 5, 1, 1, 1, 1]);
});

/** Days of a load with a sharp daily peak (the rise takes 10 minutes), 5-minute steps. */
function dailyPeaks(days: number, jitter = 0): RegularSeries {
  const m = 288;
  const values: number[] = [];
  for (let i = 0; i < days * m; i++) {
    const slot = i % m;
    const peak = slot >= 144 && slot < 168 ? 900 : slot >= 142 && slot < 144 ? 500 : 100;
    values.push(peak + jitter * Math.sin(i * 1.7));
  }
  return { start: 1_700_006_400, step: 300, values };
}

test('simulate: no peeking — the schedule up to T is the same whether or not the trace goes on', () => {
  const full = dailyPeaks(4, 20);
  const policy = policyWith(100, { maxReplicas: 1000 });
  const T = 3 * 288 + 150; // inside the third day's peak
  const cut = { ...full, values: full.values.slice(0, T) };
  const a = simulate(full, policy).replicas.slice(0, T);
  const b = simulate(cut, policy).replicas;
  assert.deepEqual(b, a);
});

test('simulate: the decision at step T does not see the load of step T', () => {
  const full = dailyPeaks(4, 20);
  const policy = policyWith(100, { maxReplicas: 1000 });
  const T = 3 * 288 + 100;
  const altered = { ...full, values: full.values.map((v, i) => (i >= T ? v * 5 + 1000 : v)) };
  const a = simulate(full, policy).replicas.slice(0, T + 1);
  const b = simulate(altered, policy).replicas.slice(0, T + 1);
  assert.deepEqual(b, a);
});

test('simulate: deterministic — the same input gives the same schedule', () => {
  const s = dailyPeaks(3, 20);
  const policy = policyWith(100, { maxReplicas: 1000 });
  assert.deepEqual(simulate(s, policy).replicas, simulate(s, policy).replicas);
});

test('simulate: a predictable daily peak is met ahead, where the reactive autoscaler misses its start', () => {
  const s = dailyPeaks(5, 10);
  const policy = policyWith(100, { maxReplicas: 1000 });
  const sim = simulate(s, policy);
  assert.ok(sim.predictedSteps > 0 && sim.refits > 0);
  const cmp = compareWithReferences(s.values, sim.replicas, 100, 1, 288);
  assert.ok(cmp.reactive.unservedPct > 1, `reactive misses ${cmp.reactive.unservedPct}`);
  assert.ok(
    cmp.prescale.unservedPct < cmp.reactive.unservedPct / 4,
    `prescale ${cmp.prescale.unservedPct} vs reactive ${cmp.reactive.unservedPct}`,
  );
  assert.equal(cmp.oracle.unservedPct, 0);
  assert.ok(sim.replicas.every((r) => r >= 1 && Number.isInteger(r)));
});

test('simulate: a startup delay of more than MAX_HORIZON_STEPS steps is refused before any forecast', () => {
  const series: RegularSeries = { start: 0, step: 1, values: new Array(600).fill(10) };
  const t0 = performance.now();
  assert.throws(
    () => simulate(series, policyWith(10, { startupDelaySec: 86_400 })),
    (e: unknown) => isPrescaleError(e, 'E_INPUT') && /horizon of 86402 steps of 1 s, more than 10000/.test(e.message),
  );
  assert.ok(performance.now() - t0 < 1000);
});

test('walk pieces: whole backtest-fit intervals covering the series, and their walks join into the whole walk', () => {
  const series = dailyPeaks(4, 30);
  // every candidate fitted for the backtest every 6 hours (72 steps), refits every hour between
  const opts = { backtestFitEverySec: 6 * 3600 };
  const pieces = walkPieces(series, 5, opts);
  assert.equal(pieces.length, 5);
  assert.equal(pieces[0][0], 0);
  assert.equal(pieces.at(-1)?.[1], series.values.length);
  for (const [i, [from, to]] of pieces.entries()) {
    assert.equal(from % 72, 0);
    assert.ok(to > from);
    if (i > 0) assert.equal(from, pieces[i - 1][1]);
  }
  const whole = forecastWalk(series, 3, opts);
  const parts = pieces.map(([walkFrom, walkTo]) => forecastWalk(series, 3, { ...opts, walkFrom, walkTo }));
  assert.deepStrictEqual(joinWalks(parts.reverse()), whole);
  assert.equal(walkPieces(series, 10_000, opts).length, series.values.length / 72);
  // backtest fits every 90 minutes, refits every hour: the candidates are fitted afresh at the
  // first refit of each interval, where the pieces start too
  const odd = { backtestFitEverySec: 5400 };
  const oddPieces = walkPieces(series, 7, odd);
  for (const [from] of oddPieces) assert.equal(from % 12, 0);
  assert.deepStrictEqual(
    joinWalks(oddPieces.map(([walkFrom, walkTo]) => forecastWalk(series, 3, { ...odd, walkFrom, walkTo }))),
    forecastWalk(series, 3, odd),
  );
  // by default a day
  assert.deepEqual(
    walkPieces(series, 10_000).map(([from]) => from),
    [0, 288, 576, 864],
  );
});

test('walk: the refits between two backtest fits choose and fit as a fresh forecaster would, near enough', () => {
  const series = dailyPeaks(6, 30);
  const kept = forecastWalk(series, 3);
  const fresh = forecastWalk(series, 3, { backtestFitEverySec: 3600 });
  assert.equal(kept.refits, fresh.refits);
  // hourly refits: one at the first forecast, then at every hour
  const first = kept.forecasts.findIndex((x) => x);
  assert.equal(kept.refits, 1 + Math.floor((series.values.length - 1) / 12) - Math.floor(first / 12));
  let gap = 0;
  let n = 0;
  for (let t = first; t < series.values.length; t++) {
    const a = kept.forecasts[t];
    const b = fresh.forecasts[t];
    assert.ok(a && b);
    gap += Math.abs(a.p50[2] - b.p50[2]);
    n++;
  }
  // the load swings between 100 and 900: the two walks' forecasts 3 steps ahead within 2 % of it
  assert.ok(gap / n < 16, `mean gap ${(gap / n).toFixed(2)}`);
});

test('simulate: a walk passed in gives the same result as the walk simulate makes', () => {
  const series = dailyPeaks(5, 30);
  const policy = { ...policyWith(100, { startupDelaySec: 300 }), autoTune: true };
  const walk = forecastWalk(series, 3);
  const withWalk = simulate(series, policy, {}, walk);
  assert.ok(withWalk.tunings.length > 0);
  assert.deepStrictEqual(withWalk, simulate(series, policy));
});

test('plan along: without anyone reading the decisions (the tuning), the same replicas and state', () => {
  const series = dailyPeaks(4, 30);
  const walk = forecastWalk(series, 3);
  const y = series.values;
  const noisy = y.map((v, i) => v * (1 + 0.3 * Math.sin(i * 0.7)));
  for (const policy of [
    policyWith(100, { startupDelaySec: 300 }),
    policyWith(100, { startupDelaySec: 300, scaleDownStabilizationSec: 1800, marginScale: 2, quantile: 'p50' }),
  ]) {
    const start = { current: 1, state: initialPlannerState() };
    const seen: Decision[] = [];
    const read = planAlong(series, noisy, walk.forecasts, policy, 600, y.length, start, (_, d) => seen.push(d));
    const unread = planAlong(series, noisy, walk.forecasts, policy, 600, y.length, start);
    assert.deepStrictEqual(unread, read);
    assert.ok(seen.every((d) => d.message.length > 0));
    assert.ok(new Set(read.replicas).size > 2);
  }
});
