import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type Docker from 'dockerode';
import { createSwarmService, removeServices, specReplicas, testDocker } from '../support/docker.js';
import { skipUnless, testDockerHost } from '../support/integration.js';
import { dailyPeakLoad } from '../support/load.js';
import { hasPrometheus, startPrometheus, type PrometheusHandle } from '../support/prometheus.js';

const STEP = 60;
const now = Math.floor(Date.now() / 1000 / STEP) * STEP;
const end = now - STEP;
const shape = { end, days: 14, step: STEP, peakSeconds: 2 * 3600, base: 100, peak: 1000 };

/** A service with two load metrics by labels, each with its own capacity. */
const labels = (cpu: string, rps: string) => ({
  'prescale.enable': 'true',
  'prescale.query.cpu': `cpu{service="${cpu}"}`,
  'prescale.capacity.cpu': '100',
  'prescale.query.rps': `rps{service="${rps}"}`,
  'prescale.capacity.rps': '50',
  'prescale.auto-tune': 'false',
  'prescale.min': '1',
  'prescale.max': '40',
  'prescale.startup-delay': '10m',
});

interface Report {
  services: Array<{
    key: string;
    status: string;
    desiredReplicas: number;
    message: string;
    decision?: { reason: string; metric?: string; metrics?: Array<{ name: string; proposed: number }> };
    metrics?: Array<{ name: string; forecast?: { p90: number[] } }>;
  }>;
}

describe(
  'several load metrics per service on a real Prometheus and a real Swarm',
  { skip: skipUnless(hasPrometheus() && !!testDockerHost(), 'prometheus and the test Docker engine') },
  () => {
    let prom: PrometheusHandle;
    let docker: Docker;
    const services = ['two-rps', 'two-cpu', 'two-missing'];

    before(async () => {
      // "before": the daily peak starts 8 minutes from now; "after": it ended 3 hours ago (the trough)
      const before = dailyPeakLoad({ ...shape, peakStartsIn: 8 * 60 });
      const trough = dailyPeakLoad({ ...shape, peakStartsIn: -3 * 3600 });
      prom = await startPrometheus({
        series: [
          { name: 'cpu', labels: { service: 'before' }, ...before },
          { name: 'cpu', labels: { service: 'after' }, ...trough },
          { name: 'rps', labels: { service: 'before' }, ...before },
          { name: 'rps', labels: { service: 'after' }, ...trough },
        ],
      });
      docker = testDocker();
      await removeServices(docker, ...services);
      // rps rises ahead (1000 / (50 × 0.8) = 25 at the peak); cpu sits in its trough (2)
      await createSwarmService(docker, 'two-rps', labels('after', 'before'), 2);
      // cpu rises ahead (1000 / 80 = 13); rps in its trough (100 / 40 = 3)
      await createSwarmService(docker, 'two-cpu', labels('before', 'after'), 2);
      // cpu alone would take it down to 2; rps has no series at all
      await createSwarmService(docker, 'two-missing', labels('after', 'nowhere'), 12);
    });

    after(async () => {
      await removeServices(docker, ...services);
      await prom?.stop();
    });

    test('run --once --apply: whichever metric needs more scales the service; a missing metric holds it, named', async () => {
      const res = spawnSync(
        process.execPath,
        ['bin/prescale.js', 'run', '--once', '--apply', '--json', '--prometheus', prom.url],
        { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: testDockerHost(), PRESCALE_LOG_LEVEL: 'warn' } },
      );
      assert.equal(res.status, 0, res.stderr);
      const by = Object.fromEntries((JSON.parse(res.stdout) as Report).services.map((s) => [s.key, s]));

      const rps = by['swarm/two-rps'];
      assert.equal(rps.status, 'planned', rps.message);
      assert.equal(rps.decision?.metric, 'rps', rps.message);
      assert.equal(rps.decision?.reason, 'Predictive');
      const asked = Object.fromEntries((rps.decision?.metrics ?? []).map((m) => [m.name, m.proposed]));
      assert.ok(asked.rps >= 25 && asked.cpu <= 3, JSON.stringify(asked));
      assert.deepEqual(
        rps.metrics?.map((m) => [m.name, (m.forecast?.p90.length ?? 0) > 0]),
        [
          ['cpu', true],
          ['rps', true],
        ],
      );
      const up = await specReplicas(docker, 'two-rps');
      assert.ok(up >= 25 && up <= 40, `two-rps scaled to ${up} (${rps.message})`);

      const cpu = by['swarm/two-cpu'];
      assert.equal(cpu.decision?.metric, 'cpu', cpu.message);
      const cpuUp = await specReplicas(docker, 'two-cpu');
      assert.ok(cpuUp >= 13 && cpuUp <= 20, `two-cpu scaled to ${cpuUp} (${cpu.message})`);

      const missing = by['swarm/two-missing'];
      assert.equal(missing.status, 'held', missing.message);
      assert.equal(missing.decision?.reason, 'HoldOnError');
      assert.match(missing.message, /metric rps/);
      assert.equal(await specReplicas(docker, 'two-missing'), 12);
    });
  },
);
