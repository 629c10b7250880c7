import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { getPriority } from 'node:os';
import { pack, unpack } from '../../../../src/runtime/workers/packed.js';
import { lowerThreadPriority, WORKER_NICENESS } from '../../../../src/runtime/workers/priority.js';

test('a packed series crosses threads unchanged: gaps, -0, tiny and huge values', async () => {
  const series = { start: 1_700_000_000, step: 300, values: [1.5, Number.NaN, -0, 5e-324, 1.7976931348623157e308, 42] };
  const packed = pack(series);
  assert.ok(packed.values instanceof Float64Array);
  const copy = await new Promise<unknown>((resolve) => {
    const w = new Worker(
      'require("node:worker_threads").parentPort.on("message", (m) => { require("node:worker_threads").parentPort.postMessage(m); })',
      { eval: true },
    );
    w.once('message', (m) => {
      resolve(m);
      void w.terminate();
    });
    w.postMessage(packed);
  });
  const back = unpack(copy as ReturnType<typeof pack>);
  assert.deepEqual(back, series);
  assert.ok(Object.is(back.values[2], -0));
  assert.ok(Array.isArray(back.values));
});

test('the main thread keeps its priority; a worker thread lowers its own only', async () => {
  const before = getPriority(process.pid);
  assert.equal(lowerThreadPriority(), undefined);
  assert.equal(getPriority(process.pid), before);
  // compiled by tsx in the worker as the pool's tasks are
  const pool = new Piscina({ filename: new URL('./priority-task.ts', import.meta.url).href, maxThreads: 1 });
  const nice = (await pool.run(undefined)) as number | undefined;
  await pool.destroy();
  if (process.platform === 'linux') assert.equal(nice, Math.min(19, before + WORKER_NICENESS));
  assert.equal(getPriority(process.pid), before, 'the process (its main thread) is untouched');
});
