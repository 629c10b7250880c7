import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type Docker from 'dockerode';
import { dockerEngineOf } from '../../src/adapters/engines/docker/engine.js';
import type { MetricsSource } from '../../src/adapters/sources/port.js';
import { PrometheusSource } from '../../src/adapters/sources/prometheus/source.js';
import { parseConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/observability/logger.js';
import { Reconciler } from '../../src/runtime/cycle.js';
import { ComposeProject, hostNetworkFile } from '../support/compose.js';
import { createSwarmService, removeServices, restartEngine, specReplicas, testDocker } from '../support/docker.js';
import { hasCommand, skipUnless, testDockerHost } from '../support/integration.js';
import { steadyLoad } from '../support/load.js';
import { hasPrometheus, startPrometheus, type PrometheusHandle } from '../support/prometheus.js';
import { getJson, logLines, metricValue, serve, stateDir, until } from '../support/serve.js';

const ready = hasPrometheus() && !!testDockerHost() && hasCommand('docker-compose');
const needs = 'prometheus, docker-compose and the test Docker engine';

// A steady load of 1000: 13 replicas of capacity 100, 3 of capacity 500 (at 80 %).
const labels = (query: string, extra: Record<string, string> = {}) => ({
  'prescale.enable': 'true',
  'prescale.query': query,
  'prescale.capacity': '100',
  // the policy as written, not re-tuned daily: the replica counts here are at its 80 % target
  'prescale.auto-tune': 'false',
  'prescale.max': '20',
  ...extra,
});

/** A source that runs `hook` the first time `query` is asked for: the world changes mid-cycle. */
class HookedSource implements MetricsSource {
  constructor(
    private readonly inner: MetricsSource,
    private readonly hooks: Map<string, () => Promise<void> | void>,
  ) {}
  async queryRange(query: string, start: number, end: number, step: number, signal?: AbortSignal) {
    const hook = this.hooks.get(query);
    this.hooks.delete(query);
    await hook?.();
    return this.inner.queryRange(query, start, end, step, signal);
  }
}

describe('faults on a real engine and a real Prometheus', { skip: skipUnless(ready, needs) }, () => {
  let prom: PrometheusHandle;
  let docker: Docker;
  const projects: ComposeProject[] = [];
  const swarm = ['vanish', 'stays', 'survivor', 'after-restart'];

  before(async () => {
    prom = await startPrometheus({ series: [steadyLoad()] });
    docker = testDocker();
    await removeServices(docker, ...swarm);
  });

  after(async () => {
    await removeServices(docker, ...swarm);
    for (const p of projects) p.down();
    await prom?.stop();
  });

  const project = (file: string, prefix: string) => {
    const p = new ComposeProject(docker, file, prefix);
    projects.push(p);
    p.compose('up', '-d');
    return p;
  };

  test('services removed while being planned are reported gone; bad labels skipped; the rest applied', async () => {
    const STEADY = 'load{service="steady"}';
    await createSwarmService(docker, 'vanish', labels(`${STEADY} * 1`), 1);
    await createSwarmService(docker, 'stays', labels(STEADY), 1);
    const vanishing = project(hostNetworkFile(labels(`${STEADY} + 0`)), 'vanish');
    const garbage = project(hostNetworkFile(labels(STEADY, { 'prescale.max': 'many', 'prescale.min': '-1' })), 'junk');

    // each vanishing service is removed right when its load is read, i.e. after discovery and
    // before its replicas are set
    const source = new HookedSource(
      new PrometheusSource({ url: prom.url }),
      new Map<string, () => Promise<void> | void>([
        [`${STEADY} * 1`, () => removeServices(docker, 'vanish')],
        [`${STEADY} + 0`, () => void vanishing.compose('down', '--timeout', '1')],
      ]),
    );
    const reconciler = new Reconciler({
      source,
      actuators: dockerEngineOf(docker, silentLogger()).actuators,
      config: parseConfig({ cycle: { history: 2 * 86_400 } }, 'test'),
      apply: true,
      logger: silentLogger(),
    });
    const report = await reconciler.runOnce(Date.now() / 1000);
    const by = Object.fromEntries(report.services.map((s) => [s.key, s]));

    for (const key of ['swarm/vanish', vanishing.key]) {
      assert.equal(by[key]?.status, 'gone', `${key}: ${by[key]?.message}`);
      assert.equal(by[key].applied, false);
      assert.equal(by[key].errorCode, 'E_NOT_FOUND');
      assert.match(by[key].message, /removed while being planned/);
    }
    await assert.rejects(docker.getService('vanish').inspect(), 'the removed service is not brought back');
    assert.equal(await vanishing.live(), 0, 'no container of the removed project is made again');

    assert.equal(by[garbage.key].status, 'skipped');
    assert.match(by[garbage.key].message, /prescale\.max=many: not a whole number >= 1/);
    assert.match(by[garbage.key].message, /prescale\.min=-1: not a whole number >= 0/);
    assert.equal(await garbage.live(), 1, 'a skipped service is left alone');

    assert.equal(by['swarm/stays'].status, 'planned');
    assert.equal(await specReplicas(docker, 'stays'), 13);
    assert.deepEqual(report.errors, []);

    // the next cycle no longer lists them, and nothing fails
    const next = await reconciler.runOnce(Date.now() / 1000);
    assert.ok(!next.services.some((s) => s.key === 'swarm/vanish' || s.key === vanishing.key));
  });

  test('dockerd restarted while serve runs: it keeps serving, holds, reconnects and recovers; nothing goes to zero', async () => {
    const survivorLabels = labels('load{service="steady"}', { 'prescale.capacity': '500', 'prescale.max': '5' });
    await createSwarmService(docker, 'survivor', survivorLabels, 1);
    const compose = project(hostNetworkFile(survivorLabels), 'survivor');
    const s = await serve(
      ['--apply', '--prometheus', prom.url, '--schedule', '*/2 * * * * *', '--state-dir', stateDir()],
      { env: { DOCKER_HOST: testDockerHost() } },
    );
    try {
      await until(s, 'both scaled to 3, and the API to say so', async () => {
        const v = await getJson<Array<{ key: string; currentReplicas: number }>>(`${s.url}/v1/services`);
        return v?.filter((x) => x.currentReplicas === 3).length === 2 ? true : undefined;
      });

      // While dockerd is down for 4 s: the API answers, the services are listed as held.
      const snapshots: Array<Array<{ key: string; status: string; message: string }>> = [];
      let healthFailures = 0;
      let restarting = true;
      const poller = (async () => {
        while (restarting) {
          const ok = await fetch(`${s.url}/healthz`).then(
            (r) => r.ok,
            () => false,
          );
          if (!ok) healthFailures++;
          const v = await getJson<Array<{ key: string; status: string; message: string }>>(`${s.url}/v1/services`);
          if (v) snapshots.push(v);
          await new Promise((r) => setTimeout(r, 300));
        }
      })();
      await restartEngine(4);
      restarting = false;
      await poller;
      assert.equal(s.proc.exitCode, null, 'serve is still running');
      assert.equal(healthFailures, 0, 'the API answered throughout');
      const held = snapshots.flat().filter((v) => v.status === 'held' && v.key === compose.key);
      assert.ok(held.length > 0, 'the Compose service was listed as held while the engine was down');
      assert.match(held[0].message, /holding \d+ replicas: compose discovery failed .*unreachable/);
      assert.ok(
        snapshots.every((snap) => snap.some((v) => v.key === 'swarm/survivor')),
        'the Swarm service never vanished from the API',
      );

      // After: the events reconnect, a cycle runs at once, the replicas the restart stopped are started again.
      await until(s, 'the Compose replicas stopped by the restart to be started again', async () =>
        (await compose.live()) === 3 ? true : undefined,
      );
      assert.equal(await specReplicas(docker, 'survivor'), 3, 'the Swarm service kept its replicas');
      // the 2 s cycle may bring the replicas back before the events' reconnect (with its backoff) lands
      await until(s, 'the events to be watched again', async () =>
        logLines(s).some((l) => l.msg === 'watching docker events again') ? true : undefined,
      );
      const lines = logLines(s);
      assert.ok(lines.some((l) => l.msg === 'docker events stream ended; reconnecting'));
      assert.ok(lines.some((l) => l.msg === 'discovery failed; nothing changed'));
      // the reconnect's resync is debounced: it may land a moment after the replicas are back
      await until(s, 'a resync after the events reconnected', async () =>
        (metricValue(await (await fetch(`${s.url}/metrics`)).text(), 'prescale_rediscoveries_total', {
          result: 'resync',
        }) ?? 0) >= 1
          ? true
          : undefined,
      );
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      assert.equal(metricValue(metrics, 'prescale_passive'), 0, 'still the leader');

      // events flow again: creating a service is noticed through them (a re-discovery runs; the
      // 2 s schedule may plan it first, so whether it finds a change is left open)
      const rediscoveries = (text: string) =>
        // a reconnect's resync may absorb the creation's event: it re-plans all the same
        ['changed', 'unchanged', 'failed', 'resync'].reduce(
          (sum, result) => sum + (metricValue(text, 'prescale_rediscoveries_total', { result }) ?? 0),
          0,
        );
      const before = rediscoveries(metrics);
      await createSwarmService(docker, 'after-restart', labels('load{service="steady"}'), 1);
      await until(s, 'a re-discovery after the event, and the new service planned', async () => {
        const m = await (await fetch(`${s.url}/metrics`)).text();
        const v = await getJson<Array<{ key: string; status: string }>>(`${s.url}/v1/services`);
        return rediscoveries(m) > before && v?.some((x) => x.key === 'swarm/after-restart' && x.status === 'planned')
          ? true
          : undefined;
      });
    } finally {
      assert.equal(await s.stop(), 0, s.output().slice(-3000));
    }
  });
});
