/**
 * The prescale instances of a soak, driven as black boxes: the built CLI (`bin/prescale.js
 * serve`) through test/support/serve.ts, each with its own port, state dir and log file. The soak
 * says which exits it caused; any other exit is a crash.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { serve, type Served } from '../../test/support/serve.js';
import type { SoakRecord } from './record.js';

export interface InstanceOptions {
  readonly prometheus: string;
  readonly dockerHost: string;
  readonly config: string;
  readonly schedule: string;
  readonly lockTtl: number;
  readonly logDir: string;
}

/** What GET /v1/status says (the fields the soak reads). */
export interface Status {
  readonly mode: 'apply' | 'passive' | 'recommend';
  readonly lastCycleAt?: number;
  readonly lock?: { readonly leader: boolean; readonly holder?: string; readonly self: string };
}

/** One record of GET /v1/recommendations. */
export interface Recommendation {
  readonly service: string;
  readonly currentReplicas: number;
  readonly desiredReplicas: number;
  readonly reason: string;
  readonly applied: boolean;
}

/** Log lines that mean a promise was rejected with nobody to catch it (Node's own wording). */
const UNHANDLED = /unhandled ?(promise )?rejection|UnhandledPromiseRejection|triggerUncaughtException/i;

export class Instance {
  /** Set when the soak sends a signal that ends it (SIGKILL, SIGTERM). */
  endedBySoak?: NodeJS.Signals;
  /** True while SIGSTOPped by the soak; `resumedAt` is when it was last SIGCONTed. */
  paused = false;
  resumedAt = 0;
  /** When /healthz first answered: before that it is starting, not up. */
  upAt?: number;
  /** Ever seen in apply mode. */
  wasLeader = false;
  status?: Status;
  readonly startedAt = Date.now();
  /** Durations of its finished cycles, ms, and when each ended (its log lines). */
  readonly cycles: Array<{ at: number; ms: number }> = [];
  /** Every finished cycle, also those across a pause (to tell when it was busy). */
  readonly allCycles: Array<{ at: number; ms: number }> = [];
  /** When it was SIGSTOPped and SIGCONTed: a cycle across a pause measures the pause. */
  private readonly pauses: Array<{ from: number; to: number }> = [];
  private scanned = 0;
  private readonly log: WriteStream;

  constructor(
    readonly name: string,
    readonly apply: boolean,
    readonly stateDir: string,
    readonly served: Served,
    logFile: string,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
    served.proc.stdout?.on('data', (b: Buffer) => this.log.write(b));
    served.proc.stderr?.on('data', (b: Buffer) => this.log.write(b));
  }

  get url(): string {
    return this.served.url;
  }

  get pid(): number | undefined {
    return this.served.proc.pid;
  }

  running(): boolean {
    return this.served.proc.exitCode === null && this.served.proc.signalCode === null;
  }

  /** Sends `signal`; SIGKILL and SIGTERM are recorded as the soak's own ending of it. */
  signal(signal: NodeJS.Signals): void {
    if (!this.running()) return;
    if (signal === 'SIGKILL' || signal === 'SIGTERM') this.endedBySoak = signal;
    if (signal === 'SIGSTOP') {
      this.paused = true;
      this.pauses.push({ from: Date.now(), to: Number.POSITIVE_INFINITY });
    }
    this.served.proc.kill(signal);
    if (signal === 'SIGCONT') {
      this.paused = false;
      this.resumedAt = Date.now();
      const last = this.pauses.at(-1);
      if (last) last.to = this.resumedAt;
    }
  }

  /**
   * Reads the log lines printed since the last call: cycle durations, and lines that tell of an
   * unhandled rejection (returned).
   */
  scan(): string[] {
    const text = this.served.output();
    const end = text.lastIndexOf('\n') + 1;
    const fresh = text.slice(this.scanned, end);
    this.scanned = Math.max(this.scanned, end);
    const bad: string[] = [];
    for (const line of fresh.split('\n')) {
      if (!line) continue;
      if (UNHANDLED.test(line)) bad.push(line.slice(0, 500));
      if (!line.startsWith('{')) continue;
      try {
        const j = JSON.parse(line) as { msg?: string; ms?: number; time?: number };
        const at = j.time ?? Date.now();
        const ms = j.ms ?? 0;
        const acrossPause = this.pauses.some((p) => p.from <= at && at - ms <= p.to);
        if (j.msg !== 'cycle done' && j.msg !== 'slow cycle') continue;
        this.allCycles.push({ at, ms });
        if (!acrossPause) this.cycles.push({ at, ms });
      } catch {
        // a line cut by a kill
      }
    }
    return bad;
  }

  /** The last `n` lines it printed, for evidence. */
  tail(n = 30): string[] {
    return this.served.output().trimEnd().split('\n').slice(-n);
  }

  close(): void {
    this.log.end();
  }
}

/** Starts, tracks and ends the instances; reports an exit the soak did not cause as a crash. */
export class Instances {
  readonly all: Instance[] = [];
  private count = 0;

  constructor(
    private readonly opts: InstanceOptions,
    private readonly rec: SoakRecord,
  ) {}

  /** Starts `prescale serve` (with --apply when `apply`) on `stateDir`. */
  async start(name: string, apply: boolean, stateDir: string): Promise<Instance> {
    const o = this.opts;
    const args = [
      ...(apply ? ['--apply', '--lock-ttl', String(o.lockTtl)] : []),
      '--prometheus',
      o.prometheus,
      '--config',
      o.config,
      '--schedule',
      o.schedule,
      '--state-dir',
      stateDir,
    ];
    const served = await serve(args, { env: { DOCKER_HOST: o.dockerHost } });
    const label = `${name}#${++this.count}`;
    const inst = new Instance(label, apply, stateDir, served, join(o.logDir, `${label}.log`));
    this.all.push(inst);
    this.rec.note(`started ${label} (pid ${inst.pid}, ${apply ? '--apply' : 'recommend'}, ${inst.url})`);
    void served.exited.then((code) => this.exited(inst, code));
    return inst;
  }

  private exited(inst: Instance, code: number | null): void {
    const signal = inst.served.proc.signalCode;
    inst.close();
    const expected =
      (inst.endedBySoak === 'SIGKILL' && signal === 'SIGKILL') || (inst.endedBySoak === 'SIGTERM' && code === 0);
    this.rec.check(
      'noCrash',
      expected,
      () =>
        `${inst.name} exited (code ${code}, signal ${signal}) ${inst.endedBySoak ? `after the soak sent ${inst.endedBySoak}` : 'on its own'}`,
      () => ({ instance: inst.name, code, signal, tail: inst.tail(40) }),
    );
    if (expected) this.rec.note(`${inst.name} ended (${signal ?? `exit ${code}`})`);
  }

  running(): Instance[] {
    return this.all.filter((i) => i.running());
  }

  /** The running instance last seen in apply mode, if any. */
  leader(): Instance | undefined {
    return this.running().find((i) => !i.paused && i.status?.mode === 'apply');
  }

  /**
   * The longest of the last `n` cycles of every running instance, ms, but for each one's first
   * (it fits every service; no fault is injected before the leader has finished it): how long a
   * cycle in flight may take now.
   */
  recentCycleMs(n = 3): number {
    return Math.max(
      0,
      ...this.running().flatMap((i) =>
        i.cycles
          .slice(1)
          .slice(-n)
          .map((c) => c.ms),
      ),
    );
  }

  /**
   * Marks each slow /healthz answer that came while its instance was running a cycle (the
   * cycle's fitting and tuning run on the event loop), and says how many did.
   */
  attributeHealthz(): void {
    const slow = this.rec.violations.filter((v) => v.invariant === 'healthz');
    let during = 0;
    for (const v of slow) {
      const e = v.evidence as { instance?: string; duringCycleMs?: number } | undefined;
      const inst = this.all.find((i) => i.name === e?.instance);
      const end = this.rec.startedAt + v.t * 1000;
      const cycle = inst?.allCycles.find((c) => c.at - c.ms <= end && end - 1500 <= c.at);
      if (e && cycle) {
        e.duringCycleMs = cycle.ms;
        during++;
      }
    }
    if (slow.length)
      this.rec.note(`healthz: ${during} of the ${slow.length} slow answers kept came while that instance ran a cycle`);
  }

  /** Ends `inst` with SIGTERM (SIGKILL after `ms`) and waits for it. */
  async stop(inst: Instance, ms = 15_000): Promise<void> {
    if (inst.paused) inst.signal('SIGCONT');
    inst.signal('SIGTERM');
    const timer = setTimeout(() => {
      this.rec.check(
        'noCrash',
        false,
        () => `${inst.name} did not exit within ${ms / 1000} s of SIGTERM`,
        () => inst.tail(20),
      );
      inst.signal('SIGKILL');
    }, ms);
    await inst.served.exited;
    clearTimeout(timer);
  }

  /** SIGKILLs whatever still runs (teardown). */
  async killAll(): Promise<void> {
    for (const i of this.running()) {
      if (i.paused) i.signal('SIGCONT');
      i.signal('SIGKILL');
    }
    await Promise.all(this.all.map((i) => i.served.exited));
  }
}
