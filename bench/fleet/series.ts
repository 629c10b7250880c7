/**
 * The fleet bench's load: one series per service, 60 s samples, with varied daily shapes
 * (amplitude, phase, width of the peak), noise, a weekly effect (quieter weekends) and, for a
 * few services, a counter read through rate(). Deterministic from the service's index.
 */
import { mulberry32 as prng } from '../../src/adapters/models/lstm/features.js';

/** Every how many services one is a counter. */
export const COUNTER_EVERY = 50;

/** The shape of service `i`'s load. */
export interface Shape {
  readonly base: number;
  readonly amplitude: number;
  /** Seconds after midnight UTC of the daily peak. */
  readonly peakAt: number;
  /** Width of the peak, seconds (standard deviation of its bell). */
  readonly width: number;
  /** Noise, a fraction of the level. */
  readonly noise: number;
  /** Load on Saturdays and Sundays, a fraction of the weekday's. */
  readonly weekend: number;
  readonly counter: boolean;
}

export function shapeOf(i: number): Shape {
  const r = prng(1000 + i);
  return {
    base: 20 + 200 * r(),
    amplitude: 50 + 2000 * r(),
    peakAt: Math.floor(86_400 * r()),
    width: 1800 + 3 * 3600 * r(),
    noise: 0.02 + 0.1 * r(),
    weekend: 0.4 + 0.6 * r(),
    counter: i % COUNTER_EVERY === COUNTER_EVERY - 1,
  };
}

/** The load (requests per second) of a shape at unix time `t`, noise drawn from `rand`. */
export function loadAt(s: Shape, t: number, rand: () => number): number {
  const sec = ((t % 86_400) + 86_400) % 86_400;
  let d = Math.abs(sec - s.peakAt);
  d = Math.min(d, 86_400 - d);
  const day = Math.floor(t / 86_400);
  // 1970-01-01 was a Thursday: days 2 and 3 of each week are Saturday and Sunday
  const weekend = (day + 4) % 7 === 6 || (day + 4) % 7 === 0;
  const level = (s.base + s.amplitude * Math.exp(-(d * d) / (2 * s.width * s.width))) * (weekend ? s.weekend : 1);
  return Math.max(0, level * (1 + s.noise * (2 * rand() - 1)));
}

/** Service `i`'s samples from `end - days` to `end` (inclusive) at `step`: gauge values, or a counter's running total. */
export function seriesOf(
  i: number,
  end: number,
  days: number,
  step: number,
): { timestamps: number[]; values: number[] } {
  const s = shapeOf(i);
  const rand = prng(7 + i);
  const n = Math.floor((days * 86_400) / step) + 1;
  const timestamps = new Array<number>(n);
  const values = new Array<number>(n);
  let total = 0;
  for (let k = 0; k < n; k++) {
    const t = end - (n - 1 - k) * step;
    const v = loadAt(s, t, rand);
    total += v * step;
    timestamps[k] = t;
    values[k] = s.counter ? Math.round(total) : Math.round(v * 100) / 100;
  }
  return { timestamps, values };
}

/** The query of service `i`: the gauge itself, or the counter's rate. */
export function queryOf(i: number): string {
  return shapeOf(i).counter ? `rate(load_total{service="s${i}"}[5m])` : `load{service="s${i}"}`;
}

/** The `q` quantile (0..1) of `values` by linear interpolation between closest ranks; NaN when empty. */
export function percentile(values: readonly number[], q: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
