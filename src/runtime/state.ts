import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { describeError, PrescaleError } from '../core/domain/errors.js';
import type { PlannerState } from '../core/planner/plan.js';
import { METRIC_LIMITS } from '../config/metrics.js';
import type { Logger } from '../observability/logger.js';
import { writeAtomically } from './atomic-file.js';

/** Where planner state lives between cycles and across restarts. */
export interface StateStore {
  get(key: string): PlannerState | undefined;
  set(key: string, state: PlannerState): void;
  /** Persists what changed (no-op for memory). Throws PrescaleError E_STATE when it cannot. */
  flush(): void;
  /**
   * Why the last save failed (the path and the OS error); undefined when it worked or none was
   * tried. For readiness and metrics.
   */
  readonly lastSaveError?: string;
}

/** State in memory only (one-shot runs, tests). */
export class MemoryStateStore implements StateStore {
  protected readonly states = new Map<string, PlannerState>();
  /** Services with a state. */
  get size(): number {
    return this.states.size;
  }
  get(key: string): PlannerState | undefined {
    return this.states.get(key);
  }
  set(key: string, state: PlannerState): void {
    this.states.set(key, state);
  }
  flush(): void {}
}

/** An entry of the state file that was dropped or repaired on load, and why. */
export interface StateIssue {
  readonly key: string;
  readonly why: string;
}

/** What {@link readPlannerStates} kept of a parsed state file. */
export interface ReadStates {
  readonly states: Map<string, PlannerState>;
  /** Entries that are not a planner state at all: dropped. */
  readonly dropped: StateIssue[];
  /** Entries kept with a field dropped or clamped. */
  readonly repaired: StateIssue[];
}

/** Bounds where the state enters: a file or list larger than this is not one prescale wrote. */
export const STATE_LIMITS = { fileBytes: 64 * 1024 * 1024, recommendations: 100_000, forecastPoints: 100_000 };

const Entry = z.object({
  recommendations: z.array(z.unknown()).max(STATE_LIMITS.recommendations),
  lastScaleAt: z.unknown().optional(),
  lastForecast: z.unknown().optional(),
  forecastError: z.unknown().optional(),
  metrics: z.unknown().optional(),
});
// z.number() refuses NaN and ±Infinity (1e999 parses to Infinity; JSON.stringify writes NaN as null)
const Recommendation = z.object({ at: z.number(), replicas: z.number().int().nonnegative() });
const LastForecast = z.object({
  start: z.number(),
  step: z.number().positive(),
  p50: z.array(z.number()).max(STATE_LIMITS.forecastPoints),
});

const MetricMemories = z
  .record(
    z.string().max(METRIC_LIMITS.nameLength),
    z.object({ lastForecast: LastForecast.optional(), forecastError: z.number().nonnegative().optional() }).strict(),
  )
  .refine((r) => Object.keys(r).length <= METRIC_LIMITS.perService, 'too many metrics');

/**
 * The planner states of a parsed state file, each validated: an entry of the wrong shape is
 * dropped, a field that is not a finite number (or not the right shape) is dropped, and a time
 * after `now` (unix seconds) is clamped to `now` (a clock that ran ahead would otherwise hold a
 * cooldown or a stabilisation window for as long). Pure.
 */
export function readPlannerStates(json: unknown, now: number): ReadStates {
  const out: ReadStates = { states: new Map(), dropped: [], repaired: [] };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    out.dropped.push({ key: '(file)', why: `expected an object of planner states, got ${kindOf(json)}` });
    return out;
  }
  for (const [key, value] of Object.entries(json)) {
    const entry = Entry.safeParse(value);
    if (!entry.success) {
      const why = entry.error.issues.map((i) => `${i.path.join('.') || '(entry)'}: ${i.message}`).join('; ');
      out.dropped.push({ key, why: `not a planner state (${kindOf(value)}): ${why}` });
      continue;
    }
    const fixes: string[] = [];
    const state = repair(entry.data, now, fixes);
    out.states.set(key, state);
    if (fixes.length) out.repaired.push({ key, why: fixes.join('; ') });
  }
  return out;
}

function repair(e: z.infer<typeof Entry>, now: number, fixes: string[]): PlannerState {
  const clamp = (what: string, t: number) => {
    if (t <= now) return t;
    fixes.push(`${what} ${t} is after now (${now}): clamped`);
    return now;
  };
  const recommendations: { at: number; replicas: number }[] = [];
  let bad = 0;
  for (const r of e.recommendations) {
    const ok = Recommendation.safeParse(r);
    if (ok.success) recommendations.push({ at: clamp('a recommendation at', ok.data.at), replicas: ok.data.replicas });
    else bad++;
  }
  if (bad) fixes.push(`${bad} recommendations not {at, replicas} of finite numbers: dropped`);
  const state: { -readonly [K in keyof PlannerState]: PlannerState[K] } = { recommendations };
  const field = <T>(name: string, value: unknown, schema: z.ZodType<T>): T | undefined => {
    if (value === undefined) return undefined;
    const ok = schema.safeParse(value);
    if (ok.success) return ok.data;
    fixes.push(`${name} ${JSON.stringify(value)?.slice(0, 80)} is not valid: dropped`);
    return undefined;
  };
  const lastScaleAt = field('lastScaleAt', e.lastScaleAt, z.number());
  if (lastScaleAt !== undefined) state.lastScaleAt = clamp('lastScaleAt', lastScaleAt);
  const lastForecast = field('lastForecast', e.lastForecast, LastForecast);
  if (lastForecast) state.lastForecast = lastForecast;
  const forecastError = field('forecastError', e.forecastError, z.number().nonnegative());
  if (forecastError !== undefined) state.forecastError = forecastError;
  // several load metrics: each one's forecast memory, checked as the top level's
  const metrics = field('metrics', e.metrics, MetricMemories);
  if (metrics) state.metrics = metrics;
  return state;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  return Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

/** The file-system calls of {@link FileStateStore}, injectable so that tests can fail them (a full disk). */
export type StateFs = Pick<
  typeof nodeFs,
  | 'mkdirSync'
  | 'statSync'
  | 'readFileSync'
  | 'openSync'
  | 'writeFileSync'
  | 'fsyncSync'
  | 'closeSync'
  | 'renameSync'
  | 'rmSync'
>;

export interface FileStateOptions {
  /** Now (unix seconds) at load, from the service's clock: later times in the file are clamped to it. */
  readonly now: number;
  /** Told of each entry dropped or repaired on load. */
  readonly logger?: Logger;
  readonly fs?: StateFs;
}

/**
 * State in one JSON file under a directory, so that stabilisation windows, last actions and
 * forecast errors survive a restart. Loaded once, validated (see readPlannerStates): a missing
 * file starts empty, an unreadable one starts empty with `loadError` and stays as it is until the
 * first save. Saved after each cycle that changed something, atomically: a temp file is written
 * and fsynced, then renamed over the file; on any failure the temp file is removed, `flush()`
 * throws E_STATE naming the path and the OS error, and `lastSaveError` says so until a save works.
 */
export class FileStateStore extends MemoryStateStore {
  /** The JSON file. */
  readonly path: string;
  /** Why the file could not be read (it was left as it is); undefined when read or missing. */
  readonly loadError?: string;
  /** Entries of the file that were not planner states, dropped on load. */
  readonly droppedEntries: readonly StateIssue[] = [];
  /** Entries kept with a field dropped or a future time clamped. */
  readonly repairedEntries: readonly StateIssue[] = [];
  private saveError?: string;
  private dirty = false;
  private readonly fs: StateFs;

  constructor(
    private readonly dir: string,
    options: FileStateOptions,
  ) {
    super();
    this.fs = options.fs ?? nodeFs;
    this.path = join(dir, 'planner-state.json');
    let json: unknown;
    try {
      const size = this.fs.statSync(this.path).size;
      if (size > STATE_LIMITS.fileBytes) throw new Error(`${size} bytes, more than ${STATE_LIMITS.fileBytes}`);
      json = JSON.parse(this.fs.readFileSync(this.path, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.loadError = `${this.path}: ${describeError(err)}`;
      return;
    }
    const read = readPlannerStates(json, options.now);
    for (const [k, v] of read.states) this.states.set(k, v);
    this.droppedEntries = read.dropped;
    this.repairedEntries = read.repaired;
    for (const { key, why } of read.dropped)
      options.logger?.warn({ path: this.path, service: key, why }, 'planner state entry dropped');
    for (const { key, why } of read.repaired)
      options.logger?.warn({ path: this.path, service: key, why }, 'planner state entry repaired');
  }

  get lastSaveError(): string | undefined {
    return this.saveError;
  }

  override set(key: string, state: PlannerState): void {
    super.set(key, state);
    this.dirty = true;
  }

  override flush(): void {
    if (!this.dirty) return;
    try {
      writeAtomically(this.fs, this.dir, this.path, JSON.stringify(Object.fromEntries(this.states)));
    } catch (err) {
      this.saveError = `${this.path}: ${describeError(err)}`;
      throw new PrescaleError('E_STATE', this.saveError, { cause: err });
    }
    this.dirty = false;
    this.saveError = undefined;
    this.syncDir();
  }

  /** Makes the rename durable (POSIX: fsync the directory); some file systems refuse, harmlessly. */
  private syncDir(): void {
    try {
      const fd = this.fs.openSync(this.dir, 'r');
      try {
        this.fs.fsyncSync(fd);
      } finally {
        this.fs.closeSync(fd);
      }
    } catch {
      // the file is renamed in place already; only its durability across a power cut is at stake
    }
  }
}
