import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PrescaleService } from '../../../src/runtime/service.js';
import { parseConfig } from '../../../src/config/schema.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { MemoryStateStore } from '../../../src/runtime/state.js';
import { FakeActuator, FakeSource, MemoryLeaseStore, labelled } from '../../support/fakes.js';

const NOW = 1_800_000_000;

type Deps = ConstructorParameters<typeof PrescaleService>[0];

/** A service over `actuator` with a fake source, applying, its cycle scheduled once a year. */
function instance(actuator: FakeActuator, deps: Partial<Deps> = {}) {
  return new PrescaleService({
    source: new FakeSource(),
    actuators: [actuator],
    config: parseConfig({ cycle: { history: 4 * 86_400, schedule: '0 0 1 1 *' } }, 't'),
    apply: true,
    logger: silentLogger(),
    clock: { now: () => NOW },
    apiToken: 'secret-token-1',
    ...deps,
  });
}

async function postApply(s: PrescaleService) {
  const api = await s.api();
  return api.inject({
    method: 'POST',
    url: '/v1/services/web/apply',
    headers: { authorization: 'Bearer secret-token-1' },
  });
}

test('service: of two instances with --apply only the lock holder applies; the other is passive in /v1/status and /metrics', async () => {
  const store = new MemoryLeaseStore();
  const engine = new FakeActuator([labelled('web', 'high', 2)]);
  // a lease longer than any cycle: on a loaded machine a cycle can outlast the default 30 s
  // lease's leader window (20 s after a renewal), and the holder then rightly applies nothing
  const a = instance(engine, { leaseStore: store, lockTtlSec: 3600 });
  const b = instance(engine, { leaseStore: store, lockTtlSec: 3600 });
  await a.lock!.tick();
  await b.lock!.tick();

  engine.targets = [labelled('web', 'high', 2)];
  await b.cycle();
  assert.deepEqual(engine.sets, [], 'the passive instance changes nothing');
  assert.equal(b.services()[0].desiredReplicas, 10, 'it still recommends');
  const api = await b.api();
  const status = (await api.inject('/v1/status')).json();
  assert.equal(status.mode, 'passive');
  assert.equal(status.lock.leader, false);
  assert.equal(status.lock.holder, a.lock!.self);
  assert.match((await api.inject('/metrics')).body, /^prescale_passive 1$/m);
  const manual = await api.inject({
    method: 'POST',
    url: '/v1/services/web/apply',
    headers: { authorization: 'Bearer secret-token-1' },
  });
  assert.equal(manual.statusCode, 409);
  assert.match(manual.json().message, /holds the leader lock/);
  assert.deepEqual(engine.sets, []);

  await a.cycle();
  assert.deepEqual(engine.sets, [['web', 10]], 'the holder applies');
  assert.equal((await (await a.api()).inject('/v1/status')).json().mode, 'apply');
  assert.match((await (await a.api()).inject('/metrics')).body, /^prescale_passive 0$/m);

  // the holder stops (SIGTERM): it gives the lease up, the other takes over at its next attempt
  await a.stop();
  await b.lock!.tick();
  assert.equal(b.mode(), 'apply');
  assert.match((await api.inject('/metrics')).body, /^prescale_passive 0$/m);
  engine.targets = [labelled('web', 'high', 3)];
  await b.cycle();
  assert.deepEqual(engine.sets, [
    ['web', 10],
    ['web', 10],
  ]);
  await b.stop();
});

test('service: without --apply there is no lock and the mode is recommend', async () => {
  const s = instance(new FakeActuator([labelled('web', 'high', 2)]), {
    config: parseConfig({}, 't'),
    apply: false,
    leaseStore: new MemoryLeaseStore(),
  });
  assert.equal(s.lock, undefined);
  assert.equal(s.mode(), 'recommend');
  assert.match((await (await s.api()).inject('/metrics')).body, /^prescale_passive 0$/m);
});

test('service: in recommend mode POST /apply answers 409 and never touches the engine', async () => {
  const engine = new FakeActuator([labelled('web', 'high', 2)]);
  const s = instance(engine, { apply: false });
  await s.cycle();
  assert.equal(s.services()[0].desiredReplicas, 10, 'it recommends');
  const r = await postApply(s);
  assert.equal(r.statusCode, 409);
  assert.equal(r.json().error, 'recommend_only');
  assert.match(r.json().message, /without --apply/);
  assert.deepEqual(engine.sets, [], 'nothing reached the engine');
  await s.stop();
});

test('service: POST /apply re-reads the labels and clamps to the max they say now', async () => {
  const engine = new FakeActuator([labelled('web', 'high', 2)]);
  const s = instance(engine);
  await s.cycle();
  assert.deepEqual(engine.sets, [['web', 10]], 'the cycle applied its plan at max 10');
  // someone scales it back to 2 and lowers prescale.max to 4 before the next cycle
  engine.targets = [labelled('web', 'high', 2, { 'prescale.max': '4' })];
  const r = await postApply(s);
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().desiredReplicas, 4);
  assert.equal(r.json().applied, true);
  assert.deepEqual(engine.sets, [
    ['web', 10],
    ['web', 4],
  ]);
  await s.stop();
});

test('service: stop() aborts a cycle stuck on a query and saves the state, instead of waiting for it', async () => {
  let flushed = 0;
  const hanging = new FakeSource();
  hanging.queryRange = (_q, _s, _e, _st, signal?: AbortSignal) =>
    new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted'))));
  const state = new MemoryStateStore();
  state.flush = () => void flushed++;
  const s = instance(new FakeActuator([labelled('web', 'ok', 2)]), { source: hanging, apiToken: undefined, state });
  const cycle = s.cycle();
  await new Promise((r) => setTimeout(r, 50));
  await s.stop();
  const report = await cycle;
  assert.equal(report.services[0].status, 'held', 'the stuck service is held, not planned');
  assert.ok(flushed >= 1, 'the state was saved');
});
