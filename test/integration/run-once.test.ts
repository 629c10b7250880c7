import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type Docker from 'dockerode';
import { createSwarmService, removeServices, specReplicas, testDocker, waitRunning } from '../support/docker.js';
import { ComposeProject, hostNetworkFile } from '../support/compose.js';
import { hasCommand, skipUnless, testDockerHost, servicesByKey } from '../support/integration.js';
import { dailyPeakLoad } from '../support/load.js';
import { hasPrometheus, startPrometheus, type PrometheusHandle } from '../support/prometheus.js';

const STEP = 60;
const now = Math.floor(Date.now() / 1000 / STEP) * STEP;
const end = now - STEP;
const shape = { end, days: 14, step: STEP, peakSeconds: 2 * 3600, base: 100, peak: 1000 };
// capacity 100 per replica at 80 %: the base needs 2 replicas, the peak 13
const labels = (series: string, extra: Record<string, string> = {}) => ({
  'prescale.enable': 'true',
  'prescale.query': `load{service="${series}"}`,
  'prescale.capacity': '100',
  // the policy as written, not re-tuned daily: the replica counts here are at its 80 % target
  'prescale.auto-tune': 'false',
  'prescale.min': '1',
  'prescale.max': '20',
  'prescale.startup-delay': '10m',
  ...extra,
});

function runOnce(prom: string, ...extra: string[]) {
  return spawnSync(process.execPath, ['bin/prescale.js', 'run', '--once', '--prometheus', prom, ...extra], {
    encoding: 'utf8',
    env: { ...process.env, DOCKER_HOST: testDockerHost(), PRESCALE_LOG_LEVEL: 'warn' },
  });
}

describe(
  'prescale run --once on a real Prometheus, a real Swarm and a Compose project',
  {
    skip: skipUnless(
      hasPrometheus() && !!testDockerHost() && hasCommand('docker-compose'),
      'prometheus, docker-compose and the test Docker engine',
    ),
  },
  () => {
    let prom: PrometheusHandle;
    let docker: Docker;
    let project: ComposeProject;
    const services = ['pre-peak', 'no-lead', 'after-peak', 'bad-labels'];

    before(async () => {
      prom = await startPrometheus({
        series: [
          // the next peak starts 8 minutes from now: only the forecast can see it coming
          { name: 'load', labels: { service: 'before' }, ...dailyPeakLoad({ ...shape, peakStartsIn: 8 * 60 }) },
          // the peak ended an hour ago: the trough
          { name: 'load', labels: { service: 'after' }, ...dailyPeakLoad({ ...shape, peakStartsIn: -3 * 3600 }) },
        ],
      });
      docker = testDocker();
      await removeServices(docker, ...services);
      await createSwarmService(docker, 'pre-peak', labels('before'), 1);
      // the same load, but a replica is assumed ready at once: no reason to act before the peak
      await createSwarmService(docker, 'no-lead', labels('before', { 'prescale.startup-delay': '0' }), 1);
      await createSwarmService(docker, 'after-peak', labels('after'), 12);
      await createSwarmService(docker, 'bad-labels', labels('before', { 'prescale.capacity': 'abc' }), 2);
      // the same load as pre-peak, on a Compose service next to the Swarm ones
      project = new ComposeProject(docker, hostNetworkFile(labels('before')), 'runonce');
      project.compose('up', '-d');
    });

    after(async () => {
      project?.down();
      await removeServices(docker, ...services);
      await prom?.stop();
    });

    test('without --apply it prints the plan and changes nothing', async () => {
      const res = runOnce(prom.url);
      assert.equal(res.status, 0, res.stderr);
      assert.match(res.stdout, /swarm\/pre-peak\s+1 -> 1[0-9]\s+Predictive\s+no/);
      assert.match(res.stdout, new RegExp(`${project.key}\\s+1 -> 1[0-9]\\s+Predictive\\s+no`));
      assert.equal(await specReplicas(docker, 'pre-peak'), 1);
      assert.equal(await project.live(), 1);
    });

    test('--apply scales up ahead of the peak, down in the trough; bad labels are named and skipped', async () => {
      const res = runOnce(prom.url, '--apply', '--json');
      assert.equal(res.status, 0, res.stderr);
      const by = servicesByKey(res.stdout);

      const up = await specReplicas(docker, 'pre-peak');
      assert.ok(up >= 13 && up <= 20, `pre-peak scaled to ${up} (${by['swarm/pre-peak'].message})`);
      assert.equal(by['swarm/pre-peak'].decision?.reason, 'Predictive');
      await waitRunning(docker, 'pre-peak', up);
      assert.equal(await project.live(), up, `the Compose service follows the same plan (${by[project.key]?.message})`);

      assert.equal(await specReplicas(docker, 'no-lead'), 2, by['swarm/no-lead'].message);

      const down = await specReplicas(docker, 'after-peak');
      assert.ok(down >= 2 && down <= 3, `after-peak scaled to ${down} (${by['swarm/after-peak'].message})`);

      assert.equal(by['swarm/bad-labels'].status, 'skipped');
      assert.match(by['swarm/bad-labels'].message, /prescale\.capacity=abc: not a positive number/);
      assert.equal(await specReplicas(docker, 'bad-labels'), 2);
    });

    test('Prometheus down: replicas kept, the reason said, exit 0', async () => {
      const before = await specReplicas(docker, 'after-peak');
      await prom.pause();
      try {
        const res = runOnce(prom.url, '--apply');
        assert.equal(res.status, 0, res.stderr);
        assert.match(res.stdout, /swarm\/after-peak\s+(\d+) -> \1\s+HoldOnError/);
        assert.match(res.stdout, /unreachable/);
      } finally {
        await prom.resume();
      }
      assert.equal(await specReplicas(docker, 'after-peak'), before);
    });

    test('Docker engine unreachable: a one-line error and exit 1', () => {
      const res = spawnSync(process.execPath, ['bin/prescale.js', 'run', '--once', '--prometheus', prom.url], {
        encoding: 'utf8',
        env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock', PRESCALE_LOG_LEVEL: 'silent' },
      });
      assert.equal(res.status, 1);
      assert.match(res.stderr, /E_ENGINE_UNREACHABLE: .*unix:\/\/\/nonexistent\/docker\.sock is unreachable/);
      assert.doesNotMatch(res.stderr, /at .*\.js:\d+/, 'no stack trace');
    });
  },
);
