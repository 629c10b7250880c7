import type { MetricsSource } from '../adapters/sources/port.js';
import type { Samples } from '../core/domain/series.js';

/**
 * Load history per service, fetched whole on first use (so a service is predicted from its
 * first cycle) and then only the new samples, trimmed to the history window.
 */
export class HistoryCache {
  private readonly entries = new Map<string, { query: string; samples: Samples }>();

  constructor(
    private readonly source: MetricsSource,
    private readonly windowSec: number,
    private readonly stepSec: number,
  ) {}

  /**
   * The history of `key` up to `now`; `dropped` counts the unusable samples the source left out
   * of what was fetched this time. Throws what the source throws (the cache is kept).
   */
  async get(key: string, query: string, now: number, signal?: AbortSignal): Promise<Samples> {
    const end = Math.floor(now / this.stepSec) * this.stepSec;
    const from = end - this.windowSec;
    const cached = this.entries.get(key);
    let timestamps: number[] = [];
    let values: number[] = [];
    let fetchFrom = from;
    if (cached && cached.query === query && cached.samples.timestamps.length) {
      const keep = cached.samples.timestamps.findIndex((t) => t >= from);
      if (keep >= 0) {
        timestamps = cached.samples.timestamps.slice(keep);
        values = cached.samples.values.slice(keep);
        fetchFrom = timestamps[timestamps.length - 1] + this.stepSec;
      }
    }
    let dropped = 0;
    if (fetchFrom <= end) {
      const fresh = await this.source.queryRange(query, fetchFrom, end, this.stepSec, signal);
      dropped = fresh.dropped ?? 0;
      for (let i = 0; i < fresh.timestamps.length; i++) {
        if (timestamps.length && fresh.timestamps[i] <= timestamps[timestamps.length - 1]) continue;
        timestamps.push(fresh.timestamps[i]);
        values.push(fresh.values[i]);
      }
    }
    const samples = { timestamps, values };
    this.entries.set(key, { query, samples });
    return dropped ? { ...samples, dropped } : samples;
  }

  /** Forgets services that are gone. */
  retain(keys: ReadonlySet<string>): void {
    for (const k of this.entries.keys()) if (!keys.has(k)) this.entries.delete(k);
  }
}
