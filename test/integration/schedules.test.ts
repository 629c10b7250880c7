import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type Docker from 'dockerode';
import { wallOf } from '../../src/core/schedule/zone.js';
import { createSwarmService, removeServices, specReplicas, testDocker } from '../support/docker.js';
import { skipUnless, testDockerHost } from '../support/integration.js';
import { dailyPeakLoad } from '../support/load.js';
import { hasPrometheus, startPrometheus, type PrometheusHandle } from '../support/prometheus.js';
import { getJson, serve, stateDir, until, type Served } from '../support/serve.js';

// The planning clock starts at START and runs RATE times faster than real time: a cycle every 2 s
// is one planning minute. The window opens 10 planning minutes after START (20 s) and lasts 10
// (to 40 s); with a 2-minute startup delay its replicas must be asked for before it opens.
const STEP = 60;
const START = Math.floor(Date.now() / 1000 / STEP) * STEP;
const RATE = 30;
const OPEN = START + 10 * 60;
const CLOSE = OPEN + 10 * 60;
const TZ = 'Europe/Paris';
/** A record as the API shows it: the fields read here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;
const TOKEN = 'schedule-test-token-0123456789';

/** The cron of the window: OPEN's wall time in Paris, every day. */
function cronAt(t: number): string {
  const wall = new Date(wallOf(t * 1000, TZ));
  return `${wall.getUTCMinutes()} ${wall.getUTCHours()} * * *`;
}

const LABELS = {
  'prescale.enable': 'true',
  'prescale.query': 'load{service="sched"}',
  // a flat 100 needs 2 replicas of 100 at 80 %
  'prescale.capacity': '100',
  'prescale.auto-tune': 'false',
  'prescale.model': 'seasonal_naive_day',
  'prescale.min': '1',
  'prescale.max': '4',
  'prescale.startup-delay': '2m',
  'prescale.stabilization': '1m',
  // the window's bounds replace the policy's: 6 is above the policy's max of 4
  'prescale.schedule.sale': `${cronAt(OPEN)}|10m|${TZ}|min=6,max=8`,
};

describe(
  'a scheduled window scales a real Swarm service before it opens and back after it closes',
  { skip: skipUnless(hasPrometheus() && !!testDockerHost(), 'prometheus and the test Docker engine') },
  () => {
    let prom: PrometheusHandle;
    let docker: Docker;
    let s: Served | undefined;

    before(async () => {
      const flat = { days: 2, step: STEP, peakStartsIn: 0, peakSeconds: 0, base: 100, peak: 100 };
      prom = await startPrometheus({
        series: [{ name: 'load', labels: { service: 'sched' }, ...dailyPeakLoad({ ...flat, end: START + 3600 }) }],
      });
      docker = testDocker();
      await removeServices(docker, 'sched-web');
      await createSwarmService(docker, 'sched-web', LABELS, 2);
    });

    after(async () => {
      await s?.stop();
      await removeServices(docker, 'sched-web');
      await prom?.stop();
    });

    test('pre-warmed to the window min before the opening, reason Scheduled; back after the close; masks through the API', async () => {
      s = await serve(['--apply', '--prometheus', prom.url, '--schedule', '*/2 * * * * *', '--state-dir', stateDir()], {
        env: { DOCKER_HOST: testDockerHost(), PRESCALE_API_TOKEN: TOKEN },
        clock: { start: START, rate: RATE },
      });
      /** The first cycle whose record of the service passes `ok`, read with that cycle's planning time. */
      const cycleWhere = (what: string, ok: (r: Rec) => boolean) =>
        until(
          s,
          what,
          async () => {
            const before = (await getJson<Rec>(`${s?.url}/v1/status`))?.lastCycleAt;
            const recs = await getJson<Array<Rec>>(`${s?.url}/v1/recommendations`);
            const again = (await getJson<Rec>(`${s?.url}/v1/status`))?.lastCycleAt;
            const r = recs?.find((x) => x.service === 'swarm/sched-web');
            return before !== undefined && before === again && r && ok(r) ? { at: before as number, r } : undefined;
          },
          60_000,
        );

      // 1. Before the window: the policy's 2 replicas, and the window listed with its next opening.
      const listed = await until(s, 'the first cycle', async () => {
        const all = await getJson<Array<Rec>>(`${s?.url}/v1/services`);
        return all?.find((r) => r.key === 'swarm/sched-web' && r.status === 'planned');
      });
      assert.equal(listed.desiredReplicas, 2, listed.message);
      assert.equal(listed.schedules?.[0]?.name, 'sale');
      assert.equal(listed.schedules?.[0]?.nextOpening, new Date(OPEN * 1000).toISOString());

      // 2. Scaled to the window's min by a cycle before it opens, the engine too.
      const warm = await cycleWhere('the window min before the opening', (r) => r.desiredReplicas === 6);
      assert.ok(warm.at < OPEN, `6 replicas asked for ${warm.at - OPEN} s from the opening`);
      // the lead is the startup delay and one cycle interval
      assert.ok(warm.at >= OPEN - 120 - 2 - STEP, `6 replicas asked for ${OPEN - warm.at} s before the opening`);
      assert.equal(warm.r.reason, 'Scheduled', warm.r.message);
      assert.match(warm.r.message, /scheduled window sale/);
      await until(s, 'the Swarm service at 6 replicas', async () =>
        (await specReplicas(docker, 'sched-web')) === 6 ? true : undefined,
      );

      // 3. An event mask through the API: refused without the token, kept and listed with it.
      const body = {
        name: 'outage',
        start: new Date((START - 3600) * 1000).toISOString(),
        end: new Date((START - 1800) * 1000).toISOString(),
      };
      const post = (headers: Record<string, string>) =>
        fetch(`${s?.url}/v1/services/sched-web/exclude`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
      assert.equal((await post({})).status, 401);
      const bad = await fetch(`${s.url}/v1/services/sched-web/exclude`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ ...body, end: body.start }),
      });
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as Rec).message, /end .* is not after start/);
      assert.equal((await post({ authorization: `Bearer ${TOKEN}` })).status, 201);
      const one = await getJson<Rec>(`${s.url}/v1/services/sched-web`);
      assert.deepEqual(one?.exclude, [body]);

      // 4. Back to what the load needs by the first cycle after the close, the engine too.
      const down = await cycleWhere('the policy bounds after the close', (r) => r.desiredReplicas === 2);
      assert.ok(down.at >= CLOSE, `back to 2 replicas ${CLOSE - down.at} s before the close`);
      assert.ok(down.at < CLOSE + 3 * STEP, `back to 2 replicas only ${down.at - CLOSE} s after the close`);
      await until(s, 'the Swarm service at 2 replicas', async () =>
        (await specReplicas(docker, 'sched-web')) === 2 ? true : undefined,
      );
    });
  },
);
