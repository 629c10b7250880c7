import { quantile } from '../series/stats.js';

/**
 * The p90 of a forecast: the p50 plus the larger of two margins, the split-conformal quantile of
 * the backtest's errors per horizon step (p90Margins) and the recurring-jump margin
 * (recurringJump); a random walk's spread when no backtest was possible.
 */

/** Days back that recurringJump scans. */
const SLOT_DAYS = 7;
/** z of the 90th percentile of a normal, for the fallback interval when no backtest is possible. */
const Z90 = 1.2816;

/**
 * Upper 90 % margin per horizon step from backtest residuals, the split-conformal way (Vovk et al.
 * 2005; Lei et al. 2018, "Distribution-free predictive inference for regression"; Stankeviciute
 * et al. 2021 for multi-step): at step k, the 90th percentile of the errors at steps k-2..k+2 over
 * all origins, never narrower than an earlier step (uncertainty does not shrink with the horizon),
 * never negative. Steps beyond the backtest's horizon keep its last step's width.
 */
export function p90Margins(residuals: readonly (readonly number[])[], h: number): number[] {
  const hb = residuals[0]?.length ?? 0;
  const out = new Array<number>(h);
  let prev = 0;
  for (let k = 0; k < h; k++) {
    if (k < hb) {
      const pool: number[] = [];
      for (const r of residuals) for (let j = Math.max(0, k - 2); j <= Math.min(hb - 1, k + 2); j++) pool.push(r[j]);
      prev = Math.max(prev, quantile(pool, 0.9), 0);
    }
    out[k] = prev;
  }
  return out;
}

/**
 * The median over the last SLOT_DAYS days of the largest 5-minute rise y[i] − y[i − r] within
 * ± 30 minutes of the same time of day as index `j` (m samples a day). It widens p90 where the series
 * jumps at about the same time every day — a cron job on a flat baseline, a shift change, a
 * daily batch — that a point forecast smooths away because the jump's minute wanders: when such
 * a jump came near this time on at least half of the last days, p90 covers it — from the
 * earliest to the latest time of day it came at, not over the whole ±30 minutes. The planner
 * provisions for p90, so a recurring spike is met by replicas that are already running.
 */
export function recurringJump(y: readonly number[], j: number, m: number): number {
  const width = Math.max(1, Math.round(m / 48));
  const r = Math.max(1, Math.round(m / 288));
  const maxima: number[] = [];
  let earliest = Number.POSITIVE_INFINITY;
  let latest = Number.NEGATIVE_INFINITY;
  for (let d = 1; d <= SLOT_DAYS; d++) {
    let best = Number.NEGATIVE_INFINITY;
    let at = 0;
    for (let w = -width; w <= width; w++) {
      const i = j - d * m + w;
      if (i >= r && i < j && i < y.length && y[i] - y[i - r] > best) {
        best = y[i] - y[i - r];
        at = w;
      }
    }
    if (Number.isFinite(best)) {
      maxima.push(best);
      earliest = Math.min(earliest, at);
      latest = Math.max(latest, at);
    }
  }
  // only between the earliest and the latest time of day the jump came at: a jump that comes at
  // the same minute every day is provisioned for that minute, not half an hour ahead
  if (maxima.length < 3 || earliest > 0 || latest < 0) return 0;
  return Math.max(0, quantile(maxima, 0.5));
}

/** Fallback p90 margin when no backtest is possible: a random walk's spread, √k widening. */
export function randomWalkMargins(y: readonly number[], h: number): number[] {
  const d: number[] = [];
  for (let i = 1; i < y.length; i++) d.push(y[i] - y[i - 1]);
  const sd = d.length ? Math.sqrt(d.reduce((a, b) => a + b * b, 0) / d.length) : 0;
  return Array.from({ length: h }, (_, k) => Z90 * sd * Math.sqrt(k + 1));
}

/**
 * p90 of the step k + 1 after y[origin − 1], whose p50 is `p50`: the p50 plus the larger of the
 * step's backtest margin and the recurring jump at that time of day.
 */
export function p90At(y: readonly number[], origin: number, k: number, p50: number, margin: number, m: number): number {
  // a recurring jump the p50 already climbs to needs no margin for the part it climbs
  const jump = recurringJump(y, origin + k, m) - Math.max(0, p50 - y[origin - 1]);
  return p50 + Math.max(margin, jump);
}
