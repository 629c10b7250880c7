import { z } from 'zod';
import { TUNING_CODES } from '../core/simulate/tune.js';
import { PROBLEM_CODES, SERVICE_STATUSES } from '../runtime/report.js';
import { FALLBACKS } from '../runtime/explain.js';

/**
 * The bodies of the API, in zod: they validate requests, serialise answers and make the OpenAPI
 * document. Enums come from where their type is defined, never re-declared here. A number that
 * may be missing from a record (non-finite, see views.ts) is optional or nullable.
 */

export const Prediction = z
  .object({
    predicted: z.boolean().describe('a fitted model’s forecast set or could have set the replicas'),
    summary: z.string().describe('why it is or is not predicted, in words'),
    model: z.string().optional(),
    fallback: z.enum(FALLBACKS).optional().describe('what stood in for the forecast, when something did'),
    fallbackReason: z.string().optional(),
    forecastError: z.number().optional().describe('recent relative forecast error (0 = perfect)'),
    maxForecastError: z.number().optional().describe('above this error the forecast is not trusted'),
    historyDays: z.number().optional(),
    missingSamples: z.number().optional(),
    notes: z.array(z.string()).describe('the forecaster’s notes: models skipped, gaps filled'),
  })
  .describe('why the service is or is not predicted');

export const History = z.object({
  from: z.number(),
  to: z.number(),
  points: z.number().describe('query-step samples the history stands for'),
  gaps: z.number().describe('query-step samples missing between from and to'),
  step: z.number(),
  buckets: z.number().optional().describe('forecast-step (5-minute) buckets the forecaster got'),
  storeDays: z.number().optional().describe('days of buckets read from the history store (the source had none there)'),
  sourceDays: z.number().optional().describe('days of buckets from the metrics source'),
});

export const Tuning = z
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
    targetUnservedPct: z.number().describe('the miss budget tuned for (targetUnserved), % of demand'),
    budget: z
      .enum(TUNING_CODES)
      .describe(
        'WithinBudget: the chosen replay kept to the budget; OverBudget: none did (the miss price chose among all)',
      ),
  })
  .describe('the policy tuning in force (autoTune): what it set, and the replay it chose it on');

const replicas = (what: string) => z.number().nullable().describe(`${what} (null: the record holds no finite number)`);

/** A problem of a record: a stable code to switch on, a sentence to read. */
const Problem = z.object({ code: z.enum(PROBLEM_CODES), message: z.string() });

/** One load metric of a service with several (`metrics:`, `prescale.query.<name>`). */
export const MetricView = z.object({
  name: z.string(),
  capacity: z.number().describe('load one replica handles in this metric'),
  observedLoad: z.number().optional().describe('its latest value (absent: stale or not finite)'),
  model: z.string().optional(),
  nextP50: z.number().optional().describe('its forecast (p50) for when a replica asked for now is ready'),
  nextP90: z.number().optional(),
  proposed: z.number().optional().describe('replicas it asked for, before stabilisation, cooldown and bounds'),
  predictive: z.number().optional(),
  reactive: z.number().optional(),
  forecastError: z.number().optional(),
});

/** A scheduled window of a service, and when it opens next. */
export const ScheduleWindow = z.object({
  name: z.string(),
  cron: z.string().describe('five-field cron, read in `timezone`'),
  durationSec: z.number(),
  timezone: z.string(),
  min: z.number().optional(),
  max: z.number().optional(),
  active: z.boolean().describe('open now, or within its lead (its min already holds)'),
  nextOpening: z.string().optional().describe('ISO-8601 time of the next opening after now'),
});

/** An event mask: a range, or days every year. */
export const Mask = z
  .object({
    name: z.string(),
    start: z.string().optional().describe('ISO-8601'),
    end: z.string().optional().describe('ISO-8601, after start'),
    dates: z.array(z.string()).optional().describe('"MM-DD" days, every year'),
    timezone: z.string().optional(),
  })
  .describe('samples inside are left out of fitting, backtests, calibration and tuning');

export const Service = z.object({
  key: z.string(),
  kind: z.string().describe('the engine that runs it (swarm, compose, …)'),
  name: z.string(),
  project: z.string().optional().describe('Compose project'),
  status: z
    .enum(SERVICE_STATUSES)
    .describe('planned; held (data missing, replicas kept); skipped (bad labels); failed; gone (removed meanwhile)'),
  currentReplicas: replicas('replicas the engine runs'),
  desiredReplicas: replicas('replicas prescale recommends'),
  reason: z.string().optional(),
  message: z.string(),
  model: z.string().optional(),
  forecastError: z.number().optional(),
  history: History.optional(),
  prediction: Prediction,
  tuning: Tuning.optional(),
  metric: z.string().optional().describe('several load metrics: the one whose number set the replicas'),
  metrics: z
    .array(MetricView)
    .optional()
    .describe('several load metrics: each one, its value and forecast, and what it asked for'),
  problems: z.array(Problem).describe('everything that went wrong or was worked around'),
  errorCode: z.string().optional(),
  schedules: z.array(ScheduleWindow).optional().describe('scheduled windows, with the next opening of each'),
});

/** `POST /v1/services/{name}/exclude`: a range to mask (checked by the config's parser). */
export const ExcludeBody = z
  .object({
    name: z.string().min(1).max(63),
    start: z.string().max(40).describe('ISO-8601 with a zone, e.g. 2026-11-27T18:00:00Z'),
    end: z.string().max(40).describe('ISO-8601, after start, at most 90 days later'),
  })
  .strict();

export const ServiceDetail = Service.extend({
  exclude: z.array(Mask).describe('event masks: the config’s, then those added through the API'),
});

export const Recommendation = z.object({
  service: z.string(),
  currentReplicas: replicas('replicas the engine runs'),
  desiredReplicas: replicas('replicas prescale recommends'),
  reason: z.string(),
  message: z.string(),
  forecastError: z.number().optional(),
  applied: z.boolean(),
  problems: z.array(Problem).optional().describe('numbers left out of this record, and why'),
});

const ForecastPoints = {
  model: z.string(),
  step: z.number(),
  notes: z.array(z.string()),
  points: z.array(
    z.object({
      timestamp: z.number(),
      p50: z.number().nullable().describe('null: the model gave no finite number'),
      p90: z.number().nullable(),
    }),
  ),
};

export const ForecastBody = z.object({
  service: z.string(),
  ...ForecastPoints,
  metric: z.string().optional().describe('several load metrics: the top-level forecast is this one'),
  metrics: z
    .array(z.object({ name: z.string(), ...ForecastPoints }))
    .optional()
    .describe("several load metrics: each one's forecast"),
});

export const NameParams = z.object({
  name: z.string().min(1).max(256).describe('service name (e.g. web) or key (e.g. swarm/web)'),
});

export const Health = z.object({ status: z.literal('ok') });
export const Ready = z.object({ status: z.literal('ready') });
export const NotReady = z.object({ status: z.literal('not ready'), reason: z.string() });

export type ServiceView = z.infer<typeof Service>;
export type RecommendationView = z.infer<typeof Recommendation>;
export type ForecastView = z.infer<typeof ForecastBody>;
