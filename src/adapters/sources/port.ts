import type { Samples } from '../../core/domain/series.js';

/** Where load history comes from (Prometheus, CSV files, tests). */
export interface MetricsSource {
  /**
   * Samples of `query` in [start, end] (unix seconds, inclusive) at `step` seconds.
   * Throws a PrescaleError (E_SOURCE_*) when the source fails or the answer is unusable.
   */
  queryRange(query: string, start: number, end: number, step: number, signal?: AbortSignal): Promise<Samples>;
  /**
   * True when the source evaluates PromQL subqueries as Prometheus does, so that the first fetch
   * may ask for history already averaged to the forecast step (src/runtime/history-lean.ts).
   * Absent: it does not.
   */
  readonly subqueries?: boolean;
}
