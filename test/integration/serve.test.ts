import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type Docker from 'dockerode';
import { createSwarmService, removeServices, specReplicas, testDocker } from '../support/docker.js';
import { skipUnless, testDockerHost } from '../support/integration.js';
import { dailyPeakLoad } from '../support/load.js';
import { freePort, hasPrometheus, startPrometheus, type PrometheusHandle } from '../support/prometheus.js';

interface Served {
  proc: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

async function serve(args: string[], env: Record<string, string | undefined> = {}): Promise<Served> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['bin/prescale.js', 'serve', '--port', String(port), ...args], {
    env: { ...process.env, ...env },
  });
  let out = '';
  proc.stdout?.on('data', (b: Buffer) => (out += b));
  proc.stderr?.on('data', (b: Buffer) => (out += b));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, url: `http://127.0.0.1:${port}`, output: () => out, exited };
}

/** Polls `fn` until it returns a value, or fails with what the service printed. */
async function until<T>(s: Served, what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; service output:\n${s.output().slice(-3000)}`);
}

const getJson = async (url: string) => {
  const r = await fetch(url);
  return r.ok ? r.json() : undefined;
};

test('npm start (serve --embedded) serves a plan without Prometheus or Docker, and exits 0 on SIGTERM', async () => {
  const s = await serve(['--embedded'], { DOCKER_HOST: 'unix:///nonexistent.sock' });
  try {
    const recs = await until(s, 'a recommendation', async () => {
      const r = (await getJson(`${s.url}/v1/recommendations`)) as
        Array<{ service: string; reason: string }> | undefined;
      return r?.length ? r : undefined;
    });
    assert.equal(recs[0].service, 'swarm/demo-web');
    assert.equal((await fetch(`${s.url}/readyz`)).status, 200);
  } finally {
    s.proc.kill('SIGTERM');
  }
  assert.equal(await s.exited, 0, s.output());
  assert.match(s.output(), /finishing the running cycle/);
});

describe(
  'prescale serve --apply on a real Prometheus and a real Swarm',
  { skip: skipUnless(hasPrometheus() && !!testDockerHost(), 'prometheus and the test Docker engine') },
  () => {
    let prom: PrometheusHandle;
    let docker: Docker;
    const end = Math.floor(Date.now() / 1000 / 60) * 60 - 60;
    before(async () => {
      prom = await startPrometheus({
        series: [
          {
            name: 'load',
            labels: { service: 'serve' },
            ...dailyPeakLoad({
              end,
              days: 14,
              step: 60,
              peakSeconds: 7200,
              base: 100,
              peak: 1000,
              peakStartsIn: 8 * 60,
            }),
          },
        ],
      });
      docker = testDocker();
      await removeServices(docker, 'served');
      await createSwarmService(
        docker,
        'served',
        {
          'prescale.enable': 'true',
          'prescale.query': 'load{service="serve"}',
          'prescale.capacity': '100',
          'prescale.max': '20',
          'prescale.startup-delay': '10m',
        },
        1,
      );
    });
    after(async () => {
      await removeServices(docker, 'served');
      await prom?.stop();
    });

    test('scales up ahead of the peak; the API and /metrics report the same numbers; Prometheus outage holds replicas', async () => {
      const stateDir = mkdtempSync(join(tmpdir(), 'prescale-state-'));
      const s = await serve(
        ['--apply', '--prometheus', prom.url, '--schedule', '*/2 * * * * *', '--state-dir', stateDir],
        {
          DOCKER_HOST: testDockerHost(),
          PRESCALE_API_TOKEN: 'test-token-123',
        },
      );
      try {
        const replicas = await until(s, 'the service to be scaled up', async () => {
          const n = await specReplicas(docker, 'served');
          return n >= 13 ? n : undefined;
        });
        const rec = await until(s, 'the API to show the applied number', async () => {
          const r = (await getJson(`${s.url}/v1/recommendations`)) as Array<{
            service: string;
            currentReplicas: number;
            desiredReplicas: number;
            reason: string;
          }>;
          const x = r?.find((e) => e.service === 'swarm/served');
          return x && x.currentReplicas === replicas ? x : undefined;
        });
        assert.equal(rec.desiredReplicas, replicas);
        const metrics = await (await fetch(`${s.url}/metrics`)).text();
        assert.match(metrics, new RegExp(`prescale_current_replicas\\{service="swarm/served"\\} ${replicas}\\b`));
        assert.match(metrics, /prescale_scale_actions_total\{service="swarm\/served",direction="up"\} 1/);
        assert.match(metrics, /prescale_forecast_p90\{service="swarm\/served"\} \d+/);

        await prom.pause();
        await until(s, 'a held decision', async () => {
          const r = (await getJson(`${s.url}/v1/recommendations`)) as Array<{ service: string; reason: string }>;
          return r?.find((e) => e.reason === 'HoldOnError');
        });
        assert.equal(await specReplicas(docker, 'served'), replicas, 'replicas kept while Prometheus is down');
        const during = await (await fetch(`${s.url}/metrics`)).text();
        assert.match(during, /prescale_errors_total\{kind="prometheus"\} [1-9]/);
        await prom.resume();
        await until(s, 'recovery', async () => {
          const r = (await getJson(`${s.url}/v1/recommendations`)) as Array<{ service: string; reason: string }>;
          return r?.find((e) => e.service === 'swarm/served' && e.reason !== 'HoldOnError');
        });
      } finally {
        s.proc.kill('SIGTERM');
      }
      assert.equal(await s.exited, 0);
    });
  },
);
