import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import {
  DOCKER_FEEDS,
  DockerEventWatch,
  backoff,
  parseEvent,
  type EventFeed,
} from '../../../../../src/adapters/engines/docker/events.js';
import type { EngineChange } from '../../../../../src/adapters/engines/port.js';
import { PrescaleError } from '../../../../../src/core/domain/errors.js';

const FEED: EventFeed[] = [{ name: 'service', filters: { type: ['service'] } }];

/** Stands for dockerode's getEvents: each call takes the next scripted answer. */
class FakeEngine {
  readonly opened: PassThrough[] = [];
  readonly filters: Array<Readonly<Record<string, readonly string[]>>> = [];
  /** true: a stream; false: the engine is down. */
  constructor(private readonly script: boolean[]) {}
  open = async (filters: Readonly<Record<string, readonly string[]>>) => {
    this.filters.push(filters);
    const up = this.script.shift() ?? true;
    if (!up) throw new PrescaleError('E_ENGINE_UNREACHABLE', 'connect ECONNREFUSED');
    const s = new PassThrough();
    this.opened.push(s);
    return s;
  };
}

const line = (type: string, action: string, name: string) =>
  JSON.stringify({ Type: type, Action: action, Actor: { ID: 'x', Attributes: { name } }, time: 1 }) + '\n';

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

test('events: one change per event line, also when a line is split across chunks; garbage is ignored', async () => {
  const engine = new FakeEngine([true]);
  const changes: EngineChange[] = [];
  const watch = new DockerEventWatch(engine.open, FEED, { sleep: async () => {} });
  watch.start((c) => changes.push(c));
  await until(() => engine.opened.length === 1, 'the stream');
  const s = engine.opened[0];
  const two = line('service', 'create', 'web') + line('service', 'remove', 'api');
  s.write(two.slice(0, 30));
  s.write(two.slice(30) + 'not json\n\n');
  await until(() => changes.length === 2, 'two changes');
  assert.deepEqual(changes, [
    { reason: 'event', type: 'service', action: 'create', name: 'web' },
    { reason: 'event', type: 'service', action: 'remove', name: 'api' },
  ]);
  await watch.stop();
  assert.ok(s.destroyed, 'the stream is closed on stop');
});

test('events: a stream that ends (dockerd restarted) is reopened after a backoff, then a resync is reported', async () => {
  // up, ends; down twice (the engine restarting); up again
  const engine = new FakeEngine([true, false, false, true]);
  const waits: number[] = [];
  const changes: EngineChange[] = [];
  const watch = new DockerEventWatch(engine.open, FEED, {
    sleep: async (ms) => void waits.push(ms),
    random: () => 1,
    initialDelayMs: 100,
    maxDelayMs: 1000,
  });
  watch.start((c) => changes.push(c));
  await until(() => engine.opened.length === 1, 'the first stream');
  assert.equal(changes.length, 0, 'no resync on the first connection');
  engine.opened[0].end();
  await until(() => engine.opened.length === 2, 'the stream reopened');
  assert.deepEqual(waits, [100, 200, 400], 'doubling delays while the engine is down');
  assert.deepEqual(changes, [{ reason: 'resync' }]);
  engine.opened[1].write(line('service', 'update', 'web'));
  await until(() => changes.length === 2, 'events on the new stream');
  assert.equal(changes[1].action, 'update');
  await watch.stop();
});

test('events: a stream error is a reconnection too; stop() ends the loop while it waits', async () => {
  const engine = new FakeEngine([true]);
  let release: () => void = () => {};
  const watch = new DockerEventWatch(engine.open, FEED, {
    sleep: (_ms, signal) =>
      new Promise<void>((resolve) => {
        release = resolve;
        signal.addEventListener('abort', () => resolve());
      }),
  });
  watch.start(() => {});
  await until(() => engine.opened.length === 1, 'the stream');
  engine.opened[0].destroy(new Error('socket hang up'));
  await new Promise((r) => setImmediate(r));
  await watch.stop();
  release();
  assert.equal(engine.opened.length, 1, 'not reopened after stop');
});

test('events: backoff doubles up to the cap, with equal jitter', () => {
  assert.equal(
    backoff(0, 500, 15_000, () => 0),
    250,
  );
  assert.equal(
    backoff(0, 500, 15_000, () => 1),
    500,
  );
  assert.equal(
    backoff(3, 500, 15_000, () => 1),
    4000,
  );
  assert.equal(
    backoff(10, 500, 15_000, () => 1),
    15_000,
  );
  assert.equal(
    backoff(10, 500, 15_000, () => 0),
    7_500,
  );
});

test('events: the feeds ask for every service event and labelled containers only', () => {
  assert.deepEqual(DOCKER_FEEDS[0].filters, { type: ['service'] });
  assert.deepEqual(DOCKER_FEEDS[1].filters.type, ['container']);
  assert.deepEqual(DOCKER_FEEDS[1].filters.label, ['prescale.enable']);
  assert.equal(parseEvent('{"Type":"container","Action":"destroy","Actor":{"Attributes":{}}}')?.action, 'destroy');
  assert.equal(parseEvent('nope'), undefined);
});
