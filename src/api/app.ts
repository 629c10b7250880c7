import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import { systemClock, type Clock } from '../core/domain/clock.js';
import type { Logger } from '../observability/logger.js';
import type { PrescaleMetrics } from '../observability/metrics.js';
import type { ServiceReport } from '../runtime/cycle.js';
import type { DecisionTrail } from '../runtime/trail.js';
import { bearerAuth, FailureLimiter, type FailureLimits } from './auth.js';
import { apiError, ErrorBody, errorFromThrown, type ApiError } from './errors.js';
import { RouteMethods } from './methods.js';
import { pageRoutes } from './page/routes.js';
import {
  ExcludeBody,
  ForecastBody,
  Health,
  Mask,
  NameParams,
  NotReady,
  Ready,
  Recommendation,
  Service,
  ServiceDetail,
} from './schemas.js';
import { forecastView, recommendationView, schedulesView, serviceView } from './views.js';
import type { ExcludeRule } from '../core/series/mask.js';
import { parseExclude, showExclude } from '../config/excludes.js';

/** What the API reads and does; the service provides it, tests fake it. */
export interface ApiDeps {
  /** The latest decision record of every service (empty before the first cycle). */
  services(): readonly ServiceReport[];
  /** Why the service is not ready yet, or undefined when it is. */
  notReady(): string | undefined;
  /**
   * Applies the latest recommendation of one service now; returns its updated record. Throws
   * PrescaleError E_LOCKED (passive) or E_RECOMMEND_ONLY (no --apply) when it may not act.
   */
  apply(key: string): Promise<ServiceReport>;
  readonly metrics: PrescaleMetrics;
  /** Bearer token for POST routes; without one they always answer 401. */
  readonly apiToken?: string;
  /** Mode and backend facts for `/v1/status`. */
  info(): Record<string, unknown>;
  /** Time for the failed-authentication limit (default: the system clock). */
  readonly clock?: Clock;
  /** Failed authentications allowed per address (default: 10 a minute). */
  readonly failureLimits?: FailureLimits;
  /** Recent decisions and replica counts per service, for the web page (none by default). */
  readonly trail?: DecisionTrail;
  /** Where 500 answers are logged (none by default). */
  readonly logger?: Logger;
  /** Event masks added at run time to one service (none without). */
  masks?(key: string): readonly ExcludeRule[];
  /** Adds a mask to one service; throws E_INPUT past the limit, E_STATE when it cannot be kept. */
  exclude?(key: string, rule: ExcludeRule): void;
}

/** Every error status a route may answer, for the OpenAPI document. */
function errors(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody]));
}

function send(reply: FastifyReply, e: ApiError): FastifyReply {
  return reply.code(e.status).send(e.body);
}

/**
 * The HTTP API, built by a function so that tests drive it with `inject()` and only `serve`
 * listens on a socket. Requests are validated with zod; every error answer, fastify's own
 * included, is `{ error: <code>, message }` with a code from API_ERROR_CODES.
 */
export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const app = createServer(deps);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'prescale',
        description: 'Predictive autoscaler: forecasts, recommendations, actions',
        version: '0.1.0',
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  probeRoutes(app, deps);
  serviceRoutes(app, deps);
  maskRoutes(app, deps);
  pageRoutes(app, deps);
  return app;
}

type App = ReturnType<typeof createServer>;

/** Fastify with zod, and every error (its own 404 and validation included) in the one shape. */
function createServer(deps: ApiDeps) {
  const app = Fastify({
    logger: false,
    // the router's own limit sits above NameParams' so that the schema's clearer 400 answers first
    routerOptions: { maxParamLength: 512 },
    // bad URL encoding, a parameter over the router's limit: the same error shape as the rest
    frameworkErrors: (err, _req, reply) => void send(reply, errorFromThrown(err)),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const methods = new RouteMethods();
  app.addHook('onRoute', (route) => methods.add(route.method, route.url));
  app.setErrorHandler((err, req, reply) => {
    const e = errorFromThrown(err);
    if (e.status >= 500) deps.logger?.error({ method: req.method, url: req.url, err: e.body.message }, 'API error');
    return send(reply, e);
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    const allow = methods.allowed(path);
    // a path the method is routed for (e.g. a file missing under /docs/static/*) is simply not there
    if (!allow.length || allow.includes(req.method))
      return send(reply, apiError('not_found', `no route ${req.method} ${path} (see /docs)`));
    void reply.header('allow', allow.join(', '));
    return send(reply, apiError('method_not_allowed', `${path} answers ${allow.join(', ')}, not ${req.method}`));
  });
  return app;
}

/** OpenAPI, liveness, readiness, metrics, status. */
function probeRoutes(app: App, deps: ApiDeps): void {
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { response: { 200: Health } } }, async () => ({ status: 'ok' as const }));
  app.get('/readyz', { schema: { response: { 200: Ready, 503: NotReady } } }, async (_req, reply) => {
    const why = deps.notReady();
    return why ? reply.code(503).send({ status: 'not ready', reason: why }) : { status: 'ready' as const };
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    void reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
  app.get('/v1/status', { schema: { response: { 200: z.record(z.string(), z.unknown()) } } }, async () => deps.info());
}

/** The services, their forecasts and recommendations, and applying one. */
function serviceRoutes(app: App, deps: ApiDeps): void {
  const find = (name: string) => deps.services().find((s) => s.key === name || s.name === name);
  const notFound = (name: string) =>
    apiError('not_found', `no service "${name}" is labelled for prescale (see GET /v1/services)`);
  const auth = bearerAuth(deps.apiToken, deps.clock ?? systemClock, new FailureLimiter(deps.failureLimits));
  app.get(
    '/v1/services',
    {
      schema: {
        description: 'Every service labelled for prescale, with why it is or is not predicted',
        response: { 200: z.array(Service) },
      },
    },
    async () => {
      const now = (deps.clock ?? systemClock).now();
      return deps.services().map((s) => ({ ...serviceView(s), ...schedulesView(s, now) }));
    },
  );
  app.get(
    '/v1/services/:name/forecast',
    {
      schema: {
        description: 'The latest forecast of one service: p50 and p90 over the horizon',
        params: NameParams,
        response: { 200: ForecastBody, ...errors(400, 404) },
      },
    },
    async (req, reply) => {
      const s = find(req.params.name);
      if (!s) return send(reply, notFound(req.params.name));
      const view = forecastView(s);
      return view ?? send(reply, apiError('no_forecast', `${s.key} has no forecast: ${s.message}`));
    },
  );
  app.get(
    '/v1/recommendations',
    {
      schema: {
        description: 'Desired vs current replicas, the reason, and the recent forecast error',
        response: { 200: z.array(Recommendation) },
      },
    },
    async () => deps.services().map(recommendationView),
  );
  app.post(
    '/v1/services/:name/apply',
    {
      onRequest: auth,
      schema: {
        description:
          'Apply the latest recommendation now (bearer token required; 409 when this instance is passive or ' +
          'recommends only; 429 after repeated failed authentications)',
        params: NameParams,
        response: { 200: Recommendation, ...errors(400, 401, 404, 409, 429, 502) },
      },
    },
    async (req, reply) => {
      const s = find(req.params.name);
      if (!s) return send(reply, notFound(req.params.name));
      return recommendationView(await deps.apply(s.key));
    },
  );
}

/** One service with its masks, and adding a mask at run time. */
function maskRoutes(app: App, deps: ApiDeps): void {
  const find = (name: string) => deps.services().find((s) => s.key === name || s.name === name);
  const notFound = (name: string) =>
    apiError('not_found', `no service "${name}" is labelled for prescale (see GET /v1/services)`);
  const auth = bearerAuth(deps.apiToken, deps.clock ?? systemClock, new FailureLimiter(deps.failureLimits));
  const masksOf = (s: ServiceReport) => [...(s.spec?.exclude ?? []), ...(deps.masks?.(s.key) ?? [])].map(showExclude);
  app.get(
    '/v1/services/:name',
    {
      schema: {
        description: 'One service: its record, scheduled windows and event masks',
        params: NameParams,
        response: { 200: ServiceDetail, ...errors(400, 404) },
      },
    },
    async (req, reply) => {
      const s = find(req.params.name);
      if (!s) return send(reply, notFound(req.params.name));
      const now = (deps.clock ?? systemClock).now();
      return { ...serviceView(s), ...schedulesView(s, now), exclude: masksOf(s) };
    },
  );
  app.post(
    '/v1/services/:name/exclude',
    {
      onRequest: auth,
      schema: {
        description:
          'Mask a stretch of the history (an outage, a load test): its samples are left out of fitting, ' +
          'backtests, calibration and tuning from the next refit on; kept across restarts (bearer token required)',
        params: NameParams,
        body: ExcludeBody,
        response: { 201: z.object({ service: z.string(), exclude: z.array(Mask) }), ...errors(400, 401, 404, 429) },
      },
    },
    async (req, reply) => {
      const s = find(req.params.name);
      if (!s) return send(reply, notFound(req.params.name));
      const rule = parseExclude(req.body);
      if (!rule.ok) return send(reply, apiError('bad_request', `body: ${rule.error}`));
      if (!deps.exclude) return send(reply, apiError('bad_request', 'this instance keeps no event masks'));
      deps.exclude(s.key, rule.value);
      return reply.code(201).send({ service: s.key, exclude: masksOf(s) });
    },
  );
}
