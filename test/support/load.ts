/**
 * Synthetic load histories with a sharp daily peak, shaped so that tests know exactly where
 * "now" falls: before the peak, in it, or in the trough after it.
 */

export interface DailyPeak {
  /** Unix seconds of the last sample. */
  readonly end: number;
  readonly days: number;
  readonly step: number;
  /** Seconds after `end` when the next peak starts (negative: it started that long ago). */
  readonly peakStartsIn: number;
  readonly peakSeconds: number;
  readonly base: number;
  readonly peak: number;
}

/** Samples of a load that sits at `base` and jumps to `peak` for `peakSeconds` every day. */
export function dailyPeakLoad(p: DailyPeak): { timestamps: number[]; values: number[] } {
  const timestamps: number[] = [];
  const values: number[] = [];
  const peakPhase = (((p.end + p.peakStartsIn) % 86_400) + 86_400) % 86_400;
  for (let t = p.end - p.days * 86_400; t <= p.end; t += p.step) {
    const phase = (((t - peakPhase) % 86_400) + 86_400) % 86_400;
    const inPeak = phase < p.peakSeconds;
    // small deterministic ripple so that models see noise, not a flat line
    const ripple = 1 + 0.03 * Math.sin(t / 977);
    timestamps.push(t);
    values.push(Math.round((inPeak ? p.peak : p.base) * ripple * 100) / 100);
  }
  return { timestamps, values };
}

/**
 * `load{service="steady"}`: a flat 1000 over the last two days at 60 s, ending at this minute
 * (13 replicas of 100 at 80 %), for tests about the service rather than the forecast.
 */
export function steadyLoad() {
  const end = Math.floor(Date.now() / 1000 / 60) * 60;
  return {
    name: 'load',
    labels: { service: 'steady' },
    ...dailyPeakLoad({ end, days: 2, step: 60, peakStartsIn: 3600, peakSeconds: 60, base: 1000, peak: 1000 }),
  };
}
