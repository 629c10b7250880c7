import type { Samples } from '../domain/series.js';

/**
 * Per-second rate of a raw counter, for counters read from files (Prometheus's `rate()` does
 * this server-side). A decrease is a counter reset: the counter restarted from zero, so the
 * increase over that interval is the new value itself, as Prometheus treats resets
 * (https://prometheus.io/docs/prometheus/latest/querying/functions/#rate). The rate at sample i
 * covers (t[i-1], t[i]]; the first sample has no rate and is dropped.
 */
export function rateFromCounter(samples: Samples): Samples {
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let i = 1; i < samples.timestamps.length; i++) {
    const dt = samples.timestamps[i] - samples.timestamps[i - 1];
    if (!(dt > 0)) continue;
    const prev = samples.values[i - 1];
    const cur = samples.values[i];
    const increase = cur >= prev ? cur - prev : cur;
    timestamps.push(samples.timestamps[i]);
    values.push(increase / dt);
  }
  return { timestamps, values };
}
