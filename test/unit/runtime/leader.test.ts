import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LeaderLock } from '../../../src/runtime/leader.js';
import { MemoryLeaseStore } from '../../support/fakes.js';

function pair(ttlSec = 30) {
  const store = new MemoryLeaseStore();
  let now = 1000;
  const clock = { now: () => now, advance: (s: number) => (now += s) };
  const changes: string[] = [];
  const a = new LeaderLock(store, { holder: 'a', ttlSec, now: clock.now, onChange: (l) => changes.push(`a:${l}`) });
  const b = new LeaderLock(store, { holder: 'b', ttlSec, now: clock.now, onChange: (l) => changes.push(`b:${l}`) });
  return { store, clock, a, b, changes };
}

test('lock: the first instance takes the lease, the second stays passive while it is renewed', async () => {
  const { store, clock, a, b, changes } = pair();
  await a.tick();
  await b.tick();
  assert.equal(a.isLeader(), true);
  assert.equal(b.isLeader(), false);
  assert.equal(b.status().holder, 'a');
  for (let i = 0; i < 10; i++) {
    clock.advance(10);
    await a.tick();
    await b.tick();
    assert.equal(b.isLeader(), false, `b still passive after ${(i + 1) * 10} s`);
    assert.equal(a.isLeader(), true);
  }
  assert.equal(store.lease?.record.holder, 'a');
  assert.deepEqual(changes, ['a:true']);
});

test('lock: a crashed holder is replaced once its lease stayed unchanged for a TTL, never before', async () => {
  const { clock, a, b } = pair();
  await a.tick();
  await b.tick(); // b first sees a's lease now
  clock.advance(10);
  await b.tick();
  clock.advance(9);
  // a stops renewing (crashed): after 2/3 TTL it no longer counts itself leader
  assert.equal(a.isLeader(), true);
  await b.tick();
  assert.equal(b.isLeader(), false, 'b has seen it unchanged for 19 s only');
  clock.advance(2);
  assert.equal(a.isLeader(), false, 'a stopped acting 20 s after its last renewal');
  clock.advance(8.9);
  await b.tick();
  assert.equal(b.isLeader(), false, 'unchanged for 29.9 s: not yet');
  clock.advance(0.1);
  await b.tick();
  assert.equal(b.isLeader(), true, 'unchanged for 30 s: taken over');
  // the old holder comes back: it sees b's lease and stays passive
  await a.tick();
  assert.equal(a.isLeader(), false);
  assert.equal(a.status().holder, 'b');
});

test('lock: release hands over at the next attempt; two contenders on a free lease, one wins', async () => {
  const { store, a, b } = pair();
  await Promise.all([a.tick(), b.tick()]);
  assert.equal([a.isLeader(), b.isLeader()].filter(Boolean).length, 1, 'exactly one leader');
  const [holder, other] = a.isLeader() ? [a, b] : [b, a];
  await holder.release();
  assert.equal(holder.isLeader(), false);
  assert.equal(store.lease, undefined);
  await other.tick();
  assert.equal(other.isLeader(), true);
});

test('lock: a takeover races a late renewal: the compare-and-swap lets only one through', async () => {
  const { store, clock, a, b } = pair();
  await a.tick();
  await b.tick();
  clock.advance(30);
  // b decides the lease is stale and reads it; a renews in between; b's write names the old version
  const stale = await store.read();
  await a.tick();
  assert.equal(await store.replace(stale!.version, { holder: 'b', renewedAt: 0, ttlSec: 30 }), undefined);
  await b.tick();
  assert.equal(b.isLeader(), false, 'the renewal changed the version: the stale clock restarts');
  assert.equal(a.isLeader(), true);
});

test('lock: an engine outage shorter than 2/3 TTL keeps the lead; a longer one drops it, and it is regained', async () => {
  const { store, clock, a } = pair();
  await a.tick();
  store.down = true;
  clock.advance(10);
  await a.tick();
  assert.equal(a.isLeader(), true, 'one failed renewal changes nothing');
  assert.match(a.status().error ?? '', /engine unreachable/);
  clock.advance(10);
  await a.tick();
  assert.equal(a.isLeader(), false, 'no renewal for 20 s: stop acting');
  store.down = false;
  clock.advance(10);
  await a.tick();
  assert.equal(a.isLeader(), true, 'its own lease: renewed');
  assert.equal(a.status().error, undefined);
});

test('lock: a one-shot run takes a free lease or a stale one by its timestamp, not a fresh one', async () => {
  const { store, clock, a } = pair();
  const once = new LeaderLock(store, { holder: 'once', now: clock.now });
  await a.tick();
  assert.equal(await once.acquireOnce(), false);
  assert.equal(once.status().holder, 'a');
  clock.advance(31);
  assert.equal(await once.acquireOnce(), true);
  await once.release();
  assert.equal(store.lease, undefined);
});
