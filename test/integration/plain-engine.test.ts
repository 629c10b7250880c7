import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Docker from 'dockerode';
import { ContainerLeaseStore } from '../../src/adapters/engines/docker/container-lease.js';
import { LOCK_NAME } from '../../src/adapters/engines/docker/lease-labels.js';
import { ComposeProject, hostNetworkFile } from '../support/compose.js';
import { hasCommand, skipUnless } from '../support/integration.js';
import { steadyLoad } from '../support/load.js';
import { hasPrometheus, startPrometheus, type PrometheusHandle } from '../support/prometheus.js';
import { getJson, serve, stateDir, until } from '../support/serve.js';

const ready = hasPrometheus() && hasCommand('dockerd') && hasCommand('docker-compose') && process.getuid?.() === 0;
const needs = 'prometheus, dockerd (run as root) and docker-compose';

// A second engine, outside swarm mode: a host that only runs Compose.
describe('a plain engine (not a swarm manager) with a Compose project', { skip: skipUnless(ready, needs) }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescale-plain-'));
  let host: string;
  let docker: Docker;
  let prom: PrometheusHandle;
  let project: ComposeProject;

  before(async () => {
    const up = spawnSync('bash', ['test/env/docker.sh', 'up', dir, 'noswarm'], { encoding: 'utf8' });
    assert.equal(up.status, 0, up.stderr);
    host = /PRESCALE_TEST_DOCKER_HOST=(\S+)/.exec(up.stdout)![1];
    docker = new Docker({ socketPath: host.replace(/^unix:\/\//, '') });
    prom = await startPrometheus({ series: [steadyLoad()] });
    // 1000 at 80 % of 500 per replica: 3 replicas
    const labels = {
      'prescale.enable': 'true',
      'prescale.query': 'load{service="steady"}',
      'prescale.capacity': '500',
      // the policy as written, not re-tuned daily: the replica counts here are at its 80 % target
      'prescale.auto-tune': 'false',
    };
    project = new ComposeProject(docker, hostNetworkFile(labels), 'plain', host);
    project.compose('up', '-d');
  });

  after(async () => {
    project?.down();
    await prom?.stop();
    spawnSync('bash', ['test/env/docker.sh', 'down', dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  const runOnce = (...extra: string[]) =>
    spawnSync(process.execPath, ['bin/prescale.js', 'run', '--once', '--prometheus', prom.url, ...extra], {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_HOST: host, PRESCALE_LOG_LEVEL: 'info' },
    });

  test('run --once --apply scales the Compose service; no Swarm error; the lock is a container, released', async () => {
    const res = runOnce('--apply');
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`${project.key}\\s+1 -> 3\\s+Predictive\\s+yes`));
    assert.doesNotMatch(res.stdout, /error/);
    assert.match(res.stderr, /not a swarm manager: no Swarm services to scale/);
    assert.equal(await project.live(), 3);
    await assert.rejects(docker.getContainer(LOCK_NAME).inspect(), 'the lock container is gone after the run');
  });

  test('run --once --apply while another instance holds the lock: nothing applied, exit 1', async () => {
    await project.compose('up', '-d', '--scale', 'web=1');
    const other = await new ContainerLeaseStore(docker).create({
      holder: 'elsewhere:1:cafe',
      renewedAt: Math.round(Date.now() / 1000),
      ttlSec: 30,
    });
    assert.ok(other);
    try {
      const res = runOnce('--apply');
      assert.equal(res.status, 1, res.stdout);
      assert.match(res.stderr, /E_LOCKED: nothing applied: another prescale instance \(elsewhere:1:cafe\) holds/);
      assert.match(res.stdout, new RegExp(`${project.key}\\s+1 -> 3\\s+Predictive\\s+no`));
      assert.equal(await project.live(), 1);
    } finally {
      await new ContainerLeaseStore(docker).remove(other.version);
    }
  });

  test('serve --apply leads through the lock container and gives it up on SIGTERM', async () => {
    const s = await serve(['--apply', '--prometheus', prom.url, '--state-dir', stateDir()], {
      env: { DOCKER_HOST: host },
    });
    try {
      const status = await until(s, 'the first cycle', async () => {
        const st = await getJson<{ mode: string; lock: { where: string; leader: boolean } }>(`${s.url}/v1/status`);
        return st && (await fetch(`${s.url}/readyz`)).ok ? st : undefined;
      });
      assert.equal(status.mode, 'apply');
      assert.equal(status.lock.where, `container ${LOCK_NAME}`);
      const info = await docker.getContainer(LOCK_NAME).inspect();
      assert.equal(info.State.Status, 'created', 'the lock container never runs');
      await until(s, 'the Compose service scaled', async () => ((await project.live()) === 3 ? true : undefined));
    } finally {
      assert.equal(await s.stop(), 0, s.output().slice(-2000));
    }
    await assert.rejects(docker.getContainer(LOCK_NAME).inspect(), 'released on SIGTERM');
  });
});
