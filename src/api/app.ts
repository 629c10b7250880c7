import { timingSafeEqual } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isPrescaleError } from '../core/domain/errors.js';
import type { PrescaleMetrics } from '../observability/metrics.js';
import type { ServiceReport } from '../runtime/cycle.js';
import { explainPrediction } from '../runtime/explain.js';

/** What the API reads and does; the service provides it, tests fake it. */
export interface ApiDeps {
  /** The latest decision record of every service (empty before the first cycle). */
  services(): readonly ServiceReport[];
  /** Why the service is not ready yet, or undefined when it is. */
  notReady(): string | undefined;
  /** Applies the latest recommendation of one service now; returns its updated record. */
  apply(key: string): Promise<ServiceReport>;
  readonly metrics: PrescaleMetrics;
  /** Bearer token for POST routes; without one they always answer 401. */
  readonly apiToken?: string;
  /** Mode and backend facts for `/v1/status`. */
  info(): Record<string, unknown>;
}

const Prediction = z
  .object({
    predicted: z.boolean().describe('a fitted model’s forecast set or could have set the replicas'),
    summary: z.string().describe('why it is or is not predicted, in words'),
    model: z.string().optional(),
    fallback: z
      .enum(['naive', 'headroom', 'reactive', 'hold', 'none'])
      .optional()
      .describe('what stood in for the forecast, when something did'),
    fallbackReason: z.string().optional(),
    forecastError: z.number().optional().describe('recent relative forecast error (0 = perfect)'),
    maxForecastError: z.number().optional().describe('above this error the forecast is not trusted'),
    historyDays: z.number().optional(),
    missingSamples: z.number().optional(),
    notes: z.array(z.string()).describe('the forecaster’s notes: models skipped, gaps filled'),
  })
  .describe('why the service is or is not predicted');

const Service = z.object({
  key: z.string(),
  kind: z.string().describe('the engine that runs it (swarm, compose, …)'),
  name: z.string(),
  project: z.string().optional().describe('Compose project'),
  status: z
    .enum(['planned', 'held', 'skipped', 'failed', 'gone'])
    .describe('planned; held (data missing, replicas kept); skipped (bad labels); failed; gone (removed meanwhile)'),
  currentReplicas: z.number(),
  desiredReplicas: z.number(),
  reason: z.string().optional(),
  message: z.string(),
  model: z.string().optional(),
  forecastError: z.number().optional(),
  history: z
    .object({ from: z.number(), to: z.number(), points: z.number(), gaps: z.number(), step: z.number() })
    .optional(),
  prediction: Prediction,
  tuning: z
    .object({
      at: z.number().describe('when (unix seconds): the end of the replayed window'),
      days: z.number().describe('days of history replayed'),
      targetUtilization: z.number(),
      marginScale: z.number(),
      scaleDownStabilizationSec: z.number(),
      unservedPct: z.number().describe('replay of the chosen policy: demand unserved, %'),
      costVsOracle: z.number().describe('replay of the chosen policy: replica cost / perfect foresight'),
      configuredUnservedPct: z.number().describe('the configured policy on the same replay'),
      configuredCostVsOracle: z.number(),
    })
    .optional()
    .describe('the policy tuning in force (autoTune): what it set, and the replay it chose it on'),
  problems: z.array(z.string()),
  errorCode: z.string().optional(),
});
const Recommendation = z.object({
  service: z.string(),
  currentReplicas: z.number(),
  desiredReplicas: z.number(),
  reason: z.string(),
  message: z.string(),
  forecastError: z.number().optional(),
  applied: z.boolean(),
});
const ForecastBody = z.object({
  service: z.string(),
  model: z.string(),
  step: z.number(),
  notes: z.array(z.string()),
  points: z.array(z.object({ timestamp: z.number(), p50: z.number(), p90: z.number() })),
});
const ErrorBody = z.object({ error: z.string(), message: z.string() });
const NameParams = z.object({ name: z.string().min(1).describe('service name (e.g. web) or key (e.g. swarm/web)') });

function serviceView(s: ServiceReport): z.infer<typeof Service> {
  const prediction = explainPrediction(s);
  return {
    key: s.key,
    kind: s.kind,
    name: s.name,
    project: s.project,
    status: s.status,
    currentReplicas: s.currentReplicas,
    desiredReplicas: s.desiredReplicas,
    reason: s.decision?.reason,
    message: s.message,
    model: s.forecast?.model,
    forecastError: s.forecastError,
    history: s.history,
    prediction: { ...prediction, notes: [...prediction.notes] },
    tuning: s.tuning && {
      at: s.tuning.at,
      days: s.tuning.days,
      ...s.tuning.overrides,
      unservedPct: s.tuning.score.unservedPct,
      costVsOracle: s.tuning.score.costVsOracle,
      configuredUnservedPct: s.tuning.configured.unservedPct,
      configuredCostVsOracle: s.tuning.configured.costVsOracle,
    },
    problems: [...s.problems],
    errorCode: s.errorCode,
  };
}

function tokenMatches(header: string | undefined, token: string | undefined): boolean {
  if (!token || !header?.startsWith('Bearer ')) return false;
  const a = Buffer.from(header.slice('Bearer '.length));
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The HTTP API, built by a function so that tests drive it with `inject()` and only `serve`
 * listens on a socket. Requests are validated with zod; 4xx answers say what is wrong.
 */
export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: false }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((err: { statusCode?: number; validation?: unknown; message: string }, _req, reply) => {
    if (isPrescaleError(err, 'E_NOT_FOUND'))
      return void reply.code(404).send({ error: 'not_found', message: err.message });
    if (isPrescaleError(err, 'E_LOCKED')) return void reply.code(409).send({ error: 'passive', message: err.message });
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    void reply
      .code(status)
      .send({ error: err.validation ? 'bad_request' : status === 500 ? 'internal' : 'error', message: err.message });
  });
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

  const find = (name: string) => deps.services().find((s) => s.key === name || s.name === name);
  const notFound = (name: string) => ({
    error: 'not_found',
    message: `no service "${name}" is labelled for prescale (see GET /v1/services)`,
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { response: { 200: z.object({ status: z.literal('ok') }) } } }, async () => ({
    status: 'ok' as const,
  }));
  app.get(
    '/readyz',
    {
      schema: {
        response: { 200: z.object({ status: z.string() }), 503: z.object({ status: z.string(), reason: z.string() }) },
      },
    },
    async (_req, reply) => {
      const why = deps.notReady();
      return why ? reply.code(503).send({ status: 'not ready', reason: why }) : { status: 'ready' };
    },
  );
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    void reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
  app.get('/v1/status', { schema: { response: { 200: z.record(z.string(), z.unknown()) } } }, async () => deps.info());
  app.get(
    '/v1/services',
    {
      schema: {
        description: 'Every service labelled for prescale, with why it is or is not predicted',
        response: { 200: z.array(Service) },
      },
    },
    async () => deps.services().map(serviceView),
  );
  app.get(
    '/v1/services/:name/forecast',
    {
      schema: {
        description: 'The latest forecast of one service: p50 and p90 over the horizon',
        params: NameParams,
        response: { 200: ForecastBody, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const s = find(req.params.name);
      if (!s) return reply.code(404).send(notFound(req.params.name));
      if (!s.forecast)
        return reply.code(404).send({ error: 'no_forecast', message: `${s.key} has no forecast: ${s.message}` });
      const f = s.forecast;
      return {
        service: s.key,
        model: f.model,
        step: f.step,
        notes: f.notes.map((n) => n.message),
        points: f.p50.map((p50, i) => ({ timestamp: f.start + i * f.step, p50, p90: f.p90[i] })),
      };
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
    async () =>
      deps.services().map((s) => ({
        service: s.key,
        currentReplicas: s.currentReplicas,
        desiredReplicas: s.desiredReplicas,
        reason: s.decision?.reason ?? s.status,
        message: s.message,
        forecastError: s.forecastError,
        applied: s.applied,
      })),
  );
  app.post(
    '/v1/services/:name/apply',
    {
      schema: {
        description: 'Apply the latest recommendation now (bearer token required)',
        params: NameParams,
        response: { 200: Recommendation, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      if (!tokenMatches(req.headers.authorization, deps.apiToken)) {
        return reply.code(401).send({
          error: 'unauthorized',
          message: deps.apiToken
            ? 'a valid "Authorization: Bearer TOKEN" header is required'
            : 'no API token is configured (PRESCALE_API_TOKEN): applying through the API is off',
        });
      }
      const s = find(req.params.name);
      if (!s) return reply.code(404).send(notFound(req.params.name));
      const r = await deps.apply(s.key);
      return {
        service: r.key,
        currentReplicas: r.currentReplicas,
        desiredReplicas: r.desiredReplicas,
        reason: r.decision?.reason ?? r.status,
        message: r.message,
        forecastError: r.forecastError,
        applied: r.applied,
      };
    },
  );
  return app;
}
