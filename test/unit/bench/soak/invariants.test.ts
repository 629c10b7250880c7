import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Fixture } from '../../../../bench/soak/fixture.js';
import type { Instances } from '../../../../bench/soak/instances.js';
import { BoundsBook, Checker } from '../../../../bench/soak/invariants.js';
import { SoakRecord } from '../../../../bench/soak/record.js';

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

/** A checker over a fake engine whose replicas the test sets. */
function fakeChecker(replicas: Map<string, number>) {
  const rec = new SoakRecord(() => {});
  const docker = {
    listServices: async () =>
      [...replicas].map(([key, n]) => ({
        Spec: { Name: key.slice('swarm/'.length), Mode: { Replicated: { Replicas: n } } },
      })),
  };
  const f = {
    docker,
    project: { name: 'p', liveByService: async () => ({}) },
    services: [...replicas.keys()].map((key) => ({ key, min: 1, max: 5 })),
  } as unknown as Fixture;
  const instances = { recentCycleMs: () => 0, running: () => [], leader: () => undefined } as unknown as Instances;
  return { rec, checker: new Checker(f, instances, rec) };
}

describe('Checker on a fake engine: the checks fail when the rule is broken', () => {
  test('bounds and never 0: outside [min, max] and 0 are violations; an exempt service is not judged', async () => {
    const replicas = new Map([
      ['swarm/a', 3],
      ['swarm/b', 7],
      ['swarm/c', 0],
    ]);
    const { rec, checker } = fakeChecker(replicas);
    checker.exempt((k) => k === 'swarm/c', 'being recreated');
    await checker.checkEngine();
    assert.equal(rec.checks.bounds, 2);
    assert.deepEqual(
      rec.violations.map((v) => [v.invariant, v.message.split(' ')[0]]),
      [['bounds', 'swarm/b']],
    );
    replicas.set('swarm/a', 0);
    await checker.checkEngine();
    assert.ok(rec.violations.some((v) => v.invariant === 'nonzero' && v.message.startsWith('swarm/a at 0')));
  });

  test('a label change allows old and new bounds for the grace, then only the new', async () => {
    const replicas = new Map([['swarm/a', 5]]);
    const { rec, checker } = fakeChecker(replicas);
    checker.bounds.set('swarm/a', 1, 2);
    await checker.checkEngine();
    assert.equal(rec.violationCount(), 0, 'within the grace: 5 is inside the old [1, 5]');
    const later = fakeChecker(replicas);
    later.checker.bounds.set('swarm/a', 1, 2, Date.now() - later.checker.labelGraceMs() - 1000);
    await later.checker.checkEngine();
    assert.equal(later.rec.violationsBy('bounds'), 1, 'past the grace: 5 is outside [1, 2]');
  });

  test('quiet: a change inside the window is a violation, one after it is not', async () => {
    const replicas = new Map([['swarm/a', 3]]);
    const { rec, checker } = fakeChecker(replicas);
    const from = Date.now();
    const to = from + 1200;
    const window = checker.quiet('quietPassive', from, to, 'test');
    await checker.sample();
    await sleep(300);
    replicas.set('swarm/a', 4);
    await checker.sample();
    await sleep(1000);
    replicas.set('swarm/a', 5);
    await checker.sample();
    await window;
    assert.equal(rec.checks.quietPassive, 1);
    assert.equal(rec.violationsBy('quietPassive'), 1);
    assert.match(rec.violations[0].message, /swarm\/a went 3 → 4 while test/);
  });
});
