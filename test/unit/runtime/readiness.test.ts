import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceReport } from '../../../src/runtime/cycle.js';
import { readiness, type ReadinessInput } from '../../../src/runtime/readiness.js';
import type { ServiceStatus } from '../../../src/runtime/report.js';

const NOW = 1_760_000_000;

function service(name: string, status: ServiceStatus, problem?: string): ServiceReport {
  return {
    key: `swarm/${name}`,
    kind: 'swarm',
    name,
    status,
    currentReplicas: 2,
    desiredReplicas: 2,
    applied: false,
    message: `${name} ${status}`,
    problems: problem ? [{ code: 'SourceFailed', message: problem }] : [],
  };
}

const cycle = (services: ServiceReport[], at = NOW - 30) => ({ at, durationMs: 2000, services });
const base: ReadinessInput = { now: NOW, cycleIntervalSec: 60, lastCycle: cycle([service('web', 'planned')]) };

const rows: { name: string; input: Partial<ReadinessInput>; code?: string; reason?: RegExp }[] = [
  { name: 'a recent cycle that planned its service', input: {} },
  { name: 'before the first cycle', input: { lastCycle: undefined }, code: 'no_cycle_yet', reason: /first planning/ },
  {
    name: 'the state cannot be saved',
    input: { stateSaveError: '/s/planner-state.json: EISDIR' },
    code: 'state_not_saved',
    reason: /cannot be saved: \/s\/planner-state\.json: EISDIR/,
  },
  {
    name: 'the last cycle ended more than three intervals ago',
    input: { lastCycle: cycle([service('web', 'planned')], NOW - 200) },
    code: 'cycle_stuck',
    reason: /ended 198 s ago, more than 180 s/,
  },
  {
    name: 'a cycle just under three intervals old',
    input: { lastCycle: cycle([service('web', 'planned')], NOW - 181) },
  },
  {
    name: 'a short schedule is not judged stuck under a minute',
    input: { cycleIntervalSec: 1, lastCycle: cycle([service('web', 'planned')], NOW - 50) },
  },
  {
    name: 'every service held or failed on errors',
    input: {
      lastCycle: cycle([service('web', 'held', 'Prometheus at http://p is unreachable'), service('api', 'failed')]),
    },
    code: 'all_services_held',
    reason: /every service \(2\) was held or failed .*swarm\/web: Prometheus at http:\/\/p is unreachable/,
  },
  {
    name: 'one service held, one planned',
    input: { lastCycle: cycle([service('web', 'held', 'no data'), service('api', 'planned')]) },
  },
  {
    name: 'the end of the last cycle given on another clock than its at (a fast planning clock)',
    input: { lastCycle: cycle([service('web', 'planned')], NOW - 86_400), lastCycleEndedAt: NOW - 5 },
  },
  {
    name: 'a wall-clock end long ago is stuck whatever the planning clock says',
    input: { lastCycle: cycle([service('web', 'planned')], NOW), lastCycleEndedAt: NOW - 600 },
    code: 'cycle_stuck',
  },
  { name: 'no services labelled at all', input: { lastCycle: cycle([]) } },
  {
    name: 'services skipped for bad labels are not an error of the instance',
    input: { lastCycle: cycle([service('web', 'skipped', 'prescale.capacity=abc')]) },
  },
];

for (const row of rows) {
  test(`readiness: ${row.name}`, () => {
    const r = readiness({ ...base, ...row.input });
    assert.equal(r.ready, row.code === undefined);
    assert.equal(r.code, row.code);
    if (row.reason) assert.match(r.reason ?? '', row.reason);
    else assert.equal(r.reason === undefined, row.code === undefined);
  });
}

test('readiness: a state that cannot be saved is said before a stuck schedule', () => {
  const r = readiness({ ...base, stateSaveError: 'x: EROFS', lastCycle: cycle([], NOW - 10_000) });
  assert.equal(r.code, 'state_not_saved');
});
