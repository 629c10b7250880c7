import type { RegularSeries } from '../domain/series.js';
import { instantOf, wallOf } from '../schedule/zone.js';

/**
 * Event masks: stretches of history that are not demand (an outage, a load test, a holiday the
 * operator does not want learnt). Masked samples become gaps (NaN), which the forecaster already
 * treats as missing: filled by interpolation before fitting, backtests, the p90 calibration and
 * the tuning replays (src/core/series/regular.ts fillGaps), never read as zero load. Pure.
 */
export type ExcludeRule =
  | {
      readonly name: string;
      /** Unix seconds, start inclusive, end exclusive. */
      readonly start: number;
      readonly end: number;
    }
  | {
      readonly name: string;
      /** Whole days every year, as month and day of month. */
      readonly dates: readonly { readonly month: number; readonly day: number }[];
      /** IANA zone the days are read in. */
      readonly timeZone: string;
    };

const DAY_MS = 86_400_000;

/** The [start, end) ranges (unix seconds) the rules cover that meet [from, to). */
export function excludedRanges(rules: readonly ExcludeRule[], from: number, to: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const r of rules) {
    if ('start' in r) {
      if (r.start < to && r.end > from) out.push([r.start, r.end]);
      continue;
    }
    const y0 = new Date(wallOf(from * 1000, r.timeZone)).getUTCFullYear();
    const y1 = new Date(wallOf(to * 1000, r.timeZone)).getUTCFullYear();
    for (let y = y0; y <= y1; y++) {
      for (const { month, day } of r.dates) {
        const wall = Date.UTC(y, month - 1, day);
        if (new Date(wall).getUTCDate() !== day) continue; // 02-29 of a common year
        const start = instantOf(wall, r.timeZone) / 1000;
        const end = instantOf(wall + DAY_MS, r.timeZone) / 1000;
        if (start < to && end > from) out.push([start, end]);
      }
    }
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/**
 * The series with every sample whose step [t, t + step) meets an excluded range set to NaN, and
 * how many samples that masked (gaps already there are not counted).
 */
export function maskSeries(
  series: RegularSeries,
  rules: readonly ExcludeRule[],
): { series: RegularSeries; masked: number } {
  if (!rules.length || !series.values.length) return { series, masked: 0 };
  const end = series.start + series.values.length * series.step;
  const ranges = excludedRanges(rules, series.start, end);
  if (!ranges.length) return { series, masked: 0 };
  const values = series.values.slice();
  let masked = 0;
  for (const [a, b] of ranges) {
    const i0 = Math.max(0, Math.floor((a - series.start) / series.step));
    const i1 = Math.min(values.length, Math.ceil((b - series.start) / series.step));
    for (let i = i0; i < i1; i++) {
      if (!Number.isNaN(values[i])) masked++;
      values[i] = Number.NaN;
    }
  }
  return { series: { ...series, values }, masked };
}
