import type { ForecastModel, ModelContext } from '../contract.js';

/** Forecast = the value one season earlier (Hyndman & Athanasopoulos, FPP3 §5.2 "Seasonal naïve"). */
function seasonalNaive(name: string, season: (ctx: ModelContext) => number): ForecastModel {
  return {
    name,
    minHistory: (ctx) => season(ctx),
    fit: (_y, _h, ctx) => ({
      predict(y, origin, h) {
        const m = season(ctx);
        const out = new Array<number>(h);
        for (let k = 0; k < h; k++) out[k] = y[origin - m + (k % m)];
        return out;
      },
    }),
  };
}

/** Same time yesterday. */
export const seasonalNaiveDay = seasonalNaive('seasonal_naive_day', (ctx) => ctx.seasonDay);
/** Same time last week. */
export const seasonalNaiveWeek = seasonalNaive('seasonal_naive_week', (ctx) => ctx.seasonWeek);
