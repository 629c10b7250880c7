import { ConsecutiveBreaker, ExponentialBackoff, circuitBreaker, handleWhen, retry, wrap } from 'cockatiel';
import { PrescaleError, isPrescaleError } from '../../../core/domain/errors.js';
import type { Samples } from '../../../core/domain/series.js';
import type { Logger } from '../../../observability/logger.js';
import type { MetricsSource } from '../port.js';
import { authorizationHeader, redactUrl, splitCredentials, type PrometheusAuth } from './auth.js';
import { planChunks } from './chunks.js';
import { SizeLimitError, nextChunkPoints } from './limits.js';
import { ChunkThread } from './off-thread.js';
import { stitch } from './parse.js';
import { requestChunk, type ChunkRequest } from './request.js';

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
  /**
   * Make the requests and parse the answers in a worker thread (src/adapters/sources/prometheus/
   * off-thread.ts), so that the main thread keeps answering the API. Default false; not with
   * `fetch`, which lives in this thread.
   */
  readonly offThread?: boolean;
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
  private readonly thread?: ChunkThread;

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
    if (opts.offThread && opts.fetch) {
      throw new PrescaleError('E_INPUT', 'offThread: the worker thread cannot use an injected fetch');
    }
    if (opts.offThread) this.thread = new ChunkThread();
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
        parts.push(within(await this.queryChunk(query, from, to, step, signal), from, to));
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
    const req: ChunkRequest = {
      base: this.base,
      shown: this.shown,
      ...(this.authorization && { authorization: this.authorization }),
      query,
      start,
      end,
      step,
      timeoutMs: this.opts.timeoutMs ?? 15_000,
    };
    try {
      return await this.policy.execute(
        () => (this.thread ? this.thread.request(req, signal) : requestChunk(req, this.http, signal)),
        signal,
      );
    } catch (err) {
      if (isPrescaleError(err)) throw err;
      // the breaker is open: same meaning for callers as an unreachable server
      throw new PrescaleError('E_SOURCE_UNREACHABLE', `Prometheus at ${this.shown} is unreachable (failing fast)`, {
        cause: err,
      });
    }
  }

  /** Ends the worker thread, if any (an idle one does not keep the process alive anyway). */
  async close(): Promise<void> {
    await this.thread?.close();
  }
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
