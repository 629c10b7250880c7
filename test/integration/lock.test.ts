import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type Docker from 'dockerode';
import { ContainerLeaseStore } from '../../src/adapters/engines/docker/container-lease.js';
import { LOCK_NAME } from '../../src/adapters/engines/docker/lease-labels.js';
import { SwarmConfigLeaseStore } from '../../src/adapters/engines/swarm/lease.js';
import { LeaderLock, type LeaseStore } from '../../src/runtime/leader.js';
import { createSwarmService, removeServices, specReplicas, testDocker } from '../support/docker.js';
import { skipUnless, testDockerHost } from '../support/integration.js';
import { steadyLoad } from '../support/load.js';
import { hasPrometheus, startPrometheus, type PrometheusHandle } from '../support/prometheus.js';
import { getJson, metricValue, serve, stateDir, until, type Served } from '../support/serve.js';

async function clean(docker: Docker): Promise<void> {
  await docker
    .getConfig(LOCK_NAME)
    .remove()
    .catch(() => undefined);
  await docker
    .getContainer(LOCK_NAME)
    .remove({ force: true })
    .catch(() => undefined);
}

const stores: Array<[string, (d: Docker) => LeaseStore, (d: Docker) => Promise<boolean>]> = [
  [
    'a Swarm config',
    (d) => new SwarmConfigLeaseStore(d),
    (d) =>
      d
        .getConfig(LOCK_NAME)
        .inspect()
        .then(
          () => true,
          () => false,
        ),
  ],
  [
    'a container',
    (d) => new ContainerLeaseStore(d),
    (d) =>
      d
        .getContainer(LOCK_NAME)
        .inspect()
        .then(
          () => true,
          () => false,
        ),
  ],
];

for (const [kind, make, exists] of stores) {
  describe(
    `the leader lease in ${kind} on the real engine`,
    { skip: skipUnless(!!testDockerHost(), 'the test Docker engine') },
    () => {
      let docker: Docker;
      before(async () => {
        docker = testDocker();
        await clean(docker);
      });
      after(() => clean(docker));

      test('one holder among contenders; renewals keep it; stale after the TTL; released on stop', async () => {
        let now = 1000;
        const clock = () => now;
        const locks = ['a', 'b', 'c'].map((holder) => new LeaderLock(make(docker), { holder, ttlSec: 30, now: clock }));
        await Promise.all(locks.map((l) => l.tick()));
        const leaders = locks.filter((l) => l.isLeader());
        assert.equal(leaders.length, 1, 'exactly one of three simultaneous contenders wins');
        const [leader] = leaders;
        const others = locks.filter((l) => l !== leader);
        assert.equal(await exists(docker), true);

        for (let i = 0; i < 3; i++) {
          now += 10;
          await leader.tick();
          await Promise.all(others.map((l) => l.tick()));
          assert.equal(leader.isLeader(), true, 'renewed');
          assert.ok(others.every((l) => !l.isLeader() && l.status().holder === leader.self));
        }

        // the leader stops renewing (crashed): after an unchanged TTL one of the others takes over
        now += 20;
        await Promise.all(others.map((l) => l.tick()));
        assert.ok(
          others.every((l) => !l.isLeader()),
          'not yet stale',
        );
        now += 10;
        await Promise.all(others.map((l) => l.tick()));
        const next = others.filter((l) => l.isLeader());
        assert.equal(next.length, 1, 'exactly one takes over');
        await leader.tick();
        assert.equal(leader.isLeader(), false, 'the old holder, back, stays passive');

        await next[0].release();
        assert.equal(await exists(docker), false, 'released: the lease is gone');
        const last = others.find((l) => l !== next[0])!;
        await last.tick();
        assert.equal(last.isLeader(), true, 'the next one takes the free lease');
        await last.release();
      });

      test('a write with a stale version fails', async () => {
        const store = make(docker);
        const first = await store.create({ holder: 'x', renewedAt: 1, ttlSec: 30 });
        assert.ok(first);
        assert.equal(await store.create({ holder: 'y', renewedAt: 1, ttlSec: 30 }), undefined, 'create is exclusive');
        const renewed = await store.replace(first.version, { holder: 'x', renewedAt: 2, ttlSec: 30 });
        assert.ok(renewed && renewed.version !== first.version);
        assert.equal(await store.replace(first.version, { holder: 'y', renewedAt: 3, ttlSec: 30 }), undefined);
        assert.equal((await store.read())?.record.holder, 'x');
        await store.remove(first.version);
        assert.equal(await exists(docker), true, 'a remove with a stale version leaves it');
        await store.remove(renewed.version);
        assert.equal(await exists(docker), false);
      });
    },
  );
}

describe(
  'two prescale serve --apply instances on one engine',
  { skip: skipUnless(hasPrometheus() && !!testDockerHost(), 'prometheus and the test Docker engine') },
  () => {
    let prom: PrometheusHandle;
    let docker: Docker;
    const procs: Served[] = [];

    before(async () => {
      prom = await startPrometheus({ series: [steadyLoad()] });
      docker = testDocker();
      await clean(docker);
      await removeServices(docker, 'locked');
      await createSwarmService(
        docker,
        'locked',
        {
          'prescale.enable': 'true',
          'prescale.query': 'load{service="steady"}',
          'prescale.capacity': '100',
          'prescale.auto-tune': 'false',
        },
        1,
      );
    });

    after(async () => {
      for (const p of procs) {
        p.proc.kill('SIGCONT');
        await p.stop();
      }
      await removeServices(docker, 'locked');
      await clean(docker);
      await prom?.stop();
    });

    const start = async () => {
      const s = await serve(
        ['--apply', '--prometheus', prom.url, '--schedule', '*/2 * * * * *', '--state-dir', stateDir()],
        { env: { DOCKER_HOST: testDockerHost() } },
      );
      procs.push(s);
      return s;
    };
    const status = (s: Served) =>
      getJson<{ mode: string; lock: { leader: boolean; holder?: string; self: string; where: string } }>(
        `${s.url}/v1/status`,
      );
    const passiveMetric = async (s: Served) =>
      metricValue(await (await fetch(`${s.url}/metrics`)).text(), 'prescale_passive');
    // by hand, as an operator would: read the spec, write it back with its version; when the
    // leader's own update lands in between, Swarm answers "update out of sequence": read again
    const scaleTo = async (n: number) => {
      const svc = docker.getService('locked');
      for (let attempt = 1; ; attempt++) {
        const info = await svc.inspect();
        try {
          await svc.update({ ...info.Spec, Mode: { Replicated: { Replicas: n } }, version: info.Version.Index });
          return;
        } catch (err) {
          if (attempt >= 5 || !/update out of sequence/.test(String(err))) throw err;
        }
      }
    };

    test('the second stays passive and does not scale until the first stops; then it takes over', async () => {
      const a = await start();
      await until(a, 'the first instance to scale the service', async () =>
        (await specReplicas(docker, 'locked')) === 13 ? true : undefined,
      );
      const sa = await status(a);
      assert.equal(sa?.mode, 'apply');
      assert.equal(sa?.lock.where, `Swarm config ${LOCK_NAME}`);

      const b = await start();
      const sb = await until(b, 'the second instance to finish a cycle', async () => {
        const st = await status(b);
        return st && (await fetch(`${b.url}/readyz`)).ok ? st : undefined;
      });
      assert.equal(sb.mode, 'passive');
      assert.equal(sb.lock.holder, sa?.lock.self);
      assert.equal(await passiveMetric(b), 1);
      assert.equal(await passiveMetric(a), 0);

      // The first is frozen (it keeps its lease for a while): someone scales the service down by
      // hand. The second sees that 13 are needed, and does nothing about it.
      a.proc.kill('SIGSTOP');
      await scaleTo(1);
      const rec = await until(b, 'the passive instance to recommend 13 for the 1 running', async () => {
        const r = await getJson<Array<{ currentReplicas: number; desiredReplicas: number; applied: boolean }>>(
          `${b.url}/v1/recommendations`,
        );
        return r?.[0]?.currentReplicas === 1 && r[0].desiredReplicas === 13 ? r[0] : undefined;
      });
      assert.equal(rec.applied, false);
      await new Promise((r) => setTimeout(r, 4000)); // two more cycles of the passive instance
      assert.equal(await specReplicas(docker, 'locked'), 1, 'the passive instance did not scale');
      assert.equal((await status(b))?.mode, 'passive');

      // SIGTERM releases the lease: the second takes over and acts.
      a.proc.kill('SIGCONT');
      assert.equal(await a.stop(), 0, a.output().slice(-2000));
      await until(b, 'the second instance to take over', async () =>
        (await status(b))?.mode === 'apply' ? true : undefined,
      );
      await scaleTo(1);
      await until(b, 'the new leader to scale the service', async () =>
        (await specReplicas(docker, 'locked')) === 13 ? true : undefined,
      );
      assert.equal(await passiveMetric(b), 0);
      assert.equal(await b.stop(), 0);
    });
  },
);
