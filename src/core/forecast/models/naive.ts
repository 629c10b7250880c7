import type { ForecastModel } from '../contract.js';

/** The last value, repeated (Hyndman & Athanasopoulos, FPP3 §5.2 "Naïve"): the simplest baseline, and the fallback when history is very short. */
export const naive: ForecastModel = {
  name: 'naive',
  minHistory: () => 1,
  fit: () => ({ predict: (y, origin, h) => new Array<number>(h).fill(y[origin - 1]) }),
};
