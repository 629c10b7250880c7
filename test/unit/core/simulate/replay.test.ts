import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oracleSchedule, replay } from '../../../../src/core/simulate/replay.js';

/** The reference bench's replay, one pending entry per replica (scalebench.py): the model to match. */
function replayPerReplica(requested: readonly number[], delay: number): { running: number[]; cost: number[] } {
  const running: number[] = [];
  const cost: number[] = [];
  let ready = Math.trunc(requested[0]);
  const pending: number[] = [];
  for (let t = 0; t < requested.length; t++) {
    ready += pending.filter((at) => at <= t).length;
    pending.splice(0, pending.length, ...pending.filter((at) => at > t));
    const r = Math.trunc(requested[t]);
    const have = ready + pending.length;
    if (r > have) for (let i = 0; i < r - have; i++) pending.push(t + delay);
    else if (r < have) {
      let drop = have - r;
      while (drop && pending.length) {
        pending.pop();
        drop--;
      }
      ready -= drop;
    }
    running.push(ready);
    cost.push(ready + pending.length);
  }
  return { running, cost };
}

/** A deterministic pseudo-random walk of replica requests (LCG). */
function schedule(seed: number, n: number): number[] {
  let x = seed;
  let r = 3;
  return Array.from({ length: n }, () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    r = Math.max(0, r + ((x >> 8) % 7) - 3);
    return r + ((x >> 4) % 4) / 4; // fractions are truncated as the bench does
  });
}

test('replay as counts matches the per-replica replay on random schedules and delays', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const req = schedule(seed, 200);
    for (const delay of [0, 1, 3, 12]) {
      const got = replay(req, delay);
      const want = replayPerReplica(req, delay);
      assert.deepEqual([...got.running], want.running, `seed ${seed}, delay ${delay}`);
      assert.deepEqual([...got.cost], want.cost, `seed ${seed}, delay ${delay}`);
    }
  }
});

test('replay of hundreds of millions of replicas takes what ten do', () => {
  const t0 = performance.now();
  const { running, cost } = replay([1, 5e8, 5e8, 5e8, 2e8, 0], 2);
  assert.deepEqual([...running], [1, 1, 1, 5e8, 2e8, 0]);
  assert.deepEqual([...cost], [1, 5e8, 5e8, 5e8, 2e8, 0]);
  assert.ok(performance.now() - t0 < 1000);
});

test('oracle is the largest need of the next delay steps, for any delay', () => {
  const demand = schedule(7, 300).map((r) => r * 10);
  for (const delay of [0, 1, 5, 299, 1000]) {
    const need = demand.map((d) => Math.max(1, Math.ceil(d / 10)));
    const want = need.map((_, t) => Math.max(...need.slice(t, t + delay + 1)));
    assert.deepEqual(oracleSchedule(demand, 10, delay), want, `delay ${delay}`);
  }
});
