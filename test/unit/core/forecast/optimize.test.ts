import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nelderMead } from '../../../../src/core/forecast/optimize.js';

test('nelderMead finds the minimum of a shifted quadratic in four dimensions', () => {
  const target = [0.3, -1.2, 2, 0.7];
  const f = (x: number[]) => x.reduce((s, v, i) => s + (i + 1) * (v - target[i]) ** 2, 0);
  const best = nelderMead(f, [0, -1, -2, 1], { maxIterations: 2000, step: 1.5, tolerance: 1e-14 });
  best.forEach((v, i) => assert.ok(Math.abs(v - target[i]) < 1e-4, `x${i} = ${v}`));
});

test('nelderMead: a looser tolerance stops sooner, never further from the minimum than its start', () => {
  const f = (x: number[]) => (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2; // Rosenbrock
  let strict = 0;
  let loose = 0;
  const a = nelderMead((x) => (strict++, f(x)), [-1.2, 1], { maxIterations: 500, tolerance: 1e-10 });
  const b = nelderMead((x) => (loose++, f(x)), [-1.2, 1], { maxIterations: 500, tolerance: 1e-3 });
  assert.ok(loose < strict, `${loose} evaluations with 1e-3, ${strict} with 1e-10`);
  assert.ok(f(a) < 1e-6 && f(b) < f([-1.2, 1]), `f ${f(a)}, ${f(b)}`);
});

test('nelderMead on a flat function returns a point of the first simplex at once', () => {
  let calls = 0;
  const best = nelderMead(() => (calls++, 5), [1, 2, 3]);
  assert.deepEqual(best, [1, 2, 3]);
  assert.equal(calls, 4);
});
