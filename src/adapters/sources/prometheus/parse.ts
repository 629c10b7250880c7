import { PrescaleError } from '../../../core/domain/errors.js';
import { isUsableValue, type Samples } from '../../../core/domain/series.js';

/**
 * Checks a Prometheus `query_range` answer where it enters prescale (as KEDA's Prometheus scaler
 * does): an error status, a non-matrix result, several series, malformed points are named;
 * NaN, ±Inf and values beyond MAX_ABS_VALUE are dropped as gaps and counted (`samples.dropped`).
 * https://prometheus.io/docs/prometheus/latest/querying/api/#range-queries
 */

export interface ParsedRange {
  /** The series' samples; `samples.dropped` counts the unusable values left out. */
  readonly samples: Samples;
  /** Labels of the series, when there was one. */
  readonly metric?: Readonly<Record<string, string>>;
}

interface PromBody {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: Array<{ metric?: Record<string, string>; values?: unknown }> };
}

function labelsText(metric: Record<string, string> | undefined): string {
  const entries = Object.entries(metric ?? {});
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${v}"`).join(', ')}}` : '{}';
}

/** Parses the JSON body of one `query_range` answer for `query`. */
export function parseRangeResponse(body: unknown, query: string): ParsedRange {
  if (!body || typeof body !== 'object') throw new PrescaleError('E_SOURCE_DATA', `answer to ${query} is not JSON`);
  if (Array.isArray(body)) {
    throw new PrescaleError('E_SOURCE_DATA', `answer to ${query} is a JSON array, not a Prometheus API object`);
  }
  const b = body as PromBody;
  if (b.status !== 'success') {
    throw new PrescaleError(
      'E_SOURCE_QUERY',
      `Prometheus rejected ${query}: ${b.errorType ?? 'error'}: ${b.error ?? 'no reason given'}`,
    );
  }
  if (b.data?.resultType !== 'matrix') {
    throw new PrescaleError(
      'E_SOURCE_DATA',
      `query ${query} returned ${b.data?.resultType ?? 'nothing'}, not a range vector (matrix)`,
    );
  }
  const result = b.data.result ?? [];
  if (!Array.isArray(result)) throw new PrescaleError('E_SOURCE_DATA', `answer to ${query}: data.result is not a list`);
  if (result.length > 1) {
    const names = result.slice(0, 3).map((r) => labelsText(r.metric));
    throw new PrescaleError(
      'E_SOURCE_DATA',
      `query ${query} returned ${result.length} series (${names.join(', ')}${result.length > 3 ? ', …' : ''}); aggregate it to one, e.g. sum(...)`,
    );
  }
  if (result.length === 0) return { samples: { timestamps: [], values: [] } };
  return { samples: parsePoints(result[0].values ?? [], query), metric: result[0].metric };
}

/**
 * The points of one series, `[unix_seconds, "value"]` each. A point that is not such a pair, or
 * whose timestamp is not a finite number, makes the answer unusable (E_SOURCE_DATA naming it);
 * an unusable value is a gap, counted in `dropped`.
 */
function parsePoints(points: unknown, query: string): Samples {
  if (!Array.isArray(points)) throw new PrescaleError('E_SOURCE_DATA', `answer to ${query}: values is not a list`);
  const timestamps: number[] = [];
  const values: number[] = [];
  let dropped = 0;
  for (let i = 0; i < points.length; i++) {
    const pair: unknown = points[i];
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'number' || !Number.isFinite(pair[0])) {
      throw new PrescaleError(
        'E_SOURCE_DATA',
        `answer to ${query}: point ${i} is ${JSON.stringify(pair)?.slice(0, 60)}, not [unix_seconds, "value"]`,
      );
    }
    const [t, text] = pair as [number, unknown];
    const v = typeof text === 'string' && text.trim() !== '' ? Number(text) : Number.NaN;
    if (!isUsableValue(v)) {
      dropped++;
      continue;
    }
    timestamps.push(t);
    values.push(v);
  }
  return { timestamps, values, ...(dropped > 0 && { dropped }) };
}

/** Concatenates the samples of consecutive, non-overlapping chunks (and their dropped counts). */
export function stitch(parts: readonly Samples[]): Samples {
  const timestamps: number[] = [];
  const values: number[] = [];
  let dropped = 0;
  for (const p of parts) {
    dropped += p.dropped ?? 0;
    for (let i = 0; i < p.timestamps.length; i++) {
      // chunks do not overlap by construction; this guard keeps the result strictly ascending
      // even if a server answers one point beyond the asked end.
      if (timestamps.length && p.timestamps[i] <= timestamps[timestamps.length - 1]) continue;
      timestamps.push(p.timestamps[i]);
      values.push(p.values[i]);
    }
  }
  return { timestamps, values, ...(dropped > 0 && { dropped }) };
}
