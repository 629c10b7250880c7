import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kthSmallest } from '../../../../src/core/forecast/order.js';

/** Deterministic uniform numbers in [0, 1) (Park-Miller). */
function uniform(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

test('kthSmallest is the k-th value of the sorted array, with ties and any k', () => {
  const u = uniform(3);
  for (let trial = 0; trial < 2000; trial++) {
    const n = 1 + Math.floor(u() * 60);
    // a third of the values from a small set, so that ties are common
    const a = Float64Array.from({ length: n }, () => (u() < 0.3 ? Math.floor(u() * 4) : 10 * u() - 5));
    const sorted = a.slice().sort();
    const k = Math.floor(u() * n);
    assert.equal(kthSmallest(a.slice(), k), sorted[k], `n ${n}, k ${k}`);
  }
});
