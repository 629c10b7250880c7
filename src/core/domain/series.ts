import { MAX_ABS_VALUE } from './limits.js';

/**
 * Time series as they flow through prescale. Timestamps are unix seconds everywhere.
 */

/** Samples as a source returned them: ascending, unique timestamps; gaps are absent rows. */
export interface Samples {
  readonly timestamps: readonly number[];
  readonly values: readonly number[];
  /**
   * Samples the source returned but left out where they entered because their value was NaN,
   * ±Inf or beyond MAX_ABS_VALUE (domain/limits.ts): they are gaps. Absent when none were.
   */
  readonly dropped?: number;
}

/**
 * A series on a regular grid: `values[i]` is the value at `start + i * step`.
 * `NaN` marks a missing sample (a gap); models receive series with gaps already filled.
 */
export interface RegularSeries {
  readonly start: number;
  readonly step: number;
  readonly values: readonly number[];
}

/** True for a value a source may pass on: finite and at most MAX_ABS_VALUE in magnitude. */
export function isUsableValue(v: number): boolean {
  return Number.isFinite(v) && Math.abs(v) <= MAX_ABS_VALUE;
}

/** Seconds in a day and a week: the two seasons prescale looks for. */
export const DAY_SECONDS = 86_400;
export const WEEK_SECONDS = 7 * DAY_SECONDS;

/** A duration as a whole number of steps of `step` seconds, at least one (rounded to the nearest). */
export function stepsIn(seconds: number, step: number): number {
  return Math.max(1, Math.round(seconds / step));
}

/** Timestamp of sample `i` of a regular series. */
export function timeAt(series: RegularSeries, i: number): number {
  return series.start + i * series.step;
}

/** Timestamp just after the last sample (where a forecast of the series starts). */
export function endOf(series: RegularSeries): number {
  return series.start + series.values.length * series.step;
}
