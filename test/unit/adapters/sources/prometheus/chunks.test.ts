import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROMETHEUS_MAX_POINTS, planChunks } from '../../../../../src/adapters/sources/prometheus/chunks.js';

/** Every evaluation point Prometheus would return for [start, end] at step, once each. */
function points(start: number, end: number, step: number): number[] {
  const out: number[] = [];
  for (let t = start; t <= end + 1e-9; t += step) out.push(t);
  return out;
}

const rows: Array<[string, number, number, number, number]> = [
  ['one chunk', 0, 600, 60, 10_000],
  ['exactly the limit', 0, 59 * 60, 60, 60],
  ['limit plus one', 0, 60 * 60, 60, 60],
  ['14 days at 60 s', 1_700_000_000, 1_700_000_000 + 14 * 86_400, 60, 10_000],
  ['end off the grid', 5, 1_000_003, 7, 999],
  ['start equals end', 100, 100, 15, 10],
];

for (const [name, start, end, step, max] of rows) {
  test(`planChunks: ${name}`, () => {
    const chunks = planChunks(start, end, step, max);
    const covered = chunks.flatMap((c) => points(c.start, c.end, step));
    assert.deepEqual(covered, points(start, end, step), 'chunks cover each evaluation point exactly once');
    for (const c of chunks) assert.ok((c.end - c.start) / step + 1 <= max, 'chunk within the limit');
  });
}

test('planChunks: default chunk size stays under Prometheus limit', () => {
  const chunks = planChunks(0, 86_400 * 30, 60);
  assert.ok(chunks.every((c) => (c.end - c.start) / 60 + 1 < PROMETHEUS_MAX_POINTS));
  assert.equal(chunks.length, 5);
});

test('planChunks: empty when end < start, error on bad step', () => {
  assert.deepEqual(planChunks(10, 0, 1), []);
  assert.throws(() => planChunks(0, 10, 0), RangeError);
});
