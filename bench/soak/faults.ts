/**
 * The faults, one at a time: each is injected, logged with its time and parameters, declares the
 * windows in which the checker must see no change (or must not judge), and ends only once an
 * instance is in apply mode again. One at a time, so that a label change never lands while
 * Prometheus is out: a held service keeps its replicas, and new bounds are judged once it plans.
 */
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSwarmService, restartEngine } from '../../test/support/docker.js';
import { modeOf, statusOf, waitFor, type Fault, type FaultContext } from './context.js';
import { labelsOf, QUERY_STEP, type SoakService } from './fixture.js';
import { corruptState, killRestart, secondApply, secondRecommend } from './instance-faults.js';

export { waitFor, type FaultContext } from './context.js';

/** When the first cycle that must query Prometheus again can start: the next query step after `t`. */
function nextStep(t: number): number {
  return (Math.floor(t / 1000 / QUERY_STEP) + 1) * QUERY_STEP * 1000;
}

/**
 * Watches the leader's cycles during a Prometheus outage that began at `from`. A cycle that
 * starts after the next query step must query Prometheus and holds every service; one that
 * started before may still act on the history it has. So the outage is quiet from the start of
 * the first cycle after that step, which /v1/status tells as `lastCycleAt` once the cycle has
 * ended (every cycle before it ended before it began: they never overlap). Call `end(to)` when
 * Prometheus is back.
 */
function heldWindow(ctx: FaultContext, from: number, why: string): { end(to: number): Promise<void> } {
  const step = nextStep(from);
  const leader = ctx.main;
  let quietFrom: number | undefined;
  let watching = true;
  const watch = (async () => {
    const until = Date.now() + 120_000;
    while (watching || (quietFrom === undefined && Date.now() < until)) {
      const at = (await statusOf(leader))?.lastCycleAt;
      if (quietFrom === undefined && at !== undefined && at * 1000 >= step) quietFrom = at * 1000;
      if (quietFrom !== undefined && !watching) return;
      await sleep(250);
    }
  })();
  return {
    async end(to: number) {
      watching = false;
      await watch;
      if (quietFrom === undefined || quietFrom >= to) {
        ctx.rec.note(
          `quietHeld window (${why}): no cycle started after ${new Date(step).toISOString()} before the end`,
        );
        return;
      }
      await ctx.checker.quiet('quietHeld', quietFrom, to, why);
    },
  };
}

async function diskFull(ctx: FaultContext): Promise<void> {
  const holdMs = ctx.rand.int(10_000, 20_000);
  const filler = join(ctx.f.stateDir, 'filler');
  const fh = await open(filler, 'w');
  let bytes = 0;
  try {
    const chunk = Buffer.alloc(4096, 0x61);
    for (;;) {
      await fh.write(chunk);
      bytes += chunk.length;
    }
  } catch {
    // ENOSPC: full
  } finally {
    await fh.close();
  }
  ctx.rec.fault('disk-full', { dir: ctx.f.stateDir, filledBytes: bytes, holdMs });
  await sleep(holdMs);
  await rm(filler, { force: true });
}

/**
 * Waits (at most 30 s) until the leader has finished a cycle that started after the latest query
 * step: the cycles before the next step then need no query, so the first one that is held is the
 * first after it, and the outage gets a quiet window (else a cycle stuck on its query from before
 * the step could fill the whole outage).
 */
async function afterFreshCycle(ctx: FaultContext): Promise<void> {
  const step = nextStep(Date.now()) - QUERY_STEP * 1000;
  await waitFor(async () => ((await statusOf(ctx.main))?.lastCycleAt ?? 0) * 1000 >= step, 30_000);
}

async function prometheusRestart(ctx: FaultContext): Promise<void> {
  const downMs = ctx.rand.int(25_000, 40_000);
  await afterFreshCycle(ctx);
  ctx.rec.fault('prometheus-restart', { downMs });
  const held = heldWindow(ctx, Date.now(), 'Prometheus was down');
  await ctx.f.prom.pause();
  await sleep(downMs);
  const to = Date.now();
  await ctx.f.prom.resume();
  await held.end(to);
}

async function prometheusStop(ctx: FaultContext): Promise<void> {
  // longer than the 15 s query timeout
  const stopMs = ctx.rand.int(25_000, 35_000);
  await afterFreshCycle(ctx);
  ctx.rec.fault('prometheus-sigstop', { stopMs });
  const held = heldWindow(ctx, Date.now(), 'Prometheus was SIGSTOPped');
  ctx.f.prom.signal('SIGSTOP');
  await sleep(stopMs);
  const to = Date.now();
  ctx.f.prom.signal('SIGCONT');
  await held.end(to);
}

async function dockerdRestart(ctx: FaultContext): Promise<void> {
  const downSec = ctx.rand.int(0, 4);
  ctx.rec.fault('dockerd-restart', { downSec });
  // a dockerd restart stops the Compose containers (no restart policy): prescale starts them again
  const stopped = ctx.checker.exempt((k) => k.startsWith('compose/'), 'dockerd restart stopped the Compose replicas');
  const t0 = Date.now();
  try {
    await restartEngine(downSec, ctx.f.host);
    ctx.rec.note(`dockerd answers again after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } catch (err) {
    ctx.rec.note(`dockerd restart: ${String(err)}`);
  }
  stopped.to = Date.now() + ctx.checker.labelGraceMs() + 10_000;
  await waitFor(() => Date.now() > stopped.to, 60_000);
}

async function recreate(ctx: FaultContext): Promise<void> {
  const s: SoakService = ctx.rand.pick(ctx.f.services);
  const b = ctx.checker.bounds.current(s.key) ?? s;
  const gapMs = ctx.rand.int(500, 3000);
  ctx.rec.fault('recreate-service', { service: s.key, gapMs, replicas: b.min });
  // a Compose service's containers go one by one: below its bounds until it is made again
  const gone = ctx.checker.exempt((k) => k === s.key, `${s.key} recreated`);
  if (s.kind === 'swarm') {
    await ctx.f.docker.getService(s.name).remove();
    await sleep(gapMs);
    await createSwarmService(ctx.f.docker, s.name, labelsOf({ ...s, ...b }, s.extra), b.min);
  } else {
    await ctx.f.project.composeAsync('rm', '-s', '-f', s.name);
    await sleep(gapMs);
    await ctx.f.project.composeAsync('up', '-d', '--no-deps', '--scale', `${s.name}=${b.min}`, s.name);
  }
  gone.to = Date.now() + ctx.checker.labelGraceMs();
  await waitFor(() => Date.now() > gone.to, 60_000);
}

async function changeBounds(ctx: FaultContext): Promise<void> {
  const s = ctx.rand.pick(ctx.f.services.filter((x) => x.kind === 'swarm'));
  const min = ctx.rand.int(1, 3);
  const max = min + ctx.rand.int(0, 5);
  ctx.rec.fault('change-bounds', { service: s.key, was: ctx.checker.bounds.current(s.key), min, max });
  // from the moment the update is sent, prescale may see the new labels
  ctx.checker.bounds.set(s.key, min, max);
  for (let attempt = 0; ; attempt++) {
    try {
      const svc = ctx.f.docker.getService(s.name);
      const info = await svc.inspect();
      const labels = { ...info.Spec.Labels, 'prescale.min': String(min), 'prescale.max': String(max) };
      await svc.update({ version: info.Version.Index, ...info.Spec, Labels: labels });
      break;
    } catch (err) {
      // a scale by prescale in between bumps the version: read it again
      if (attempt >= 4) throw err;
      await sleep(200);
    }
  }
  // the next fault waits until the new bounds are in force
  await sleep(ctx.checker.labelGraceMs() + 2000);
}

export const FAULTS: Record<string, Fault> = {
  'kill-restart': { maxSec: 25, run: killRestart },
  'corrupt-state': { maxSec: 30, run: corruptState },
  'disk-full': { maxSec: 25, run: diskFull },
  'prometheus-restart': { maxSec: 75, run: prometheusRestart },
  'prometheus-sigstop': { maxSec: 70, run: prometheusStop },
  'dockerd-restart': { maxSec: 60, run: dockerdRestart },
  'recreate-service': { maxSec: 25, run: recreate },
  'change-bounds': { maxSec: 20, run: changeBounds },
  'second-instance-recommend': { maxSec: 35, run: secondRecommend },
  'second-instance-apply': { maxSec: 45, run: secondApply },
};

/** Waits until the main instance is in apply mode, Prometheus and the engine answer; checks it happened. */
export async function recover(ctx: FaultContext, after: string, ms = 90_000): Promise<void> {
  const ok = await waitFor(async () => {
    // its first cycle done too: the next fault's windows assume no such long cycle in flight
    if (!ctx.main.running() || ctx.main.cycles.length < 2 || (await modeOf(ctx.main)) !== 'apply') return false;
    const ready = await fetch(`${ctx.f.prom.url}/-/ready`, { signal: AbortSignal.timeout(2000) });
    await ctx.f.docker.ping();
    return ready.ok;
  }, ms);
  ctx.rec.check(
    'recovered',
    ok,
    () => `${ctx.main.name} not in apply mode ${ms / 1000} s after ${after}`,
    () => ctx.main.tail(30),
  );
}

/**
 * Injects faults until `endAt` (ms): rounds of every kind in a seeded order, each started only
 * when it fits before the end, with a pause of 1–3 s between two.
 */
export async function injectFaults(ctx: FaultContext, endAt: number): Promise<void> {
  let round: string[] = [];
  while (Date.now() < endAt) {
    if (!round.length) round = ctx.rand.shuffle(Object.keys(FAULTS));
    const i = round.findIndex((k) => Date.now() + FAULTS[k].maxSec * 1000 <= endAt);
    if (i < 0) break;
    const [kind] = round.splice(i, 1);
    try {
      await FAULTS[kind].run(ctx);
    } catch (err) {
      ctx.rec.note(`fault ${kind} could not be completed: ${String(err)}`);
    }
    await recover(ctx, kind);
    await sleep(ctx.rand.int(1000, 3000));
  }
}
