import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HistoryCache } from '../../../src/runtime/history.js';
import { FakeSource } from '../../support/fakes.js';

const NOW = 1_800_000_000;
const DAY = 86_400;

test('history: the whole window on first use, then only what is new, trimmed to the window', async () => {
  const source = new FakeSource();
  const cache = new HistoryCache(source, DAY, 60);
  const first = await cache.get('swarm/a', 'ok', NOW);
  assert.equal(first.timestamps.length, DAY / 60 + 1);
  assert.equal(first.timestamps[0], NOW - DAY);
  const later = await cache.get('swarm/a', 'ok', NOW + 300);
  assert.deepEqual(source.calls[1], ['ok', NOW + 60, NOW + 300], 'only the new samples are asked for');
  assert.equal(later.timestamps[0], NOW + 300 - DAY, 'the oldest samples leave the window');
  assert.equal(later.timestamps.at(-1), NOW + 300);
  assert.equal(later.timestamps.length, DAY / 60 + 1);
});

test('history: a changed query is fetched whole again; a failure keeps what was cached', async () => {
  const source = new FakeSource();
  const cache = new HistoryCache(source, DAY, 60);
  await cache.get('swarm/a', 'ok', NOW);
  await cache.get('swarm/a', 'high', NOW + 60);
  assert.deepEqual(source.calls[1], ['high', NOW + 60 - DAY, NOW + 60]);
  await assert.rejects(cache.get('swarm/a', 'down', NOW + 120), /unreachable/);
  const back = await cache.get('swarm/a', 'high', NOW + 120);
  assert.deepEqual(source.calls.at(-1), ['high', NOW + 120, NOW + 120], 'the cache survived the failure');
  assert.equal(back.values.at(-1), 2000);
});

test('history: services that are gone are forgotten', async () => {
  const source = new FakeSource();
  const cache = new HistoryCache(source, DAY, 60);
  await cache.get('swarm/a', 'ok', NOW);
  cache.retain(new Set());
  await cache.get('swarm/a', 'ok', NOW + 60);
  assert.equal(source.calls[1][1], NOW + 60 - DAY, 'fetched whole again');
});
