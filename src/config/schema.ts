import { readFileSync } from 'node:fs';
import cron from 'node-cron';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PrescaleError } from '../core/domain/errors.js';
import { API_TOKEN_LIMITS, apiTokenProblem } from './api-token.js';
import { DEFAULT_CYCLE } from './defaults.js';
import { POLICY_ENTRIES, SPEC_FIELDS, type PolicyKeys } from './fields.js';
import { parseMetricList, type MetricSpec } from './metrics.js';
import { duration, wholeNumber, type Parsed, type Parser } from './parse.js';
import type { LoadMetric } from './load-query.js';
import { parseExcludes } from './excludes.js';
import { SCHEDULE_LIMITS, parseSchedule, type RawSchedule } from './schedules.js';
import type { ExcludeRule } from '../core/series/mask.js';
import type { ScheduleWindow } from '../core/schedule/windows.js';

/**
 * The YAML configuration file, one schema. Loaded once, validated, frozen. Errors name the file
 * and the field path (`prescale.yaml: services.0.max: not a whole number >= 1`).
 * The per-service keys come from the field table (fields.ts), with the label parsers.
 */

/** A zod type that reads a value with one of the shared parsers (the label's error text). */
function fromParser<T>(parser: Parser<T>) {
  return z.unknown().transform((v, ctx): T => {
    const r = parser.parse(v);
    if (r.ok) return r.value;
    ctx.addIssue({ code: 'custom', message: r.error, input: v });
    return z.NEVER;
  });
}

const policyShape = Object.fromEntries(
  POLICY_ENTRIES.flatMap(([, f]) => (f.key === undefined ? [] : [[f.key, fromParser(f.parser).optional()]])),
);

/** A zod type that reads a value with a `Parsed` function (the schedules', the masks'). */
function fromParsed<T>(read: (v: unknown) => Parsed<T>) {
  return z.unknown().transform((v, ctx): T => {
    const r = read(v);
    if (r.ok) return r.value;
    ctx.addIssue({ code: 'custom', message: r.error, input: v });
    return z.NEVER;
  });
}

/** `schedules:` and `exclude:` of `defaults:` and of a service (lists beside the policy fields). */
const listShape = {
  schedules: z
    .array(fromParsed((v) => parseSchedule((typeof v === 'object' && v !== null ? v : {}) as RawSchedule)))
    .max(SCHEDULE_LIMITS.perService)
    .optional()
    .superRefine((ws, ctx) => {
      const seen = new Set<string>();
      for (const w of ws ?? []) {
        if (seen.has(w.name)) ctx.addIssue({ code: 'custom', message: `two schedules named ${w.name}`, input: w.name });
        seen.add(w.name);
      }
    }),
  exclude: fromParsed((v) => parseExcludes(v, '')).optional(),
};

/** Within one entry, max below min is a mistake in that entry (across entries: resolveSpec). */
function minNotAboveMax(entry: object, ctx: z.RefinementCtx): void {
  const o = entry as { min?: unknown; max?: unknown };
  if (typeof o.min === 'number' && typeof o.max === 'number' && o.min > o.max) {
    ctx.addIssue({ code: 'custom', path: ['max'], message: `below min (${o.min})`, input: o.max });
  }
}

/** The policy keys (the config's `defaults:`, a `simulate --policy` file): table keys and `model`. */
export type PolicyConfig = PolicyKeys & { readonly model?: string };
/** The config's `defaults:`: a policy, and the windows and masks of every service. */
export type DefaultsConfig = PolicyConfig & {
  readonly schedules?: readonly ScheduleWindow[];
  readonly exclude?: readonly ExcludeRule[];
};
/** A `services:` entry: a policy with the service's name and query. */
export type ServiceConfig = DefaultsConfig & {
  readonly name: string;
  readonly query?: string;
  readonly metric?: LoadMetric;
  readonly metrics?: readonly MetricSpec[];
};

const policyObject = z.object({ ...policyShape, model: fromParser(SPEC_FIELDS.model.parser).optional() }).strict();
const policy = policyObject.superRefine(minNotAboveMax) as unknown as z.ZodType<PolicyConfig>;
const defaults = policyObject
  .extend(listShape)
  .strict()
  .superRefine(minNotAboveMax) as unknown as z.ZodType<DefaultsConfig>;

const service = z
  .object({
    ...policyShape,
    ...listShape,
    model: fromParser(SPEC_FIELDS.model.parser).optional(),
    /** Swarm service name, or `project/service` for Compose. */
    name: z.string().min(1).max(256),
    query: fromParser(SPEC_FIELDS.query.parser).optional(),
    /** Several load metrics instead of `query` (src/config/metrics.ts). */
    metrics: z
      .unknown()
      .transform((v, ctx) => {
        const r = parseMetricList(v);
        if (r.ok) return r.value;
        ctx.addIssue({ code: 'custom', message: r.error, input: v });
        return z.NEVER;
      })
      .optional(),
    metric: fromParser(SPEC_FIELDS.metric.parser).optional(),
  })
  .strict()
  .superRefine(minNotAboveMax) as unknown as z.ZodType<ServiceConfig>;

/** Bounds of the cycle settings, seconds: what an operator could mean, and what fits in memory. */
export const CYCLE_LIMITS = Object.freeze({
  step: { min: 1, max: 3600 },
  history: { min: 1, max: 90 * 86_400 },
  horizon: { min: 1, max: 2 * 86_400 },
  refit: { min: 1, max: 7 * 86_400 },
  backtestFit: { min: 1, max: 7 * 86_400 },
  historyGrace: { min: 1, max: 365 * 86_400 },
  serviceDeadline: { min: 1, max: 600 },
  /** Samples per service that history / step may imply (14 days at 60 s: 20,160). */
  points: 200_000,
});

/** The cycle's durations, as the field table has the policy's: default and doc (bounds above). */
const CYCLE_FIELDS = {
  step: { default: DEFAULT_CYCLE.stepSec, doc: 'load query step (the resolution read from Prometheus)' },
  history: { default: DEFAULT_CYCLE.historySec, doc: 'history read at start-up and kept for fitting' },
  horizon: { default: DEFAULT_CYCLE.horizonSec, doc: 'forecast horizon' },
  refit: {
    default: DEFAULT_CYCLE.refitSec,
    doc: "time between model refits (the backtest's scores, the choice, the fits of newly chosen models)",
  },
  backtestFit: {
    default: DEFAULT_CYCLE.backtestFitSec,
    doc: 'time between fresh fits of every candidate (backtest) and chosen model; refits in between keep them',
  },
  historyGrace: {
    default: DEFAULT_CYCLE.historyGraceSec,
    doc: 'stored history of a service that is gone is deleted after this',
  },
  serviceDeadline: {
    default: DEFAULT_CYCLE.serviceDeadlineSec,
    doc: "longest a service's history fetch, then its forecast, may take (then: held, or reactive rules only)",
  },
} as const;

/** The cycle's bounds on concurrent work: whole numbers, with their bounds, default and doc. */
const CYCLE_COUNTS = {
  fetchConcurrency: {
    parser: wholeNumber(1, 256),
    default: DEFAULT_CYCLE.fetchConcurrency,
    doc: 'Prometheus requests in flight at once',
  },
  applyConcurrency: {
    parser: wholeNumber(1, 64),
    default: DEFAULT_CYCLE.applyConcurrency,
    doc: 'changes sent to the engines at once',
  },
  cpuThreads: {
    parser: wholeNumber(0, 64),
    default: undefined,
    doc: 'worker threads for forecasts and tunings; 0: all in the main thread, one service after another',
  },
  cpuTasks: {
    parser: wholeNumber(1, 4096),
    default: DEFAULT_CYCLE.cpuTasks,
    doc: 'forecasts handed to the worker threads at once (running or queued)',
  },
} as const;
const cycleCount = (k: 'fetchConcurrency' | 'applyConcurrency' | 'cpuTasks') =>
  fromParser(CYCLE_COUNTS[k].parser)
    .optional()
    .transform((v) => v ?? CYCLE_COUNTS[k].default);
const cycleParser = (k: keyof typeof CYCLE_FIELDS) => duration({ ...CYCLE_LIMITS[k], whole: true });
const cycleDuration = (k: keyof typeof CYCLE_FIELDS) =>
  fromParser(cycleParser(k))
    .optional()
    .transform((v) => v ?? CYCLE_FIELDS[k].default);

/** What is wrong with a node-cron expression, or undefined when it is valid. */
export function scheduleProblem(expr: string): string | undefined {
  return cron.validate(expr)
    ? undefined
    : `"${expr}" is not a cron expression (minute hour day month weekday, optionally seconds first; e.g. "* * * * *")`;
}

/**
 * Checks a cron expression where it enters (the config, the `--schedule` flag) rather than when
 * the scheduler starts. Returns it, or throws E_CONFIG naming `where`.
 */
export function validateSchedule(expr: string, where: string): string {
  const problem = scheduleProblem(expr);
  if (problem) throw new PrescaleError('E_CONFIG', `${where}: ${problem}`);
  return expr;
}

const cycle = z
  .object({
    step: cycleDuration('step'),
    history: cycleDuration('history'),
    horizon: cycleDuration('horizon'),
    schedule: z
      .string()
      .default(DEFAULT_CYCLE.schedule)
      .superRefine((s, ctx) => {
        const problem = scheduleProblem(s);
        if (problem) ctx.addIssue({ code: 'custom', message: problem, input: s });
      }),
    refit: cycleDuration('refit'),
    backtestFit: cycleDuration('backtestFit'),
    historyGrace: cycleDuration('historyGrace'),
    serviceDeadline: cycleDuration('serviceDeadline'),
    fetchConcurrency: cycleCount('fetchConcurrency'),
    applyConcurrency: cycleCount('applyConcurrency'),
    /** Absent: one per core. */
    cpuThreads: fromParser(CYCLE_COUNTS.cpuThreads.parser).optional(),
    cpuTasks: cycleCount('cpuTasks'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const points = Math.ceil(c.history / c.step);
    if (points > CYCLE_LIMITS.points) {
      ctx.addIssue({
        code: 'custom',
        path: ['history'],
        message: `history / step is ${points.toLocaleString('en-US')} samples, above the limit of ${CYCLE_LIMITS.points.toLocaleString('en-US')}: shorten the history or lengthen the step`,
        input: c.history,
      });
    }
  });

export const configSchema = z
  .object({
    prometheus: z.url().optional(),
    apiToken: z
      .string()
      .superRefine((t, ctx) => {
        const problem = apiTokenProblem(t);
        if (problem) ctx.addIssue({ code: 'custom', message: problem, input: t });
      })
      .optional(),
    stateDir: z.string().min(1).optional(),
    cycle: cycle.prefault({}),
    defaults: defaults.prefault({}),
    services: z.array(service).max(10_000).default([]),
  })
  .strict();

export type PrescaleConfig = z.infer<typeof configSchema>;

/**
 * The README's table of the cycle settings and the API token (section "Opting a service in"):
 * key, meaning, values, default. test/unit/config/schema.test.ts fails when the README differs.
 */
export function settingsTable(): string[][] {
  const g = (n: number) => n.toLocaleString('en-US');
  return [
    ['key', 'meaning', 'values', 'default'],
    ...(Object.keys(CYCLE_FIELDS) as Array<keyof typeof CYCLE_FIELDS>).map((k) => {
      const p = cycleParser(k);
      const extra = k === 'history' ? `; at most ${g(CYCLE_LIMITS.points)} samples (history / step)` : '';
      return [`\`cycle.${k}\``, CYCLE_FIELDS[k].doc, `${p.values}${extra}`, p.show(CYCLE_FIELDS[k].default)];
    }),
    ...(Object.keys(CYCLE_COUNTS) as Array<keyof typeof CYCLE_COUNTS>).map((k) => {
      const f = CYCLE_COUNTS[k];
      return [`\`cycle.${k}\``, f.doc, f.parser.values, f.default === undefined ? 'one per core' : String(f.default)];
    }),
    [
      '`cycle.schedule`',
      'node-cron expression of the planning cycle',
      'five fields, or six with seconds first',
      `\`${DEFAULT_CYCLE.schedule}\``,
    ],
    [
      '`apiToken`',
      'bearer token of `POST /v1/services/{name}/apply` and `/exclude`; `PRESCALE_API_TOKEN` wins unless empty',
      `${API_TOKEN_LIMITS.min} to ${g(API_TOKEN_LIMITS.max)} printable ASCII characters, no spaces`,
      'none (applying and masks through the API are off)',
    ],
  ];
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.values(o).forEach(deepFreeze);
    Object.freeze(o);
  }
  return o;
}

function issuesOf(error: z.ZodError, where: string): string {
  return error.issues.map((i) => `${where}: ${i.path.join('.') || '(top level)'}: ${i.message}`).join('\n');
}

/** Validates a parsed config object; `where` names its origin in errors. */
export function parseConfig(raw: unknown, where: string): PrescaleConfig {
  const res = configSchema.safeParse(raw ?? {});
  if (!res.success) throw new PrescaleError('E_CONFIG', issuesOf(res.error, where));
  return deepFreeze(res.data);
}

/**
 * YAML read with the failsafe schema: every scalar stays text, so `capacity: 0x10` or `1e3`
 * meets the same plain-decimal parser as the label `prescale.capacity=0x10` (YAML's core schema
 * would have turned them into 16 and 1000 before any check could see them).
 */
function readYaml(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PrescaleError('E_CONFIG', `${path}: cannot read the ${what} file${code ? ` (${code})` : ''}`, {
      cause: err,
    });
  }
  try {
    return parseYaml(text, { schema: 'failsafe' });
  } catch (err) {
    throw new PrescaleError('E_CONFIG', `${path}: not valid YAML: ${(err as Error).message}`, { cause: err });
  }
}

/** Reads and validates a YAML config file. */
export function loadConfig(path: string | undefined): PrescaleConfig {
  if (!path) return parseConfig({}, '(defaults)');
  return parseConfig(readYaml(path, 'config'), path);
}

/** A scaling policy on its own (the keys of the config's `defaults:`), e.g. for `simulate --policy`. */
export function loadPolicyFile(path: string): PolicyConfig {
  const res = policy.safeParse(readYaml(path, 'policy') ?? {});
  if (!res.success) throw new PrescaleError('E_CONFIG', issuesOf(res.error, path));
  return Object.freeze(res.data);
}

/** An `--exclude` file: a YAML list of masks, as the config's `exclude:` (read by the same parser). */
export function loadExcludeFile(path: string): ExcludeRule[] {
  const r = parseExcludes(readYaml(path, 'exclude'), path);
  if (!r.ok) throw new PrescaleError('E_CONFIG', r.error);
  return r.value;
}
