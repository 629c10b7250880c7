/**
 * What a soak run saw: the faults injected (time, kind, parameters), the checks made per
 * invariant, the violations with their evidence, and notes. Written to bench/out/soak.json.
 */

/** The invariants the soak checks, one code each. */
export const INVARIANTS = {
  bounds: 'replicas within the [min, max] the labels had at that moment',
  nonzero: 'no service at 0 replicas',
  quietPassive: 'no replica changed while only a recommend-mode or passive instance could act',
  quietHeld: 'no replica changed while the load was unknown (Prometheus out)',
  heldRecord: 'a held record keeps its replicas and applies nothing',
  notApplied: 'a recommend-mode or passive instance reports nothing applied',
  singleLeader: 'at most one instance in apply mode at a time',
  healthz: '/healthz answers 200 within 1 s whenever an instance is up',
  noCrash: 'no instance exits other than by the soak, no unhandled rejection',
  stateParses: 'the state file always parses as JSON',
  recovered: 'an instance is in apply mode again after each fault',
  converged: 'replicas equal the plan and nothing is held within two cycles after the faults stop',
} as const;
export type Invariant = keyof typeof INVARIANTS;

export interface FaultEntry {
  /** Seconds since the run started. */
  readonly t: number;
  readonly kind: string;
  readonly params: Record<string, unknown>;
}

export interface Violation {
  readonly t: number;
  readonly invariant: Invariant;
  readonly message: string;
  readonly evidence?: unknown;
}

/** Counts and evidence of one run. */
export class SoakRecord {
  readonly startedAt = Date.now();
  readonly faults: FaultEntry[] = [];
  readonly checks = Object.fromEntries(Object.keys(INVARIANTS).map((k) => [k, 0])) as Record<Invariant, number>;
  readonly violations: Violation[] = [];
  readonly notes: string[] = [];
  /** Violations per invariant beyond this many are counted but not kept. */
  private readonly keep = 50;
  private readonly dropped = Object.fromEntries(Object.keys(INVARIANTS).map((k) => [k, 0])) as Record<
    Invariant,
    number
  >;

  constructor(private readonly log: (line: string) => void = console.log) {}

  /** Seconds since the start, to the tenth. */
  now(): number {
    return Math.round((Date.now() - this.startedAt) / 100) / 10;
  }

  fault(kind: string, params: Record<string, unknown> = {}): void {
    this.faults.push({ t: this.now(), kind, params });
    this.log(`[${this.now().toFixed(1)} s] fault ${kind} ${JSON.stringify(params)}`);
  }

  note(text: string): void {
    this.notes.push(`[${this.now().toFixed(1)} s] ${text}`);
    this.log(`[${this.now().toFixed(1)} s] ${text}`);
  }

  /** One check of `invariant`: `ok`, or a violation with its message and evidence. */
  check(invariant: Invariant, ok: boolean, message?: () => string, evidence?: () => unknown): boolean {
    this.checks[invariant]++;
    if (ok) return true;
    const same = this.violations.filter((v) => v.invariant === invariant).length;
    if (same >= this.keep) {
      this.dropped[invariant]++;
      return false;
    }
    const v: Violation = {
      t: this.now(),
      invariant,
      message: message?.() ?? INVARIANTS[invariant],
      evidence: evidence?.(),
    };
    this.violations.push(v);
    this.log(`[${v.t.toFixed(1)} s] VIOLATION ${invariant}: ${v.message}`);
    return false;
  }

  /** Violations in all, kept or not. */
  violationCount(): number {
    return this.violations.length + Object.values(this.dropped).reduce((a, b) => a + b, 0);
  }

  violationsBy(invariant: Invariant): number {
    return this.violations.filter((v) => v.invariant === invariant).length + this.dropped[invariant];
  }

  passed(): number {
    return Object.values(this.checks).reduce((a, b) => a + b, 0) - this.violationCount();
  }

  /** The summary printed at the end; its last line is the `soak: N passed, N failed` CI reads. */
  summary(): string[] {
    const lines: string[] = [];
    const byKind = new Map<string, number>();
    for (const f of this.faults) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);
    lines.push(`faults injected: ${this.faults.length}`);
    for (const [k, n] of [...byKind].sort()) lines.push(`  ${k.padEnd(24)} ${n}`);
    lines.push('checks made (violations):');
    for (const k of Object.keys(INVARIANTS) as Invariant[])
      lines.push(`  ${k.padEnd(14)} ${String(this.checks[k]).padStart(8)} (${this.violationsBy(k)})  ${INVARIANTS[k]}`);
    if (this.violations.length) lines.push('violations:');
    for (const v of this.violations) lines.push(`  [${v.t.toFixed(1)} s] ${v.invariant}: ${v.message}`);
    lines.push(`soak: ${this.passed()} passed, ${this.violationCount()} failed`);
    return lines;
  }

  toJSON(extra: Record<string, unknown>) {
    return {
      ...extra,
      durationSec: this.now(),
      faults: this.faults,
      checks: this.checks,
      violationsByInvariant: Object.fromEntries(
        (Object.keys(INVARIANTS) as Invariant[]).map((k) => [k, this.violationsBy(k)]),
      ),
      passed: this.passed(),
      failed: this.violationCount(),
      violations: this.violations,
      notes: this.notes,
    };
  }
}
