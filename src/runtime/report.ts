/**
 * Whether a service was planned in a cycle, in one word. Defined once here: the decision record
 * (cycle.ts), the API's schemas and readiness all take it from this list.
 *
 * planned: forecast and plan made; held: data missing, replicas kept; skipped: bad labels;
 * failed: planning broke, replicas kept; gone: the service was removed while being planned.
 */
export const SERVICE_STATUSES = ['planned', 'held', 'skipped', 'failed', 'gone'] as const;

/** One of {@link SERVICE_STATUSES}. */
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];
