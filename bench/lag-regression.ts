/**
 * The reference bench's peer `lagreg` (../shared/bench/fcbench.py), in TypeScript, to score the
 * peer per trace beside prescale in one run: for each horizon step k its own least squares of
 * y[t + k − 1] on the last L = m / 24 samples (12 at 5 minutes), the value one day before the
 * target and an intercept, over every row of the window (t from m to n − k).
 */
import type { ForecastModel } from '../src/core/forecast/contract.js';
import { NormalEquations } from '../src/core/forecast/linalg.js';

export const LAG_REGRESSION: ForecastModel = {
  name: 'lag_regression_reference',
  minHistory: (ctx) => ctx.seasonDay + 2,
  fit(y, h, ctx) {
    const m = ctx.seasonDay;
    const L = Math.max(1, Math.min(12, Math.floor(m / 24)));
    const n = y.length;
    const p = L + 2;
    const x = new Float64Array(p);
    const row = (yy: readonly number[], t: number, k: number) => {
      for (let j = 0; j < L; j++) x[j] = yy[t - L + j];
      x[L] = t + k - m - 1 >= 0 ? yy[t + k - m - 1] : yy[t - 1];
      x[L + 1] = 1;
      return x;
    };
    const betas: Float64Array[] = [];
    for (let k = 1; k <= h; k++) {
      const ne = new NormalEquations(p);
      for (let t = m; t <= n - k; t++) ne.add(row(y, t, k), y[t + k - 1]);
      betas.push(ne.solve(1e-10));
    }
    return {
      predict(yy, origin, hh) {
        return Array.from({ length: hh }, (_, i) => {
          const f = row(yy, origin, i + 1);
          const b = betas[Math.min(i, betas.length - 1)];
          let v = 0;
          for (let j = 0; j < p; j++) v += b[j] * f[j];
          return v;
        });
      },
    };
  },
};
