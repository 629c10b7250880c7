/**
 * The faults that end or stop prescale instances, or start more of them: SIGKILL and restart,
 * a corrupt state file read live or at a restart, a second instance in recommend mode or with
 * --apply beside the leader. Each declares the window in which no instance may act.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { modeOf, statusOf, waitFor, type FaultContext } from './context.js';
import type { Fixture } from './fixture.js';
import type { Instance } from './instances.js';

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

export async function killRestart(ctx: FaultContext): Promise<void> {
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

export async function corruptState(ctx: FaultContext): Promise<void> {
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

export async function secondRecommend(ctx: FaultContext): Promise<void> {
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

export async function secondApply(ctx: FaultContext): Promise<void> {
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
