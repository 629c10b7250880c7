import type { ForecastModel, ModelContext } from '../contract.js';
import { dot, ridgeSolve } from '../linalg.js';
import { kthSmallest } from '../order.js';

/** Horizon steps fitted directly; further steps repeat the (forecast-extended) daily season. */
const MAX_DIRECT = 48;
/** Training rows: the last this many days before the origin. */
const TRAIN_DAYS = 7;

export interface WindowRegressionOptions {
  readonly name: string;
  /** Use the same-time-last-week lag (needs two weeks of history). */
  readonly weekly: boolean;
  /** Robust fit: iteratively reweighted least squares with Huber weights. */
  readonly huber: boolean;
  /** Training rows: the last this many days before the origin; the whole history when absent. */
  readonly trainDays?: number;
  /**
   * With `huber`: the forecast's inputs cleaned as the training rows were, so that a fresh spike
   * does not lift the forecast. Measured with auto's z = 1 selection; not in the registered model.
   */
  readonly cleanInputs?: boolean;
}

/** Number of recent lags: the last hour at the series' step, between 3 and 12 samples. */
function recentLags(ctx: ModelContext): number {
  return Math.max(3, Math.min(12, Math.round(3600 / ctx.step)));
}

/** The lag layout of one fit: L recent lags, the day lag m and, when weekly, the week lag w. */
interface Lags {
  readonly L: number;
  readonly m: number;
  readonly w: number | undefined;
}

/**
 * The running sums of the normal equations of one direct step: the recent-lag block S (lower
 * triangle) and s1; the products of the target (tl), day (dl) and week (wl) with each lag; and the
 * day, week and target terms among themselves (dd = Σ d², d1 = Σ d, dw = Σ d·w, td = Σ t·d, …).
 */
interface StepSums {
  readonly S: Float64Array;
  readonly s1: Float64Array;
  readonly tl: Float64Array;
  readonly dl: Float64Array;
  readonly wl: Float64Array;
  own: { dd: number; d1: number; ww: number; w1: number; dw: number; td: number; tw: number; t1: number };
}

/**
 * Step 1's sums over rows [first, n − 1]. The recent-lag block S[i][j] = Σ y[t-1-i] y[t-1-j]
 * (j ≤ i): the first column summed, each diagonal then shifted one row at a time.
 */
function firstStepSums(y: Float64Array, first: number, { L, m, w }: Lags): StepSums {
  const n = y.length;
  const weekly = w !== undefined;
  const wk = w ?? 0;
  const S = new Float64Array(L * L);
  const s1 = new Float64Array(L);
  const rows = n - first;
  for (let i = 0; i < L; i++) S[i * L] = dot(y, first - 1 - i, y, first - 1, rows);
  for (let t = first; t < n; t++) s1[0] += y[t - 1];
  for (let i = 1; i < L; i++) {
    s1[i] = s1[i - 1] + y[first - 1 - i] - y[n - 1 - i];
    for (let j = 1; j <= i; j++) {
      S[i * L + j] = S[(i - 1) * L + j - 1] + y[first - 1 - i] * y[first - 1 - j] - y[n - 1 - i] * y[n - 1 - j];
    }
  }
  const tl = new Float64Array(L);
  const dl = new Float64Array(L);
  const wl = new Float64Array(L);
  for (let i = 0; i < L; i++) {
    tl[i] = dot(y, first, y, first - 1 - i, rows);
    dl[i] = dot(y, first - m, y, first - 1 - i, rows);
    if (weekly) wl[i] = dot(y, first - wk, y, first - 1 - i, rows);
  }
  let dd = 0, d1 = 0, ww = 0, w1 = 0, dw = 0, td = 0, tw = 0, t1 = 0;
  for (let t = first; t < n; t++) {
    const d = y[t - m];
    const tg = y[t];
    dd += d * d;
    d1 += d;
    td += tg * d;
    t1 += tg;
    if (weekly) {
      const v = y[t - wk];
      ww += v * v;
      w1 += v;
      dw += d * v;
      tw += tg * v;
    }
  }
  return { S, s1, tl, dl, wl, own: { dd, d1, ww, w1, dw, td, tw, t1 } };
}

/** Step k − 1's sums, in place, turned into step k's (k > 1). */
function advanceStep(sums: StepSums, y: Float64Array, first: number, k: number, { L, m, w }: Lags): void {
  const { S, s1, tl, dl, wl, own } = sums;
  const n = y.length;
  const rows = n - first;
  const weekly = w !== undefined;
  const wk = w ?? 0;
  // row t = n - k + 1 leaves the lag block
  const t = n - k + 1;
  for (let i = 0; i < L; i++) {
    const a = y[t - 1 - i];
    s1[i] -= a;
    for (let j = 0; j <= i; j++) S[i * L + j] -= a * y[t - 1 - j];
  }
  // step k − 1's first row (target yt, day yd, week yw); its lag i + 1 is step k's lag i one row earlier
  const f = first + k - 2;
  const yt = y[f];
  const yd = y[f - m];
  const yw = weekly ? y[f - wk] : 0;
  for (let i = 0; i < L - 1; i++) {
    const lag = y[first - 2 - i];
    tl[i] = tl[i + 1] - yt * lag;
    dl[i] = dl[i + 1] - yd * lag;
    wl[i] = wl[i + 1] - yw * lag;
  }
  tl[L - 1] = dot(y, first + k - 1, y, first - L, rows - k + 1);
  dl[L - 1] = dot(y, first + k - 1 - m, y, first - L, rows - k + 1);
  if (weekly) wl[L - 1] = dot(y, first + k - 1 - wk, y, first - L, rows - k + 1);
  own.dd -= yd * yd;
  own.d1 -= yd;
  own.td -= yt * yd;
  own.t1 -= yt;
  if (weekly) {
    own.ww -= yw * yw;
    own.w1 -= yw;
    own.dw -= yd * yw;
    own.tw -= yt * yw;
  }
}

/** Step k's coefficients: XᵀX and Xᵀy laid out from its sums, then solved. */
function solveStep(sums: StepSums, rowCount: number, L: number, weekly: boolean): Float64Array {
  const { S, s1, tl, dl, wl, own } = sums;
  const p = L + 2 + (weekly ? 1 : 0);
  const D = L; // index of the day lag
  const W = L + 1; // index of the week lag
  const C = p - 1; // index of the constant
  const xtx = new Float64Array(p * p);
  const xty = new Float64Array(p);
  const set = (i: number, j: number, v: number) => {
    xtx[i * p + j] = v;
    xtx[j * p + i] = v;
  };
  for (let i = 0; i < L; i++) {
    for (let j = 0; j <= i; j++) set(i, j, S[i * L + j]);
    set(D, i, dl[i]);
    set(C, i, s1[i]);
    xty[i] = tl[i];
    if (weekly) set(W, i, wl[i]);
  }
  set(D, D, own.dd);
  set(C, D, own.d1);
  set(C, C, rowCount);
  xty[D] = own.td;
  xty[C] = own.t1;
  if (weekly) {
    set(W, W, own.ww);
    set(W, D, own.dw);
    set(C, W, own.w1);
    xty[W] = own.tw;
  }
  return ridgeSolve(xtx, xty, p);
}

/**
 * Least-squares coefficients of every direct step k = 1..direct at once, from the normal
 * equations of each step without forming its rows. The rows of step k are t in [first, n - k]:
 * features y[t-1-i] (i < L), y[t+k-1-m], y[t+k-1-w] (weekly), 1; target y[t+k-1]. Every entry
 * of XᵀX and Xᵀy is a sum of lagged products over the rows, and step k's sums follow from step
 * k − 1's in O(1) each: the recent-lag block loses the last row; the products of the target, day
 * and week with lag i are step k − 1's with lag i + 1 less its first row (the same pairs of
 * samples, one row further); the day and week terms lose their first row. Only the products with
 * the oldest lag are summed afresh per step: a sixth of the work of summing every step's rows.
 */
function fitDirect(
  y: Float64Array,
  first: number,
  direct: number,
  L: number,
  m: number,
  w: number | undefined,
): Float64Array[] {
  const lags: Lags = { L, m, w };
  const sums = firstStepSums(y, first, lags);
  const out: Float64Array[] = [];
  for (let k = 1; k <= direct; k++) {
    if (k > 1) advanceStep(sums, y, first, k, lags);
    out.push(solveStep(sums, y.length - k - first + 1, L, w !== undefined));
  }
  return out;
}

/** One-step prediction of y[t] by the coefficients `b` of a direct step-1 fit. */
function oneStep(y: ArrayLike<number>, t: number, b: Float64Array, { L, m, w }: Lags): number {
  let v = 0;
  for (let j = 0; j < L; j++) v += b[j] * y[t - 1 - j];
  v += b[L] * y[t - m];
  if (w !== undefined) v += b[L + 1] * y[t - w];
  return v + b[b.length - 1];
}

interface HuberCleaning {
  /** The series with its outliers clipped, from `first` on. */
  readonly cleaned: Float64Array;
  /** y[i] clipped the same way, for a forecast's inputs. */
  readonly clip: (y: readonly number[], i: number) => number;
}

/**
 * Robust fit by cleaning: residuals of a one-step least-squares fit beyond Huber's 1.345·σ (σ
 * from the MAD) are clipped to it, then the model is refitted on the cleaned series (Huber 1964's
 * ψ applied once; the same idea as R forecast's tsclean before a fit). None when σ is 0.
 */
function huberClean(data: Float64Array, first: number, lags: Lags): HuberCleaning | undefined {
  const n = data.length;
  const [b1] = fitDirect(data, first, 1, lags.L, lags.m, lags.w);
  const pred = new Float64Array(n);
  const abs = new Float64Array(n - first);
  for (let t = first; t < n; t++) {
    pred[t] = oneStep(data, t, b1, lags);
    abs[t - first] = Math.abs(data[t] - pred[t]);
  }
  const c = (1.345 * kthSmallest(abs, abs.length >> 1)) / 0.6745;
  if (!(c > 0)) return undefined;
  const cleaned = data.slice();
  for (let t = first; t < n; t++) cleaned[t] = pred[t] + Math.max(-c, Math.min(c, data[t] - pred[t]));
  const start = Math.max(lags.L, lags.w ?? lags.m);
  const clip = (y: readonly number[], i: number) => {
    if (i < start) return y[i];
    const v = oneStep(y, i, b1, lags);
    return v + Math.max(-c, Math.min(c, y[i] - v));
  };
  return { cleaned, clip };
}

/**
 * A copy of y[0, origin) whose samples a forecast of `direct` steps reads (the last L, and the day
 * and week lags of those steps) are cleaned by `clip`.
 */
function cleanedInputs(
  y: readonly number[],
  origin: number,
  direct: number,
  lags: Lags,
  clip: (y: readonly number[], i: number) => number,
): number[] {
  const out = y.slice(0, origin);
  const at = new Set<number>();
  for (let j = 0; j < lags.L; j++) at.add(origin - 1 - j);
  for (const lag of lags.w === undefined ? [lags.m] : [lags.m, lags.w]) {
    for (let i = origin - lag; i < Math.min(origin, origin - lag + direct); i++) at.add(i);
  }
  for (const i of at) if (i >= 0) out[i] = clip(y, i);
  return out;
}

/**
 * Direct multi-horizon sliding-window regression (Taieb et al., "A review and comparison of
 * strategies for multi-step ahead time series forecasting", 2012, the "direct" strategy): for each
 * horizon step k a separate linear model predicts y[t+k] from the last hour of samples, the value
 * one day before the target (y[t+k-m]) and, optionally, one week before. Fitting on the series'
 * own last week makes the weights adapt per service. Huber weights (tuning 1.345·MAD, as in
 * Huber 1964 and R's MASS::rlm) keep spikes from dragging the fit.
 */
export function windowRegression(opts: WindowRegressionOptions): ForecastModel {
  return {
    name: opts.name,
    minHistory: (ctx) => (opts.weekly ? 2 * ctx.seasonWeek : 2 * ctx.seasonDay) + recentLags(ctx),
    fit(y, h, ctx) {
      const n = y.length;
      const m = ctx.seasonDay;
      const w = ctx.seasonWeek;
      const L = recentLags(ctx);
      const p = L + 2 + (opts.weekly ? 1 : 0);
      const x = new Float64Array(p);
      /** Features for predicting y[t + k - 1] from y[0, t). */
      const features = (yy: readonly number[], t: number, k: number): Float64Array => {
        for (let j = 0; j < L; j++) x[j] = yy[t - 1 - j];
        x[L] = yy[t + k - 1 - m];
        if (opts.weekly) x[L + 1] = yy[t + k - 1 - w];
        x[p - 1] = 1;
        return x;
      };
      const first = Math.max(L, (opts.weekly ? w : m) + 1, n - (opts.trainDays ?? n) * m);
      // (no more direct steps than the rows there are to fit them)
      const direct = Math.min(Math.max(h, 1), MAX_DIRECT, n - first);
      const data = new Float64Array(y);
      const wk = opts.weekly ? w : undefined;
      const robust = opts.huber ? huberClean(data, first, { L, m, w: wk }) : undefined;
      const betas = fitDirect(robust?.cleaned ?? data, first, direct, L, m, wk);
      // (the fitted model keeps its coefficients, not the cleaned series: a backtest's fit is kept for a day)
      const at = opts.cleanInputs ? robust?.clip : undefined;
      return {
        predict(yy, origin, hh) {
          const out = new Array<number>(hh);
          const input = at ? cleanedInputs(yy, origin, betas.length, { L, m, w: wk }, at) : yy;
          for (let k = 1; k <= Math.min(hh, betas.length); k++) {
            const f = features(input, origin, k);
            const beta = betas[k - 1];
            let pred = 0;
            for (let j = 0; j < p; j++) pred += beta[j] * f[j];
            out[k - 1] = pred;
          }
          // beyond the direct steps: the value a day earlier, from the data or the forecast itself
          for (let k = betas.length; k < hh; k++) out[k] = k - m >= 0 ? out[k - m] : yy[origin + k - m];
          return out;
        },
      };
    },
  };
}

export const windowRegressionDay = windowRegression({ name: 'window_regression', weekly: false, huber: false, trainDays: TRAIN_DAYS });
export const windowRegressionWeek = windowRegression({ name: 'window_regression_week', weekly: true, huber: false, trainDays: TRAIN_DAYS });
// every row of the history, as the reference bench's lag regression (fcbench.py `lagreg`)
export const windowRegressionFull = windowRegression({ name: 'window_regression_full', weekly: false, huber: false });
export const windowRegressionHuber = windowRegression({ name: 'window_regression_huber', weekly: false, huber: true, trainDays: TRAIN_DAYS });
