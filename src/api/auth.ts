import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../core/domain/clock.js';
import { apiError, type ApiError } from './errors.js';

/**
 * True when `header` is `Bearer <token>` with the configured token. Both sides are hashed first
 * so that the comparison takes the same time whatever the length or content of the guess
 * (timingSafeEqual alone needs equal lengths, and a length check would leak the token's).
 */
export function tokenMatches(header: string | undefined, token: string | undefined): boolean {
  if (!token || !header) return false;
  const m = /^Bearer (.+)$/i.exec(header);
  if (!m) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(m[1]), digest(token));
}

/** Limits of {@link FailureLimiter}. */
export interface FailureLimits {
  /** Failed attempts allowed per client and window. */
  readonly maxFailures: number;
  readonly windowSec: number;
  /** Clients remembered at most: memory stays bounded whatever the number of addresses. */
  readonly maxClients: number;
}

export const DEFAULT_FAILURE_LIMITS: FailureLimits = { maxFailures: 10, windowSec: 60, maxClients: 10_000 };

/**
 * Failed authentications per client address in fixed windows: after `maxFailures` in one window
 * the client is refused until the window ends, whatever it sends, so that a token cannot be
 * guessed at speed. Time is passed in (unix seconds).
 */
export class FailureLimiter {
  private readonly clients = new Map<string, { failures: number; until: number }>();

  constructor(private readonly limits: FailureLimits = DEFAULT_FAILURE_LIMITS) {}

  /** Seconds until `client` may try again (0: now). */
  retryAfter(client: string, now: number): number {
    const c = this.clients.get(client);
    if (!c || c.until <= now) return 0;
    return c.failures >= this.limits.maxFailures ? Math.max(1, Math.ceil(c.until - now)) : 0;
  }

  /** Counts one failed attempt of `client`. */
  fail(client: string, now: number): void {
    const c = this.clients.get(client);
    if (c && c.until > now) {
      c.failures++;
      return;
    }
    this.clients.delete(client);
    if (this.clients.size >= this.limits.maxClients) this.evict(now);
    this.clients.set(client, { failures: 1, until: now + this.limits.windowSec });
  }

  /** Clients remembered now. */
  get size(): number {
    return this.clients.size;
  }

  /** Forgets the clients whose window ended, and the oldest one when none did. */
  private evict(now: number): void {
    for (const [k, c] of this.clients) if (c.until <= now) this.clients.delete(k);
    // a Map iterates in insertion order: the first key is the oldest window
    if (this.clients.size >= this.limits.maxClients) this.clients.delete(this.clients.keys().next().value as string);
  }
}

/**
 * The onRequest hook of routes that act: 429 with Retry-After while the address is limited, 401
 * with WWW-Authenticate without the token (each counted against the address), else on. It runs
 * before validation, so that nothing about a route is told to a client without the token.
 */
export function bearerAuth(token: string | undefined, clock: Clock, limiter = new FailureLimiter()) {
  const refuse = (reply: FastifyReply, e: ApiError) => reply.code(e.status).send(e.body);
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const now = clock.now();
    const wait = limiter.retryAfter(req.ip, now);
    if (wait > 0) {
      void reply.header('retry-after', String(wait));
      return refuse(
        reply,
        apiError('rate_limited', `too many failed authentications from ${req.ip}: retry in ${wait} s`),
      );
    }
    if (tokenMatches(req.headers.authorization, token)) return undefined;
    limiter.fail(req.ip, now);
    void reply.header('www-authenticate', 'Bearer');
    return refuse(
      reply,
      apiError(
        'unauthorized',
        token
          ? 'a valid "Authorization: Bearer TOKEN" header is required'
          : 'no API token is configured (PRESCALE_API_TOKEN): applying through the API is off',
      ),
    );
  };
}
