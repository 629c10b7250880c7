/**
 * The image and the stack as a Swarm user deploys them, on a real engine: the project's
 * Dockerfile built on a Node base made here (no registry can be pulled from; npm's registry is
 * reached with `docker build --network host`), deploy/stack.yml deployed with
 * `docker stack deploy` and the variables its contract names, the API token as a Docker secret;
 * the container reports healthy and scales a labelled Swarm service ahead of a daily peak
 * backfilled in a real Prometheus.
 *
 * deploy.override.yml, passed as a second `-c`, puts the service on the host network: this
 * engine runs without a bridge and without iptables, and several engines share the machine's
 * kernel, so the stack's overlay network and the ingress routing mesh cannot be made here
 * ("error creating vxlan interface: file exists"). It changes nothing else.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type Docker from 'dockerode';
import {
  createSwarmService,
  dockerAt,
  dockerCli,
  runAsync,
  specReplicas,
  startEngine,
  stopEngine,
} from '../support/docker.js';
import { hasCommand, skipUnless } from '../support/integration.js';
import { dailyPeakLoad } from '../support/load.js';
import { makeNodeBaseImage } from '../support/node-image.js';
import { freePort, hasPrometheus, startPrometheus, type PrometheusHandle } from '../support/prometheus.js';
import { getJson, until } from '../support/serve.js';

const ready = hasPrometheus() && hasCommand('docker') && hasCommand('dockerd') && hasCommand('busybox');
const needs = 'prometheus, docker, dockerd and busybox-static';

const BASE = 'prescale-node-base:local';
const IMAGE = 'prescale:deploy-test';
const STACK = 'prescale';
const TOKEN = 'deploy-test-token-0123456789';
const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const LABELS = {
  'prescale.enable': 'true',
  'prescale.query': 'load{service="deployed"}',
  // base 100 needs 2 replicas at 80 %, the peak 1000 needs 13
  'prescale.capacity': '100',
  'prescale.auto-tune': 'false',
  'prescale.min': '1',
  'prescale.max': '20',
  'prescale.startup-delay': '10m',
};

interface Recommendation {
  service: string;
  desiredReplicas: number;
  reason: string;
}

describe(
  'the image built from the Dockerfile, deployed with deploy/stack.yml',
  { skip: skipUnless(ready, needs) },
  () => {
    const work = mkdtempSync(join(tmpdir(), 'prescale-deploy-'));
    let host: string;
    let docker: Docker;
    let prom: PrometheusHandle | undefined;
    const env = () => ({ DOCKER_HOST: host });
    const cli = (args: string[], extra: Record<string, string> = {}, timeoutMs = 120_000) =>
      runAsync('docker', args, { env: { ...env(), ...extra }, timeoutMs });

    before(async () => {
      // overlay2 on a tmpfs: on vfs every build step copies the whole root filesystem
      host = await startEngine(join(work, 'docker'), 'tmpfs');
      docker = dockerAt(host);
    });

    after(async () => {
      if (host) await cli(['stack', 'rm', STACK]);
      await prom?.stop();
      if (host) await stopEngine(join(work, 'docker'));
      rmSync(work, { recursive: true, force: true });
    });

    test('the Dockerfile builds on a local base with --build-arg BASE_IMAGE: non-root, labelled, no tfjs-node', async () => {
      makeNodeBaseImage(host, BASE);
      const t0 = Date.now();
      const build = await cli(
        ['build', '--network', 'host', '--build-arg', `BASE_IMAGE=${BASE}`, '-t', IMAGE, '.'],
        {},
        15 * 60_000,
      );
      const buildSec = (Date.now() - t0) / 1000;
      assert.equal(build.code, 0, build.stdout.slice(-3000) + build.stderr.slice(-3000));
      const info = await docker.getImage(IMAGE).inspect();
      const baseInfo = await docker.getImage(BASE).inspect();
      const mb = (b: number) => Math.round(b / 1e6);
      console.log(
        `deploy: image built in ${buildSec.toFixed(0)} s; ${mb(info.Size)} MB (${mb(info.Size - baseInfo.Size)} MB over the ${mb(baseInfo.Size)} MB base)`,
      );
      const c = info.Config;
      assert.equal(c.User, '1000:1000');
      assert.deepEqual(c.Entrypoint, ['prescale']);
      assert.deepEqual(c.Cmd, ['serve']);
      assert.equal(c.Labels['org.opencontainers.image.title'], 'prescale');
      assert.equal(c.Labels['org.opencontainers.image.version'], VERSION);
      const health = (c as { Healthcheck?: { Test?: string[] } }).Healthcheck?.Test ?? [];
      assert.equal(health.slice(0, 2).join(' '), 'CMD node', 'the healthcheck runs node, not curl');
      const probe = await cli([
        'run',
        '--rm',
        '--entrypoint',
        'node',
        IMAGE,
        '-e',
        `const fs = require('fs'); const m = p => fs.existsSync('/app/node_modules/' + p);
       console.log(JSON.stringify({ uid: process.getuid(), wasm: m('@tensorflow/tfjs-backend-wasm'),
         native: m('@tensorflow/tfjs-node'), dev: m('typescript'), maps: m('@tensorflow/tfjs/dist/tf.node.js.map') }))`,
      ]);
      assert.equal(probe.code, 0, probe.stderr);
      assert.deepEqual(JSON.parse(probe.stdout), { uid: 1000, wasm: true, native: false, dev: false, maps: false });
    });

    test('docker stack deploy: healthy, the token from the secret, and scaled ahead of the daily peak', async () => {
      const t0 = Date.now();
      // the peak starts 8 minutes from now; Prometheus holds the history up to an hour ahead
      const STEP = 60;
      const START = Math.floor(Date.now() / 1000 / STEP) * STEP;
      const PEAK_AT = START + 8 * 60;
      const end = START + 3600;
      prom = await startPrometheus({
        series: [
          {
            name: 'load',
            labels: { service: 'deployed' },
            ...dailyPeakLoad({
              end,
              days: 14,
              step: STEP,
              peakStartsIn: PEAK_AT - end,
              peakSeconds: 1800,
              base: 100,
              peak: 1000,
            }),
          },
        ],
      });
      await createSwarmService(docker, 'web', LABELS, 1);
      const secret = dockerCli('docker', ['secret', 'create', 'prescale_api_token', '-'], { input: TOKEN, host });
      assert.equal(secret.status, 0, secret.stderr);
      const socket = host.replace(/^unix:\/\//, '');
      const port = await freePort();
      const deploy = await cli(
        [
          'stack',
          'deploy',
          '--resolve-image',
          'never',
          '-c',
          'deploy/stack.yml',
          '-c',
          'test/integration/deploy.override.yml',
          STACK,
        ],
        {
          PRESCALE_IMAGE: IMAGE,
          PRESCALE_PROMETHEUS: prom.url,
          PRESCALE_APPLY: 'true',
          PRESCALE_PORT: String(port),
          PRESCALE_DOCKER_SOCKET: socket,
          PRESCALE_DOCKER_GID: String(statSync(socket).gid),
        },
      );
      assert.equal(deploy.code, 0, deploy.stderr);
      const url = `http://127.0.0.1:${port}`;
      const logs = async () => (await cli(['service', 'logs', '--raw', `${STACK}_prescale`])).stdout.slice(-4000);

      const container = await until(
        undefined,
        'the container to report healthy',
        async () => {
          const [c] = await docker.listContainers({
            filters: { label: [`com.docker.swarm.service.name=${STACK}_prescale`] },
          });
          return c && /\(healthy\)/.test(c.Status) ? c : undefined;
        },
        180_000,
      ).catch(async (err: Error) => assert.fail(`${err.message}\n${await logs()}`));
      const healthySec = (Date.now() - t0) / 1000;

      // the service found by its labels, and scaled for the peak while the load is still at its base
      const decided = await until(
        undefined,
        'web scaled up ahead of the peak',
        async () => {
          const recs = await getJson<Recommendation[]>(`${url}/v1/recommendations`);
          const web = recs?.find((r) => r.service === 'swarm/web');
          const n = await specReplicas(docker, 'web');
          return web && web.reason === 'Predictive' && web.desiredReplicas >= 13 && n >= 13
            ? { at: Date.now() / 1000, n }
            : undefined;
        },
        180_000,
      ).catch(async (err: Error) => assert.fail(`${err.message}\n${await logs()}`));
      assert.ok(decided.at < PEAK_AT, `scaled ${Math.round((PEAK_AT - decided.at) / 60)} min before the peak`);
      const services = await getJson<Array<{ key: string }>>(`${url}/v1/services`);
      assert.ok(
        services?.some((s) => s.key === 'swarm/web'),
        JSON.stringify(services),
      );
      const status = await getJson<{ mode: string }>(`${url}/v1/status`);
      assert.equal(status?.mode, 'apply');

      // the API token is the Docker secret's
      const apply = (token: string) =>
        fetch(`${url}/v1/services/${encodeURIComponent('swarm/web')}/apply`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
        }).then((r) => r.status);
      assert.equal(await apply('not-the-secret-token'), 401);
      assert.notEqual(await apply(TOKEN), 401);

      // where each setting came from, as the container sees them
      const printed = await cli(['exec', container.Id, 'prescale', 'serve', '--print-config']);
      assert.equal(printed.code, 0, printed.stderr);
      assert.match(printed.stdout, /api-token +\*\*\* +env PRESCALE_API_TOKEN_FILE/);
      assert.match(printed.stdout, new RegExp(`prometheus +${prom.url} +env PRESCALE_PROMETHEUS`));
      assert.match(printed.stdout, /apply +true +env PRESCALE_APPLY/);
      assert.doesNotMatch(printed.stdout, new RegExp(TOKEN));
      console.log(
        `deploy: healthy ${healthySec.toFixed(0)} s after the deploy; web at ${decided.n} replicas ${Math.round((PEAK_AT - decided.at) / 60)} min before the peak`,
      );
    });
  },
);
