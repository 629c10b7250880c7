import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceReport } from '../../../src/runtime/report.js';
import { DecisionTrail, TRAIL_LIMITS } from '../../../src/runtime/trail.js';

function rep(key: string, at: number, current: number, desired: number): ServiceReport {
  return {
    key,
    kind: 'swarm',
    name: key,
    status: 'planned',
    currentReplicas: current,
    desiredReplicas: desired,
    applied: current !== desired,
    message: `${current} → ${desired}`,
    problems: [],
    decision: {
      at,
      currentReplicas: current,
      desiredReplicas: desired,
      reason: 'Predictive',
      reasons: ['Predictive', 'ScaleUpLimit'],
      message: '',
      reactive: 1,
      schedule: [],
    },
  };
}
const cycle = (at: number, ...services: ServiceReport[]) => ({ at, durationMs: 1, errors: [], services });

test('trail: the last decisions newest first, with their reason codes, at most the limit', () => {
  const t = new DecisionTrail({ ...TRAIL_LIMITS, decisions: 3 });
  for (let i = 0; i < 5; i++) t.record(cycle(i * 60, rep('a', i * 60, 2, 2 + i)));
  const d = t.decisions('a');
  assert.deepEqual(
    d.map((e) => e.at),
    [240, 180, 120],
  );
  assert.deepEqual(d[0].reasons, ['Predictive', 'ScaleUpLimit']);
  assert.equal(d[0].reason, 'Predictive');
  assert.equal(t.decisions('a', 1).length, 1);
  assert.deepEqual(t.decisions('nope'), []);
});

test('trail: replicas are kept as change points over the window, the one before it kept', () => {
  const t = new DecisionTrail({ decisions: 10, windowSec: 1000, pointGapSec: 0, replicaPoints: 100 });
  t.record(cycle(0, rep('a', 0, 2, 2)));
  t.record(cycle(100, rep('a', 100, 2, 2)));
  t.record(cycle(200, rep('a', 200, 2, 4)));
  t.record(cycle(300, rep('a', 300, 4, 4)));
  assert.deepEqual(
    t.replicas('a').map((p) => [p.at, p.currentReplicas, p.desiredReplicas]),
    [
      [0, 2, 2],
      [200, 2, 4],
      [300, 4, 4],
    ],
  );
  // at 1250 the window starts at 250: the point at 200 still says what ran then, the one at 0 goes
  t.record(cycle(1250, rep('a', 1250, 4, 4)));
  assert.deepEqual(
    t.replicas('a').map((p) => p.at),
    [200, 300],
  );
});

test('trail: bounded by replicaPoints, and services no longer reported are forgotten', () => {
  const t = new DecisionTrail({ decisions: 10, windowSec: 1e9, pointGapSec: 0, replicaPoints: 5 });
  for (let i = 0; i < 20; i++) t.record(cycle(i, rep('a', i, i, i), rep('b', i, 1, 1)));
  assert.equal(t.replicas('a').length, 5);
  assert.equal(t.replicas('a')[4].currentReplicas, 19);
  t.record(cycle(30, rep('b', 30, 1, 1)));
  assert.deepEqual(t.replicas('a'), []);
  assert.deepEqual(t.decisions('a'), []);
  assert.equal(t.replicas('b').length, 1);
});

test('trail: at most one replica point per pointGapSec; a change within it updates the point', () => {
  const t = new DecisionTrail({ decisions: 10, windowSec: 1e9, pointGapSec: 300, replicaPoints: 100 });
  // a change every minute: one point per 5 minutes, holding the last counts of its span
  for (let i = 0; i <= 10; i++) t.record(cycle(i * 60, rep('a', i * 60, 2 + i, 2 + i)));
  assert.deepEqual(
    t.replicas('a').map((p) => [p.at, p.currentReplicas]),
    [
      [0, 6],
      [300, 11],
      [600, 12],
    ],
  );
  // back to the counts of the point before within the gap: the point goes
  t.record(cycle(660, rep('a', 660, 11, 11)));
  assert.deepEqual(
    t.replicas('a').map((p) => [p.at, p.currentReplicas]),
    [
      [0, 6],
      [300, 11],
    ],
  );
});
