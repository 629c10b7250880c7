import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loadChartSvg } from '../../observability/load-chart.js';
import type { ServiceReport } from '../../runtime/report.js';
import type { DecisionTrail } from '../../runtime/trail.js';
import { apiError, ErrorBody } from '../errors.js';
import { NameParams } from '../schemas.js';
import { PAGE_CSS, PAGE_HTML, PAGE_JS } from './assets.js';
import { ChartQuery, DecisionsBody, DecisionsQuery, ObservedBody } from './schemas.js';
import { chartInputOf, decisionsView, observedView } from './views.js';

/** What the page's routes read. */
export interface PageDeps {
  services(): readonly ServiceReport[];
  /** Recent decisions and replicas (none without one). */
  readonly trail?: DecisionTrail;
}

const CACHE = 'no-cache';

/**
 * The web page and its assets, and the endpoints it draws from. Like every read of the API they
 * need no token: they show what GET /v1/services already shows.
 */
export function pageRoutes(app: FastifyInstance, deps: PageDeps): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const asset = (url: string, type: string, body: string) =>
    api.get(url, { schema: { hide: true } }, async (_req, reply) =>
      reply.header('content-type', type).header('cache-control', CACHE).send(body),
    );
  asset('/', 'text/html; charset=utf-8', PAGE_HTML);
  asset('/ui/page.css', 'text/css; charset=utf-8', PAGE_CSS);
  asset('/ui/page.js', 'text/javascript; charset=utf-8', PAGE_JS);

  const find = (name: string) => deps.services().find((s) => s.key === name || s.name === name);
  const notFound = (name: string) =>
    apiError('not_found', `no service "${name}" is labelled for prescale (see GET /v1/services)`);
  const observed = (s: ServiceReport) => observedView(s, deps.trail?.replicas(s.key) ?? []);
  const errors = { 400: ErrorBody, 404: ErrorBody };

  api.get(
    '/v1/services/:name/observed',
    {
      schema: {
        description: 'The last 48 hours of one service: its load, and its replicas and ready capacity',
        params: NameParams,
        response: { 200: ObservedBody, ...errors },
      },
    },
    async (req, reply) => {
      const s = find(req.params.name);
      if (!s) return reply.code(404).send(notFound(req.params.name).body);
      return observed(s);
    },
  );
  api.get(
    '/v1/services/:name/decisions',
    {
      schema: {
        description: 'The latest decisions of one service, newest first, with their reason codes',
        params: NameParams,
        querystring: DecisionsQuery,
        response: { 200: DecisionsBody, ...errors },
      },
    },
    async (req, reply) => {
      const s = find(req.params.name);
      if (!s) return reply.code(404).send(notFound(req.params.name).body);
      return decisionsView(s.key, deps.trail?.decisions(s.key, req.query.limit) ?? []);
    },
  );
  api.get(
    '/v1/services/:name/chart.svg',
    {
      schema: {
        description:
          'The chart of one service as SVG (image/svg+xml): load of the last hours (48 by default) against ready capacity ' +
          '(replicas × capacity), and the forecast band p50–p90 over the horizon',
        params: NameParams,
        querystring: ChartQuery,
        produces: ['image/svg+xml'],
        response: { 200: z.string().describe('an SVG document'), ...errors },
      },
    },
    async (req, reply) => {
      const s = find(req.params.name);
      if (!s) return reply.code(404).send(notFound(req.params.name).body);
      const { width, height, hours } = req.query;
      const title = `${s.key}: load against ready capacity, the last ${hours} hours and the forecast`;
      const svg = loadChartSvg(chartInputOf(s, observed(s), hours), { width, height }, title);
      return reply.header('content-type', 'image/svg+xml; charset=utf-8').header('cache-control', CACHE).send(svg);
    },
  );
}
