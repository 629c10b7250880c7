import { createHash } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { describeError, PrescaleError } from '../core/domain/errors.js';
import { isUsableValue, type RegularSeries } from '../core/domain/series.js';
import { DEFAULT_CYCLE } from '../config/defaults.js';
import type { Logger } from '../observability/logger.js';
import { writeAtomically } from './atomic-file.js';

/** Which series a stored history is, and when it was last written while its service existed. */
export interface StoredSeriesInfo {
  readonly id: string;
  readonly service: string;
  readonly metric: string;
  readonly query: string;
  /** Bucket step, seconds. */
  readonly step: number;
  /** Time of the first bucket. */
  readonly start: number;
  /** Unix seconds of the write (the cycle's time). */
  readonly seenAt: number;
}

/** Where bucketed history outlives the source's retention and restarts. */
export interface HistoryStore {
  /** The stored buckets of series `id` for `query`; undefined when none (or another query's). Never throws. */
  load(id: string, query: string): RegularSeries | undefined;
  /** Writes the buckets of one series atomically. Throws PrescaleError E_STATE when it cannot. */
  save(info: StoredSeriesInfo, values: readonly number[]): void;
  /** Deletes stored series not in `live` last written more than the grace period before `now`; returns how many. */
  sweep(live: ReadonlySet<string>, now: number): number;
  /** Adds a listener told of each stored file that was unreadable (and ignored). */
  onUnreadable?(listener: (path: string, why: string) => void): void;
}

/** Bounds where a stored file enters: larger is not one prescale wrote. */
export const HISTORY_STORE_LIMITS = { fileBytes: 16 * 1024 * 1024, points: 200_000 };

const File = z
  .object({
    v: z.literal(1),
    id: z.string().min(1),
    service: z.string(),
    metric: z.string(),
    query: z.string(),
    step: z.number().int().positive(),
    start: z.number().int(),
    seenAt: z.number(),
    /** The bucket means as little-endian float64 (NaN: no value), base64. */
    values: z.string().max(Math.ceil((HISTORY_STORE_LIMITS.points * 8) / 3) * 4),
  })
  .strict();

export interface FileHistoryStoreOptions {
  /** Stored series of services gone longer than this are deleted, seconds (default `cycle.historyGrace`'s). */
  readonly graceSec?: number;
  readonly logger?: Logger;
  readonly fs?: typeof nodeFs;
}

/**
 * Bucketed history in one small file per series under `dir` (the state directory's `history/`),
 * named by a hash of the series id (ids may be long and hold any character), holding the id, the
 * query, the bucket step and the buckets as base64 float64: about 43 KB for 14 days at 5 minutes.
 * Written atomically (temp file, fsync, rename). A file that cannot be read, or is not one of
 * these, is logged, counted and ignored (it is overwritten at the series' next write).
 */
export class FileHistoryStore implements HistoryStore {
  readonly graceSec: number;
  private readonly fs: typeof nodeFs;
  private readonly listeners: Array<(path: string, why: string) => void> = [];

  constructor(
    readonly dir: string,
    private readonly opts: FileHistoryStoreOptions = {},
  ) {
    this.graceSec = opts.graceSec ?? DEFAULT_CYCLE.historyGraceSec;
    this.fs = opts.fs ?? nodeFs;
  }

  /** The file of series `id`. */
  pathOf(id: string): string {
    return join(this.dir, `${fileName(id)}.json`);
  }

  onUnreadable(listener: (path: string, why: string) => void): void {
    this.listeners.push(listener);
  }

  load(id: string, query: string): RegularSeries | undefined {
    const read = this.read(this.pathOf(id));
    if (!read || read.info.id !== id || read.info.query !== query) return undefined;
    return { start: read.info.start, step: read.info.step, values: read.values };
  }

  save(info: StoredSeriesInfo, values: readonly number[]): void {
    const path = this.pathOf(info.id);
    const bytes = Buffer.from(Float64Array.from(values).buffer);
    const text = JSON.stringify({ v: 1, ...info, values: bytes.toString('base64') });
    try {
      writeAtomically(this.fs, this.dir, path, text);
    } catch (err) {
      throw new PrescaleError('E_STATE', `${path}: ${describeError(err)}`, { cause: err });
    }
  }

  sweep(live: ReadonlySet<string>, now: number): number {
    const keep = new Set([...live].map((id) => `${fileName(id)}.json`));
    let names: string[];
    try {
      names = this.fs.readdirSync(this.dir);
    } catch {
      return 0; // nothing stored yet
    }
    let removed = 0;
    for (const name of names) {
      if (!name.endsWith('.json') || keep.has(name)) continue;
      const path = join(this.dir, name);
      const read = this.read(path);
      if (!read || now - read.info.seenAt <= this.graceSec) continue;
      try {
        this.fs.rmSync(path, { force: true });
        removed++;
        this.opts.logger?.info(
          { series: read.info.id, seenAt: read.info.seenAt },
          'stored history of a gone service dropped',
        );
      } catch (err) {
        this.opts.logger?.warn({ path, err: describeError(err) }, 'could not drop stored history');
      }
    }
    return removed;
  }

  private read(path: string): { info: StoredSeriesInfo; values: number[] } | undefined {
    let json: unknown;
    try {
      const size = this.fs.statSync(path).size;
      if (size > HISTORY_STORE_LIMITS.fileBytes)
        throw new Error(`${size} bytes, more than ${HISTORY_STORE_LIMITS.fileBytes}`);
      json = JSON.parse(this.fs.readFileSync(path, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.unreadable(path, describeError(err));
      return undefined;
    }
    const parsed = File.safeParse(json);
    if (!parsed.success) {
      this.unreadable(path, z.prettifyError(parsed.error));
      return undefined;
    }
    const bytes = Buffer.from(parsed.data.values, 'base64');
    if (bytes.length % 8 !== 0) {
      this.unreadable(path, `values: ${bytes.length} bytes, not a whole number of float64`);
      return undefined;
    }
    const values = Array.from(new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)));
    const { v: _v, values: _values, ...info } = parsed.data;
    return { info, values: values.map((x) => (isUsableValue(x) ? x : Number.NaN)) };
  }

  private unreadable(path: string, why: string): void {
    this.opts.logger?.warn({ path, why }, 'stored history unreadable: ignored');
    for (const l of this.listeners) l(path, why);
  }
}

/** A file name for a series id: the first 32 hex digits of its SHA-256. */
function fileName(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 32);
}
