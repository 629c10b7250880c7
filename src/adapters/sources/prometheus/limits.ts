import { PrescaleError } from '../../../core/domain/errors.js';

/**
 * The query-size limits a Prometheus-compatible server answers with, read from its error text so
 * that the source can split a range further instead of failing. Each server words them its own
 * way (measured on Prometheus 2.42 and VictoriaMetrics 1.79):
 * - Prometheus, per series: `exceeded maximum resolution of 11,000 points per timeseries` (400);
 * - VictoriaMetrics, per series: `too many points …: 34561; cannot exceed
 *   -search.maxPointsPerTimeseries=30000` (422, default 30,000);
 * - Prometheus `--query.max-samples` (and Thanos and Mimir, which share its engine):
 *   `query processing would load too many samples into memory` (422);
 * - VictoriaMetrics `-search.maxSamplesPerQuery` / `-search.maxSamplesPerSeries`:
 *   `cannot select more than -search.maxSamplesPerQuery=N samples` (422).
 */

/** What a refused query says about the size it may have. */
export type SizeLimit =
  /** At most `maxPoints` evaluation points per series. */
  | { readonly kind: 'points'; readonly maxPoints: number }
  /** Too many raw samples for one query: a shorter range reads fewer. */
  | { readonly kind: 'samples' };

const POINT_LIMITS: readonly RegExp[] = [
  /maximum resolution of ([\d,]+) points per timeseries/,
  /cannot exceed -search\.maxPointsPerTimeseries=(\d+)/,
];
const SAMPLE_LIMITS: readonly RegExp[] = [
  /would load too many samples into memory/,
  /cannot select more than -search\.maxSamplesPer(?:Query|Series)=/,
];

/** The size limit an error text names, or undefined when it names none. */
export function sizeLimitOf(error: string): SizeLimit | undefined {
  for (const re of POINT_LIMITS) {
    const m = re.exec(error);
    const n = m ? Number(m[1].replace(/,/g, '')) : Number.NaN;
    if (Number.isSafeInteger(n) && n >= 1) return { kind: 'points', maxPoints: n };
  }
  return SAMPLE_LIMITS.some((re) => re.test(error)) ? { kind: 'samples' } : undefined;
}

/** Fewest points per chunk the source splits down to before it gives up on a sample limit. */
export const MIN_CHUNK_POINTS = 60;

/**
 * The points per chunk to try after `limit` refused a chunk of `points` points, or undefined when
 * splitting further cannot help: a point limit gives its own figure (when below what was asked);
 * a sample limit halves the chunk, down to MIN_CHUNK_POINTS.
 */
export function nextChunkPoints(limit: SizeLimit, points: number): number | undefined {
  if (limit.kind === 'points') return limit.maxPoints < points ? limit.maxPoints : undefined;
  const half = Math.floor(points / 2);
  return half >= MIN_CHUNK_POINTS ? half : undefined;
}

/** A chunk refused for its size: the source splits the range further and asks again. */
export class SizeLimitError extends PrescaleError {
  constructor(
    message: string,
    readonly limit: SizeLimit,
  ) {
    super('E_SOURCE_QUERY', message);
  }
}
