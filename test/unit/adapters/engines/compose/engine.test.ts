import assert from 'node:assert/strict';
import { test } from 'node:test';
import type Docker from 'dockerode';
import { ComposeActuator } from '../../../../../src/adapters/engines/compose/engine.js';
import type { ScaleTarget } from '../../../../../src/adapters/engines/port.js';

const LABELS = {
  'com.docker.compose.project': 'shop',
  'com.docker.compose.service': 'web',
  'com.docker.compose.config-hash': 'h1',
  'com.docker.compose.oneoff': 'False',
  'prescale.enable': 'true',
};

/** Just enough of the Engine API for a scale-up of one stopped replica whose start fails. */
function engine(startFails: (id: string) => boolean) {
  const calls: string[] = [];
  const containers = new Map<string, { state: string; labels: Record<string, string>; name: string }>([
    ['c1', { state: 'exited', labels: { ...LABELS, 'com.docker.compose.container-number': '1' }, name: '/shop_web_1' }],
  ]);
  const docker = {
    modem: { socketPath: '/x.sock' },
    listContainers: async () =>
      [...containers].map(([Id, c]) => ({ Id, State: c.state, Labels: c.labels, Names: [c.name] })),
    getContainer: (id: string) => ({
      inspect: async () => ({
        Id: id,
        Name: containers.get(id)!.name,
        Image: 'sha256:img',
        Config: { Image: 'tiny', Labels: containers.get(id)!.labels, Hostname: id.slice(0, 12) },
        HostConfig: { NetworkMode: 'host' },
        NetworkSettings: { Networks: {} },
      }),
      start: async () => {
        calls.push(`start ${id}`);
        if (startFails(id)) throw Object.assign(new Error(`task ${id}: already exists`), { statusCode: 500 });
        containers.get(id)!.state = 'running';
      },
      remove: async () => {
        calls.push(`remove ${id}`);
        containers.delete(id);
      },
    }),
    getImage: () => ({ inspect: async () => ({ Id: 'sha256:img' }) }),
    createContainer: async (spec: { name: string; Labels: Record<string, string> }) => {
      const id = `new${containers.size}`;
      calls.push(`create ${spec.name}`);
      containers.set(id, { state: 'created', labels: spec.Labels, name: `/${spec.name}` });
      return { id, remove: async () => containers.delete(id) };
    },
  };
  return { docker: docker as unknown as Docker, calls, containers };
}

const target: ScaleTarget = {
  key: 'compose/shop/web',
  kind: 'compose',
  name: 'web',
  project: 'shop',
  labels: LABELS,
  replicas: 0,
};

test('compose: a stopped replica is started again when scaling up', async () => {
  const e = engine(() => false);
  await new ComposeActuator(e.docker).setReplicas(target, 1);
  assert.deepEqual(e.calls, ['start c1']);
});

test('compose: a stopped replica the engine cannot start (stale task) is replaced, then removed', async () => {
  const e = engine((id) => id === 'c1');
  await new ComposeActuator(e.docker).setReplicas(target, 1);
  assert.deepEqual(e.calls, ['start c1', 'create shop_web_2', 'start new1', 'remove c1']);
  assert.deepEqual(
    [...e.containers.values()].map((c) => [c.name, c.state]),
    [['/shop_web_2', 'running']],
  );
});

test('compose: any other failure to start a stopped replica removes nothing', async () => {
  const e = engine(() => true);
  const docker = e.docker as unknown as { getContainer: (id: string) => { start: () => Promise<void> } };
  const get = docker.getContainer;
  docker.getContainer = (id: string) => ({
    ...get(id),
    start: async () => Promise.reject(Object.assign(new Error('transport is closing'), { statusCode: 500 })),
  });
  await assert.rejects(new ComposeActuator(e.docker).setReplicas(target, 1), /transport is closing/);
  assert.deepEqual([...e.containers.keys()], ['c1']);
});
