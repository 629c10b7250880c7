/**
 * The faults, one at a time: each is injected, logged with its time and parameters, declares the
 * windows in which the checker must see no change (or must not judge), and ends only once an
 * instance is in apply mode again. One at a time, so that a label change never lands while
 * Prometheus is out: a held service keeps its replicas, and new bounds are judged once it plans.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSwarmService, restartEngine } from '../../test/support/docker.js';
import { labelsOf, QUERY_STEP, type Fixture, type SoakService } from './fixture.js';
import type { Instance, Instances, Status } from './instances.js';
import type { Checker } from './invariants.js';
import type { Random } from './random.js';
import type { SoakRecord } from './record.js';

export interface FaultContext {
  readonly f: Fixture;
  readonly instances: Instances;
  readonly checker: Checker;
  readonly rec: SoakRecord;
  readonly rand: Random;
  readonly lockTtlSec: number;
  /** The instance on the tmpfs state dir that the soak keeps as the leader between faults. */
  main: Instance;
}

interface Fault {
  /** A bound on how long it takes, seconds (a fault that would not fit in the run is not started). */
  readonly maxSec: number;
  run(ctx: FaultContext): Promise<void>;
}

/** Polls `fn` every 250 ms until true or `ms` pass; says which. */
export async function waitFor(fn: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await Promise.resolve(fn()).catch(() => false)) return true;
    await sleep(250);
  }
  return false;
}

async function statusOf(inst: Instance): Promise<Status | undefined> {
  try {
    const res = await fetch(`${inst.url}/v1/status`, { signal: AbortSignal.timeout(3000) });
    return res.ok ? ((await res.json()) as Status) : undefined;
  } catch {
    return undefined;
  }
}

async function modeOf(inst: Instance): Promise<string | undefined> {
  return (await statusOf(inst))?.mode;
}

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

/** Starts a new main instance (the leader's successor) on the tmpfs state dir. */
async function restartMain(ctx: FaultContext): Promise<Instance> {
  ctx.main = await ctx.instances.start('main', true, ctx.f.stateDir);
  return ctx.main;
}

/**
 * After SIGKILL of the leader at `killedAt` and its successor's start at `startedAt`: no one may
 * act until the successor has seen the dead lease unchanged for a whole TTL.
 */
function successorWindow(ctx: FaultContext, killedAt: number, startedAt: number, why: string): Promise<void> {
  return ctx.checker.quiet('quietPassive', killedAt + 2000, startedAt + ctx.lockTtlSec * 1000 - 1000, why);
}

async function killRestart(ctx: FaultContext): Promise<void> {
  const downMs = ctx.rand.int(0, 3000);
  ctx.rec.fault('kill-restart', { instance: ctx.main.name, downMs });
  const killedAt = Date.now();
  ctx.main.signal('SIGKILL');
  await sleep(downMs);
  const startedAt = Date.now();
  await restartMain(ctx);
  await successorWindow(ctx, killedAt, startedAt, 'the leader was killed and its successor waited out the lease');
}

/** Bad contents for the state file. */
function corrupt(kind: string, text: string): string | Buffer {
  const now = Date.now() / 1000;
  switch (kind) {
    case 'truncate':
      return text.slice(0, Math.floor(text.length / 2));
    case 'garbage':
      return randomBytes(512);
    case 'empty':
      return '';
    default:
      // JSON, but not planner state: wrong types, an absurd recommendation, null
      return JSON.stringify({
        'swarm/s01': { recommendations: [{ at: now - 5, replicas: 1e9 }], lastScaleAt: 'soon' },
        'swarm/s02': { recommendations: 'none', forecastError: -1 },
        'swarm/s03': null,
        'swarm/s04': { recommendations: [{ at: 'x', replicas: 'many' }] },
      });
  }
}

async function corruptState(ctx: FaultContext): Promise<void> {
  const kind = ctx.rand.pick(['truncate', 'garbage', 'empty', 'wrong-shape']);
  const atRestart = ctx.rand.next() < 0.5;
  const file = join(ctx.f.stateDir, 'planner-state.json');
  ctx.rec.fault('corrupt-state', { kind, when: atRestart ? 'read at a restart' : 'while running', file });
  const text = await readFile(file, 'utf8').catch(() => '{}');
  const bad = corrupt(kind, text);
  ctx.checker.exemptState(ctx.f.stateDir, Date.now() + 120_000);
  let window: Promise<void> = Promise.resolve();
  if (atRestart) {
    const killedAt = Date.now();
    ctx.main.signal('SIGKILL');
    await writeFile(file, bad);
    const startedAt = Date.now();
    await restartMain(ctx);
    window = successorWindow(ctx, killedAt, startedAt, 'the leader was killed; its successor read a corrupt state');
  } else {
    await writeFile(file, bad);
  }
  // the next cycle's save replaces it (JSON of the wrong shape parses already: it must change)
  const rewritten = await waitFor(
    async () => {
      const now = await readFile(file, 'utf8');
      JSON.parse(now);
      return now !== bad.toString();
    },
    ctx.lockTtlSec * 1000 + 60_000,
  );
  ctx.checker.exemptState(ctx.f.stateDir, 0);
  if (atRestart) {
    const said = ctx.main.served
      .output()
      .split('\n')
      .find((l) => l.includes('planner state'));
    ctx.rec.note(`${ctx.main.name} on the ${kind} state file: ${said?.slice(0, 300) ?? 'said nothing about it'}`);
  }
  ctx.rec.check('stateParses', rewritten, () => `the state file was not rewritten after it was corrupted (${kind})`);
  await window;
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

async function secondRecommend(ctx: FaultContext): Promise<void> {
  const stopMs = ctx.rand.int(12_000, 16_000);
  const dir = mkdtempSync(join(ctx.f.work, 'state-'));
  const b = await ctx.instances.start('recommend', false, dir);
  ctx.rec.fault('second-instance-recommend', { instance: b.name, leaderStoppedMs: stopMs });
  try {
    await waitFor(async () => b.upAt !== undefined && (await statusOf(b))?.lastCycleAt !== undefined, 60_000);
    const stoppedAt = Date.now();
    ctx.main.signal('SIGSTOP');
    await sleep(stopMs);
    const contAt = Date.now();
    ctx.main.signal('SIGCONT');
    await ctx.checker.quiet(
      'quietPassive',
      stoppedAt + 2000,
      contAt,
      'the leader was stopped; a recommend-mode instance ran',
    );
  } finally {
    if (ctx.main.paused) ctx.main.signal('SIGCONT');
    await ctx.instances.stop(b);
  }
}

/** The lease's version in the engine (a Swarm config), or undefined. */
async function leaseVersion(f: Fixture): Promise<number | undefined> {
  try {
    const info = (await f.docker.getConfig('prescale-leader').inspect()) as { Version?: { Index?: number } };
    return info.Version?.Index;
  } catch {
    return undefined;
  }
}

async function secondApply(ctx: FaultContext): Promise<void> {
  const dir = mkdtempSync(join(ctx.f.work, 'state-'));
  const b = await ctx.instances.start('second', true, dir);
  const actMs = ctx.rand.int(2000, 5000);
  ctx.rec.fault('second-instance-apply', { instance: b.name, leader: ctx.main.name, secondActsMs: actMs });
  const a = ctx.main;
  try {
    await waitFor(async () => {
      const st = await statusOf(b);
      return b.upAt !== undefined && st?.mode === 'passive' && st.lastCycleAt !== undefined;
    }, 60_000);
    // stop the leader right after a renewal: the lease then stays unchanged a whole TTL before a takeover
    const v0 = await leaseVersion(ctx.f);
    await waitFor(async () => (await leaseVersion(ctx.f)) !== v0, ctx.lockTtlSec * 1000);
    const stoppedAt = Date.now();
    a.signal('SIGSTOP');
    const window = ctx.checker.quiet(
      'quietPassive',
      stoppedAt + 2000,
      stoppedAt + ctx.lockTtlSec * 1000 - 1000,
      'the leader was stopped; the second --apply instance waited out the lease',
    );
    const took = await waitFor(async () => (await modeOf(b)) === 'apply', ctx.lockTtlSec * 1000 + 30_000);
    ctx.rec.check(
      'recovered',
      took,
      () => `${b.name} did not take over the lease of the stopped leader ${a.name}`,
      () => b.tail(20),
    );
    await window;
    await sleep(actMs);
    a.signal('SIGCONT');
    await sleep(4000);
  } finally {
    if (a.paused) a.signal('SIGCONT');
    // SIGTERM releases the lease: the old leader takes it back
    await ctx.instances.stop(b);
  }
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
