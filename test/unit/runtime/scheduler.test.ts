import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../../src/observability/logger.js';
import { CycleScheduler } from '../../../src/runtime/scheduler.js';

function gate() {
  let open: () => void = () => {};
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
}

test('scheduler: trigger() during a run queues exactly one more run; a tick during a run is skipped', async () => {
  const gates = [gate(), gate(), gate()];
  let runs = 0;
  let skipped = 0;
  const s = new CycleScheduler(
    '0 0 1 1 *',
    async () => {
      await gates[runs++].p;
    },
    silentLogger(),
    () => skipped++,
  );
  const first = s.trigger();
  assert.equal(runs, 1);
  const second = s.trigger();
  const third = s.trigger();
  await s.tick();
  assert.equal(skipped, 1);
  gates[0].open();
  await first;
  assert.equal(runs, 2, 'the queued run started once the first finished');
  gates[1].open();
  await Promise.all([second, third]);
  assert.equal(runs, 2, 'two requests during a run made one run');
  await s.stop();
  await s.trigger();
  assert.equal(runs, 2, 'nothing after stop');
});
