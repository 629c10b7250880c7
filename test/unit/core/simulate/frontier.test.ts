import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compareWithReferences,
  FRONTIER_TARGETS,
  positionOnFrontier,
  reactiveFrontier,
} from '../../../../src/core/simulate/index.js';

/** Four days of a daily wave at 5 minutes with a spike every afternoon. */
const demand = Array.from({ length: 4 * 288 }, (_, i) => {
  const h = (i % 288) / 12;
  return 200 + 150 * Math.sin((2 * Math.PI * h) / 24) + (h > 15 && h < 15.5 ? 300 : 0);
});

test('the frontier sweeps frontier.py targets; its 0.8 point is the reference reactive HPA', () => {
  const frontier = reactiveFrontier(demand, 20, 1, 288);
  assert.deepEqual(
    frontier.map((p) => p.target),
    [...FRONTIER_TARGETS],
  );
  const { target: _t, ...at08 } = frontier.find((p) => p.target === 0.8)!;
  assert.deepEqual(at08, compareWithReferences(demand, demand, 20, 1, 288).reactive);
  // a lower target holds more replicas and misses no more
  for (let i = 1; i < frontier.length; i++) {
    assert.ok(frontier[i].costVsOracle <= frontier[i - 1].costVsOracle);
    assert.ok(frontier[i].unservedPct >= frontier[i - 1].unservedPct);
  }
});

test('a point is placed on the frontier by linear interpolation, null off its range (np.interp, NaN outside)', () => {
  const frontier = [
    { unservedPct: 2, costVsOracle: 1.2, underStepsPct: 0, replicaSteps: 0, actions: 0 },
    { unservedPct: 0.5, costVsOracle: 1.6, underStepsPct: 0, replicaSteps: 0, actions: 0 },
    { unservedPct: 1, costVsOracle: 1.4, underStepsPct: 0, replicaSteps: 0, actions: 0 },
  ];
  const mid = positionOnFrontier(frontier, { unservedPct: 0.75, costVsOracle: 1.3 });
  assert.ok(Math.abs(mid.reactiveUnservedAtSameCost! - 1.5) < 1e-12, String(mid.reactiveUnservedAtSameCost));
  assert.ok(Math.abs(mid.reactiveCostForSameUnserved! - 1.5) < 1e-12, String(mid.reactiveCostForSameUnserved));
  assert.deepEqual(positionOnFrontier(frontier, { unservedPct: 0.1, costVsOracle: 1.6 }), {
    reactiveUnservedAtSameCost: 0.5,
    reactiveCostForSameUnserved: null,
  });
  assert.equal(positionOnFrontier(frontier, { unservedPct: 1, costVsOracle: 1.1 }).reactiveUnservedAtSameCost, null);
});
