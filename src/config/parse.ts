import type { QuantileName } from '../core/domain/forecast.js';

/**
 * The value parsers shared by labels and the YAML config, so that both accept exactly the same
 * values: one definition of "a whole number >= 1", "a duration", "a number in (0, 1]", with its
 * bounds. A label is text; a YAML value is text too (the config is read with YAML's failsafe
 * schema, see schema.ts), or a number or boolean when a config object is built in code. Each
 * parser says what it expects in one phrase, used in its error (`not a whole number >= 1`); a value
 * past an upper bound is told so with the bound (`above the limit of 100,000`).
 */

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface Parser<T> {
  /** What a valid value is, e.g. `a whole number >= 1`. */
  readonly expects: string;
  /** The values it takes with their bounds, for the docs (`whole number >= 1, at most 100,000`). */
  readonly values: string;
  /** Reads a label's text or a YAML value. */
  parse(raw: unknown): Parsed<T>;
  /** A value as the docs show it (`5m`, `no limit`). */
  show(value: T): string;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(p: { expects: string }): Parsed<T> => ({ ok: false, error: `not ${p.expects}` });
/** Above a bound: said apart from a malformed value, with the bound. */
const tooLarge = <T>(limit: string): Parsed<T> => ({ ok: false, error: `above the limit of ${limit}` });

/**
 * Plain decimal numbers only (`150`, `0.5`): `Number()` would also take `0x10`, `1e3`, ` 5 `,
 * `Infinity` and the empty string, none of which an operator means as a size.
 */
const DECIMAL = /^\d+(?:\.\d+)?$/;

/** A number from text or a number; undefined when it is neither a plain decimal nor finite. */
function numberOf(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === 'string' && DECIMAL.test(raw)) {
    const v = Number(raw);
    return Number.isFinite(v) ? v : undefined;
  }
  return undefined;
}

/** Groups of three digits, so that a bound reads as 100,000 and not 100000. */
const grouped = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 6 });

/** A whole number in [min, max]; `Infinity` (a default, never parsed) shows as `no limit`. */
export function wholeNumber(min: number, max: number): Parser<number> {
  const p: Parser<number> = {
    expects: `a whole number >= ${min}`,
    values: `whole number >= ${min}, at most ${grouped(max)}`,
    parse: (raw) => {
      const v = numberOf(raw);
      if (v === undefined || !Number.isSafeInteger(v) || v < min) return fail(p);
      return v > max ? tooLarge(grouped(max)) : ok(v);
    },
    show: (v) => (v === Number.POSITIVE_INFINITY ? 'no limit' : String(v)),
  };
  return p;
}

/**
 * A plain decimal number with bounds: `min` inclusive unless `above` (then strictly greater),
 * `max` inclusive when given. The phrase names the range the way an operator reads it.
 */
export function decimal(o: { min: number; above?: boolean; max?: number; expects: string }): Parser<number> {
  const p: Parser<number> = {
    expects: o.expects,
    values: o.expects.replace(/^an? /, ''),
    parse: (raw) => {
      const v = numberOf(raw);
      if (v === undefined || (o.above ? v <= o.min : v < o.min) || (o.max !== undefined && v > o.max)) return fail(p);
      return ok(v);
    },
    show: (v) => String(v),
  };
  return p;
}

const UNIT_SEC: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };
const DURATION = /^(\d+(?:\.\d+)?)(s|m|h|d)?$/;

/** Seconds as the docs write them: the largest unit that divides them (`300` → `5m`). */
export function showDuration(sec: number): string {
  if (sec === 0) return '0';
  for (const unit of ['d', 'h', 'm'] as const) if (sec % UNIT_SEC[unit] === 0) return `${sec / UNIT_SEC[unit]}${unit}`;
  return `${sec}s`;
}

/**
 * A duration in seconds: a number (seconds) or text `90`, `90s`, `5m`, `1h`, `2d`, from `min` to
 * `max` seconds; `whole` asks for whole seconds (cycle settings, which count Prometheus steps).
 */
export function duration(o: { min: number; max: number; whole?: boolean }): Parser<number> {
  const p: Parser<number> = {
    expects: `a duration${o.whole ? ' in whole seconds' : ''} (e.g. 90, 90s, 5m, 1h)`,
    values: `${o.whole ? 'whole ' : ''}seconds or \`90s\`, \`5m\`, \`1h\`, \`1d\`; ${o.min > 0 ? `from ${showDuration(o.min)} to` : 'up to'} ${showDuration(o.max)}`,
    parse: (raw) => {
      let sec: number | undefined;
      if (typeof raw === 'number') sec = Number.isFinite(raw) ? raw : undefined;
      else if (typeof raw === 'string') {
        const m = DURATION.exec(raw);
        sec = m ? Number(m[1]) * UNIT_SEC[m[2] ?? 's'] : undefined;
      }
      if (sec === undefined || (o.whole && !Number.isInteger(sec))) return fail(p);
      if (sec < o.min) return { ok: false, error: `below the minimum of ${showDuration(o.min)}` };
      return sec > o.max ? tooLarge(showDuration(o.max)) : ok(sec);
    },
    show: showDuration,
  };
  return p;
}

/** `true` or `false` (any case). */
export const bool: Parser<boolean> = {
  expects: 'true or false',
  values: '`true`, `false`',
  parse: (raw) => {
    if (typeof raw === 'boolean') return ok(raw);
    if (typeof raw === 'string' && /^(true|false)$/i.test(raw)) return ok(raw.toLowerCase() === 'true');
    return fail(bool);
  },
  show: String,
};

/** One of a few names. */
export function oneOf<T extends string>(names: readonly T[]): Parser<T> {
  const p: Parser<T> = {
    expects: names.join(' or '),
    values: names.map((n) => `\`${n}\``).join(', '),
    parse: (raw) => (names.includes(raw as T) ? ok(raw as T) : fail(p)),
    show: (v) => v,
  };
  return p;
}

export const quantile: Parser<QuantileName> = oneOf<QuantileName>(['p50', 'p90']);

/** Non-empty text of at most `max` characters, trimmed. */
export function text(max: number): Parser<string> {
  const p: Parser<string> = {
    expects: `a non-empty text of at most ${grouped(max)} characters`,
    values: `text, at most ${grouped(max)} characters`,
    parse: (raw) => {
      const v = typeof raw === 'string' ? raw.trim() : '';
      return v !== '' && v.length <= max ? ok(v) : fail(p);
    },
    show: (v) => v,
  };
  return p;
}
