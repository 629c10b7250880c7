import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type Docker from 'dockerode';
import { ComposeProject, hostNetworkFile } from '../support/compose.js';
import { createSwarmService, removeServices, specReplicas, testDocker } from '../support/docker.js';
import { hasCommand, skipUnless, testDockerHost } from '../support/integration.js';
import { dailyPeakLoad } from '../support/load.js';
import { hasPrometheus, startPrometheus, type PrometheusHandle } from '../support/prometheus.js';
import { getJson, logLines, metricValue, serve, stateDir, until, type Served } from '../support/serve.js';

interface Recommendation {
  service: string;
  currentReplicas: number;
  desiredReplicas: number;
  reason: string;
  applied: boolean;
}
interface ServiceView {
  key: string;
  status: string;
  message: string;
  problems: string[];
  prediction: { predicted: boolean; summary: string; model?: string; fallback?: string };
}

test('npm start (serve --embedded) serves a plan without Prometheus or Docker, and exits 0 on SIGTERM', async () => {
  const s = await serve(['--embedded'], { env: { DOCKER_HOST: 'unix:///nonexistent.sock' } });
  try {
    const recs = await until(s, 'a recommendation', async () => {
      const r = await getJson<Array<{ service: string; reason: string }>>(`${s.url}/v1/recommendations`);
      return r?.length ? r : undefined;
    });
    assert.equal(recs[0].service, 'swarm/demo-web');
    assert.equal((await fetch(`${s.url}/readyz`)).status, 200);
  } finally {
    s.proc.kill('SIGTERM');
  }
  assert.equal(await s.exited, 0, s.output());
  assert.match(s.output(), /stopping: aborting the running cycle/);
});

const ready = hasPrometheus() && !!testDockerHost() && hasCommand('docker-compose');
const needs = 'prometheus, docker-compose and the test Docker engine';

// The planning clock of the end-to-end test starts at START and runs RATE times faster than real
// time: two simulated minutes pass between two cycles (every 2 s), the daily peak 15 minutes
// ahead comes after 30 s, and its 30 minutes last one. Prometheus holds the history up to 3 hours
// past START, so that "new" samples appear as the clock moves on.
const STEP = 60;
const START = Math.floor(Date.now() / 1000 / STEP) * STEP;
const RATE = 30;
const PEAK_AT = START + 15 * 60;
const PEAK_END = PEAK_AT + 30 * 60;
const AHEAD = 3 * 3600;
const LABELS = {
  'prescale.enable': 'true',
  'prescale.query': 'load{service="e2e"}',
  // base 100 needs 2 replicas at 80 %, the peak 1000 needs 13
  'prescale.capacity': '100',
  // the policy as written, not re-tuned daily: the replica counts here are at its 80 % target
  'prescale.auto-tune': 'false',
  'prescale.min': '1',
  'prescale.max': '20',
  'prescale.startup-delay': '10m',
  'prescale.stabilization': '5m',
};

describe(
  'prescale serve --apply on a real Prometheus, a Swarm service and a Compose project',
  { skip: skipUnless(ready, needs) },
  () => {
    let prom: PrometheusHandle;
    let docker: Docker;
    let project: ComposeProject;
    const SWARM = 'swarm/e2e-web';

    before(async () => {
      prom = await startPrometheus({
        series: [
          {
            name: 'load',
            labels: { service: 'e2e' },
            ...dailyPeakLoad({
              end: START + AHEAD,
              days: 14,
              step: STEP,
              peakStartsIn: PEAK_AT - (START + AHEAD),
              peakSeconds: PEAK_END - PEAK_AT,
              base: 100,
              peak: 1000,
            }),
          },
        ],
      });
      docker = testDocker();
      await removeServices(docker, 'e2e-web');
      await createSwarmService(docker, 'e2e-web', LABELS, 1);
      project = new ComposeProject(docker, hostNetworkFile(LABELS), 'e2e');
      project.compose('up', '-d');
    });

    after(async () => {
      await removeServices(docker, 'e2e-web');
      project?.down();
      await prom?.stop();
    });

    /** The API and /metrics read at the same cycle: retried until a cycle does not end in between. */
    async function agreeing(s: Served): Promise<Recommendation[]> {
      return until(s, '/v1/recommendations and /metrics to agree', async () => {
        const recs = await getJson<Recommendation[]>(`${s.url}/v1/recommendations`);
        const metrics = await (await fetch(`${s.url}/metrics`)).text();
        const again = await getJson<Recommendation[]>(`${s.url}/v1/recommendations`);
        if (!recs || JSON.stringify(recs) !== JSON.stringify(again)) return undefined;
        for (const r of recs) {
          if (metricValue(metrics, 'prescale_current_replicas', { service: r.service }) !== r.currentReplicas) return;
          if (metricValue(metrics, 'prescale_recommended_replicas', { service: r.service }) !== r.desiredReplicas)
            return;
        }
        return recs;
      });
    }

    test('scales both up before the peak and down after it; the API and /metrics agree; a Prometheus outage holds', async () => {
      const s = await serve(
        ['--apply', '--prometheus', prom.url, '--schedule', '*/2 * * * * *', '--state-dir', stateDir()],
        { env: { DOCKER_HOST: testDockerHost() }, clock: { start: START, rate: RATE } },
      );
      // every replica count seen, to check the bounds throughout
      const seen: number[] = [];
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          seen.push(await specReplicas(docker, 'e2e-web'), await project.live());
          await new Promise((r) => setTimeout(r, 500));
        }
      })();
      try {
        // 1. Before the peak: both are scaled for it while the load is still at its base.
        const decidedAt = await until(s, 'both services to be scaled up ahead of the peak', async () => {
          const recs = await getJson<Recommendation[]>(`${s.url}/v1/recommendations`);
          const status = await getJson<{ lastCycleAt: number; mode: string }>(`${s.url}/v1/status`);
          const up = recs?.filter((r) => r.desiredReplicas >= 13 && r.reason === 'Predictive');
          return up?.length === 2 && status ? status.lastCycleAt : undefined;
        });
        assert.ok(decidedAt < PEAK_AT, `decided ${Math.round((PEAK_AT - decidedAt) / 60)} min before the peak`);
        const upSwarm = await until(s, 'the Swarm service scaled up', async () => {
          const n = await specReplicas(docker, 'e2e-web');
          return n >= 13 ? n : undefined;
        });
        const upCompose = await until(s, 'the Compose service scaled up', async () => {
          const n = await project.live();
          return n >= 13 ? n : undefined;
        });
        // (a record's current replicas are those its cycle found: the cycle after the scale-up shows them)
        await until(s, 'the API and /metrics to show both scaled up', async () => {
          const recs = await agreeing(s);
          return recs.length === 2 && recs.every((r) => r.currentReplicas >= 13 && r.currentReplicas <= 20)
            ? recs
            : undefined;
        });
        assert.ok(upCompose <= 20 && upSwarm <= 20);
        const metrics = await (await fetch(`${s.url}/metrics`)).text();
        for (const service of [SWARM, project.key])
          assert.ok(
            (metricValue(metrics, 'prescale_scale_actions_total', { service, direction: 'up' }) ?? 0) >= 1,
            `a scale-up of ${service} is counted`,
          );
        const services = await getJson<ServiceView[]>(`${s.url}/v1/services`);
        for (const v of services ?? []) {
          assert.equal(v.prediction.predicted, true, v.prediction.summary);
          assert.match(v.prediction.summary, /^Predicted by auto:\S+ from 1[34](\.\d)? days of history/);
        }

        // 2. Prometheus down during the peak: both held where they are.
        await prom.pause();
        await until(s, 'both services held', async () => {
          const r = await getJson<Recommendation[]>(`${s.url}/v1/recommendations`);
          return r?.filter((e) => e.reason === 'HoldOnError').length === 2 ? r : undefined;
        });
        assert.ok((await specReplicas(docker, 'e2e-web')) >= 13, 'Swarm replicas kept while Prometheus is down');
        assert.ok((await project.live()) >= 13, 'Compose replicas kept while Prometheus is down');
        const held = await getJson<ServiceView[]>(`${s.url}/v1/services`);
        assert.equal(held?.[0].prediction.fallback, 'hold');
        const during = await (await fetch(`${s.url}/metrics`)).text();
        assert.ok((metricValue(during, 'prescale_errors_total', { kind: 'source' }) ?? 0) >= 1);
        await prom.resume();

        // 3. After the peak: both come down to what the base load needs, and the API says so.
        const down = await until(
          s,
          'both services scaled down after the peak',
          async () => {
            const recs = await agreeing(s);
            return recs.length === 2 && recs.every((r) => r.currentReplicas <= 3 && r.desiredReplicas <= 3)
              ? recs
              : undefined;
          },
          120_000,
        );
        const status = await getJson<{ lastCycleAt: number }>(`${s.url}/v1/status`);
        assert.ok(status!.lastCycleAt > PEAK_END, 'scaled down once the peak was over');
        const fin = Object.fromEntries(down.map((r) => [r.service, r]));
        const swarm = await specReplicas(docker, 'e2e-web');
        const compose = await project.live();
        assert.equal(fin[SWARM].currentReplicas, swarm);
        assert.equal(fin[project.key].currentReplicas, compose);
        assert.ok(swarm >= 2 && compose >= 2, `the base load needs 2: swarm ${swarm}, compose ${compose}`);
        const end = await (await fetch(`${s.url}/metrics`)).text();
        for (const service of [SWARM, project.key])
          assert.ok((metricValue(end, 'prescale_scale_actions_total', { service, direction: 'down' }) ?? 0) >= 1);
      } finally {
        sampling = false;
        await sampler.catch(() => undefined);
        await s.stop();
      }
      assert.equal(await s.exited, 0, s.output().slice(-3000));
      assert.ok(Math.min(...seen) >= 1 && Math.max(...seen) <= 20, `replicas stayed in [1, 20]: ${[...new Set(seen)]}`);
    });
  },
);

describe(
  'prescale serve picks up services as they come, change and go, without a restart',
  { skip: skipUnless(ready, needs) },
  () => {
    let prom: PrometheusHandle;
    let docker: Docker;
    let s: Served;
    const labels = {
      'prescale.enable': 'true',
      'prescale.query': 'load{service="flat"}',
      'prescale.capacity': '100',
      // the policy as written, not re-tuned daily: the replica counts here are at its 80 % target
      'prescale.auto-tune': 'false',
    };

    before(async () => {
      const end = Math.floor(Date.now() / 1000 / 60) * 60;
      prom = await startPrometheus({
        series: [
          {
            name: 'load',
            labels: { service: 'flat' },
            ...dailyPeakLoad({ end, days: 2, step: 60, peakStartsIn: 3600, peakSeconds: 60, base: 100, peak: 100 }),
          },
        ],
      });
      docker = testDocker();
      await removeServices(docker, 'evt-new');
      // One cycle at start-up, then none for a year: whatever shows up later came through the events.
      s = await serve(['--prometheus', prom.url, '--schedule', '0 0 1 1 *'], {
        env: { DOCKER_HOST: testDockerHost(), PRESCALE_LOG_LEVEL: 'debug' },
      });
      await until(s, 'the first cycle', async () => ((await fetch(`${s.url}/readyz`)).ok ? true : undefined));
    });

    after(async () => {
      await s?.stop();
      await removeServices(docker, 'evt-new');
      await prom?.stop();
    });

    const services = async () => (await getJson<ServiceView[]>(`${s.url}/v1/services`)) ?? [];

    test('a Swarm service: created, labels broken, removed', async () => {
      const t0 = Date.now();
      await createSwarmService(docker, 'evt-new', labels, 1);
      await until(s, 'swarm/evt-new in GET /v1/services', async () =>
        (await services()).find((v) => v.key === 'swarm/evt-new' && v.status === 'planned'),
      );
      assert.ok(Date.now() - t0 < 10_000, `seen after ${Date.now() - t0} ms`);

      // garbage in a label: skipped, with the label and its value in the API and in a log line
      const svc = docker.getService('evt-new');
      const info = await svc.inspect();
      await svc.update({
        ...info.Spec,
        Labels: { ...info.Spec.Labels, 'prescale.capacity': 'lots' },
        version: info.Version.Index,
      });
      const skipped = await until(s, 'the broken label to be reported', async () =>
        (await services()).find((v) => v.key === 'swarm/evt-new' && v.status === 'skipped'),
      );
      assert.match(skipped.message, /prescale\.capacity=lots: not a positive number/);
      assert.equal(skipped.prediction.fallback, 'none');
      const line = logLines(s).find((l) => l.service === 'swarm/evt-new' && l.status === 'skipped');
      assert.ok(line, 'a log line for the skipped service');
      assert.match(JSON.stringify(line), /prescale\.capacity=lots/);

      await removeServices(docker, 'evt-new');
      await until(s, 'swarm/evt-new to be gone', async () =>
        (await services()).some((v) => v.key === 'swarm/evt-new') ? undefined : true,
      );
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      assert.ok((metricValue(metrics, 'prescale_rediscoveries_total', { result: 'changed' }) ?? 0) >= 3);
    });

    test('a Compose project: up, then down', async () => {
      const p = new ComposeProject(docker, hostNetworkFile(labels), 'evt');
      try {
        const t0 = Date.now();
        p.compose('up', '-d');
        await until(s, `${p.key} in GET /v1/services`, async () => (await services()).find((v) => v.key === p.key));
        assert.ok(Date.now() - t0 < 10_000, `seen after ${Date.now() - t0} ms`);
        p.compose('down', '--timeout', '1');
        await until(s, `${p.key} to be gone`, async () =>
          (await services()).some((v) => v.key === p.key) ? undefined : true,
        );
      } finally {
        p.down();
      }
    });
  },
);
