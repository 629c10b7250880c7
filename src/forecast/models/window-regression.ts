import type { ForecastModel, ModelContext } from '../contract.js';
import { ridgeSolve } from '../linalg.js';

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
}

/** Number of recent lags: the last hour at the series' step, between 3 and 12 samples. */
function recentLags(ctx: ModelContext): number {
  return Math.max(3, Math.min(12, Math.round(3600 / ctx.step)));
}

/**
 * Least-squares coefficients of every direct step k = 1..direct at once. The rows of step k are
 * t in [first, n - k]; the recent-lag block of XᵀX is the same for every k but for the last
 * k - 1 rows, so it is summed once and trimmed, and only the terms that involve the day/week
 * lags and the target are summed per k: about a quarter of the work of k separate fits.
 */
function fitDirect(y: readonly number[], first: number, direct: number, L: number, m: number, w: number | undefined): Float64Array[] {
  const n = y.length;
  const weekly = w !== undefined;
  const p = L + 2 + (weekly ? 1 : 0);
  const D = L; // index of the day lag
  const W = L + 1; // index of the week lag
  const C = p - 1; // index of the constant
  // lag block over rows [first, n - 1]
  const S = new Float64Array(L * L);
  const s1 = new Float64Array(L);
  const addLagRow = (t: number, sign: number) => {
    for (let i = 0; i < L; i++) {
      const a = y[t - 1 - i] * sign;
      s1[i] += a;
      for (let j = 0; j <= i; j++) S[i * L + j] += a * y[t - 1 - j];
    }
  };
  for (let t = first; t <= n - 1; t++) addLagRow(t, 1);
  const out: Float64Array[] = [];
  const dl = new Float64Array(L);
  const wl = new Float64Array(L);
  const tl = new Float64Array(L);
  for (let k = 1; k <= direct; k++) {
    if (k > 1) addLagRow(n - k + 1, -1); // row t = n - k + 1 leaves the range
    dl.fill(0);
    wl.fill(0);
    tl.fill(0);
    let dd = 0, d1 = 0, ww = 0, w1 = 0, dw = 0, td = 0, tw = 0, t1 = 0;
    const rows = n - k - first + 1;
    for (let t = first; t <= n - k; t++) {
      const d = y[t + k - 1 - m];
      const wk = weekly ? y[t + k - 1 - (w as number)] : 0;
      const tg = y[t + k - 1];
      for (let i = 0; i < L; i++) {
        const lag = y[t - 1 - i];
        dl[i] += d * lag;
        tl[i] += tg * lag;
        if (weekly) wl[i] += wk * lag;
      }
      dd += d * d;
      d1 += d;
      td += tg * d;
      t1 += tg;
      if (weekly) {
        ww += wk * wk;
        w1 += wk;
        dw += d * wk;
        tw += tg * wk;
      }
    }
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
    set(D, D, dd);
    set(C, D, d1);
    set(C, C, rows);
    xty[D] = td;
    xty[C] = t1;
    if (weekly) {
      set(W, W, ww);
      set(W, D, dw);
      set(C, W, w1);
      xty[W] = tw;
    }
    out.push(ridgeSolve(xtx, xty, p));
  }
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
      const direct = Math.min(Math.max(h, 1), MAX_DIRECT);
      const x = new Float64Array(p);
      /** Features for predicting y[t + k - 1] from y[0, t). */
      const features = (yy: readonly number[], t: number, k: number): Float64Array => {
        for (let j = 0; j < L; j++) x[j] = yy[t - 1 - j];
        x[L] = yy[t + k - 1 - m];
        if (opts.weekly) x[L + 1] = yy[t + k - 1 - w];
        x[p - 1] = 1;
        return x;
      };
      const first = Math.max(L, (opts.weekly ? w : m) + 1, n - TRAIN_DAYS * m);
      let train = y;
      if (opts.huber) {
        // Robust fit by cleaning: residuals of a one-step least-squares fit beyond Huber's
        // 1.345·σ (σ from the MAD) are clipped to it, then the model is refitted on the cleaned
        // series (Huber 1964's ψ applied once; the same idea as R forecast's tsclean before a fit).
        const [b1] = fitDirect(y, first, 1, L, m, opts.weekly ? w : undefined);
        const pred = new Float64Array(n);
        const abs = new Float64Array(n - first);
        for (let t = first; t < n; t++) {
          const f = features(y, t, 1);
          let v = 0;
          for (let j = 0; j < p; j++) v += b1[j] * f[j];
          pred[t] = v;
          abs[t - first] = Math.abs(y[t] - v);
        }
        const sigma = Float64Array.from(abs).sort()[abs.length >> 1] / 0.6745;
        const c = 1.345 * sigma;
        if (c > 0) {
          const cleaned = y.slice();
          for (let t = first; t < n; t++) cleaned[t] = pred[t] + Math.max(-c, Math.min(c, y[t] - pred[t]));
          train = cleaned;
        }
      }
      const betas = fitDirect(train, first, direct, L, m, opts.weekly ? w : undefined);
      return {
        predict(yy, origin, hh) {
          const out = new Array<number>(hh);
          for (let k = 1; k <= Math.min(hh, betas.length); k++) {
            const f = features(yy, origin, k);
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

export const windowRegressionDay = windowRegression({ name: 'window_regression', weekly: false, huber: false });
export const windowRegressionWeek = windowRegression({ name: 'window_regression_week', weekly: true, huber: false });
export const windowRegressionHuber = windowRegression({ name: 'window_regression_huber', weekly: false, huber: true });
