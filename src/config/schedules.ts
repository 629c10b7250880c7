import cron from 'node-cron';
import type { CronFields } from '../core/schedule/cron.js';
import type { ScheduleWindow } from '../core/schedule/windows.js';
import { isTimeZone } from '../core/schedule/zone.js';
import { POLICY_LIMITS } from './fields.js';
import { duration, wholeNumber, type Parsed } from './parse.js';

/**
 * Scheduled windows, read once for every place they enter: a `schedules:` entry of the config
 * (`defaults:` or a service) and a `prescale.schedule.<name>` label go through the same parser,
 * so both accept the same values and say the same thing about a bad one. They are lists, not one
 * value per service, so they sit beside the policy field table (fields.ts) rather than in it,
 * using its parsers for their durations and replica counts.
 */

/** Bounds of what a schedule may hold. */
export const SCHEDULE_LIMITS = Object.freeze({
  /** Windows per service (defaults, entry and labels together). */
  perService: 32,
  /** Shortest and longest window, seconds. */
  durationSec: { min: 60, max: 31 * 86_400 },
});

/** The label prefix: `prescale.schedule.<name>`. */
export const SCHEDULE_LABEL = 'prescale.schedule.';

const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/i;
const windowDuration = duration(SCHEDULE_LIMITS.durationSec);
const replicaCount = (min: number) => wholeNumber(min, POLICY_LIMITS.replicas);

/** The fields of a schedule as written, before they are read (YAML keys; a label is split into them). */
export interface RawSchedule {
  readonly name?: unknown;
  readonly cron?: unknown;
  readonly duration?: unknown;
  readonly timezone?: unknown;
  readonly min?: unknown;
  readonly max?: unknown;
}

const fail = (error: string): Parsed<never> => ({ ok: false, error });

/** A five-field cron expression, expanded by node-cron's parser; the error names the value. */
export function parseCron(raw: unknown): Parsed<CronFields> {
  const text = typeof raw === 'string' ? raw.trim() : '';
  const fields = text.split(/\s+/);
  if (fields.length !== 5) return fail(`cron ${JSON.stringify(raw)}: not five fields (minute hour day month weekday)`);
  const check = cron.validateDetailed(text);
  if (!check.valid) {
    return fail(`cron ${JSON.stringify(text)}: ${check.errors.map((e) => e.message).join('; ')}`);
  }
  const p = cron.parse(text);
  const numbers = (xs: ReadonlyArray<number | string>) =>
    xs.every((x) => typeof x === 'number') ? (xs as number[]) : undefined;
  const daysOfMonth = numbers(p.dayOfMonth);
  const daysOfWeek = numbers(p.dayOfWeek);
  if (!daysOfMonth || !daysOfWeek) return fail(`cron ${JSON.stringify(text)}: L and # days are not supported`);
  return {
    ok: true,
    value: {
      source: text,
      minutes: p.minute,
      hours: p.hour,
      daysOfMonth,
      months: p.month,
      daysOfWeek,
      anyDayOfMonth: fields[2] === '*',
      anyDayOfWeek: fields[4] === '*',
    },
  };
}

/** An IANA time zone name the runtime knows; absent: UTC. */
export function parseTimeZone(raw: unknown): Parsed<string> {
  if (raw === undefined || raw === '') return { ok: true, value: 'UTC' };
  if (typeof raw === 'string' && raw.length <= 64 && isTimeZone(raw)) return { ok: true, value: raw };
  return fail(`timezone ${JSON.stringify(raw)}: not an IANA time zone (e.g. Europe/Paris, UTC)`);
}

/** One window from its written fields; the error names the field and its value. */
export function parseSchedule(raw: RawSchedule): Parsed<ScheduleWindow> {
  if (typeof raw.name !== 'string' || !NAME.test(raw.name)) {
    return fail(`name ${JSON.stringify(raw.name)}: not a name of letters, digits, - and _ (at most 63)`);
  }
  const c = parseCron(raw.cron);
  if (!c.ok) return c;
  const d = windowDuration.parse(raw.duration);
  if (!d.ok) return fail(`duration ${JSON.stringify(raw.duration)}: ${d.error}`);
  const tz = parseTimeZone(raw.timezone);
  if (!tz.ok) return tz;
  const bound = (key: 'min' | 'max', least: number): Parsed<number | undefined> => {
    if (raw[key] === undefined) return { ok: true, value: undefined };
    const v = replicaCount(least).parse(raw[key]);
    return v.ok ? v : fail(`${key} ${JSON.stringify(raw[key])}: ${v.error}`);
  };
  const min = bound('min', 0);
  if (!min.ok) return min;
  const max = bound('max', 1);
  if (!max.ok) return max;
  if (min.value === undefined && max.value === undefined)
    return fail('neither min nor max: a window sets at least one');
  if (min.value !== undefined && max.value !== undefined && min.value > max.value) {
    return fail(`min ${min.value} is above max ${max.value}`);
  }
  return {
    ok: true,
    value: {
      name: raw.name,
      cron: c.value,
      durationSec: d.value,
      timeZone: tz.value,
      ...(min.value !== undefined && { min: min.value }),
      ...(max.value !== undefined && { max: max.value }),
    },
  };
}

/**
 * A `prescale.schedule.<name>` label: `<cron>|<duration>|<timezone>|min=<n>[,max=<n>]`; the
 * time zone may be left empty or out (UTC).
 */
export function parseScheduleLabel(name: string, text: string): Parsed<ScheduleWindow> {
  const parts = text.split('|').map((s) => s.trim());
  if (parts.length === 3 && parts[2].includes('=')) parts.splice(2, 0, '');
  if (parts.length !== 4) return fail('not <cron>|<duration>|<timezone>|min=<n>[,max=<n>]');
  const bounds: Record<string, string> = {};
  for (const kv of parts[3].split(',')) {
    const [k, v, ...rest] = kv.split('=').map((s) => s.trim());
    if ((k !== 'min' && k !== 'max') || v === undefined || rest.length || k in bounds) {
      return fail(`bounds ${JSON.stringify(parts[3])}: not min=<n>[,max=<n>]`);
    }
    bounds[k] = v;
  }
  return parseSchedule({ name, cron: parts[0], duration: parts[1], timezone: parts[2], ...bounds });
}

/** What the README says of the label, for its label table. */
export const SCHEDULE_LABEL_ROW = {
  label: `${SCHEDULE_LABEL}<name>`,
  key: 'schedules',
  doc: 'a scheduled window: its min/max hold while it is open (min from one startup delay before)',
  // the label's own `|` would split a Markdown table cell: its form is in "Scheduled windows"
  values: 'cron, duration, time zone, min/max: see "Scheduled windows"',
};
