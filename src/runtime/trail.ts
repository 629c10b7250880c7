import type { ReasonCode } from '../core/domain/decision.js';
import type { CycleReport, ServiceReport, ServiceStatus } from './report.js';

/** One cycle's outcome for one service, as the trail keeps it. */
export interface TrailEntry {
  /** When it was decided (unix seconds, the planning clock). */
  readonly at: number;
  readonly status: ServiceStatus;
  readonly currentReplicas: number;
  readonly desiredReplicas: number;
  /** The rule that set the number last (absent when nothing was planned, e.g. skipped). */
  readonly reason?: ReasonCode;
  /** Every rule that touched the number, in the order applied. */
  readonly reasons: readonly ReasonCode[];
  readonly applied: boolean;
  readonly message: string;
}

/** Replicas from `at` until the next point. */
export interface ReplicaPoint {
  readonly at: number;
  readonly currentReplicas: number;
  readonly desiredReplicas: number;
}

/**
 * What the trail keeps per service, so that memory stays bounded whatever the uptime: the last
 * `decisions` cycle outcomes, and the replica counts of the last `windowSec` as change points, at
 * most one per `pointGapSec` (a change within it updates the point: the chart's grid is no finer)
 * and at most `replicaPoints` in all.
 */
export interface TrailLimits {
  readonly decisions: number;
  readonly windowSec: number;
  readonly pointGapSec: number;
  readonly replicaPoints: number;
}

export const TRAIL_LIMITS: TrailLimits = Object.freeze({
  decisions: 100,
  windowSec: 48 * 3600,
  pointGapSec: 300,
  replicaPoints: 577,
});

/** Replica change points as parallel arrays of numbers: a few bytes a point, not an object each. */
interface Points {
  at: number[];
  current: number[];
  desired: number[];
}

interface Entry {
  decisions: TrailEntry[];
  replicas: Points;
}

/**
 * The recent decisions and replica counts of every service, in the memory of the serving process
 * (not saved: a restart starts them afresh), fed one cycle report at a time. Services that are
 * no longer reported are forgotten.
 */
export class DecisionTrail {
  private readonly byKey = new Map<string, Entry>();

  constructor(private readonly limits: TrailLimits = TRAIL_LIMITS) {}

  /** Records every service of a finished cycle. */
  record(report: CycleReport): void {
    for (const s of report.services) this.recordService(report.at, s);
    this.retain(new Set(report.services.map((s) => s.key)));
  }

  /** One service's outcome of the cycle at `at` (record, service by service). */
  recordService(at: number, s: ServiceReport): void {
    let e = this.byKey.get(s.key);
    if (!e) {
      e = { decisions: [], replicas: { at: [], current: [], desired: [] } };
      this.byKey.set(s.key, e);
    }
    this.push(e, entryOf(s, at));
  }

  /** Forgets the services not in `live`. */
  retain(live: ReadonlySet<string>): void {
    for (const key of this.byKey.keys()) if (!live.has(key)) this.byKey.delete(key);
  }

  /** The last `limit` outcomes of `key`, newest first. */
  decisions(key: string, limit: number = this.limits.decisions): TrailEntry[] {
    const d = this.byKey.get(key)?.decisions ?? [];
    return d.slice(Math.max(0, d.length - limit)).reverse();
  }

  /** The replica change points of `key` over the window, oldest first. */
  replicas(key: string): ReplicaPoint[] {
    const p = this.byKey.get(key)?.replicas;
    if (!p) return [];
    return p.at.map((at, i) => ({ at, currentReplicas: p.current[i], desiredReplicas: p.desired[i] }));
  }

  private push(e: Entry, t: TrailEntry): void {
    e.decisions.push(t);
    if (e.decisions.length > this.limits.decisions) e.decisions.splice(0, e.decisions.length - this.limits.decisions);
    const p = e.replicas;
    const n = p.at.length;
    const finite = Number.isFinite(t.currentReplicas) && Number.isFinite(t.desiredReplicas);
    const changed = !n || p.current[n - 1] !== t.currentReplicas || p.desired[n - 1] !== t.desiredReplicas;
    if (finite && changed) {
      if (n && t.at - p.at[n - 1] < this.limits.pointGapSec) {
        // within the gap the last point takes the new counts (it says the last counts of its span)
        p.current[n - 1] = t.currentReplicas;
        p.desired[n - 1] = t.desiredReplicas;
        const back = n > 1 && p.current[n - 2] === t.currentReplicas && p.desired[n - 2] === t.desiredReplicas;
        if (back) for (const arr of [p.at, p.current, p.desired]) arr.pop();
      } else {
        p.at.push(t.at);
        p.current.push(t.currentReplicas);
        p.desired.push(t.desiredReplicas);
      }
    }
    // the last point before the window is kept: it says the replicas at the window's start
    const from = t.at - this.limits.windowSec;
    let drop = 0;
    while (drop + 1 < p.at.length && p.at[drop + 1] <= from) drop++;
    drop = Math.max(drop, p.at.length - this.limits.replicaPoints);
    if (drop > 0) for (const a of [p.at, p.current, p.desired]) a.splice(0, drop);
  }
}

function entryOf(s: ServiceReport, at: number): TrailEntry {
  const d = s.decision;
  return {
    at: d?.at ?? at,
    status: s.status,
    currentReplicas: s.currentReplicas,
    desiredReplicas: s.desiredReplicas,
    ...(d && { reason: d.reason }),
    reasons: d ? [...d.reasons] : [],
    applied: s.applied,
    message: s.message,
  };
}
