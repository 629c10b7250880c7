import assert from 'node:assert/strict';
import { test } from 'node:test';
import { policyWith } from '../../../../src/config/defaults.js';
import type { Forecast } from '../../../../src/core/domain/forecast.js';
import type { ScalingPolicy } from '../../../../src/core/domain/policy.js';
import type { RegularSeries } from '../../../../src/core/domain/series.js';
import {
  betterUnderBudget,
  simulate,
  tuneOnHistory,
  tunePolicy,
  tuningCandidates,
  TUNING,
  type TuningSettings,
} from '../../../../src/core/simulate/index.js';

const STEP = 300;
const DAY = 288;
const START = 1_700_006_400;

/** A daily wave with a deterministic wiggle, 5-minute steps. */
function wave(days: number, spikes = false): number[] {
  return Array.from({ length: days * DAY }, (_, i) => {
    const base = 500 + 300 * Math.sin((2 * Math.PI * i) / DAY) + 30 * Math.sin(i * 1.7);
    // isolated one-step spikes (a flash crowd every ~7 hours) on the spiky variant
    return spikes && (i * 7919) % 83 === 0 ? base + 200 : base;
  });
}

/**
 * Forecasts made "before" each step: p50 = scale50 × what came, p90 = scale90 × what came, or
 * of `seen` instead (e.g. the load without its spikes: a forecast that cannot know them).
 */
function forecastsOf(values: readonly number[], from: number, scale50: number, scale90: number, seen = values) {
  return values.map((_, t): Forecast | undefined => {
    if (t < from) return undefined;
    const at = (k: number) => seen[Math.min(seen.length - 1, t + k)];
    return {
      start: START + t * STEP,
      step: STEP,
      p50: [0, 1, 2].map((k) => scale50 * at(k)),
      p90: [0, 1, 2].map((k) => scale90 * at(k)),
      model: 'test',
      notes: [],
    };
  });
}

const series = (values: number[]) => ({ start: START, step: STEP, values });

test('tune: with sharp, exact forecasts the replay runs hotter than the 80 % target and misses nothing', () => {
  const y = wave(5);
  const policy = policyWith(100, { maxReplicas: 1000 });
  const tuned = tunePolicy(series(y), forecastsOf(y, DAY, 1, 1.02), DAY, 5 * DAY, policy);
  assert.ok(tuned);
  assert.equal(tuned.overrides.targetUtilization, 1);
  assert.ok(tuned.score.cost < tuned.configured.cost);
  assert.equal(tuned.code, 'WithinBudget');
  assert.ok(tuned.score.costVsOracle < tuned.configured.costVsOracle);
  assert.equal(tuned.score.unservedPct, 0);
  assert.equal(tuned.days, 4);
});

test('tune: a larger miss budget never chooses a policy that costs more while the smaller one is kept to (grid search)', () => {
  const y = wave(6, true);
  const f = forecastsOf(y, DAY, 0.9, 1.2, wave(6));
  const grid = { ...TUNING, search: 'grid' as const };
  const tuned = [0, 0.05, 0.2, 0.5, 2, 100].map((targetUnserved) => {
    // a low miss price, so that the budgets bind
    const policy = policyWith(100, { maxReplicas: 1000, targetUnserved, missPrice: 0.05 });
    const t = tunePolicy(series(y), f, DAY, 6 * DAY, policy, grid);
    assert.ok(t);
    assert.equal(t.budgetPct, targetUnserved);
    return t;
  });
  const shown = tuned.map((t) => `${t.budgetPct}: ${t.score.unservedPct.toFixed(3)} % at ${t.score.cost.toFixed(3)}`);
  for (let i = 1; i < tuned.length; i++) {
    if (tuned[i - 1].code !== 'WithinBudget') continue;
    assert.ok(tuned[i].score.cost <= tuned[i - 1].score.cost, `cost by budget: ${shown.join('; ')}`);
  }
  for (const t of tuned.filter((x) => x.code === 'WithinBudget')) assert.ok(t.score.unservedPct <= t.budgetPct);
  assert.ok(tuned[5].score.cost < tuned[2].score.cost, `the budget matters: ${shown.join('; ')}`);
});

test('tune: within the budget beats over it; on the same side the lower cost + miss price × unserved wins', () => {
  const s = (unservedPct: number, cost: number) => ({ unservedPct, cost, costVsOracle: cost, actionsPerWeek: 0 });
  const rows: [string, ReturnType<typeof s>, ReturnType<typeof s>, boolean][] = [
    ['within beats over, however cheap', s(0.1, 2), s(0.3, 1), true],
    ['within: a miss is worth its price', s(0, 1.15), s(0.2, 1.1), true],
    ['within: cheaper by more than the misses are worth', s(0.1, 1), s(0, 1.15), true],
    ['within: a tie is no improvement', s(0, 1.5), s(0.125, 1.375), false],
    ['the budget itself is within', s(0.2, 1.5), s(0.21, 1), true],
    ['over: fewer misses when they are worth their cost', s(0.4, 1.05), s(0.5, 1), true],
    ['over: not at any cost', s(0.4, 3), s(0.5, 1), false],
  ];
  for (const [name, a, b, want] of rows) assert.equal(betterUnderBudget(a, b, 0.2, 1), want, name);
  // the rule before the price: within the budget the cheapest, over it the fewest misses
  const before: [string, ReturnType<typeof s>, ReturnType<typeof s>, boolean][] = [
    ['within: the cheaper, whatever it misses', s(0.2, 1.1), s(0, 1.2), true],
    ['over: the fewer misses, however dear', s(0.4, 3), s(0.5, 1), true],
    ['over: equal misses, the cheaper', s(0.4, 1), s(0.4, 2), true],
  ];
  for (const [name, a, b, want] of before) assert.equal(betterUnderBudget(a, b, 0.2, null), want, name);
});

/** The tuning's replay of one candidate of the grid alone, under the tuning's `settings`. */
function candidateAlone(
  y: number[],
  f: Parameters<typeof tunePolicy>[1],
  policy: ScalingPolicy,
  c: ReturnType<typeof tuningCandidates>[number],
  settings: TuningSettings,
) {
  return tunePolicy(
    series(y),
    f,
    DAY,
    6 * DAY,
    { ...policy, ...c, autoTune: false },
    { ...settings, marginScales: [c.marginScale], stabilizationsSec: [c.scaleDownStabilizationSec] },
  );
}

test('tune: with no budget (the default) the candidate of the grid with the lowest cost + miss price × unserved is kept', () => {
  const y = wave(6, true);
  // the forecast never sees the spikes: every candidate misses some of them
  const f = forecastsOf(y, DAY, 0.9, 1.05, wave(6));
  const grid = { ...TUNING, search: 'grid' as const };
  for (const missPrice of [0.1, 1, 10]) {
    const policy = policyWith(100, { maxReplicas: 1000, missPrice });
    const tuned = tunePolicy(series(y), f, DAY, 6 * DAY, policy, grid);
    assert.ok(tuned);
    assert.equal(tuned.code, 'WithinBudget');
    const j = (x: { cost: number; unservedPct: number }) => x.cost + missPrice * x.unservedPct;
    for (const c of tuningCandidates(policy)) {
      const one = candidateAlone(y, f, policy, c, grid);
      assert.ok(one && j(one.configured) >= j(tuned.score), `${missPrice}: ${JSON.stringify(c)}`);
    }
  }
});

test('tune: a higher miss price never keeps a policy that misses more (grid search)', () => {
  const y = wave(6, true);
  const f = forecastsOf(y, DAY, 0.9, 1.2, wave(6));
  const grid = { ...TUNING, search: 'grid' as const };
  const tuned = [0, 0.1, 0.5, 1, 2, 10, 100].map((missPrice) => {
    const t = tunePolicy(series(y), f, DAY, 6 * DAY, policyWith(100, { maxReplicas: 1000, missPrice }), grid);
    assert.ok(t);
    return t;
  });
  const shown = tuned.map((t) => `${t.score.unservedPct.toFixed(3)} % at ${t.score.cost.toFixed(3)}`).join('; ');
  for (let i = 1; i < tuned.length; i++) {
    assert.ok(tuned[i].score.unservedPct <= tuned[i - 1].score.unservedPct, `misses by price: ${shown}`);
    assert.ok(tuned[i].score.cost >= tuned[i - 1].score.cost, `cost by price: ${shown}`);
  }
  assert.ok(tuned[6].score.unservedPct < tuned[0].score.unservedPct, `the price matters: ${shown}`);
});

test('tune: when no candidate keeps to the budget, the tuning says OverBudget; the budget-only rule then keeps the fewest misses', () => {
  const y = wave(6, true);
  const f = forecastsOf(y, DAY, 0.9, 1.05, wave(6));
  const grid = { ...TUNING, search: 'grid' as const };
  const policy = policyWith(100, { maxReplicas: 1000, targetUnserved: 0 });
  assert.equal(tunePolicy(series(y), f, DAY, 6 * DAY, policy, grid)?.code, 'OverBudget');
  const before = { ...grid, rule: 'budgetOnly' as const };
  const tuned = tunePolicy(series(y), f, DAY, 6 * DAY, policy, before);
  assert.ok(tuned);
  assert.equal(tuned.code, 'OverBudget');
  assert.ok(tuned.score.unservedPct > 0);
  // the fewest misses of the whole grid
  for (const c of tuningCandidates(policy)) {
    const one = candidateAlone(y, f, policy, c, before);
    assert.ok(one && one.configured.unservedPct >= tuned.score.unservedPct, JSON.stringify(c));
  }
});

test('tune: the grid starts with the configured policy, which wins ties', () => {
  const policy = policyWith(100, { targetUtilization: 0.7, marginScale: 1.1, scaleDownStabilizationSec: 600 });
  const c = tuningCandidates(policy);
  assert.deepEqual(c[0], { targetUtilization: 0.7, marginScale: 1.1, scaleDownStabilizationSec: 600 });
  assert.equal(c.length, 1 + 2 * TUNING.marginScales.length * TUNING.stabilizationsSec.length);
  // a flat load with exact forecasts at full utilisation: every candidate costs as the oracle
  const flat = new Array<number>(4 * DAY).fill(250);
  const own = policyWith(100, { targetUtilization: 1, marginScale: 1.1, scaleDownStabilizationSec: 600 });
  const tuned = tunePolicy(series(flat), forecastsOf(flat, DAY, 1, 1), DAY, 4 * DAY, own);
  assert.ok(tuned);
  assert.equal(tuned.score.costVsOracle, 1);
  assert.deepEqual(tuned.overrides, { targetUtilization: 1, marginScale: 1.1, scaleDownStabilizationSec: 600 });
});

test('tune: sees nothing at or after the end of its window', () => {
  const y = wave(5, true);
  const f = forecastsOf(y, DAY, 0.95, 1.2);
  const to = 4 * DAY + 17;
  const policy = policyWith(100, { maxReplicas: 1000 });
  const a = tunePolicy(series(y), f, DAY, to, policy);
  const yb = y.map((v, i) => (i >= to ? v * 10 + 5000 : v));
  const fb = f.map((x, i) => (i >= to && x ? { ...x, p50: x.p50.map(() => 1e6), p90: x.p90.map(() => 1e6) } : x));
  assert.deepEqual(tunePolicy(series(yb), fb, DAY, to, policy), a);
});

test('tune: less than a day of forecasts, or no demand at all, tunes nothing', () => {
  const y = wave(3);
  const policy = policyWith(100);
  assert.equal(tunePolicy(series(y), forecastsOf(y, 2 * DAY + 10, 1, 1.1), 2 * DAY + 10, 3 * DAY, policy), undefined);
  const zeros = new Array<number>(3 * DAY).fill(0);
  assert.equal(tunePolicy(series(zeros), forecastsOf(zeros, DAY, 1, 1), DAY, 3 * DAY, policy), undefined);
  assert.equal(tuneOnHistory(series(y.slice(0, 2 * DAY)), policy), undefined);
});

function dailyPeaks(days: number): RegularSeries {
  const values = Array.from({ length: days * DAY }, (_, i) => {
    const slot = i % DAY;
    return (slot >= 144 && slot < 168 ? 900 : slot >= 142 && slot < 144 ? 500 : 100) + 20 * Math.sin(i * 1.7);
  });
  return { start: START, step: STEP, values };
}

test('simulate: re-tunes once a day once a day of forecasts is behind it; no peeking across a tuning; autoTune false pins the policy', () => {
  const full = dailyPeaks(6);
  const policy = policyWith(100, { maxReplicas: 1000 });
  const sim = simulate(full, policy);
  assert.deepEqual(
    sim.tunings.map((t) => (t.at - START) / 86_400),
    [4, 5],
    'the first day with a full day of forecasts behind it is day 4',
  );
  const T = 5 * DAY + 150; // after the day-5 tuning, inside that day's peak
  const cut = { ...full, values: full.values.slice(0, T) };
  assert.deepEqual(simulate(cut, policy).replicas, sim.replicas.slice(0, T));
  const altered = { ...full, values: full.values.map((v, i) => (i >= T ? v * 5 + 1000 : v)) };
  assert.deepEqual(simulate(altered, policy).replicas.slice(0, T + 1), sim.replicas.slice(0, T + 1));
  const pinned = simulate(full, { ...policy, autoTune: false });
  assert.equal(pinned.tunings.length, 0);
  assert.notDeepEqual(pinned.replicas, sim.replicas);
});

test('tuneOnHistory: replays the last week of a history as the service does, with the forecaster refitted', () => {
  const s = dailyPeaks(10);
  const t = tuneOnHistory(s, policyWith(100, { maxReplicas: 1000 }));
  assert.ok(t);
  assert.equal(t.at, START + 10 * 86_400);
  assert.equal(t.days, 7);
  assert.ok(!betterUnderBudget(t.configured, t.score, t.budgetPct, 1), 'never worse than the configured policy');
});
