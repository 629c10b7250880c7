import { stepsIn } from '../../domain/series.js';
import type { ForecastModel, ModelContext } from '../contract.js';
import { dot, ridgeSolve } from '../linalg.js';

/**
 * Multiple seasonal-trend decomposition in the manner of MSTL (Bandara, Hyndman & Bergmeir 2021,
 * "MSTL: a seasonal-trend decomposition algorithm for time series with multiple seasonal
 * patterns", which iterates STL, Cleveland et al. 1990): the daily and (from ten days of data) the
 * weekly seasonal components are estimated in turn, each from the series without the other one,
 * over two passes. The seasonally adjusted series (trend + remainder) is forecast as its local
 * level (its mean over the last day) plus a short AR(p), fitted by least squares, of its deviations
 * from that level, and the seasonal components are continued: the forecast of R's
 * forecast::stlf / mstl, with a local level + AR in place of ETS. The local level follows a level
 * shift within a day, where an AR around a fixed mean would pull every forecast back to the old
 * level (measured: geometric-mean MASE of `auto` 0.574 with a fixed mean, 0.565 with the local
 * level). A strictly positive series is decomposed on the log scale, as a Box-Cox λ = 0 would
 * (traffic whose daily swing grows with its level; `auto` 0.578 without, 0.565 with).
 *
 * The decomposition is cheap (a moving average and per-phase medians instead of LOESS: about
 * 1 ms for two weeks at 5 minutes) and runs once, in fit. predict finds where the fitted data ends
 * in the array it is given, reads the adjusted series up to the origin with the fitted
 * components, and runs the AR from there; it uses y[0, origin) only.
 *
 * `mstl_robust` is the robust sibling for `auto` to choose or combine: the daily component alone
 * (one pass), and the local level is the median of the adjusted series over the last hour, with
 * no AR: a level robust to outliers (Huber 1981 ch. 1; the running median of Tukey 1977 as a
 * robust smoother), so that a spike in the last hour (a cron job on a flat baseline, a burst of
 * requests) does not lift the forecast the way it lifts a mean or a least-squares AR, while a
 * level shift is followed within half an hour (the median moves once half the window has
 * shifted). On a spiky series the median level is also nearer the conditional median that
 * MASE rewards. See the registry for its measured effect on `auto`.
 */

export interface MstlOptions {
  readonly name: string;
  /** Estimate a weekly component (when the data holds `weeklyMinDays`). */
  readonly weekly: boolean;
  /** Decomposition passes (MSTL's iterations). */
  readonly passes: number;
  /** Days of the newest data the decomposition looks at (14: two weekly cycles). */
  readonly windowDays: number;
  /** Days of adjusted series the AR is fitted on. */
  readonly arDays: number;
  /** AR order as a time span (3600: the last hour), clamped to 3–12 lags. */
  readonly arSeconds: number;
  /** Decompose strictly positive data on the log scale (multiplicative seasonality). */
  readonly logWhenPositive: boolean;
  /**
   * Robust variant: the local level is the median of the adjusted series over this time span
   * before the origin (e.g. 3600: the last hour, at least one sample), and there is no AR; the
   * forecast is that level plus the seasonal components. Unset: the mean level + AR.
   */
  readonly medianLevelSeconds?: number;
  /**
   * Days of data needed for a weekly component, at least 9: the newest week and the one before
   * must overlap by two days to be compared. 10 rather than 14 because the engine's backtest fits on
   * data that ends two days before the newest sample: with 14 days of history (the default window)
   * a 14-day threshold would backtest the model without its weekly component and then forecast
   * with it, and `auto` would choose on the wrong evidence (measured on bench/accuracy.ts:
   * geometric-mean MASE of `auto` 0.565 with 10 days, 0.593 with 14, 0.581 with no weekly component).
   */
  readonly weeklyMinDays: number;
  /**
   * Smallest half-width of the weekly profile's smoothing across phases, as a time span; 1, 2, 4
   * and 8 times it are tried and the one that best predicts each week from the other is kept.
   */
  readonly weeklySmoothSeconds: number;
}

/** Samples of lag the AR uses. */
function arOrder(ctx: ModelContext, opts: MstlOptions): number {
  return Math.max(3, Math.min(12, Math.round(opts.arSeconds / ctx.step)));
}

/** Centered moving average of length `len` (2×len for even len, as classical decomposition); flat at the ends. */
function centeredMean(x: Float64Array, len: number, out: Float64Array): void {
  const n = x.length;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + x[i];
  const half = len >> 1;
  if (n <= 2 * half) {
    out.fill(prefix[n] / n);
    return;
  }
  const even = len % 2 === 0;
  for (let t = half; t < n - half; t++) {
    out[t] = even
      ? (prefix[t + half] - prefix[t - half + 1] + 0.5 * (x[t - half] + x[t + half])) / len
      : (prefix[t + half + 1] - prefix[t - half]) / len;
  }
  for (let t = 0; t < half; t++) out[t] = out[half];
  for (let t = n - half; t < n; t++) out[t] = out[n - half - 1];
}

/** Median of the first `k` values of `buf`, sorted in place by insertion (k is a few dozen at most). */
function medianOf(buf: Float64Array, k: number): number {
  for (let i = 1; i < k; i++) {
    const v = buf[i];
    let j = i - 1;
    while (j >= 0 && buf[j] > v) {
      buf[j + 1] = buf[j];
      j--;
    }
    buf[j + 1] = v;
  }
  return k % 2 ? buf[k >> 1] : 0.5 * (buf[(k >> 1) - 1] + buf[k >> 1]);
}

/** out[t] = x[t] − profile[t mod period], without a division per sample. */
function subtractPeriodic(x: Float64Array, profile: Float64Array, out: Float64Array): void {
  const period = profile.length;
  for (let t0 = 0; t0 < x.length; t0 += period) {
    const end = Math.min(period, x.length - t0);
    for (let j = 0; j < end; j++) out[t0 + j] = x[t0 + j] - profile[j];
  }
}

/** Daily and weekly components of x, by phase of x's own index (t mod m, t mod w). */
interface Components {
  readonly daily: Float64Array;
  readonly weekly: Float64Array | undefined;
}

/**
 * Each pass: the daily component is the per-phase median of the series without the weekly
 * component, detrended by a day-long centered moving average (the median resists a spike, an
 * incident or a holiday); the weekly component is then estimated from the series without the
 * daily component (see weeklyComponent). One pass when there is no weekly component.
 */
function decompose(x: Float64Array, m: number, w: number | undefined, opts: MstlOptions, step: number): Components {
  const n = x.length;
  const daily = new Float64Array(m);
  const useWeek = w !== undefined && n >= Math.max(w + 2 * m, Math.round(opts.weeklyMinDays * m));
  const weekly = useWeek ? new Float64Array(w) : undefined;
  if (n < 2 * m) return { daily, weekly: undefined };
  const work = new Float64Array(n);
  const trend = new Float64Array(n);
  const h0 = Math.round(opts.weeklySmoothSeconds / step);
  let smoothHalves = [h0, 2 * h0, 4 * h0, 8 * h0];
  const buf = new Float64Array(Math.ceil(n / m));
  for (let pass = 0; pass < opts.passes; pass++) {
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

/** Subtracts the mean of `profile`, so that a seasonal component sums to zero over its period. */
function center(profile: Float64Array): void {
  let s = 0;
  for (let i = 0; i < profile.length; i++) s += profile[i];
  s /= profile.length;
  for (let i = 0; i < profile.length; i++) profile[i] -= s;
}

/**
 * Circular moving average of half-width `half` (< n / 2) over the phases marked in `seen` only,
 * into `out` (unmarked phases get 0; `src` must hold 0 there): what a week that the data covers
 * only in part says about each phase's neighbourhood.
 */
function smoothSeen(src: Float64Array, seen: Uint8Array, half: number, out: Float64Array): void {
  const n = src.length;
  let s = 0;
  let c = 0;
  for (let i = n - half; i < n; i++) {
    s += src[i];
    c += seen[i];
  }
  for (let i = 0; i <= half; i++) {
    s += src[i];
    c += seen[i];
  }
  for (let i = 0; i < n; i++) {
    out[i] = seen[i] && c ? s / c : 0;
    let add = i + half + 1;
    if (add >= n) add -= n;
    let drop = i - half;
    if (drop < 0) drop += n;
    s += src[add] - src[drop];
    c += seen[add] - seen[drop];
  }
}

/** Mean of `x` over the phases marked in `seen`. */
function meanWhereSeen(x: Float64Array, seen: Uint8Array): number {
  let sum = 0;
  let k = 0;
  for (let j = 0; j < x.length; j++) {
    if (!seen[j]) continue;
    sum += x[j];
    k++;
  }
  return sum / k;
}

/** smoothSeen with every phase marked: the same values without the counts. */
function smoothAll(src: Float64Array, half: number, out: Float64Array): void {
  const n = src.length;
  const c = 2 * half + 1;
  let s = 0;
  for (let i = n - half; i < n; i++) s += src[i];
  for (let i = 0; i <= half; i++) s += src[i];
  for (let i = 0; i < n; i++) {
    out[i] = s / c;
    let add = i + half + 1;
    if (add >= n) add -= n;
    let drop = i - half;
    if (drop < 0) drop += n;
    s += src[add] - src[drop];
  }
}

/**
 * The weekly component (see decompose), written into `weekly`, from the newest week (A) and
 * whatever the data holds of the week before (B, all of it or a part). Both are the series without
 * the daily component and without a slope; the slope is the one the two weeks share, their mean
 * change per sample at equal phases (a line through the samples themselves would tilt toward the
 * weekly pattern, a weekend dip at the end of each week). Each is smoothed across neighbouring
 * phases. Empirical Bayes then weighs them: over the phases both cover, cov(A, B) estimates the
 * variance of the true weekly profile and the rest of their variance the noise of one week, so a
 * phase seen twice keeps s / (s + ν/2) of the mean of A and B and a phase seen once s / (s + ν) of A.
 * Weeks that do not repeat get a weekly component near zero.
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
  return chosen;
}

/**
 * Least-squares AR(p) coefficients of the deviations of a[t] from the local level L[t] (the mean
 * of a over [t − D, t)) on the deviations of a[t-1..t-p] from the same L[t], over rows t in
 * [first, n) (first ≥ max(D, p), n − first > 2p), without forming the rows: every entry of XᵀX
 * and Xᵀy is a lagged product Σ a[v] a[v + d] over a range that starts within p samples before
 * `first` and ends within p samples of n, so each lag d is one sum over the rows between, plus
 * partial sums over those two ends; less the level's products with the lags (2p + 4 passes over
 * the rows instead of p² work per row). `a` should be centered, so that nothing large cancels.
 */
function fitLocalAr(a: Float64Array, first: number, p: number, D: number): Float64Array {
  const n = a.length;
  const xtx = new Float64Array(p * p);
  const xty = new Float64Array(p);
  // head[u − (first − p)] = Σ a[v] a[v + d] for v in [u, first); tail[u − (n − p)] for v in [n − p, u)
  const head = new Float64Array(p + 1);
  const tail = new Float64Array(p + 1);
  for (let d = 0; d <= p; d++) {
    for (let u = first - 1; u >= first - p; u--) head[u - first + p] = head[u - first + p + 1] + a[u] * a[u + d];
    const bulk = dot(a, first, a, first + d, n - p - first);
    for (let u = n - p; u < n - d; u++) tail[u - n + p + 1] = tail[u - n + p] + a[u] * a[u + d];
    /** Σ a[v] a[v + d] for v in [from, to), from in [first − p, first], to in [n − p, n − d]. */
    const range = (from: number, to: number) => head[from - first + p] + bulk + tail[to - n + p];
    // XᵀX[i][i - d]: rows t pair a[t-1-i] with a[t-1-i+d], t - 1 - i in [first - 1 - i, n - 1 - i)
    for (let i = d; i < p; i++) {
      const v = range(first - 1 - i, n - 1 - i);
      xtx[i * p + i - d] = v;
      xtx[(i - d) * p + i] = v;
    }
    // Xᵀy[d - 1]: a[t] with a[t - d], t - d in [first - d, n - d)
    if (d >= 1) xty[d - 1] = range(first - d, n - d);
  }
  // the level: Σ L[t] a[t - k] for k = 0..p and Σ L[t]², with L[t] from a running sum
  const level = new Float64Array(n - first);
  let sum = 0;
  for (let t = first - D; t < first; t++) sum += a[t];
  for (let t = first; t < n; t++) {
    level[t - first] = sum / D;
    sum += a[t] - a[t - D];
  }
  const ll = dot(level, 0, level, 0, n - first);
  const la = new Float64Array(p + 1);
  for (let k = 0; k <= p; k++) la[k] = dot(level, 0, a, first - k, n - first);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) xtx[i * p + j] += ll - la[i + 1] - la[j + 1];
    xty[i] += ll - la[0] - la[i + 1];
  }
  return ridgeSolve(xtx, xty, p);
}

/** Fewest overlapping samples that identify the fitted data inside a later array. */
const MIN_OVERLAP = 32;

/** The seasonal value at position `pos` (any integer) of the components' phase. */
function seasonalAt(c: Components, pos: number): number {
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
function seasonalInto(c: Components, pos: number, out: Float64Array): void {
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

/** Decomposition and AR fitted on one scale of the data: as it is, or its logarithm. */
interface ScaleFit {
  readonly comp: Components;
  readonly phi: Float64Array;
  /** Samples in the local level's window (one day). */
  readonly levelSpan: number;
  /** The level is the median over levelSpan (the robust variant, with no AR), not the mean. */
  readonly median?: boolean;
  /** Range of the AR's state (the deviations from the local level) over the training rows. */
  readonly zmin: number;
  readonly zmax: number;
  readonly tf: (v: number) => number;
  readonly inv: (v: number) => number;
}

/**
 * The adjusted series (data on the fit's scale less the seasonal components) at t in [from, to):
 * out[t − from]; index t of data is at phase t + shift of the components.
 */
function adjustedOf(f: ScaleFit, data: readonly number[], from: number, to: number, shift: number): Float64Array {
  const out = new Float64Array(Math.max(0, to - from));
  seasonalInto(f.comp, from + shift, out);
  for (let t = from; t < to; t++) out[t - from] = f.tf(data[t]) - out[t - from];
  return out;
}

/** First index forecastScale reads before `origin`. */
function readsFrom(f: ScaleFit, origin: number): number {
  return Math.max(0, origin - Math.max(f.levelSpan, f.phi.length));
}

/**
 * `h` forecasts after data[origin − 1], from `adj` = adjustedOf(f, data, start, ≥ origin, shift)
 * with start ≤ readsFrom(f, origin).
 */
function forecastScale(
  f: ScaleFit,
  adj: Float64Array,
  start: number,
  origin: number,
  shift: number,
  h: number,
): number[] {
  const p = f.phi.length;
  // the local level: the adjusted series' mean over the last day before the origin, or (the
  // robust variant) its median over the last hour
  const from = Math.max(0, origin - f.levelSpan);
  let level = 0;
  if (f.median) {
    const buf = adj.slice(from - start, origin - start);
    if (buf.length) level = medianOf(buf, buf.length);
  } else {
    for (let t = from; t < origin; t++) level += adj[t - start];
    level /= Math.max(1, origin - from);
  }
  const hist = new Float64Array(p + h);
  // a least-squares AR can be slightly explosive: its forecasts stay within the training range of
  // the state, or the newest states, widened by that range's width on both sides
  let lo = f.zmin;
  let hi = f.zmax;
  for (let i = 0; i < p; i++) {
    hist[i] = adj[Math.max(0, origin - p + i) - start] - level;
    lo = Math.min(lo, hist[i]);
    hi = Math.max(hi, hist[i]);
  }
  const width = f.zmax - f.zmin;
  lo -= width;
  hi += width;
  const out = new Array<number>(h);
  for (let k = 0; k < h; k++) {
    let v = 0;
    for (let i = 0; i < p; i++) v += f.phi[i] * hist[p + k - 1 - i];
    v = Math.min(hi, Math.max(lo, v));
    hist[p + k] = v;
    out[k] = f.inv(level + v + seasonalAt(f.comp, origin + k + shift));
  }
  return out;
}

export function mstlModel(opts: MstlOptions): ForecastModel {
  return {
    name: opts.name,
    minHistory: (ctx) => 2 * ctx.seasonDay,
    fit(y, _h, ctx) {
      const m = ctx.seasonDay;
      const w = ctx.seasonWeek;
      const p = arOrder(ctx, opts);
      const span = Math.round(opts.windowDays * m);
      const n = y.length;
      const fitFrom = Math.max(0, n - span);
      const first = Math.max(fitFrom + p, n - Math.round(opts.arDays * m));
      /** data[from, to) on the scale of `tf`. */
      const rescaled = (data: readonly number[], from: number, to: number, tf: (v: number) => number) => {
        const x = new Float64Array(to - from);
        for (let t = from; t < to; t++) x[t - from] = tf(data[t]);
        return x;
      };
      /** Components of x, by phase of x's own index. */
      const componentsOf = (x: Float64Array) => decompose(x, m, opts.weekly ? w : undefined, opts, ctx.step);
      const fitScale = (tf: (v: number) => number, inv: (v: number) => number): ScaleFit => {
        const x = rescaled(y, fitFrom, n, tf);
        const comp = componentsOf(x);
        if (opts.medianLevelSeconds) {
          // the robust variant: a median level and no AR (nothing more to fit)
          const levelSpan = stepsIn(opts.medianLevelSeconds, ctx.step);
          return { comp, phi: new Float64Array(0), levelSpan, median: true, zmin: 0, zmax: 0, tf, inv };
        }
        // AR(p) on the adjusted series' deviations from its local level, over the last arDays
        const len = n - fitFrom;
        const a = new Float64Array(len);
        seasonalInto(comp, 0, a);
        let mean = 0;
        for (let t = 0; t < len; t++) {
          a[t] = x[t] - a[t];
          mean += a[t] / len;
        }
        for (let t = 0; t < len; t++) a[t] -= mean;
        const D = Math.min(m, len - 1);
        const start = Math.max(first - fitFrom, D, p);
        let zmin = 0;
        let zmax = 0;
        let sum = 0;
        for (let t = start - D; t < start; t++) sum += a[t];
        for (let t = start; t < len; t++) {
          const z = a[t] - sum / D;
          zmin = Math.min(zmin, z);
          zmax = Math.max(zmax, z);
          sum += a[t] - a[t - D];
        }
        const phi = len - start > 2 * p ? fitLocalAr(a, start, p, D) : new Float64Array(p);
        return { comp, phi, levelSpan: D, zmin, zmax, tf, inv };
      };
      // strictly positive data is decomposed on the log scale (multiplicative seasonality, the
      // usual Box-Cox λ = 0 for counts and rates whose daily swing grows with their level)
      let lowest = Infinity;
      for (let t = fitFrom; t < n; t++) lowest = Math.min(lowest, y[t]);
      const floor = lowest / 2;
      const fit =
        lowest > 0 && opts.logWhenPositive
          ? fitScale(
              (v) => Math.log(Math.max(v, floor)),
              (v) => Math.exp(v),
            )
          : fitScale(
              (v) => v,
              (v) => v,
            );
      const fitted = y.slice(fitFrom, n);
      /**
       * How far index t of `data` is from its phase in the fitted components, or undefined when
       * `data` before `origin` does not end with the fitted data somewhere: in the same array (the
       * backtest, forecastWith), a longer one, or a window that has since slid forward (the
       * simulator's walk between refits). Every overlapping sample must be equal.
       */
      const anchor = (data: readonly number[], origin: number): number | undefined => {
        const L = fitted.length;
        const endsAt = (q: number) => {
          const k = Math.min(q, L);
          if (k < MIN_OVERLAP) return false;
          for (let j = 1; j <= k; j++) if (data[q - j] !== fitted[L - j]) return false;
          return true;
        };
        if (n <= origin && endsAt(n)) return -fitFrom;
        for (let q = origin; q >= MIN_OVERLAP; q--) {
          if (data[q - 1] === fitted[L - 1] && endsAt(q)) return n - q - fitFrom;
        }
        return undefined;
      };
      const predict = (data: readonly number[], origin: number, hh: number): number[] => {
        const shift = anchor(data, origin);
        if (shift !== undefined) {
          const start = readsFrom(fit, origin);
          return forecastScale(fit, adjustedOf(fit, data, start, origin, shift), start, origin, shift, hh);
        }
        // data the fit has not seen: decompose what comes before the origin, keep the AR
        const from = Math.max(0, origin - span);
        const refit = { ...fit, comp: componentsOf(rescaled(data, from, origin, fit.tf)) };
        const start = readsFrom(refit, origin);
        return forecastScale(refit, adjustedOf(refit, data, start, origin, -from), start, origin, -from, hh);
      };
      return {
        predict,
        predictMany(data, origins, hh) {
          // origins after the fitted data in the same array (the backtest's): one anchor, one
          // adjusted series for all of them
          if (!origins.length) return [];
          const first = Math.min(...origins);
          if (first < n || anchor(data, first) !== -fitFrom) return origins.map((o) => predict(data, o, hh));
          const start = readsFrom(fit, first);
          const adj = adjustedOf(fit, data, start, Math.max(...origins), -fitFrom);
          return origins.map((o) => forecastScale(fit, adj, start, o, -fitFrom, hh));
        },
      };
    },
  };
}

const MSTL_OPTIONS: MstlOptions = {
  name: 'mstl',
  weekly: true,
  passes: 2,
  windowDays: 14,
  arDays: 7,
  arSeconds: 3600,
  weeklySmoothSeconds: 1800,
  weeklyMinDays: 10,
  logWhenPositive: true,
};

/** The registered MSTL: daily + weekly (with two weeks of data), two passes, AR over the last hour. */
export const mstl = mstlModel(MSTL_OPTIONS);

/**
 * The robust MSTL: the daily component only (one pass), on the log scale for strictly positive
 * data, and the median of the adjusted series over the last hour as the level, with no AR.
 */
export const mstlRobust = mstlModel({
  ...MSTL_OPTIONS,
  name: 'mstl_robust',
  weekly: false,
  passes: 1,
  medianLevelSeconds: 3600,
});
