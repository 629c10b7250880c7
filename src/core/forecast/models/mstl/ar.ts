import type { ModelContext } from '../../contract.js';
import { dot, ridgeSolve } from '../../linalg.js';
import type { FittedTrend, TrendForecaster } from './trend.js';

/** Options of localLevelAr. */
export interface LocalLevelArOptions {
  /** Days of adjusted series, the newest, the AR is fitted on. */
  readonly arDays: number;
  /** AR order as a time span (3600: the last hour), clamped to 3–12 lags. */
  readonly arSeconds: number;
}

/**
 * The adjusted series as its local level (its mean over the last day before the origin) plus an
 * AR(p) correction of its deviations from that level, fitted by least squares: the forecast of R's
 * forecast::stlf / mstl (Hyndman & Athanasopoulos, FPP3 §5.7), with a local level + AR in place of
 * ETS. The local level follows a level shift within a day, where an AR around a fixed mean would
 * pull every forecast back to the old level (docs/benchmarks.md).
 */
export function localLevelAr(opts: LocalLevelArOptions): TrendForecaster {
  return { fit: (a, ctx) => fitTrend(a, ctx, opts) };
}

/** Samples of lag the AR uses. */
function arOrder(ctx: ModelContext, opts: LocalLevelArOptions): number {
  return Math.max(3, Math.min(12, Math.round(opts.arSeconds / ctx.step)));
}

function fitTrend(adjusted: Float64Array, ctx: ModelContext, opts: LocalLevelArOptions): FittedTrend {
  const m = ctx.seasonDay;
  const p = arOrder(ctx, opts);
  const len = adjusted.length;
  // centered, so that nothing large cancels in the AR's sums
  let mean = 0;
  for (let t = 0; t < len; t++) mean += adjusted[t] / len;
  const a = new Float64Array(len);
  for (let t = 0; t < len; t++) a[t] = adjusted[t] - mean;
  const D = Math.min(m, len - 1);
  const start = Math.max(p, len - Math.round(opts.arDays * m), D);
  // range of the AR's state (the deviations from the local level) over the training rows
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
  return { lookback: Math.max(D, p), forecast: (adj, from, origin, h) => forecastAr(phi, D, zmin, zmax, adj, from, origin, h) };
}

/** The local level + AR forecasts of `h` steps after origin − 1 (see FittedTrend.forecast). */
function forecastAr(
  phi: Float64Array,
  D: number,
  zmin: number,
  zmax: number,
  adj: Float64Array,
  start: number,
  origin: number,
  h: number,
): Float64Array {
  const p = phi.length;
  const from = Math.max(0, origin - D);
  let level = 0;
  for (let t = from; t < origin; t++) level += adj[t - start];
  level /= Math.max(1, origin - from);
  const hist = new Float64Array(p + h);
  // a least-squares AR can be slightly explosive: its forecasts stay within the training range of
  // the state, or the newest states, widened by that range's width on both sides
  let lo = zmin;
  let hi = zmax;
  for (let i = 0; i < p; i++) {
    hist[i] = adj[Math.max(0, origin - p + i) - start] - level;
    lo = Math.min(lo, hist[i]);
    hi = Math.max(hi, hist[i]);
  }
  const width = zmax - zmin;
  lo -= width;
  hi += width;
  const out = new Float64Array(h);
  for (let k = 0; k < h; k++) {
    let v = 0;
    for (let i = 0; i < p; i++) v += phi[i] * hist[p + k - 1 - i];
    v = Math.min(hi, Math.max(lo, v));
    hist[p + k] = v;
    out[k] = level + v;
  }
  return out;
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
export function fitLocalAr(a: Float64Array, first: number, p: number, D: number): Float64Array {
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
