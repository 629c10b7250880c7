import type { ForecastModel, ModelContext } from '../contract.js';
import { NormalEquations } from '../linalg.js';

/** Horizon steps fitted directly; further steps repeat the (forecast-extended) daily season. */
const MAX_DIRECT = 48;

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
 * Direct multi-horizon sliding-window regression (Taieb et al., "A review and comparison of
 * strategies for multi-step ahead time series forecasting", 2012, the "direct" strategy): for each
 * horizon step k a separate linear model predicts y[t+k] from the last hour of samples, the value
 * one day before the target (y[t+k-m]) and, optionally, one week before. Fitting on the series'
 * own last weeks makes the weights adapt per service. Huber weights (1.345·MAD scale, as in
 * Huber 1964 / R's MASS::rlm) keep spikes from dragging the fit.
 */
export function windowRegression(opts: WindowRegressionOptions): ForecastModel {
  return {
    name: opts.name,
    minHistory: (ctx) => (opts.weekly ? 2 * ctx.seasonWeek : 2 * ctx.seasonDay) + recentLags(ctx),
    forecast(y, h, ctx) {
      const n = y.length;
      const m = ctx.seasonDay;
      const w = ctx.seasonWeek;
      const L = recentLags(ctx);
      const p = L + 2 + (opts.weekly ? 1 : 0);
      const direct = Math.min(h, MAX_DIRECT);
      const out = new Array<number>(h);
      const x = new Float64Array(p);
      const features = (t: number, k: number): Float64Array => {
        // t: number of samples known (predicting index t + k - 1)
        for (let j = 0; j < L; j++) x[j] = y[t - 1 - j];
        x[L] = y[t + k - 1 - m];
        if (opts.weekly) x[L + 1] = y[t + k - 1 - w];
        x[p - 1] = 1;
        return x;
      };
      const first = Math.max(L, (opts.weekly ? w : m) + 1);
      for (let k = 1; k <= direct; k++) {
        const last = n - k; // t + k - 1 <= n - 1
        let weights: Float64Array | undefined = undefined;
        let beta: Float64Array = new Float64Array(p);
        for (let iter = 0; iter < (opts.huber ? 3 : 1); iter++) {
          const ne = new NormalEquations(p);
          for (let t = first; t <= last; t++) ne.add(features(t, k), y[t + k - 1], weights ? weights[t - first] : 1);
          beta = ne.solve();
          if (!opts.huber) break;
          // Huber weights from the residuals of this fit
          const res = new Float64Array(last - first + 1);
          for (let t = first; t <= last; t++) {
            const f = features(t, k);
            let pred = 0;
            for (let j = 0; j < p; j++) pred += beta[j] * f[j];
            res[t - first] = y[t + k - 1] - pred;
          }
          const abs = Array.from(res, Math.abs).sort((a, b) => a - b);
          const scale = (abs[Math.floor(abs.length / 2)] / 0.6745) * 1.345 || 1e-12;
          weights = res.map((r) => (Math.abs(r) <= scale ? 1 : scale / Math.abs(r)));
        }
        const f = features(n, k);
        let pred = 0;
        for (let j = 0; j < p; j++) pred += beta[j] * f[j];
        out[k - 1] = pred;
      }
      for (let k = direct; k < h; k++) out[k] = k - m >= 0 ? out[k - m] : y[n + k - m];
      return out;
    },
  };
}

export const windowRegressionDay = windowRegression({ name: 'window_regression', weekly: false, huber: false });
export const windowRegressionWeek = windowRegression({ name: 'window_regression_week', weekly: true, huber: false });
export const windowRegressionHuber = windowRegression({ name: 'window_regression_huber', weekly: false, huber: true });
