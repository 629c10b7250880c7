import type { RegularSeries } from '../core/domain/series.js';
import { resample, toRegular } from '../core/series/regular.js';
import { FORECAST_STEP, forecastStep } from './plan/buckets.js';

/**
 * One series' history as the cache keeps it: whole buckets at the bucket step (the forecast
 * step), and the raw samples of the bucket still filling. Bucket `i` covers the query-step
 * samples at `start + i * step`, …, `start + (i + 1) * step − queryStep` and holds their mean,
 * the same as `resample` of the query-step grid anchored on whole buckets. Pure.
 */

/** `counts[i]` of a bucket read from the history store (its samples are not known). */
export const FROM_STORE = -1;

export interface BucketedHistory {
  /** Time of bucket 0: a multiple of `step`. */
  start: number;
  /** The bucket step, seconds. */
  readonly step: number;
  /** The query step, seconds. */
  readonly queryStep: number;
  /** Bucket means; NaN: no sample in the bucket. */
  values: number[];
  /** Query-step samples behind each bucket (0 when NaN), or FROM_STORE. */
  counts: number[];
  /** Raw samples at or after the end of the last bucket (the bucket still filling). */
  tailT: number[];
  tailV: number[];
  /** The newest sample at the query step. */
  latest?: { readonly at: number; readonly value: number };
}

/** The bucket step for a query step: the forecast step when it is a whole number of query steps, else the query step. */
export function bucketStep(queryStep: number): number {
  return queryStep < FORECAST_STEP && FORECAST_STEP % queryStep !== 0 ? queryStep : forecastStep(queryStep);
}

/** An empty history whose first bucket is the first whole bucket at or after `from`. */
export function emptyHistory(from: number, queryStep: number): BucketedHistory {
  const step = bucketStep(queryStep);
  return { start: Math.ceil(from / step) * step, step, queryStep, values: [], counts: [], tailT: [], tailV: [] };
}

/** Time just after the last whole bucket. */
export function bucketsEnd(h: BucketedHistory): number {
  return h.start + h.values.length * h.step;
}

/**
 * Appends query-step samples newer than `h.latest` (older ones, and those before the end of the
 * last bucket, are left out of the buckets) and folds each bucket that is complete: the newest sample
 * (or `answeredUntil`, the end of a range the source answered) is at or after its last query-step
 * slot (a bucket with no sample then is NaN).
 */
export function appendSamples(
  h: BucketedHistory,
  timestamps: readonly number[],
  values: readonly number[],
  answeredUntil?: number,
): void {
  for (let i = 0; i < timestamps.length; i++) {
    const t = timestamps[i];
    if (h.latest && t <= h.latest.at) continue;
    h.latest = { at: t, value: values[i] };
    // folding the buckets before t's as samples come keeps the raw tail at one bucket, however long the fetch
    foldUntil(h, t - h.queryStep);
    if (t >= bucketsEnd(h)) {
      h.tailT.push(t);
      h.tailV.push(values[i]);
    }
    foldUntil(h, t);
  }
  if (h.latest && answeredUntil !== undefined) foldUntil(h, Math.max(h.latest.at, answeredUntil));
}

/** Folds every bucket whose last query-step slot is at or before `until`. */
function foldUntil(h: BucketedHistory, until: number): void {
  while (until >= bucketsEnd(h) + h.step - h.queryStep) {
    const t0 = bucketsEnd(h);
    let n = 0;
    while (n < h.tailT.length && h.tailT[n] < t0 + h.step) n++;
    const ts = h.tailT.slice(0, n);
    const vs = h.tailV.slice(0, n);
    h.tailT = h.tailT.slice(n);
    h.tailV = h.tailV.slice(n);
    h.values.push(n ? bucketMean(ts, vs, t0, h.queryStep, h.step) : Number.NaN);
    h.counts.push(n);
  }
}

/** The mean of one bucket's samples, by the one definition of a bucket mean (`resample`). */
function bucketMean(ts: number[], vs: number[], t0: number, queryStep: number, step: number): number {
  const grid = toRegular({ timestamps: ts, values: vs }, queryStep, t0);
  return resample({ ...grid, values: grid.values.slice(0, step / queryStep) }, step).values[0];
}

/**
 * Sets buckets that a source returned already averaged (`at` the bucket times) on the first
 * `count` buckets (more when a time is later); buckets with no value are NaN. `h` must have no
 * buckets yet.
 */
export function setBuckets(h: BucketedHistory, at: readonly number[], values: readonly number[], count: number): void {
  const k = h.step / h.queryStep;
  while (h.values.length < count) {
    h.values.push(Number.NaN);
    h.counts.push(0);
  }
  for (let i = 0; i < at.length; i++) {
    const b = Math.round((at[i] - h.start) / h.step);
    if (b < 0) continue;
    while (h.values.length <= b) {
      h.values.push(Number.NaN);
      h.counts.push(0);
    }
    h.values[b] = values[i];
    h.counts[b] = k;
  }
}

/** Drops the buckets (and raw samples) before `from`. */
export function trimBefore(h: BucketedHistory, from: number): void {
  const drop = Math.min(h.values.length, Math.max(0, Math.ceil((from - h.start) / h.step)));
  if (drop > 0) {
    h.values.splice(0, drop);
    h.counts.splice(0, drop);
    h.start += drop * h.step;
  }
  let n = 0;
  while (n < h.tailT.length && h.tailT[n] < from) n++;
  if (n) {
    h.tailT.splice(0, n);
    h.tailV.splice(0, n);
  }
}

/**
 * Fills the buckets the source has no value for from a stored series at the same step (the
 * source wins where both have a bucket). Stored buckets before the first bucket are left out;
 * stored buckets after the last one are not added (the source is asked for those).
 */
export function fillFromStore(h: BucketedHistory, stored: RegularSeries): number {
  if (stored.step !== h.step) return 0;
  let filled = 0;
  for (let b = 0; b < h.values.length; b++) {
    if (!Number.isNaN(h.values[b])) continue;
    const j = Math.round((h.start + b * h.step - stored.start) / stored.step);
    if (j < 0 || j >= stored.values.length || !Number.isFinite(stored.values[j])) continue;
    h.values[b] = stored.values[j];
    h.counts[b] = FROM_STORE;
    filled++;
  }
  return filled;
}

/** What the cycle is given of one history. */
export interface HistoryView {
  /** Whole buckets from the first one with a value, oldest first (NaN: a gap). */
  readonly series: RegularSeries;
  readonly from: number;
  readonly to: number;
  /** The newest sample's value (at `to`). */
  readonly latest: number;
  /** Query-step samples the history stands for (a stored bucket stands for a full one). */
  readonly points: number;
  /** Query-step slots between `from` and `to` with no sample. */
  readonly gaps: number;
  /** Buckets with a value read from the store, and from the source. */
  readonly storeBuckets: number;
  readonly sourceBuckets: number;
}

/** The history as the forecaster and the report see it; undefined when it holds no sample. */
export function viewOf(h: BucketedHistory): HistoryView | undefined {
  if (!h.latest) return undefined;
  const first = h.values.findIndex((v) => !Number.isNaN(v));
  const k = h.step / h.queryStep;
  let points = h.tailT.length;
  let storeBuckets = 0;
  let sourceBuckets = 0;
  for (let b = Math.max(0, first); b < h.counts.length; b++) {
    const c = h.counts[b];
    if (c === FROM_STORE) storeBuckets++;
    else if (c > 0) sourceBuckets++;
    points += c === FROM_STORE ? k : c;
  }
  const values = first >= 0 ? h.values.slice(first) : [];
  const from = first >= 0 ? h.start + first * h.step : (h.tailT[0] ?? h.latest.at);
  const to = h.latest.at;
  const gridPoints = Math.round((to - from) / h.queryStep) + 1;
  return {
    series: { start: first >= 0 ? from : bucketsEnd(h), step: h.step, values },
    from,
    to,
    latest: h.latest.value,
    points,
    gaps: Math.max(0, gridPoints - points),
    storeBuckets,
    sourceBuckets,
  };
}
