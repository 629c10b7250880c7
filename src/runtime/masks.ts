import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { describeError, PrescaleError } from '../core/domain/errors.js';
import type { ExcludeRule } from '../core/series/mask.js';
import { EXCLUDE_LIMITS, parseExclude, showExclude } from '../config/excludes.js';
import type { Logger } from '../observability/logger.js';
import type { StateFs } from './state.js';
import { writeAtomically } from './atomic-file.js';

/**
 * Event masks added at run time (`POST /v1/services/{name}/exclude`, e.g. right after an
 * incident), per service key, kept beside the planner state so that they survive restarts.
 * Ranges that ended before the longest history anyone keeps are dropped: they mask nothing.
 */
export interface MaskStore {
  list(key: string): readonly ExcludeRule[];
  /** Adds a range mask; throws E_INPUT past the per-service limit, E_STATE when it cannot be saved. */
  add(key: string, rule: ExcludeRule, now: number): void;
}

/** Masks in memory only (one-shot runs, tests). */
export class MemoryMaskStore implements MaskStore {
  protected readonly masks = new Map<string, ExcludeRule[]>();

  list(key: string): readonly ExcludeRule[] {
    return this.masks.get(key) ?? [];
  }

  add(key: string, rule: ExcludeRule, now: number): void {
    const kept = this.list(key).filter((r) => !('end' in r) || r.end > now - EXCLUDE_LIMITS.rangeSec);
    if (kept.length >= EXCLUDE_LIMITS.perService) {
      throw new PrescaleError('E_INPUT', `${key} has ${kept.length} masks already, the limit`);
    }
    const before = this.masks.get(key);
    this.masks.set(key, [...kept, rule]);
    try {
      this.save();
    } catch (err) {
      // not saved: not kept either, so that what the API says is what survives a restart
      if (before) this.masks.set(key, before);
      else this.masks.delete(key);
      throw err;
    }
  }

  protected save(): void {}
}

/** Bound on the file, as for the planner state: a larger one is not one prescale wrote. */
const FILE_BYTES = 16 * 1024 * 1024;

/**
 * Masks in `<dir>/exclusions.json`, read once and validated entry by entry with the parser of
 * the API and the config (a bad entry is dropped and said), saved atomically on every change:
 * a temp file written and fsynced, then renamed over the file.
 */
export class FileMaskStore extends MemoryMaskStore {
  readonly path: string;
  private readonly fs: StateFs;

  constructor(
    private readonly dir: string,
    options: { logger?: Logger; fs?: StateFs } = {},
  ) {
    super();
    this.fs = options.fs ?? nodeFs;
    this.path = join(dir, 'exclusions.json');
    let json: unknown;
    try {
      const size = this.fs.statSync(this.path).size;
      if (size > FILE_BYTES) throw new Error(`${size} bytes, more than ${FILE_BYTES}`);
      json = JSON.parse(this.fs.readFileSync(this.path, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        options.logger?.warn({ path: this.path, err: describeError(err) }, 'event masks unreadable: starting without');
      }
      return;
    }
    const entries = typeof json === 'object' && json !== null && !Array.isArray(json) ? Object.entries(json) : [];
    for (const [key, list] of entries) {
      const rules: ExcludeRule[] = [];
      for (const raw of Array.isArray(list) ? list.slice(0, EXCLUDE_LIMITS.perService) : []) {
        const r = parseExclude(raw);
        if (r.ok) rules.push(r.value);
        else options.logger?.warn({ path: this.path, service: key, why: r.error }, 'event mask dropped');
      }
      if (rules.length) this.masks.set(key, rules);
    }
  }

  protected override save(): void {
    const json = Object.fromEntries([...this.masks].map(([k, rules]) => [k, rules.map(showExclude)]));
    try {
      writeAtomically(this.fs, this.dir, this.path, JSON.stringify(json));
    } catch (err) {
      throw new PrescaleError('E_STATE', `${this.path}: ${describeError(err)}`, { cause: err });
    }
  }
}
