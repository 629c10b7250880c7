import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type Docker from 'dockerode';
import { ComposeActuator } from '../../src/adapters/engines/compose/engine.js';
import type { ScaleTarget } from '../../src/adapters/engines/port.js';
import { isPrescaleError } from '../../src/core/domain/errors.js';
import { ComposeProject, hostNetworkFile } from '../support/compose.js';
import { TEST_IMAGE, testDocker } from '../support/docker.js';
import { hasCommand, skipUnless, testDockerHost } from '../support/integration.js';

const ready = !!testDockerHost() && hasCommand('docker-compose');
const needs = 'the test Docker engine and docker-compose';

// The private engine has no default bridge: the service shares the host's network.
const HOST_NETWORK_FILE = hostNetworkFile({
  'prescale.enable': 'true',
  'prescale.query': 'x',
  'prescale.capacity': '10',
  // the policy as written, not re-tuned daily: the replica counts here are at its 80 % target
  'prescale.auto-tune': 'false',
});

// Two user-defined networks, an alias on one, a hostname: what a copy must carry over.
const NETWORKS_FILE = `version: '2.4'
services:
  web:
    image: ${TEST_IMAGE}
    command: ["/bin/sleep", "100000"]
    stop_grace_period: 1s
    hostname: webhost
    networks:
      default:
      back:
        aliases: [webby]
    labels:
      prescale.enable: "true"
networks:
  back: {}
`;

interface Found {
  id: string;
  name: string;
  number: number;
  state: string;
  labels: Record<string, string>;
}

/** A docker-compose project in a temporary folder, on the test engine, with what these tests inspect. */
class Project extends ComposeProject {
  /** What docker-compose itself counts as the service's containers. */
  composeIds(): string[] {
    return this.compose('ps', '-q', 'web').split('\n').filter(Boolean).sort();
  }

  /** All containers of the service (any state), lowest number first. */
  async containers(): Promise<Found[]> {
    const list = await this.docker.listContainers({
      all: true,
      filters: { label: [`com.docker.compose.project=${this.name}`, 'com.docker.compose.service=web'] },
    });
    return list
      .map((c) => ({
        id: c.Id,
        name: c.Names[0].replace(/^\//, ''),
        number: Number(c.Labels['com.docker.compose.container-number']),
        state: c.State,
        labels: c.Labels,
      }))
      .sort((a, b) => a.number - b.number);
  }

  /** The service as ComposeActuator discovers it. */
  async target(actuator: ComposeActuator): Promise<ScaleTarget> {
    const found = (await actuator.discover()).find((t) => t.key === `compose/${this.name}/web`);
    assert.ok(found, `compose/${this.name}/web was not discovered`);
    return found;
  }
}

describe('ComposeActuator on a real docker-compose 1.29 project', { skip: skipUnless(ready, needs) }, () => {
  let p: Project;
  let docker: Docker;
  let actuator: ComposeActuator;
  let target: ScaleTarget;

  before(() => {
    docker = testDocker();
    actuator = new ComposeActuator(docker);
    p = new Project(docker, HOST_NETWORK_FILE);
    p.compose('up', '-d');
  });

  after(() => p?.down());

  test('discover finds the service with its labels and 1 replica', async () => {
    const found = await p.target(actuator);
    assert.equal(found.kind, 'compose');
    assert.equal(found.name, 'web');
    assert.equal(found.project, p.name);
    assert.equal(found.replicas, 1);
    assert.equal(found.labels['prescale.query'], 'x');
    assert.equal(found.labels['prescale.capacity'], '10');
    target = found;
    assert.equal(await actuator.getReplicas(target), 1);
  });

  test('scaling up to 3 makes containers docker-compose takes for its own', async () => {
    const [first] = await p.containers();
    await actuator.setReplicas(target, 3);

    const now = await p.containers();
    assert.deepEqual(
      now.map((c) => [c.name, c.number, c.state]),
      [1, 2, 3].map((n) => [`${p.name}_web_${n}`, n, 'running']),
    );
    assert.equal(now[0].id, first.id, 'the existing container is kept');
    // Identical labels but the number: project, service, oneoff=False, config-hash, prescale.*.
    const { ['com.docker.compose.container-number']: _n, ...templateLabels } = first.labels;
    for (const c of now.slice(1)) {
      const { ['com.docker.compose.container-number']: _m, ...labels } = c.labels;
      assert.deepEqual(labels, templateLabels, `labels of ${c.name}`);
      const info = await docker.getContainer(c.id).inspect();
      assert.deepEqual(info.Config.Cmd, ['/bin/sleep', '100000']);
      assert.equal(info.Config.Image, TEST_IMAGE);
      assert.equal(info.HostConfig.NetworkMode, 'host');
      assert.equal((info.Config as { StopTimeout?: number }).StopTimeout, 1, 'stop_grace_period copied');
    }
    assert.equal(await actuator.getReplicas(target), 3);
    assert.equal((await actuator.discover()).find((t) => t.key === target.key)?.replicas, 3);

    assert.deepEqual(p.composeIds(), now.map((c) => c.id).sort(), 'docker-compose ps lists all 3');
    assert.equal(p.compose('ps', 'web').match(/ Up /g)?.length, 3, 'docker-compose ps shows 3 Up');
  });

  test('a later docker-compose up at that scale neither recreates nor removes them', async () => {
    const ids = (await p.containers()).map((c) => c.id);
    // Without --scale, compose re-applies the file's scale (1), as after its own `up --scale`.
    // Without --no-recreate, compose recreates any container whose config hash differs from the
    // file's: the copied labels must match exactly.
    p.compose('up', '-d', '--scale', 'web=3');
    p.compose('up', '-d', '--no-recreate', '--scale', 'web=3');
    const now = await p.containers();
    assert.deepEqual(
      now.map((c) => c.id),
      ids,
    );
    assert.ok(now.every((c) => c.state === 'running'));
  });

  test('a new container takes the lowest free number', async () => {
    const [one, two, three] = await p.containers();
    await docker.getContainer(two.id).remove({ force: true });
    assert.equal(await actuator.getReplicas(target), 2);
    await actuator.setReplicas(target, 3);
    const now = await p.containers();
    assert.deepEqual(
      now.map((c) => [c.name, c.state]),
      [1, 2, 3].map((n) => [`${p.name}_web_${n}`, 'running']),
    );
    assert.equal(now[0].id, one.id);
    assert.notEqual(now[1].id, two.id);
    assert.equal(now[2].id, three.id);
  });

  test('scaling down removes the highest numbers first; rounds the count', async () => {
    await actuator.setReplicas(target, 2.4);
    assert.deepEqual(
      (await p.containers()).map((c) => c.number),
      [1, 2],
    );
    await actuator.setReplicas(target, 1);
    const left = await p.containers();
    assert.deepEqual(
      left.map((c) => [c.name, c.state]),
      [[`${p.name}_web_1`, 'running']],
    );
    assert.deepEqual(p.composeIds(), [left[0].id]);
    assert.equal(await actuator.getReplicas(target), 1);
  });

  test('scaling to 0 (never below) keeps number 1 stopped, and scaling up again starts it', async () => {
    const [one] = await p.containers();
    await actuator.setReplicas(target, -2);
    assert.deepEqual(
      (await p.containers()).map((c) => [c.id, c.state]),
      [[one.id, 'exited']],
    );
    assert.equal(await actuator.getReplicas(target), 0);
    assert.equal((await actuator.discover()).find((t) => t.key === target.key)?.replicas, 0);

    await actuator.setReplicas(target, 2);
    const now = await p.containers();
    assert.deepEqual(
      now.map((c) => [c.name, c.state]),
      [
        [`${p.name}_web_1`, 'running'],
        [`${p.name}_web_2`, 'running'],
      ],
    );
    assert.equal(now[0].id, one.id, 'the stopped container is started, not replaced');
    assert.deepEqual(p.composeIds(), now.map((c) => c.id).sort());
  });

  // Decision: a service without any container is gone (as a removed Swarm service is): reading
  // or scaling it throws E_NOT_FOUND. A service whose containers are all stopped has 0 replicas.
  test('a project without containers: E_NOT_FOUND', async () => {
    const gone: ScaleTarget = { ...target, key: `compose/${p.name}x/web`, project: `${p.name}x` };
    await assert.rejects(actuator.getReplicas(gone), (err) => isPrescaleError(err, 'E_NOT_FOUND'));
    await assert.rejects(actuator.setReplicas(gone, 2), (err) => isPrescaleError(err, 'E_NOT_FOUND'));
  });
});

describe('ComposeActuator on a project with its own networks', { skip: skipUnless(ready, needs) }, () => {
  let p: Project;
  let actuator: ComposeActuator;

  before(() => {
    const docker = testDocker();
    actuator = new ComposeActuator(docker);
    p = new Project(docker, NETWORKS_FILE);
    p.compose('up', '-d');
  });

  after(() => p?.down());

  test('a new container joins every network with the aliases compose gives, and keeps the hostname', async () => {
    const [one] = await p.containers();
    await actuator.setReplicas(await p.target(actuator), 2);
    const now = await p.containers();
    assert.deepEqual(
      now.map((c) => [c.name, c.state]),
      [1, 2].map((n) => [`${p.name}_web_${n}`, 'running']),
    );

    const copy = await p.docker.getContainer(now[1].id).inspect();
    assert.equal(copy.Config.Hostname, 'webhost');
    const networks = copy.NetworkSettings.Networks;
    assert.deepEqual(Object.keys(networks).sort(), [`${p.name}_back`, `${p.name}_default`]);
    const back = (networks[`${p.name}_back`].Aliases ?? []) as string[];
    const dflt = (networks[`${p.name}_default`].Aliases ?? []) as string[];
    assert.ok(back.includes('web') && back.includes('webby'), `aliases on back: ${back}`);
    assert.ok(dflt.includes('web') && !dflt.includes('webby'), `aliases on default: ${dflt}`);
    assert.ok(![...back, ...dflt].includes(one.id.slice(0, 12)), "no alias of the template's own id");
    assert.notEqual(networks[`${p.name}_back`].IPAddress, '', 'an address of its own');

    assert.deepEqual(p.composeIds(), now.map((c) => c.id).sort());
    p.compose('up', '-d', '--scale', 'web=2');
    assert.deepEqual(
      (await p.containers()).map((c) => c.id),
      now.map((c) => c.id),
      'docker-compose up recreated nothing',
    );
  });
});
