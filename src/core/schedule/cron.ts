import { instantOf, wallOf } from './zone.js';

/**
 * Next occurrence of a five-field cron expression in a time zone. The fields come already
 * expanded (src/config/schedules.ts reads them with node-cron's parser); node-cron itself only
 * gives the next run from the system clock, and a window must be evaluated at any `now`, so the
 * search is here, pure. Semantics are Vixie cron's (crontab(5)): when both day of month and day
 * of week are restricted, a day matching either one matches. Wall times skipped or repeated by a
 * DST change resolve as zone.ts says (skipped: an hour later; repeated: the first one).
 */
export interface CronFields {
  /** The expression as written, for messages and the API. */
  readonly source: string;
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: readonly number[];
  /** 1–12. */
  readonly months: readonly number[];
  /** 0–6, Sunday 0. */
  readonly daysOfWeek: readonly number[];
  /** Whether day of month / day of week were `*` (then only the other one restricts). */
  readonly anyDayOfMonth: boolean;
  readonly anyDayOfWeek: boolean;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** How far ahead to look: past a leap day's every weekday combination (28 years), no cron is rarer. */
const MAX_DAYS = 366 * 28 + 7;

/**
 * How far from the wall time of `ms` another wall time may be and still map to an instant on
 * the other side of `ms`: the change of the zone's offset within a day around it (0 on most
 * days), and a minute. Bounds the scan without converting every minute of a day.
 */
function slackAt(ms: number, timeZone: string): number {
  const offset = (t: number) => wallOf(t, timeZone) - t;
  return Math.abs(offset(ms + DAY) - offset(ms - DAY)) + MINUTE;
}

function dayMatches(c: CronFields, wallDay: number): boolean {
  const d = new Date(wallDay);
  if (!c.months.includes(d.getUTCMonth() + 1)) return false;
  const dom = c.daysOfMonth.includes(d.getUTCDate());
  const dow = c.daysOfWeek.includes(d.getUTCDay());
  if (c.anyDayOfMonth) return dow;
  if (c.anyDayOfWeek) return dom;
  return dom || dow;
}

/** The first instant (ms) strictly after `afterMs` that `c` names in `timeZone`; undefined if none within 28 years. */
export function nextOccurrence(c: CronFields, afterMs: number, timeZone: string): number | undefined {
  const afterWall = wallOf(afterMs, timeZone);
  const from = afterWall - slackAt(afterMs, timeZone);
  const firstDay = Math.floor(afterWall / DAY) * DAY - DAY;
  let best: number | undefined;
  let until = Number.POSITIVE_INFINITY;
  for (let day = firstDay, n = 0; n < MAX_DAYS && day <= until; day += DAY, n++) {
    if (!dayMatches(c, day)) continue;
    for (const h of c.hours) {
      // a whole hour too early to reach past `after`, even shifted by a DST change
      if (day + (h + 1) * HOUR < from) continue;
      for (const m of c.minutes) {
        const wall = day + h * HOUR + m * MINUTE;
        if (wall > until) return best;
        if (wall < from) continue;
        const t = instantOf(wall, timeZone);
        if (t > afterMs && (best === undefined || t < best)) {
          best = t;
          until = wall + slackAt(t, timeZone);
        }
      }
    }
  }
  return best;
}
