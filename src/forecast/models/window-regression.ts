import type { ForecastModel, ModelContext } from '../contract.js';
import { NormalEquations } from '../linalg.js';

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
      const betas: Float64Array[] = [];
      for (let k = 1; k <= direct; k++) {
        const last = n - k;
        let weights: Float64Array | undefined = undefined;
        let beta: Float64Array = new Float64Array(p);
        // one reweighting after the least-squares start is most of IRLS's gain at a third of the cost
        for (let iter = 0; iter < (opts.huber ? 2 : 1); iter++) {
          const ne = new NormalEquations(p);
          for (let t = first; t <= last; t++) ne.add(features(y, t, k), y[t + k - 1], weights ? weights[t - first] : 1);
          beta = ne.solve();
          if (!opts.huber || last < first) break;
          const res = new Float64Array(last - first + 1);
          for (let t = first; t <= last; t++) {
            const f = features(y, t, k);
            let pred = 0;
            for (let j = 0; j < p; j++) pred += beta[j] * f[j];
            res[t - first] = Math.abs(y[t + k - 1] - pred);
          }
          const sorted = Float64Array.from(res).sort();
          const scale = (sorted[sorted.length >> 1] / 0.6745) * 1.345 || 1e-12;
          weights = res.map((r) => (r <= scale ? 1 : scale / r));
        }
        betas.push(beta);
      }
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
