import { z } from 'zod';
import { isEngineCode, isPrescaleError } from '../core/domain/errors.js';

/**
 * Every `error` an API answer can carry: one closed set, so that clients branch on the code and
 * people read the message. Each has one HTTP status (see {@link STATUS_OF}).
 */
export const API_ERROR_CODES = [
  'bad_request', // the request is malformed: parameters, body, media type
  'unauthorized', // no or a wrong bearer token
  'not_found', // no such route or service
  'no_forecast', // the service exists but has no (usable) forecast
  'method_not_allowed', // the path exists, the method does not (see the Allow header)
  'passive', // another instance holds the leader lock: apply through it
  'recommend_only', // this instance runs without --apply and never changes the engine
  'rate_limited', // too many failed authentications from this address (see Retry-After)
  'engine_error', // the engine (Docker) failed or did not answer while applying
  'internal', // a bug: the message says what broke
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** The HTTP status of each error code. */
export const STATUS_OF: Readonly<Record<ApiErrorCode, number>> = {
  bad_request: 400,
  unauthorized: 401,
  not_found: 404,
  no_forecast: 404,
  method_not_allowed: 405,
  passive: 409,
  recommend_only: 409,
  rate_limited: 429,
  engine_error: 502,
  internal: 500,
};

/** The one shape of every error answer. */
export const ErrorBody = z
  .object({
    error: z.enum(API_ERROR_CODES).describe('stable code to branch on'),
    message: z.string().describe('what is wrong, in a sentence'),
  })
  .describe('an error: a code and a sentence');
export type ErrorBody = z.infer<typeof ErrorBody>;

/** An error answer: its status and body. */
export interface ApiError {
  readonly status: number;
  readonly body: ErrorBody;
}

export function apiError(error: ApiErrorCode, message: string): ApiError {
  return { status: STATUS_OF[error], body: { error, message } };
}

/**
 * The answer to anything thrown by a route or by fastify itself (validation, bad JSON, a body
 * too large, a response that does not fit its schema): a code from the closed set, never a
 * fastify or library shape.
 */
export function errorFromThrown(err: unknown): ApiError {
  const message = err instanceof Error ? err.message : String(err);
  if (isPrescaleError(err)) {
    if (err.code === 'E_NOT_FOUND') return apiError('not_found', message);
    if (err.code === 'E_INPUT') return apiError('bad_request', message);
    if (err.code === 'E_LOCKED') return apiError('passive', `this instance is passive: ${message}`);
    if (err.code === 'E_RECOMMEND_ONLY') return apiError('recommend_only', `this instance only recommends: ${message}`);
    if (isEngineCode(err.code)) return apiError('engine_error', message);
    return apiError('internal', message);
  }
  const e = err as { statusCode?: unknown; validation?: unknown };
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (e.validation) return apiError('bad_request', message);
  // 4xx raised by fastify itself (bad JSON, unsupported media type, body too large) keep their status
  if (status >= 400 && status < 500)
    return { status, body: { error: FASTIFY_CODES[status] ?? 'bad_request', message } };
  return apiError('internal', message);
}

const FASTIFY_CODES: Readonly<Record<number, ApiErrorCode>> = {
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  429: 'rate_limited',
};
