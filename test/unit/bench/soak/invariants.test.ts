import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BoundsBook } from '../../../../bench/soak/invariants.js';

describe('BoundsBook: the bounds a service may be in, with the grace after a label change', () => {
  const book = new BoundsBook();
  book.set('swarm/a', 2, 8, 0);
  book.set('swarm/a', 1, 3, 100_000);

  test('before a change: only the old bounds', () => {
    assert.deepEqual(book.allowed('swarm/a', 50_000, 60_000), { min: 2, max: 8 });
  });

  test('a window that reaches the change allows both (the change takes effect at the next cycle)', () => {
    assert.deepEqual(book.allowed('swarm/a', 90_000, 101_000), { min: 1, max: 8 });
  });

  test('once the grace has passed: only the new bounds', () => {
    assert.deepEqual(book.allowed('swarm/a', 100_001, 130_000), { min: 1, max: 3 });
  });

  test('an unknown service has none', () => {
    assert.equal(book.allowed('swarm/b', 0, 1), undefined);
    assert.deepEqual(book.current('swarm/a'), { at: 100_000, min: 1, max: 3 });
  });
});
