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
 * `decisions` cycle outcomes, and the replica counts of the last `windowSec` as change points
 * (at most `replicaPoints`, one a minute for two days when they change every cycle).
 */
export interface TrailLimits {
  readonly decisions: number;
  readonly windowSec: number;
  readonly replicaPoints: number;
}

export const TRAIL_LIMITS: TrailLimits = Object.freeze({ decisions: 100, windowSec: 48 * 3600, replicaPoints: 2880 });

interface Entry {
  decisions: TrailEntry[];
  replicas: ReplicaPoint[];
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
    const live = new Set<string>();
    for (const s of report.services) {
      live.add(s.key);
      let e = this.byKey.get(s.key);
      if (!e) {
        e = { decisions: [], replicas: [] };
        this.byKey.set(s.key, e);
      }
      this.push(e, entryOf(s, report.at));
    }
    for (const key of this.byKey.keys()) if (!live.has(key)) this.byKey.delete(key);
  }

  /** The last `limit` outcomes of `key`, newest first. */
  decisions(key: string, limit: number = this.limits.decisions): TrailEntry[] {
    const d = this.byKey.get(key)?.decisions ?? [];
    return d.slice(Math.max(0, d.length - limit)).reverse();
  }

  /** The replica change points of `key` over the window, oldest first. */
  replicas(key: string): ReplicaPoint[] {
    return [...(this.byKey.get(key)?.replicas ?? [])];
  }

  private push(e: Entry, t: TrailEntry): void {
    e.decisions.push(t);
    if (e.decisions.length > this.limits.decisions) e.decisions.splice(0, e.decisions.length - this.limits.decisions);
    const last = e.replicas[e.replicas.length - 1];
    const finite = Number.isFinite(t.currentReplicas) && Number.isFinite(t.desiredReplicas);
    if (finite && (!last || last.currentReplicas !== t.currentReplicas || last.desiredReplicas !== t.desiredReplicas))
      e.replicas.push({ at: t.at, currentReplicas: t.currentReplicas, desiredReplicas: t.desiredReplicas });
    // the last point before the window is kept: it says the replicas at the window's start
    const from = t.at - this.limits.windowSec;
    let drop = 0;
    while (drop + 1 < e.replicas.length && e.replicas[drop + 1].at <= from) drop++;
    drop = Math.max(drop, e.replicas.length - this.limits.replicaPoints);
    if (drop > 0) e.replicas.splice(0, drop);
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
