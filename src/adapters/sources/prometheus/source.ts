import { ConsecutiveBreaker, ExponentialBackoff, circuitBreaker, handleWhen, retry, wrap } from 'cockatiel';
import { PrescaleError, isPrescaleError } from '../../../core/domain/errors.js';
import type { Samples } from '../../../core/domain/series.js';
import type { Logger } from '../../../observability/logger.js';
import type { MetricsSource } from '../port.js';
import { authorizationHeader, redactUrl, splitCredentials, type PrometheusAuth } from './auth.js';
import { planChunks } from './chunks.js';
import { SizeLimitError, nextChunkPoints, sizeLimitOf } from './limits.js';
import { parseRangeResponse, stitch } from './parse.js';

export interface PrometheusSourceOptions {
  /** Base URL, e.g. http://prometheus:9090; credentials in it (http://user:pass@host) are basic auth. */
  readonly url: string;
  /** Credentials sent in the Authorization header (not together with credentials in the URL). */
  readonly auth?: PrometheusAuth;
  /** Timeout of one HTTP request, ms. Default 15 000. */
  readonly timeoutMs?: number;
  /** Attempts after the first one, for unreachable servers, 5xx and 429. Default 3. */
  readonly retries?: number;
  /** First backoff delay, ms (doubles, with jitter). Default 200. */
  readonly initialDelayMs?: number;
  /**
   * Points per chunk, under Prometheus's 11,000. Default 10 000. A server that refuses a chunk
   * for its size (a lower point limit, too many samples) makes the source split further.
   */
  readonly maxPoints?: number;
  readonly logger?: Logger;
  /** HTTP client, injectable for tests. */
  readonly fetch?: typeof fetch;
  /** Whether subqueries may be asked for (the lean first fetch). Default true. */
  readonly subqueries?: boolean;
}

/** A failure worth retrying: the server was unreachable or said it is overloaded. */
function transient(err: Error): boolean {
  return isPrescaleError(err, 'E_SOURCE_UNREACHABLE');
}

/**
 * Reads load history from Prometheus's HTTP API (`/api/v1/query_range`), in chunks under the
 * per-series point limit, with timeouts, retries (exponential backoff with jitter) on network
 * errors, 5xx and 429, and a circuit breaker so that a Prometheus that is down is not hammered
 * by every service of every cycle. 4xx answers (bad PromQL) are never retried.
 */
export class PrometheusSource implements MetricsSource {
  private readonly base: string;
  /** The base URL as shown in messages and logs: without its credentials. */
  private readonly shown: string;
  private readonly authorization?: string;
  private readonly http: typeof fetch;
  private readonly policy;
  /** @inheritdoc */
  readonly subqueries: boolean;
  /** Points per chunk: `maxPoints`, lowered for good when the server refuses a chunk's size. */
  private chunkPoints: number;

  constructor(private readonly opts: PrometheusSourceOptions) {
    this.shown = redactUrl(opts.url);
    this.subqueries = opts.subqueries ?? true;
    let url: URL;
    try {
      url = new URL(opts.url);
    } catch (err) {
      throw new PrescaleError('E_INPUT', `--prometheus: not a URL: ${this.shown}`, { cause: err });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new PrescaleError('E_INPUT', `--prometheus: expected an http(s) URL, got ${this.shown}`);
    }
    const { base, auth } = splitCredentials(opts.url);
    if (auth && opts.auth) {
      throw new PrescaleError('E_INPUT', `--prometheus ${this.shown}: credentials in the URL and in flags; give one`);
    }
    this.base = base;
    const credentials = opts.auth ?? auth;
    if (credentials) this.authorization = authorizationHeader(credentials);
    this.http = opts.fetch ?? fetch;
    this.chunkPoints = opts.maxPoints ?? 10_000;
    const retryPolicy = retry(handleWhen(transient), {
      maxAttempts: opts.retries ?? 3,
      backoff: new ExponentialBackoff({ initialDelay: opts.initialDelayMs ?? 200, maxDelay: 5_000 }),
    });
    retryPolicy.onRetry((e) =>
      opts.logger?.warn(
        { delay: Math.round(e.delay), err: 'error' in e ? e.error.message : undefined },
        'retrying Prometheus',
      ),
    );
    // After 5 consecutive failed queries, fail fast for 10 s before trying again (half-open).
    const breaker = circuitBreaker(handleWhen(transient), {
      halfOpenAfter: 10_000,
      breaker: new ConsecutiveBreaker(5),
    });
    this.policy = wrap(breaker, retryPolicy);
  }

  /** @inheritdoc */
  async queryRange(query: string, start: number, end: number, step: number, signal?: AbortSignal): Promise<Samples> {
    if (!query.trim()) throw new PrescaleError('E_INPUT', 'empty PromQL query');
    if (!(step > 0)) throw new PrescaleError('E_INPUT', `step must be a positive number of seconds, got ${step}`);
    const parts: Samples[] = [];
    // Chunks are planned from the first point not fetched yet, so that a smaller chunk size
    // learnt from a refusal applies to the rest of the range; the grid stays start + k * step.
    for (let first = 0; ;) {
      const [chunk] = planChunks(start + first * step, end, step, this.chunkPoints);
      if (!chunk) break;
      const points = Math.round((chunk.end - chunk.start) / step) + 1;
      const [from, to] = [chunk.start, chunk.end];
      try {
        parts.push(within((await this.queryChunk(query, from, to, step, signal)).samples, from, to));
        first += points;
      } catch (err) {
        const smaller = err instanceof SizeLimitError ? nextChunkPoints(err.limit, points) : undefined;
        if (smaller === undefined) throw err;
        this.opts.logger?.warn({ query, points, next: smaller }, 'chunk refused for its size: splitting further');
        this.chunkPoints = smaller;
      }
    }
    const samples = stitch(parts);
    if (samples.dropped) {
      this.opts.logger?.warn({ query, dropped: samples.dropped }, 'dropped NaN, Inf and out-of-range samples as gaps');
    }
    return samples;
  }

  private async queryChunk(query: string, start: number, end: number, step: number, signal?: AbortSignal) {
    try {
      return await this.policy.execute(async () => {
        const body = new URLSearchParams({ query, start: String(start), end: String(end), step: String(step) });
        // VictoriaMetrics moves a range of 50 points or more onto multiples of the step, for its
        // cache, unless told `nocache=1` (AdjustStartEnd in app/vmselect/promql); other
        // servers ignore the parameter. An aligned start needs no asking (and keeps the cache).
        if (!onGrid(start, step)) body.set('nocache', '1');
        let res: Response;
        try {
          const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 15_000);
          res = await this.http(`${this.base}/api/v1/query_range`, {
            method: 'POST',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              ...(this.authorization && { authorization: this.authorization }),
            },
            body,
            signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
          });
        } catch (err) {
          if (signal?.aborted) throw err;
          throw new PrescaleError('E_SOURCE_UNREACHABLE', `Prometheus at ${this.shown} is unreachable`, { cause: err });
        }
        if (res.status >= 500 || res.status === 429) {
          throw new PrescaleError('E_SOURCE_UNREACHABLE', `Prometheus at ${this.shown} answered HTTP ${res.status}`);
        }
        if (res.status === 401 || res.status === 403) {
          throw new PrescaleError(
            'E_SOURCE_QUERY',
            `Prometheus at ${this.shown} refused the request (HTTP ${res.status}): ${this.authorization ? 'check the credentials' : 'it needs credentials'}`,
          );
        }
        let json: unknown;
        try {
          json = await res.json();
        } catch (err) {
          if (signal?.aborted) throw err;
          // the timeout can fire while a large answer is still arriving: the server is slow, not wrong
          if (err instanceof Error && err.name === 'TimeoutError') {
            throw new PrescaleError(
              'E_SOURCE_UNREACHABLE',
              `Prometheus at ${this.shown} timed out sending its answer`,
              {
                cause: err,
              },
            );
          }
          throw new PrescaleError(
            'E_SOURCE_DATA',
            `Prometheus at ${this.shown} answered HTTP ${res.status} without JSON`,
            { cause: err },
          );
        }
        const limit = sizeLimitOf(errorText(json));
        if (limit) throw new SizeLimitError(`Prometheus at ${this.shown} refused ${query}: ${errorText(json)}`, limit);
        return parseRangeResponse(json, query);
      }, signal);
    } catch (err) {
      if (isPrescaleError(err)) throw err;
      // the breaker is open: same meaning for callers as an unreachable server
      throw new PrescaleError('E_SOURCE_UNREACHABLE', `Prometheus at ${this.shown} is unreachable (failing fast)`, {
        cause: err,
      });
    }
  }
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

/**
 * The samples in [from, to]: a server that rounds the range outwards to multiples of the step
 * (VictoriaMetrics does, for its cache) may answer a point beyond the asked end.
 */
function within(s: Samples, from: number, to: number): Samples {
  const keep = s.timestamps.map((t) => t >= from && t <= to);
  if (keep.every(Boolean)) return s;
  return {
    timestamps: s.timestamps.filter((_, i) => keep[i]),
    values: s.values.filter((_, i) => keep[i]),
    ...(s.dropped && { dropped: s.dropped }),
  };
}
