import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SLICE_MS, Slices } from '../../../src/runtime/slices.js';

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

test('a long loop lets the event loop in every slice, and a short one does not yield at all', async () => {
  const slices = new Slices();
  let ran = 0;
  const seen: number[] = [];
  const tick = setInterval(() => ran++, 0);
  for (let i = 0; i < 20; i++) {
    await slices.pass();
    seen.push(ran);
    busy(SLICE_MS / 2);
  }
  clearInterval(tick);
  // 20 half slices: the timer ran between them, about every other pass
  assert.ok(ran >= 5, `the timer ran ${ran} times`);
  const quick = new Slices();
  let yielded = false;
  setImmediate(() => (yielded = true));
  for (let i = 0; i < 100; i++) await quick.pass();
  assert.equal(yielded, false, 'no slice was used up: nothing yielded');
});
