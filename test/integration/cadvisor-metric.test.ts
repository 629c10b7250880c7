/**
 * `prescale.metric=cpu` end to end: a real Prometheus holding cAdvisor's series (its metric names
 * and its container labels, two tasks of the service and a busier service beside it) and a real
 * Swarm service labelled with the metric instead of a query; `run --once` forecasts and plans it
 * from the series of its own tasks only.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type Docker from 'dockerode';
import { createSwarmService, removeServices, testDocker } from '../support/docker.js';
import { skipUnless, testDockerHost, servicesByKey } from '../support/integration.js';
import { dailyPeakLoad } from '../support/load.js';
import { hasPrometheus, startPrometheus, type BackfillSeries, type PrometheusHandle } from '../support/prometheus.js';

const SCRAPE = 30; // cAdvisor scraped every 30 s: rate(…[1m]) sees two samples
const end = Math.floor(Date.now() / 1000 / 60) * 60 - 60;
// cores of the whole service: 0.2 at the base, 2 in the daily peak, which starts 8 minutes from now
const cores = dailyPeakLoad({
  end,
  days: 4,
  step: SCRAPE,
  peakSeconds: 2 * 3600,
  peakStartsIn: 8 * 60,
  base: 20,
  peak: 200,
});

/** cAdvisor's CPU counter of one container of Swarm service `service` running `share` of `cores`. */
function task(service: string, slot: number, share: number): BackfillSeries {
  let used = 0;
  const values = cores.values.map((v) => (used += (v / 100) * share * SCRAPE));
  const taskName = `${service}.${slot}.task${slot}`;
  return {
    name: 'container_cpu_usage_seconds',
    type: 'counter',
    labels: {
      id: `/docker/${service}${slot}`,
      image: 'prescale-tiny:latest',
      name: taskName,
      cpu: 'total',
      container_label_com_docker_swarm_service_name: service,
      container_label_com_docker_swarm_task_name: taskName,
    },
    timestamps: cores.timestamps,
    values,
  };
}

describe(
  'prescale.metric=cpu on a real Prometheus with cAdvisor series and a real Swarm service',
  { skip: skipUnless(hasPrometheus() && !!testDockerHost(), 'prometheus and the test Docker engine') },
  () => {
    let prom: PrometheusHandle;
    let docker: Docker;
    let config: string;
    before(async () => {
      // a busier service's tasks beside it: a selector that missed the service name would count them
      prom = await startPrometheus({
        series: [task('cpu-web', 1, 0.5), task('cpu-web', 2, 0.5), task('cpu-batch', 1, 20)],
      });
      config = join(mkdtempSync(join(tmpdir(), 'prescale-cadvisor-')), 'prescale.yaml');
      writeFileSync(config, 'cycle: { step: 60, history: 4d }\n');
      docker = testDocker();
      await removeServices(docker, 'cpu-web', 'cpu-bad');
      const labels = {
        'prescale.enable': 'true',
        'prescale.metric': 'cpu',
        'prescale.capacity': '0.25', // cores per replica
        'prescale.auto-tune': 'false',
        'prescale.max': '40',
        'prescale.startup-delay': '10m',
      };
      await createSwarmService(docker, 'cpu-web', labels, 1);
      await createSwarmService(docker, 'cpu-bad', { ...labels, 'prescale.metric': 'disk' }, 1);
    });
    after(async () => {
      await removeServices(docker, 'cpu-web', 'cpu-bad');
      await prom?.stop();
    });

    test('the service is forecast and planned from its own tasks’ CPU; an unknown metric is named and skipped', () => {
      const res = spawnSync(
        process.execPath,
        ['bin/prescale.js', 'run', '--once', '--prometheus', prom.url, '--config', config, '--json'],
        { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: testDockerHost(), PRESCALE_LOG_LEVEL: 'warn' } },
      );
      assert.equal(res.status, 0, res.stderr);
      const by = servicesByKey(res.stdout);
      const web = by['swarm/cpu-web'];
      // 2 cores in the peak at 0.25 cores per replica: 8 (p90 at full capacity) to 10 (p50 at 80 %)
      // replicas, 9 when the first peak bucket also holds base minutes (it depends on where now
      // falls in its 5-minute bucket); the base alone asks for 1, the busier service's 20 cores
      // for the maximum
      assert.equal(web.decision?.reason, 'Predictive', web.message);
      assert.ok(web.desiredReplicas >= 8 && web.desiredReplicas <= 14, `${web.desiredReplicas}: ${web.message}`);
      assert.equal(by['swarm/cpu-bad'].status, 'skipped');
      assert.match(by['swarm/cpu-bad'].message, /prescale\.metric=disk: not cpu or memory/);
    });
  },
);
