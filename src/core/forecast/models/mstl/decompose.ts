import { center, centeredMean, meanWhereSeen, medianOf, smoothAll, smoothSeen, subtractPeriodic } from './smoothing.js';

/**
 * The decomposition of MSTL (Bandara, Hyndman & Bergmeir 2021, "MSTL: a seasonal-trend
 * decomposition algorithm for time series with multiple seasonal patterns", which iterates STL,
 * Cleveland et al. 1990; Hyndman & Athanasopoulos, FPP3 §3.6): the daily and, given enough data,
 * the weekly seasonal components are estimated in turn, each from the series without the other
 * one. A day-long moving average and per-phase medians stand in for STL's LOESS: cheaper, and the
 * median resists a spike, an incident or a holiday. Pure: arrays in, arrays out.
 */

/** Daily and weekly components of x, by phase of x's own index (t mod m, t mod w). */
export interface Components {
  readonly daily: Float64Array;
  readonly weekly: Float64Array | undefined;
}

/** The weekly component's settings. */
export interface WeeklyOptions {
  /**
   * Days of data needed for a weekly component, at least 9: the newest week and the one before
   * must overlap by two days to be compared. Fewer than the 14 days of the default window, because
   * the backtest fits on data that ends two days before the newest sample: a 14-day threshold would
   * backtest the model without its weekly component and then forecast with it, and `auto` would
   * choose on the wrong evidence (docs/benchmarks.md).
   */
  readonly minDays: number;
  /**
   * Smallest half-width of the weekly profile's smoothing across phases, as a time span; 1, 2, 4
   * and 8 times it are tried and the one that best predicts each week from the other is kept.
   */
  readonly smoothSeconds: number;
}

/** What decompose needs besides the data, in samples at the series' step. */
export interface DecomposeOptions {
  /** Samples per day. */
  readonly m: number;
  /** Samples per week and the weekly component's settings; undefined: the daily component alone. */
  readonly weekly: { readonly w: number; readonly minDays: number; readonly smoothHalf: number } | undefined;
  /** Passes over the components (MSTL's iterations); with the daily component alone, one. */
  readonly passes: number;
}

/**
 * Each pass: the daily component is the per-phase median of the series without the weekly
 * component, detrended by a day-long centered moving average (the median resists a spike, an
 * incident or a holiday); the weekly component is then estimated from the series without the
 * daily component (see weeklyComponent). One pass when there is no weekly component.
 */
export function decompose(x: Float64Array, d: DecomposeOptions): Components {
  const { m, weekly: week } = d;
  const n = x.length;
  const daily = new Float64Array(m);
  const useWeek = week !== undefined && n >= Math.max(week.w + 2 * m, Math.round(week.minDays * m));
  const weekly = useWeek ? new Float64Array(week.w) : undefined;
  if (n < 2 * m) return { daily, weekly: undefined };
  const work = new Float64Array(n);
  const trend = new Float64Array(n);
  const h0 = week?.smoothHalf ?? 0;
  let smoothHalves = [h0, 2 * h0, 4 * h0, 8 * h0];
  const buf = new Float64Array(Math.ceil(n / m));
  for (let pass = 0; pass < d.passes; pass++) {
    if (weekly) subtractPeriodic(x, weekly, work);
    else work.set(x);
    centeredMean(work, m, trend);
    for (let j = 0; j < m; j++) {
      let k = 0;
      for (let t = j; t < n; t += m) buf[k++] = work[t] - trend[t];
      daily[j] = medianOf(buf, k);
    }
    center(daily);
    if (!weekly) break;
    smoothHalves = [weeklyComponent(x, daily, weekly, smoothHalves, work)];
  }
  return { daily, weekly };
}

/**
 * The weekly component (see decompose), written into `weekly`, from the newest week (A) and
 * whatever the data holds of the week before (B, all of it or a part). Both are the series without
 * the daily component and without a slope; the slope is the one the two weeks share, their mean
 * change per sample at equal phases (a line through the samples themselves would tilt toward the
 * weekly pattern, a weekend dip at the end of each week). Each is smoothed across neighbouring
 * phases. Empirical Bayes then weighs them (blendWeeks): weeks that do not repeat get a weekly
 * component near zero.
 */
function weeklyComponent(
  x: Float64Array,
  daily: Float64Array,
  weekly: Float64Array,
  smoothHalves: readonly number[],
  work: Float64Array,
): number {
  const n = x.length;
  const W = weekly.length;
  const lo = Math.max(0, n - 2 * W);
  subtractPeriodic(x, daily, work);
  let slope = 0;
  for (let t = Math.max(lo + W, n - W); t < n; t++) slope += work[t] - work[t - W];
  slope /= (n - Math.max(lo + W, n - W)) * W;
  // B then A, without the slope, by phase t mod W
  const aRaw = new Float64Array(W);
  const bRaw = new Float64Array(W);
  const seen = new Uint8Array(W);
  let phase = lo % W;
  for (let t = lo; t < n - W; t++) {
    bRaw[phase] = work[t] - slope * (t - n);
    seen[phase] = 1;
    if (++phase === W) phase = 0;
  }
  for (let t = n - W; t < n; t++) {
    aRaw[phase] = work[t] - slope * (t - n);
    if (++phase === W) phase = 0;
  }
  const maRaw = meanWhereSeen(aRaw, seen);
  const mbRaw = meanWhereSeen(bRaw, seen);
  // the smoothing that best predicts each week's raw samples from the other week (cross-validation);
  // smoothed candidates are written into (sa, sb), swapped with the spares when one is kept
  let a: Float64Array = aRaw;
  let b: Float64Array = bRaw;
  let sa: Float64Array = new Float64Array(W);
  let sb: Float64Array = new Float64Array(W);
  let spareA: Float64Array | undefined;
  let spareB: Float64Array | undefined;
  let best = Infinity;
  let chosen = smoothHalves[0];
  for (const half of smoothHalves) {
    let as: Float64Array = aRaw;
    let bs: Float64Array = bRaw;
    if (half > 0 && W > 2 * half + 1) {
      smoothAll(aRaw, half, sa);
      smoothSeen(bRaw, seen, half, sb);
      as = sa;
      bs = sb;
    }
    const ma = meanWhereSeen(as, seen);
    const mb = meanWhereSeen(bs, seen);
    let err = 0;
    for (let j = 0; j < W; j++) {
      if (!seen[j]) continue;
      const ea = bRaw[j] - mbRaw - as[j] + ma;
      const eb = aRaw[j] - maRaw - bs[j] + mb;
      err += ea * ea + eb * eb;
    }
    if (err < best) {
      best = err;
      chosen = half;
      a = as;
      b = bs;
      if (as === sa) {
        [sa, spareA] = [spareA ?? new Float64Array(W), sa];
        [sb, spareB] = [spareB ?? new Float64Array(W), sb];
      }
    }
  }
  blendWeeks(a, b, seen, weekly);
  return chosen;
}

/**
 * The weekly component from the newest week `a` and the week before `b` (smoothed, without the
 * slope), by empirical Bayes: over the phases both cover (`seen`), cov(a, b) estimates the
 * variance of the true weekly profile and the rest of their variance the noise of one week, so a
 * phase seen twice keeps s / (s + ν/2) of the mean of a and b and a phase seen once s / (s + ν) of a.
 */
function blendWeeks(a: Float64Array, b: Float64Array, seen: Uint8Array, weekly: Float64Array): void {
  const W = weekly.length;
  let level = 0;
  for (let j = 0; j < W; j++) level += a[j];
  level /= W;
  const ma = meanWhereSeen(a, seen);
  const mb = meanWhereSeen(b, seen);
  const k = seen.reduce((n, s) => n + s, 0);
  let vaa = 0;
  let vbb = 0;
  let vab = 0;
  for (let j = 0; j < W; j++) {
    if (!seen[j]) continue;
    vaa += (a[j] - ma) * (a[j] - ma);
    vbb += (b[j] - mb) * (b[j] - mb);
    vab += (a[j] - ma) * (b[j] - mb);
  }
  const signal = Math.max(0, vab / k);
  const noise = Math.max(0, (vaa + vbb) / (2 * k) - signal);
  const once = signal > 0 ? signal / (signal + noise) : 0;
  const twice = signal > 0 ? signal / (signal + noise / 2) : 0;
  for (let j = 0; j < W; j++) weekly[j] = seen[j] ? twice * (0.5 * (a[j] + b[j]) - level) : once * (a[j] - level);
  center(weekly);
}

/** The seasonal value at position `pos` (any integer) of the components' phase. */
export function seasonalAt(c: Components, pos: number): number {
  const m = c.daily.length;
  const d = pos % m;
  let v = c.daily[d < 0 ? d + m : d];
  if (c.weekly) {
    const w = c.weekly.length;
    const e = pos % w;
    v += c.weekly[e < 0 ? e + w : e];
  }
  return v;
}

/** out[i] = seasonalAt(c, pos + i), reading the profiles in order instead of dividing per sample. */
export function seasonalInto(c: Components, pos: number, out: Float64Array): void {
  const m = c.daily.length;
  let d = pos % m;
  if (d < 0) d += m;
  for (let i = 0; i < out.length; i++) {
    out[i] = c.daily[d];
    if (++d === m) d = 0;
  }
  if (!c.weekly) return;
  const w = c.weekly.length;
  let e = pos % w;
  if (e < 0) e += w;
  for (let i = 0; i < out.length; i++) {
    out[i] += c.weekly[e];
    if (++e === w) e = 0;
  }
}
