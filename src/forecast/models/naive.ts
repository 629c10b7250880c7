import type { ForecastModel } from '../contract.js';

/** The last value, repeated: the simplest baseline, and the fallback when history is very short. */
export const naive: ForecastModel = {
  name: 'naive',
  minHistory: () => 1,
  forecast(y, h) {
    return new Array<number>(h).fill(y[y.length - 1]);
  },
};
