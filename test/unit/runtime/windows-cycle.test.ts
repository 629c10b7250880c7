import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/schema.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { Reconciler } from '../../../src/runtime/cycle.js';
import { MemoryMaskStore } from '../../../src/runtime/masks.js';
import { FakeActuator, FakeSource, labelled } from '../../support/fakes.js';

// 2027-01-15T08:00:00Z
const NOW = 1_800_000_000;

function reconciler(actuator: FakeActuator, masks = new MemoryMaskStore()) {
  return new Reconciler({
    source: new FakeSource(),
    actuators: [actuator],
    config: parseConfig({ cycle: { history: 2 * 86_400 } }, 't'),
    apply: true,
    logger: silentLogger(),
    masks,
  });
}

test("cycle: an open window's min is applied with reason Scheduled, above the policy's max", async () => {
  const actuator = new FakeActuator([
    labelled('web', 'sine', 2, {
      'prescale.auto-tune': 'false',
      'prescale.schedule.sale': '0 8 * * *|1h|UTC|min=12,max=15',
    }),
  ]);
  const [r] = (await reconciler(actuator).runOnce(NOW + 600)).services;
  assert.equal(r.status, 'planned', r.message);
  assert.equal(r.desiredReplicas, 12);
  assert.equal(r.decision?.reason, 'Scheduled');
  assert.equal(r.decision?.window, 'sale');
  assert.deepEqual(r.windows?.active, ['sale']);
  assert.deepEqual(actuator.sets, [['web', 12]], 'the apply guard takes the window bounds');
});

test('cycle: two open windows with no replica count between them skip the service, naming both', async () => {
  const actuator = new FakeActuator([
    labelled('web', 'sine', 2, {
      'prescale.schedule.sale': '0 8 * * *|1h|UTC|min=8',
      'prescale.schedule.freeze': '0 8 * * *|30m|UTC|max=3',
    }),
  ]);
  const [r] = (await reconciler(actuator).runOnce(NOW + 60)).services;
  assert.equal(r.status, 'skipped');
  assert.equal(r.errorCode, 'E_CONFIG');
  assert.equal(r.problems[0].code, 'ScheduleConflict');
  assert.match(r.problems[0].message, /sale \(min 8\) and freeze \(max 3\)/);
  assert.deepEqual(actuator.sets, []);
  // once the freeze is over the sale holds alone
  const [later] = (await reconciler(actuator).runOnce(NOW + 45 * 60)).services;
  assert.equal(later.status, 'planned', later.message);
});

test('cycle: masks added at run time leave their samples out, said as SamplesExcluded', async () => {
  const masks = new MemoryMaskStore();
  masks.add('swarm/web', { name: 'outage', start: NOW - 6 * 3600, end: NOW - 5 * 3600 }, NOW);
  const actuator = new FakeActuator([labelled('web', 'sine', 2, { 'prescale.auto-tune': 'false' })]);
  const [r] = (await reconciler(actuator, masks).runOnce(NOW)).services;
  const p = r.problems.find((x) => x.code === 'SamplesExcluded');
  // one hour at the 5-minute forecast step
  assert.equal(p?.message, '12 samples inside event masks (outage) left out');
  const [other] = (await reconciler(new FakeActuator([labelled('web', 'sine', 2)]), new MemoryMaskStore()).runOnce(NOW))
    .services;
  assert.equal(
    other.problems.find((x) => x.code === 'SamplesExcluded'),
    undefined,
  );
});
