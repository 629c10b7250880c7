import type { MetricsSource } from '../adapters/sources/port.js';
import { bucketStep } from './history-series.js';

/**
 * The lean first fetch: the source is asked for the history already averaged to the bucket step,
 * `avg_over_time((QUERY)[R:STEP])` at the bucket step, instead of every query-step sample. The
 * subquery evaluates QUERY at the multiples of STEP (the same times a range query at STEP starting
 * on a multiple of STEP evaluates it), so gaps, lookback and counter resets come out as in the raw
 * samples. Its range R is the bucket minus half a query step: the window (e − R, e] then holds
 * exactly the bucket's query-step slots whether the source's range is closed on the left
 * (Prometheus 2) or open (Prometheus 3). Evaluated at e, it is the bucket that starts at
 * e − (bucket − STEP).
 */

/** Why a query's first fetch is raw. Codes, logged once per query. */
export const RAW_REASONS = [
  'NoAggregation', // the query step is the bucket step (5 minutes or more): nothing to average
  'StepNotDivisor', // 5 minutes is not a whole number of query steps: buckets are the samples
  'SourceCannot', // the source does not evaluate PromQL subqueries (CSV, replay)
  'Subquery', // the query already holds a subquery: nested ones multiply the source's work
  'Refused', // the source refused the averaged query (e.g. QUERY is a scalar expression)
  'Mismatch', // the averaged buckets differed from the raw samples' means on the check buckets
] as const;
export type RawReason = (typeof RAW_REASONS)[number];

export type LeanPlan =
  { readonly query: string; /** e − bucket start, seconds */ readonly offset: number } | { readonly raw: RawReason };

/** How the first fetch of `query` at `queryStep` is made. */
export function leanPlan(query: string, queryStep: number, source: Pick<MetricsSource, 'subqueries'>): LeanPlan {
  const step = bucketStep(queryStep);
  if (step === queryStep) return { raw: queryStep >= 300 ? 'NoAggregation' : 'StepNotDivisor' };
  if (!source.subqueries) return { raw: 'SourceCannot' };
  if (/\[[^\]]*:[^\]]*\]/.test(query)) return { raw: 'Subquery' };
  const rangeMs = step * 1000 - queryStep * 500;
  return { query: `avg_over_time((${query})[${rangeMs}ms:${queryStep}s])`, offset: step - queryStep };
}

/** Buckets compared with the raw samples' means on each lean first fetch. */
export const CHECK_BUCKETS = 2;

/**
 * The same bucket mean: both empty, or within 1e-9 relative (the source averages with its own
 * summation order, e.g. Prometheus's Kahan-compensated running mean: the last bits may differ).
 */
export function sameMean(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) + 1e-12;
}
