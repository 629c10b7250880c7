import { PrescaleError } from '../../../core/domain/errors.js';
import type { Samples } from '../../../core/domain/series.js';
import { SizeLimitError, sizeLimitOf } from './limits.js';
import { parseRangeResponse } from './parse.js';

/** One `query_range` request of one chunk: plain data, so that a worker thread can make it. */
export interface ChunkRequest {
  /** Base URL without credentials. */
  readonly base: string;
  /** The base URL as shown in messages. */
  readonly shown: string;
  readonly authorization?: string;
  readonly query: string;
  readonly start: number;
  readonly end: number;
  readonly step: number;
  readonly timeoutMs: number;
}

/**
 * Sends one chunk's request and parses its answer. Throws PrescaleError: E_SOURCE_UNREACHABLE
 * (network, timeout, 5xx, 429: worth retrying), E_SOURCE_QUERY (refused; SizeLimitError when for
 * its size), E_SOURCE_DATA (not a usable answer); an aborted `signal` throws its reason.
 */
export async function requestChunk(req: ChunkRequest, http: typeof fetch, signal?: AbortSignal): Promise<Samples> {
  const { base, shown, authorization, query, start, end, step } = req;
  const body = new URLSearchParams({ query, start: String(start), end: String(end), step: String(step) });
  // VictoriaMetrics moves a range of 50 points or more onto multiples of the step, for its
  // cache, unless told `nocache=1` (AdjustStartEnd in app/vmselect/promql); other
  // servers ignore the parameter. An aligned start needs no asking (and keeps the cache).
  if (!onGrid(start, step)) body.set('nocache', '1');
  let res: Response;
  try {
    const timeout = AbortSignal.timeout(req.timeoutMs);
    res = await http(`${base}/api/v1/query_range`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(authorization && { authorization }),
      },
      body,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new PrescaleError('E_SOURCE_UNREACHABLE', `Prometheus at ${shown} is unreachable`, { cause: err });
  }
  if (res.status >= 500 || res.status === 429) {
    throw new PrescaleError('E_SOURCE_UNREACHABLE', `Prometheus at ${shown} answered HTTP ${res.status}`);
  }
  if (res.status === 401 || res.status === 403) {
    throw new PrescaleError(
      'E_SOURCE_QUERY',
      `Prometheus at ${shown} refused the request (HTTP ${res.status}): ${authorization ? 'check the credentials' : 'it needs credentials'}`,
    );
  }
  let json: unknown;
  try {
    json = await res.json();
  } catch (err) {
    if (signal?.aborted) throw err;
    // the timeout can fire while a large answer is still arriving: the server is slow, not wrong
    if (err instanceof Error && err.name === 'TimeoutError') {
      throw new PrescaleError('E_SOURCE_UNREACHABLE', `Prometheus at ${shown} timed out sending its answer`, {
        cause: err,
      });
    }
    throw new PrescaleError('E_SOURCE_DATA', `Prometheus at ${shown} answered HTTP ${res.status} without JSON`, {
      cause: err,
    });
  }
  const limit = sizeLimitOf(errorText(json));
  if (limit) throw new SizeLimitError(`Prometheus at ${shown} refused ${query}: ${errorText(json)}`, limit);
  return parseRangeResponse(json, query).samples;
}

/** True when `t` is a whole multiple of `step`. */
function onGrid(t: number, step: number): boolean {
  const r = t % step;
  return Math.abs(r) < 1e-9 || Math.abs(r - step) < 1e-9;
}

/** The `error` of a Prometheus API error answer, else ''. */
function errorText(json: unknown): string {
  const b = json as { status?: unknown; error?: unknown } | null;
  return b && typeof b === 'object' && b.status === 'error' && typeof b.error === 'string' ? b.error : '';
}
