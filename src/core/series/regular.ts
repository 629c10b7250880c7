import { PrescaleError } from '../domain/errors.js';
import { MAX_GRID_POINTS } from '../domain/limits.js';
import type { RegularSeries, Samples } from '../domain/series.js';

/**
 * Pure helpers that turn samples as sources return them into regular series, and back.
 */

/** The most common spacing between consecutive timestamps (the series' step), in seconds. */
export function inferStep(timestamps: readonly number[]): number {
  if (timestamps.length < 2) throw new PrescaleError('E_INPUT', 'cannot infer a step from fewer than 2 samples');
  const counts = new Map<number, number>();
  for (let i = 1; i < timestamps.length; i++) {
    const d = Math.round(timestamps[i] - timestamps[i - 1]);
    if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = -1;
  for (const [d, c] of counts) if (c > bestCount || (c === bestCount && d < best)) [best, bestCount] = [d, c];
  if (best <= 0) throw new PrescaleError('E_INPUT', 'timestamps do not increase');
  return best;
}

/**
 * Places samples on the grid `start + i * step` (start defaults to the first timestamp);
 * a grid point with no sample within half a step is NaN. Several samples in one cell: the last wins.
 * A grid of more than MAX_GRID_POINTS points (a timestamp far from the others) is E_INPUT, not
 * allocated.
 */
export function toRegular(samples: Samples, step?: number, start?: number): RegularSeries {
  const { timestamps, values } = samples;
  if (timestamps.length === 0) return { start: start ?? 0, step: step ?? 60, values: [] };
  const s = step ?? (timestamps.length > 1 ? inferStep(timestamps) : 60);
  const t0 = start ?? timestamps[0];
  const last = timestamps[timestamps.length - 1];
  const n = Math.floor((last - t0) / s + 0.5) + 1;
  if (!(s > 0) || !(n <= MAX_GRID_POINTS)) {
    throw new PrescaleError(
      'E_INPUT',
      `samples from ${t0} to ${last} at a ${s} s step make ${n} grid points, more than ${MAX_GRID_POINTS}`,
    );
  }
  const out = new Array<number>(Math.max(0, n)).fill(Number.NaN);
  for (let i = 0; i < timestamps.length; i++) {
    const k = Math.round((timestamps[i] - t0) / s);
    if (k >= 0 && k < out.length && Number.isFinite(values[i])) out[k] = values[i];
  }
  return { start: t0, step: s, values: out };
}

/** Back to samples, dropping the NaN gaps. */
export function toSamples(series: RegularSeries): Samples {
  const timestamps: number[] = [];
  const values: number[] = [];
  series.values.forEach((v, i) => {
    if (!Number.isNaN(v)) {
      timestamps.push(series.start + i * series.step);
      values.push(v);
    }
  });
  return { timestamps, values };
}

/**
 * Averages a regular series into buckets of `step` seconds (a multiple of its own step),
 * anchored at its start, as pandas' `resample(origin="start").mean()` does. NaN (and ±Inf)
 * samples are left out of the mean; an all-NaN bucket stays NaN. No bucket is ever ±Inf: a sum
 * that overflows is recomputed as a running mean.
 */
export function resample(series: RegularSeries, step: number): RegularSeries {
  if (step === series.step) return series;
  const k = step / series.step;
  if (!Number.isInteger(k) || k < 1) {
    throw new PrescaleError('E_INPUT', `cannot resample a ${series.step}s series to ${step}s (not a multiple)`);
  }
  const n = Math.ceil(series.values.length / k);
  const out = new Array<number>(n);
  for (let b = 0; b < n; b++) {
    let sum = 0;
    let cnt = 0;
    for (let i = b * k; i < Math.min(series.values.length, (b + 1) * k); i++) {
      const v = series.values[i];
      if (Number.isFinite(v)) {
        sum += v;
        cnt++;
      }
    }
    out[b] = cnt ? (Number.isFinite(sum) ? sum / cnt : meanOfLarge(series.values, b * k, (b + 1) * k)) : Number.NaN;
  }
  return { start: series.start, step, values: out };
}

/**
 * The mean of the finite values of xs[from, to) when their plain sum overflows: as a running
 * convex combination m + (v − m) / c, rewritten m × (1 − 1/c) + v / c so that no intermediate
 * exceeds the largest |v| (Welford's update, without the subtraction that can overflow).
 */
function meanOfLarge(xs: readonly number[], from: number, to: number): number {
  let m = 0;
  let c = 0;
  for (let i = from; i < Math.min(xs.length, to); i++) {
    const v = xs[i];
    if (!Number.isFinite(v)) continue;
    c++;
    m = m * (1 - 1 / c) + v / c;
  }
  return m;
}

/** Number of NaN samples in a series. */
export function countGaps(series: RegularSeries): number {
  let n = 0;
  for (const v of series.values) if (Number.isNaN(v)) n++;
  return n;
}

/**
 * Fills NaN gaps by linear interpolation between the neighbours (leading and trailing gaps take
 * the nearest value), as pandas' `interpolate(limit_direction="both")`. All-NaN stays all-NaN.
 */
export function fillGaps(series: RegularSeries): RegularSeries {
  const v = series.values.slice();
  let prev = -1;
  for (let i = 0; i <= v.length; i++) {
    if (i < v.length && Number.isNaN(v[i])) continue;
    if (i - prev > 1) {
      const a = prev >= 0 ? v[prev] : undefined;
      const b = i < v.length ? v[i] : undefined;
      for (let j = prev + 1; j < i; j++) {
        if (a !== undefined && b !== undefined) v[j] = a + ((b - a) * (j - prev)) / (i - prev);
        else if (a !== undefined) v[j] = a;
        else if (b !== undefined) v[j] = b;
      }
    }
    prev = i;
  }
  return { start: series.start, step: series.step, values: v };
}
