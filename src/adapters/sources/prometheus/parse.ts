import { PrescaleError } from '../../../core/domain/errors.js';
import type { Samples } from '../../../core/domain/series.js';

/**
 * Checks a Prometheus `query_range` answer where it enters prescale (as KEDA's Prometheus scaler
 * does): an error status, a non-matrix result, several series, or non-finite values are named.
 * https://prometheus.io/docs/prometheus/latest/querying/api/#range-queries
 */

export interface ParsedRange {
  readonly samples: Samples;
  /** Samples dropped because Prometheus returned NaN or ±Inf (treated as gaps). */
  readonly nonFinite: number;
  /** Labels of the series, when there was one. */
  readonly metric?: Readonly<Record<string, string>>;
}

interface PromBody {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: Array<{ metric?: Record<string, string>; values?: Array<[number, string]> }> };
}

function labelsText(metric: Record<string, string> | undefined): string {
  const entries = Object.entries(metric ?? {});
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${v}"`).join(', ')}}` : '{}';
}

/** Parses the JSON body of one `query_range` answer for `query`. */
export function parseRangeResponse(body: unknown, query: string): ParsedRange {
  const b = body as PromBody;
  if (!b || typeof b !== 'object') throw new PrescaleError('E_SOURCE_DATA', `answer to ${query} is not JSON`);
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
  if (result.length > 1) {
    const names = result.slice(0, 3).map((r) => labelsText(r.metric));
    throw new PrescaleError(
      'E_SOURCE_DATA',
      `query ${query} returned ${result.length} series (${names.join(', ')}${result.length > 3 ? ', …' : ''}); aggregate it to one, e.g. sum(...)`,
    );
  }
  if (result.length === 0) return { samples: { timestamps: [], values: [] }, nonFinite: 0 };
  const timestamps: number[] = [];
  const values: number[] = [];
  let nonFinite = 0;
  for (const pair of result[0].values ?? []) {
    const v = Number(pair[1]);
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    timestamps.push(Number(pair[0]));
    values.push(v);
  }
  return { samples: { timestamps, values }, nonFinite, metric: result[0].metric };
}

/** Concatenates the samples of consecutive, non-overlapping chunks. */
export function stitch(parts: readonly Samples[]): Samples {
  const timestamps: number[] = [];
  const values: number[] = [];
  for (const p of parts) {
    for (let i = 0; i < p.timestamps.length; i++) {
      // chunks do not overlap by construction; this guard keeps the result strictly ascending
      // even if a server answers one point beyond the asked end.
      if (timestamps.length && p.timestamps[i] <= timestamps[timestamps.length - 1]) continue;
      timestamps.push(p.timestamps[i]);
      values.push(p.values[i]);
    }
  }
  return { timestamps, values };
}
