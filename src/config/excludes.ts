import type { ExcludeRule } from '../core/series/mask.js';
import type { Parsed } from './parse.js';
import { parseTimeZone } from './schedules.js';

/**
 * Event masks, read once for every place they enter: an `exclude:` entry of the config, a
 * `--exclude FILE.yaml` of the offline commands and the body of `POST /v1/services/{name}/exclude`
 * all go through {@link parseExclude}, so that offline work and the service agree.
 */

/** Bounds where masks enter. */
export const EXCLUDE_LIMITS = Object.freeze({
  /** Masks of one service from the config (defaults and entry), and added at run time, each. */
  perService: 100,
  /** Longest range, seconds (the longest history kept: 90 days). */
  rangeSec: 90 * 86_400,
  /** Dates of one recurring rule. */
  dates: 366,
});

const NAME = /^[a-z0-9][a-z0-9 ._-]{0,62}$/i;
/** ISO-8601 date or date-time; a time needs its zone (Z or ±hh:mm), so that it means one instant. */
const ISO = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
const MONTH_DAY = /^(\d{2})-(\d{2})$/;
const DAYS_IN = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Years a range may lie in: outside them a date is a typo. */
const YEARS = { min: 2000, max: 2200 };

const fail = (error: string): Parsed<never> => ({ ok: false, error });

/** An ISO-8601 instant as unix seconds; the error names the field and the value. */
export function parseInstant(field: string, raw: unknown): Parsed<number> {
  const ms = typeof raw === 'string' && ISO.test(raw) ? Date.parse(raw) : Number.NaN;
  const year = new Date(ms).getUTCFullYear();
  if (!Number.isFinite(ms) || year < YEARS.min || year > YEARS.max) {
    return fail(
      `${field} ${JSON.stringify(raw)}: not an ISO-8601 time from ${YEARS.min} to ${YEARS.max} (e.g. 2026-11-27T18:00:00Z)`,
    );
  }
  return { ok: true, value: ms / 1000 };
}

function parseDates(raw: unknown): Parsed<Array<{ month: number; day: number }>> {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > EXCLUDE_LIMITS.dates) {
    return fail(`dates ${JSON.stringify(raw)?.slice(0, 80)}: not a list of 1 to ${EXCLUDE_LIMITS.dates} "MM-DD" days`);
  }
  const out: Array<{ month: number; day: number }> = [];
  for (const d of raw) {
    const m = typeof d === 'string' ? MONTH_DAY.exec(d) : null;
    const month = m ? Number(m[1]) : 0;
    const day = m ? Number(m[2]) : 0;
    if (month < 1 || month > 12 || day < 1 || day > DAYS_IN[month - 1]) {
      return fail(`dates: ${JSON.stringify(d)} is not a day "MM-DD" (e.g. "12-25")`);
    }
    out.push({ month, day });
  }
  return { ok: true, value: out };
}

/** One mask: `{ name, start, end }` (ISO-8601) or `{ name, dates: ["12-25"], timezone }`. */
export function parseExclude(raw: unknown): Parsed<ExcludeRule> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('not an object');
  const o = raw as Record<string, unknown>;
  if (typeof o.name !== 'string' || !NAME.test(o.name)) {
    return fail(`name ${JSON.stringify(o.name)}: not a name of letters, digits, space, ., - and _ (at most 63)`);
  }
  const name = o.name;
  const keys = Object.keys(o).filter((k) => k !== 'name');
  if ('dates' in o) {
    const extra = keys.filter((k) => k !== 'dates' && k !== 'timezone');
    if (extra.length) return fail(`${extra.join(', ')}: not a key of a recurring mask (dates, timezone)`);
    const dates = parseDates(o.dates);
    if (!dates.ok) return dates;
    const tz = parseTimeZone(o.timezone);
    if (!tz.ok) return tz;
    return { ok: true, value: { name, dates: dates.value, timeZone: tz.value } };
  }
  const extra = keys.filter((k) => k !== 'start' && k !== 'end');
  if (extra.length) return fail(`${extra.join(', ')}: not a key of a range mask (start, end)`);
  const start = parseInstant('start', o.start);
  if (!start.ok) return start;
  const end = parseInstant('end', o.end);
  if (!end.ok) return end;
  if (end.value <= start.value) return fail(`end ${String(o.end)} is not after start ${String(o.start)}`);
  if (end.value - start.value > EXCLUDE_LIMITS.rangeSec) {
    return fail(`from ${String(o.start)} to ${String(o.end)} is longer than ${EXCLUDE_LIMITS.rangeSec / 86_400} days`);
  }
  return { ok: true, value: { name, start: start.value, end: end.value } };
}

/** A list of masks (a config's `exclude:`, an `--exclude` file); errors name the entry's index. */
export function parseExcludes(raw: unknown, where: string): Parsed<ExcludeRule[]> {
  if (raw === undefined || raw === null || raw === '') return { ok: true, value: [] };
  const at = where ? `${where}: ` : '';
  if (!Array.isArray(raw)) return fail(`${at}not a list of masks`);
  if (raw.length > EXCLUDE_LIMITS.perService) {
    return fail(`${at}${raw.length} masks, above the limit of ${EXCLUDE_LIMITS.perService}`);
  }
  const out: ExcludeRule[] = [];
  for (const [i, r] of raw.entries()) {
    const p = parseExclude(r);
    if (!p.ok) return fail(`${at}entry ${i}: ${p.error}`);
    out.push(p.value);
  }
  return { ok: true, value: out };
}

/** A mask as written: what the API shows, the state file keeps and {@link parseExclude} reads. */
export type WrittenExclude =
  | { readonly name: string; readonly start: string; readonly end: string }
  | { readonly name: string; readonly dates: string[]; readonly timezone: string };

/** A mask as the API and messages show it: ISO-8601 times, "MM-DD" days. */
export function showExclude(r: ExcludeRule): WrittenExclude {
  if ('start' in r) {
    return { name: r.name, start: new Date(r.start * 1000).toISOString(), end: new Date(r.end * 1000).toISOString() };
  }
  const pad = (n: number) => String(n).padStart(2, '0');
  return { name: r.name, dates: r.dates.map((d) => `${pad(d.month)}-${pad(d.day)}`), timezone: r.timeZone };
}
