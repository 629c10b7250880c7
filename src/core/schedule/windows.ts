import { PrescaleError } from '../domain/errors.js';
import { nextOccurrence, type CronFields } from './cron.js';

/**
 * Scheduled windows: times the operator knows about (a sale, a batch run, a maintenance), each
 * opening on a cron in a time zone for a duration, with the replica bounds that hold while it is
 * open, as AWS scheduled actions, GCP scaling schedules and KEDA's cron scaler give. Pure: the
 * time comes in.
 */
export interface ScheduleWindow {
  readonly name: string;
  readonly cron: CronFields;
  readonly durationSec: number;
  /** IANA time zone the cron is read in. */
  readonly timeZone: string;
  /** Fewest replicas while open (and from one lead time before, so that they are ready). */
  readonly min?: number;
  /** Most replicas while open. */
  readonly max?: number;
}

/** A bound set by a window, and which one. */
export interface WindowBound {
  readonly value: number;
  readonly window: string;
}

/** The bounds the windows set at one instant; absent: the policy's own. */
export interface WindowBounds {
  readonly min?: WindowBound;
  readonly max?: WindowBound;
  /** Windows open now, or about to open within the lead time (their min already holds). */
  readonly active: readonly string[];
}

/** The first opening of `w` strictly after `t` (unix seconds), or undefined when it never opens again. */
export function nextOpening(w: ScheduleWindow, t: number): number | undefined {
  const ms = nextOccurrence(w.cron, t * 1000, w.timeZone);
  return ms === undefined ? undefined : Math.floor(ms / 1000);
}

/**
 * The bounds at `now` (unix seconds). A window's min holds from `leadSec` before it opens until
 * it closes, so that replicas asked for then are ready when it opens; its max only while it is
 * open (a lower cap ahead of time would take away replicas still needed). Overlapping windows
 * combine by the largest min and the smallest max; when two open windows leave that range empty
 * they cannot both hold, and that is E_CONFIG naming both. A min still only pre-warming gives way
 * to the max of a window open now (a maintenance that ends as a sale begins).
 */
export function windowBounds(windows: readonly ScheduleWindow[], now: number, leadSec: number): WindowBounds {
  let open: WindowBound | undefined;
  let early: WindowBound | undefined;
  let max: WindowBound | undefined;
  const active: string[] = [];
  const higher = (b: WindowBound | undefined, value: number, window: string) =>
    !b || value > b.value ? { value, window } : b;
  for (const w of windows) {
    // the first opening after (now − duration) is the only one that can cover now or the lead
    const o = nextOpening(w, now - w.durationSec);
    if (o === undefined || o > now + leadSec) continue;
    active.push(w.name);
    if (w.min !== undefined) {
      if (o <= now) open = higher(open, w.min, w.name);
      else early = higher(early, w.min, w.name);
    }
    if (o <= now && w.max !== undefined && (!max || w.max < max.value)) max = { value: w.max, window: w.name };
  }
  if (open && max && open.value > max.value) {
    throw new PrescaleError(
      'E_CONFIG',
      `schedules ${open.window} (min ${open.value}) and ${max.window} (max ${max.value}) overlap with no replica count between them`,
    );
  }
  let min = early && (!open || early.value > open.value) ? early : open;
  if (min && max && min.value > max.value) min = { value: max.value, window: max.window };
  return { ...(min && { min }), ...(max && { max }), active };
}
