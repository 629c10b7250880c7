import { ConsecutiveBreaker, ExponentialBackoff, circuitBreaker, handleWhen, retry, wrap } from 'cockatiel';
import { PrescaleError, isPrescaleError } from '../../../core/domain/errors.js';
import type { Samples } from '../../../core/domain/series.js';
import type { Logger } from '../../../observability/logger.js';
import type { MetricsSource } from '../port.js';
import { authorizationHeader, redactUrl, splitCredentials, type PrometheusAuth } from './auth.js';
import { planChunks } from './chunks.js';
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
  /** Points per chunk, under Prometheus's 11,000. Default 10 000. */
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
    for (const chunk of planChunks(start, end, step, this.opts.maxPoints ?? 10_000)) {
      parts.push((await this.queryChunk(query, chunk.start, chunk.end, step, signal)).samples);
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
          throw new PrescaleError(
            'E_SOURCE_DATA',
            `Prometheus at ${this.shown} answered HTTP ${res.status} without JSON`,
            { cause: err },
          );
        }
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
