import type { MetricsSource } from '../adapters/sources/port.js';
import { describeError, isPrescaleError } from '../core/domain/errors.js';
import type { Logger } from '../observability/logger.js';
import { CHECK_BUCKETS, leanPlan, sameMean, type RawReason } from './history-lean.js';
import {
  appendSamples,
  bucketsEnd,
  emptyHistory,
  fillFromStore,
  setBuckets,
  trimBefore,
  viewOf,
  type BucketedHistory,
  type HistoryView,
} from './history-series.js';
import type { HistoryStore } from './history-store.js';

/** A series of a service: its load by default; several metrics of one service are several series. */
export interface SeriesKey {
  readonly service: string;
  readonly metric?: string;
}

/** The metric name of a service's load query. */
export const DEFAULT_METRIC = 'load';

/** The one string a series is kept under, in the cache and in the store. */
export function seriesId(key: string | SeriesKey): string {
  const k = typeof key === 'string' ? { service: key } : key;
  return `${k.service}|${k.metric ?? DEFAULT_METRIC}`;
}

/** What a fetch gave: the history (undefined: no sample at all) and the samples the source left out this time. */
export interface FetchedHistory {
  readonly view?: HistoryView;
  readonly dropped?: number;
}

export interface HistoryCacheOptions {
  /** Where bucketed history outlives the source's retention and restarts. */
  readonly store?: HistoryStore;
  /** Longest time a series' new buckets wait before being written to the store, seconds. Default 1 h. */
  readonly persistEverySec?: number;
  readonly logger?: Logger;
}

interface Entry {
  readonly service: string;
  readonly metric: string;
  readonly query: string;
  readonly h: BucketedHistory;
  /** bucketsEnd at the last write to the store. */
  savedEnd: number;
  nextSave: number;
}

/**
 * History per series, on the forecast step: fetched whole on first use (averaged by the source
 * when that is exact, see history-lean.ts, and merged with the store), then only the new samples
 * at the query step, folded into buckets as they complete and trimmed to the window. Memory per
 * series: window / bucket step buckets and at most one bucket of raw samples.
 */
export class HistoryCache {
  private readonly entries = new Map<string, Entry>();
  /** Queries the source refused or averaged differently: fetched raw from then on. */
  private readonly rawQueries = new Map<string, RawReason>();
  private readonly persistEverySec: number;
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly source: MetricsSource,
    private readonly windowSec: number,
    private readonly stepSec: number,
    private readonly opts: HistoryCacheOptions = {},
  ) {
    this.persistEverySec = opts.persistEverySec ?? 3600;
  }

  /** Series held. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The history of `key` up to `now`. Throws what the source throws (the cache is kept).
   */
  async get(key: string | SeriesKey, query: string, now: number, signal?: AbortSignal): Promise<FetchedHistory> {
    const step = this.stepSec;
    const end = Math.floor(now / step) * step;
    const from = end - this.windowSec;
    const id = seriesId(key);
    const cached = this.entries.get(id);
    if (!cached || cached.query !== query) {
      const { h, dropped } = await this.first(id, query, from, end, signal);
      const k = typeof key === 'string' ? { service: key } : key;
      const entry: Entry = {
        service: k.service,
        metric: k.metric ?? DEFAULT_METRIC,
        query,
        h,
        savedEnd: Number.NaN,
        nextSave: nextTurn(id, now, this.persistEverySec),
      };
      this.entries.set(id, entry);
      return { view: viewOf(h), ...(dropped && { dropped }) };
    }
    const h = cached.h;
    trimBefore(h, from);
    const fetchFrom = h.latest && h.latest.at >= from ? h.latest.at + step : from;
    let dropped = 0;
    if (fetchFrom <= end) {
      const fresh = await this.source.queryRange(query, fetchFrom, end, step, signal);
      dropped = fresh.dropped ?? 0;
      appendSamples(h, fresh.timestamps, fresh.values);
      trimBefore(h, from);
    }
    return { view: viewOf(h), ...(dropped && { dropped }) };
  }

  /** The whole window: lean when exact, else raw; then what the store has where the source has nothing. */
  private async first(id: string, query: string, from: number, end: number, signal?: AbortSignal) {
    let h = emptyHistory(from, this.stepSec);
    let dropped = 0;
    const lean = await this.lean(h, query, end, signal);
    if (lean) {
      dropped = lean.dropped;
    } else {
      h = emptyHistory(from, this.stepSec);
      const raw = await this.source.queryRange(query, from, end, this.stepSec, signal);
      dropped = raw.dropped ?? 0;
      appendSamples(h, raw.timestamps, raw.values);
    }
    const stored = this.opts.store?.load(id, query);
    if (stored) fillFromStore(h, stored);
    return { h, dropped };
  }

  /**
   * Fills `h` from the averaged query and the raw samples of the last CHECK_BUCKETS buckets
   * (which must average to the same means, else the query is fetched raw from then on) and of
   * the bucket still filling. Undefined when the fetch is to be raw.
   */
  private async lean(h: BucketedHistory, query: string, end: number, signal?: AbortSignal) {
    const plan = leanPlan(query, this.stepSec, this.source);
    if ('raw' in plan) {
      this.noteRaw(query, plan.raw);
      return undefined;
    }
    if (this.rawQueries.has(query)) return undefined;
    const last = Math.floor((end - plan.offset) / h.step) * h.step;
    if (last < h.start + CHECK_BUCKETS * h.step) return undefined;
    const checkFrom = last - (CHECK_BUCKETS - 1) * h.step;
    let avg;
    try {
      avg = await this.source.queryRange(plan.query, h.start + plan.offset, last + plan.offset, h.step, signal);
    } catch (err) {
      if (!isPrescaleError(err, 'E_SOURCE_QUERY')) throw err;
      this.noteRaw(query, 'Refused', describeError(err));
      return undefined;
    }
    const raw = await this.source.queryRange(query, checkFrom, end, this.stepSec, signal);
    // nothing recent: the raw fetch says how stale the series is, as it always did
    if (!raw.timestamps.length) return undefined;
    const check = emptyHistory(checkFrom, this.stepSec);
    appendSamples(check, raw.timestamps, raw.values, end);
    const at = avg.timestamps.map((t) => t - plan.offset);
    for (let b = 0; b < CHECK_BUCKETS; b++) {
      const t = checkFrom + b * h.step;
      const i = at.indexOf(t);
      const mine = check.values[b] ?? Number.NaN;
      const theirs = i >= 0 ? avg.values[i] : Number.NaN;
      if (!sameMean(mine, theirs)) {
        this.noteRaw(query, 'Mismatch', `bucket at ${t}: source ${theirs}, samples ${mine}`);
        return undefined;
      }
    }
    const keep = at.findIndex((t) => t >= checkFrom);
    const n = keep < 0 ? at.length : keep;
    setBuckets(h, at.slice(0, n), avg.values.slice(0, n), (checkFrom - h.start) / h.step);
    appendSamples(h, raw.timestamps, raw.values);
    return { dropped: (avg.dropped ?? 0) + (raw.dropped ?? 0) };
  }

  private noteRaw(query: string, reason: RawReason, detail?: string): void {
    if (this.rawQueries.get(query) === reason) return;
    if (this.rawQueries.size >= 10_000) this.rawQueries.clear();
    this.rawQueries.set(query, reason);
    this.opts.logger?.info({ query, reason, detail }, 'history fetched raw, not averaged by the source');
  }

  /** Forgets series of services that are gone (their stored history stays for the grace period). */
  retain(services: ReadonlySet<string>): void {
    for (const [id, e] of this.entries) if (!services.has(e.service)) this.entries.delete(id);
  }

  /**
   * Writes to the store the series with new buckets whose turn it is (each at most once per
   * persist interval, staggered by series), or every one with new buckets when `all` (at
   * shutdown); once an hour, drops stored series gone for longer than the grace period. Returns
   * the writes that failed (logged); never throws.
   */
  persist(now: number, all = false): { written: number; failed: number } {
    const store = this.opts.store;
    let written = 0;
    let failed = 0;
    if (!store) return { written, failed };
    for (const [id, e] of this.entries) {
      const end = bucketsEnd(e.h);
      if (end === e.savedEnd || (!all && now < e.nextSave)) continue;
      const first = e.h.values.findIndex((v) => !Number.isNaN(v));
      if (first < 0) continue;
      try {
        const start = e.h.start + first * e.h.step;
        store.save(
          { id, service: e.service, metric: e.metric, query: e.query, step: e.h.step, start, seenAt: now },
          e.h.values.slice(first),
        );
        written++;
        e.savedEnd = end;
        e.nextSave = nextTurn(id, now, this.persistEverySec);
      } catch (err) {
        failed++;
        this.opts.logger?.warn({ series: id, err: describeError(err) }, 'could not write stored history');
      }
    }
    if (now - this.lastSweep >= 3600) {
      this.lastSweep = now;
      store.sweep(new Set(this.entries.keys()), now);
    }
    return { written, failed };
  }
}

/**
 * The series' next turn to be written after `now`: its own phase (a hash of its id) within each
 * persist interval, so that series are written spread over the interval, even after all of them
 * were written at once (at shutdown).
 */
function nextTurn(id: string, now: number, every: number): number {
  let x = 0;
  for (let i = 0; i < id.length; i++) x = (x * 31 + id.charCodeAt(i)) >>> 0;
  const period = Math.max(1, every);
  const phase = x % period;
  return phase + (Math.floor((now - phase) / period) + 1) * period;
}
