import type { Samples } from '../../core/domain/series.js';

/** Where load history comes from (Prometheus, CSV files, tests). */
export interface MetricsSource {
  /**
   * Samples of `query` in [start, end] (unix seconds, inclusive) at `step` seconds.
   * Throws a PrescaleError (E_SOURCE_*) when the source fails or the answer is unusable.
   */
  queryRange(query: string, start: number, end: number, step: number, signal?: AbortSignal): Promise<Samples>;
}
