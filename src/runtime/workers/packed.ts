import type { RegularSeries } from '../../core/domain/series.js';

/**
 * A series as it crosses threads: its values as a typed array, whose bytes are copied at once
 * (an array of numbers is cloned number by number, in the main thread, for every task).
 */
export interface PackedSeries {
  readonly start: number;
  readonly step: number;
  readonly values: Float64Array;
}

export function pack(series: RegularSeries): PackedSeries {
  return { start: series.start, step: series.step, values: Float64Array.from(series.values) };
}

export function unpack(series: PackedSeries): RegularSeries {
  return { start: series.start, step: series.step, values: Array.from(series.values) };
}
