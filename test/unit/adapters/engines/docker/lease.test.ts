import assert from 'node:assert/strict';
import { test } from 'node:test';
import type Docker from 'dockerode';
import { DockerLeaseStore } from '../../../../../src/adapters/engines/docker/engine.js';
import { LEASE_LABELS, labelsOf, recordOf } from '../../../../../src/adapters/engines/docker/lease-labels.js';
import { tarOf, untarFirst } from '../../../../../src/adapters/engines/docker/tar.js';
import { isPrescaleError } from '../../../../../src/core/domain/errors.js';
import { DEFAULT_LOCK_TTL_SEC } from '../../../../../src/runtime/leader.js';
import { MemoryLeaseStore } from '../../../../support/fakes.js';

test('lease labels: a record survives the round trip through engine labels', () => {
  const record = { holder: 'host:42:9f8e7d6c', renewedAt: 1_800_000_123, ttlSec: 45 };
  const labels = labelsOf(record);
  assert.deepEqual(labels, {
    'prescale.lock.holder': 'host:42:9f8e7d6c',
    'prescale.lock.renewed-at': '1800000123',
    'prescale.lock.ttl': '45',
  });
  assert.deepEqual(recordOf(labels), record);
  // the container store keeps the renewal time in a file, not in its (immutable) labels
  assert.deepEqual(recordOf(labels, { renewedAt: 7 }), { ...record, renewedAt: 7 });
});

test('lease labels: missing or unreadable labels read as no holder, never renewed, the default TTL', () => {
  assert.deepEqual(recordOf(undefined), { holder: '', renewedAt: 0, ttlSec: DEFAULT_LOCK_TTL_SEC });
  assert.deepEqual(recordOf({ [LEASE_LABELS.holder]: 'a', [LEASE_LABELS.ttl]: 'soon' }), {
    holder: 'a',
    renewedAt: 0,
    ttlSec: DEFAULT_LOCK_TTL_SEC,
  });
});

test('tar: the container store writes its lease as a one-file ustar archive', () => {
  const tar = tarOf('lease.json', Buffer.from('{"seq":3}'));
  assert.equal(tar.length % 512, 0);
  assert.equal(tar.subarray(0, 10).toString(), 'lease.json');
  assert.equal(tar.subarray(257, 263).toString('latin1'), 'ustar\0');
  assert.equal(untarFirst(tar), '{"seq":3}');
  // the header checksum: sum of the header bytes with the checksum field read as spaces
  const header = Buffer.from(tar.subarray(0, 512));
  const stored = parseInt(header.subarray(148, 154).toString(), 8);
  header.write('        ', 148);
  assert.equal(
    header.reduce((s, b) => s + b, 0),
    stored,
  );
});

test('tar: a body longer than one block is padded to whole blocks and read back whole', () => {
  const body = Buffer.from('x'.repeat(700));
  const tar = tarOf('lease.json', body);
  // header, two data blocks, two zero blocks at the end
  assert.equal(tar.length, 512 * 5);
  assert.equal(untarFirst(tar), body.toString());
});

class NamedStore extends MemoryLeaseStore {
  constructor(private readonly name: string) {
    super();
  }
  override where() {
    return this.name;
  }
}

/** An engine that answers `docker info` as a swarm manager or not, or fails. */
function engine(state: { manager: boolean; down?: boolean }): Docker {
  return {
    info: async () => {
      if (state.down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      return { Swarm: { ControlAvailable: state.manager } };
    },
  } as unknown as Docker;
}

function selector(manager: boolean) {
  const state = { manager, down: false };
  const swarm = new NamedStore('Swarm config prescale-leader');
  const container = new NamedStore('container prescale-leader');
  return { state, swarm, container, store: new DockerLeaseStore(engine(state), swarm, container) };
}

const record = { holder: 'a', renewedAt: 1000, ttlSec: 30 };

test('docker lease: a swarm manager keeps the lease in the Swarm config store', async () => {
  const { store, swarm, container } = selector(true);
  assert.equal(await store.read(), undefined);
  const got = await store.create(record);
  assert.equal(got?.version, 'swarm:1');
  assert.equal(store.where(), 'Swarm config prescale-leader');
  assert.equal(swarm.lease?.record.holder, 'a');
  assert.equal(container.lease, undefined);
});

test('docker lease: an engine outside swarm mode keeps it in the container store', async () => {
  const { store, swarm, container } = selector(false);
  assert.equal(await store.read(), undefined);
  const got = await store.create(record);
  assert.equal(got?.version, 'container:1');
  assert.equal(store.where(), 'container prescale-leader');
  assert.equal(container.lease?.record.holder, 'a');
  assert.equal(swarm.lease, undefined);
  const renewed = await store.replace((await store.read())!.version, { ...record, renewedAt: 1010 });
  assert.equal(renewed?.version, 'container:2');
});

test('docker lease: a version of the other store is never written to the current one', async () => {
  const { state, store, swarm, container } = selector(true);
  await store.read();
  const held = await store.create(record);
  assert.equal(held?.version, 'swarm:1');
  // the engine left the swarm: the next read picks the container store
  state.manager = false;
  assert.equal(await store.read(), undefined);
  assert.equal(await store.replace(held!.version, { ...record, renewedAt: 1010 }), undefined);
  assert.equal(container.lease, undefined, 'nothing written to the container store');
  // a release still goes to the store the version names
  await store.remove(held!.version);
  assert.equal(swarm.lease, undefined);
});

test('docker lease: an engine that cannot be reached fails with a code, not a lease', async () => {
  const { state, store } = selector(true);
  state.down = true;
  await assert.rejects(store.read(), (err) => isPrescaleError(err, 'E_ENGINE_UNREACHABLE'));
});

test('docker lease: demoted between the info and the read, there is no lease here (not an error)', async () => {
  const { store, swarm } = selector(true);
  const notManager = Object.assign(new Error('This node is not a swarm manager.'), { statusCode: 503 });
  swarm.read = async () => Promise.reject(new Error('reading the Swarm config', { cause: notManager }));
  assert.equal(await store.read(), undefined);
});
