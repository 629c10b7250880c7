import type { CycleReport } from './cycle.js';
import type { ServiceStatus } from './report.js';

/** What readiness is judged on. Times in unix seconds. */
export interface ReadinessInput {
  /** The last finished cycle; undefined before the first. */
  readonly lastCycle?: Pick<CycleReport, 'at' | 'durationMs' | 'services'>;
  /** Why the planner state could not be saved last (StateStore.lastSaveError), if it could not. */
  readonly stateSaveError?: string;
  readonly now: number;
  /**
   * When the last cycle ended, on the clock of `now` (default: its `at` plus its duration). The
   * schedule runs in real time: when the planning clock does not (a test's fast clock), pass the
   * wall-clock end and the wall-clock now.
   */
  readonly lastCycleEndedAt?: number;
  /** Seconds between scheduled cycles (60 for the default `* * * * *`). */
  readonly cycleIntervalSec: number;
}

/** Why an instance is not ready, as a code. */
export type NotReadyCode = 'no_cycle_yet' | 'state_not_saved' | 'cycle_stuck' | 'all_services_held';

export interface Readiness {
  readonly ready: boolean;
  readonly code?: NotReadyCode;
  /** A sentence for /readyz and the log. */
  readonly reason?: string;
}

/** A cycle this many intervals overdue means the schedule is stuck. */
export const STUCK_AFTER_INTERVALS = 3;
/** ...but never less than this: a short schedule must not flap on one slow cycle. */
export const STUCK_AFTER_MIN_SEC = 60;

/** Statuses of a service whose replicas were kept because something failed. */
const ON_ERROR: readonly ServiceStatus[] = ['held', 'failed'];

/**
 * Whether the instance does its job, for `/readyz`. Not ready before the first cycle, while the
 * planner state cannot be saved (a restart would forget the stabilisation windows), when the last
 * cycle ended long ago (the schedule is stuck), or when every service of the last cycle was held
 * or failed on an error (e.g. Prometheus down: nothing is planned). Liveness is not judged here:
 * `/healthz` only says the process answers. Pure.
 */
export function readiness(input: ReadinessInput): Readiness {
  const { lastCycle, now } = input;
  if (!lastCycle) return notReady('no_cycle_yet', 'the first planning cycle has not finished yet');
  if (input.stateSaveError)
    return notReady('state_not_saved', `the planner state cannot be saved: ${input.stateSaveError}`);
  const endedAt = input.lastCycleEndedAt ?? lastCycle.at + lastCycle.durationMs / 1000;
  const limit = Math.max(STUCK_AFTER_INTERVALS * input.cycleIntervalSec, STUCK_AFTER_MIN_SEC);
  if (now - endedAt > limit)
    return notReady(
      'cycle_stuck',
      `the last planning cycle ended ${Math.round(now - endedAt)} s ago, more than ${limit} s: the schedule is stuck`,
    );
  const services = lastCycle.services;
  if (services.length > 0 && services.every((s) => ON_ERROR.includes(s.status))) {
    const first = services[0];
    return notReady(
      'all_services_held',
      `every service (${services.length}) was held or failed in the last cycle, e.g. ${first.key}: ${first.problems[0]?.message ?? first.message}`,
    );
  }
  return { ready: true };
}

function notReady(code: NotReadyCode, reason: string): Readiness {
  return { ready: false, code, reason };
}
