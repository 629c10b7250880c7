import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import type { ScaleTarget } from '../../../src/adapters/engines/port.js';
import { Rediscovery, fingerprint } from '../../../src/runtime/rediscovery.js';

const t = (key: string, labels: Record<string, string>, replicas = 1): ScaleTarget => ({
  key,
  kind: 'swarm',
  name: key,
  labels,
  replicas,
});

test('fingerprint: services and labels count, order and replica counts do not', () => {
  const a = fingerprint([t('web', { x: '1', y: '2' }, 1), t('api', {})]);
  assert.equal(a, fingerprint([t('api', {}, 7), t('web', { y: '2', x: '1' }, 3)]));
  assert.notEqual(a, fingerprint([t('web', { x: '1', y: '3' }), t('api', {})]));
  assert.notEqual(a, fingerprint([t('web', { x: '1', y: '2' })]));
  assert.notEqual(a, fingerprint([t('web', { x: '1', y: '2' }), t('api', {})], ['compose']));
});

test('rediscovery: a burst of events makes one discovery; a change asks for a cycle, no change does not', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let now = 0;
    let current = 'A';
    const results: string[] = [];
    let discoveries = 0;
    let cycles = 0;
    const r = new Rediscovery({
      discover: async () => {
        discoveries++;
        return current;
      },
      onChanged: () => cycles++,
      onResult: (x) => results.push(x),
      debounceMs: 500,
      maxWaitMs: 2000,
      now: () => now,
    });
    r.setBaseline('A');
    for (let i = 0; i < 5; i++) {
      r.notify();
      now += 100;
      mock.timers.tick(100);
    }
    assert.equal(discoveries, 0, 'still settling');
    now += 500;
    mock.timers.tick(500);
    await new Promise((res) => setImmediate(res));
    assert.equal(discoveries, 1, 'one discovery for the burst');
    assert.deepEqual(results, ['unchanged']);
    assert.equal(cycles, 0);

    current = 'B';
    r.notify();
    now += 500;
    mock.timers.tick(500);
    await new Promise((res) => setImmediate(res));
    assert.deepEqual(results, ['unchanged', 'changed']);
    assert.equal(cycles, 1);

    // events that never settle still discover after maxWait
    for (let i = 0; i < 25; i++) {
      r.notify();
      now += 100;
      mock.timers.tick(100);
    }
    await new Promise((res) => setImmediate(res));
    assert.equal(discoveries, 3, 'discovered at the 2 s mark despite the stream of events');
    await r.stop();
  } finally {
    mock.timers.reset();
  }
});

test('rediscovery: a failed discovery is counted and changes nothing', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const results: string[] = [];
    const r = new Rediscovery({
      discover: async () => Promise.reject(new Error('down')),
      onChanged: () => assert.fail('no cycle'),
      onResult: (x) => results.push(x),
      now: () => 0,
    });
    r.notify();
    mock.timers.tick(500);
    await new Promise((res) => setImmediate(res));
    assert.deepEqual(results, ['failed']);
    await r.stop();
    r.notify();
    mock.timers.tick(5000);
    assert.deepEqual(results, ['failed'], 'nothing after stop');
  } finally {
    mock.timers.reset();
  }
});

test('rediscovery: after missed events (resync) a cycle is asked for even when nothing seems to have changed', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const results: string[] = [];
    let cycles = 0;
    const r = new Rediscovery({
      discover: async () => 'A',
      onChanged: () => cycles++,
      onResult: (x) => results.push(x),
      now: () => 0,
    });
    r.setBaseline('A');
    r.notify();
    r.notify(true);
    r.notify();
    mock.timers.tick(500);
    await new Promise((res) => setImmediate(res));
    assert.deepEqual(results, ['resync']);
    assert.equal(cycles, 1);
    r.notify();
    mock.timers.tick(500);
    await new Promise((res) => setImmediate(res));
    assert.deepEqual(results, ['resync', 'unchanged'], 'back to comparing');
    await r.stop();
  } finally {
    mock.timers.reset();
  }
});
