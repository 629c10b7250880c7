/**
 * The invariant checks, run continuously while the faults are injected: the engine's replicas
 * every second (bounds, never 0, and the quiet windows the faults declare), each instance's
 * /healthz every second with a 1 s timeout, and every 2 s its status, its records and its state
 * file. Every check is counted in the SoakRecord; a failed one is a violation with its evidence.
 */
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { composeReplicas, type Fixture } from './fixture.js';
import type { Instance, Instances, Recommendation, Status } from './instances.js';
import type { Invariant, SoakRecord } from './record.js';

/** The engine's replicas of every labelled service at one moment (read between start and end, ms). */
export interface Sample {
  readonly start: number;
  readonly end: number;
  readonly replicas: ReadonlyMap<string, number>;
}

/** The reasons of records that are not plans: a held service, or one whose planning failed. */
const NOT_PLANNED = ['HoldOnError', 'held', 'failed', 'skipped', 'gone'];

/** The cycle period of the instances' schedule. */
export const CYCLE_MS = 10_000;
const HEALTHZ_LIMIT_MS = 1000;

/** The [min, max] labels of each service over time, as the soak set them. */
export class BoundsBook {
  private readonly entries = new Map<string, Array<{ at: number; min: number; max: number }>>();

  set(key: string, min: number, max: number, at = Date.now()): void {
    this.entries.set(key, [...(this.entries.get(key) ?? []), { at, min, max }]);
  }

  current(key: string): { min: number; max: number } | undefined {
    return this.entries.get(key)?.at(-1);
  }

  /**
   * The widest bounds in force at some time in [from, to]: a label change takes effect at the
   * next cycle or event, so for a grace after it both the old and the new bounds are allowed.
   */
  allowed(key: string, from: number, to: number): { min: number; max: number } | undefined {
    const list = this.entries.get(key) ?? [];
    const inForce = list.filter((e, i) => e.at <= to && (i === list.length - 1 || list[i + 1].at >= from));
    if (!inForce.length) return undefined;
    return { min: Math.min(...inForce.map((e) => e.min)), max: Math.max(...inForce.map((e) => e.max)) };
  }
}

interface Exemption {
  readonly test: (key: string) => boolean;
  readonly from: number;
  to: number;
  readonly why: string;
}

/** Polls the engine and the instances and checks the invariants until stopped. */
export class Checker {
  readonly bounds = new BoundsBook();
  private readonly samples: Sample[] = [];
  private readonly exemptions: Exemption[] = [];
  /** State dirs whose file is being corrupted by the soak, until when (ms). */
  private readonly stateExempt = new Map<string, number>();
  private readonly seenCycle = new Map<Instance, number>();
  private stopped = false;
  private loops: Promise<void>[] = [];
  /** Engine reads that failed (the engine restarting): not checks. */
  engineMisses = 0;
  /**
   * The soak's own event-loop delay: evidence beside a slow /healthz that the machine was not
   * starving every process (the soak's loop is as idle as prescale's should be).
   */
  private readonly lag = monitorEventLoopDelay({ resolution: 20 });

  constructor(
    private readonly f: Fixture,
    private readonly instances: Instances,
    private readonly rec: SoakRecord,
  ) {
    for (const s of f.services) this.bounds.set(s.key, s.min, s.max, 0);
  }

  /** How long after a label change both bounds are allowed: a cycle, two cycles' work and a scale in flight. */
  labelGraceMs(): number {
    return CYCLE_MS + 2 * this.instances.recentCycleMs() + 3000;
  }

  start(): void {
    this.lag.enable();
    this.loops = [
      this.every(1000, () => this.checkEngine()),
      this.every(1000, () => this.healthTick()),
      this.every(2000, () => this.apiTick()),
    ];
  }

  async stop(): Promise<void> {
    this.lag.disable();
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async every(ms: number, fn: () => Promise<void>): Promise<void> {
    while (!this.stopped) {
      const t0 = Date.now();
      await fn().catch((err: unknown) => this.rec.note(`checker error: ${String(err)}`));
      await sleep(Math.max(0, ms - (Date.now() - t0)));
    }
  }

  /** Bounds and never-0 checks are skipped for keys matching `test` in [from, to] (to: open until closed). */
  exempt(test: (key: string) => boolean, why: string, from = Date.now(), to = Number.POSITIVE_INFINITY): Exemption {
    const e: Exemption = { test, from, to, why };
    this.exemptions.push(e);
    return e;
  }

  /** The state file under `dir` may not parse until `until` (ms): the soak is corrupting it. */
  exemptState(dir: string, until: number): void {
    this.stateExempt.set(dir, until);
  }

  /** A fresh engine sample now (e.g. the baseline of a window), or undefined while the engine is down. */
  async sample(): Promise<Sample | undefined> {
    const start = Date.now();
    try {
      const replicas = new Map<string, number>();
      const services = await this.f.docker.listServices({ filters: { label: ['prescale.enable=true'] } });
      for (const s of services) replicas.set(`swarm/${s.Spec?.Name}`, s.Spec?.Mode?.Replicated?.Replicas ?? -1);
      for (const [k, n] of await composeReplicas(this.f)) replicas.set(k, n);
      const sample = { start, end: Date.now(), replicas };
      this.samples.push(sample);
      while (this.samples.length && this.samples[0].start < Date.now() - 20 * 60_000) this.samples.shift();
      return sample;
    } catch {
      this.engineMisses++;
      return undefined;
    }
  }

  /** One engine sample, checked against the bounds in force and never 0. */
  async checkEngine(): Promise<void> {
    const s = await this.sample();
    if (!s) return;
    const grace = this.labelGraceMs();
    for (const [key, n] of s.replicas) {
      if (this.exemptions.some((e) => e.test(key) && e.from <= s.end && s.start <= e.to)) continue;
      const b = this.bounds.allowed(key, s.start - grace, s.end);
      if (!b) continue;
      this.rec.check('nonzero', n >= 1, () => `${key} at ${n} replicas`);
      this.rec.check(
        'bounds',
        n >= b.min && n <= b.max,
        () =>
          `${key} at ${n} replicas, outside [${b.min}, ${b.max}] (labels now ${JSON.stringify(this.bounds.current(key))})`,
        () => ({ key, replicas: n, allowed: b, leaderLog: this.instances.leader()?.tail(15) }),
      );
    }
  }

  /**
   * No replica of any service may change in [from, to] (ms). Checked once `to` has passed, on
   * the samples read entirely inside the window.
   */
  async quiet(kind: Extract<Invariant, 'quietPassive' | 'quietHeld'>, from: number, to: number, why: string) {
    while (Date.now() < to + 1500 && !this.stopped) await sleep(250);
    const inside = this.samples.filter((s) => s.start >= from && s.end <= to);
    if (inside.length < 2) {
      this.rec.note(`${kind} window (${why}) had ${inside.length} engine samples: not checked`);
      return;
    }
    const [first, ...rest] = inside;
    for (const s of rest)
      for (const [key, n] of s.replicas) {
        const was = first.replicas.get(key);
        if (was === undefined) continue;
        this.rec.check(
          kind,
          n === was,
          () => `${key} went ${was} → ${n} while ${why} (window ${((to - from) / 1000).toFixed(1)} s)`,
          () => ({
            key,
            was,
            now: n,
            at: s.start,
            from,
            to,
            logs: this.instances.running().map((i) => [i.name, i.tail(20)]),
          }),
        );
      }
    this.rec.note(`${kind} window checked: ${why}, ${((to - from) / 1000).toFixed(1)} s, ${inside.length} samples`);
  }

  private async healthTick(): Promise<void> {
    await Promise.all(this.instances.running().map((i) => this.healthz(i)));
  }

  private async healthz(inst: Instance): Promise<void> {
    if (inst.paused || inst.endedBySoak || Date.now() - inst.resumedAt < 1000) return;
    const asked = Date.now();
    const lagStart = performance.now();
    let status = 0;
    let error: string | undefined;
    try {
      const res = await fetch(`${inst.url}/healthz`, { signal: AbortSignal.timeout(HEALTHZ_LIMIT_MS) });
      status = res.status;
      await res.arrayBuffer();
    } catch (err) {
      error = (err as Error).name === 'TimeoutError' ? `no answer within ${HEALTHZ_LIMIT_MS} ms` : String(err);
    }
    const ms = performance.now() - lagStart;
    // only an instance that was up, and not signalled meanwhile, is judged
    if (!inst.running() || inst.paused || inst.endedBySoak || inst.resumedAt > asked) return;
    if (inst.upAt === undefined) {
      if (status === 200) inst.upAt = Date.now();
      return;
    }
    this.rec.check(
      'healthz',
      status === 200 && ms <= HEALTHZ_LIMIT_MS,
      () => `${inst.name} /healthz: ${error ?? `HTTP ${status} in ${Math.round(ms)} ms`}`,
      () => ({
        instance: inst.name,
        ms: Math.round(ms),
        status,
        error,
        loadavg: loadavg(),
        soakMaxLagMs: Math.round(this.lag.max / 1e6),
        tail: inst.tail(8),
      }),
    );
  }

  private async apiTick(): Promise<void> {
    this.lag.reset();
    const live = this.instances.running().filter((i) => !i.paused && !i.endedBySoak);
    const leaders: string[] = [];
    let polled = 0;
    await Promise.all(
      live.map(async (inst) => {
        const bad = inst.scan();
        if (bad.length)
          this.rec.check(
            'noCrash',
            false,
            () => `${inst.name} printed: ${bad[0]}`,
            () => bad,
          );
        const status = await getJson<Status>(`${inst.url}/v1/status`);
        if (!status) return;
        polled++;
        inst.status = status;
        if (status.mode === 'apply') {
          inst.wasLeader = true;
          leaders.push(inst.name);
        }
        await this.records(inst, status);
        await this.stateFile(inst);
      }),
    );
    if (polled >= 2)
      this.rec.check(
        'singleLeader',
        leaders.length <= 1,
        () => `instances in apply mode at once: ${leaders.join(', ')}`,
      );
  }

  /** The records of a cycle not seen yet: held ones keep their replicas; a non-acting instance applies nothing. */
  private async records(inst: Instance, status: Status): Promise<void> {
    if (status.lastCycleAt === undefined || this.seenCycle.get(inst) === status.lastCycleAt) return;
    const recs = await getJson<Recommendation[]>(`${inst.url}/v1/recommendations`);
    const again = await getJson<Status>(`${inst.url}/v1/status`);
    if (!recs || !again || again.lastCycleAt !== status.lastCycleAt) return;
    this.seenCycle.set(inst, status.lastCycleAt);
    for (const r of recs.filter((x) => x.reason === 'HoldOnError'))
      this.rec.check(
        'heldRecord',
        r.desiredReplicas === r.currentReplicas && !r.applied,
        () =>
          `${inst.name}: ${r.service} held but ${r.currentReplicas} → ${r.desiredReplicas}${r.applied ? ', applied' : ''}`,
        () => r,
      );
    const acting = inst.apply && (inst.wasLeader || status.mode !== 'passive' || again.mode !== 'passive');
    if (acting) return;
    for (const r of recs)
      this.rec.check(
        'notApplied',
        !r.applied,
        () => `${inst.name} (${status.mode}) applied ${r.service} ${r.currentReplicas} → ${r.desiredReplicas}`,
        () => r,
      );
  }

  private async stateFile(inst: Instance): Promise<void> {
    if ((this.stateExempt.get(inst.stateDir) ?? 0) > Date.now()) return;
    let text: string;
    try {
      text = await readFile(join(inst.stateDir, 'planner-state.json'), 'utf8');
    } catch {
      return; // not written yet
    }
    if ((this.stateExempt.get(inst.stateDir) ?? 0) > Date.now()) return;
    let ok = true;
    try {
      JSON.parse(text);
    } catch {
      ok = false;
    }
    this.rec.check(
      'stateParses',
      ok,
      () => `${inst.stateDir}/planner-state.json does not parse`,
      () => text.slice(0, 300),
    );
  }

  /** The leader's records and the engine agree and nothing is held, read consistently; undefined when not (yet). */
  async converged(inst: Instance): Promise<{ ok: boolean; detail: string } | undefined> {
    const before = await getJson<Status>(`${inst.url}/v1/status`);
    const recs = await getJson<Recommendation[]>(`${inst.url}/v1/recommendations`);
    const engine = await this.sample();
    const after = await getJson<Status>(`${inst.url}/v1/status`);
    if (!before || !recs || !engine || !after || before.lastCycleAt !== after.lastCycleAt) return undefined;
    if (before.mode !== 'apply') return { ok: false, detail: `${inst.name} is ${before.mode}` };
    // a record that is not a plan (held, failed, skipped, gone) has its status as its reason
    const off = recs.filter(
      (r) => NOT_PLANNED.includes(r.reason) || engine.replicas.get(r.service) !== r.desiredReplicas,
    );
    const missing = this.f.services.filter((s) => !recs.some((r) => r.service === s.key)).map((s) => s.key);
    const detail = [
      ...off.map(
        (r) => `${r.service}: ${r.reason}, engine ${engine.replicas.get(r.service)}, desired ${r.desiredReplicas}`,
      ),
      ...missing.map((k) => `${k}: no record`),
    ].join('; ');
    return { ok: off.length === 0 && missing.length === 0, detail };
  }
}

async function getJson<T>(url: string): Promise<T | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return res.ok ? ((await res.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}
