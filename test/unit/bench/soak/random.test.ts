import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../../../bench/soak/random.js';

test('Random: a seed gives the same sequence; another seed another one; ranges hold', () => {
  const draw = (seed: number) => {
    const r = new Random(seed);
    return Array.from({ length: 20 }, () => r.int(1, 6));
  };
  assert.deepEqual(draw(1), draw(1));
  assert.notDeepEqual(draw(1), draw(2));
  const r = new Random(7);
  for (let i = 0; i < 1000; i++) {
    const x = r.next();
    assert.ok(x >= 0 && x < 1);
    const n = r.int(3, 5);
    assert.ok(n >= 3 && n <= 5 && Number.isInteger(n));
  }
  const xs = ['a', 'b', 'c', 'd', 'e'];
  assert.deepEqual([...new Random(3).shuffle(xs)].sort(), xs);
});
