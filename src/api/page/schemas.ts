import { z } from 'zod';
import { SERVICE_STATUSES } from '../../runtime/report.js';
import { TRAIL_LIMITS } from '../../runtime/trail.js';

/** The bodies of the endpoints the web page draws from, in zod (they also make the OpenAPI). */

const nullable = (what: string) => z.number().nullable().describe(`${what} (null: no finite number)`);

export const ObservedBody = z
  .object({
    service: z.string(),
    step: z.number().describe('seconds between load points (the forecaster’s grid)'),
    capacityPerReplica: z.number().nullable().describe('load one replica serves (null: no labels resolved)'),
    now: z.number().describe('when the latest cycle planned this service (unix seconds)'),
    load: z
      .array(z.object({ timestamp: z.number(), load: nullable('observed load') }))
      .describe('load of the last 48 hours, from the history the latest forecast was made from'),
    replicas: z
      .array(
        z.object({
          timestamp: z.number(),
          currentReplicas: z.number(),
          desiredReplicas: z.number(),
          readyCapacity: nullable('currentReplicas × capacityPerReplica'),
        }),
      )
      .describe(
        `replica counts as change points, each holding until the next, over the last 48 hours this ` +
          `instance has run (at most ${TRAIL_LIMITS.replicaPoints}; kept in memory, not across restarts)`,
      ),
  })
  .describe('what a service’s load and replicas were recently');

export const DecisionEntry = z.object({
  at: z.number().describe('unix seconds'),
  status: z.enum(SERVICE_STATUSES),
  currentReplicas: nullable('replicas the engine ran'),
  desiredReplicas: nullable('replicas prescale recommended'),
  reason: z.string().optional().describe('the rule that set the number last'),
  reasons: z.array(z.string()).describe('every rule that touched the number, in order'),
  applied: z.boolean(),
  message: z.string(),
});

export const DecisionsBody = z.object({
  service: z.string(),
  decisions: z
    .array(DecisionEntry)
    .describe(`newest first: the last cycles of this instance (at most ${TRAIL_LIMITS.decisions}, in memory)`),
});

export const DecisionsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(TRAIL_LIMITS.decisions).default(20),
});

export const ChartQuery = z.object({
  width: z.coerce.number().int().min(240).max(4000).default(900),
  height: z.coerce.number().int().min(160).max(2000).default(320),
  hours: z.coerce.number().min(1).max(48).default(48).describe('hours of the past shown before the forecast'),
});

export type ObservedView = z.infer<typeof ObservedBody>;
export type DecisionsView = z.infer<typeof DecisionsBody>;
