/**
 * Wall-clock time in an IANA time zone, from the runtime's own zone data (Intl). A wall time is
 * held as the milliseconds it would be in UTC ("wall ms"), so that calendar arithmetic on it is
 * plain arithmetic. Pure: the same zone data give the same answers.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows `timeZone` (an IANA name such as `Europe/Paris`, or `UTC`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall time (as wall ms) of the instant `ms` in `timeZone`. */
export function wallOf(ms: number, timeZone: string): number {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(ms)) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) + (ms % 1000);
}

/**
 * The instant of a wall time in `timeZone`, resolved as Temporal's `disambiguation: 'compatible'`
 * (and RFC 5545) does: a time skipped by a spring-forward gap is moved later by the gap (02:30 →
 * 03:30), a time repeated by a fall-back is its first occurrence. Assumes at most one offset
 * change within a day of the time, which holds for every zone in the IANA database.
 */
export function instantOf(wall: number, timeZone: string): number {
  const DAY = 86_400_000;
  const before = wallOf(wall - DAY, timeZone) - (wall - DAY);
  const after = wallOf(wall + DAY, timeZone) - (wall + DAY);
  const candidates = [wall - before, wall - after].filter((t) => wallOf(t, timeZone) === wall);
  if (candidates.length) return Math.min(...candidates);
  // in a gap: the offset before the change puts the time after it, by the gap's length
  return wall - before;
}
